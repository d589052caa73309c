"""Clip transcriptions on a LocalCluster: the same words as here, one model load per worker."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from pipeline.cluster import ClusterSession
from pipeline.ingest import ingest
from pipeline.project import Project
from pipeline.transcribe import ClipProgress, transcribe_project

pytestmark = pytest.mark.slow


def _engine_ids() -> dict[str, int]:
    from pipeline.cluster import tasks

    return {repr(key): id(engine) for key, engine in tasks._engines.items()}


def _words(project: Project, clip_id: str) -> list[Any]:
    data = json.loads(project.transcript_path(clip_id).read_text(encoding="utf-8"))
    return [data["words"], data["segments"], data["chunks"], data["dropped"],
            data["model_sha256"], data["audio_sha256"]]


def test_transcripts_made_on_the_cluster_are_the_ones_made_here(
        corpus: Path, make_media: Any, tmp_path: Path, session: ClusterSession,
        client: Any) -> None:
    here = Project.create(tmp_path / "here", "Transcribed here")
    ingest(here, [corpus / "audio" / "whisper" / "jfk.flac",
                  corpus / "audio" / "speechbrain" / "example1.wav",
                  make_media("noaudio.mp4", seconds=2.0, audio=False)],
           clip_ids=["jfk", "harvard", "noaudio"])
    there_root = tmp_path / "there"
    shutil.copytree(here.root, there_root)
    here, there = Project.open(here.root), Project.open(there_root)
    transcribe_project(here)
    events: list[ClipProgress] = []
    report = transcribe_project(there, cluster=session, on_progress=events.append)
    assert [r.clip_id for r in report.results] == ["jfk", "harvard", "noaudio"]
    for clip_id in ("jfk", "harvard"):
        assert _words(there, clip_id) == _words(here, clip_id)
        assert there.caption_path(clip_id).read_bytes() == here.caption_path(clip_id).read_bytes()
        assert any(e.clip_id == clip_id and "decoded on worker" in e.message for e in events)
    assert "my fellow Americans ask not" in there.caption_path("jfk").read_text(encoding="utf-8")
    # The clip without sound never went to the cluster: nothing to decode.
    assert not any(e.clip_id == "noaudio" and "cluster" in e.message for e in events)
    # One model load per worker process, kept for the next run.
    loaded = client.run(_engine_ids)
    assert all(len(ids) <= 1 for ids in loaded.values()) and any(loaded.values())
    transcribe_project(there, cluster=session, force=True)
    assert client.run(_engine_ids) == loaded  # the same engine objects: nothing loaded again
