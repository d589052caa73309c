"""Camera-like sound fixtures (issue 22), a few seconds each, made with ffmpeg from real speech.

The speech is two Harvard-style sentences from ../shared/corpus ("The birch canoe slid on the
smooth planks", speechbrain; "She had your dark suit in greasy wash water all year", DeepSpeech);
every fixture that needs it skips, naming the corpus, when it is absent. The tests check with
ffprobe what each fixture claims (offsets, channels, tracks, codecs). A test module imports
``sound_shoot_fixture`` to use the ``sound_shoot`` fixture (no conftest.py: the folder is
shared with other fixtures).
"""

from __future__ import annotations

import math
import re
import shutil
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import pytest

from captions.formats import save as save_captions
from captions.model import Cue
from consent.ledger import Ledger
from consent.records import ConsentGiven
from pipeline import runner
from pipeline.ingest import ingest
from pipeline.project import Project

BIRCH = "audio/speechbrain/example1.wav"  # 3.26 s
SUIT = "audio/DeepSpeech/LDC93S1.wav"  # 2.93 s
SPEECH_AT_S = 1.0  # where the speech starts in each fixture's own sound
FPS = 25
FRAME_S = 1 / FPS

MakeShoot = Callable[[str], Path]


def _speech(corpus: Path, name: str, *, at_s: float = SPEECH_AT_S, gain_db: float = 0.0,
            seconds: float) -> tuple[list[str], str]:
    """ffmpeg input args and a filter chain: a corpus sentence starting at ``at_s`` s, mono
    48 kHz, ``seconds`` long."""
    path = corpus / name
    if not path.is_file():
        pytest.skip(f"shared corpus file {name} not found under {corpus} (../shared/corpus)")
    return ["-i", f"file:{path}"], (
        f"aresample=48000,aformat=channel_layouts=mono,volume={gain_db}dB,"
        f"adelay={round(at_s * 1000)}:all=1,apad=whole_dur={seconds}")


def _video(seconds: float) -> list[str]:
    return ["-f", "lavfi", "-i", f"testsrc=size=320x180:rate={FPS}:duration={seconds}"]


_H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-bf", "0"]


def _make(kind: str, corpus: Path, out: Path, work: Path) -> None:
    """Make fixture ``kind`` at ``out`` (scratch files in ``work``)."""
    if kind in ("late", "early"):
        # Picture and sound made apart, then muxed with the sound's or the picture's start
        # moved (PCM in MOV: the start is exact, with no AAC priming): "late" sound starts
        # 0.5 s after the picture, "early" sound 0.3 s before it.
        picture, sound = work / f"{kind}-picture.mp4", work / f"{kind}-sound.wav"
        runner.ffmpeg([*_video(5.0), *_H264, f"file:{picture}"])
        ins, graph = _speech(corpus, BIRCH, seconds=5.0)
        runner.ffmpeg([*ins, "-af", graph, "-c:a", "pcm_s16le", f"file:{sound}"])
        moved = ["-itsoffset", "0.5"] if kind == "late" else []
        still = ["-itsoffset", "0.3"] if kind == "early" else []
        runner.ffmpeg([*still, "-i", f"file:{picture}", *moved, "-i", f"file:{sound}",
                       "-map", "0:v", "-map", "1:a", "-c", "copy", f"file:{out}"])
    elif kind == "lav":
        # Speech on the left channel, a faint hiss on the right: a lavalier on channel 1. The
        # sentence's peaks stand 20 dB over its loudness, as close-miked speech's do.
        ins, graph = _speech(corpus, SUIT, seconds=4.0)
        runner.ffmpeg([*_video(4.0), *ins, "-f", "lavfi", "-i",
                       "anoisesrc=color=pink:amplitude=0.0003:sample_rate=48000:duration=4",
                       "-filter_complex", f"[1:a]{graph}[l];[l][2:a]join=inputs=2:"
                       "channel_layout=stereo:map=0.0-FL|1.0-FR[a]",
                       "-map", "0:v", "-map", "[a]", *_H264, "-c:a", "pcm_s16le", "-t", "4",
                       f"file:{out}"])
    elif kind == "two-lavs":
        # Two mono tracks, one speaker each, speaking one after the other.
        one, g1 = _speech(corpus, BIRCH, at_s=0.5, seconds=8.0)
        two, g2 = _speech(corpus, SUIT, at_s=4.5, seconds=8.0)
        runner.ffmpeg([*_video(8.0), *one, *two, "-filter_complex",
                       f"[1:a]{g1}[a1];[2:a]{g2}[a2]", "-map", "0:v", "-map", "[a1]",
                       "-map", "[a2]", *_H264, "-c:a", "pcm_s16le", "-t", "8", f"file:{out}"])
    elif kind == "prores":
        ins, graph = _speech(corpus, BIRCH, seconds=4.0)
        runner.ffmpeg([*_video(4.0), *ins, "-filter_complex", f"[1:a]{graph},"
                       "aformat=channel_layouts=stereo[a]", "-map", "0:v", "-map", "[a]",
                       "-c:v", "prores_ks", "-profile:v", "1", "-c:a", "pcm_s24le", "-t", "4",
                       f"file:{out}"])
    else:
        # Loudness material, speech on both channels: very quiet (a distant recorder), clipped
        # (gain far past full scale, then clipped flat), very dynamic (a sentence close to the
        # microphone, then the next one 20 dB quieter).
        seconds = 9.0 if kind == "dynamic" else 5.0
        if kind == "dynamic":
            loud, g1 = _speech(corpus, SUIT, at_s=0.5, seconds=seconds)
            soft, g2 = _speech(corpus, BIRCH, at_s=5.0, gain_db=-20, seconds=seconds)
            ins, graph = [*loud, *soft], (f"[1:a]{g1}[x];[2:a]{g2}[y];"
                                          "[x][y]amix=inputs=2:normalize=0")
        else:
            gain = -20.0 if kind == "quiet" else 30.0
            one, g = _speech(corpus, SUIT if kind == "quiet" else BIRCH, gain_db=gain,
                             seconds=seconds)
            ins, graph = one, f"[1:a]{g}" + (",alimiter=limit=1:level=0:attack=0.1:release=1"
                                                ",volume=6dB" if kind == "clipped" else "")
        runner.ffmpeg([*_video(seconds), *ins, "-filter_complex",
                       f"{graph},aformat=channel_layouts=stereo[a]", "-map", "0:v", "-map", "[a]",
                       *_H264, "-c:a", "pcm_s16le", "-t", str(seconds), f"file:{out}"])


@pytest.fixture(scope="session", name="sound_shoot")
def sound_shoot_fixture(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> MakeShoot:
    """Make (once) the camera-like fixture ``kind`` and return its path."""
    folder = tmp_path_factory.mktemp("sound-shoot")

    def make(kind: str) -> Path:
        out = folder / f"{kind}.mov"
        if not out.exists():
            _make(kind, corpus, out, folder)
        return out

    return make


# --- what ffprobe and ffmpeg say about a file ---------------------------------------------------


def start_times(path: Path) -> dict[str, list[float]]:
    """Each stream's start time (s) by codec type, as ffprobe reports it."""
    out: dict[str, list[float]] = {}
    for stream in runner.ffprobe_json(path)["streams"]:
        out.setdefault(stream["codec_type"], []).append(float(stream["start_time"]))
    return out


def speech_onsets(path: Path, *, stream: str = "a:0", noise_db: float = -45.0) -> list[float]:
    """Where sound rises out of silence (s from the file's start), by silencedetect."""
    log = runner.run(["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-i", f"file:{path}",
                      "-map", f"0:{stream}", "-af",
                      f"aformat=channel_layouts=mono,silencedetect=noise={noise_db}dB:d=0.25",
                      "-f", "null", "-"]).stderr.decode()
    return [float(m) for m in re.findall(r"silence_end: (-?[\d.]+)", log)]


def channel_levels(path: Path, *, stream: str = "a:0") -> list[float]:
    """RMS level (dBFS) of each channel of ``stream``."""
    log = runner.run(["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-i", f"file:{path}",
                      "-map", f"0:{stream}", "-af",
                      "astats=measure_overall=none:measure_perchannel=RMS_level",
                      "-f", "null", "-"]).stderr.decode()
    return [float(v) if v not in ("-inf", "inf") else -math.inf
            for v in re.findall(r"RMS level dB: (\S+)", log)]


# --- a film made from the fixtures, the way a producer makes one ------------------------------


def shoot_project(root: Path, files: Sequence[Path], *, signed: bool = True,
                  cues: dict[str, list[Cue]] | None = None) -> Project:
    """A project with ``files`` ingested (one contributor each), consent for every channel,
    caption files (``cues``, else one cue a clip), and sign-off when ``signed``."""
    from tests.pipeline.conftest import record_signoffs

    project = Project.create(root, "Real shoot")
    project.add_contributor("amara", "Amara Okafor")
    project.save()
    ingest(project, list(files), contributors=["amara"])
    project = project.reload()
    for clip_id in project.film.clips:
        save_captions((cues or {}).get(clip_id, [Cue(500, 1500, "Hello.")]),
                      project.caption_path(clip_id))
    Ledger(project.ledger_path).add(ConsentGiven.create(
        "amara", scopes=["appear", "voice", "name"], channels=["internal", "web", "broadcast"],
        given=date(2026, 1, 10), method="written", obtained_by="Sam (support worker)"))
    if signed:
        record_signoffs(project)
    return project


def copy_in(src: Path, folder: Path, name: str) -> Path:
    """``src`` copied to ``folder/name`` (ingest names the clip after the file)."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(src, folder / name))
