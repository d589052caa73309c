"""Transcribe stage: clip audio -> Whisper words -> transcript JSON and draft caption files.

For each clip: read ``build/audio/CLIP.wav`` (made at ingest); find speech with the Silero VAD
and cut the clip into chunks of at most 30 s in its pauses (:mod:`pipeline.transcribe.chunking`);
decode each chunk with the engine (loaded once for the whole run); decode again, in a moved
window, any stretch the boundary guard suspects of lost words, keeping the better decoding
(:mod:`pipeline.transcribe.audio`); drop what looks like a hallucination
(:mod:`pipeline.transcribe.hallucinations`); write ``build/transcripts/CLIP.json`` and the draft
caption files ``captions/CLIP.srt`` and ``.vtt`` through :mod:`pipeline.caption_store`,
which never overwrites a contributor's edits. Re-decodes and drops are recorded in the transcript
and the log, never silent.

A clip that fails does not stop the others; the failures are raised together at the end as a
:class:`~pipeline.exceptions.BatchError`.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from captions.exceptions import CaptionError
from captions.model import Cue, Word
from captions.segment import segment
from captions.styles import get_style
from pipeline.caption_store import CaptionWrite, WriteStatus, load_captions, write_caption_file
from pipeline.clip_sound import refresh_sound
from pipeline.exceptions import BatchError, MediaError, PipelineError
from pipeline.fsutil import atomic_write_bytes, read_regular_bytes
from pipeline.project import Project
from pipeline.transcribe.engines import (
    BUNDLED_MODEL_SHA256,
    DEFAULT_ENGINE,
    Engine,
    EngineUnavailableError,
    ModelError,
    combined_hash,
    load_engine,
    word_to_dict,
)
from pipeline.transcribe.hallucinations import GUARD_VERSION
from pipeline.transcribe.run_report import (
    ClipProgress,
    ClipResult,
    ClipStatus,
    ProgressCallback,
    TranscribeReport,
    _summary,
    load_transcript,
    transcript_words,
)

if TYPE_CHECKING:
    from pipeline.cluster import ClusterSession
    from pipeline.transcribe.decode import DecodedClip

log = logging.getLogger("coprod.transcribe")

TRANSCRIPT_VERSION = 1
# Bump when chunking or the boundary guard change what is decoded, so transcripts are made again.
DECODING_VERSION = 2


def _model_request(engine: str, model: str | None) -> dict[str, Any]:
    """What decides whether an existing transcript still stands, without loading the model."""
    bundled = combined_hash(BUNDLED_MODEL_SHA256) if model is None else None
    return {"engine": engine, "model_request": model, "bundled_sha256": bundled}


def _current_transcript(project: Project, clip_id: str, audio_sha256: str | None,
                        request: dict[str, Any]) -> dict[str, Any] | None:
    """The clip's transcript if it was made from this audio with this engine/model and guard."""
    try:
        data = json.loads(read_regular_bytes(project.transcript_path(clip_id)))
    except (OSError, ValueError, PipelineError):  # a FIFO there is refused, not waited on
        return None
    if (
        isinstance(data, dict)
        and data.get("version") == TRANSCRIPT_VERSION
        and data.get("guard_version") == GUARD_VERSION
        and data.get("decoding_version") == DECODING_VERSION
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
    """The machine draft: words segmented with the film's caption style, inside the clip."""
    style = get_style(project.film.caption_style)
    return _clamp(segment(list(words), style), duration_ms) if words else []


def machine_draft(project: Project, clip_id: str) -> list[Cue]:
    """The cues coprod drafted for a clip, rebuilt from its transcript (for `captions diff`)."""
    data = load_transcript(project.transcript_path(clip_id))
    return draft_cues(project, transcript_words(data), project.probe(clip_id).duration_ms)


def _write_captions(project: Project, clip_id: str, words: Sequence[Word], duration_ms: int,
                    force: bool) -> list[CaptionWrite]:
    cues = draft_cues(project, words, duration_ms)
    srt = write_caption_file(project.caption_path(clip_id, "srt"), cues, force=force)
    vtt_cues = cues
    if srt.status == WriteStatus.KEPT_EDITED:
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

    def say(self, state: ClipStatus, message: str) -> None:
        if self.on_progress is not None:
            self.on_progress(ClipProgress(self.clip_id, self.index, self.total, state, message))


class _Run:
    """One call of transcribe_project: the engine is loaded on first need, then reused."""

    def __init__(self, project: Project, engine: str, model: str | None, force: bool,
                 vad: bool, say: Callable[[ClipStatus, str], None]) -> None:
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
            self.say(ClipStatus.LOADING, f"loading {self.engine_name} model "
                     f"{self.model or 'tiny.en (bundled)'}")
            self._engine = load_engine(self.engine_name, self.model,
                                       language=self.project.film.language)
        return self._engine

    def base(self, clip_id: str) -> dict[str, Any]:
        return {
            "version": TRANSCRIPT_VERSION,
            "guard_version": GUARD_VERSION,
            "decoding_version": DECODING_VERSION,
            "clip": clip_id,
            "language": self.project.film.language,
            "caption_profile": self.project.film.caption_style,
            "request": self.request,
            "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        }

    def prepare(self, clip_id: str) -> ClipResult | _Pending:
        """Everything before decoding: a result when nothing is to decode, else what to decode."""
        project = self.project
        info = project.probe(clip_id)
        audio = project.audio_path(clip_id)
        if not info.has_audio:
            note = "the clip has no audio stream, so its captions are empty"
            body = {**self.base(clip_id), "engine": None, "model": None, "model_sha256": None,
                    "audio": None, "audio_sha256": None, "duration_ms": info.duration_ms,
                    "note": note, "words": [], "segments": [], "dropped": [], "chunks": [],
                    "redecoded": []}
            path = _write_transcript(project, clip_id, body)
            writes = _write_captions(project, clip_id, [], info.duration_ms, self.force)
            return ClipResult(clip_id, ClipStatus.NO_AUDIO, path, writes, notes=[note])
        refresh_sound(project, clip_id)  # film.yaml's audio: may have changed
        if not audio.is_file():
            raise MediaError(audio, "audio for speech recognition is missing; ingest the clip "
                             "again")
        audio_sha = project.file_sha256(audio)
        current = None if self.force else _current_transcript(project, clip_id, audio_sha,
                                                                 self.request)
        if current is not None:
            # Whisper would say the same again: only the caption files are made again from the
            # recorded words (the style may have changed, or a file may have been edited).
            words = transcript_words(current)
            writes = _write_captions(project, clip_id, words, info.duration_ms, self.force)
            notes = ["transcript up to date"]
            notes += [w.message for w in writes if w.status != WriteStatus.UNCHANGED]
            return ClipResult(clip_id, ClipStatus.UP_TO_DATE, project.transcript_path(clip_id),
                              writes, len(words), notes=notes)
        return _Pending(clip_id, audio, audio_sha, info.duration_ms)

    def clip(self, clip_id: str) -> ClipResult:
        ready = self.prepare(clip_id)
        if isinstance(ready, ClipResult):
            return ready
        from pipeline.transcribe.chunk_store import clip_store
        from pipeline.transcribe.decode import decode_clip

        store = clip_store(self.project.build_dir / "chunks" / ready.clip_id, ready.audio_sha256,
                           self.engine(), language=self.project.film.language, vad=self.vad,
                           versions={"decoding": DECODING_VERSION, "guard": GUARD_VERSION},
                           fresh=self.force, on_resume=lambda done: self.say(
                               ClipStatus.TRANSCRIBING, done.message()))
        decoded = decode_clip(self.engine(), ready.audio, self.project.film.language,
                              vad=self.vad, on_start=lambda seconds: self.say(
                                  ClipStatus.TRANSCRIBING,
                                  f"transcribing {seconds:.1f} s of audio"), store=store)
        result = self.finish(ready, decoded)
        store.clear()  # the transcript holds the words now
        return result

    def finish(self, ready: _Pending, decoded: DecodedClip) -> ClipResult:
        """Log, then write the transcript and the caption files of a decoded clip."""
        project, clip_id = self.project, ready.clip_id
        for again in decoded.redecoded:
            log.info("%s: decoded %.2f-%.2f s again (%s); kept the %s: %r, not %r", clip_id,
                     again.start / 1000, again.end / 1000, "; ".join(again.reasons),
                     "re-decode" if again.kept_redecode else "original",
                     again.after if again.kept_redecode else again.before,
                     again.before if again.kept_redecode else again.after)
        kept, dropped = decoded.kept, decoded.dropped
        for item in dropped:
            log.info("%s: dropped %r at %.2f-%.2f s (%s)", clip_id, item.text,
                     item.start / 1000, item.end / 1000, item.reason)
        words = [w for seg in kept for w in seg.words]
        body = {
            **self.base(clip_id),
            **decoded.engine.to_dict(),
            "vad": self.vad,
            "audio": ready.audio.relative_to(project.root).as_posix(),
            "audio_sha256": ready.audio_sha256,
            "duration_ms": ready.duration_ms,
            "words": [word_to_dict(w) for w in words],
            "segments": [seg.to_dict() for seg in kept],
            "dropped": [item.to_dict() for item in dropped],
            "chunks": [chunk.to_dict() for chunk in decoded.chunks],
            "redecoded": [item.to_dict() for item in decoded.redecoded],
        }
        path = _write_transcript(project, clip_id, body)
        writes = _write_captions(project, clip_id, words, ready.duration_ms, self.force)
        notes = [w.message for w in writes if w.status != WriteStatus.WRITTEN]
        return ClipResult(clip_id, ClipStatus.TRANSCRIBED, path, writes, len(words), dropped,
                          notes, decoded.redecoded)


@dataclass(frozen=True)
class _Pending:
    """A clip whose sound is to be decoded (here, or on a cluster worker)."""

    clip_id: str
    audio: Path
    audio_sha256: str
    duration_ms: int


def transcribe_project(
    project: Project,
    clip_ids: Sequence[str] | None = None,
    *,
    engine: str = DEFAULT_ENGINE,
    model: str | None = None,
    force: bool = False,
    vad: bool = True,
    on_progress: ProgressCallback | None = None,
    cluster: ClusterSession | None = None,
) -> TranscribeReport:
    """Transcribe clips (default: every clip, in sequence order) and write their captions.

    Args:
        project: the film project.
        clip_ids: clips to transcribe; None for all.
        engine: ``faster-whisper`` (default) or ``openai-whisper``.
        model: model name or local path (see :func:`pipeline.transcribe.engines.load_engine`);
            None for the bundled tiny.en.
        force: transcribe again even when up to date, and replace caption files a contributor
            edited (the edited file is kept as ``CLIP.srt.bak-...``).
        vad: decode only what the VAD finds to be speech (padded, long pauses shortened);
            without it every chunk is a stretch of the clip cut at its quietest points.
        on_progress: called with a :class:`ClipProgress` as each clip starts, moves on and ends.
        cluster: decode on this Dask cluster's workers (one model load per worker process);
            everything else, writing included, happens here as without it.

    Raises:
        ProjectError: a clip id is not in the project.
        EngineUnavailableError, ModelError: the engine or model cannot be loaded (nothing done).
        BatchError: some clips failed (the others were done); ``.report`` holds the report.
        WorkerRefusedError: a cluster worker cannot see the project or runs other versions.
    """
    ids = list(clip_ids) if clip_ids else _ordered_clip_ids(project)
    for cid in ids:
        project.clip(cid)  # ProjectError naming the known ids, before any work
    report = TranscribeReport(engine, model)
    position = _Position(total=len(ids), on_progress=on_progress)
    run = _Run(project, engine, model, force, vad, position.say)
    with project.lock("transcribe"):
        if cluster is not None:
            _on_cluster(run, ids, position, report, cluster)
        else:
            for index, cid in enumerate(ids, start=1):
                position.index, position.clip_id = index, cid
                _attempt(run, report, position, cid, functools.partial(run.clip, cid))
    if report.failures:
        error = BatchError("clips", report.failures)
        error.report = report  # type: ignore[attr-defined]
        raise error
    return report


def _attempt(run: _Run, report: TranscribeReport, position: _Position, cid: str,
             step: Callable[[], ClipResult | _Pending]) -> ClipResult | _Pending | None:
    """One step for one clip; a failure is recorded with the clip and the run goes on."""
    try:
        result = step()
    except PipelineError as exc:
        if run._engine is None and _is_engine_failure(exc):
            raise  # no engine means no clip can be done: one clear error, not N
        report.failures.append((cid, exc))
        report.results.append(ClipResult(cid, ClipStatus.FAILED, notes=[str(exc)]))
        position.say(ClipStatus.FAILED, f"failed: {exc}")
        return None
    except Exception as exc:  # a bug or a library error: report it with the clip
        log.debug("clip %s failed", cid, exc_info=True)
        report.failures.append((cid, exc))
        report.results.append(ClipResult(cid, ClipStatus.FAILED, notes=[repr(exc)]))
        position.say(ClipStatus.FAILED, f"failed: {type(exc).__name__}: {exc}")
        return None
    if isinstance(result, ClipResult):
        report.results.append(result)
        position.say(result.status, _summary(result))
    return result


def _on_cluster(run: _Run, ids: Sequence[str], position: _Position, report: TranscribeReport,
                cluster: ClusterSession) -> None:
    """Decode on the cluster's workers; prepare and write here, one clip at a time."""
    from pipeline.transcribe.decode import DecodeRequest

    waiting: dict[str, tuple[int, _Pending]] = {}
    for index, cid in enumerate(ids, start=1):
        position.index, position.clip_id = index, cid
        ready = _attempt(run, report, position, cid, functools.partial(run.prepare, cid))
        if isinstance(ready, _Pending):
            waiting[cid] = (index, ready)
            position.say(ClipStatus.TRANSCRIBING, f"transcribing {ready.duration_ms / 1000:.1f}"
                         " s of audio on the cluster")
    language = run.project.film.language
    requests = [DecodeRequest(cid, ready.audio, run.engine_name, run.model, language, run.vad)
                for cid, (_, ready) in waiting.items()]
    for cid, outcome, worker in cluster.decode_clips(run.project.root, requests):
        position.index, position.clip_id = waiting[cid][0], cid
        _attempt(run, report, position, cid, functools.partial(
            _finish_remote, run, waiting[cid][1], outcome, worker))
    order = {cid: i for i, cid in enumerate(ids)}
    report.results.sort(key=lambda r: order[r.clip_id])


def _finish_remote(run: _Run, ready: _Pending, outcome: DecodedClip | Exception,
                   worker: str) -> ClipResult:
    if isinstance(outcome, Exception):
        raise outcome
    result = run.finish(ready, outcome)
    result.notes.append(f"decoded on worker {worker}")
    return result


def _is_engine_failure(exc: Exception) -> bool:
    return isinstance(exc, EngineUnavailableError | ModelError)


def _ordered_clip_ids(project: Project) -> list[str]:
    """Clips in film order, then any ingested clip not (yet) in the sequence."""
    return project.film.clips_in_film_order

