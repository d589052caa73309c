"""Edit protection: coprod never overwrites a caption file a contributor edited."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from captions.exceptions import CaptionError
from captions.formats import load, save
from captions.model import Cue
from pipeline.caption_store import (
    RECORD_NAME,
    CaptionState,
    WriteStatus,
    caption_problem,
    caption_state,
    load_captions,
    machine_draft_path,
    read_record,
    write_caption_file,
)
from pipeline.fsutil import NotAFileError, sha256_bytes

DRAFT_1 = [Cue(0, 2000, "Hello, this is our film."), Cue(2100, 4000, "We made it together.")]
DRAFT_2 = [Cue(0, 2000, "Hello, this is our film!"), Cue(2100, 4500, "We made it together.")]
WHEN = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def _edit(path: Path) -> bytes:
    """What a contributor does: change a word and save (here with CRLF, as Notepad would)."""
    text = path.read_text(encoding="utf-8").replace("our film", "OUR film")
    data = text.replace("\n", "\r\n").encode("utf-8")
    path.write_bytes(data)
    return data


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".part")))


@pytest.mark.parametrize("ext", ["srt", "vtt"])
def test_new_file_is_written_and_recorded(tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"clip.{ext}"
    result = write_caption_file(path, DRAFT_1)
    assert result.status == WriteStatus.WRITTEN and result.written == path
    assert [c.text for c in load(path)] == [c.text for c in DRAFT_1]
    record = read_record(tmp_path)
    assert record[path.name]["sha256"] == sha256_bytes(path.read_bytes())
    assert caption_state(path) == CaptionState.MACHINE
    assert _leftovers(tmp_path) == []


def test_bytes_are_what_formats_save_writes(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "a.srt", tmp_path / "b.srt"
    write_caption_file(ours, DRAFT_1)
    save(DRAFT_1, theirs)
    assert ours.read_bytes() == theirs.read_bytes()


def test_coprods_own_draft_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "clip.srt"
    write_caption_file(path, DRAFT_1)
    result = write_caption_file(path, DRAFT_2)
    assert result.status == WriteStatus.WRITTEN
    assert load(path)[0].text == "Hello, this is our film!"
    assert not machine_draft_path(path).exists()
    assert not list(tmp_path.glob("*.bak-*"))


def test_same_text_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "clip.srt"
    write_caption_file(path, DRAFT_1)
    stamp = path.stat().st_mtime_ns
    result = write_caption_file(path, DRAFT_1)
    assert result.status == WriteStatus.UNCHANGED
    assert path.stat().st_mtime_ns == stamp


@pytest.mark.parametrize("ext", ["srt", "vtt"])
def test_edited_file_is_kept_and_draft_written_beside_it(tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"clip.{ext}"
    write_caption_file(path, DRAFT_1)
    edited = _edit(path)
    assert caption_state(path) == CaptionState.EDITED
    result = write_caption_file(path, DRAFT_2)
    assert result.status == WriteStatus.KEPT_EDITED
    assert path.read_bytes() == edited  # the contributor's bytes, untouched
    draft = tmp_path / f"clip.whisper.{ext}"
    assert result.written == draft
    assert load(draft)[0].text == "Hello, this is our film!"
    assert "clip.whisper" in result.message and "--force" in result.message
    # Still edited, still protected on the next run.
    again = write_caption_file(path, DRAFT_1)
    assert again.status == WriteStatus.KEPT_EDITED and path.read_bytes() == edited
    assert _leftovers(tmp_path) == []


def test_force_replaces_an_edited_file_keeping_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "clip.srt"
    write_caption_file(path, DRAFT_1)
    edited = _edit(path)
    result = write_caption_file(path, DRAFT_2, force=True, now=WHEN)
    assert result.status == WriteStatus.REPLACED_EDITED
    assert result.backup == tmp_path / "clip.srt.bak-20260304T050607"
    assert result.backup.read_bytes() == edited
    assert load(path)[0].text == "Hello, this is our film!"
    assert caption_state(path) == CaptionState.MACHINE
    # A second forced replacement in the same second does not overwrite the first backup.
    _edit(path)
    second = write_caption_file(path, DRAFT_1, force=True, now=WHEN)
    assert second.backup == tmp_path / "clip.srt.bak-20260304T050607-1"
    assert result.backup.read_bytes() == edited


def test_a_file_coprod_never_wrote_counts_as_edited(tmp_path: Path) -> None:
    path = tmp_path / "clip.srt"
    path.write_text("1\n00:00:00,000 --> 00:00:01,000\nTyped by hand\n", encoding="utf-8")
    result = write_caption_file(path, DRAFT_1)
    assert result.status == WriteStatus.KEPT_EDITED
    assert load(path)[0].text == "Typed by hand"


def test_a_lost_record_protects_rather_than_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "clip.srt"
    write_caption_file(path, DRAFT_1)
    (tmp_path / RECORD_NAME).write_text("{not json", encoding="utf-8")
    result = write_caption_file(path, DRAFT_2)
    assert result.status == WriteStatus.KEPT_EDITED
    assert load(path)[0].text == "Hello, this is our film."


def test_an_edit_that_matches_the_new_draft_is_adopted(tmp_path: Path) -> None:
    path = tmp_path / "clip.srt"
    save(DRAFT_2, path)  # someone wrote exactly what coprod would now write
    result = write_caption_file(path, DRAFT_2)
    assert result.status == WriteStatus.UNCHANGED
    assert caption_state(path) == CaptionState.MACHINE


def test_deleted_file_is_written_again(tmp_path: Path) -> None:
    path = tmp_path / "clip.srt"
    write_caption_file(path, DRAFT_1)
    path.unlink()
    assert caption_state(path) == CaptionState.MISSING
    assert write_caption_file(path, DRAFT_2).status == WriteStatus.WRITTEN


def test_record_is_json_naming_each_file(tmp_path: Path) -> None:
    write_caption_file(tmp_path / "a.srt", DRAFT_1, now=WHEN)
    write_caption_file(tmp_path / "a.vtt", DRAFT_1, now=WHEN)
    data = json.loads((tmp_path / RECORD_NAME).read_text(encoding="utf-8"))
    assert sorted(data["files"]) == ["a.srt", "a.vtt"]
    assert data["files"]["a.srt"]["written"] == "2026-03-04T05:06:07+00:00"


# --- what is not a regular caption file ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_fifo_or_folder_is_unreadable_and_never_replaced(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "clip.srt"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    assert caption_state(path) == CaptionState.UNREADABLE
    problem = caption_problem(path)
    assert problem is not None and problem.startswith(f"{path}: is a ")
    with pytest.raises(NotAFileError):
        write_caption_file(path, DRAFT_1, force=True)
    assert (path.is_fifo() if kind == "fifo" else path.is_dir())
    with pytest.raises(CaptionError, match="not a caption file"):
        load_captions(path)


def test_a_fifo_where_the_machine_draft_goes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "clip.srt"
    write_caption_file(path, DRAFT_1, now=WHEN)
    _edit(path)
    os.mkfifo(machine_draft_path(path))
    with pytest.raises(NotAFileError):
        write_caption_file(path, DRAFT_2, now=WHEN)
    assert machine_draft_path(path).is_fifo()


def test_an_oversized_caption_file_is_unreadable(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import caption_store

    path = tmp_path / "clip.srt"
    write_caption_file(path, DRAFT_1, now=WHEN)
    monkeypatch.setattr(caption_store, "MAX_CAPTION_BYTES", 10)
    assert caption_state(path) == CaptionState.UNREADABLE
    assert "coprod reads caption files of up to" in str(caption_problem(path))
    assert caption_problem(tmp_path / "missing.srt") is None


def test_a_fifo_record_is_treated_as_no_record(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / RECORD_NAME)
    assert read_record(tmp_path) == {}


def test_an_empty_srt_has_no_cues(tmp_path: Path) -> None:
    (tmp_path / "quiet.srt").write_bytes(b"")
    assert load_captions(tmp_path / "quiet.srt") == []
