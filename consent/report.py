"""Each contributor's consent as text, the way `coprod consent show` prints it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Through the package: the summary types are moving between its modules (issue 8).
    from consent import ConsentSummary, ContributorConsent
    from consent.views import Action


def _who(recorded_by: str | None, via: str | None) -> str:
    """``; recorded by USER via cli``, or nothing for events from before coprod kept it."""
    return f"; recorded by {recorded_by} via {via}" if recorded_by and via else ""


def format_summary_line(item: ConsentSummary) -> str:
    """One consent record still in force: scopes, channels, clips, dates, how, who recorded it
    through what, and its flags."""
    c = item.consent
    flags = [f for f, on in (("expired", item.expired), ("withdrawn", item.withdrawn)) if on]
    clips = ", ".join(c.clips) if c.clips else "all their clips"
    return (f"event {item.seq}: scopes {', '.join(c.granted) or 'none'}; "
            f"channels {', '.join(c.channels)}; {clips}; given {c.given}, "
            f"expires {c.expires}; {c.method}, capacity {c.capacity}"
            + _who(item.recorded_by, item.via)
            + (f" [{', '.join(flags)}]" if flags else ""))


def format_action_line(action: Action) -> str:
    """One withdrawal, sign-off or change request, and who recorded it through what."""
    clips = "all their clips" if action.clips is None else ", ".join(action.clips)
    what = {"withdrawal": f"withdrew {clips}", "signoff": f"signed off {clips}",
            "change-request": f"asked for changes to {clips}"}.get(action.type, action.type)
    rep = " (by a representative)" if action.by_representative else ""
    who = (f" by {action.recorded_by} via {action.via}"
           if action.recorded_by and action.via else "")
    return f"event {action.seq}: {what}{rep}; recorded {action.recorded_at.date()}{who}"


def format_consent(rows: Sequence[ContributorConsent]) -> str:
    """``summarise``'s rows as lines: a heading per contributor, then each consent indented,
    then their withdrawals, sign-offs and change requests."""
    if not rows:
        return "no consent recorded yet"
    lines: list[str] = []
    for row in rows:
        lines.append(f"{row.contributor}: {'WITHDRAWN' if row.withdrawn else 'in force'}")
        lines += [f"  {format_summary_line(item)}" for item in row.consents]
        lines += [f"  {format_action_line(action)}" for action in row.actions]
    return "\n".join(lines)


__all__ = ["format_action_line", "format_consent", "format_summary_line"]
