"""A film project folder: paths, film.yaml, clip ids. No path escapes the folder.

Layout::

    NAME/
      film.yaml      the producer's file (title, contributors, clips, sequence, profiles)
      footage/       ingested originals, never modified
      captions/      CLIP.srt / CLIP.vtt (contributors edit the .srt)
      consent/       ledger.jsonl (append-only, hash-chained)
      build/         everything derived: audio/, proxy/, probe/, transcripts/, segments/, PROFILE/

film.yaml is read and written with ruamel.yaml's round-trip mode so that the comments and key
order a producer wrote survive when coprod records a clip.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import math
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from pipeline.exceptions import ProjectError
from pipeline.languages import known_language

FILM_YAML = "film.yaml"
OUTPUT_PROFILES = ("web", "broadcast", "review")
CAPTION_PROFILES = ("bbc", "netflix", "easy-read")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
HASH_CHUNK = 1 << 20

TEMPLATE = """\
# coprod film project. Edit this file by hand; coprod keeps your comments and key order.
title: {title}
language: {language}          # ISO 639-1 code of the spoken language (captions, subtitle track)

# Everyone who appears or speaks; ids are lower-case letters, digits, - and _.
# `name` is shown (credits, transcript) only with `name` consent. For example:
#   - id: amara
#     name: Amara Okafor
contributors: []

# Every ingested clip; `coprod ingest` adds entries. `file` is relative to this folder.
clips: {{}}

# The film, in order. An entry names a clip and may trim it with in/out
# (seconds, or HH:MM:SS.mmm). For example:
#   - clip: amara-intro
#     in: 1.5
#     out: 00:00:21.000
sequence: []

captions:
  profile: bbc                 # bbc | netflix | easy-read

consent:
  default_expiry_years: 5      # used when `coprod consent record` is given no --expires
  max_expiry_years: 5

profiles: [web]                # output profiles `coprod build` renders: web | broadcast | review
open_captions: false           # true: every profile also gets a burned-in captions variant
"""


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 100
    return y


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temp file in the same folder and os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes 0600 files; a shared project folder needs the usual mode.
        os.chmod(tmp, file_mode(path))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def file_mode(path: Path) -> int:
    """The mode to give a file written at ``path``: its current one, else 0666 less umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def sha256_bytes(data: bytes) -> str:
    """sha256 of bytes already in memory (cache keys, caption files about to be written)."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """sha256 of a file, streamed in 1 MiB chunks (never the whole file in memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def parse_time_ms(value: Any) -> int:
    """Seconds (int/float) or 'HH:MM:SS(.mmm)' / 'MM:SS(.mmm)' to integer milliseconds."""
    if isinstance(value, bool):
        raise ValueError("expected a time, got true/false")
    if isinstance(value, int | float):
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{value!r} is not a time (use seconds like 12.5)")
        return round(float(value) * 1000)
    if isinstance(value, str):
        parts = value.strip().split(":")
        if 1 <= len(parts) <= 3 and all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts):
            seconds = 0.0
            for part in parts:
                seconds = seconds * 60 + float(part)
            return round(seconds * 1000)
    raise ValueError(f"not a time: {value!r} (use seconds like 12.5 or HH:MM:SS.mmm)")


@dataclass(frozen=True)
class Contributor:
    """A person who appears in or speaks on the film."""

    id: str
    name: str


@dataclass(frozen=True)
class Clip:
    """An ingested clip: its footage file (absolute, inside the project) and contributors."""

    id: str
    file: Path
    sha256: str
    contributors: tuple[str, ...]
    no_people: bool = False


@dataclass(frozen=True)
class SequenceItem:
    """One place in the film: a clip, optionally trimmed (ms)."""

    clip_id: str
    in_ms: int | None = None
    out_ms: int | None = None


@dataclass(frozen=True)
class Film:
    """The validated content of film.yaml."""

    title: str
    language: str
    contributors: dict[str, Contributor]
    clips: dict[str, Clip]
    sequence: list[SequenceItem]
    caption_profile: str = "bbc"
    output_profiles: list[str] = field(default_factory=lambda: ["web"])
    default_expiry_years: int = 5
    max_expiry_years: int = 5
    open_captions: bool = False


@dataclass(frozen=True)
class MediaInfo:
    """What ffprobe says about a clip's footage (recorded at ingest)."""

    duration_ms: int
    has_video: bool
    has_audio: bool
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    audio_channels: int | None = None
    sample_rate: int | None = None
    rotation: int = 0
    video_codec: str | None = None
    audio_codec: str | None = None
    audio_streams: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return dict(self.__dict__)


def _line(node: Any, key: Any = None) -> int | None:
    """1-based line of ``node[key]`` (or of ``node``) in film.yaml, when ruamel knows it."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        if key is not None:
            if isinstance(node, CommentedMap):
                return int(lc.key(key)[0]) + 1
            return int(lc.item(key)[0]) + 1
        return int(lc.line) + 1
    except (KeyError, IndexError, TypeError, AttributeError):
        return None


class _Validator:
    """Turns the round-trip document into a Film, or raises ProjectError naming key and line."""

    def __init__(self, root: Path, path: Path, doc: Any) -> None:
        self.root = root
        self.path = path
        self.doc = doc

    def fail(self, reason: str, node: Any = None, key: Any = None) -> ProjectError:
        return ProjectError(self.path, reason, _line(node, key) if node is not None else None)

    def film(self) -> Film:
        doc = self.doc
        if not isinstance(doc, CommentedMap):
            raise self.fail("film.yaml must be a mapping with title, contributors, clips, sequence")
        known = {"title", "language", "contributors", "clips", "sequence", "captions",
                 "consent", "profiles", "open_captions"}
        for key in doc:
            if key not in known:
                raise self.fail(f"unknown key {key!r} (known: {', '.join(sorted(known))})",
                                doc, key)
        title = doc.get("title")
        if not isinstance(title, str) or not title.strip():
            raise self.fail("title: must be a non-empty text", doc, "title")
        language = doc.get("language", "en")
        if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2,3}", language) \
                or not known_language(language):
            raise self.fail(f"language: {language!r} is not an ISO 639 code like 'en' "
                            "(or a three-letter ISO 639-2 code like 'cym')", doc, "language")
        contributors = self.contributors(doc.get("contributors") or CommentedSeq())
        clips = self.clips(doc.get("clips") or CommentedMap(), contributors)
        sequence = self.sequence(doc.get("sequence") or CommentedSeq(), clips)
        caption_profile, default_years, max_years, profiles = self.settings(doc)
        open_captions = doc.get("open_captions", False)
        if not isinstance(open_captions, bool):
            raise self.fail("open_captions: must be true or false", doc, "open_captions")
        return Film(
            title=title.strip(),
            language=language,
            contributors=contributors,
            clips=clips,
            sequence=sequence,
            caption_profile=caption_profile,
            output_profiles=profiles,
            default_expiry_years=default_years,
            max_expiry_years=max_years,
            open_captions=open_captions,
        )

    def contributors(self, node: Any) -> dict[str, Contributor]:
        if not isinstance(node, list):
            raise self.fail("contributors: must be a list of {id, name}", self.doc, "contributors")
        out: dict[str, Contributor] = {}
        for i, item in enumerate(node):
            if not isinstance(item, dict):
                raise self.fail("contributors: each entry needs id and name", node, i)
            cid = item.get("id")
            if not isinstance(cid, str) or not ID_RE.match(cid):
                raise self.fail(
                    f"contributors: id {cid!r} must be lower-case letters, digits, - or _",
                    node, i)
            if cid in out:
                raise self.fail(f"contributors: id {cid!r} is listed twice", node, i)
            name = item.get("name", cid)
            if not isinstance(name, str) or not name.strip():
                raise self.fail(f"contributors: {cid}: name must be a non-empty text", node, i)
            out[cid] = Contributor(cid, name.strip())
        return out

    def inside(self, rel: Any, node: Any, key: Any, what: str) -> Path:
        if not isinstance(rel, str) or not rel.strip():
            raise self.fail(f"{what}: file must be a path relative to the project", node, key)
        candidate = Path(rel)
        if candidate.is_absolute() or ".." in candidate.parts:
            raise self.fail(f"{what}: file {rel!r} is outside the project folder", node, key)
        resolved = (self.root / candidate).resolve()
        if not resolved.is_relative_to(self.root.resolve()):
            raise self.fail(f"{what}: file {rel!r} is outside the project folder", node, key)
        return resolved

    def clips(self, node: Any, contributors: dict[str, Contributor]) -> dict[str, Clip]:
        if not isinstance(node, dict):
            raise self.fail("clips: must be a mapping of clip id to {file, contributors}",
                            self.doc, "clips")
        out: dict[str, Clip] = {}
        for cid, item in node.items():
            where = f"clips: {cid}"
            if not isinstance(cid, str) or not ID_RE.match(cid):
                raise self.fail(f"clips: id {cid!r} must be lower-case letters, digits, - or _",
                                node, cid)
            if not isinstance(item, dict):
                raise self.fail(f"{where}: needs file and contributors", node, cid)
            path = self.inside(item.get("file"), item, "file", where)
            people = item.get("contributors") or []
            if not isinstance(people, list):
                raise self.fail(f"{where}: contributors must be a list of ids", item,
                                "contributors")
            for j, person in enumerate(people):
                if not isinstance(person, str) or person not in contributors:
                    raise self.fail(f"{where}: unknown contributor id {person!r} "
                                    "(add it under contributors:)", people, j)
            sha = item.get("sha256", "")
            if not isinstance(sha, str):
                raise self.fail(f"{where}: sha256 must be text", item, "sha256")
            no_people = item.get("no_people", False)
            if not isinstance(no_people, bool):
                raise self.fail(f"{where}: no_people must be true or false", item, "no_people")
            if no_people and people:
                raise self.fail(f"{where}: no_people is true but contributors are listed",
                                item, "no_people")
            unknown = set(item) - {"file", "sha256", "contributors", "no_people"}
            if unknown:
                raise self.fail(f"{where}: unknown key {sorted(unknown)[0]!r} (known: file, "
                                "sha256, contributors, no_people)", item, sorted(unknown)[0])
            out[cid] = Clip(cid, path, sha, tuple(people), no_people)
        return out

    def sequence(self, node: Any, clips: dict[str, Clip]) -> list[SequenceItem]:
        if not isinstance(node, list):
            raise self.fail("sequence: must be a list of {clip, in, out}", self.doc, "sequence")
        out: list[SequenceItem] = []
        seen: set[str] = set()
        for i, item in enumerate(node):
            if isinstance(item, str):
                item = {"clip": item}
            if not isinstance(item, dict) or "clip" not in item:
                raise self.fail("sequence: each entry needs `clip: ID`", node, i)
            extra = set(item) - {"clip", "in", "out"}
            if extra:
                raise self.fail(f"sequence: unknown key {sorted(extra)[0]!r} (known: clip, in, "
                                "out)", node, i)
            cid = item["clip"]
            if not isinstance(cid, str) or cid not in clips:
                raise self.fail(f"sequence: unknown clip id {cid!r} (ingest it first)", node, i)
            if cid in seen:
                raise self.fail(f"sequence: clip {cid!r} is listed twice", node, i)
            seen.add(cid)
            times: dict[str, int | None] = {"in": None, "out": None}
            for key in ("in", "out"):
                if item.get(key) is not None:
                    try:
                        times[key] = parse_time_ms(item[key])
                    except ValueError as exc:
                        raise self.fail(f"sequence: {cid}: {key}: {exc}", item, key) from None
            if times["in"] is not None and times["out"] is not None and \
                    times["in"] >= times["out"]:
                raise self.fail(f"sequence: {cid}: in ({item['in']}) must be before out "
                                f"({item['out']})", item, "in")
            out.append(SequenceItem(cid, times["in"], times["out"]))
        return out

    def settings(self, doc: Any) -> tuple[str, int, int, list[str]]:
        caps = doc.get("captions") or {}
        if not isinstance(caps, dict):
            raise self.fail("captions: must be a mapping like {profile: bbc}", doc, "captions")
        cprof = caps.get("profile", "bbc")
        if cprof not in CAPTION_PROFILES:
            raise self.fail(f"captions: profile: unknown caption profile {cprof!r} "
                            f"(known: {', '.join(CAPTION_PROFILES)})", caps, "profile")
        cons = doc.get("consent") or {}
        if not isinstance(cons, dict):
            raise self.fail("consent: must be a mapping", doc, "consent")
        years: dict[str, int] = {}
        for key in ("default_expiry_years", "max_expiry_years"):
            value = cons.get(key, 5)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
                raise self.fail(f"consent: {key}: must be a whole number of years (1-100)",
                                cons, key)
            years[key] = value
        if years["default_expiry_years"] > years["max_expiry_years"]:
            raise self.fail("consent: default_expiry_years is above max_expiry_years",
                            cons, "default_expiry_years")
        profiles = doc.get("profiles", ["web"])
        if isinstance(profiles, str):
            profiles = [profiles]
        if not isinstance(profiles, list) or not profiles:
            raise self.fail("profiles: must be a list such as [web]", doc, "profiles")
        for i, prof in enumerate(profiles):
            if prof not in OUTPUT_PROFILES:
                raise self.fail(f"profiles: unknown profile {prof!r} "
                                f"(known: {', '.join(OUTPUT_PROFILES)})", profiles, i)
        return cprof, years["default_expiry_years"], years["max_expiry_years"], list(profiles)


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
        if not re.fullmatch(r"[a-z]{2,3}", language) or not known_language(language):
            raise ProjectError(root, f"language {language!r} is not an ISO 639 code like 'en'")
        # json.dumps makes a valid YAML double-quoted scalar of any one-line title.
        text = TEMPLATE.format(title=json.dumps(title.strip(), ensure_ascii=False),
                               language=language)
        try:
            for sub in ("footage", "captions", "consent", "build"):
                (root / sub).mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(root / FILM_YAML, text.encode("utf-8"))
            (root / "build" / ".gitignore").write_text("*\n", encoding="utf-8")
        except OSError as exc:
            raise ProjectError(root, f"cannot create the project: {exc.strerror or exc}") \
                from None
        return cls.open(root)

    @classmethod
    def open(cls, path: str | Path) -> Project:
        """Open and validate a project folder; raise ProjectError naming file, key and line."""
        root = Path(path)
        yaml_path = root / FILM_YAML
        if not root.is_dir():
            raise ProjectError(root, "no such project folder (create one with `coprod new`)")
        if not yaml_path.is_file():
            raise ProjectError(yaml_path, "missing (create a project with `coprod new`)")
        try:
            text = yaml_path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ProjectError(yaml_path, "is not UTF-8 text; save it as UTF-8") from None
        try:
            doc = _yaml().load(text)
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ProjectError(yaml_path, f"not valid YAML: {problem}", line) from None
        film = _Validator(root.resolve(), yaml_path, doc).film()
        return cls(root, doc, film)

    def reload(self) -> Project:
        """A fresh view of the project after film.yaml changed."""
        return Project.open(self.root)

    def save(self) -> None:
        """Write the round-trip document back (comments kept), validating it first."""
        _Validator(self.root.resolve(), self.film_yaml, self.doc).film()
        buf = io.StringIO()
        _yaml().dump(self.doc, buf)
        atomic_write_bytes(self.film_yaml, buf.getvalue().encode("utf-8"))
        self.film = Project.open(self.root).film

    # --- editing ---------------------------------------------------------------------------

    def add_contributor(self, cid: str, name: str | None = None) -> None:
        """Add a contributor to film.yaml's list (in memory; call save())."""
        if not ID_RE.match(cid):
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
                 contributors: list[str]) -> None:
        """Record an ingested clip and append it to the sequence (in memory; call save())."""
        clips = self.doc.get("clips")
        if not isinstance(clips, dict):
            clips = CommentedMap()
            self.doc["clips"] = clips
        entry = CommentedMap()
        entry["file"] = rel_file
        entry["sha256"] = sha256
        people = CommentedSeq(contributors)
        people.fa.set_flow_style()
        entry["contributors"] = people
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
        path = self.probe_path(clip_id)
        clip = self.clip(clip_id)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("sha256") == self.footage_sha256(clip_id):
                return MediaInfo(**data["media"])
        except (OSError, ValueError, TypeError, KeyError):
            pass
        from pipeline.media import probe

        info = probe(clip.file)
        atomic_write_bytes(path, json.dumps(
            {"sha256": self.footage_sha256(clip_id), "media": info.to_dict()}, indent=2
        ).encode("utf-8"))
        return info

    def footage_sha256(self, clip_id: str) -> str:
        """sha256 of the clip's footage as it is now on disk (cached by size and mtime)."""
        clip = self.clip(clip_id)
        return self.file_sha256(clip.file)

    def file_sha256(self, path: Path) -> str:
        """sha256 of a file in the project, cached in build/cache/hashes.json by size+mtime."""
        try:
            st = path.stat()
        except OSError:
            raise ProjectError(path, "missing (was it moved or deleted?)") from None
        if not path.is_file():
            raise ProjectError(path, "is not a file (a folder?); put the file itself there")
        cache_path = self.build_dir / "cache" / "hashes.json"
        try:
            cache = json.loads(cache_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cache = {}
        key = str(path.resolve())
        # inode and ctime too: `touch -r` or `cp -p` can keep size and mtime, never ctime.
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]
        hit = cache.get(key)
        if isinstance(hit, dict) and hit.get("stamp") == stamp:
            return str(hit["sha256"])
        digest = sha256_file(path)
        cache[key] = {"stamp": stamp, "sha256": digest}
        atomic_write_bytes(cache_path, json.dumps(cache, indent=1).encode("utf-8"))
        return digest

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
