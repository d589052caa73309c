"""Projects and footage: coprod new, ingest and status."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pipeline.cli._common import (
    done,
    handles_errors,
    json_option,
    open_project,
    project_argument,
    say,
)


@click.command()
@click.argument("path", type=click.Path(path_type=str))
@click.option("--title", required=True, help="The film's title (one line).")
@click.option("--language", default="en", show_default=True,
              help="ISO 639-1 code of the spoken language.")
@handles_errors
def new(path: str, title: str, language: str) -> None:
    """Create a film project folder with a commented film.yaml.

    \b
    Example:
      coprod new projects/our-film --title "Our film"
    """
    from pipeline.clearance.consent_ledger import retire_witness
    from pipeline.project import Project

    project = Project.create(path, title, language)
    retire_witness(project)  # a new film here: an earlier film's ledger witness is set aside
    done(f"created {project.film_yaml}")


@click.command()
@project_argument
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--contributor", "contributors", multiple=True, metavar="ID",
              help="Contributor id appearing in these files (repeatable).")
@click.option("--id", "clip_ids", multiple=True, metavar="CLIP_ID",
              help="Clip id for each file, in order (default: from the file name).")
@handles_errors
def ingest(project: str, files: tuple[Path, ...], contributors: tuple[str, ...],
           clip_ids: tuple[str, ...]) -> None:
    """Probe, copy and record raw footage; make a 16 kHz WAV and a review proxy per clip.

    A folder is walked as a camera card: its footage is ingested (an AVCHD take spanned over
    several .MTS files as one clip), thumbnails and sidecars are skipped and counted.

    \b
    Example:
      coprod ingest projects/our-film cam/A001.mp4 cam/A002.mp4 --contributor amara
      coprod ingest projects/our-film /media/card/ --contributor amara
    """
    from pipeline.ingest import ingest as ingest_files

    results = ingest_files(open_project(project), list(files), contributors=contributors,
                           clip_ids=clip_ids, say=say)
    for item in results:
        verb = "already ingested" if item.already else "ingested"
        done(f"{verb}: {item.source} -> clip {item.clip_id} "
             f"({item.info.duration_ms / 1000:.1f} s)")


@click.command()
@project_argument
@json_option
@handles_errors
def status(project: str, as_json: bool) -> None:
    """One row per clip in film order: duration, contributors, captions, consent, sign-off.

    \b
    Example:
      coprod status projects/our-film
      coprod status projects/our-film --json | jq '.clips[].signoff'
    """
    from pipeline.status import film_status, format_status

    report = film_status(open_project(project))
    click.echo(json.dumps(report, indent=2) if as_json else format_status(report))


COMMANDS: list[click.Command] = [new, ingest, status]
