"""Footage hashed afresh for a publishing render: never from the cache, each once, in threads."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import pytest

from pipeline.exceptions import ProjectError
from pipeline.project import Project
from pipeline.render.footage import FreshFootage, FreshProject


@pytest.fixture
def project(tmp_path: Path) -> Project:
    project = Project.create(tmp_path / "film", "Film")
    project.add_contributor("amara")
    for i, clip_id in enumerate(("a", "b", "c")):
        path = project.footage_dir / f"{clip_id}.mp4"
        path.write_bytes(bytes([i]) * 300_000)
        project.add_clip(clip_id, f"footage/{clip_id}.mp4", project.file_sha256(path), ["amara"])
    project.save()
    return project


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _lie(project: Project, path: Path) -> None:
    cache_path = project.build_dir / "cache" / "hashes.json"
    cache = json.loads(cache_path.read_text())
    cache[str(path.resolve())]["sha256"] = "0" * 64
    cache_path.write_text(json.dumps(cache))


def test_the_cache_is_never_read(project: Project) -> None:
    for clip_id in ("a", "b"):
        _lie(project, project.clip(clip_id).file)
    assert project.footage_sha256("a") == "0" * 64  # what status and drafts would see
    with FreshFootage(project, ["a", "b", "c"]) as footage:
        fresh = FreshProject(project, footage)
        for clip_id in ("a", "b", "c"):
            assert fresh.footage_sha256(clip_id) == _sha(project.clip(clip_id).file)
        # Other files (caption files, film.yaml) are hashed afresh too.
        project.file_sha256(project.film_yaml)
        _lie(project, project.film_yaml)
        assert fresh.file_sha256(project.film_yaml) == _sha(project.film_yaml)


def test_each_clip_is_hashed_once_in_its_own_thread(project: Project,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []
    running: set[str] = set()
    overlapped = threading.Event()
    real = Project.file_sha256

    def slow(self: Project, path: Path, *, fresh: bool = False) -> str:
        calls.append((path.name, threading.current_thread().name))
        running.add(path.name)
        if len(running) > 1:
            overlapped.set()
        # The first hash waits until a second one runs beside it (the bound is for a serial
        # implementation only, which then fails the assertion below): no sleeping and hoping.
        overlapped.wait(timeout=30)
        running.discard(path.name)
        return real(self, path, fresh=fresh)

    monkeypatch.setattr(Project, "file_sha256", slow)
    with FreshFootage(project, ["a", "b", "c", "a"]) as footage:
        fresh = FreshProject(project, footage)
        for _ in range(3):
            for clip_id in ("a", "b", "c"):
                fresh.footage_sha256(clip_id, fresh=True)
    assert sorted(name for name, _ in calls) == ["a.mp4", "b.mp4", "c.mp4"]
    assert all(thread.startswith("coprod-hash") for _, thread in calls)
    assert overlapped.is_set()


def test_a_file_changed_since_it_was_hashed_is_hashed_again(project: Project) -> None:
    with FreshFootage(project, ["a"]) as footage:
        first = footage.sha256("a")
        project.clip("a").file.write_bytes(b"other footage")
        assert footage.sha256("a") == _sha(project.clip("a").file) != first


def test_missing_footage_is_the_projects_error(project: Project) -> None:
    project.clip("b").file.unlink()
    with FreshFootage(project, ["a", "b"]) as footage, \
            pytest.raises(ProjectError, match="b.mp4"):
        footage.sha256("b")
