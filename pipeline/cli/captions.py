"""Transcripts and caption files: coprod transcribe, captions check and captions diff."""

from __future__ import annotations

import sys

import click

from captions.styles import StyleName
from pipeline.cli._cluster import cluster_session, with_cluster_options
from pipeline.cli._common import (
    choice,
    done,
    handles_errors,
    json_option,
    open_project,
    project_argument,
    report_findings,
    say,
)
from pipeline.transcribe.engines.base import DEFAULT_ENGINE, ENGINES


@click.command()
@project_argument
@click.argument("clip_ids", nargs=-1, metavar="[CLIP_ID]...")
@click.option("--engine", type=choice(ENGINES), default=DEFAULT_ENGINE, show_default=True,
              help="Speech recognition engine.")
@click.option("--model", metavar="NAME_OR_PATH",
              help="Model name or local folder/checkpoint (default: bundled tiny.en).")
@click.option("--force", is_flag=True,
              help="Replace caption files a contributor edited (the old one is backed up).")
@with_cluster_options
@handles_errors
def transcribe(project: str, clip_ids: tuple[str, ...], engine: str, model: str | None,
               force: bool, cluster: str | None, workers: int | None) -> None:
    """Transcribe clips with Whisper and write draft caption files (captions/CLIP.srt, .vtt).

    A caption file a contributor has edited is never overwritten: the new draft goes to
    captions/CLIP.whisper.srt beside it, unless --force (which keeps a timestamped backup).

    \b
    Example:
      coprod transcribe projects/our-film
      coprod transcribe projects/our-film amara-interview --engine openai-whisper
      coprod transcribe projects/our-film --cluster tcp://render-1:8786
    """
    from pipeline.transcribe import transcribe_project

    film = open_project(project)
    with cluster_session(cluster, workers) as session:
        report = transcribe_project(film, list(clip_ids) or None, engine=engine, model=model,
                                    force=force, on_progress=lambda p: say(str(p)),
                                    cluster=session)
    for result in report.results:
        done(f"{result.clip_id}: {result.status}")


@click.group()
def captions() -> None:
    """Check caption files against the film's caption profile and show reviewers' edits."""


@captions.command("check")
@project_argument
@click.argument("clip_ids", nargs=-1, metavar="[CLIP_ID]...")
@click.option("--profile", type=choice(StyleName),
              help="Caption profile (default: film.yaml captions.profile).")
@json_option
@handles_errors
def captions_check(project: str, clip_ids: tuple[str, ...], profile: str | None,
                   as_json: bool) -> None:
    """QC caption files: one line per finding, file:cue:rule: message.

    Errors (overlap, out of order, too many lines, line too long, cue beyond the clip's end or
    ending before it starts, empty cue, control character, unreadable file) exit 1; warnings
    (reading rate, short gap, durations, line breaks) exit 0.

    \b
    Example:
      coprod captions check projects/our-film
      coprod captions check projects/our-film amara-interview --profile easy-read --json
    """
    from captions.qc import has_errors
    from pipeline.caption_qc import check_captions

    findings = check_captions(open_project(project), clip_ids, style=profile)
    report_findings(findings, as_json)
    if has_errors(findings):
        sys.exit(1)


@captions.command("diff")
@project_argument
@click.argument("clip_id")
@handles_errors
def captions_diff(project: str, clip_id: str) -> None:
    """Show what a reviewer changed in a clip's caption file, word by word and in timing.

    \b
    Example:
      coprod captions diff projects/our-film amara-interview
    """
    from pipeline.caption_qc import diff_captions

    click.echo(diff_captions(open_project(project), clip_id))


COMMANDS: list[click.Command] = [transcribe, captions]
