"""A contributor's own decisions from the review page, recorded through pipeline.clearance.

The page calls the same functions as ``coprod signoff``, ``coprod request-changes`` and
``coprod consent withdraw``, so a decision is bound to the same content key and checked the
same way; it only adds that the contributor saw the captions at the version they decided on.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from consent import Event, signoff_status
from pipeline import clearance
from pipeline.clearance.sign_videos import SignVideo
from pipeline.describe.script import descriptions_version
from pipeline.exceptions import PipelineError
from pipeline.project import Project
from pipeline.review.editing import version_of

VIA = "review-page"


class ChangedMeanwhile(PipelineError):
    """The captions changed after the contributor last saw them; nothing was recorded."""

    def __init__(self, clip_id: str) -> None:
        self.clip_id = clip_id
        super().__init__(f"clip {clip_id}: the caption file changed since the page was loaded")


def _record(func: Callable[..., Event], *args: Any, **kwargs: Any) -> Event:
    """Call a clearance function that records an event, saying it came through this page.

    Issue #9 adds ``via`` to every such function; until it lands everywhere this passes
    ``via`` only where it is known, so the page works on either side of that change.
    """
    if "via" in inspect.signature(func).parameters:
        kwargs["via"] = VIA
    return func(*args, **kwargs)


def _seen(project: Project, clip_id: str, version: str, described: str | None = None) -> None:
    if version_of(project, clip_id) != version:
        raise ChangedMeanwhile(clip_id)
    if described is not None and descriptions_version(project, clip_id) != described:
        raise ChangedMeanwhile(clip_id)


def say_yes(project: Project, clip_id: str, contributor: str, version: str,
            described: str | None = None) -> Event:
    """Record the contributor's sign-off of the clip exactly as they saw it.

    When they have already signed it off exactly as it is (a second tab, a resent form), that
    sign-off is returned and nothing is recorded.

    Raises:
        ChangedMeanwhile: the caption file is no longer ``version``, or the clip's audio
            descriptions are no longer ``described`` (:func:`descriptions_version`).
        WithdrawnError: their withdrawal from the clip is in effect.
    """
    with project.lock(f"review-{clip_id}"):
        _seen(project, clip_id, version, described)
        now = signoff_status(clearance.events(project), clip_id, contributor,
                             clearance.clip_key(project, clip_id))
        if now.signed and now.event is not None:
            return now.event
        return _record(clearance.sign_off, project, clip_id, contributor)


def signing_key(project: Project, video: SignVideo) -> str:
    """The content key of a sign video as the film uses it now (what a sign-off binds to)."""
    return clearance.signing_use(project, video).content_key


def sign_yes(project: Project, video: SignVideo, signer: str, seen: str) -> Event:
    """Record the signer's sign-off of their video exactly as the page showed it (``seen``, its
    content key); an existing sign-off of it as it is is returned and nothing recorded.

    Raises:
        ChangedMeanwhile: the video (or its place in the film) changed since.
        WithdrawnError: the signer's withdrawal is in effect.
    """
    with project.lock(f"review-sign-{video.target}"):
        key = signing_key(project, video)
        if key != seen:
            raise ChangedMeanwhile(video.use_id)
        now = signoff_status(clearance.events(project), video.use_id, signer, key)
        if now.signed and now.event is not None:
            return now.event
        return _record(clearance.sign_off, project, video.use_id, signer)


def sign_changes(project: Project, video: SignVideo, signer: str, seen: str,
                 words: str) -> Event:
    """Record the signer's request for changes to their video as the page showed it.

    Raises:
        ChangedMeanwhile: the video (or its place in the film) changed since.
        WithdrawnError: the signer's withdrawal is in effect.
    """
    with project.lock(f"review-sign-{video.target}"):
        if signing_key(project, video) != seen:
            raise ChangedMeanwhile(video.use_id)
        return _record(clearance.request_changes, project, video.use_id, signer, words)


def change_note(words: str, captions: Sequence[int]) -> str:
    """The change request's note: the captions it points at, then the contributor's words."""
    words = " ".join(words.split())
    if not captions:
        return words
    which = ", ".join(str(n) for n in sorted(set(captions)))
    return f"{'caption' if len(set(captions)) == 1 else 'captions'} {which}: {words}"


def ask_for_changes(project: Project, clip_id: str, contributor: str, version: str,
                    words: str, captions: Sequence[int] = ()) -> Event:
    """Record the contributor's change request, in their words, for the clip they saw.

    Raises:
        ChangedMeanwhile: the caption file is no longer ``version``.
        consent.RecordError: ``words`` is empty.
    """
    with project.lock(f"review-{clip_id}"):
        _seen(project, clip_id, version)
        return _record(clearance.request_changes, project, clip_id, contributor,
                       change_note(words, captions))


def stop(project: Project, contributor: str, reason: str = "") -> Event:
    """Record the contributor's withdrawal of consent for all their clips."""
    return _record(clearance.withdraw_consent, project, contributor,
                   reason=" ".join(reason.split()))


__all__ = ["VIA", "ChangedMeanwhile", "ask_for_changes", "change_note", "say_yes", "sign_changes",
           "sign_yes", "signing_key", "stop"]
