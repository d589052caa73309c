"""A film project folder: paths, opening and saving film.yaml, edits, locks. No path escapes it.

Layout::

    NAME/
      film.yaml      the producer's file (title, contributors, clips, sequence, profiles)
      footage/       ingested originals, never modified
      captions/      CLIP.srt / CLIP.vtt (contributors edit the .srt)
      consent/       ledger.jsonl (append-only, hash-chained)
      build/         everything derived: audio/, proxy/, probe/, transcripts/, segments/, PROFILE/

film.yaml is read and written with ruamel.yaml's round-trip mode so that the comments and key
order a producer wrote survive when coprod records a clip. What the file may say is
:mod:`pipeline.film`'s business.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from pipeline.exceptions import ProjectError
from pipeline.film import Clip, Film, is_id, is_language_code, validate
from pipeline.film_guard import check_nesting
from pipeline.film_template import new_film_yaml
from pipeline.fsutil import (
    NotAFileError,
    atomic_write_bytes,
    change_stamp,
    describe_os_error,
    os_error_advice,
    read_regular_bytes,
    require_regular,
    sha256_file,
)
from pipeline.media import MediaInfo, cached_probe

log = logging.getLogger("coprod.project")

FILM_YAML = "film.yaml"
HASH_CACHE = "hashes.json"


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 100
    return y


def _not_a_file(path: Path, exc: NotAFileError) -> ProjectError:
    return ProjectError(path, f"is not a file: it is {exc.kind}; put the file itself there")


class Project:
    """A film project folder on disk."""

    def __init__(self, root: Path, doc: Any, film: Film) -> None:
        self.root = root
        self.doc = doc
        self.film = film

    # --- opening and creating -------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path, title: str, language: str = "en") -> Project:
        """Make a new project folder with a commented film.yaml; refuse an existing film."""
        root = Path(path)
        if (root / FILM_YAML).exists():
            raise ProjectError(root / FILM_YAML, "a film project already exists here")
        if root.exists() and not root.is_dir():
            raise ProjectError(root, "exists and is not a folder")
        if not title.strip() or "\n" in title:
            raise ProjectError(root, "the title must be one non-empty line")
        if not is_language_code(language):
            raise ProjectError(root, f"language {language!r} is not an ISO 639 code like 'en'")
        text = new_film_yaml(title, language)
        try:
            for sub in ("footage", "captions", "consent", "build"):
                (root / sub).mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(root / FILM_YAML, text.encode("utf-8"))
            (root / "build" / ".gitignore").write_text("*\n", encoding="utf-8")
        except OSError as exc:
            raise ProjectError(root, f"cannot create the project: {os_error_advice(exc)}") \
                from None
        return cls.open(root)

    @classmethod
    def open(cls, path: str | Path) -> Project:
        """Open and validate a project folder; raise ProjectError naming file, key and line."""
        root = Path(path)
        yaml_path = root / FILM_YAML
        if not root.is_dir():
            raise ProjectError(root, "no such project folder (create one with `coprod new`)")
        if not yaml_path.exists():
            raise ProjectError(yaml_path, "missing (create a project with `coprod new`)")
        try:
            text = read_regular_bytes(yaml_path).decode("utf-8")
        except UnicodeDecodeError:
            raise ProjectError(yaml_path, "is not UTF-8 text; save it as UTF-8") from None
        except NotAFileError as exc:
            raise ProjectError(yaml_path, f"is {exc.kind}, not a regular file; put film.yaml "
                                          "itself there") from None
        except OSError as exc:
            raise ProjectError(yaml_path, os_error_advice(exc)) from None
        too_deep = check_nesting(text)
        if too_deep is not None:
            raise ProjectError(yaml_path, too_deep)
        try:
            doc = _yaml().load(text)
        except RecursionError:  # a shape check_nesting does not count; it still costs one line
            raise ProjectError(yaml_path, "nested too deeply to read; restore it from a "
                               "backup") from None
        except ValueError as exc:  # ruamel's own conversions (a number of 5,000 digits)
            raise ProjectError(yaml_path, f"not valid YAML: {str(exc)[:100]}") from None
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ProjectError(yaml_path, f"not valid YAML: {problem}", line) from None
        film = validate(root.resolve(), yaml_path, doc)
        return cls(root, doc, film)

    def reload(self) -> Project:
        """A fresh view of the project after film.yaml changed."""
        return Project.open(self.root)

    def save(self) -> None:
        """Write the round-trip document back (comments kept), validating it first."""
        validate(self.root.resolve(), self.film_yaml, self.doc)
        buf = io.StringIO()
        _yaml().dump(self.doc, buf)
        atomic_write_bytes(self.film_yaml, buf.getvalue().encode("utf-8"))
        self.film = Project.open(self.root).film

    # --- editing ---------------------------------------------------------------------------

    def add_contributor(self, cid: str, name: str | None = None) -> None:
        """Add a contributor to film.yaml's list (in memory; call save())."""
        if not is_id(cid):
            raise ProjectError(self.film_yaml,
                               f"contributor id {cid!r} must be lower-case letters, digits, - or _")
        seq = self.doc.get("contributors")
        if not isinstance(seq, list):
            seq = CommentedSeq()
            self.doc["contributors"] = seq
        if any(isinstance(c, dict) and c.get("id") == cid for c in seq):
            return
        entry = CommentedMap()
        entry["id"] = cid
        entry["name"] = name or cid
        seq.append(entry)

    def add_clip(self, clip_id: str, rel_file: str, sha256: str,
                 contributors: list[str], source: Mapping[str, str | None] | None = None) -> None:
        """Record an ingested clip and append it to the sequence (in memory; call save()).

        ``source`` is what the camera file said of itself (``original_name``, ``reel``,
        ``timecode``); keys without a value are left out.

        Raises:
            ProjectError: ``clip_id`` is not a valid id, or a clip of that id is already
                recorded (an entry is never overwritten).
        """
        if not is_id(clip_id):
            raise ProjectError(self.film_yaml,
                               f"clip id {clip_id!r} must be lower-case letters, digits, - or _")
        clips = self.doc.get("clips")
        if not isinstance(clips, dict):
            clips = CommentedMap()
            self.doc["clips"] = clips
        if clip_id in clips:
            raise ProjectError(self.film_yaml, f"clip id {clip_id!r} is already taken; "
                                               "choose another id")
        entry = CommentedMap()
        entry["file"] = rel_file
        entry["sha256"] = sha256
        people = CommentedSeq(contributors)
        people.fa.set_flow_style()
        entry["contributors"] = people
        for key, value in (source or {}).items():
            if value:
                entry[key] = value
        clips[clip_id] = entry
        seq = self.doc.get("sequence")
        if not isinstance(seq, list):
            seq = CommentedSeq()
            self.doc["sequence"] = seq
        if not any((s.get("clip") if isinstance(s, dict) else s) == clip_id for s in seq):
            item = CommentedMap()
            item["clip"] = clip_id
            seq.append(item)

    # --- paths -----------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.root.resolve().name

    @property
    def film_yaml(self) -> Path:
        return self.root / FILM_YAML

    @property
    def footage_dir(self) -> Path:
        return self.root / "footage"

    @property
    def captions_dir(self) -> Path:
        return self.root / "captions"

    @property
    def consent_dir(self) -> Path:
        return self.root / "consent"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def ledger_path(self) -> Path:
        return self.consent_dir / "ledger.jsonl"

    def clip(self, clip_id: str) -> Clip:
        """The clip called ``clip_id``; ProjectError naming the known ids otherwise."""
        try:
            return self.film.clips[clip_id]
        except KeyError:
            known = ", ".join(self.film.clips) or "none yet"
            raise ProjectError(self.film_yaml, f"no clip {clip_id!r} (clips: {known})") from None

    def audio_path(self, clip_id: str) -> Path:
        """16 kHz mono WAV for speech recognition."""
        return self.build_dir / "audio" / f"{clip_id}.wav"

    def proxy_path(self, clip_id: str) -> Path:
        """Small H.264 review proxy."""
        return self.build_dir / "proxy" / f"{clip_id}.mp4"

    def probe_path(self, clip_id: str) -> Path:
        return self.build_dir / "probe" / f"{clip_id}.json"

    def caption_path(self, clip_id: str, ext: str = "srt") -> Path:
        """The caption file contributors review (captions/CLIP.srt) or its .vtt twin."""
        return self.captions_dir / f"{clip_id}.{ext}"

    def transcript_path(self, clip_id: str) -> Path:
        return self.build_dir / "transcripts" / f"{clip_id}.json"

    # --- derived facts -----------------------------------------------------------------------

    def probe(self, clip_id: str) -> MediaInfo:
        """The MediaInfo recorded at ingest (probing again if the record is missing)."""
        clip = self.clip(clip_id)
        return cached_probe(clip.file, self.probe_path(clip_id),
                            lambda: self.footage_sha256(clip_id))

    def footage_sha256(self, clip_id: str, *, fresh: bool = False) -> str:
        """sha256 of the clip's footage as it is now on disk.

        Args:
            clip_id: the clip.
            fresh: hash the file now (streamed) and never read or trust the hash cache, which
                anyone who can write build/ can rewrite. Publishing renders ask for this; the
                cache only speeds up ``status`` and drafts.

        Raises:
            ProjectError: the clip is unknown, or its footage is missing or not a regular file.
        """
        clip = self.clip(clip_id)
        return self.file_sha256(clip.file, fresh=fresh)

    def file_sha256(self, path: Path, *, fresh: bool = False) -> str:
        """sha256 of a file in the project, cached in build/cache/hashes.json by change stamp.

        With ``fresh`` the file is hashed now and the cache is not read (it is still updated).
        Updating the cache is best-effort: a read-only project or a full disk only costs a
        hash next time.

        Raises:
            ProjectError: the file is missing or not a regular file.
        """
        stamp = change_stamp(path)
        if stamp is None:
            raise ProjectError(path, "missing (was it moved or deleted?)")
        try:
            require_regular(path)
        except NotAFileError as exc:
            raise _not_a_file(path, exc) from None
        cache = {} if fresh else self._hash_cache()
        key = str(path.resolve())
        hit = cache.get(key)
        if isinstance(hit, dict) and hit.get("stamp") == list(stamp) \
                and isinstance(hit.get("sha256"), str):
            return str(hit["sha256"])
        try:
            digest = sha256_file(path)
        except NotAFileError as exc:  # swapped for something else since the look above
            raise _not_a_file(path, exc) from None
        if fresh:
            cache = self._hash_cache()
        cache[key] = {"stamp": list(stamp), "sha256": digest}
        try:
            atomic_write_bytes(self._hash_cache_path, json.dumps(cache, indent=1).encode("utf-8"))
        except OSError as exc:
            log.debug("hash cache not updated: %s", describe_os_error(exc))
        return digest

    @property
    def _hash_cache_path(self) -> Path:
        return self.build_dir / "cache" / HASH_CACHE

    def _hash_cache(self) -> dict[str, object]:
        """The hash cache; empty when it is missing, unreadable or not coprod's."""
        try:
            data = json.loads(read_regular_bytes(self._hash_cache_path))
        except (OSError, ValueError, NotAFileError):
            return {}
        return data if isinstance(data, dict) else {}

    @contextlib.contextmanager
    def lock(self, name: str, *, wait: bool = True) -> Iterator[None]:
        """Exclusive lock on build/.NAME.lock so two coprod processes don't collide."""
        path = self.build_dir / f".{name}.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+") as fh:
            flags = fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB
            try:
                fcntl.flock(fh.fileno(), flags)
            except BlockingIOError:
                raise ProjectError(self.root, f"another coprod {name} is running on this "
                                   "project; wait for it to finish") from None
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
