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

How each criterion is judged (what coprod can know; a person still judges quality):

- 1.2.1 audio-only and video-only: the film always has picture; a clip without sound is a
  video-only stretch and is met only when it is described.
- 1.2.2 captions: the film carries a caption track, every clip with sound has cues, and caption
  QC finds no errors.
- 1.2.3 description or media alternative: met when 1.2.5 or 1.2.8 is.
- 1.2.5 audio description: film.mp4 carries the described track and every clip has
  descriptions (an empty description script counts: its describer found nothing to describe).
- 1.2.6 sign language: film.signed.mp4 was made and every clip has a signer.
- 1.2.7 extended audio description: coprod never pauses the picture, so this is met only when
  no extension is needed: every clip described, every voiced description ends inside its pause
  (within 100 ms) and none was left out.
- 1.2.8 media alternative: the transcript holds what is said and, for every clip, what is seen.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

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
    """One clip of the rendered film, as the report needs it."""

    id: str
    has_sound: bool
    cues: int  # caption cues in the film
    descriptions: int  # descriptions the film carries
    script: bool  # the clip has a description script (even an empty one)
    scripted: int = 0  # descriptions in its script (some may be outside the film's in/out)

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
        for t in self.loudness:
            out.append(f"loudness, {t['track']}: {_num(t.get('i'))} LUFS integrated (target "
                       f"{_num(t.get('target_i'))}), true peak {_num(t.get('tp'))} dBTP, "
                       f"range {_num(t.get('lra'))} LU")
        return [*out, self.summary()]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``summary``, ``criteria`` (number, name, level, met, why), findings,
        ``loudness`` (one entry a sound track)."""
        return {"profile": self.profile, "summary": self.summary(),
                "criteria": [asdict(c) for c in self.criteria],
                "caption_errors": list(self.caption_errors),
                "reading_rate": list(self.reading_rate),
                "loudness": [dict(t) for t in self.loudness]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AccessReport:
        """The report as :meth:`to_dict` wrote it (KeyError/TypeError when it is not)."""
        return cls(str(data["profile"]), tuple(Criterion(**c) for c in data["criteria"]),
                   tuple(data.get("caption_errors", ())), tuple(data.get("reading_rate", ())),
                   tuple(data.get("loudness", ())))


def _num(value: Any) -> str:
    return f"{value:.1f}" if isinstance(value, int | float) else str(value)


def _names(ids: Sequence[str]) -> str:
    return ", ".join(ids)


def judge(facts: AccessFacts) -> AccessReport:
    """Each criterion met or not, with the reason (see the module's notes)."""
    clips = facts.clips
    silent = [c.id for c in clips if not c.has_sound]
    no_script = [c.id for c in clips if not c.script]
    lost = [c.id for c in clips if c.script and c.lost]
    undescribed = [*no_script, *lost]
    silent_undescribed = [c for c in silent if c in undescribed]
    if not silent:
        c121 = (True, "every clip has sound; the film has no audio-only or video-only part")
    elif not silent_undescribed:
        c121 = (True, f"clips without sound are described: {_names(silent)}")
    else:
        c121 = (False, f"clips without sound and without descriptions: "
                       f"{_names(silent_undescribed)}")

    uncaptioned = [c.id for c in clips if c.has_sound and not c.cues]
    if not facts.caption_track:
        c122 = (False, "film.mp4 has no caption track")
    elif facts.caption_errors:
        c122 = (False, f"caption QC found {len(facts.caption_errors)} error(s), listed below")
    elif uncaptioned:
        c122 = (False, f"clips with sound but no captions: {_names(uncaptioned)}")
    else:
        c122 = (True, "film.mp4 carries captions for every clip with sound; caption QC found "
                      "no errors")

    if no_script:
        c125 = (False, f"no descriptions for clips {_names(no_script)}")
    elif lost and not facts.described_track:
        c125 = (False, f"the {facts.profile} profile makes no described sound track")
    elif lost:
        c125 = (False, f"every description of clips {_names(lost)} falls outside the part "
                       "of the clip the film uses")
    elif facts.described_track:
        c125 = (True, "film.mp4 carries an audio-described track (and film.described.mp4); "
                      "every clip is described")
    else:
        c125 = (True, "every clip's description script is empty: nothing needs describing")

    unsigned = [c.id for c in clips if c.id not in facts.clips_signed]
    if not facts.signed_film:
        c126 = (False, "no film.signed.mp4 (add sign/CLIP.mp4 or sign/film.mp4 and a signer "
                       "in film.yaml)")
    elif unsigned:
        c126 = (False, f"no signer for clips {_names(unsigned)}")
    else:
        c126 = (True, "film.signed.mp4 has a signer for every clip")

    if not c125[0]:
        c127 = (False, "the film is not fully described (see 1.2.5); coprod makes no extended "
                       "description (it never pauses the picture)")
    elif facts.not_fitting or facts.left_out:
        c127 = (False, "descriptions that need more time than their pause (coprod never pauses "
                       f"the picture): {_names([*facts.not_fitting, *facts.left_out])}")
    else:
        c127 = (True, "every description fits its pause in speech, so no extended "
                      "description is needed")

    if undescribed:
        c128 = (False, f"the transcript does not say what is seen in clips "
                       f"{_names(undescribed)}")
    elif facts.transcript_descriptions or not any(c.descriptions for c in clips):
        c128 = (True, "transcript.html and .txt hold what is said and what is seen, in order")
    else:
        c128 = (False, "the transcript does not include the descriptions")

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
        facts.caption_errors, facts.reading_rate, facts.loudness)


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
            reports.
    """
    out_dir = project.build_dir / profile
    manifest = read_manifest(out_dir, project.root)
    try:
        return AccessReport.from_dict(manifest["access"])
    except (KeyError, TypeError) as exc:
        raise AccessError(out_dir / "manifest.json",
                          f"has no access report ({exc}); it was rendered by an earlier coprod: "
                          "render the film again") from None


__all__ = [
    "CRITERIA",
    "AccessError",
    "AccessFacts",
    "AccessReport",
    "ClipFacts",
    "Criterion",
    "judge",
    "project_access",
    "read_manifest",
]
