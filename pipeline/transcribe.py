"""Transcribe stage: clip audio -> Whisper words -> transcript JSON and draft caption files.

For each clip: read ``build/audio/CLIP.wav`` (made at ingest), run the engine (loaded once for
the whole run), drop what looks like a hallucination (recorded, never silently), write
``build/transcripts/CLIP.json`` and the draft caption files ``captions/CLIP.srt`` and ``.vtt``
through :mod:`pipeline.captionfiles`, which never overwrites a contributor's edits.

A clip that fails does not stop the others; the failures are raised together at the end as a
:class:`~pipeline.exceptions.BatchError`.

The hallucination guard is a chain of small checks, each naming the reason it drops a segment:

    empty             no words at all
    no-speech         the no-speech probability is high and the decoding is unsure (Whisper's rule)
    low-confidence    the words' mean probability is very low
    compression-ratio the text compresses too well (a loop such as "the the the ...")
    repeated-phrase   the same n-gram repeats back to back within a segment
    repeats-previous  the segment repeats the previous one word for word
"""

from __future__ import annotations

import json
import logging
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from captions.exceptions import CaptionError
from captions.model import Cue, Word
from pipeline.captionfiles import KEPT_EDITED, CaptionWrite, load_captions, write_caption_file
from pipeline.engines import (
    BUNDLED_MODEL_SHA256,
    DEFAULT_ENGINE,
    Engine,
    Segment,
    combined_hash,
    load_engine,
    read_wav,
    word_to_dict,
)
from pipeline.exceptions import BatchError, MediaError, PipelineError
from pipeline.project import Project, atomic_write_bytes

log = logging.getLogger("coprod.transcribe")

TRANSCRIPT_VERSION = 1
# Bump when the guard's rules change, so up-to-date transcripts are made again.
GUARD_VERSION = 1

# Whisper's own rule (both engines' defaults): a window is silence when the no-speech token is
# likely AND the decoding is unsure.
NO_SPEECH_PROB = 0.6
NO_SPEECH_LOGPROB = -1.0
# Real speech, even mumbled meeting speech, gave mean word probabilities of 0.8 and above with
# tiny.en on the corpus; what it "heard" in music and noise was 0.02-0.42.
MIN_MEAN_WORD_PROBABILITY = 0.45
# Whisper's own threshold for a decoding that has fallen into a loop.
MAX_COMPRESSION_RATIO = 2.4
# A phrase of 2+ words repeated this many times back to back, or one word this many + 1 times.
REPEATS = 3
MAX_NGRAM = 6
# A whole segment repeating the previous one is a loop only if it is this long; "Yes. Yes." is not.
MIN_REPEAT_WORDS = 4


# --- the hallucination guard ------------------------------------------------------------------


@dataclass(frozen=True)
class Dropped:
    """A segment the guard removed, kept in the transcript under "dropped" with its reason."""

    start: int
    end: int
    text: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"start": self.start, "end": self.end, "text": self.text, "reason": self.reason}


def _norm_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def compression_ratio(text: str) -> float:
    """Whisper's measure: how much smaller zlib makes the text (loops compress very well)."""
    raw = text.encode("utf-8")
    return len(raw) / len(zlib.compress(raw)) if raw else 0.0


def check_empty(seg: Segment) -> str | None:
    """A segment with no words."""
    return "empty: no words" if not seg.words or not _norm_words(seg.text) else None


def check_no_speech(seg: Segment) -> str | None:
    """Whisper's silence rule."""
    if seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < NO_SPEECH_LOGPROB:
        return (f"no-speech: no-speech probability {seg.no_speech_prob:.2f} with average "
                f"log-probability {seg.avg_logprob:.2f}")
    return None


def check_low_confidence(seg: Segment) -> str | None:
    """Words the model itself hardly believes."""
    if not seg.words:
        return None
    mean = sum(w.probability for w in seg.words) / len(seg.words)
    if mean < MIN_MEAN_WORD_PROBABILITY:
        return f"low-confidence: mean word probability {mean:.2f}"
    return None


def check_compression_ratio(seg: Segment) -> str | None:
    """Text that compresses like a loop."""
    ratio = max(seg.compression_ratio, compression_ratio(seg.text))
    if ratio > MAX_COMPRESSION_RATIO:
        return f"compression-ratio: {ratio:.2f} (a repeating loop)"
    return None


def repeated_ngram(words: Sequence[str]) -> tuple[str, int] | None:
    """The first n-gram repeated back to back enough times to be a loop, and its count."""
    for n in range(1, MAX_NGRAM + 1):
        needed = REPEATS + 1 if n == 1 else REPEATS
        for start in range(len(words) - n * needed + 1):
            gram = list(words[start : start + n])
            count = 1
            while words[start + count * n : start + (count + 1) * n] == gram:
                count += 1
            if count >= needed:
                return " ".join(gram), count
    return None


def check_repeated_phrase(seg: Segment) -> str | None:
    """The same phrase over and over within one segment."""
    found = repeated_ngram(_norm_words(seg.text))
    if found:
        return f"repeated-phrase: {found[0]!r} {found[1]} times in a row"
    return None


SEGMENT_CHECKS: tuple[Callable[[Segment], str | None], ...] = (
    check_empty,
    check_no_speech,
    check_low_confidence,
    check_compression_ratio,
    check_repeated_phrase,
)


def guard(segments: Sequence[Segment]) -> tuple[list[Segment], list[Dropped]]:
    """Split ``segments`` into those kept and those dropped as likely hallucinations."""
    kept: list[Segment] = []
    dropped: list[Dropped] = []
    for seg in segments:
        reason = next((r for check in SEGMENT_CHECKS if (r := check(seg))), None)
        if reason is None and kept:
            words = _norm_words(seg.text)
            if len(words) >= MIN_REPEAT_WORDS and words == _norm_words(kept[-1].text):
                reason = "repeats-previous: same words as the segment before"
        if reason is None:
            kept.append(seg)
        else:
            dropped.append(Dropped(seg.start, seg.end, seg.text, reason))
    return kept, dropped


# --- word error rate (tests and bench) --------------------------------------------------------

_SPELLED = {"mr": "mister", "mrs": "missus", "dr": "doctor", "st": "saint"}


def normalise_for_wer(text: str) -> list[str]:
    """Lower-case words without punctuation (``Americans,`` = ``americans``; ``Mr.`` = mister)."""
    words = re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower().replace("’", "'"))
    return [_SPELLED.get(w, w) for w in words]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, after normalising both."""
    ref, hyp = normalise_for_wer(reference), normalise_for_wer(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        current = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h))
        previous = current
    return previous[-1] / len(ref)


# --- the stage --------------------------------------------------------------------------------

# Clip states reported through on_progress and in ClipResult.status.
TRANSCRIBED = "transcribed"
UP_TO_DATE = "up-to-date"
NO_AUDIO = "no-audio"
FAILED = "failed"


@dataclass(frozen=True)
class ClipProgress:
    """One progress event: ``[index/total] clip_id: message``."""

    clip_id: str
    index: int
    total: int
    state: str
    message: str

    def __str__(self) -> str:
        return f"[{self.index}/{self.total}] {self.clip_id}: {self.message}"


@dataclass
class ClipResult:
    """What the stage did for one clip."""

    clip_id: str
    status: str
    transcript: Path | None = None
    captions: list[CaptionWrite] = field(default_factory=list)
    words: int = 0
    dropped: list[Dropped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class TranscribeReport:
    """The whole run: engine and model used, one result per clip, and the failures."""

    engine: str
    model: str | None
    results: list[ClipResult] = field(default_factory=list)
    failures: list[tuple[str, Exception]] = field(default_factory=list)


ProgressCallback = Callable[[ClipProgress], None]


def _model_request(engine: str, model: str | None) -> dict[str, Any]:
    """What decides whether an existing transcript still stands, without loading the model."""
    bundled = combined_hash(BUNDLED_MODEL_SHA256) if model is None else None
    return {"engine": engine, "model_request": model, "bundled_sha256": bundled}


def _current_transcript(project: Project, clip_id: str, audio_sha256: str | None,
                        request: dict[str, Any]) -> dict[str, Any] | None:
    """The clip's transcript if it was made from this audio with this engine/model and guard."""
    try:
        data = json.loads(project.transcript_path(clip_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        isinstance(data, dict)
        and data.get("version") == TRANSCRIPT_VERSION
        and data.get("guard_version") == GUARD_VERSION
        and data.get("audio_sha256") == audio_sha256
        and all(data.get("request", {}).get(k) == v for k, v in request.items())
    ):
        return data
    return None


def _clamp(cues: list[Cue], duration_ms: int) -> list[Cue]:
    """Keep cues inside the clip (a cue's linger may otherwise run past its last frame)."""
    out: list[Cue] = []
    for cue in cues:
        end = min(cue.end, duration_ms)
        if end > cue.start:
            out.append(Cue(cue.start, end, cue.text))
    return out


def draft_cues(project: Project, words: Sequence[Word], duration_ms: int) -> list[Cue]:
    """The machine draft: words segmented with the film's caption profile, inside the clip."""
    from captions.profiles import get_profile
    from captions.segment import segment

    profile = get_profile(project.film.caption_profile)
    return _clamp(segment(list(words), profile), duration_ms) if words else []


def machine_draft(project: Project, clip_id: str) -> list[Cue]:
    """The cues coprod drafted for a clip, rebuilt from its transcript (for `captions diff`)."""
    data = load_transcript(project.transcript_path(clip_id))
    return draft_cues(project, transcript_words(data), project.probe(clip_id).duration_ms)


def _write_captions(project: Project, clip_id: str, words: Sequence[Word], duration_ms: int,
                    force: bool) -> list[CaptionWrite]:
    cues = draft_cues(project, words, duration_ms)
    srt = write_caption_file(project.caption_path(clip_id, "srt"), cues, force=force)
    vtt_cues = cues
    if srt.status == KEPT_EDITED:
        # The reviewed SRT is what the film shows, so its .vtt twin follows it, not Whisper.
        try:
            vtt_cues = load_captions(srt.path)
        except CaptionError as exc:
            log.warning("%s; %s left as Whisper's draft", exc, f"{clip_id}.vtt")
    vtt = write_caption_file(project.caption_path(clip_id, "vtt"), vtt_cues, force=force)
    return [srt, vtt]


def _write_transcript(project: Project, clip_id: str, body: dict[str, Any]) -> Path:
    path = project.transcript_path(clip_id)
    atomic_write_bytes(path, (json.dumps(body, indent=1, ensure_ascii=False) + "\n")
                       .encode("utf-8"))
    return path


@dataclass
class _Position:
    """Where the run is, for progress events."""

    total: int
    on_progress: ProgressCallback | None
    index: int = 0
    clip_id: str = ""

    def say(self, state: str, message: str) -> None:
        if self.on_progress is not None:
            self.on_progress(ClipProgress(self.clip_id, self.index, self.total, state, message))


class _Run:
    """One call of transcribe_project: the engine is loaded on first need, then reused."""

    def __init__(self, project: Project, engine: str, model: str | None, force: bool,
                 vad: bool, say: Callable[[str, str], None]) -> None:
        self.project = project
        self.engine_name = engine
        self.model = model
        self.force = force
        self.vad = vad
        self.say = say
        self.request = _model_request(engine, model)
        self._engine: Engine | None = None

    def engine(self) -> Engine:
        if self._engine is None:
            self.say("loading", f"loading {self.engine_name} model "
                     f"{self.model or 'tiny.en (bundled)'}")
            self._engine = load_engine(self.engine_name, self.model, vad=self.vad,
                                       language=self.project.film.language)
        return self._engine

    def base(self, clip_id: str) -> dict[str, Any]:
        return {
            "version": TRANSCRIPT_VERSION,
            "guard_version": GUARD_VERSION,
            "clip": clip_id,
            "language": self.project.film.language,
            "caption_profile": self.project.film.caption_profile,
            "request": self.request,
            "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        }

    def clip(self, clip_id: str) -> ClipResult:
        project = self.project
        info = project.probe(clip_id)
        audio = project.audio_path(clip_id)
        if not info.has_audio:
            note = "the clip has no audio stream, so its captions are empty"
            body = {**self.base(clip_id), "engine": None, "model": None, "model_sha256": None,
                    "audio": None, "audio_sha256": None, "duration_ms": info.duration_ms,
                    "note": note, "words": [], "segments": [], "dropped": []}
            path = _write_transcript(project, clip_id, body)
            writes = _write_captions(project, clip_id, [], info.duration_ms, self.force)
            return ClipResult(clip_id, NO_AUDIO, path, writes, notes=[note])
        if not audio.is_file():
            raise MediaError(audio, "audio for speech recognition is missing; ingest the clip "
                             "again")
        audio_sha = project.file_sha256(audio)
        current = None if self.force else _current_transcript(project, clip_id, audio_sha,
                                                                 self.request)
        if current is not None:
            # Whisper would say the same again: only the caption files are made again from the
            # recorded words (the profile may have changed, or a file may have been edited).
            words = transcript_words(current)
            writes = _write_captions(project, clip_id, words, info.duration_ms, self.force)
            notes = ["transcript up to date"]
            notes += [w.message for w in writes if w.status != "unchanged"]
            return ClipResult(clip_id, UP_TO_DATE, project.transcript_path(clip_id), writes,
                              len(words), notes=notes)
        engine = self.engine()
        samples = read_wav(audio)
        self.say("transcribing", f"transcribing {len(samples) / 16000:.1f} s of audio")
        segments = engine.transcribe(samples, project.film.language)
        kept, dropped = guard(segments)
        for item in dropped:
            log.info("%s: dropped %r at %.2f-%.2f s (%s)", clip_id, item.text,
                     item.start / 1000, item.end / 1000, item.reason)
        words = [w for seg in kept for w in seg.words]
        body = {
            **self.base(clip_id),
            "engine": engine.name,
            "engine_version": engine.version,
            "model": engine.model.name,
            "model_path": engine.model.path,
            "model_sha256": engine.model.sha256,
            "vad": self.vad,
            "audio": audio.relative_to(project.root).as_posix(),
            "audio_sha256": audio_sha,
            "duration_ms": info.duration_ms,
            "words": [word_to_dict(w) for w in words],
            "segments": [seg.to_dict() for seg in kept],
            "dropped": [item.to_dict() for item in dropped],
        }
        path = _write_transcript(project, clip_id, body)
        writes = _write_captions(project, clip_id, words, info.duration_ms, self.force)
        notes = [w.message for w in writes if w.status != "written"]
        return ClipResult(clip_id, TRANSCRIBED, path, writes, len(words), dropped, notes)


def transcribe_project(
    project: Project,
    clip_ids: Sequence[str] | None = None,
    *,
    engine: str = DEFAULT_ENGINE,
    model: str | None = None,
    force: bool = False,
    vad: bool = True,
    on_progress: ProgressCallback | None = None,
) -> TranscribeReport:
    """Transcribe clips (default: every clip, in sequence order) and write their captions.

    Args:
        project: the film project.
        clip_ids: clips to transcribe; None for all.
        engine: ``faster-whisper`` (default) or ``openai-whisper``.
        model: model name or local path (see :func:`pipeline.engines.load_engine`); None for the
            bundled tiny.en.
        force: transcribe again even when up to date, and replace caption files a contributor
            edited (the edited file is kept as ``CLIP.srt.bak-...``).
        vad: filter out non-speech before decoding.
        on_progress: called with a :class:`ClipProgress` as each clip starts, moves on and ends.

    Raises:
        ProjectError: a clip id is not in the project.
        EngineUnavailableError, ModelError: the engine or model cannot be loaded (nothing done).
        BatchError: some clips failed (the others were done); ``.report`` holds the report.
    """
    ids = list(clip_ids) if clip_ids else _ordered_clip_ids(project)
    for cid in ids:
        project.clip(cid)  # ProjectError naming the known ids, before any work
    report = TranscribeReport(engine, model)
    position = _Position(total=len(ids), on_progress=on_progress)
    run = _Run(project, engine, model, force, vad, position.say)
    with project.lock("transcribe"):
        for index, cid in enumerate(ids, start=1):
            position.index, position.clip_id = index, cid
            try:
                result = run.clip(cid)
            except PipelineError as exc:
                if run._engine is None and _is_engine_failure(exc):
                    raise  # no engine means no clip can be done: one clear error, not N
                report.failures.append((cid, exc))
                report.results.append(ClipResult(cid, FAILED, notes=[str(exc)]))
                position.say(FAILED, f"failed: {exc}")
                continue
            except Exception as exc:  # a bug or a library error: report it with the clip
                log.debug("clip %s failed", cid, exc_info=True)
                report.failures.append((cid, exc))
                report.results.append(ClipResult(cid, FAILED, notes=[repr(exc)]))
                position.say(FAILED, f"failed: {type(exc).__name__}: {exc}")
                continue
            report.results.append(result)
            position.say(result.status, _summary(result))
    if report.failures:
        error = BatchError("clips", report.failures)
        error.report = report  # type: ignore[attr-defined]
        raise error
    return report


def _is_engine_failure(exc: Exception) -> bool:
    from pipeline.engines import EngineUnavailableError, ModelError

    return isinstance(exc, EngineUnavailableError | ModelError)


def _ordered_clip_ids(project: Project) -> list[str]:
    """Clips in film order, then any ingested clip not (yet) in the sequence."""
    ordered = [item.clip_id for item in project.film.sequence]
    return ordered + [cid for cid in project.film.clips if cid not in ordered]


def _summary(result: ClipResult) -> str:
    if result.status == TRANSCRIBED:
        text = f"{result.words} words"
        if result.dropped:
            text += f", {len(result.dropped)} segment(s) dropped as likely hallucinations"
        wrote = [w.written.name for w in result.captions
                 if w.written is not None and w.status != "unchanged"]
        text += f"; wrote {', '.join(wrote)}" if wrote else ""
        return "; ".join([text, *result.notes])
    return "; ".join(result.notes) or result.status


def load_transcript(path: Path) -> dict[str, Any]:
    """A transcript JSON as written by this stage.

    Raises:
        PipelineError: missing or not a coprod transcript.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PipelineError(f"{path}: cannot read transcript ({exc})") from None
    if not isinstance(data, dict) or "words" not in data:
        raise PipelineError(f"{path}: not a coprod transcript")
    return data


def transcript_words(data: dict[str, Any]) -> list[Word]:
    """The kept words of a transcript as :class:`captions.model.Word` s."""
    return [Word(int(w["start"]), int(w["end"]), str(w["text"]), float(w["probability"]))
            for w in data.get("words", [])]
