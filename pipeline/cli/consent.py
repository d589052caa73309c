"""Consent and sign-off: coprod consent record/withdraw/show/verify/receipt/exception, signoff,
request-changes."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

import click

from consent.vocabulary import Capacity, Channel, Method, Scope
from pipeline.cli._common import (
    choice,
    done,
    handles_errors,
    json_option,
    open_project,
    project_argument,
    say,
)

if TYPE_CHECKING:
    from consent import WitnessCheck


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2031-03-31") from None


def _witness_line(checked: WitnessCheck, count: int) -> str:
    """How the ledger stood against its witness, for `consent verify`."""
    from consent import WitnessState

    where = f"witness {checked.file}"
    if checked.state == WitnessState.EMPTY:
        return "witness: nothing to record yet (the ledger has no events)"
    if checked.state == WitnessState.FIRST_USE:
        return f"{where}: first use, recorded the ledger's {count} events now"
    if checked.moved_from is not None:
        return (f"{where}: carried over from {checked.moved_from} (the film was moved or copied), "
                f"{count} events")
    before = checked.witnessed.count if checked.witnessed else 0
    if checked.state == WitnessState.BEHIND:
        return f"{where}: brought forward from {before} to {count} events"
    return f"{where}: agrees ({count} events)"


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
    from consent.views import consent_expires
    from pipeline.clearance import record_consent

    event = record_consent(
        open_project(project), contributor, scopes=scopes, channels=channels, clips=clips,
        given=given, expires=expires, method=method, obtained_by=obtained_by,
        capacity=capacity, decision_maker=decision_maker, representative=representative,
        note=note)
    done(f"consent recorded for {contributor} (event {event.seq}, expires "
         f"{consent_expires(event).isoformat()})")


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
    from consent.exceptions import ConsentError
    from pipeline.clearance import events, withdraw_consent
    from pipeline.exceptions import PipelineError

    proj = open_project(project)
    event = withdraw_consent(proj, contributor, clips=clips, reason=reason)
    done(f"consent withdrawn for {contributor} (event {event.seq}); the next render will refuse "
         "their clips. `coprod status` lists outputs that contain them.")
    try:
        events(proj)
    except (ConsentError, PipelineError) as exc:
        # Recorded all the same (a withdrawal never waits for repairs), but say what is wrong.
        say(f"warning: the withdrawal is recorded, but the ledger needs attention: {exc}")


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
@click.option("--receipt", metavar="TEXT",
              help="Also check a receipt from `coprod consent receipt` (exit 1 if the ledger "
                   "no longer holds its event).")
@handles_errors
def consent_verify(project: str, repair: bool, receipt: str | None) -> None:
    """Check the ledger's hash chain and its witness; name the first line edited, deleted,
    moved or inserted, or the events cut from the end.

    \b
    Example:
      coprod consent verify projects/our-film
      coprod consent verify projects/our-film --repair   # after a crash mid-write
      coprod consent verify projects/our-film --receipt coprod-r1:3f2a9c1b0d4e5f6a:7:9a0e...
    """
    from pipeline.clearance.consent_ledger import verify_ledger, verify_receipt

    proj = open_project(project)
    moved, found, checked = verify_ledger(proj, repair=repair)
    if moved is not None:
        done(f"moved the broken last line to {moved}; earlier events kept")
    click.echo(f"{proj.ledger_path}: {len(found)} events, chain intact")
    if checked is not None:
        click.echo(_witness_line(checked, len(found)))
    if receipt is not None:
        event = verify_receipt(proj, receipt)
        click.echo(f"receipt holds: event {event.seq} ({event.type}) is in the ledger, unchanged")


@consent.command("receipt")
@project_argument
@click.option("--contributor", required=True, metavar="ID", help="Contributor id.")
@handles_errors
def consent_receipt(project: str, contributor: str) -> None:
    """Print a receipt of the contributor's last event, to give them or write on the form.

    The receipt names the ledger, the event's number and the start of its hash; `coprod consent
    verify --receipt` checks that the ledger still holds that event, and so every one before it.

    \b
    Example:
      coprod consent receipt projects/our-film --contributor ben
    """
    from pipeline.clearance.consent_ledger import contributor_receipt

    proj = open_project(project)
    receipt, event = contributor_receipt(proj, contributor)
    click.echo(f"receipt for {contributor}: event {event.seq} ({event.type}, recorded "
               f"{event.at.date().isoformat()}) in the consent ledger of \"{proj.film.title}\"")
    click.echo(receipt.token)
    click.echo(f"check it with: coprod consent verify PROJECT --receipt {receipt.token}")


@consent.command("exception")
@project_argument
@click.option("--footage", metavar="SHA256",
              help="The footage's sha256, or its first 12+ hex digits as the gate shows them.")
@click.option("--clip", metavar="CLIP_ID", help="Or: the clip whose footage (as it is now) "
              "is meant.")
@click.option("--reason", required=True, help="Why it may be used (they are not in it, say).")
@click.option("--by", required=True, metavar="NAME", help="The producer responsible.")
@handles_errors
def consent_exception(project: str, footage: str | None, clip: str | None, reason: str,
                      by: str) -> None:
    """Let footage a withdrawn contributor is tied to be used, with a recorded justification.

    The gate refuses any clip whose footage a withdrawn contributor is tied to, whatever it is
    called or lists. An exception lifts the withdrawals recorded before it for that footage;
    a contributor the clip lists still needs their own consent.

    \b
    Example:
      coprod consent exception projects/our-film --clip market-wide \\
        --reason "Ben is not in this shot; he filmed it" --by "J. Producer"
    """
    from pipeline.clearance import record_exception

    event, lifted = record_exception(open_project(project), footage=footage, clip=clip,
                                     reason=reason, by=by)
    done(f"exception recorded (event {event.seq}): footage {event.data['footage'][:12]} may be "
         f"used although {', '.join(lifted)} withdrew; contributors a clip lists still need "
         "their own consent")


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

    The sign-off is bound to the footage, the in/out points, the caption file's bytes and the
    clip's audio descriptions (descriptions/CLIP.vtt and any recordings of them), which are
    printed: any later change makes it stale and the clip needs signing off again.

    \b
    Example:
      coprod signoff projects/our-film amara-interview --by amara
      coprod signoff projects/our-film ben-kitchen --by "Sam (advocate)" --on-behalf-of ben
    """
    from pipeline.clearance import sign_off
    from pipeline.describe.script import DescriptionError, description_lines, load_descriptions

    film = open_project(project)
    event = sign_off(film, clip_id, by, on_behalf_of=on_behalf_of, note=note)
    who = f"{by} on behalf of {on_behalf_of}" if on_behalf_of else by
    done(f"{clip_id}: signed off by {who} (event {event.seq})")
    if clip_id in film.film.clips:
        try:
            described = description_lines(load_descriptions(film, clip_id))
        except DescriptionError as exc:
            described = [f"(its description script cannot be read: {exc})"]
        if described:
            done("  with its audio descriptions:\n" + "\n".join(f"    {d}" for d in described))


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
    done(f"{clip_id}: change request recorded (event {event.seq})")


COMMANDS: list[click.Command] = [consent, signoff, request_changes]
