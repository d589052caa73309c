"""coprod's commands. Each parses options, calls one library function and maps its errors."""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pipeline import __version__

F = TypeVar("F", bound=Callable[..., Any])


def _expected_errors() -> tuple[type[Exception], ...]:
    from captions.exceptions import CaptionError
    from consent.exceptions import ConsentError
    from pipeline.exceptions import PipelineError

    return (PipelineError, CaptionError, ConsentError)


def handles_errors(func: F) -> F:
    """Turn the libraries' expected errors into a clean message and exit 1 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except _expected_errors() as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper  # type: ignore[return-value]


def open_project(path: str) -> Any:
    from pipeline.project import Project

    return Project.open(path)


project_argument = click.argument("project", type=click.Path(file_okay=False, path_type=str))
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def say(message: str) -> None:
    """Progress for a person at a terminal; silenced by --quiet."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.find_root().params.get("quiet"):
        return
    click.echo(message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coprod")
@click.option("-v", "--verbose", is_flag=True, help="Log every ffmpeg/ffprobe call.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors (for make).")
def cli(verbose: bool, quiet: bool) -> None:
    """coprod: the pipeline behind a co-produced film.

    \b
    Typical session:
      coprod new projects/our-film --title "Our film"
      coprod ingest projects/our-film cam/A001.mp4 --contributor amara
      coprod transcribe projects/our-film
      coprod consent record projects/our-film --contributor amara --scope appear ...
      coprod signoff projects/our-film a001 --by amara
      coprod build projects/our-film
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO,
        format="%(message)s",
        stream=sys.stderr,
    )
    # Heavy libraries' own chatter is not for producers.
    for noisy in ("faster_whisper", "numba", "urllib3", "httpx", "huggingface_hub"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@cli.command()
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
    from pipeline.project import Project

    project = Project.create(path, title, language)
    click.echo(f"created {project.film_yaml}")


@cli.command()
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

    \b
    Example:
      coprod ingest projects/our-film cam/A001.mp4 cam/A002.mp4 --contributor amara
    """
    from pipeline.exceptions import BatchError
    from pipeline.ingest import ingest as ingest_files

    proj = open_project(project)
    try:
        done = ingest_files(proj, list(files), contributors=contributors, clip_ids=clip_ids,
                            say=say)
    except BatchError as exc:
        raise click.ClickException(str(exc)) from None
    for item in done:
        verb = "already ingested" if item.already else "ingested"
        click.echo(f"{verb}: {item.source} -> clip {item.clip_id} "
                   f"({item.info.duration_ms / 1000:.1f} s)")


@cli.command()
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


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="coprod")
