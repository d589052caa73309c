"""Each contributor's consent as text, the way `coprod consent show` prints it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Through the package: the summary types are moving between its modules (issue 8).
    from consent import ConsentSummary, ContributorConsent


def format_summary_line(item: ConsentSummary) -> str:
    """One consent record still in force: scopes, channels, clips, dates, how, and its flags."""
    c = item.consent
    flags = [f for f, on in (("expired", item.expired), ("withdrawn", item.withdrawn)) if on]
    clips = ", ".join(c.clips) if c.clips else "all their clips"
    return (f"event {item.seq}: scopes {', '.join(c.granted) or 'none'}; "
            f"channels {', '.join(c.channels)}; {clips}; given {c.given}, "
            f"expires {c.expires}; {c.method}, capacity {c.capacity}"
            + (f" [{', '.join(flags)}]" if flags else ""))


def format_consent(rows: Sequence[ContributorConsent]) -> str:
    """``summarise``'s rows as lines: a heading per contributor, then each consent indented."""
    if not rows:
        return "no consent recorded yet"
    lines: list[str] = []
    for row in rows:
        lines.append(f"{row.contributor}: {'WITHDRAWN' if row.withdrawn else 'in force'}")
        lines += [f"  {format_summary_line(item)}" for item in row.consents]
    return "\n".join(lines)


__all__ = ["format_consent", "format_summary_line"]
