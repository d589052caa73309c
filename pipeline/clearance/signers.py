"""Rights clearance for signers (sign language, issue 12): a signer's use of their sign video,
put to the consent gate like a clip, and their sign-off of it.

Part of :mod:`pipeline.clearance` (which re-exports it and routes ``coprod signoff PROJECT
sign/CLIP`` here), kept in its own module so each stays small. A signed use is a
:class:`consent.ClipUse` with the id ``sign/CLIP`` or ``sign/film``, the signer as its only
contributor, picture only (``appear``; the sign video's sound is never used), and a content key
binding the video's sha256 and, for a clip's video, the clip's in/out points: replacing the
video or re-trimming the clip makes the signer's sign-off stale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from consent import ChangeRequest, ClipUse, Event, GateResult, SignOff, check, content_key
from pipeline.clearance.consent_ledger import events, ledger
from pipeline.clearance.sign_videos import SignVideo, sign_videos
from pipeline.exceptions import PipelineError
from pipeline.project import Project


def signing_use(project: Project, video: SignVideo, *, fresh: bool = False) -> ClipUse:
    """A signer's video as the film uses it, for the consent gate."""
    sha = project.file_sha256(video.path, fresh=fresh)
    items = [] if video.whole_film else [
        i for i in project.film.sequence if i.clip_id == video.target]
    first = items[0] if items else None
    # A clip used more than once is signed over each use: the key binds every range.
    key = content_key(sha, first.in_ms if first else None, first.out_ms if first else None,
                      None, uses=[(i.in_ms, i.out_ms) for i in items])
    return ClipUse(video.use_id, (video.signer,), False, True, key, footage_sha256=sha)


@dataclass(frozen=True)
class SigningClearance:
    """The gate's answer about the film's signers, and the uses and events it was asked with."""

    result: GateResult
    uses: tuple[ClipUse, ...]
    events: tuple[Event, ...]


def clear_signing(project: Project, channel: str, videos: Sequence[SignVideo], *,
                  draft: bool = False, today: date | None = None,
                  fresh: bool = False) -> SigningClearance:
    """Ask the consent gate about each signer's use of their video for ``channel``.

    Raises:
        consent.ConsentError: the ledger is damaged, or a draft for a public channel.
        ProjectError: a sign video cannot be read.
    """
    found = events(project)
    uses = [signing_use(project, video, fresh=fresh) for video in videos]
    result = check(found, uses, channel, draft=draft, today=today or date.today())
    return SigningClearance(result, tuple(uses), tuple(found))


def recheck_signing(project: Project, cleared: SigningClearance, *,
                    today: date | None = None) -> GateResult:
    """The gate asked again about the same signed uses with the ledger as it is now (just
    before a render publishes: a signer's withdrawal while ffmpeg worked stops the film)."""
    before = cleared.result
    return check(events(project), cleared.uses, before.channel, draft=before.draft,
                 today=today or date.today())


def sign_off_signing(project: Project, use_id: str, by: str, *, on_behalf_of: str | None = None,
                     note: str = "", via: str = "cli") -> Event:
    """Record a signer's approval of their sign video as the film uses it now (``sign/CLIP`` or
    ``sign/film``).

    Raises:
        PipelineError: the film has no such sign video, or the person is not its signer.
        SigningError: film.yaml and the sign/ folder disagree.
    """
    video = _signers_video(project, use_id, on_behalf_of or by)
    use = signing_use(project, video)
    record = SignOff(use_id, by, use.content_key, on_behalf_of, note, use.footage_sha256)
    return ledger(project).add(record, via=via)


def request_changes_signing(project: Project, use_id: str, by: str, note: str, *,
                            on_behalf_of: str | None = None, via: str = "cli") -> Event:
    """Record a signer's request for changes to their sign video as the film uses it now.

    Raises:
        PipelineError: the film has no such sign video, or the person is not its signer.
        SigningError: film.yaml and the sign/ folder disagree.
    """
    video = _signers_video(project, use_id, on_behalf_of or by)
    use = signing_use(project, video)
    record = ChangeRequest(use_id, by, use.content_key, on_behalf_of, note, use.footage_sha256)
    return ledger(project).add(record, via=via)


def _signers_video(project: Project, use_id: str, person: str) -> SignVideo:
    video = next((v for v in sign_videos(project) if v.use_id == use_id), None)
    if video is None:
        raise PipelineError(f"{use_id!r}: the film has no such sign video (sign/CLIP.mp4 or "
                            f"sign/film.mp4 with `signer:` in {project.film_yaml})")
    if person != video.signer:
        raise PipelineError(f"{person!r} is not the signer of {use_id!r} "
                            f"({project.film_yaml} names {video.signer!r})")
    return video


__all__ = ["SigningClearance", "clear_signing", "recheck_signing", "request_changes_signing",
           "sign_off_signing", "signing_use"]
