"""The ledger as a file: errors, never tracebacks, and nothing lost or half-written (issue 9,
item 8, the ledger's part).

The reproductions: a full disk during a ledger append, a ledger path that is a directory, and a
ledger symlinked to /dev/null (where the withdrawal was "recorded" and lost) ended in tracebacks
or silence. Now each is one line naming the file and what to do, and the ledger is exactly as it
was. Every event also says who recorded it and through what.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from consent import RecordError
from consent.ledger import os_user
from pipeline import clearance
from pipeline.project import Project
from tests.adversarial.conftest import FailWrites, make_fifo, no_hang, one_line_error
from tests.conftest import MakeMedia, run_cli


@pytest.fixture
def film(tmp_path: Path) -> Project:
    root = tmp_path / "film"
    assert run_cli("new", str(root), "--title", "Film")[0] == 0
    project = Project.open(root)
    for who in ("amara", "ben"):
        project.add_contributor(who)
    project.save()
    assert consent(project, "amara")[0] == 0
    return Project.open(root)


def consent(project: Project, who: str) -> tuple[int, str]:
    return run_cli("consent", "record", str(project.root), "--contributor", who, "--scope",
                   "appear", "--channel", "web", "--method", "written", "--obtained-by",
                   "J. Producer")


def every_command_refuses(project: Project, words: str) -> None:
    root = str(project.root)
    for args in (("consent", "verify", root), ("consent", "show", root), ("status", root),
                 ("consent", "withdraw", root, "--contributor", "ben"),
                 ("consent", "record", root, "--contributor", "ben", "--scope", "appear",
                  "--channel", "web", "--method", "written", "--obtained-by", "J. Producer")):
        with no_hang(20):
            code, out = run_cli(*args)
        line = one_line_error(out)
        assert code == 1 and str(project.ledger_path) in line and words in line, (args, line)


def test_a_ledger_symlinked_to_dev_null_is_refused(film: Project) -> None:
    film.ledger_path.unlink()
    film.ledger_path.symlink_to("/dev/null")
    every_command_refuses(film, "is a symbolic link")


def test_a_ledger_symlinked_elsewhere_is_refused_and_the_target_untouched(
        film: Project, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.jsonl"
    film.ledger_path.rename(elsewhere)
    before = elsewhere.read_bytes()
    film.ledger_path.symlink_to(elsewhere)
    every_command_refuses(film, "is a symbolic link")
    assert elsewhere.read_bytes() == before


def test_a_ledger_path_that_is_a_folder_is_refused(film: Project) -> None:
    film.ledger_path.unlink()
    film.ledger_path.mkdir()
    every_command_refuses(film, "is a folder, not a regular file")


def test_a_ledger_that_is_a_fifo_is_refused_without_hanging(film: Project) -> None:
    make_fifo(film.ledger_path)
    every_command_refuses(film, "is a FIFO (named pipe), not a regular file")


def test_a_symlinked_lock_file_is_refused(film: Project, tmp_path: Path) -> None:
    lock = film.ledger_path.with_name("ledger.jsonl.lock")
    lock.unlink(missing_ok=True)
    lock.symlink_to(tmp_path / "somewhere")
    code, out = consent(film, "ben")
    assert code == 1 and "ledger.jsonl.lock: is a symbolic link" in one_line_error(out)


def _fail_ledger_writes(monkeypatch: pytest.MonkeyPatch, ledger: Path, *,
                        truncate_fails: bool = False) -> Callable[[], int]:
    """The disk fills part-way through the ledger's next line: half of it is written, then
    ENOSPC. Returns how many writes were cut short."""
    real_write, real_truncate = os.write, os.ftruncate
    inode = ledger.stat().st_ino
    cut: list[int] = []

    def write(fd: int, data: bytes | memoryview) -> int:
        if os.fstat(fd).st_ino != inode:
            return real_write(fd, data)
        cut.append(real_write(fd, bytes(data)[: len(data) // 2]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def ftruncate(fd: int, size: int) -> None:
        if truncate_fails and os.fstat(fd).st_ino == inode:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_truncate(fd, size)

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(os, "ftruncate", ftruncate)
    return lambda: len(cut)


def test_a_full_disk_mid_append_leaves_nothing_half_written(
        film: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    before = film.ledger_path.read_bytes()
    with monkeypatch.context() as patch:
        cuts = _fail_ledger_writes(patch, film.ledger_path)
        code, out = run_cli("consent", "withdraw", str(film.root), "--contributor", "amara")
    line = one_line_error(out)
    assert code == 1 and cuts() == 1
    assert "cannot record the event: disk full" in line and "nothing was recorded" in line
    assert film.ledger_path.read_bytes() == before
    assert run_cli("consent", "verify", str(film.root))[0] == 0
    assert run_cli("consent", "withdraw", str(film.root), "--contributor", "amara")[0] == 0


def test_when_even_the_undo_fails_the_way_out_is_named(
        film: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    before = film.ledger_path.read_bytes()
    with monkeypatch.context() as patch:
        _fail_ledger_writes(patch, film.ledger_path, truncate_fails=True)
        code, out = consent(film, "ben")
    line = one_line_error(out)
    assert code == 1 and "the last line may be incomplete" in line and "--repair" in line
    code, out = run_cli("consent", "verify", str(film.root), "--repair")
    assert code == 0 and film.ledger_path.read_bytes() == before


@pytest.mark.parametrize(("error", "words"), [(errno.ENOSPC, "disk full"),
                                              (errno.EROFS, "read-only file system")])
def test_a_consent_folder_that_cannot_be_written_is_one_line(
        film: Project, fail_writes: FailWrites, error: int, words: str) -> None:
    before = film.ledger_path.read_bytes()
    fail_writes(film.consent_dir, error)
    code, out = consent(film, "ben")
    assert code == 1 and words in one_line_error(out)
    assert film.ledger_path.read_bytes() == before
    code, out = run_cli("consent", "show", str(film.root))  # reading still works
    assert code == 0 and "amara: in force" in out


def test_the_ledger_and_its_lock_are_created_private(tmp_path: Path) -> None:
    root = tmp_path / "new-film"
    assert run_cli("new", str(root), "--title", "Film")[0] == 0
    project = Project.open(root)
    project.add_contributor("amara")
    project.save()
    old = os.umask(0o022)
    try:
        assert consent(project, "amara")[0] == 0
    finally:
        os.umask(old)
    for path in (project.ledger_path, project.ledger_path.with_name("ledger.jsonl.lock")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@pytest.mark.slow
def test_every_event_says_who_recorded_it_and_through_what(
        film: Project, make_media: MakeMedia) -> None:
    root = str(film.root)
    clip = make_media("via-ben.mp4", seconds=1.0, size="160x120", freq=610)
    assert run_cli("ingest", root, str(clip), "--contributor", "ben", "--id", "ben-talk")[0] == 0
    project = Project.open(root)
    assert consent(project, "ben")[0] == 0
    assert run_cli("signoff", root, "ben-talk", "--by", "ben")[0] == 0
    clearance.sign_off(project, "ben-talk", "ben", via="review-page")
    with pytest.raises(RecordError, match="via"):
        clearance.sign_off(project, "ben-talk", "ben", via="email")
    lines = [json.loads(line) for line in project.ledger_path.read_bytes().splitlines()]
    assert [(e["recorded_by"], e["via"]) for e in lines] == \
        [(os_user(), "cli")] * 3 + [(os_user(), "review-page")]
    code, out = run_cli("consent", "show", root, "--contributor", "ben")
    assert code == 0
    assert f"signed off ben-talk; recorded {lines[-1]['at'][:10]} by {os_user()} via cli" in out
    assert f"by {os_user()} via review-page" in out
    rows = json.loads(run_cli("consent", "show", root, "--contributor", "ben", "--json")[1])
    assert [a["via"] for a in rows[0]["actions"]] == ["cli", "review-page"]
    assert rows[0]["consents"][0]["recorded_by"] == os_user()


def test_quiet_consent_commands_print_only_errors(film: Project) -> None:
    root = str(film.root)
    assert run_cli("-q", "consent", "record", root, "--contributor", "ben", "--scope", "appear",
                   "--channel", "web", "--method", "written", "--obtained-by", "J. P.") == (0, "")
    assert run_cli("-q", "consent", "withdraw", root, "--contributor", "ben") == (0, "")
    code, out = run_cli("-q", "consent", "withdraw", root, "--contributor", "zoe")
    assert code == 1 and one_line_error(out) == out.strip()
