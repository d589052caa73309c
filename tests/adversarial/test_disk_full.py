"""A full disk or a read-only project gives one line and loses nothing (issue 9, item 8).

Reproductions: a full disk gave tracebacks from status, signoff, the ledger append and the
manifest write; a read-only project gave tracebacks from status and captions check (they wrote
the hash cache). Each is tried twice: with the write-failing stub (any machine) and on a real
small tmpfs, filled up or remounted read-only (root only; skipped elsewhere, saying why).
"""

from __future__ import annotations

import errno
import re
import shutil
from pathlib import Path

import pytest

from pipeline.project import Project
from tests.adversarial.conftest import (
    FailWrites,
    SmallTmpfs,
    fill_up,
    one_line_error,
    remount_read_only,
)
from tests.conftest import MakeMedia, run_cli
from tests.pipeline.conftest import FilmFixture, MakeFilm

# Every library words these from safeio's one table; both say what to do.
DISK_FULL = re.compile(r"disk (is )?full; free (some )?space")
READ_ONLY = re.compile(r"read-only")

CONSENT = ["--scope", "appear", "--scope", "voice", "--channel", "web", "--method", "written",
           "--obtained-by", "Sam", "--capacity", "own"]


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every regular file under ``root`` (outside build/) and its bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "build" not in p.relative_to(root).parts}


@pytest.fixture
def film(make_film: MakeFilm) -> FilmFixture:
    film = make_film(2)
    shutil.rmtree(film.project.build_dir / "cache", ignore_errors=True)  # status must write it
    for clip_id in film.clip_ids:
        film.project.probe_path(clip_id).unlink(missing_ok=True)
    return film


# --- the write-failing stub ------------------------------------------------------------------


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS])
def test_status_and_captions_check_work_when_nothing_can_be_written(
        film: FilmFixture, fail_writes: FailWrites, error: int) -> None:
    project = film.project
    before = _snapshot(project.root)
    fail_writes(project.root, error)
    code, out = run_cli("status", str(project.root))
    assert code == 0, out
    assert "clip-1" in out and "amara:ok" in out and "Traceback" not in out
    code, out = run_cli("captions", "check", str(project.root))
    assert code == 0 and "Traceback" not in out, out
    assert _snapshot(project.root) == before


@pytest.mark.parametrize(("error", "words"), [(errno.ENOSPC, DISK_FULL), (errno.EROFS, READ_ONLY)])
def test_signoff_and_consent_on_a_full_disk_are_one_line_and_lose_nothing(
        film: FilmFixture, fail_writes: FailWrites, error: int, words: re.Pattern[str]) -> None:
    project = film.project
    ledger = project.ledger_path.read_bytes()
    fail_writes(project.consent_dir, error)
    code, out = run_cli("signoff", str(project.root), "clip-1", "--by", "amara")
    assert code == 1 and words.search(one_line_error(out))
    code, out = run_cli("consent", "record", str(project.root), "--contributor", "ben", *CONSENT)
    assert code == 1 and words.search(one_line_error(out))
    code, out = run_cli("consent", "withdraw", str(project.root), "--contributor", "ben")
    assert code == 1 and words.search(one_line_error(out))
    assert project.ledger_path.read_bytes() == ledger


def test_ingest_on_a_full_disk_records_nothing(tmp_path: Path, make_media: MakeMedia,
                                              fail_writes: FailWrites) -> None:
    project = Project.create(tmp_path / "film", "Film")
    film_yaml = project.film_yaml.read_bytes()
    fail_writes(project.footage_dir)
    code, out = run_cli("ingest", str(project.root), str(make_media("full.mp4")),
                        "--contributor", "amara")
    assert code == 1 and "disk full" in out and "Traceback" not in out
    assert project.film_yaml.read_bytes() == film_yaml
    assert list(project.footage_dir.iterdir()) == []


def test_new_project_on_a_full_disk_is_one_line(tmp_path: Path, fail_writes: FailWrites) -> None:
    fail_writes(tmp_path / "films")
    code, out = run_cli("new", str(tmp_path / "films" / "ours"), "--title", "Ours")
    assert code == 1 and "disk full" in one_line_error(out)


@pytest.mark.slow
def test_render_manifest_on_a_full_disk_is_one_line(film: FilmFixture, fail_writes: FailWrites,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import render
    from tests.pipeline.conftest import tiny

    monkeypatch.setattr(render, "load_profile", lambda name: tiny(str(name)))
    project = film.project
    fail_writes(project.build_dir / "web" / "manifest.json")
    fail_writes(project.build_dir / "web" / ".manifest.json")  # its temp file
    code, out = run_cli("render", str(project.root))
    assert code == 1, out
    assert "disk full" in one_line_error(out)


# --- a real small disk ---------------------------------------------------------------------------


def _film_on(point: Path, make_film: MakeFilm) -> FilmFixture:
    """A one-clip film, made elsewhere and copied onto the mounted file system at ``point``."""
    film = make_film(1)
    moved = point / "film"
    shutil.copytree(film.project.root, moved, symlinks=True)
    return FilmFixture(Project.open(moved), film.clip_ids, film.contributors)


def _recorded_or_refused(project: Project, code: int, out: str, ledger: bytes) -> None:
    """A ledger append on a full disk: made whole (a tmpfs page had room) or refused whole."""
    if code == 0:
        assert project.ledger_path.read_bytes().startswith(ledger)
        assert run_cli("consent", "verify", str(project.root))[0] == 0
    else:
        assert DISK_FULL.search(one_line_error(out)), out
        assert project.ledger_path.read_bytes() == ledger


def test_a_really_full_disk(small_tmpfs: SmallTmpfs, make_film: MakeFilm,
                            make_media: MakeMedia) -> None:
    point = small_tmpfs(4096)
    film = _film_on(point, make_film)
    project = film.project
    shutil.rmtree(project.build_dir / "cache", ignore_errors=True)
    fill_up(point)
    ledger = project.ledger_path.read_bytes()
    code, out = run_cli("status", str(project.root))
    assert code == 0 and "clip-1" in out and "Traceback" not in out, out
    code, out = run_cli("signoff", str(project.root), "clip-1", "--by", "amara")
    _recorded_or_refused(project, code, out, ledger)
    ledger = project.ledger_path.read_bytes()
    code, out = run_cli("consent", "withdraw", str(project.root), "--contributor", "amara")
    _recorded_or_refused(project, code, out, ledger)
    film_yaml = project.film_yaml.read_bytes()
    code, out = run_cli("ingest", str(project.root), str(make_media("onto-full.mp4")),
                        "--contributor", "ben")
    assert code == 1 and "disk full" in out and "Traceback" not in out
    assert project.film_yaml.read_bytes() == film_yaml
    assert sorted(p.name for p in project.footage_dir.iterdir()) == ["clip-1.mp4"]


def test_a_really_read_only_project(small_tmpfs: SmallTmpfs, make_film: MakeFilm) -> None:
    point = small_tmpfs(8192)
    film = _film_on(point, make_film)
    project = film.project
    shutil.rmtree(project.build_dir / "cache", ignore_errors=True)
    project.probe_path("clip-1").unlink(missing_ok=True)
    remount_read_only(point)
    code, out = run_cli("status", str(project.root))
    assert code == 0 and "amara:ok" in out and "Traceback" not in out, out
    code, out = run_cli("captions", "check", str(project.root))
    assert "Traceback" not in out and code == 0, out
    code, out = run_cli("signoff", str(project.root), "clip-1", "--by", "amara")
    assert code == 1 and READ_ONLY.search(one_line_error(out))
