"""Rights clearance: the film's one way to its ledger (records, sign-offs and the gate).

The rules live in consent/; this module only knows where a project keeps things. It alone turns
the film's clips into :class:`consent.ClipUse` (hashing the footage and the caption file as they
are now) and asks the gate about the film: `render` before it starts and again before it
publishes (:func:`clear_film`, :func:`changed_clips`, :func:`recheck`), `build` for its stamp and
`status` for its consent and sign-off columns all go through here. It also appends what the CLI
and the review page record (consent, withdrawals, sign-offs, change requests, exceptions),
checking that each names a contributor of that clip, and binds each to the footage it concerns.

``fresh=True`` hashes footage now and never trusts build/cache/hashes.json (publishing renders);
the default may use the cache (status, drafts, recording events). The ledger, with its witness
kept outside the project folder, is :mod:`pipeline.clearance.consent_ledger`'s (``events``,
``ledger`` and ``render_manifests`` stay importable from here).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from consent import (
    ChangeRequest,
    ClipUse,
    ConsentGiven,
    Event,
    FootageException,
    FootageIndex,
    GateResult,
    SignOff,
    Withdrawal,
    check,
    consent_state,
    content_key,
)
from consent.fields import is_sha256_hex
from consent.naming import name_reasons, refuse_names
from pipeline.clearance.consent_ledger import events, ledger, render_manifests
from pipeline.clearance.footage_exceptions import record_exception
from pipeline.clearance.sign_videos import SIGN_PREFIX
from pipeline.clearance.signers import (
    clear_signing,
    request_changes_signing,
    sign_off_signing,
    signing_use,
)
from pipeline.describe.script import description_hashes
from pipeline.exceptions import PipelineError, WithdrawnError
from pipeline.film import SequenceItem
from pipeline.project import Project


def caption_sha256(project: Project, clip_id: str) -> str | None:
    """sha256 of the clip's caption file as it is now, or None when it has none."""
    path = project.caption_path(clip_id)
    return project.file_sha256(path) if path.exists() else None


def uses_of(project: Project, clip_id: str) -> list[SequenceItem]:
    """Every entry of the sequence that plays ``clip_id``, in film order (a clip may be used
    any number of times)."""
    return [item for item in project.film.sequence if item.clip_id == clip_id]


def _key(project: Project, clip_id: str, footage: str) -> str:
    uses = uses_of(project, clip_id) or [SequenceItem(clip_id)]
    first = uses[0]
    return content_key(footage, first.in_ms, first.out_ms, caption_sha256(project, clip_id),
                       description_hashes(project, clip_id),
                       [(item.in_ms, item.out_ms) for item in uses],
                       sound=project.clip(clip_id).audio)


def clip_key(project: Project, clip_id: str, *, fresh: bool = False) -> str:
    """The content key a sign-off of this clip binds to: footage, in/out, caption bytes, and
    the description script and recordings when it has them."""
    return _key(project, clip_id, project.footage_sha256(clip_id, fresh=fresh))


def clip_use(project: Project, clip_id: str, *, fresh: bool = False) -> ClipUse:
    """What the gate needs to know about one clip as the film uses it now."""
    clip = project.clip(clip_id)
    info = project.probe(clip_id)
    footage = project.footage_sha256(clip_id, fresh=fresh)
    # Who recorded its descriptions is heard over it: voice consent and sign-off, like anyone.
    describers = tuple(p for p in clip.described_by if p not in clip.contributors)
    return ClipUse(clip_id, (*clip.contributors, *describers), info.has_audio, info.has_video,
                   _key(project, clip_id, footage), no_people=clip.no_people,
                   footage_sha256=footage, heard_only=describers)


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
    # Blocked clips held back from the advisory group's cut (``withhold``): shown as a card.
    withheld: tuple[str, ...] = ()


def clear_film(project: Project, channel: str, *, draft: bool = False,
               drop_withdrawn: bool = False, skip_unreadable: bool = False,
               today: date | None = None, fresh: bool = False,
               withhold: bool = False) -> FilmClearance:
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
        fresh: hash every clip's footage now, never from the cache (publishing renders).
        withhold: leave every blocked clip out and ask again (the advisory group's cut, where
            a card takes a withheld clip's place); they are listed in ``withheld``.

    Raises:
        consent.ConsentError: the ledger is damaged, or a draft for a public channel.
        PipelineError: a clip's footage cannot be read (unless ``skip_unreadable``).
    """
    today = today or date.today()
    found = events(project)
    uses: list[ClipUse] = []
    unreadable: dict[str, str] = {}
    # One use per clip, however often the film plays it: its key binds every part played.
    for clip_id in project.film.used_clips:
        try:
            uses.append(clip_use(project, clip_id, fresh=fresh))
        except PipelineError as exc:
            if not skip_unreadable:
                raise
            unreadable[clip_id] = str(exc)
    result = _check_names(project, uses, check(found, uses, channel, draft=draft, today=today))
    dropped: list[str] = []
    if result.blocked and drop_withdrawn:
        withdrawn = set(result.withdrawn)
        if set(result.blocked) <= withdrawn:
            dropped = [u.clip_id for u in uses if u.clip_id in withdrawn]
            uses = [u for u in uses if u.clip_id not in withdrawn]
            result = _check_names(project, uses,
                                  check(found, uses, channel, draft=draft, today=today))
    withheld: list[str] = []
    if result.blocked and withhold:
        withheld = [u.clip_id for u in uses if u.clip_id in result.blocked]
        uses = [u for u in uses if u.clip_id not in result.blocked]
        result = _check_names(project, uses, check(found, uses, channel, draft=draft, today=today))
    return FilmClearance(result, tuple(uses), tuple(found), tuple(dropped), unreadable,
                         tuple(withheld))


TITLE_CARD = "title"


def _check_names(project: Project, uses: Sequence[ClipUse], result: GateResult) -> GateResult:
    """``result`` with every contributor's name used without ``name`` consent refused: in a
    clip's descriptions (spoken, and written in film.descriptions.vtt and the transcript) or on
    the title card (:mod:`consent.naming`). A script that cannot be read is left to the render,
    which refuses it with its own error."""
    from pipeline.describe.script import PLACEHOLDER, load_descriptions

    texts: dict[str, list[tuple[str, str]]] = {TITLE_CARD: [("the title card",
                                                             project.film.title)]}
    for use in uses:
        try:
            found = load_descriptions(project, use.clip_id)
        except PipelineError:
            continue
        texts[use.clip_id] = [(f"description {d.cue}", d.text) for d in found
                              if not d.text.startswith(PLACEHOLDER)]
    names = {cid: c.name for cid, c in project.film.contributors.items()}
    return refuse_names(result, name_reasons(texts, names, result.name_allowed, (TITLE_CARD,)))


def changed_clips(project: Project, cleared: FilmClearance, *, fresh: bool = False) -> list[str]:
    """Clips whose footage, in/out points or caption file changed since ``cleared``."""
    return [use.clip_id for use in cleared.uses
            if clip_key(project, use.clip_id, fresh=fresh) != use.content_key]


def recheck(project: Project, cleared: FilmClearance, *, today: date | None = None) -> GateResult:
    """The gate asked again about the same clips, with the ledger as it is now.

    Used by a render just before it publishes: a withdrawal (or a change to name consent)
    recorded while ffmpeg worked must stop the film. Content changes are
    :func:`changed_clips`'s to find; this keeps each clip's content key from ``cleared``.
    """
    before = cleared.result
    return _check_names(project, cleared.uses, check(
        events(project), cleared.uses, before.channel, draft=before.draft,
        today=today or date.today()))


# --- what the CLI and the review page record ---------------------------------------------------


def _footage_of(project: Project, clip_ids: Iterable[str], *, fresh: bool = False,
                as_ingested: bool = False) -> list[str]:
    """The footage hashes of ``clip_ids`` that can be read now; with ``as_ingested``, also the
    hash film.yaml recorded at ingest. A clip whose footage is gone is left out, not an error:
    recording an event must not depend on it."""
    found: dict[str, None] = {}
    for cid in clip_ids:
        clip = project.film.clips.get(cid)
        if clip is None:
            continue
        if as_ingested and is_sha256_hex(clip.sha256):
            found[clip.sha256] = None
        try:
            found[project.footage_sha256(cid, fresh=fresh)] = None
        except (PipelineError, OSError):
            pass
    return list(found)


def _listing(project: Project, contributor: str) -> list[str]:
    return [c.id for c in project.film.clips.values()
            if contributor in (*c.contributors, *c.described_by)]


def record_consent(project: Project, contributor: str, *, scopes: Sequence[str],
                   channels: Sequence[str], method: str, obtained_by: str,
                   clips: Sequence[str] = (), given: date | None = None,
                   expires: date | None = None, capacity: str = "own",
                   decision_maker: str | None = None, representative: str | None = None,
                   note: str = "", via: str = "cli") -> Event:
    """Append a consent to the ledger, with the film's expiry policy, naming the footage of the
    clips it covers (the listed ones, or every clip film.yaml lists the contributor on)."""
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
        footage=_footage_of(project, clips or _listing(project, contributor)),
        default_expiry_years=project.film.default_expiry_years,
        max_expiry_years=project.film.max_expiry_years,
    )
    return ledger(project).add(record, via=via)


def withdraw_consent(project: Project, contributor: str, *, clips: Sequence[str] = (),
                     reason: str = "", on: date | None = None, via: str = "cli") -> Event:
    """Append a withdrawal: all of the contributor's clips, or the listed ones.

    Works for anyone film.yaml lists or the ledger knows, whatever film.yaml says now, and
    names every piece of footage it concerns: what the ledger ties them to (for the listed
    clips, their sign-offs' and change requests' footage) and the footage of the clips film.yaml
    or the ledger ties them to, hashed now and as recorded at ingest. A damaged ledger does not
    stop it: it is chained after the damage, and the ties are read from every sound line.
    """
    book = ledger(project)
    known = book.salvage()
    if contributor not in project.film.contributors and not any(
            _speaks_for(e, contributor) for e in known):
        _known_contributor(project, contributor)  # raises, listing who film.yaml knows
    by_id = {cid for e in known if _speaks_for(e, contributor) for cid in _clips_named(e)}
    for cid in clips:
        clip = project.film.clips.get(cid)
        if cid not in by_id and (clip is None or contributor not in
                                 (*clip.contributors, *clip.described_by)):
            project.clip(cid)  # an unknown clip is named as such
            raise PipelineError(f"clip {cid!r} does not list contributor {contributor!r} "
                                f"in {project.film_yaml}, and the ledger does not tie them")
    index = FootageIndex(known)
    if clips:
        footage = [*index.tied_to_clips(contributor, clips),
                   *_footage_of(project, clips, fresh=True, as_ingested=True)]
    else:
        ids = [*_listing(project, contributor), *sorted(by_id)]
        footage = [*index.tied(contributor),
                   *_footage_of(project, dict.fromkeys(ids), fresh=True, as_ingested=True)]
    record = Withdrawal(contributor, on or date.today(), tuple(clips) or None, reason,
                        tuple(footage))
    return book.add(record, via=via)


def _speaks_for(event: Event, contributor: str) -> bool:
    record = event.record
    return not isinstance(record, FootageException) and record.contributor == contributor


def _clips_named(event: Event) -> tuple[str, ...]:
    record = event.record
    if isinstance(record, SignOff | ChangeRequest):
        return (record.clip,)
    if isinstance(record, ConsentGiven | Withdrawal):
        return record.clips or ()
    return ()


def _feedback_by(project: Project, clip_id: str, by: str, on_behalf_of: str | None) -> None:
    clip = project.clip(clip_id)
    person = on_behalf_of or by
    if person not in (*clip.contributors, *clip.described_by):
        listed = ", ".join(dict.fromkeys((*clip.contributors, *clip.described_by))) or "nobody"
        raise PipelineError(f"{person!r} is not a contributor of clip {clip_id!r} "
                            f"(it lists {listed})")


def _not_withdrawn(project: Project, clip_id: str, person: str) -> None:
    """A sign-off or change request is never recorded while a withdrawal is in effect (the gate
    would not count it: :func:`consent.signoff.made_while_withdrawn`)."""
    withdrawal = consent_state(events(project), person, clip_id).withdrawal
    if withdrawal is not None:
        assert isinstance(withdrawal.record, Withdrawal)
        raise WithdrawnError(clip_id, person, withdrawal.record.date)


def sign_off(project: Project, clip_id: str, by: str, *, on_behalf_of: str | None = None,
             note: str = "", via: str = "cli") -> Event:
    """Record approval of the clip as it is now (its content key and its footage); for
    ``sign/CLIP`` or ``sign/film``, a signer's approval of their sign video as the film uses it.

    Raises:
        WithdrawnError: the contributor's withdrawal from the clip is in effect.
    """
    _not_withdrawn(project, clip_id, on_behalf_of or by)
    if clip_id.startswith(SIGN_PREFIX):  # a signer's own sign-off: pipeline/clearance/signers.py
        return sign_off_signing(project, clip_id, by, on_behalf_of=on_behalf_of, note=note,
                                via=via)
    _feedback_by(project, clip_id, by, on_behalf_of)
    footage = project.footage_sha256(clip_id)
    record = SignOff(clip_id, by, _key(project, clip_id, footage), on_behalf_of, note, footage)
    return ledger(project).add(record, via=via)


def request_changes(project: Project, clip_id: str, by: str, note: str, *,
                    on_behalf_of: str | None = None, via: str = "cli") -> Event:
    """Record a contributor's feedback asking for changes to the clip as it is now.

    Raises:
        WithdrawnError: the contributor's withdrawal from the clip is in effect.
    """
    _not_withdrawn(project, clip_id, on_behalf_of or by)
    if clip_id.startswith(SIGN_PREFIX):  # a signer's own feedback on their sign video
        return request_changes_signing(project, clip_id, by, note, on_behalf_of=on_behalf_of,
                                       via=via)
    _feedback_by(project, clip_id, by, on_behalf_of)
    footage = project.footage_sha256(clip_id)
    record = ChangeRequest(clip_id, by, _key(project, clip_id, footage), on_behalf_of, note,
                           footage)
    return ledger(project).add(record, via=via)


def _their_clips(project: Project, contributor: str, clips: Sequence[str]) -> None:
    for cid in clips:
        clip = project.clip(cid)
        if contributor not in (*clip.contributors, *clip.described_by):
            raise PipelineError(f"clip {cid!r} does not list contributor {contributor!r} "
                                f"in {project.film_yaml}")


def _known_contributor(project: Project, contributor: str) -> None:
    if contributor not in project.film.contributors:
        known = ", ".join(project.film.contributors) or "none yet"
        raise PipelineError(f"no contributor {contributor!r} in {project.film_yaml} "
                            f"(contributors: {known})")


__all__ = [
    "FilmClearance",
    "caption_sha256",
    "changed_clips",
    "clear_film",
    "clear_signing",  # re-exported: the signers' gate (pipeline/clearance/signers.py)
    "clip_key",
    "events",
    "ledger",
    "record_consent",
    "record_exception",
    "recheck",
    "render_manifests",
    "request_changes",
    "sign_off",
    "signing_use",
    "withdraw_consent",
]
