"""Consent and sign-off: coprod consent record/withdraw/show/verify, signoff, request-changes."""

from __future__ import annotations

import json
from datetime import date

import click

from consent.vocabulary import Capacity, Channel, Method, Scope
from pipeline.cli._common import (
    choice,
    handles_errors,
    json_option,
    open_project,
    project_argument,
)


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2031-03-31") from None


@click.group()
def consent() -> None:
    """Record, withdraw, show and verify contributors' consent (kept in consent/ledger.jsonl)."""


@consent.command("record")
@project_argument
@click.option("--contributor", required=True, metavar="ID", help="Contributor id.")
@click.option("--scope", "scopes", multiple=True, required=True, type=choice(Scope),
              help="What they agree to (repeatable); scopes not given are a no.")
@click.option("--channel", "channels", multiple=True, required=True, type=choice(Channel),
              help="Where the film may be shown (repeatable).")
@click.option("--clip", "clips", multiple=True, metavar="CLIP_ID",
              help="Only these clips (repeatable; default: all of the contributor's clips).")
@click.option("--given", callback=_date, metavar="DATE", help="Day consent was given "
              "(default today).")
@click.option("--expires", callback=_date, metavar="DATE",
              help="Expiry (default: film.yaml consent.default_expiry_years after --given).")
@click.option("--method", required=True, type=choice(Method))
@click.option("--obtained-by", required=True, metavar="NAME", help="Who obtained consent.")
@click.option("--capacity", default=Capacity.OWN.value, show_default=True,
              type=choice(Capacity))
@click.option("--decision-maker", metavar="NAME", help="Required with best-interests.")
@click.option("--representative", metavar="NAME",
              help="Who signed for the contributor (with signed-by-representative).")
@click.option("--note", default="", help="What they were told; adjustments made.")
@handles_errors
def consent_record(project: str, contributor: str, scopes: tuple[str, ...],
                   channels: tuple[str, ...], clips: tuple[str, ...], given: date | None,
                   expires: date | None, method: str, obtained_by: str, capacity: str,
                   decision_maker: str | None, representative: str | None, note: str) -> None:
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

    event = withdraw_consent(open_project(project), contributor, clips=clips, reason=reason)
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
    from consent.report import format_consent
    from pipeline.clearance import events

    rows = summarise(events(open_project(project)), contributor)
    click.echo(json.dumps([r.to_dict() for r in rows], indent=2) if as_json
               else format_consent(rows))


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
    from pipeline.clearance import events, ledger

    proj = open_project(project)
    book = ledger(proj)
    moved = book.verify(repair=True) if repair else None
    if moved is not None:
        click.echo(f"moved the broken last line to {moved}; earlier events kept")
    click.echo(f"{book.path}: {len(events(proj))} events, chain intact")


@click.command()
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


@click.command("request-changes")
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


COMMANDS: list[click.Command] = [consent, signoff, request_changes]
