"""Threads: replies join their thread, whatever they answer."""

from __future__ import annotations

from pathlib import Path

from pipeline.feedback import listing
from pipeline.project import Project


def test_a_reply_to_a_reply_joins_the_thread(tmp_path: Path) -> None:
    root = tmp_path / "film"
    root.mkdir()
    (root / "film.yaml").write_text("title: Our film\ncontributors: []\nclips: {}\n"
                                    "sequence: []\nadvisers:\n  - {id: rosa, name: Rosa}\n",
                                    encoding="utf-8")
    project = Project.open(root)
    first = listing.record_comment(project, by="rosa", text="Too loud", film_ms=4000)
    reply = listing.record_comment(project, by="tom", text="Yes", film_ms=0, reply_to=first.id)
    again = listing.record_comment(project, by="rosa", text="Thanks", film_ms=0,
                                   reply_to=reply.id)
    (thread,) = listing.threads(project)
    assert thread.comment == first
    assert [r.id for r in thread.replies] == [reply.id, again.id]
    assert again.reply_to == first.id and again.film_ms == 4000
