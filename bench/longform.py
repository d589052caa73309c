"""Long-form transcription: does coprod keep every phrase of minutes-long recordings?

Builds (seeded) recordings of 60-180 s from the shared corpus's utterances with exact references,
in random order with random pauses of 0.3-6 s, some with music or noise (made with numpy, seeded)
between utterances, and transcribes each with:

* coprod with faster-whisper and with openai-whisper
  (``pipeline.transcribe.audio.transcribe_audio``: VAD, chunks of at most 30 s cut in pauses,
  the boundary guard, then the hallucination guard);
* plain faster-whisper and plain openai-whisper with their default settings and no VAD (same
  weights: the bundled tiny.en, and the openai-whisper checkpoint coprod derives from it);
* coprod as it decoded before issue #10 (faster-whisper's VAD filter, then Whisper's 30 s
  windows over the speech joined up), for reference.

For each recording and configuration: word error rate, lost phrases and the real-time factor
(seconds of audio per second of decoding; models loaded once, before timing). For coprod's
captions (bbc style): cues over the reading rate with and without the time-to-read step, how long
a cue stays up after its speech, QC errors and bad line ends.

A lost phrase: normalise reference and hypothesis as for the WER (numbers spelled out), align them
with the fewest substitutions, deletions and insertions (among those, the most matched words); a
reference word is kept when it is aligned to the same word. A lost phrase is a run of 3 or more
consecutive reference words none of which is kept.

Usage: python bench/longform.py [--recordings N] [--seed S] [--no-write] [--keep DIR]
       python bench/longform.py --rescore DIR    # the run kept in DIR, scored and reported again
Writes the "Long-form transcription" section of docs/BENCHMARKS.md unless --no-write.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.sections import DOCS, machine, write_section  # noqa: E402

CORPUS = Path(os.environ.get("COPROD_CORPUS", ROOT.parent / "shared" / "corpus"))
START, END = "<!-- longform:start -->", "<!-- longform:end -->"
SR = 16000

# The corpus's English utterances with exact references (manifest.tsv), one file per utterance.
UTTERANCES = (
    "audio/whisper/jfk.flac",
    "audio/pocketsphinx/sense_and_sensibility_01_austen_64kb-0870.wav",
    "audio/pocketsphinx/sense_and_sensibility_01_austen_64kb-0920.wav",
    "audio/lhotse/2412-153948-0000.flac",
    "audio/lhotse/ES2011a.Headset-0-40s-46s.wav",
    "audio/lhotse/LJ002-0020.wav",
    "audio/speechbrain/example1.wav",
    "audio/DeepSpeech/LDC93S1.wav",
)
PAUSE_S = (0.3, 6.0)
LENGTH_S = (60.0, 180.0)
FILLERS = ("silence", "music", "noise")
# Filler level against the corpus speech's RMS, and the share of pauses it fills.
FILLER_LEVEL = {"music": 0.4, "noise": 0.25}
FILLER_SHARE = 0.6
FADE_S = 0.05
LOST_RUN = 3
MISHEARD_RATIO = 0.5

CONFIGS = ("coprod/faster-whisper", "plain/faster-whisper", "before/faster-whisper",
           "coprod/openai-whisper", "plain/openai-whisper")
LABELS = {
    "coprod/faster-whisper": "coprod, faster-whisper",
    "plain/faster-whisper": "plain faster-whisper (defaults, no VAD)",
    "before/faster-whisper": "coprod before #10, faster-whisper",
    "coprod/openai-whisper": "coprod, openai-whisper",
    "plain/openai-whisper": "plain openai-whisper (defaults, no VAD)",
}


# --- recordings --------------------------------------------------------------------------------


def corpus_references() -> dict[str, str]:
    """Reference text of each utterance, from the corpus manifest."""
    with (CORPUS / "manifest.tsv").open(encoding="utf-8", newline="") as handle:
        rows = {row["file"]: row for row in csv.DictReader(handle, delimiter="\t")}
    out = {}
    for rel in UTTERANCES:
        row = rows[rel]
        assert row["reference_quality"] == "exact", rel
        out[rel] = row["reference"]
    return out


def decode_utterance(rel: str) -> Any:
    """An utterance as 16 kHz mono float32 samples (ffmpeg through pipeline.runner)."""
    import numpy as np

    from pipeline import runner

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "u.wav"
        runner.ffmpeg(["-i", CORPUS / rel, "-ac", "1", "-ar", str(SR), "-c:a", "pcm_s16le", out])
        with wave.open(str(out), "rb") as wav:
            data = wav.readframes(wav.getnframes())
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


def music(rng: Any, n: int) -> Any:
    """Seconds of simple music: plucked notes of a pentatonic scale over a drone, with a beat."""
    import numpy as np

    t = np.arange(n) / SR
    out = np.zeros(n)
    root = float(rng.choice([196.0, 220.0, 246.9, 261.6]))
    scale = root * 2 ** (np.array([0, 2, 4, 7, 9, 12, 14, 16]) / 12)
    step = int(rng.uniform(0.18, 0.4) * SR)
    for start in range(0, n, step):
        end = min(n, start + 2 * step)
        tt = t[start:end] - t[start]
        f = float(rng.choice(scale))
        out[start:end] += np.exp(-tt * 5) * (np.sin(2 * np.pi * f * tt)
                                             + 0.4 * np.sin(4 * np.pi * f * tt)
                                             + 0.15 * np.sin(6 * np.pi * f * tt))
    out += 0.5 * np.sin(2 * np.pi * root / 2 * t) * (0.7 + 0.3 * np.sin(2 * np.pi * 0.5 * t))
    beat = 2 * step
    for start in range(0, n, beat):
        end = min(n, start + int(0.05 * SR))
        out[start:end] += rng.standard_normal(end - start) * np.exp(-np.arange(end - start) / 150)
    return out


def noise(rng: Any, n: int) -> Any:
    """Pink noise (1/f power), like a room or street behind the speaker."""
    import numpy as np

    spectrum = np.fft.rfft(rng.standard_normal(max(n, 2)))
    freqs = np.fft.rfftfreq(max(n, 2))
    spectrum[1:] /= np.sqrt(freqs[1:])
    spectrum[0] = 0
    return np.fft.irfft(spectrum, max(n, 2))[:n]


@dataclass
class Recording:
    """One built recording: its audio file, reference, and what it is made of."""

    name: str
    wav: Path
    seconds: float
    filler: str
    reference: str
    parts: list[tuple[str, float, float, str]]  # (utterance, start s, end s, reference)


def build_recording(index: int, seed: int, audio: dict[str, Any], refs: dict[str, str],
                    speech_rms: float, dest: Path) -> Recording:
    """Recording ``index``: utterances in random order, random pauses, maybe music or noise."""
    import numpy as np

    rng = random.Random(seed * 1000 + index)
    nrng = np.random.default_rng(seed * 1000 + index)
    filler = FILLERS[index % len(FILLERS)]
    target = rng.uniform(*LENGTH_S)
    pieces: list[Any] = []
    parts: list[tuple[str, float, float, str]] = []
    words: list[str] = []
    total = 0
    previous = None

    def pause() -> None:
        nonlocal total
        n = int(rng.uniform(*PAUSE_S) * SR)
        gap = np.zeros(n, dtype=np.float32)
        if filler != "silence" and rng.random() < FILLER_SHARE:
            margin = int(0.15 * SR)
            inner = n - 2 * margin
            if inner > int(0.3 * SR):
                sound = music(nrng, inner) if filler == "music" else noise(nrng, inner)
                sound *= FILLER_LEVEL[filler] * speech_rms / max(1e-9, float(np.sqrt(
                    np.mean(sound ** 2))))
                fade = min(int(FADE_S * SR), inner // 2)
                ramp = np.linspace(0, 1, fade)
                sound[:fade] *= ramp
                sound[-fade:] *= ramp[::-1]
                gap[margin : margin + inner] = sound
        pieces.append(gap)
        total += n

    pause()
    while True:
        rel = rng.choice([u for u in UTTERANCES if u != previous])
        clip = audio[rel]
        if (total + len(clip)) / SR > LENGTH_S[1] - PAUSE_S[1]:
            break
        pieces.append(clip)
        parts.append((Path(rel).name, total / SR, (total + len(clip)) / SR, refs[rel]))
        words.append(refs[rel])
        total += len(clip)
        previous = rel
        pause()
        if total / SR >= target:
            break
    samples = np.clip(np.concatenate(pieces), -1, 1)
    wav = dest / f"long-{index:02d}.wav"
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SR)
        out.writeframes((samples * 32767).astype("<i2").tobytes())
    return Recording(f"long-{index:02d}", wav, total / SR, filler, " ".join(words), parts)


# --- scoring -----------------------------------------------------------------------------------

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
         "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def _cardinal(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + " hundred" + ("" if rest == 0 else " and " + _cardinal(rest))
    if n < 1_000_000:
        rest = n % 1000
        return _cardinal(n // 1000) + " thousand" + ("" if rest == 0 else " " + _cardinal(rest))
    return str(n)


def _spoken_number(match: re.Match[str]) -> str:
    n = int(match.group(0).replace(",", ""))
    if 1100 <= n <= 1999 or 2010 <= n <= 2099:  # a year, as it is read: "eighteen thirteen"
        high, low = divmod(n, 100)
        tail = "hundred" if low == 0 else ("oh " + _ONES[low] if low < 10 else _cardinal(low))
        return f"{_cardinal(high)} {tail}"
    return _cardinal(n)


def normalise(text: str) -> list[str]:
    """Words for scoring: numbers spelled out, then bench.wer's normalisation."""
    from bench.wer import normalise_for_wer

    spelled = re.sub(r"\d[\d,]*", _spoken_number, text)
    return normalise_for_wer(spelled.replace("-", " "))


def align(ref: Sequence[str], hyp: Sequence[str]) -> tuple[list[int | None], int]:
    """For each reference word the hypothesis word it is matched to (or None), and the edit
    distance, by a minimum-edit alignment; among those, one with the most matched words."""
    n, m = len(ref), len(hyp)
    # cost[i][j] = (edits, -matches) aligning ref[:i] with hyp[:j]
    cost = [[(0, 0)] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        cost[i][0] = (i, 0)
    for j in range(1, m + 1):
        cost[0][j] = (j, 0)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            same = ref[i - 1] == hyp[j - 1]
            diag = cost[i - 1][j - 1]
            cost[i][j] = min((diag[0] + (not same), diag[1] - same),
                             (cost[i - 1][j][0] + 1, cost[i - 1][j][1]),
                             (cost[i][j - 1][0] + 1, cost[i][j - 1][1]))
    kept: list[int | None] = [None] * n
    i, j = n, m
    while i > 0 and j > 0:
        same = ref[i - 1] == hyp[j - 1]
        diag = cost[i - 1][j - 1]
        if cost[i][j] == (diag[0] + (not same), diag[1] - same):
            kept[i - 1] = j - 1 if same else None
            i, j = i - 1, j - 1
        elif cost[i][j] == (cost[i - 1][j][0] + 1, cost[i - 1][j][1]):
            i -= 1
        else:
            j -= 1
    return kept, cost[n][m][0]


@dataclass
class Phrases:
    """What an alignment says about runs of reference words that were not matched."""

    lost: list[str]  # runs the hypothesis does not have at all
    misheard: list[str]  # runs it has spelled differently ("darksuit" for "dark suit in")
    edits: int
    ref_words: int


def lost_phrases(reference: str, hypothesis: str) -> Phrases:
    """Runs of LOST_RUN or more consecutive reference words none of which is matched.

    Such a run is misheard, not lost, when the hypothesis words between its matched neighbours
    spell it closely (difflib ratio of the letters >= MISHEARD_RATIO): Whisper wrote the words,
    wrongly ("She had your darksuit and greasy washwall roll year."); a lost run has nothing, or
    something else, in its place.
    """
    ref, hyp = normalise(reference), normalise(hypothesis)
    kept, edits = align(ref, hyp)
    out = Phrases([], [], edits, len(ref))
    i = 0
    while i < len(ref):
        if kept[i] is not None:
            i += 1
            continue
        j = i
        while j < len(ref) and kept[j] is None:
            j += 1
        if j - i >= LOST_RUN:
            before = next((k for k in reversed(kept[:i]) if k is not None), -1)
            after = next((k for k in kept[j:] if k is not None), len(hyp))
            heard = "".join(hyp[before + 1 : after])
            similar = difflib.SequenceMatcher(None, "".join(ref[i:j]), heard).ratio()
            (out.misheard if similar >= MISHEARD_RATIO else out.lost).append(" ".join(ref[i:j]))
        i = j
    return out


def misplaced_words(parts: Sequence[Sequence[Any]], words: Sequence[dict[str, Any]],
                    slack_s: float = 0.5) -> int:
    """Matched words whose middle is more than ``slack_s`` outside their utterance's time."""
    ref: list[str] = []
    spans: list[tuple[float, float]] = []
    for _name, start, end, text in parts:
        tokens = normalise(text)
        ref += tokens
        spans += [(start, end)] * len(tokens)
    hyp: list[str] = []
    owner: list[int] = []
    for index, word in enumerate(words):
        tokens = normalise(word["text"])
        hyp += tokens
        owner += [index] * len(tokens)
    kept, _ = align(ref, hyp)
    bad = 0
    for i, j in enumerate(kept):
        if j is None:
            continue
        word = words[owner[j]]
        middle = (word["start"] + word["end"]) / 2000
        start, end = spans[i]
        bad += not start - slack_s <= middle <= end + slack_s
    return bad


# --- worker: one engine in its own process -----------------------------------------------------


def _old_vad_decode(engine: Any, samples: Any) -> list[Any]:
    """coprod's decoding before #10: faster-whisper's VAD filter (2 s silences out, 0.4 s pad),
    speech joined up and decoded in Whisper's consecutive 30 s windows."""
    from faster_whisper.vad import VadOptions

    from pipeline.transcribe.engines.faster import _segment

    segments, _ = engine._model.transcribe(
        samples, language=None, beam_size=5, word_timestamps=True, vad_filter=True,
        vad_parameters=VadOptions(threshold=0.5, min_silence_duration_ms=2000,
                                  speech_pad_ms=400),
        no_speech_threshold=None)
    return [_segment(s) for s in segments]


def worker(engine_name: str, manifest: Path, out: Path) -> None:
    """Transcribe every recording with coprod and the plain engine (and coprod before #10)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from pipeline.transcribe.audio import transcribe_audio
    from pipeline.transcribe.engines import load_engine, read_wav
    from pipeline.transcribe.hallucinations import guard

    items = json.loads(manifest.read_text(encoding="utf-8"))
    engine = load_engine(engine_name, language="en")
    model: Any = engine._model  # type: ignore[attr-defined]

    def plain(samples: Any) -> str:
        if engine_name == "faster-whisper":
            segments, _ = model.transcribe(samples)
            return " ".join(s.text.strip() for s in segments)
        import whisper

        return str(whisper.transcribe(model, samples, fp16=False)["text"])

    def coprod(samples: Any) -> dict[str, Any]:
        result = transcribe_audio(engine, samples, "en")
        kept, dropped = guard(result.segments, [(r.start, r.end) for r in result.speech])
        return {"segments": [s.to_dict() for s in kept],
                "dropped": [d.to_dict() for d in dropped],
                "redecoded": [r.to_dict() for r in result.redecoded],
                "chunks": len(result.chunks)}

    def before(samples: Any) -> dict[str, Any]:
        kept, dropped = guard(_old_vad_decode(engine, samples))
        return {"segments": [s.to_dict() for s in kept],
                "dropped": [d.to_dict() for d in dropped]}

    runs: dict[str, Any] = {"coprod": coprod, "plain": plain}
    if engine_name == "faster-whisper":
        runs["before"] = before
    warm = read_wav(Path(items[0]["wav"]))[: SR * 8]
    for run in runs.values():
        run(warm)  # warm-up: first-call costs (numba's DTW for openai-whisper) are not timed
    results: dict[str, Any] = {}
    for index, item in enumerate(items):
        samples = read_wav(Path(item["wav"]))
        order = list(runs) if index % 2 == 0 else list(runs)[::-1]  # take turns going first
        entry: dict[str, Any] = {}
        for kind in order:
            start = time.perf_counter()
            value = runs[kind](samples)
            seconds = time.perf_counter() - start
            entry[kind] = {"result": value, "decode_s": seconds}
        results[item["name"]] = entry
        print(f"  {engine_name} {item['name']}: " + ", ".join(
            f"{k} {item['seconds'] / v['decode_s']:.1f}x" for k, v in entry.items()), flush=True)
    out.write_text(json.dumps({"engine": engine_name, "version": engine.version,
                               "results": results}), encoding="utf-8")


def run_worker(engine: str, manifest: Path, dest: Path) -> dict[str, Any]:
    out = dest / f"{engine}.json"
    proc = subprocess.run([sys.executable, __file__, "--worker", engine, str(manifest), str(out)],
                          check=False, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{engine} worker failed:\n{proc.stderr[-3000:]}")
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


# --- captions ----------------------------------------------------------------------------------


def caption_metrics(segments: list[dict[str, Any]], duration_ms: int) -> dict[str, Any]:
    """coprod's bbc captions for the words: reading rate with and without time to read, linger
    after speech, QC errors, bad line ends."""
    from captions import qc
    from captions.language import is_bad_line_end
    from captions.model import Word
    from captions.segment import allow_reading_time, group_words, time_cues, to_cues
    from captions.styles import get_style
    from pipeline.transcribe import _clamp

    style = get_style("bbc")
    words = [Word(w["start"], w["end"], w["text"], w["probability"])
             for s in segments for w in s["words"]]
    groups = group_words(words, style)
    without = time_cues(to_cues(groups, style), style)
    with_time = allow_reading_time(without, groups, style)

    def over_rate(cues: list[Any]) -> int:
        found = qc.check(_clamp(cues, duration_ms), style, clip_duration_ms=duration_ms)
        return sum(f.rule == qc.READING_RATE for f in found)

    final = _clamp(with_time, duration_ms)
    findings = qc.check(final, style, clip_duration_ms=duration_ms)
    bad = 0
    for i, cue in enumerate(final):
        lines = cue.lines
        for line, following in zip(lines, lines[1:], strict=False):
            bad += is_bad_line_end(line, following)
        if lines and i + 1 < len(final) and final[i + 1].lines:
            bad += is_bad_line_end(lines[-1], final[i + 1].lines[0])
    linger = max((c.end - g[-1].end for c, g in zip(with_time, groups, strict=True)),
                 default=0)
    return {"cues": len(final), "over_rate_without": over_rate(without),
            "over_rate_with": over_rate(with_time),
            "qc_errors": sum(f.severity == qc.ERROR for f in findings),
            "bad_line_ends": bad, "max_linger_ms": linger}


# --- report ------------------------------------------------------------------------------------


def score(recordings: list[Recording], workers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per recording and per configuration: WER, lost phrases, RTF, and coprod's captions."""
    table: dict[str, dict[str, Any]] = {}
    for rec in recordings:
        row: dict[str, Any] = {}
        for config in CONFIGS:
            kind, engine = config.split("/")
            entry = workers.get(engine, {}).get("results", {}).get(rec.name, {}).get(kind)
            if entry is None:
                continue
            value = entry["result"]
            if isinstance(value, str):
                text = value
            else:
                text = " ".join(w["text"] for s in value["segments"] for w in s["words"])
            phrases = lost_phrases(rec.reference, text)
            cell: dict[str, Any] = {"edits": phrases.edits, "ref_words": phrases.ref_words,
                                    "lost": phrases.lost, "misheard": phrases.misheard,
                                    "decode_s": entry["decode_s"]}
            if not isinstance(value, str):
                cell["captions"] = caption_metrics(value["segments"], round(rec.seconds * 1000))
                cell["misplaced"] = misplaced_words(
                    rec.parts, [w for s in value["segments"] for w in s["words"]])
                cell["redecoded"] = value.get("redecoded", [])
                cell["dropped"] = len(value["dropped"])
                cell["chunks"] = value.get("chunks")
            row[config] = cell
        table[rec.name] = row
    return table


def report(recordings: list[Recording], table: dict[str, dict[str, Any]],
           versions: dict[str, str], seed: int,
           load: tuple[float, float] | None = None,
           note: str | None = None) -> tuple[str, list[tuple[str, bool, str]]]:
    audio_s = sum(r.seconds for r in recordings)
    configs = [c for c in CONFIGS if all(c in table[r.name] for r in recordings)]
    totals: dict[str, dict[str, float]] = {}
    for config in configs:
        cells = [table[r.name][config] for r in recordings]
        totals[config] = {
            "wer": sum(c["edits"] for c in cells) / sum(c["ref_words"] for c in cells),
            "lost": sum(len(c["lost"]) for c in cells),
            "with_lost": sum(bool(c["lost"]) for c in cells),
            "misheard": sum(len(c["misheard"]) for c in cells),
            "rtf": audio_s / sum(c["decode_s"] for c in cells),
            "worst_wer": max(c["edits"] / c["ref_words"] for c in cells),
            "misplaced": (sum(c["misplaced"] for c in cells) if all("misplaced" in c for c in cells)
                          else -1),
        }
    fillers = {f: sum(r.filler == f for r in recordings) for f in FILLERS}
    lines = [
        START,
        "## Long-form transcription",
        "",
        f"Measured {date.today().isoformat()} by `python bench/longform.py` (seed {seed}) on "
        f"{machine()}; faster-whisper {versions.get('faster-whisper', '?')}, openai-whisper "
        f"{versions.get('openai-whisper', '?')}, model: bundled tiny.en (openai-whisper runs "
        "the checkpoint coprod derives from it)."
        + (f" Load average (1 min) {load[0]:.1f} at the start and {load[1]:.1f} at the end: the "
           "2 cores were shared, so real-time factors are lower than on an idle machine; the "
           "configurations of an engine take turns, so their ratios hold." if load else "")
        + (f" {note}" if note else ""),
        "",
        f"{len(recordings)} recordings of {min(r.seconds for r in recordings):.0f}-"
        f"{max(r.seconds for r in recordings):.0f} s ({audio_s / 60:.1f} minutes in all), each "
        "built from the corpus's eight English utterances with exact references (JFK, LibriVox "
        "0870/0920, LibriSpeech 2412, AMI ES2011a, LJSpeech LJ002-0020, Harvard, TIMIT) in "
        f"random order with random pauses of {PAUSE_S[0]}-{PAUSE_S[1]:.0f} s; "
        f"{fillers['music']} have music and {fillers['noise']} pink noise in "
        f"{FILLER_SHARE:.0%} of their pauses (numpy, seeded; music at "
        f"{FILLER_LEVEL['music']:.0%} and noise at {FILLER_LEVEL['noise']:.0%} of the speech's "
        "RMS). Plain engines run with their library defaults and no VAD. WER counts numbers "
        "spelled out (1813 = eighteen thirteen). Reference and hypothesis are aligned with the "
        "fewest substitutions, deletions and insertions (ties: the most matched words); a run of "
        "3 or more consecutive reference words none of which is matched is a lost phrase, unless "
        "the hypothesis words in its place spell it closely (difflib ratio of the letters >= "
        f"{MISHEARD_RATIO}: \"darksuit and\" for \"dark suit in\"), which is counted as misheard, "
        "not lost. Real-time factor: seconds of audio per second of decoding, models loaded "
        "before timing; the configurations of an engine take turns on each recording. A word "
        "is timed outside its utterance when its middle is more than 0.5 s before or after "
        "the utterance it is matched to (plain engines give no word times here).",
        "",
        "| configuration | WER | lost phrases | recordings with a lost phrase | misheard runs | "
        "worst WER | real-time factor | words timed outside their utterance |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for config in configs:
        t = totals[config]
        placed = "-" if t["misplaced"] < 0 else f"{t['misplaced']:.0f}"
        lines.append(f"| {LABELS[config]} | {t['wer']:.3f} | {t['lost']:.0f} | "
                     f"{t['with_lost']:.0f} of {len(recordings)} | {t['misheard']:.0f} | "
                     f"{t['worst_wer']:.3f} | {t['rtf']:.1f}x | {placed} |")
    redo: dict[str, tuple[int, int]] = {}
    for config in configs:
        if config.startswith("coprod/"):
            records = [x for r in recordings for x in table[r.name][config]["redecoded"]]
            redo[config] = (len(records), sum(x["kept"] == "re-decode" for x in records))
    lines += ["", "Boundary guard: " + "; ".join(
        f"{LABELS[c]} decoded {n} stretches again and kept {k} re-decodes" for c, (n, k) in
        redo.items()) + "."]
    lines += ["", "Per recording (WER, and lost phrases where there are any):", "",
              "| recording | s | between utterances | " + " | ".join(LABELS[c] for c in configs)
              + " |", "|---|---|---|" + "---|" * len(configs)]
    for rec in recordings:
        cells = []
        for config in configs:
            c = table[rec.name][config]
            cell = f"{c['edits'] / c['ref_words']:.3f}"
            if c["lost"]:
                cell += " (lost: " + "; ".join(f"\"{p}\"" for p in c["lost"]) + ")"
            cells.append(cell)
        lines.append(f"| {rec.name} | {rec.seconds:.0f} | {rec.filler} | " + " | ".join(cells)
                     + " |")
    lines += ["", "coprod's captions (bbc style) on the same recordings:", "",
              "| engine | cues | over 180 wpm without time to read | with it | longest on "
              "screen after speech | QC errors | bad line ends |", "|---|---|---|---|---|---|---|"]
    caption_totals: dict[str, dict[str, int]] = {}
    for config in configs:
        if not config.startswith("coprod/"):
            continue
        caps = [table[r.name][config]["captions"] for r in recordings]
        total = {k: sum(c[k] for c in caps) for k in
                 ("cues", "over_rate_without", "over_rate_with", "qc_errors", "bad_line_ends")}
        total["max_linger_ms"] = max(c["max_linger_ms"] for c in caps)
        total["recordings_with_errors"] = sum(c["qc_errors"] > 0 or c["bad_line_ends"] > 0
                                              for c in caps)
        caption_totals[config] = total
        lines.append(f"| {config.split('/')[1]} | {total['cues']} | "
                     f"{total['over_rate_without']} | {total['over_rate_with']} | "
                     f"{total['max_linger_ms'] / 1000:.2f} s | {total['qc_errors']} | "
                     f"{total['bad_line_ends']} |")
    if "before/faster-whisper" in configs:
        caps = [table[r.name]["before/faster-whisper"]["captions"] for r in recordings]
        lines += ["", f"coprod before #10 (faster-whisper) made {sum(c['cues'] for c in caps)} "
                  f"cues, {sum(c['over_rate_without'] for c in caps)} of them over 180 wpm."]

    targets: list[tuple[str, bool, str]] = []
    for engine in ("faster-whisper", "openai-whisper"):
        mine, theirs = f"coprod/{engine}", f"plain/{engine}"
        if mine not in totals:
            continue
        targets.append((f"0 lost phrases on every recording, coprod with {engine}",
                        totals[mine]["lost"] == 0, f"{totals[mine]['lost']:.0f}"))
        if theirs in totals:
            targets.append((f"coprod's WER <= plain {engine}'s + 0.01",
                            totals[mine]["wer"] <= totals[theirs]["wer"] + 0.01,
                            f"{totals[mine]['wer']:.3f} vs {totals[theirs]['wer']:.3f}"))
        total = caption_totals[mine]
        targets.append((f"fewer cues over the reading rate ({engine})",
                        total["over_rate_with"] < total["over_rate_without"],
                        f"{total['over_rate_without']} -> {total['over_rate_with']}"))
        targets.append((f"no cue up more than about 1 s after its speech ({engine})",
                        total["max_linger_ms"] <= 1050, f"{total['max_linger_ms'] / 1000:.2f} s"))
        targets.append((f"0 QC errors and 0 bad line ends on every recording ({engine})",
                        total["recordings_with_errors"] == 0,
                        f"{total['qc_errors']} errors, {total['bad_line_ends']} bad line ends"))
    lines += ["", "| target | result | met |", "|---|---|---|"]
    lines += [f"| {what} | {value} | {'yes' if ok else 'NO'} |" for what, ok, value in targets]
    lines += ["", END]
    return "\n".join(lines) + "\n", targets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=21, help="how many recordings")
    parser.add_argument("--seed", type=int, default=10, help="seed for the recordings")
    parser.add_argument("--engines", nargs="+", default=["faster-whisper", "openai-whisper"])
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--keep", type=Path, help="build the recordings in this folder, keep them")
    parser.add_argument("--rescore", type=Path, metavar="DIR",
                        help="score and report the run kept in DIR (--keep) again; no decoding")
    parser.add_argument("--worker", nargs=3, metavar=("ENGINE", "MANIFEST", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]), Path(args.worker[2]))
        return 0
    if args.rescore:
        return finish(*load_run(args.rescore), write=not args.no_write,
                      note=_run_note(args.rescore))
    import numpy as np

    load_start = os.getloadavg()[0]
    refs = corpus_references()
    audio = {rel: decode_utterance(rel) for rel in UTTERANCES}
    speech_rms = float(np.sqrt(np.mean(np.concatenate(list(audio.values())) ** 2)))
    with tempfile.TemporaryDirectory(prefix="coprod-longform-") as tmp:
        dest = args.keep or Path(tmp)
        dest.mkdir(parents=True, exist_ok=True)
        recordings = [build_recording(i, args.seed, audio, refs, speech_rms, dest)
                      for i in range(args.recordings)]
        manifest = dest / "recordings.json"
        manifest.write_text(json.dumps([{"name": r.name, "wav": str(r.wav),
                                         "seconds": r.seconds, "filler": r.filler,
                                         "reference": r.reference, "parts": r.parts}
                                        for r in recordings], indent=1), encoding="utf-8")
        print(f"{len(recordings)} recordings, {sum(r.seconds for r in recordings) / 60:.1f} min")
        workers = {}
        for engine in args.engines:
            print(f"{engine} ...", flush=True)
            workers[engine] = run_worker(engine, manifest, dest)
        load = (load_start, os.getloadavg()[0])
        (dest / "results.json").write_text(json.dumps({"seed": args.seed, "load": load,
                                                       "workers": workers}), encoding="utf-8")
    return finish(recordings, workers, args.seed, load, write=not args.no_write)


def load_run(folder: Path) -> tuple[list[Recording], dict[str, Any], int,
                                    tuple[float, float] | None]:
    """The recordings and results of a run kept with --keep."""
    items = json.loads((folder / "recordings.json").read_text(encoding="utf-8"))
    recordings = [Recording(i["name"], Path(i["wav"]), i["seconds"], i["filler"],
                            i["reference"], [tuple(p) for p in i["parts"]]) for i in items]
    run = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    load = run.get("load")
    return recordings, run["workers"], run["seed"], (load[0], load[1]) if load else None


def _run_note(folder: Path) -> str | None:
    """What a kept run says of itself (results.json "note"): e.g. that its engines' workers ran
    at different times on the same recordings."""
    note = json.loads((folder / "results.json").read_text(encoding="utf-8")).get("note")
    return str(note) if note else None


def finish(recordings: list[Recording], workers: dict[str, Any], seed: int,
           load: tuple[float, float] | None, *, write: bool, note: str | None = None) -> int:
    """Score, print the report, write it to docs/BENCHMARKS.md; exit 1 if a target is missed."""
    table = score(recordings, workers)
    versions = {e: w["version"] for e, w in workers.items()}
    text, targets = report(recordings, table, versions, seed, load, note)
    print()
    print(text)
    if write:
        write_section(START, END, text)
        print(f"wrote the long-form section of {DOCS.relative_to(ROOT)}")
    return 0 if all(ok for _, ok, _ in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
