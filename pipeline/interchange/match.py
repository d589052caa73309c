"""Which ingested clip an edit's clip uses, tried in a fixed order, and what was tried.

1. the clip id coprod wrote into its own export (OTIO metadata ``coprod.clip``);
2. the media path: the file in footage/ (a relative path is taken from the edit's folder);
3. the original file name: the camera file's name ingest kept (``original_name``) or the
   footage file's name, with or without its extension (an EDL's ``* SOURCE FILE:`` comment
   often drops it);
4. the reel or tape name the camera file carried (``reel``);
5. the content hash: the sha256 of the media file, when it can be read here;
6. duration and timecode: the media's length and start timecode the edit records equal a
   clip's (within a frame), when exactly one clip has them;

and last, the edit's clip name as a clip id, footage stem or file name (how coprod's own EDL,
and many others, name clips). A name two
clips share matches neither. Paths are read as the editor wrote them: ``file://`` URLs
(percent-encoded, ``localhost`` or not), POSIX paths, and Windows paths (``C:\\...``,
``C:/...``, ``file:///C:/...``, ``\\\\server\\share\\...``), whose file name is matched even
though the drive is not here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import unquote, urlparse

import opentimelineio as otio

from pipeline.exceptions import PipelineError
from pipeline.fsutil import sha256_file
from pipeline.interchange.timebase import frame_of_ms, frames_of_timecode, timecode
from pipeline.project import Project

_SOURCE_FILE = "SOURCE FILE:"


@dataclass(frozen=True)
class MediaName:
    """A media reference: the path as the edit means it, the local path when there is one, and
    the file's name."""

    text: str
    local: Path | None
    name: str | None


def media_name(url: str) -> MediaName | None:
    """The file an edit's media URL or path names (None for an empty or remote URL)."""
    text = url.strip()
    if not text:
        return None
    if len(text) > 2 and text[1] == ":" and text[0].isalpha() or text.startswith("\\\\"):
        return _windows(text)
    parsed = urlparse(text)
    if parsed.scheme == "file":
        path = unquote(parsed.path)
        if parsed.netloc not in ("", "localhost"):
            return _windows("\\\\" + parsed.netloc + path.replace("/", "\\"))
        if len(path) > 3 and path[0] == "/" and path[2] == ":" and path[1].isalpha():
            return _windows(path[1:])  # file:///C:/...
        return MediaName(path, Path(path), PurePosixPath(path).name or None)
    if parsed.scheme and len(parsed.scheme) > 1:
        return None  # http:, https:, ...
    path = unquote(text) if "%" in text else text
    return MediaName(path, Path(path), PurePosixPath(path).name or None)


def _windows(path: str) -> MediaName:
    decoded = unquote(path)
    return MediaName(decoded, None, PureWindowsPath(decoded).name or None)


@dataclass
class Match:
    """The clip id found (None when none), and each way tried, in order, for the message."""

    clip_id: str | None
    tried: list[str] = field(default_factory=list)
    media: MediaName | None = None


def _unique(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """key -> clip id, leaving out keys two clips share (a name that does not say which)."""
    found: dict[str, str] = {}
    shared: set[str] = set()
    for key, cid in pairs:
        if key in found and found[key] != cid:
            shared.add(key)
        found[key] = cid
    return {k: v for k, v in found.items() if k not in shared}


def _stem(name: str) -> str:
    return PurePosixPath(name).stem if "." in name else name


class Matcher:
    """Finds the ingested clip an edit's clip uses."""

    def __init__(self, project: Project, edit_dir: Path) -> None:
        self.project = project
        self.edit_dir = edit_dir
        clips = list(project.film.clips.values())
        self.by_path = {c.file.resolve(): c.id for c in clips}
        names: list[tuple[str, str]] = []
        for clip in clips:
            for name in {clip.file.name, clip.original_name or clip.file.name}:
                names += [(name.lower(), clip.id), (_stem(name).lower(), clip.id)]
        self.by_name = _unique(names)
        self.by_reel = _unique((c.reel.lower(), c.id) for c in clips if c.reel)
        self.by_sha = {c.sha256: c.id for c in clips if c.sha256}
        self.by_stem = _unique((c.file.stem.lower(), c.id) for c in clips)

    def match(self, clip: Any, rate: Fraction) -> Match:
        """The clip id ``clip`` uses, with every way tried."""
        own = clip.metadata.get("coprod", {})
        if isinstance(own, Mapping) and own.get("clip") in self.project.film.clips:
            return Match(str(own["clip"]))
        ref = clip.media_reference
        media = media_name(str(getattr(ref, "target_url", "") or ""))
        found = Match(None, media=media)
        local = media.local if media is not None else None
        if local is not None and not local.is_absolute():
            local = self.edit_dir / local
        if local is not None:
            found.tried.append(f"path {local}")
            if (cid := self.by_path.get(local.resolve())) is not None:
                return Match(cid, media=media)
        file_names = [media.name] if media is not None and media.name else []
        file_names += _source_files(clip)
        for name in file_names:
            found.tried.append(f"file name {name!r}")
            cid = self.by_name.get(name.lower()) or self.by_name.get(_stem(name).lower())
            if cid is not None:
                return Match(cid, media=media)
        for reel in _reels(clip):
            found.tried.append(f"reel {reel!r}")
            if (cid := self.by_reel.get(reel.lower())) is not None:
                return Match(cid, media=media)
        if local is not None:
            if local.is_file():
                found.tried.append("content hash")
                try:
                    cid = self.by_sha.get(sha256_file(local))
                except (OSError, PipelineError):
                    cid = None
                if cid is not None:
                    return Match(cid, media=media)
            else:
                found.tried.append("content hash (the file is not on this computer)")
        by_time = self._by_duration_and_timecode(ref, rate, found)
        if by_time is not None:
            return Match(by_time, media=media)
        for name in ([clip.name] if clip.name else []):
            key = name.strip().lower()
            found.tried.append(f"clip name {name!r}")
            if key in self.project.film.clips:
                return Match(key, media=media)
            cid = self.by_stem.get(key) or self.by_name.get(key)
            if cid is not None:
                return Match(cid, media=media)
        return found

    def _by_duration_and_timecode(self, ref: Any, rate: Fraction, found: Match) -> str | None:
        available = getattr(ref, "available_range", None)
        if available is None:
            return None
        start = round(available.start_time.rescaled_to(float(rate)).value)
        length = round(available.duration.rescaled_to(float(rate)).value)
        found.tried.append(f"duration {length} frames + timecode {timecode(start, rate)}")
        hits = []
        for clip in self.project.film.clips.values():
            if not clip.timecode:
                continue
            try:
                same_start = frames_of_timecode(clip.timecode, rate) == start
                frames = frame_of_ms(self.project.probe(clip.id).duration_ms, rate)
            except (ValueError, PipelineError):
                continue
            if same_start and abs(frames - length) <= 1:
                hits.append(clip.id)
        return hits[0] if len(hits) == 1 else None


def _source_files(clip: Any) -> list[str]:
    """The ``* SOURCE FILE:`` names an EDL's comments give (Avid writes them)."""
    meta = clip.metadata.get("cmx_3600")
    comments = meta.get("comments", []) if isinstance(meta, Mapping) else []
    return [c.split(":", 1)[1].strip() for c in comments
            if isinstance(c, str) and c.upper().startswith(_SOURCE_FILE) and
            c.split(":", 1)[1].strip()]


def _reels(clip: Any) -> list[str]:
    """The reel or tape names the adapters record for ``clip``."""
    reels: list[str] = []
    for namespace in ("cmx_3600", "fcp_xml"):
        meta = clip.metadata.get(namespace)
        if not isinstance(meta, Mapping):
            continue
        reel = meta.get("reel")
        if isinstance(reel, Mapping):
            reel = reel.get("name")
        file_meta = meta.get("file")
        if reel is None and isinstance(file_meta, Mapping):
            tc = file_meta.get("timecode")
            found = tc.get("reel") if isinstance(tc, Mapping) else None
            reel = found.get("name") if isinstance(found, Mapping) else None
        if isinstance(reel, str) and reel.strip():
            reels.append(reel.strip())
    ref_meta = getattr(clip.media_reference, "metadata", {})
    fcp = ref_meta.get("fcp_xml") if isinstance(ref_meta, Mapping) else None
    if isinstance(fcp, Mapping):
        tc = fcp.get("timecode")
        found = tc.get("reel") if isinstance(tc, Mapping) else None
        name = found.get("name") if isinstance(found, Mapping) else None
        if isinstance(name, str) and name.strip():
            reels.append(name.strip())
    return reels


def is_footage_reference(ref: Any) -> bool:
    """True for a reference to one media file (not a generator, image sequence or nothing)."""
    return isinstance(ref, otio.schema.ExternalReference | otio.schema.MissingReference)


__all__ = ["Match", "Matcher", "MediaName", "is_footage_reference", "media_name"]
