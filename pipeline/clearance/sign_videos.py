"""The film's sign language videos: which signer's video covers which part of the film.

A signer's video is ``sign/CLIP.mp4`` (one clip, its times relative to the clip like captions, so
trims keep it right) or ``sign/film.mp4`` (the whole film's timeline, title card included).
film.yaml names who signs: ``signer: ID`` on the clip's sequence entry, or at the top level for
``sign/film.mp4``. A signer is a contributor, and their use of their video is put to the consent
gate like a clip (:func:`pipeline.clearance.clear_signing`) under the id ``sign/CLIP`` or
``sign/film``. A film with no ``signer:`` and no ``sign/`` folder has no sign videos, and renders
exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.exceptions import PipelineError
from pipeline.fsutil import NotAFileError, require_regular
from pipeline.project import Project

SIGN_DIR = "sign"
FILM_TARGET = "film"
SIGN_PREFIX = "sign/"
"""The gate and the ledger know a signer's use of their video as ``sign/CLIP`` or ``sign/film``."""


class SigningError(PipelineError):
    """A sign video and film.yaml disagree, or a sign video is not a file coprod can use."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@dataclass(frozen=True)
class SignVideo:
    """One signer's video and what it covers.

    Attributes:
        target: the clip id it signs, or ``film`` for the whole film.
        signer: the contributor id film.yaml names as its signer.
        path: the video file (inside the project's ``sign/`` folder).
    """

    target: str
    signer: str
    path: Path

    @property
    def use_id(self) -> str:
        """The id the consent gate and sign-offs use for this signed use."""
        return f"{SIGN_PREFIX}{self.target}"

    @property
    def whole_film(self) -> bool:
        """True for ``sign/film.mp4``, which follows the film's timeline."""
        return self.target == FILM_TARGET


def sign_path(project: Project, target: str) -> Path:
    """Where the sign video for ``target`` (a clip id or ``film``) lives."""
    return project.root / SIGN_DIR / f"{target}.mp4"


def _usable(project: Project, path: Path) -> Path:
    """``path`` if it is a regular file inside the project folder; SigningError otherwise."""
    if not path.resolve().is_relative_to(project.root.resolve()):
        raise SigningError(path, "points outside the project folder; copy the signer's video "
                           f"into {project.root / SIGN_DIR}")
    try:
        require_regular(path)
    except NotAFileError as exc:
        raise SigningError(path, f"is {exc.kind}, not a video file; put the signer's video "
                           "file itself there") from None
    except OSError as exc:
        raise SigningError(path, f"cannot be read ({exc.strerror}); check the file") from None
    return path


def sign_videos(project: Project) -> list[SignVideo]:
    """The sign videos the film's sequence uses: ``sign/film.mp4`` first, then clips in order.

    Raises:
        SigningError: film.yaml names a signer whose video is missing, a sign video for a clip
            in the sequence (or the film) has no signer named, or a sign video is not a regular
            file inside the project.
    """
    film = project.film
    found: list[SignVideo] = []
    targets = [(FILM_TARGET, film.signer, "the top level of film.yaml")]
    signers: dict[str, str | None] = {}
    for item in film.sequence:  # a clip used again is signed by whoever an entry names
        signers[item.clip_id] = signers.get(item.clip_id) or item.signer
    targets += [(clip_id, signer, f"clip {clip_id}'s sequence entry")
                for clip_id, signer in signers.items()]
    for target, signer, where in targets:
        path = sign_path(project, target)
        exists = path.exists() or path.is_symlink()
        if signer is None:
            if exists:
                raise SigningError(path, f"no signer is named for it; add `signer: ID` to "
                                   f"{where} in {project.film_yaml}, or remove the video")
            continue
        if not exists:
            raise SigningError(project.film_yaml, f"{where} names signer {signer!r} but "
                               f"{path} is missing; add the signer's video or remove `signer:`")
        found.append(SignVideo(target, signer, _usable(project, path)))
    return found


__all__ = [
    "FILM_TARGET",
    "SIGN_DIR",
    "SIGN_PREFIX",
    "SignVideo",
    "SigningError",
    "sign_path",
    "sign_videos",
]
