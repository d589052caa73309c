"""A long take's sound is read and analysed without copies that grow with its length (issue 22,
item 7). Allocations are counted by tracemalloc (numpy reports its arrays to it): a count of
bytes, the same on any machine, not a time and not the process's resident memory, which the
bench reports (bench/realshoot.py)."""

from __future__ import annotations

import tracemalloc
import wave
from pathlib import Path

import numpy as np

from pipeline.transcribe.engines.base import SAMPLE_RATE, frame_energy, read_wav

MINUTES = 6


def _wav(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(samples.astype("<i2").tobytes())
    return path


def _long(length: int) -> np.ndarray:
    rng = np.random.default_rng(22)
    return (rng.standard_normal(length) * 3000).clip(-32768, 32767).astype("<i2")


def test_read_wav_gives_the_same_samples_with_one_float_copy(tmp_path: Path) -> None:
    raw = _long(SAMPLE_RATE * 60 * MINUTES + 77)  # not a whole number of blocks
    path = _wav(tmp_path / "long.wav", raw)
    tracemalloc.start()
    try:
        samples = read_wav(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert np.array_equal(samples, raw.astype(np.float32) / 32768.0)
    assert samples.dtype == np.float32
    # The float32 samples (4 bytes each) and one block of the file: not the whole file's bytes
    # as well (6 bytes a sample), nor a second float array (8).
    assert peak < 4 * len(raw) + 4 * 1024 * 1024, peak / len(raw)


def test_frame_energy_is_the_same_without_a_float64_copy_of_the_clip() -> None:
    samples = _long(SAMPLE_RATE * 60 * MINUTES + 1234).astype(np.float32) / 32768.0
    step = SAMPLE_RATE // 100
    frames = -(-len(samples) // step)
    padded = np.zeros(frames * step, dtype=np.float64)
    padded[: len(samples)] = samples
    expected = [float(v) for v in (padded.reshape(frames, step) ** 2).mean(axis=1)]
    del padded
    tracemalloc.start()
    try:
        energy = frame_energy(samples)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert energy == expected
    # The list (one float a 10 ms frame) and a minute's work at a time (16 bytes a sample of
    # that minute): not 16 bytes a sample of the whole take.
    minute = 16 * SAMPLE_RATE * 60
    assert peak < minute + 40 * frames + 1024 * 1024, peak / len(samples)
