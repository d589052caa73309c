"""Two ingests at once never mix up footage and owner (issue 9, item 2).

The reproduction: ``coprod ingest P a/clip.mp4 --contributor amara & coprod ingest P b/clip.mp4
--contributor ben``. Both exited 0, film.yaml kept one clip with b's hash and ben as its
contributor, and footage/clip.mp4 held amara's bytes. Here two real coprod processes race,
round after round, and every round must end with two clips whose footage bytes match the hash
film.yaml records for them, owned by the person who ingested those bytes.

The two are made to meet every round, however loaded the machine: the test holds the film lock
while both copy and convert, and lets go only once the kernel lists both as waiting for it, so
both choose an id and place their footage in the same instant (no sleeping and hoping).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.fsutil import sha256_file
from pipeline.media import read_probe_record
from pipeline.project import Project
from tests.adversarial.conftest import one_line_error
from tests.conftest import MakeMedia, run_cli

ROUNDS = 4
LOCKS = Path("/proc/locks")
HANG = 600  # seconds: only a hung ingest takes this long, however loaded the machine


def _waiting_for_a_lock(pids: set[int]) -> set[int]:
    """Which of ``pids`` the kernel lists as blocked on a file lock (``->`` in /proc/locks)."""
    waiting = set()
    for line in LOCKS.read_text().splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[1] == "->" and fields[5].isdigit():
            waiting.add(int(fields[5]))
    return waiting & pids


def _ingest(project: Project, src: Path, who: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "pipeline", "ingest", str(project.root),
                             str(src), "--contributor", who],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.slow
def test_two_ingests_of_same_named_files_keep_each_footage_with_its_owner(
        tmp_path: Path, make_media: MakeMedia) -> None:
    if not LOCKS.is_file():
        pytest.skip(f"{LOCKS} not found: the race is staged by watching the kernel's lock list")
    sources = {}
    for who, freq in (("amara", 330), ("ben", 550)):
        folder = tmp_path / who
        folder.mkdir()
        sources[who] = folder / "clip.mp4"
        shutil.copyfile(make_media(f"race-{who}.mp4", seconds=0.4, size="64x48", freq=freq),
                        sources[who])
    hashes = {who: sha256_file(src) for who, src in sources.items()}
    assert hashes["amara"] != hashes["ben"]
    for n in range(ROUNDS):
        project = Project.create(tmp_path / f"film-{n}", "Race")
        with project.lock("film"):
            procs = [_ingest(project, src, who) for who, src in sources.items()]
            pids = {proc.pid for proc in procs}
            deadline = time.monotonic() + HANG
            while _waiting_for_a_lock(pids) != pids:
                ended = [proc for proc in procs if proc.poll() is not None]
                assert not ended, f"round {n}: an ingest ended before the lock: " \
                                  f"{ended[0].communicate()[0]}"
                assert time.monotonic() < deadline, f"round {n}: the ingests never reached the lock"
                time.sleep(0.05)
        for proc in procs:
            out, _ = proc.communicate(timeout=HANG)
            assert proc.returncode == 0, out
        film = project.reload().film
        assert sorted(film.clips) == ["clip", "clip-2"], f"round {n}: {sorted(film.clips)}"
        owners = {}
        for clip in film.clips.values():
            assert len(clip.contributors) == 1
            who = clip.contributors[0]
            owners[who] = clip.id
            assert clip.sha256 == hashes[who], f"round {n}: {clip.id} records the other's hash"
            assert sha256_file(clip.file) == hashes[who], f"round {n}: {clip.id} holds the " \
                                                           "other's footage"
            record = read_probe_record(project.probe_path(clip.id))
            assert record is not None and record[0] == hashes[who]
            assert project.audio_path(clip.id).is_file() and project.proxy_path(clip.id).is_file()
        assert sorted(owners) == ["amara", "ben"]
        assert sorted(p.name for p in project.footage_dir.iterdir()) == ["clip-2.mp4", "clip.mp4"]
        leftovers = [p for p in project.root.rglob(".*") if p.is_file() and p.suffix != ".lock"
                     and p.name != ".gitignore"]
        assert leftovers == [], f"round {n}: temp files left: {leftovers}"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.create(tmp_path / "film", "Film")


def test_an_explicit_id_that_is_taken_is_refused_never_overwritten(
        project: Project, make_media: MakeMedia) -> None:
    first, second = make_media("first.mp4"), make_media("second.mp4", freq=660)
    assert run_cli("ingest", str(project.root), str(first), "--contributor", "amara",
                   "--id", "talk")[0] == 0
    code, out = run_cli("ingest", str(project.root), str(second), "--contributor", "ben",
                        "--id", "talk")
    assert code == 1
    one_line_error(out)
    assert "clip id 'talk' is taken by other footage; choose another with --id" in out
    clip = project.reload().clip("talk")
    assert (clip.sha256, clip.contributors) == (sha256_file(first), ("amara",))
    assert sha256_file(clip.file) == sha256_file(first)
    assert sorted(p.name for p in project.footage_dir.iterdir()) == ["talk.mp4"]


@pytest.mark.slow
def test_same_file_name_gets_a_distinct_id(project: Project, tmp_path: Path,
                                           make_media: MakeMedia) -> None:
    for who, freq in (("amara", 300), ("ben", 700)):
        (tmp_path / who).mkdir()
        shutil.copyfile(make_media(f"named-{who}.mp4", freq=freq), tmp_path / who / "Clip.MP4")
        code, out = run_cli("ingest", str(project.root), str(tmp_path / who / "Clip.MP4"),
                            "--contributor", who)
        assert code == 0, out
    assert "clip id 'clip' is taken, so this clip is 'clip-2'" in out
    film = project.reload().film
    assert {cid: c.contributors for cid, c in film.clips.items()} == \
        {"clip": ("amara",), "clip-2": ("ben",)}


@pytest.mark.slow
def test_footage_name_taken_by_another_clip_is_never_overwritten(
        project: Project, tmp_path: Path, make_media: MakeMedia) -> None:
    # A producer renamed the clip id in film.yaml; its footage keeps the old file name.
    src = make_media("talk.mp4")
    assert run_cli("ingest", str(project.root), str(src), "--contributor", "amara")[0] == 0
    project = project.reload()
    text = project.film_yaml.read_text().replace("  talk:\n", "  amara-talk:\n")
    project.film_yaml.write_text(text.replace("- clip: talk\n", "- clip: amara-talk\n"))
    (tmp_path / "ben").mkdir()
    other = tmp_path / "ben" / "talk.mp4"
    shutil.copyfile(make_media("talk-ben.mp4", freq=770), other)
    code, out = run_cli("ingest", str(project.root), str(other), "--contributor", "ben")
    assert code == 0, out
    film = project.reload().film
    assert sha256_file(film.clips["amara-talk"].file) == sha256_file(src)
    assert film.clips["talk-2"].file.name == "talk-2.mp4"
    assert sha256_file(film.clips["talk-2"].file) == sha256_file(other)
    code, out = run_cli("ingest", str(project.root), str(make_media("talk-x.mp4", freq=990)),
                        "--contributor", "ben", "--id", "talk")
    assert code == 1 and "footage/talk.mp4 is the footage of clip amara-talk" in out
