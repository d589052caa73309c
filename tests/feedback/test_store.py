"""The comments file: whole lines under a lock, fsync'd, a torn tail set aside, nothing lost."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest

from pipeline.feedback.store import (
    Approval,
    Comment,
    CommentsFile,
    FeedbackError,
    Resolution,
)

ADVISERS = 50


def _comment(book: CommentsFile, n: int) -> None:
    book.add_comment(by=f"adviser-{n}", text=f"comment {n}", film_ms=n * 100, cut="k" * 64)


def test_entries_come_back_as_written(tmp_path: Path) -> None:
    book = CommentsFile(tmp_path)
    assert book.entries() == []
    first = book.add_comment(by="rosa", text=" Too loud ", film_ms=1500, cut="a" * 64,
                             clip="ben-talk", clip_ms=500, caption="Hello")
    reply = book.add_comment(by="tom", text="Yes", film_ms=1500, cut="a" * 64,
                             reply_to=first.id)
    book.append(Resolution(first.id, "Quieter now", "sam"))
    book.append(Approval("group", "a" * 64, {"ben-talk": "b" * 64, "cara": None}))
    again = CommentsFile(tmp_path)
    assert again.comments() == {first.id: first, reply.id: reply}
    assert first.text == "Too loud"
    assert again.resolutions()[first.id].note == "Quieter now"
    assert again.approvals()[0].clips == {"ben-talk": "b" * 64, "cara": None}


def test_empty_text_and_unknown_reply_are_refused(tmp_path: Path) -> None:
    book = CommentsFile(tmp_path)
    with pytest.raises(FeedbackError, match="empty"):
        book.add_comment(by="rosa", text="  ", film_ms=0, cut="")
    with pytest.raises(FeedbackError, match="no comment nope"):
        book.add_comment(by="rosa", text="hi", film_ms=0, cut="", reply_to="nope")
    assert book.entries() == []


def test_a_torn_last_line_is_left_out_then_set_aside(tmp_path: Path) -> None:
    book = CommentsFile(tmp_path)
    kept = book.add_comment(by="rosa", text="kept", film_ms=0, cut="")
    with book.path.open("ab") as fh:
        fh.write(b'{"kind": "comment", "id": "torn", "te')  # a crash mid-write
    assert list(book.comments()) == [kept.id]
    after = book.add_comment(by="tom", text="after", film_ms=0, cut="")
    assert list(book.comments()) == [kept.id, after.id]
    (broken,) = tmp_path.glob("feedback/comments.jsonl.broken-*")
    assert broken.read_bytes() == b'{"kind": "comment", "id": "torn", "te'
    assert book.path.read_bytes().endswith(b"\n")


def test_damage_before_the_last_line_names_the_line(tmp_path: Path) -> None:
    book = CommentsFile(tmp_path)
    book.add_comment(by="rosa", text="one", film_ms=0, cut="")
    with book.path.open("ab") as fh:
        fh.write(b"not json\n")
    book.add_comment(by="rosa", text="three", film_ms=0, cut="")
    with pytest.raises(FeedbackError) as caught:
        book.comments()
    assert caught.value.line == 2 and "comments.jsonl:2" in str(caught.value)


def test_fifty_advisers_in_threads_lose_nothing(tmp_path: Path) -> None:
    book = CommentsFile(tmp_path)
    start = threading.Barrier(ADVISERS)

    def one(n: int) -> None:
        start.wait()
        _comment(CommentsFile(tmp_path), n)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(ADVISERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    found = book.comments().values()
    assert sorted(c.text for c in found) == sorted(f"comment {n}" for n in range(ADVISERS))
    assert len(book.path.read_bytes().splitlines()) == ADVISERS


def _in_process(root: str, n: int) -> None:
    _comment(CommentsFile(Path(root)), n)


def test_fifty_advisers_in_processes_lose_nothing(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        pool.starmap(_in_process, [(str(tmp_path), n) for n in range(ADVISERS)])
    found = CommentsFile(tmp_path).comments().values()
    assert sorted(c.by for c in found) == sorted(f"adviser-{n}" for n in range(ADVISERS))
    assert all(isinstance(c, Comment) for c in found)
