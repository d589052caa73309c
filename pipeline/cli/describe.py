"""Audio description: coprod describe (a starting script), describe check, describe voices."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from pipeline.cli._common import (
    done,
    handles_errors,
    json_option,
    open_project,
    project_argument,
    report_findings,
)


class _StartByDefault(click.Group):
    """``coprod describe PROJECT CLIP`` is short for ``coprod describe start PROJECT CLIP``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["start", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_StartByDefault)
def describe() -> None:
    """Audio description: scripts of what is seen, read in the pauses of speech.

    \b
    Example:
      coprod describe projects/our-film amara-interview
      coprod describe check projects/our-film
    """


@describe.command("start")
@project_argument
@click.argument("clip_id")
@click.option("--min-pause", type=click.FloatRange(0.5, 60), default=1.5, show_default=True,
              metavar="SECONDS", help="The shortest pause to offer for a description.")
@handles_errors
def describe_start(project: str, clip_id: str, min_pause: float) -> None:
    """Write descriptions/CLIP.vtt: one cue for each pause in the clip's speech, with its length.

    Replace each cue's text with what is seen. An existing file is never overwritten.
    `coprod describe PROJECT CLIP` does the same.

    \b
    Example:
      coprod describe projects/our-film amara-interview
      coprod describe start projects/our-film amara-interview --min-pause 2
    """
    from pipeline.describe.pauses import write_starting_script

    path, pauses = write_starting_script(open_project(project), clip_id,
                                         min_ms=round(min_pause * 1000))
    lengths = ", ".join(f"{p.length_ms / 1000:.1f} s" for p in pauses) or "none"
    done(f"wrote {path}: {len(pauses)} pause{'s' if len(pauses) != 1 else ''} ({lengths})")


@describe.command("check")
@project_argument
@click.argument("clip_ids", nargs=-1, metavar="[CLIP_ID]...")
@json_option
@handles_errors
def describe_check(project: str, clip_ids: tuple[str, ...], as_json: bool) -> None:
    """Check description scripts: one line per finding, file:cue: message.

    Errors exit 1: a description overlapping speech (the transcript's word times), one that
    does not fit its pause when voiced (measured from the voiced audio), starting text left in,
    a malformed file or a recording that is not a WAV. A recording no cue uses is a warning.

    \b
    Example:
      coprod describe check projects/our-film
      coprod describe check projects/our-film amara-interview --json
    """
    from pipeline.describe.check import check_descriptions, has_errors

    findings = check_descriptions(open_project(project), clip_ids)
    report_findings(findings, as_json)
    if has_errors(findings):
        sys.exit(1)


@describe.command("voices")
@json_option
@handles_errors
def describe_voices(as_json: bool) -> None:
    """List the offline voices descriptions can be read in, and which one coprod uses.

    \b
    Example:
      coprod describe voices
    """
    from pipeline.describe.voice import CHOSEN_VOICE, FALLBACK_VOICE, voice_name
    from pipeline.describe.voices import LABELS, voice_label
    from pipeline.exceptions import PipelineError

    rows: list[dict[str, Any]] = []
    for name in LABELS:
        try:
            label: str | None = voice_label(name)
        except PipelineError:
            label = None
        role = "chosen" if name == CHOSEN_VOICE else "fallback" if name == FALLBACK_VOICE \
            else "measured"
        rows.append({"voice": name, "installed": label is not None, "label": label,
                     "role": role})
    using = voice_name()
    if as_json:
        click.echo(json.dumps({"using": using, "voices": rows}, indent=2))
        return
    for row in rows:
        state = row["label"] or "not installed"
        click.echo(f"{row['voice']:<13} {row['role']:<9} {state}")
    click.echo(f"descriptions are read by: {using}")


COMMANDS: list[click.Command] = [describe]
