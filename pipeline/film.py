"""The film.yaml model: what a film is, validated, with the line of every mistake.

:func:`validate` turns the round-trip document ruamel.yaml reads into a :class:`Film`, or raises
:class:`~pipeline.exceptions.ProjectError` naming the key and its line. Reading and writing the
file is :mod:`pipeline.project`'s job; this module never touches the disk.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from captions.styles import StyleName
from consent import is_film_id
from pipeline.exceptions import ProjectError
from pipeline.feedback.advisers import Adviser, read_advisers, read_approvals
from pipeline.film_guard import MAX_TIME_S, shown
from pipeline.film_template import (
    DEFAULT_CAPTION_STYLE,
    DEFAULT_RENDER_PROFILE,
)
from pipeline.languages import known_language
from pipeline.render_profiles import RenderProfileName
from pipeline.sound import parse_choice

# Matched in full (fullmatch, and \A...\Z besides): "amara\n" is not the id "amara".
ID_RE = re.compile(r"\A[a-z0-9][a-z0-9_-]{0,63}\Z")
LANGUAGE_RE = re.compile(r"[a-z]{2,3}")
KEYS = ("id", "title", "language", "contributors", "clips", "sequence", "captions", "consent",
        "profiles", "open_captions", "signer", "page",  # page: pipeline/site/page_text.py
        "advisers", "approvals")  # the advisory group: pipeline/feedback/advisers.py
CLIP_KEYS = ("file", "sha256", "contributors", "no_people", "described_by",
             "no_visual_description_needed", "original_name", "reel", "timecode",
             "audio")  # audio: pipeline/sound.py
# What ingest keeps of the camera file, so an editor's edit finds this clip by its own names.
SOURCE_KEYS = ("original_name", "reel", "timecode")
SEQUENCE_KEYS = ("clip", "in", "out", "signer")

_Name = TypeVar("_Name", bound=StrEnum)

def is_id(text: object) -> bool:
    """True for a contributor or clip id: lower-case letters, digits, - and _, at most 64."""
    return isinstance(text, str) and ID_RE.fullmatch(text) is not None


def is_language_code(code: str) -> bool:
    """True for a film.yaml language: an ISO 639-1 code, or a three-letter ISO 639-2 code."""
    return bool(LANGUAGE_RE.fullmatch(code)) and known_language(code)


def parse_time_ms(value: Any) -> int:
    """Seconds (int/float) or 'HH:MM:SS(.mmm)' / 'MM:SS(.mmm)' to integer milliseconds."""
    if isinstance(value, bool):
        raise ValueError("expected a time, got true/false")
    seconds = None
    if isinstance(value, int):  # compared as an int: float() of a huge one overflows
        seconds = float(value) if abs(value) <= MAX_TIME_S else math.inf
    elif isinstance(value, float):
        seconds = value
    elif isinstance(value, str):
        parts = value.strip().split(":")
        if 1 <= len(parts) <= 3 and all(re.fullmatch(r"\d{1,9}(\.\d{1,9})?", p) for p in parts):
            seconds = sum(float(part) * 60 ** (len(parts) - 1 - i) for i, part in enumerate(parts))
    if seconds is not None and not 0 <= seconds <= MAX_TIME_S:
        raise ValueError(f"{shown(value)} is not a time of at most {MAX_TIME_S // 3600} hours")
    if seconds is not None:
        return round(seconds * 1000)
    raise ValueError(f"not a time: {shown(value)} (use seconds like 12.5 or HH:MM:SS.mmm)")


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
    # Who recorded its audio descriptions (descriptions/CLIP/CUE.wav): heard, so voice consent.
    described_by: tuple[str, ...] = ()
    # The producer's reason the clip needs no audio description (nothing in it to describe).
    no_visual_description_needed: str | None = None
    original_name: str | None = None  # the camera file's name before ingest renamed it
    reel: str | None = None  # the reel or tape name the camera file carries
    timecode: str | None = None  # the camera's start timecode, HH:MM:SS:FF (';' drop frame)
    audio: str | None = None  # the sound heard: left, right, mix, stereo, track N (sound.py)


@dataclass(frozen=True)
class SequenceItem:
    """One place in the film: a clip, optionally trimmed (ms)."""

    clip_id: str
    in_ms: int | None = None
    out_ms: int | None = None
    signer: str | None = None  # the contributor signing this clip in sign/CLIP.mp4


@dataclass(frozen=True)
class Film:
    """The validated content of film.yaml.

    Attributes:
        caption_style: the caption style (film.yaml ``captions.profile``).
        render_profiles: what ``coprod build`` renders (film.yaml ``profiles``).
    """

    title: str
    language: str
    contributors: dict[str, Contributor]
    clips: dict[str, Clip]
    sequence: list[SequenceItem]
    caption_style: StyleName = DEFAULT_CAPTION_STYLE
    render_profiles: list[RenderProfileName] = field(
        default_factory=lambda: [DEFAULT_RENDER_PROFILE])
    default_expiry_years: int = 5
    max_expiry_years: int = 5
    open_captions: bool = False
    signer: str | None = None  # the contributor signing the whole film in sign/film.mp4
    id: str | None = None  # the film's identity for consent (None: made before films had ids)
    # The advisory group (issue 26): its members, and whether a publishing render needs its
    # approval of the cut.
    advisers: dict[str, Adviser] = field(default_factory=dict)
    advisers_must_approve: bool = False

    @property
    def used_clips(self) -> list[str]:
        """The clips the sequence plays, each once however often it is used, in film order."""
        return list(dict.fromkeys(item.clip_id for item in self.sequence))

    @property
    def clips_in_film_order(self) -> list[str]:
        """Every clip: those the sequence plays in film order, then the others as listed."""
        used = self.used_clips
        return used + [cid for cid in self.clips if cid not in used]


def validate(root: Path, path: Path, doc: Any) -> Film:
    """The Film that ``doc`` (film.yaml at ``path`` in project folder ``root``) describes.

    Raises:
        ProjectError: naming the key and, when ruamel knows it, the line.
    """
    return _Validator(root, path, doc).film()


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
        for key in doc:
            if key not in KEYS:
                raise self.fail(f"unknown key {shown(key)} (known: {', '.join(sorted(KEYS))})",
                                doc, key)
        film_id = doc.get("id")
        if film_id is not None and not is_film_id(film_id):
            raise self.fail("id: is not the 32-digit film id `coprod new` wrote; put back the "
                            "id this film was made with (its consent ledger names it)", doc, "id")
        title = doc.get("title")
        if not isinstance(title, str) or not title.strip():
            raise self.fail("title: must be a non-empty text", doc, "title")
        language = doc.get("language", "en")
        if not isinstance(language, str) or not is_language_code(language):
            raise self.fail(f"language: {shown(language)} is not an ISO 639 code like 'en' "
                            "(or a three-letter ISO 639-2 code like 'cym')", doc, "language")
        contributors = self.contributors(doc.get("contributors") or CommentedSeq())
        clips = self.clips(doc.get("clips") or CommentedMap(), contributors)
        sequence = self.sequence(doc.get("sequence") or CommentedSeq(), clips, contributors)
        style, default_years, max_years, profiles = self.settings(doc)
        open_captions = doc.get("open_captions", False)
        if not isinstance(open_captions, bool):
            raise self.fail("open_captions: must be true or false", doc, "open_captions")
        return Film(
            title=title.strip(),
            language=language,
            contributors=contributors,
            clips=clips,
            sequence=sequence,
            caption_style=style,
            render_profiles=profiles,
            default_expiry_years=default_years,
            max_expiry_years=max_years,
            open_captions=open_captions,
            signer=self.signer(doc, "signer", contributors, "signer"),
            id=film_id,
            advisers=read_advisers(doc.get("advisers"), doc, self.fail),
            advisers_must_approve=read_approvals(doc.get("approvals"), doc, self.fail),
        )

    def signer(self, node: Any, key: str, contributors: dict[str, Contributor],
               where: str) -> str | None:
        """A signer's id (sign language, issue 12): absent, or a contributor film.yaml lists."""
        value = node.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or value not in contributors:
            raise self.fail(f"{where}: unknown contributor id {shown(value)}; a signer is a "
                            "contributor (add them under contributors:)", node, key)
        return value

    def contributors(self, node: Any) -> dict[str, Contributor]:
        if not isinstance(node, list):
            raise self.fail("contributors: must be a list of {id, name}", self.doc, "contributors")
        out: dict[str, Contributor] = {}
        for i, item in enumerate(node):
            if not isinstance(item, dict):
                raise self.fail("contributors: each entry needs id and name", node, i)
            cid = item.get("id")
            if not isinstance(cid, str) or not is_id(cid):
                raise self.fail(
                    f"contributors: id {shown(cid)} must be lower-case letters, digits, - or _",
                    node, i)
            if cid in out:
                raise self.fail(f"contributors: id {shown(cid)} is listed twice", node, i)
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
            raise self.fail(f"{what}: file {shown(rel)} is outside the project folder", node, key)
        resolved = (self.root / candidate).resolve()
        if not resolved.is_relative_to(self.root.resolve()):
            raise self.fail(f"{what}: file {shown(rel)} is outside the project folder", node, key)
        return resolved

    def clips(self, node: Any, contributors: dict[str, Contributor]) -> dict[str, Clip]:
        if not isinstance(node, dict):
            raise self.fail("clips: must be a mapping of clip id to {file, contributors}",
                            self.doc, "clips")
        out: dict[str, Clip] = {}
        for cid, item in node.items():
            where = f"clips: {cid}"
            if not isinstance(cid, str) or not is_id(cid):
                raise self.fail(f"clips: id {shown(cid)} must be lower-case letters, digits, "
                                "- or _", node, cid)
            if not isinstance(item, dict):
                raise self.fail(f"{where}: needs file and contributors", node, cid)
            path = self.inside(item.get("file"), item, "file", where)
            people = item.get("contributors") or []
            if not isinstance(people, list):
                raise self.fail(f"{where}: contributors must be a list of ids", item,
                                "contributors")
            for j, person in enumerate(people):
                if not isinstance(person, str) or person not in contributors:
                    raise self.fail(f"{where}: unknown contributor id {shown(person)} "
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
            unknown = set(item) - set(CLIP_KEYS)
            if unknown:
                raise self.fail(f"{where}: unknown key {shown(sorted(unknown)[0])} (known: "
                                f"{', '.join(CLIP_KEYS)})", item, sorted(unknown)[0])
            describers = item.get("described_by") or []
            if not isinstance(describers, list):
                raise self.fail(f"{where}: described_by must be a list of contributor ids",
                                item, "described_by")
            for j, person in enumerate(describers):
                if not isinstance(person, str) or person not in contributors:
                    raise self.fail(f"{where}: described_by: unknown contributor id "
                                    f"{shown(person)} (add it under contributors:)", describers, j)
            reason = item.get("no_visual_description_needed")
            if reason is not None and (not isinstance(reason, str) or not reason.strip()):
                raise self.fail(f"{where}: no_visual_description_needed: give the reason the "
                                "clip needs no description, as text", item,
                                "no_visual_description_needed")
            source: dict[str, str | None] = {}
            for key in SOURCE_KEYS:
                value = item.get(key)
                if value is not None and (not isinstance(value, str) or not value.strip()):
                    raise self.fail(f"{where}: {key} must be a non-empty text", item, key)
                source[key] = value.strip() if isinstance(value, str) else None
            audio = item.get("audio")
            try:
                audio = None if audio is None else parse_choice(audio)
            except ValueError as exc:
                raise self.fail(f"{where}: audio: {shown(audio)} is not a sound choice; "
                                f"{exc}", item, "audio") from None
            out[cid] = Clip(cid, path, sha, tuple(people), no_people, tuple(describers),
                            reason.strip() if reason else None, **source, audio=audio)
        return out

    def sequence(self, node: Any, clips: dict[str, Clip],
                 contributors: dict[str, Contributor]) -> list[SequenceItem]:
        if not isinstance(node, list):
            raise self.fail("sequence: must be a list of {clip, in, out}", self.doc, "sequence")
        out: list[SequenceItem] = []
        # A clip may be listed any number of times: each entry plays its own in/out.
        for i, item in enumerate(node):
            if isinstance(item, str):
                item = {"clip": item}
            if not isinstance(item, dict) or "clip" not in item:
                raise self.fail("sequence: each entry needs `clip: ID`", node, i)
            extra = set(item) - set(SEQUENCE_KEYS)
            if extra:
                raise self.fail(f"sequence: unknown key {shown(sorted(extra)[0])} (known: "
                                f"{', '.join(SEQUENCE_KEYS)})", node, i)
            cid = item["clip"]
            if not isinstance(cid, str) or cid not in clips:
                raise self.fail(f"sequence: unknown clip id {shown(cid)} (ingest it first)",
                                node, i)
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
            out.append(SequenceItem(cid, times["in"], times["out"],
                                    self.signer(item, "signer", contributors,
                                                f"sequence: {cid}: signer")))
        return out

    def settings(self, doc: Any) -> tuple[StyleName, int, int, list[RenderProfileName]]:
        caps = doc.get("captions") or {}
        if not isinstance(caps, dict):
            raise self.fail("captions: must be a mapping like {profile: bbc}", doc, "captions")
        style = _member(StyleName, caps.get("profile", DEFAULT_CAPTION_STYLE.value))
        if style is None:
            raise self.fail(f"captions: profile: unknown caption profile "
                            f"{shown(caps.get('profile'))} (known: {', '.join(StyleName)})",
                            caps, "profile")
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
        profiles = doc.get("profiles", [DEFAULT_RENDER_PROFILE.value])
        if isinstance(profiles, str):
            profiles = [profiles]
        if not isinstance(profiles, list) or not profiles:
            raise self.fail("profiles: must be a list such as [web]", doc, "profiles")
        names: list[RenderProfileName] = []
        for i, prof in enumerate(profiles):
            name = _member(RenderProfileName, prof)
            if name is None:
                raise self.fail(f"profiles: unknown profile {shown(prof)} "
                                f"(known: {', '.join(RenderProfileName)})", profiles, i)
            names.append(name)
        return style, years["default_expiry_years"], years["max_expiry_years"], names


def _member(kind: type[_Name], value: object) -> _Name | None:
    """``value`` as a member of the StrEnum ``kind``, or None when it is not one of its words."""
    if not isinstance(value, str):
        return None
    try:
        return kind(value)
    except ValueError:
        return None
