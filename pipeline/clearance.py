"""Rights clearance: the film's one way into consent/ (records, sign-offs and the gate).

The rules live in consent/; this module only knows where a project keeps things. It alone turns
the film's clips into :class:`consent.ClipUse` (hashing the footage and the caption file as they
are now) and asks the gate about the film: `render` before it starts and again before it
publishes (:func:`clear_film`, :func:`changed_clips`, :func:`recheck`), `build` for its stamp and
`status` for its consent and sign-off columns all go through here. It also appends what the CLI
records (consent, withdrawals, sign-offs, change requests), checking that each names a
contributor of that clip.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from consent import (
    ChangeRequest,
    ClipUse,
    ConsentGiven,
    Event,
    GateResult,
    Ledger,
    LedgerError,
    SignOff,
    Withdrawal,
    check,
    content_key,
)
from pipeline.exceptions import PipelineError
from pipeline.film import SequenceItem
from pipeline.project import Project


def ledger(project: Project) -> Ledger:
    """The project's consent ledger."""
    return Ledger(project.ledger_path)


def events(project: Project) -> list[Event]:
    """Every ledger event, after verifying the whole chain and the renders that relied on it."""
    found = ledger(project).events()
    _check_renders_still_covered(project, found)
    return found


def _check_renders_still_covered(project: Project, found: Sequence[Event]) -> None:
    """Refuse a ledger that lost events a render relied on.

    The hash chain shows an edited, moved or inserted line anywhere, and a deleted line
    anywhere but at the end: nothing follows the last line to vouch for it. Every render
    records the ledger's last event (``ledger_head``), so lines cut from the end since a render
    are caught here.
    """
    known = {event.hash for event in found}
    for manifest in render_manifests(project):
        consent_part = manifest.get("consent")
        head = consent_part.get("ledger_head") if isinstance(consent_part, dict) else None
        if isinstance(head, str) and head not in known:
            raise LedgerError(
                project.ledger_path, len(found) + 1,
                f"event {head[:12]}... that the render {manifest.get('output', '?')} relied on "
                "is missing: lines were deleted from the end of the ledger",
                code="deleted",
                hint="restore consent/ledger.jsonl from a backup; coprod will not guess what "
                     "was removed")


def caption_sha256(project: Project, clip_id: str) -> str | None:
    """sha256 of the clip's caption file as it is now, or None when it has none."""
    path = project.caption_path(clip_id)
    return project.file_sha256(path) if path.exists() else None


def _item(project: Project, clip_id: str) -> SequenceItem:
    for item in project.film.sequence:
        if item.clip_id == clip_id:
            return item
    return SequenceItem(clip_id)


def clip_key(project: Project, clip_id: str) -> str:
    """The content key a sign-off of this clip binds to: footage, in/out, caption bytes."""
    item = _item(project, clip_id)
    return content_key(project.footage_sha256(clip_id), item.in_ms, item.out_ms,
                       caption_sha256(project, clip_id))


def _clip_use(project: Project, clip_id: str) -> ClipUse:
    """What the gate needs to know about one clip as the film uses it now."""
    clip = project.clip(clip_id)
    info = project.probe(clip_id)
    return ClipUse(clip_id, clip.contributors, info.has_audio, info.has_video,
                   clip_key(project, clip_id), no_people=clip.no_people)


# --- the gate, asked about the film ------------------------------------------------------------


@dataclass(frozen=True)
class FilmClearance:
    """The gate's answer for the film on one channel, and what it was asked.

    Attributes:
        result: the gate's decision (channel, draft, allowed and blocked clips, names).
        uses: the clips as the gate saw them, in film order (dropped clips left out).
        events: the verified ledger events the gate read.
        dropped: withdrawn clips left out of the film (``drop_withdrawn``).
        unreadable: clip id -> why it could not be described (``skip_unreadable`` only); those
            clips were not put to the gate.
    """

    result: GateResult
    uses: tuple[ClipUse, ...]
    events: tuple[Event, ...]
    dropped: tuple[str, ...] = ()
    unreadable: Mapping[str, str] = field(default_factory=dict)


def clear_film(project: Project, channel: str, *, draft: bool = False,
               drop_withdrawn: bool = False, skip_unreadable: bool = False,
               today: date | None = None) -> FilmClearance:
    """Ask the consent gate about every clip in the film's sequence for ``channel``.

    Args:
        project: the film project.
        channel: the render profile's channel.
        draft: an internal draft: sign-off is not required.
        drop_withdrawn: when every blocked clip is blocked by a withdrawal (among other
            reasons), leave those clips out and ask again, so names and events describe the
            film that will be made.
        skip_unreadable: a clip whose footage cannot be read is noted in ``unreadable`` instead
            of stopping the check (`status` goes on past one bad clip).
        today: the day consent expiry is judged on (default today).

    Raises:
        consent.ConsentError: the ledger is damaged, or a draft for a public channel.
        PipelineError: a clip's footage cannot be read (unless ``skip_unreadable``).
    """
    today = today or date.today()
    found = events(project)
    uses: list[ClipUse] = []
    unreadable: dict[str, str] = {}
    for item in project.film.sequence:
        try:
            uses.append(_clip_use(project, item.clip_id))
        except PipelineError as exc:
            if not skip_unreadable:
                raise
            unreadable[item.clip_id] = str(exc)
    result = check(found, uses, channel, draft=draft, today=today)
    dropped: list[str] = []
    if result.blocked and drop_withdrawn:
        withdrawn = set(result.withdrawn)
        if set(result.blocked) <= withdrawn:
            dropped = [u.clip_id for u in uses if u.clip_id in withdrawn]
            uses = [u for u in uses if u.clip_id not in withdrawn]
            result = check(found, uses, channel, draft=draft, today=today)
    return FilmClearance(result, tuple(uses), tuple(found), tuple(dropped), unreadable)


def changed_clips(project: Project, cleared: FilmClearance) -> list[str]:
    """Clips whose footage, in/out points or caption file changed since ``cleared``."""
    return [use.clip_id for use in cleared.uses
            if clip_key(project, use.clip_id) != use.content_key]


def recheck(project: Project, cleared: FilmClearance, *, today: date | None = None) -> GateResult:
    """The gate asked again about the same clips, with the ledger as it is now.

    Used by a render just before it publishes: a withdrawal (or a change to name consent)
    recorded while ffmpeg worked must stop the film. Content changes are
    :func:`changed_clips`'s to find; this keeps each clip's content key from ``cleared``.
    """
    before = cleared.result
    return check(events(project), cleared.uses, before.channel, draft=before.draft,
                 today=today or date.today())


# --- what the CLI records ----------------------------------------------------------------------


def record_consent(project: Project, contributor: str, *, scopes: Sequence[str],
                   channels: Sequence[str], method: str, obtained_by: str,
                   clips: Sequence[str] = (), given: date | None = None,
                   expires: date | None = None, capacity: str = "own",
                   decision_maker: str | None = None, representative: str | None = None,
                   note: str = "") -> Event:
    """Append a consent to the ledger, with the film's expiry policy."""
    _known_contributor(project, contributor)
    _their_clips(project, contributor, clips)
    today = date.today()
    if given is not None and given > today:
        raise PipelineError(f"--given {given.isoformat()} is in the future; consent is recorded "
                            "once it has been given")
    record = ConsentGiven.create(
        contributor, scopes=scopes, channels=channels, given=given or today,
        method=method, obtained_by=obtained_by, expires=expires,
        clips=list(clips) or None, capacity=capacity, decision_maker=decision_maker,
        representative=representative, note=note,
        default_expiry_years=project.film.default_expiry_years,
        max_expiry_years=project.film.max_expiry_years,
    )
    return ledger(project).add(record)


def withdraw_consent(project: Project, contributor: str, *, clips: Sequence[str] = (),
                     reason: str = "", on: date | None = None) -> Event:
    """Append a withdrawal (all of the contributor's clips, or the listed ones)."""
    _known_contributor(project, contributor)
    _their_clips(project, contributor, clips)
    record = Withdrawal(contributor, on or date.today(), tuple(clips) or None, reason)
    return ledger(project).add(record)


def _feedback_by(project: Project, clip_id: str, by: str, on_behalf_of: str | None) -> None:
    clip = project.clip(clip_id)
    person = on_behalf_of or by
    if person not in clip.contributors:
        listed = ", ".join(clip.contributors) or "nobody"
        raise PipelineError(f"{person!r} is not a contributor of clip {clip_id!r} "
                            f"(it lists {listed})")


def sign_off(project: Project, clip_id: str, by: str, *, on_behalf_of: str | None = None,
             note: str = "") -> Event:
    """Record approval of the clip as it is now (its content key)."""
    _feedback_by(project, clip_id, by, on_behalf_of)
    record = SignOff(clip_id, by, clip_key(project, clip_id), on_behalf_of, note)
    return ledger(project).add(record)


def request_changes(project: Project, clip_id: str, by: str, note: str, *,
                    on_behalf_of: str | None = None) -> Event:
    """Record a contributor's feedback asking for changes to the clip as it is now."""
    _feedback_by(project, clip_id, by, on_behalf_of)
    record = ChangeRequest(clip_id, by, clip_key(project, clip_id), on_behalf_of, note)
    return ledger(project).add(record)


def _their_clips(project: Project, contributor: str, clips: Sequence[str]) -> None:
    for cid in clips:
        if contributor not in project.clip(cid).contributors:
            raise PipelineError(f"clip {cid!r} does not list contributor {contributor!r} "
                                f"in {project.film_yaml}")


def _known_contributor(project: Project, contributor: str) -> None:
    if contributor not in project.film.contributors:
        known = ", ".join(project.film.contributors) or "none yet"
        raise PipelineError(f"no contributor {contributor!r} in {project.film_yaml} "
                            f"(contributors: {known})")


def render_manifests(project: Project) -> list[dict[str, Any]]:
    """Every render manifest under build/ (what `status` checks withdrawals against)."""
    found: list[dict[str, Any]] = []
    for path in sorted(project.build_dir.glob("*/manifest.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            data.setdefault("manifest", str(path))
            found.append(data)
    return found


__all__ = [
    "FilmClearance",
    "caption_sha256",
    "changed_clips",
    "clear_film",
    "clip_key",
    "events",
    "ledger",
    "record_consent",
    "recheck",
    "render_manifests",
    "request_changes",
    "sign_off",
    "withdraw_consent",
]
