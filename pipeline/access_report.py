"""The access report: a rendered film judged against WCAG 2.2's success criteria for prerecorded
media (1.2.1-1.2.3, 1.2.5-1.2.8), with caption QC errors, reading-rate warnings and the measured
loudness of each sound track.

A render works the report out from what it made (:mod:`pipeline.render.access_facts` gathers
the facts into :class:`AccessFacts`; :func:`judge` decides each criterion) and writes it into
``manifest.json`` under ``access``. ``coprod access`` (:func:`project_access`) reads it back
after checking that every output still has the sha256 the manifest recorded, so the report
always describes the files in ``build/PROFILE/``. The loudness figures are the ones ebur128
measured at render on each encoded sound track, the very stream that was then copied into the
films unchanged, so nothing is decoded again here.

How each criterion is judged (what coprod can measure; a person still judges quality). The
figures are measured on the render's outputs by :mod:`pipeline.render.access_measure`:

- 1.2.1 audio-only and video-only: the film always has picture; a clip without sound is a
  video-only stretch and is met only when it is described.
- 1.2.2 captions: the film carries a caption track, caption QC finds no errors, and in no clip
  is more than :data:`UNCAPTIONED_LIMIT_MS` of the speech the VAD finds outside every caption.
- 1.2.3 description or media alternative: met when 1.2.5 or 1.2.8 is.
- 1.2.5 audio description: film.mp4 carries the described track and every clip has at least one
  description placed in the film and voiced (heard: its voice's loudest sample over -60 dBFS),
  unless film.yaml marks the clip ``no_visual_description_needed`` with the producer's reason. An
  empty description script is not a description.
- 1.2.6 sign language: film.signed.mp4 was made and a signer is in the inset for every clip's
  whole stretch of the film (less than :data:`UNSIGNED_LIMIT_MS` missing a clip).
- 1.2.7 extended audio description: coprod never pauses the picture, so this is met only when
  no extension is needed: 1.2.5 met, every voiced description fits its pause (the manifest's
  ``fits``) and none was left out.
- 1.2.8 media alternative: the transcript holds what is seen (1.2.5's descriptions) and what is
  said: the speech its text covers is measured like the captions' and held to the same limit.

The limits. :data:`UNCAPTIONED_LIMIT_MS` = 1 s a clip, measured after each cue is widened by
250 ms either side (:data:`pipeline.render.access_measure.EDGE_MS`, for word-time error): at
the 160-180 words a minute of conversational speech 1 s is two or three words, so a cough, a
laugh or a breath the VAD takes for speech passes, while a missing sentence (2-4 s) fails.
:data:`UNSIGNED_LIMIT_MS` = 0.5 s: a sign video a few frames shorter than its clip is not a
missing signer; anything longer is a stretch a deaf viewer watches without one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.access_criteria import (
    UNCAPTIONED_LIMIT_MS,
    UNSIGNED_LIMIT_MS,
    judge_captions,
    judge_description,
    judge_signing,
    judge_transcript,
    names,
)
from pipeline.exceptions import PipelineError
from pipeline.fsutil import sha256_file
from pipeline.project import Project

CRITERIA: tuple[tuple[str, str, str], ...] = (
    ("1.2.1", "Audio-only and Video-only (Prerecorded)", "A"),
    ("1.2.2", "Captions (Prerecorded)", "A"),
    ("1.2.3", "Audio Description or Media Alternative (Prerecorded)", "A"),
    ("1.2.5", "Audio Description (Prerecorded)", "AA"),
    ("1.2.6", "Sign Language (Prerecorded)", "AAA"),
    ("1.2.7", "Extended Audio Description (Prerecorded)", "AAA"),
    ("1.2.8", "Media Alternative (Prerecorded)", "AAA"),
)


class AccessError(PipelineError):
    """The access report cannot be given: no render, or its outputs changed since."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@dataclass(frozen=True)
class ClipFacts:
    """One clip of the rendered film, as the report needs it (times in ms)."""

    id: str
    has_sound: bool
    cues: int  # caption cues in the film
    descriptions: int  # descriptions the film carries
    script: bool  # the clip has a description script (even an empty one)
    scripted: int = 0  # descriptions in its script (some may be outside the film's in/out)
    duration_ms: int = 0  # the clip's stretch of the film
    speech_ms: int = 0  # speech the VAD finds in it
    uncaptioned_ms: int = 0  # of which outside every caption
    untranscribed_ms: int = 0  # of which not in the transcript's text
    signed_ms: int = 0  # with a signer in the inset
    voiced: int = 0  # descriptions heard in the described track
    no_description_needed: str = ""  # the producer's reason (film.yaml), "" when not marked

    @property
    def unsigned_ms(self) -> int:
        """How long the clip is in the film without a signer."""
        return max(0, self.duration_ms - self.signed_ms)

    def figures(self) -> dict[str, Any]:
        """JSON-ready figures, seconds to 0.1 s."""
        return {"id": self.id, "seconds": _sec(self.duration_ms),
                "speech_s": _sec(self.speech_ms), "uncaptioned_s": _sec(self.uncaptioned_ms),
                "untranscribed_s": _sec(self.untranscribed_ms),
                "signed_s": _sec(self.signed_ms), "unsigned_s": _sec(self.unsigned_ms),
                "descriptions": self.descriptions, "descriptions_voiced": self.voiced,
                "no_visual_description_needed": self.no_description_needed or None}

    @property
    def lost(self) -> bool:
        """Its script describes it, yet the film carries none of those descriptions."""
        return max(self.scripted, self.descriptions) > 0 and not self.descriptions


@dataclass(frozen=True)
class AccessFacts:
    """What a render made, as far as access goes (all JSON-ready)."""

    profile: str
    clips: tuple[ClipFacts, ...]
    caption_track: bool
    described_track: bool
    transcript_descriptions: bool
    signed_film: bool
    clips_signed: tuple[str, ...] = ()
    not_fitting: tuple[str, ...] = ()  # "clip:cue (voice N ms, pause M ms)"
    left_out: tuple[str, ...] = ()
    caption_errors: tuple[str, ...] = ()
    reading_rate: tuple[str, ...] = ()
    loudness: tuple[Mapping[str, Any], ...] = ()  # {"track", "i", "tp", "lra", "target_i"}


@dataclass(frozen=True)
class Criterion:
    """One success criterion, met or not, and why."""

    number: str
    name: str
    level: str
    met: bool
    why: str

    def line(self) -> str:
        """``1.2.5 Audio Description (Prerecorded) (AA): not met: no descriptions for ...``"""
        return f"{self.number} {self.name} ({self.level}): " \
               f"{'met' if self.met else 'not met'}: {self.why}"


@dataclass(frozen=True)
class AccessReport:
    """The report: every criterion, caption findings, each sound track's loudness."""

    profile: str
    criteria: tuple[Criterion, ...]
    caption_errors: tuple[str, ...] = ()
    reading_rate: tuple[str, ...] = ()
    loudness: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)
    clips: tuple[Mapping[str, Any], ...] = ()  # each clip's measured figures (ClipFacts)

    @property
    def not_met(self) -> list[str]:
        """Numbers of the criteria not met."""
        return [c.number for c in self.criteria if not c.met]

    def summary(self) -> str:
        """One line: how many criteria are met, and which are not."""
        met = len(self.criteria) - len(self.not_met)
        line = (f"access ({self.profile}): {met} of {len(self.criteria)} WCAG 2.2 "
                "prerecorded-media criteria met")
        return line + (f"; not met: {', '.join(self.not_met)}" if self.not_met else "")

    def lines(self) -> list[str]:
        """The whole report as lines of text."""
        out = [c.line() for c in self.criteria]
        out += [f"caption error: {f}" for f in self.caption_errors]
        out += [f"reading rate: {f}" for f in self.reading_rate]
        for c in self.clips:
            reason = c.get("no_visual_description_needed")
            out.append(
                f"clip {c.get('id')}: {_num(c.get('seconds'))} s; speech {_num(c.get('speech_s'))}"
                f" s, uncaptioned {_num(c.get('uncaptioned_s'))} s, not in the transcript "
                f"{_num(c.get('untranscribed_s'))} s; signed {_num(c.get('signed_s'))} s; "
                f"descriptions voiced {c.get('descriptions_voiced')}"
                + (f" (needs none: {reason})" if reason else ""))
        for t in self.loudness:
            out.append(f"loudness, {t['track']}: {_num(t.get('i'))} LUFS integrated (target "
                       f"{_num(t.get('target_i'))}), true peak {_num(t.get('tp'))} dBTP, "
                       f"range {_num(t.get('lra'))} LU"
                       + (f"; WARNING: {t['warning']}" if t.get("warning") else ""))
        return [*out, self.summary()]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``summary``, ``criteria`` (number, name, level, met, why), findings,
        ``loudness`` (one entry a sound track), ``clips`` (each clip's measured figures)."""
        return {"profile": self.profile, "summary": self.summary(),
                "criteria": [asdict(c) for c in self.criteria],
                "caption_errors": list(self.caption_errors),
                "reading_rate": list(self.reading_rate),
                "loudness": [dict(t) for t in self.loudness],
                "clips": [dict(c) for c in self.clips]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AccessReport:
        """The report as :meth:`to_dict` wrote it (KeyError/TypeError when it is not)."""
        return cls(str(data["profile"]), tuple(Criterion(**c) for c in data["criteria"]),
                   tuple(data.get("caption_errors", ())), tuple(data.get("reading_rate", ())),
                   tuple(data.get("loudness", ())), tuple(data.get("clips", ())))


def _num(value: Any) -> str:
    return f"{value:.1f}" if isinstance(value, int | float) else str(value)


def _sec(ms: int) -> float:
    return round(ms / 1000, 1)


def judge(facts: AccessFacts) -> AccessReport:
    """Each criterion met or not, with the reason and its figures (see the module's notes)."""
    clips = facts.clips
    c122 = judge_captions(facts)
    c125 = judge_description(facts)
    described = c125[0]
    silent = [c.id for c in clips if not c.has_sound]
    if not silent:
        c121 = (True, "every clip has sound; the film has no audio-only or video-only part")
    elif described:
        c121 = (True, f"clips without sound are described: {names(silent)}")
    else:
        c121 = (False, f"clips without sound, and the film is not described (see 1.2.5): "
                       f"{names(silent)}")
    c126 = judge_signing(facts)
    unfit = names([*facts.not_fitting, *facts.left_out])
    if not described:
        c127 = (False, "the film is not fully described (see 1.2.5); coprod makes no extended "
                       "description (it never pauses the picture)"
                       + (f"; descriptions that need more time than their pause: {unfit}"
                          if unfit else ""))
    elif unfit:
        c127 = (False, "descriptions that need more time than their pause (coprod never pauses "
                       f"the picture): {unfit}")
    else:
        c127 = (True, "every voiced description fits its pause in speech, so no extended "
                      "description is needed")
    c128 = judge_transcript(facts, c125)
    if c125[0]:
        c123 = (True, "met through audio description (1.2.5)")
    elif c128[0]:
        c123 = (True, "met through the transcript, a full text alternative (1.2.8)")
    else:
        c123 = (False, "neither audio description (1.2.5) nor a full text alternative (1.2.8)")

    decided = {"1.2.1": c121, "1.2.2": c122, "1.2.3": c123, "1.2.5": c125, "1.2.6": c126,
               "1.2.7": c127, "1.2.8": c128}
    return AccessReport(
        facts.profile,
        tuple(Criterion(num, name, level, *decided[num]) for num, name, level in CRITERIA),
        facts.caption_errors, facts.reading_rate, facts.loudness,
        tuple(c.figures() for c in clips))


def read_manifest(out_dir: Path, root: Path) -> dict[str, Any]:
    """A render's manifest, every output it lists checked against its recorded sha256.

    Raises:
        AccessError: there is no render, or an output is missing or changed since.
    """
    path = out_dir / "manifest.json"
    if not path.is_file():
        raise AccessError(path, f"no {out_dir.name} render yet; run `coprod render "
                                f"{root} --profile {out_dir.name}` first")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AccessError(path, f"cannot be read ({exc}); render the film again") from None
    outputs = manifest.get("outputs") if isinstance(manifest, dict) else None
    if not isinstance(outputs, dict):
        raise AccessError(path, "lists no outputs; render the film again")
    if manifest.get("interim"):
        raise AccessError(path, "a render is still publishing; run `coprod access` again "
                                "when it has finished")
    for name, entry in outputs.items():
        file = out_dir / name
        want = entry.get("sha256") if isinstance(entry, dict) else None
        try:
            same = file.is_file() and sha256_file(file) == want
        except OSError:
            same = False
        if not same:
            raise AccessError(file, "is missing or changed since it was rendered; render the "
                                    "film again")
    return manifest


def project_access(project: Project, profile: str = "web") -> AccessReport:
    """The access report of the film rendered in ``build/PROFILE/``.

    Raises:
        AccessError: no render, an output changed since it, or a render from before access
            reports were measured.
    """
    out_dir = project.build_dir / profile
    manifest = read_manifest(out_dir, project.root)
    try:
        report = AccessReport.from_dict(manifest["access"])
    except (KeyError, TypeError) as exc:
        raise AccessError(out_dir / "manifest.json",
                          f"has no access report ({exc}); it was rendered by an earlier coprod: "
                          "render the film again") from None
    if "clips" not in manifest["access"]:
        # An earlier coprod inferred its verdicts from files being there: never repeat them.
        raise AccessError(out_dir / "manifest.json",
                          "has an access report without measured figures; it was rendered by "
                          "an earlier coprod: render the film again")
    return report


__all__ = [
    "CRITERIA",
    "UNCAPTIONED_LIMIT_MS",
    "UNSIGNED_LIMIT_MS",
    "AccessError",
    "AccessFacts",
    "AccessReport",
    "ClipFacts",
    "Criterion",
    "judge",
    "project_access",
    "read_manifest",
]
