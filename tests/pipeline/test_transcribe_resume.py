"""A transcription stopped part-way resumes from its last finished chunk (issue 22, item 7).

The clip is real speech from ../shared/corpus, long enough for several chunks. A run is stopped
after its first chunk, by an exception or by SIGKILL of the whole process; the next run decodes
only the chunks not finished, says how much was done, and keeps the same words as a run that was
never stopped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import pipeline.transcribe.audio as decoding
from pipeline.exceptions import BatchError
from pipeline.project import Project
from pipeline.transcribe import transcribe_project
from pipeline.transcribe.chunk_store import ChunkStore, Resumed
from pipeline.transcribe.chunking import Chunk, Region
from pipeline.transcribe.engines.base import Segment
from pipeline.transcribe.run_report import ClipProgress
from tests.pipeline.test_transcribe import long_template  # noqa: F401 - the 74 s corpus clip

ROOT = Path(__file__).resolve().parents[2]


class Stopped(RuntimeError):
    """What the test engine raises to stop a run part-way."""


def _copy(long_template: Path, tmp_path: Path, name: str) -> Project:  # noqa: F811
    root = tmp_path / name
    shutil.copytree(long_template, root)
    return Project.open(root)


def _counting(monkeypatch: pytest.MonkeyPatch, decoded: list[Chunk],
              stop_after: int | None = None) -> None:
    """Record every chunk the engine decodes; raise once ``stop_after`` chunks are done."""
    real = decoding.decode_chunk

    def decode(engine: Any, samples: Any, chunk: Chunk, language: str | None) -> list[Segment]:
        if stop_after is not None and len(decoded) >= stop_after:
            raise Stopped("stopped after the first chunk")
        decoded.append(chunk)
        return real(engine, samples, chunk, language)

    monkeypatch.setattr(decoding, "decode_chunk", decode)


def _planned(project: Project) -> list[tuple[int, int]]:
    data = json.loads(project.transcript_path("long").read_text(encoding="utf-8"))
    return [(c["pieces"][0][0], c["pieces"][-1][1]) for c in data["chunks"]]


def _lengths(project: Project) -> list[int]:
    """Each planned chunk's audio in ms (its pieces, without the pauses left out)."""
    data = json.loads(project.transcript_path("long").read_text(encoding="utf-8"))
    return [sum(b - a for a, b in c["pieces"]) for c in data["chunks"]]


def _words(project: Project) -> list[Any]:
    return json.loads(project.transcript_path("long").read_text(encoding="utf-8"))["words"]


def _span(chunk: Chunk) -> tuple[int, int]:
    return chunk.pieces[0].start, chunk.pieces[-1].end


@pytest.fixture(scope="module")
def uninterrupted(long_template: Path,  # noqa: F811
                  tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The clip transcribed in one run that nobody stopped."""
    project = _copy(long_template, tmp_path_factory.mktemp("whole"), "film")
    transcribe_project(project)
    return project


def test_a_run_stopped_after_one_chunk_resumes_from_it(
        long_template: Path, uninterrupted: Project, tmp_path: Path,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    planned = _planned(uninterrupted)
    assert len(planned) >= 2, planned  # the clip must make several chunks for this test
    project = _copy(long_template, tmp_path, "film")
    first: list[Chunk] = []
    with monkeypatch.context() as patch:
        _counting(patch, first, stop_after=1)
        with pytest.raises(BatchError):
            transcribe_project(project)
    assert [_span(c) for c in first] == planned[:1]
    assert not project.transcript_path("long").exists()
    kept = list((project.build_dir / "chunks" / "long").rglob("*.json"))
    assert len(kept) == 1
    assert not list((project.build_dir / "chunks").rglob("*.tmp"))

    again: list[Chunk] = []
    events: list[ClipProgress] = []
    with monkeypatch.context() as patch:
        _counting(patch, again)
        transcribe_project(project, on_progress=events.append)
    spans = [_span(c) for c in again]
    # The finished chunk is not decoded again; every other planned chunk is, once (the boundary
    # guard's re-decodes, in moved windows, come after and are not planned chunks).
    assert planned[0] not in spans
    assert [s for s in spans if s in planned] == planned[1:]
    assert _words(project) == _words(uninterrupted)
    assert _planned(project) == planned
    # What the producer is told is what was skipped: one chunk of the plan, by its length.
    lengths = _lengths(uninterrupted)
    done_s, total_s = lengths[0] / 1000, sum(lengths) / 1000
    said = [e.message for e in events if e.message.startswith("resuming")]
    assert said == [Resumed(1, len(planned), done_s, total_s).message()], said
    assert f"1 of {len(planned)} chunks" in said[0]
    # The transcript holds the words now: the kept chunks are gone.
    assert not (project.build_dir / "chunks" / "long").exists()


KILLER = """
import os, signal, sys
import pipeline.transcribe.audio as decoding
real = decoding.decode_chunk
done = []
def decode(engine, samples, chunk, language):
    if done:
        os.kill(os.getpid(), signal.SIGKILL)  # the whole process, mid-clip, no clean-up
    done.append(chunk)
    return real(engine, samples, chunk, language)
decoding.decode_chunk = decode
from pipeline.cli import cli
cli(["transcribe", sys.argv[1]])
"""


def test_a_killed_process_resumes_from_its_last_finished_chunk(
        long_template: Path, uninterrupted: Project, tmp_path: Path,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    project = _copy(long_template, tmp_path, "film")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    killed = subprocess.run([sys.executable, "-c", KILLER, str(project.root)], env=env,
                            capture_output=True, text=True, check=False)
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert len(list((project.build_dir / "chunks" / "long").rglob("*.json"))) == 1
    decoded: list[Chunk] = []
    with monkeypatch.context() as patch:
        _counting(patch, decoded)
        transcribe_project(Project.open(project.root))
    assert _planned(uninterrupted)[0] not in [_span(c) for c in decoded]
    assert _words(project) == _words(uninterrupted)


def _segments() -> list[Segment]:
    from captions.model import Word

    return [Segment(100, 900, " hello there", [Word(100, 400, "hello", 0.912345678),
                                                Word(450, 900, "there", 0.5)],
                    -0.123456789, 0.0123456789, 1.23456789)]


def test_stored_chunks_are_exact_and_only_reused_under_the_same_key(tmp_path: Path) -> None:
    chunk = Chunk((Region(0, 1000), Region(1500, 2500)))
    key = {"audio_sha256": "a" * 64, "model_sha256": "m" * 64, "vad": True}
    store = ChunkStore(tmp_path / "long", key)
    store.put(0, chunk, _segments())
    assert ChunkStore(tmp_path / "long", key).get(0, chunk) == _segments()  # not rounded
    # Another clip's audio, another model or another setting: not used.
    for changed in ({**key, "audio_sha256": "b" * 64}, {**key, "model_sha256": "n" * 64},
                    {**key, "vad": False}):
        assert ChunkStore(tmp_path / "long", changed).get(0, chunk) is None
    # Another plan of chunks (the same index over other audio): not used either.
    assert store.get(0, Chunk((Region(0, 1200),))) is None
    assert store.get(1, chunk) is None


def test_a_damaged_chunk_file_is_decoded_again_and_not_counted_as_done(tmp_path: Path) -> None:
    chunks = [Chunk((Region(0, 1000),)), Chunk((Region(2000, 4000),))]
    store = ChunkStore(tmp_path / "long", {"k": 1})
    store.put(0, chunks[0], _segments())
    (path,) = store.folder.glob("*.json")
    path.write_bytes(path.read_bytes()[:40])  # torn by hand, as no atomic write leaves it
    told: list[Resumed] = []
    again = ChunkStore(tmp_path / "long", {"k": 1}, on_resume=told.append)
    assert again.begin(chunks) is None
    assert again.get(0, chunks[0]) is None
    assert told == []
    again.put(0, chunks[0], _segments())
    third = ChunkStore(tmp_path / "long", {"k": 1}, on_resume=told.append)
    third.begin(chunks)
    assert third.get(0, chunks[0]) == _segments()
    assert told == [Resumed(1, 2, 1.0, 3.0)]
    assert told[0].message() == ("resuming: 1 of 2 chunks (1.0 of 3.0 s, 33%) were transcribed "
                                 "by an earlier run that stopped")
