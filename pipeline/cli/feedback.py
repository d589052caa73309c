"""The advisory group's feedback: coprod feedback (list, resolve, add, approve, cut)."""

from __future__ import annotations

import json
from typing import Any

import click

from pipeline.cli._common import (
    done,
    handles_errors,
    json_option,
    open_project,
    progress,
    project_argument,
)


class _ListsByDefault(click.Group):
    """``coprod feedback PROJECT`` lists; ``coprod feedback VERB PROJECT ...`` does VERB."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        first = next((a for a in args if not a.startswith("-")), None)
        if first is not None and first not in self.commands and "--help" not in args:
            args = ["list", *args]
        return super().parse_args(ctx, args)


def _clock(ms: int | None) -> str:
    if ms is None:
        return "-"
    seconds = ms // 1000
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def _show(row: dict[str, Any]) -> str:
    where = row["clip"] or "(card)"
    when = _clock(row["clip_ms"] if row["clip"] else row["film_ms"])
    old = "" if row["on_current_cut"] else " [on an earlier cut]"
    lines = [f"{row['id']}  {where} {when}  {row['kind']} by {row['by']}{old}: {row['text']}"]
    if row["caption"]:
        lines.append(f"    caption: {row['caption']}")
    lines += [f"    reply by {r['by']}: {r['text']}" for r in row["replies"]]
    return "\n".join(lines)


@click.group(cls=_ListsByDefault)
def feedback() -> None:
    """The advisory group's comments and approval, and contributors' change requests.

    \b
    Example:
      coprod feedback projects/our-film
      coprod feedback resolve projects/our-film 3fa2c1d0 --note "Caption fixed"
      coprod feedback add projects/our-film --by group --at 01:23 "Cut the long pause"
      coprod feedback approve projects/our-film --by group
    """


@feedback.command("list")
@project_argument
@json_option
@handles_errors
def list_feedback(project: str, as_json: bool) -> None:
    """List open comments and change requests by clip and time, in film order.

    \b
    Example:
      coprod feedback projects/our-film --json
    """
    from pipeline.feedback.listing import open_feedback

    rows = open_feedback(open_project(project))
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        click.echo(_show(row))
    if not rows:
        click.echo("no open comments or change requests")


@feedback.command()
@project_argument
@click.argument("ident", metavar="ID")
@click.option("--note", required=True, help="What was done (the adviser reads it).")
@handles_errors
def resolve(project: str, ident: str, note: str) -> None:
    """Close a comment or change request, saying what was done.

    \b
    Example:
      coprod feedback resolve projects/our-film 3fa2c1d0 --note "Caption fixed"
    """
    from consent import os_user
    from pipeline.feedback.listing import resolve as close

    close(open_project(project), ident, note, os_user())
    done(f"resolved: {ident}")


@feedback.command()
@project_argument
@click.argument("text")
@click.option("--by", default="group", show_default=True,
              help="Who decided: 'group' for the meeting, or an adviser's id.")
@click.option("--at", "at", required=True, metavar="MM:SS",
              help="Where in the group's draft the decision is about.")
@handles_errors
def add(project: str, text: str, by: str, at: str) -> None:
    """Record what the group's meeting decided, at a time in the draft.

    \b
    Example:
      coprod feedback add projects/our-film --by group --at 01:23 "Cut the long pause"
    """
    from pipeline.feedback.advisers import GROUP
    from pipeline.feedback.listing import record_comment
    from pipeline.feedback.store import FeedbackError
    from pipeline.film import parse_time_ms

    film = open_project(project)
    if by != GROUP and by not in film.film.advisers:
        raise FeedbackError(film.film_yaml, f"--by {by!r} is not an adviser (or 'group')")
    try:
        film_ms = parse_time_ms(at)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--at") from None
    comment = record_comment(film, by=by, text=text, film_ms=film_ms, meeting=by == GROUP)
    done(f"recorded: {comment.id} at {_clock(film_ms)}"
         + (f" in {comment.clip}" if comment.clip else ""))


@feedback.command()
@project_argument
@click.option("--by", default="group", show_default=True,
              help="Who approves: 'group' (recorded by you) or an adviser's id.")
@handles_errors
def approve(project: str, by: str) -> None:
    """Record the group's approval of its rendered draft, bound to that draft's key.

    \b
    Example:
      coprod feedback approve projects/our-film --by group
    """
    from pipeline.feedback.approval import approve as record

    approval = record(open_project(project), by)
    done(f"approved by {by}: cut {approval.cut[:12]}")


@feedback.command()
@project_argument
@handles_errors
def cut(project: str) -> None:
    """Render the group's draft into build/group/ (withheld clips become cards).

    \b
    Example:
      coprod feedback cut projects/our-film
    """
    from pipeline.feedback.render_cut import render_group_cut

    result = render_group_cut(open_project(project), progress=progress())
    held = [c["withheld"] for c in result.manifest.get("cards", []) if c.get("withheld")]
    done(f"group draft: {result.out_dir}"
         + (f" (not shared with the group: {', '.join(held)})" if held else ""))


COMMANDS: list[click.Command] = [feedback]
