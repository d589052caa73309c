"""Figures the access report is judged on, measured on what a render made.

- **Speech**: the Silero VAD (:func:`pipeline.transcribe.engines.base.speech_regions`, the settings
  transcription uses) run on the film's programme sound, the very track film.mp4 carries,
  decoded to 16 kHz mono. Each clip's speech is what the VAD finds inside its stretch of the film.
- **Captioned speech**: speech inside a film cue, each cue widened by :data:`EDGE_MS` either side
  (Whisper's word times, and so the cues made from them, are good to a tenth of a second or two,
  and the VAD's own edges move by as much).
- **Transcribed speech**: the same, counting only the cues whose words the written transcript
  (transcript.txt) holds.
- **Voiced descriptions**: a description counts when its voice file's loudest sample is over
  -60 dBFS (:data:`SILENT_DB`); integrated loudness cannot judge a voice under 400 ms.
- **Signed time**: each clip's stretch of the film during which a signer video is playing in the
  inset (the video's probed length from where the clip starts in it).

The VAD is run once per sound file (its sha256) and kept beside it as ``.speech.json``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from captions.model import Cue
from pipeline import runner
from pipeline.fsutil import atomic_write_bytes, sha256_file
from pipeline.media import ffmpeg_input_name

EDGE_MS = 250
"""Each cue counts as covering speech this far beyond its start and end (word-time error)."""
# Bump when the way speech is found changes.
SPEECH_FORMAT = 1

Span = tuple[int, int]


def film_speech(sound: Path) -> list[Span]:
    """Speech regions (film ms) the VAD finds in ``sound``, cached beside it by its sha256.

    Raises:
        MediaToolError: ffmpeg cannot decode the sound.
    """
    from pipeline.transcribe.engines.base import (
        SAMPLE_RATE,
        VAD_MIN_SILENCE_MS,
        VAD_SPEECH_PAD_MS,
        VAD_THRESHOLD,
    )

    digest = sha256_file(sound)
    settings = [SPEECH_FORMAT, VAD_THRESHOLD, VAD_MIN_SILENCE_MS, VAD_SPEECH_PAD_MS]
    saved = sound.with_name(sound.name + ".speech.json")
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        data = json.loads(saved.read_text(encoding="utf-8"))
        if data["sha256"] == digest and data["settings"] == settings:
            return [(int(s), int(e)) for s, e in data["speech"]]
    import tempfile

    from pipeline.transcribe.engines.base import read_wav, speech_regions

    # Decoding for measurement only: the samples are analysed, never written into a film. A WAV
    # read in blocks, not ffmpeg's stdout: an hour's film is not held as bytes and floats at once.
    with tempfile.TemporaryDirectory(prefix="coprod-speech-") as tmp:
        wav = Path(tmp) / "speech.wav"
        runner.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error",
                    "-i", ffmpeg_input_name(sound), "-map", "0:a:0", "-ac", "1",
                    "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le", "-f", "wav", str(wav)])
        samples = read_wav(wav)
    speech = speech_regions(samples) if len(samples) else []
    with contextlib.suppress(OSError):
        atomic_write_bytes(saved, json.dumps({"sha256": digest, "settings": settings,
                                              "speech": speech}).encode("utf-8"))
    return speech


SILENT_DB = -60.0
"""A voice whose loudest sample is below this (dBFS) is silence, not a description."""


def peak_db(sound: Path) -> float:
    """The loudest sample of ``sound`` in dBFS (volumedetect), ``-inf`` for digital silence.

    Raises:
        MediaToolError: ffmpeg cannot read it.
    """
    import re

    proc = runner.run(["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-i",
                       ffmpeg_input_name(sound), "-map", "0:a:0", "-af", "volumedetect",
                       "-f", "null", "-"])
    found = re.search(r"max_volume:\s*(-?[\d.]+|-inf) dB", proc.stderr.decode(errors="replace"))
    return float(found[1]) if found else float("-inf")


def voiced(sound: Path) -> bool:
    """True when ``sound`` is heard: its loudest sample is at or over :data:`SILENT_DB`."""
    return peak_db(sound) >= SILENT_DB


def merged(spans: Iterable[Span]) -> list[Span]:
    """``spans`` sorted and merged where they touch or overlap; empty ones dropped."""
    out: list[Span] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def total_ms(spans: Iterable[Span]) -> int:
    """How long ``spans`` last together (overlaps counted once)."""
    return sum(e - s for s, e in merged(spans))


def clipped(spans: Iterable[Span], window: Span) -> list[Span]:
    """``spans`` cut to ``window``."""
    lo, hi = window
    return [(max(s, lo), min(e, hi)) for s, e in spans if min(e, hi) > max(s, lo)]


def uncovered_ms(speech: Sequence[Span], covers: Iterable[Span]) -> int:
    """How much of ``speech`` lies outside every span of ``covers``."""
    gaps = 0
    cover = merged(covers)
    for start, end in merged(speech):
        at = start
        for c0, c1 in cover:
            if c1 <= at or c0 >= end:
                continue
            gaps += max(0, c0 - at)
            at = max(at, c1)
            if at >= end:
                break
        gaps += max(0, end - at)
    return gaps


def cue_spans(cues: Iterable[Cue], edge_ms: int = EDGE_MS) -> list[Span]:
    """Each cue's span (film ms), widened by ``edge_ms`` either side."""
    return [(c.start - edge_ms, c.end + edge_ms) for c in cues if c.text.strip()]


def flat(text: str) -> str:
    """``text`` with every run of white space as one space, for finding a cue in a transcript."""
    return " ".join(text.split())


def in_transcript(cues: Sequence[Cue], transcript: str) -> list[Cue]:
    """The cues whose whole text the transcript holds (white space aside)."""
    body = flat(transcript)
    return [c for c in cues if c.text.strip() and flat(c.text) in body]


__all__ = [
    "EDGE_MS",
    "SILENT_DB",
    "Span",
    "clipped",
    "cue_spans",
    "film_speech",
    "flat",
    "in_transcript",
    "merged",
    "peak_db",
    "total_ms",
    "uncovered_ms",
    "voiced",
]
