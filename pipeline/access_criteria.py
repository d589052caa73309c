"""How each access criterion that needs figures is judged: captions (1.2.2), audio description
(1.2.5), sign language (1.2.6) and the transcript (1.2.8), with the limits they are held to.

:mod:`pipeline.access_report` explains the criteria and the limits;
:func:`pipeline.access_report.judge` calls these with the measured facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.access_report import AccessFacts, ClipFacts

UNCAPTIONED_LIMIT_MS = 1000
"""Speech a clip may have outside every caption (or the transcript) and still be met."""
UNSIGNED_LIMIT_MS = 500
"""Time a clip may be in the film without a signer and still be met."""


def _s(ms: int) -> str:
    return f"{ms / 1000:.1f} s"


def names(ids: Sequence[str]) -> str:
    return ", ".join(ids)


def _pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "0 %"


def _missing(clips: Sequence[ClipFacts], attr: str, what: str) -> str:
    """``clip: 6.2 s of 8.3 s of speech (75 %) WHAT`` for each clip, joined."""
    return "; ".join(f"{c.id}: {_s(getattr(c, attr))} of {_s(c.speech_ms)} of speech "
                     f"({_pct(getattr(c, attr), c.speech_ms)}) {what}" for c in clips)


def _speech_total(clips: Sequence[ClipFacts], attr: str) -> str:
    return (f"{_s(sum(getattr(c, attr) for c in clips))} of the "
            f"{_s(sum(c.speech_ms for c in clips))} of speech the VAD finds")


def judge_captions(facts: AccessFacts) -> tuple[bool, str]:
    clips = facts.clips
    uncaptioned = [c.id for c in clips if c.has_sound and not c.cues and c.speech_ms]
    over = [c for c in clips if c.uncaptioned_ms > UNCAPTIONED_LIMIT_MS]
    if not facts.caption_track and any(c.speech_ms for c in clips):
        return False, f"film.mp4 has no caption track, yet the VAD finds " \
                      f"{_s(sum(c.speech_ms for c in clips))} of speech"
    if not facts.caption_track:
        return False, "film.mp4 has no caption track"
    if facts.caption_errors:
        return False, f"caption QC found {len(facts.caption_errors)} error(s), listed below"
    if over:
        return False, (f"speech without captions, over the {_s(UNCAPTIONED_LIMIT_MS)} a clip "
                       f"allowed: {_missing(over, 'uncaptioned_ms', 'uncaptioned')}")
    if uncaptioned:
        return False, f"clips with speech but no captions: {names(uncaptioned)}"
    return True, (f"film.mp4 carries captions; {_speech_total(clips, 'uncaptioned_ms')} is "
                  f"outside every caption (at most {_s(UNCAPTIONED_LIMIT_MS)} a clip); caption "
                  "QC found no errors")


def judge_description(facts: AccessFacts) -> tuple[bool, str]:
    needing = [c for c in facts.clips if not c.no_description_needed]
    marked = [c for c in facts.clips if c.no_description_needed]
    excused = "; ".join(f"{c.id} needs none ({c.no_description_needed})" for c in marked)
    no_script = [c.id for c in needing if not c.script]
    empty = [c.id for c in needing if c.script and not c.scripted and not c.descriptions]
    lost = [c.id for c in needing if c.script and c.lost]
    silent = [c.id for c in needing if c.descriptions and not c.voiced]
    if no_script:
        return False, f"no descriptions for clips {names(no_script)}"
    if empty:
        return False, (f"the description script of clips {names(empty)} is empty (mark a clip "
                       "`no_visual_description_needed: REASON` in film.yaml if nothing in it "
                       "needs describing)")
    if needing and not facts.described_track:
        return False, f"the {facts.profile} profile makes no described sound track"
    if lost:
        return False, f"every description of clips {names(lost)} falls outside the part of " \
                      "the clip the film uses"
    if silent:
        return False, f"no description of clips {names(silent)} is heard in the described track"
    if not needing:
        return True, f"no clip needs describing: {excused}"
    voiced = sum(c.voiced for c in needing)
    return True, (f"film.mp4 carries an audio-described track (and film.described.mp4); "
                  f"{voiced} description(s) voiced across all {len(needing)} clip(s) that need "
                  "them" + (f"; {excused}" if excused else ""))


def judge_signing(facts: AccessFacts) -> tuple[bool, str]:
    if not facts.signed_film:
        return False, "no film.signed.mp4 (add sign/CLIP.mp4 or sign/film.mp4 and a signer in " \
                      "film.yaml)"
    short = [c for c in facts.clips if c.unsigned_ms > UNSIGNED_LIMIT_MS]
    if short:
        return False, "a signer is missing for part of the film: " + "; ".join(
            f"{c.id}: signer for {_s(c.signed_ms)} of {_s(c.duration_ms)} "
            f"({_s(c.unsigned_ms)} without)" for c in short)
    signed = sum(c.signed_ms for c in facts.clips)
    return True, (f"film.signed.mp4 has a signer for {_s(signed)} of the "
                  f"{_s(sum(c.duration_ms for c in facts.clips))} of clips (at most "
                  f"{_s(UNSIGNED_LIMIT_MS)} a clip without)")


def judge_transcript(facts: AccessFacts, described: tuple[bool, str]) -> tuple[bool, str]:
    over = [c for c in facts.clips if c.untranscribed_ms > UNCAPTIONED_LIMIT_MS]
    if over:
        return False, ("the transcript leaves out speech, over the "
                       f"{_s(UNCAPTIONED_LIMIT_MS)} a clip allowed: "
                       f"{_missing(over, 'untranscribed_ms', 'not in it')}")
    if not described[0]:
        return False, f"the transcript does not say what is seen (see 1.2.5: {described[1]})"
    if any(c.descriptions for c in facts.clips) and not facts.transcript_descriptions:
        return False, "the transcript does not include the descriptions"
    return True, (f"transcript.html and .txt hold what is seen and what is said, in order; "
                  f"{_speech_total(facts.clips, 'untranscribed_ms')} is not in its text")


__all__ = [
    "UNCAPTIONED_LIMIT_MS",
    "UNSIGNED_LIMIT_MS",
    "judge_captions",
    "judge_description",
    "judge_signing",
    "judge_transcript",
    "names",
]
