"""What every command shares: error mapping, opening the project, shared options, progress."""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from pipeline.cli._progress import StepProgress
    from pipeline.project import Project

F = TypeVar("F", bound=Callable[..., Any])


def _expected_errors() -> tuple[type[Exception], ...]:
    from captions.exceptions import CaptionError
    from consent.exceptions import ConsentError
    from pipeline.exceptions import PipelineError

    return (PipelineError, CaptionError, ConsentError)


INTERRUPTED = "interrupted (Ctrl-C): coprod stopped before finishing"


def handles_errors(func: F) -> F:
    """Turn the libraries' expected errors into a clean message and exit 1 (no traceback).

    Any OSError that reaches a command (a full disk, a read-only folder, a folder where a file
    should be, a symlink loop) becomes one line naming the file and what to do. Control
    characters in a message (from a caption or a file name) are shown as escapes, never obeyed.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from captions.controls import escape_controls
        from pipeline.exceptions import ToolInterruptedError
        from pipeline.fsutil import describe_os_error

        try:
            return func(*args, **kwargs)
        except (KeyboardInterrupt, ToolInterruptedError):
            # Ctrl-C reaches the tools too, and one may say so before the main thread does:
            # both are the same interruption. Every stage removed its temp files on the way out.
            raise click.ClickException(INTERRUPTED) from None
        except _expected_errors() as exc:
            raise click.ClickException(escape_controls(str(exc))) from None
        except OSError as exc:
            raise click.ClickException(escape_controls(describe_os_error(exc))) from None

    return wrapper  # type: ignore[return-value]


def open_project(path: str) -> Project:
    """The film project at ``path`` (its film.yaml read and checked)."""
    from pipeline.project import Project

    return Project.open(path)


def choice(words: Iterable[str]) -> click.Choice[str]:
    """A Click choice of a library's vocabulary, offered and returned as the plain words."""
    # StrEnum members are their words; str() keeps Click from matching on member names.
    return click.Choice([str(word) for word in words])


project_argument = click.argument("project", type=click.Path(file_okay=False, path_type=str))
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def listen_options(default_port: int) -> Callable[[F], F]:
    """--host and --port for a command that serves a page on this computer."""
    def decorate(func: F) -> F:
        func = click.option("--port", default=default_port, show_default=True,
                            type=click.IntRange(0, 65535),
                            help="Port to listen on (0: any free port).")(func)
        return click.option("--host", default="127.0.0.1", show_default=True,
                            help="Address to listen on; anything but 127.0.0.1 lets other "
                                 "computers connect.")(func)
    return decorate


def quiet() -> bool:
    """True under ``coprod --quiet`` (-q): print errors only."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and bool(ctx.find_root().params.get("quiet"))


def say(message: str) -> None:
    """Progress for a person at a terminal; silenced by --quiet."""
    if not quiet():
        click.echo(message, err=True)


def report_findings(findings: Sequence[Any], as_json: bool) -> None:
    """Print check findings (caption QC, description checks): JSON, or one ``file:cue: message``
    line each (warnings silenced by --quiet) and a count of errors and warnings."""
    if as_json:
        click.echo(json.dumps([f.__dict__ for f in findings], indent=2))
        return
    for finding in findings:
        if finding.severity == "error" or not quiet():
            click.echo(str(finding))
    errors = sum(f.severity == "error" for f in findings)
    say(f"{errors} errors, {len(findings) - errors} warnings")


def done(message: str) -> None:
    """What a command did ("ingested: ..."), on standard output; silenced by --quiet.

    What a command was asked to show (a status table, JSON, findings) is printed with
    click.echo whatever --quiet says: --quiet silences chatter, not answers.
    """
    if not quiet():
        click.echo(message)


def progress() -> StepProgress | None:
    """A progress display for a render or build on stderr (bars at a terminal, start and end
    lines in a log), or None under --quiet."""
    from pipeline.cli._progress import StepProgress

    return None if quiet() else StepProgress()


@contextlib.contextmanager
def showing_progress() -> Iterator[StepProgress | None]:
    """:func:`progress` for the length of a command; bars left by a failure are taken down."""
    shown = progress()
    try:
        yield shown
    finally:
        if shown is not None:
            shown.close()
