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

from captions.styles import StyleName
from consent.records import Capacity, Channel, Method, Scope
from pipeline import __version__
from pipeline.engines.base import DEFAULT_ENGINE, ENGINES
from pipeline.render_profiles import RenderProfileName

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


# --- consent and sign-off ------------------------------------------------------------------

def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2031-03-31") from None


@cli.group()
def consent() -> None:
    """Record, withdraw, show and verify contributors' consent (kept in consent/ledger.jsonl)."""


@consent.command("record")
@project_argument
@click.option("--contributor", required=True, metavar="ID", help="Contributor id.")
@click.option("--scope", "scopes", multiple=True, required=True,
              type=click.Choice([s.value for s in Scope]),
              help="What they agree to (repeatable); scopes not given are a no.")
@click.option("--channel", "channels", multiple=True, required=True,
              type=click.Choice([c.value for c in Channel]),
              help="Where the film may be shown (repeatable).")
@click.option("--clip", "clips", multiple=True, metavar="CLIP_ID",
              help="Only these clips (repeatable; default: all of the contributor's clips).")
@click.option("--given", callback=_date, metavar="DATE", help="Day consent was given "
              "(default today).")
@click.option("--expires", callback=_date, metavar="DATE",
              help="Expiry (default: film.yaml consent.default_expiry_years after --given).")
@click.option("--method", required=True,
              type=click.Choice([m.value for m in Method]))
@click.option("--obtained-by", required=True, metavar="NAME", help="Who obtained consent.")
@click.option("--capacity", default=Capacity.OWN.value, show_default=True,
              type=click.Choice([c.value for c in Capacity]))
@click.option("--decision-maker", metavar="NAME", help="Required with best-interests.")
@click.option("--representative", metavar="NAME",
              help="Who signed for the contributor (with signed-by-representative).")
@click.option("--note", default="", help="What they were told; adjustments made.")
@handles_errors
def consent_record(project: str, contributor: str, scopes: tuple[str, ...],
                   channels: tuple[str, ...], clips: tuple[str, ...], given: Any, expires: Any,
                   method: str, obtained_by: str, capacity: str, decision_maker: str | None,
                   representative: str | None, note: str) -> None:
    """Record a contributor's consent: scopes, channels, clips, expiry, how it was given.

    \b
    Example:
      coprod consent record projects/our-film --contributor amara \\
        --scope appear --scope voice --scope name --channel web --channel training \\
        --method easy-read --obtained-by "J. Producer" --capacity supported
    """
    from pipeline.clearance import record_consent

    event = record_consent(
        open_project(project), contributor, scopes=scopes, channels=channels, clips=clips,
        given=given, expires=expires, method=method, obtained_by=obtained_by,
        capacity=capacity, decision_maker=decision_maker, representative=representative,
        note=note)
    record = event.record
    click.echo(f"consent recorded for {contributor} (event {event.seq}, expires "
               f"{record.expires.isoformat()})")  # type: ignore[union-attr]


@consent.command("withdraw")
@project_argument
@click.option("--contributor", required=True, metavar="ID", help="Contributor id.")
@click.option("--clip", "clips", multiple=True, metavar="CLIP_ID",
              help="Only these clips (repeatable; default: all of the contributor's clips).")
@click.option("--reason", default="", help="Why, in the contributor's words if they wish.")
@handles_errors
def consent_withdraw(project: str, contributor: str, clips: tuple[str, ...],
                     reason: str) -> None:
    """Withdraw consent; the next render refuses the contributor's clips.

    \b
    Example:
      coprod consent withdraw projects/our-film --contributor ben --reason "changed my mind"
    """
    from pipeline.clearance import withdraw_consent

    proj = open_project(project)
    event = withdraw_consent(proj, contributor, clips=clips, reason=reason)
    click.echo(f"consent withdrawn for {contributor} (event {event.seq}); the next render "
               "will refuse their clips. `coprod status` lists outputs that contain them.")


@consent.command("show")
@project_argument
@click.option("--contributor", metavar="ID", help="Only this contributor.")
@json_option
@handles_errors
def consent_show(project: str, contributor: str | None, as_json: bool) -> None:
    """Show each contributor's consent as it stands now.

    \b
    Example:
      coprod consent show projects/our-film --contributor amara
    """
    from consent import summarise
    from pipeline.clearance import events

    rows = summarise(events(open_project(project)), contributor)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in rows], indent=2))
        return
    if not rows:
        click.echo("no consent recorded yet")
    for row in rows:
        state = "WITHDRAWN" if row.withdrawn else "in force"
        click.echo(f"{row.contributor}: {state}")
        for item in row.consents:
            c = item.consent
            flags = [f for f, on in (("expired", item.expired), ("withdrawn", item.withdrawn))
                     if on]
            clips = ", ".join(c.clips) if c.clips else "all their clips"
            click.echo(f"  event {item.seq}: scopes {', '.join(c.granted) or 'none'}; "
                       f"channels {', '.join(c.channels)}; {clips}; given {c.given}, "
                       f"expires {c.expires}; {c.method}, capacity {c.capacity}"
                       + (f" [{', '.join(flags)}]" if flags else ""))


@consent.command("verify")
@project_argument
@click.option("--repair", is_flag=True,
              help="Set aside a last line left half-written by a crash (kept beside the ledger).")
@handles_errors
def consent_verify(project: str, repair: bool) -> None:
    """Check the ledger's hash chain; name the first line edited, deleted, moved or inserted.

    \b
    Example:
      coprod consent verify projects/our-film
      coprod consent verify projects/our-film --repair   # after a crash mid-write
    """
    from consent import LedgerError
    from pipeline.clearance import events, ledger

    proj = open_project(project)
    book = ledger(proj)
    if repair:
        try:
            book.verify()
        except LedgerError as exc:
            if not exc.repairable:
                raise
            kept = book.repair_truncated_tail()
            click.echo(f"moved the broken last line to {kept}; earlier events kept")
    click.echo(f"{book.path}: {len(events(proj))} events, chain intact")


@cli.command()
@project_argument
@click.argument("clip_id")
@click.option("--by", required=True, metavar="ID_OR_NAME",
              help="Who signs: the contributor's id, or their representative.")
@click.option("--on-behalf-of", metavar="ID", help="Contributor id a representative signs for.")
@click.option("--note", default="", help="Anything they want recorded.")
@handles_errors
def signoff(project: str, clip_id: str, by: str, on_behalf_of: str | None, note: str) -> None:
    """Record a contributor's approval of their clip exactly as it is now.

    The sign-off is bound to the footage, the in/out points and the caption file's bytes: any
    later change makes it stale and the clip needs signing off again.

    \b
    Example:
      coprod signoff projects/our-film amara-interview --by amara
      coprod signoff projects/our-film ben-kitchen --by "Sam (advocate)" --on-behalf-of ben
    """
    from pipeline.clearance import sign_off

    event = sign_off(open_project(project), clip_id, by, on_behalf_of=on_behalf_of, note=note)
    who = f"{by} on behalf of {on_behalf_of}" if on_behalf_of else by
    click.echo(f"{clip_id}: signed off by {who} (event {event.seq})")


@cli.command("request-changes")
@project_argument
@click.argument("clip_id")
@click.option("--by", required=True, metavar="ID_OR_NAME", help="Who asks.")
@click.option("--note", required=True, help="What they want changed.")
@click.option("--on-behalf-of", metavar="ID", help="Contributor id a representative acts for.")
@handles_errors
def request_changes(project: str, clip_id: str, by: str, note: str,
                    on_behalf_of: str | None) -> None:
    """Record a contributor's feedback on their clip; it needs sign-off again after changes.

    \b
    Example:
      coprod request-changes projects/our-film amara-interview --by amara \\
        --note "cue 4 should say 'my dad', not 'my dog'"
    """
    from pipeline.clearance import request_changes as ask

    event = ask(open_project(project), clip_id, by, note, on_behalf_of=on_behalf_of)
    click.echo(f"{clip_id}: change request recorded (event {event.seq})")


# --- transcription and captions ------------------------------------------------------------

@cli.command()
@project_argument
@click.argument("clip_ids", nargs=-1, metavar="[CLIP_ID]...")
@click.option("--engine", type=click.Choice(list(ENGINES)),
              default=DEFAULT_ENGINE, show_default=True, help="Speech recognition engine.")
@click.option("--model", metavar="NAME_OR_PATH",
              help="Model name or local folder/checkpoint (default: bundled tiny.en).")
@click.option("--force", is_flag=True,
              help="Replace caption files a contributor edited (the old one is backed up).")
@handles_errors
def transcribe(project: str, clip_ids: tuple[str, ...], engine: str, model: str | None,
               force: bool) -> None:
    """Transcribe clips with Whisper and write draft caption files (captions/CLIP.srt, .vtt).

    A caption file a contributor has edited is never overwritten: the new draft goes to
    captions/CLIP.whisper.srt beside it, unless --force (which keeps a timestamped backup).

    \b
    Example:
      coprod transcribe projects/our-film
      coprod transcribe projects/our-film amara-interview --engine openai-whisper
    """
    from pipeline.transcribe import transcribe_project

    report = transcribe_project(open_project(project), list(clip_ids) or None, engine=engine,
                                model=model, force=force, on_progress=lambda p: say(str(p)))
    for result in report.results:
        click.echo(f"{result.clip_id}: {result.status}")


@cli.group()
def captions() -> None:
    """Check caption files against the film's caption profile and show reviewers' edits."""


@captions.command("check")
@project_argument
@click.argument("clip_ids", nargs=-1, metavar="[CLIP_ID]...")
@click.option("--profile", type=click.Choice([s.value for s in StyleName]),
              help="Caption profile (default: film.yaml captions.profile).")
@json_option
@handles_errors
def captions_check(project: str, clip_ids: tuple[str, ...], profile: str | None,
                   as_json: bool) -> None:
    """QC caption files: one line per finding, file:cue:rule: message.

    Errors (overlap, out of order, too many lines, line too long, cue beyond the clip's end,
    empty cue) exit 1; warnings (reading rate, short gap, durations, line breaks) exit 0.

    \b
    Example:
      coprod captions check projects/our-film
      coprod captions check projects/our-film amara-interview --profile easy-read --json
    """
    from captions.qc import has_errors
    from pipeline.caption_qc import check_captions

    findings = check_captions(open_project(project), clip_ids, style=profile)
    if as_json:
        click.echo(json.dumps([f.__dict__ for f in findings], indent=2))
    else:
        for finding in findings:
            click.echo(str(finding))
        errors = sum(f.severity == "error" for f in findings)
        say(f"{errors} errors, {len(findings) - errors} warnings")
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


# --- rendering -----------------------------------------------------------------------------

class _Progress:
    """Shows ffmpeg's progress: one updating line on a terminal, a line per step otherwise."""

    def __init__(self) -> None:
        self.step = ""
        self.tty = sys.stderr.isatty()

    def __call__(self, step: str, fraction: float) -> None:
        if self.tty:
            click.echo(f"\r{step}: {fraction:4.0%}   ", err=True, nl=False)
            if fraction >= 1:
                click.echo("", err=True)
        elif step != self.step:
            click.echo(step, err=True)
        self.step = step


def _progress() -> _Progress | None:
    ctx = click.get_current_context(silent=True)
    return None if ctx is not None and ctx.find_root().params.get("quiet") else _Progress()


profile_choice = click.Choice([p.value for p in RenderProfileName])
render_options = [
    click.option("--draft", is_flag=True,
                 help="Internal review copy: skips sign-off (never consent); review profile."),
    click.option("--drop-withdrawn", is_flag=True,
                 help="Leave out clips whose consent was withdrawn instead of refusing."),
    click.option("--open-captions/--no-open-captions", default=None,
                 help="Also make a burned-in captions variant (default: film.yaml, or the "
                      "profile: on for review)."),
]


def _with_render_options(func: F) -> F:
    for option in reversed(render_options):
        func = option(func)
    return func


@cli.command()
@project_argument
@click.option("--profile", type=profile_choice, default=RenderProfileName.WEB.value,
              show_default=True, help="Output profile.")
@_with_render_options
@handles_errors
def render(project: str, profile: str, draft: bool, drop_withdrawn: bool,
           open_captions: bool | None) -> None:
    """Render the film for one profile into build/PROFILE/, after the consent gate.

    Refuses, listing every reason, when any clip lacks valid consent or a current sign-off.
    Makes the film MP4 (soft captions), optionally a burned-in variant, whole-film .srt and
    .vtt, a transcript (.html, .txt) and manifest.json. Unchanged clips are not re-encoded.

    \b
    Example:
      coprod render projects/our-film --profile web
      coprod render projects/our-film --profile review --draft
      coprod render projects/our-film --drop-withdrawn
    """
    from pipeline.render import render_film

    if draft and profile != "review":
        raise click.UsageError("--draft is for internal review copies: use --profile review")
    result = render_film(open_project(project), profile, draft=draft,
                         drop_withdrawn=drop_withdrawn, open_captions=open_captions,
                         progress=_progress())
    for note in result.notes:
        say(note)
    for name, path in result.outputs.items():
        click.echo(f"{name}: {path}")


@cli.command()
@project_argument
@click.option("--profile", "profiles", type=profile_choice, multiple=True,
              help="Output profile (repeatable; default: film.yaml profiles).")
@_with_render_options
@handles_errors
def build(project: str, profiles: tuple[str, ...], draft: bool, drop_withdrawn: bool,
          open_captions: bool | None) -> None:
    """Do whatever is out of date: transcribe, check captions, gate, render.

    With nothing changed it returns at once and touches no output; after a caption edit only
    that clip's segment is rendered again and the film re-joined.

    \b
    Example:
      coprod build projects/our-film
      make film FILM=projects/our-film     # the same, quietly
    """
    from pipeline.build import build_film

    if draft and any(p != "review" for p in (profiles or ["?"])):
        raise click.UsageError("--draft is for internal review copies: use --profile review")
    result = build_film(open_project(project), list(profiles) or None, draft=draft,
                        drop_withdrawn=drop_withdrawn, open_captions=open_captions,
                        progress=_progress())
    for clip_id in result.transcribed:
        say(f"transcribed {clip_id}")
    for findings in result.findings.values():
        for finding in findings:
            say(str(finding))
    for name in result.up_to_date:
        say(f"{name}: up to date")
    for name, rendered in result.rendered.items():
        for note in rendered.notes:
            say(note)
        for output, path in rendered.outputs.items():
            say(f"{name} {output}: {path}")
