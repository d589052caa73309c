"""coprod's commands. Each parses options, calls one library function and maps its errors.

One module per command group: :mod:`.project` (new, ingest, status), :mod:`.consent` (consent
record/withdraw/show/verify, signoff, request-changes), :mod:`.captions` (transcribe, captions
check/diff), :mod:`.render` (render, build); :mod:`._common` holds what they share. Heavy
libraries are imported inside the commands, so ``coprod --help`` stays fast.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from pipeline import __version__
from pipeline.cli import (
    access_report,
    captions,
    consent,
    describe,
    edit,
    feedback,
    preview,
    project,
    render,
    review,
)


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
        level=logging.DEBUG if verbose else logging.ERROR if quiet else logging.INFO,
        format="%(message)s",
        stream=sys.stderr,
    )
    # Heavy libraries' own chatter is not for producers.
    for noisy in ("faster_whisper", "numba", "urllib3", "httpx", "huggingface_hub"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


for _group in (project, consent, captions, render, review, preview, edit, describe, access_report,
               feedback):
    for _command in _group.COMMANDS:
        cli.add_command(_command)


def _terminate(signum: int, _frame: Any) -> None:
    # A producer's Ctrl-C, `kill` or a closed terminal all unwind the same way, so every stage's
    # clean-up (temp files, half-recorded clips) runs.
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> None:
    """Console-script entry point."""
    import signal

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)
    cli(prog_name="coprod")


__all__ = ["cli", "main"]
