"""film.yaml's advisers: and approvals: (issue 26): read, and every mistake named with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.exceptions import ProjectError
from pipeline.project import Project

BASE = "title: Our film\ncontributors: []\nclips: {}\nsequence: []\n"


def _open(tmp_path: Path, extra: str) -> Project:
    root = tmp_path / "film"
    root.mkdir(exist_ok=True)
    (root / "film.yaml").write_text(BASE + extra, encoding="utf-8")
    return Project.open(root)


def test_advisers_and_required_approval_are_read(tmp_path: Path) -> None:
    film = _open(tmp_path, "advisers:\n  - {id: rosa, name: Rosa Hale, role: carer}\n"
                           "  - {id: tom, name: Tom Reid}\napprovals: {advisers: required}\n").film
    assert [(a.id, a.name, a.role) for a in film.advisers.values()] == \
        [("rosa", "Rosa Hale", "carer"), ("tom", "Tom Reid", "")]
    assert film.advisers_must_approve


def test_a_film_without_them_needs_no_approval(tmp_path: Path) -> None:
    film = _open(tmp_path, "").film
    assert film.advisers == {} and not film.advisers_must_approve


@pytest.mark.parametrize(("extra", "line", "words"), [
    ("advisers: rosa\n", 5, "must be a list"),
    ("advisers:\n  - {id: Rosa, name: R}\n", 6, "lower-case"),
    ("advisers:\n  - {id: rosa, name: R}\n  - {id: rosa, name: S}\n", 7, "listed twice"),
    ("advisers:\n  - {id: rosa}\n", 6, "name must be"),
    ("advisers:\n  - {id: group, name: G}\n", 6, "whole group"),
    ("advisers:\n  - {id: rosa, name: R, phone: 1}\n", 6, "unknown key"),
    ("approvals: {advisers: maybe}\n", 5, "required or optional"),
    ("approvals: {group: required}\n", 5, "unknown key"),
])
def test_mistakes_name_the_line(tmp_path: Path, extra: str, line: int, words: str) -> None:
    with pytest.raises(ProjectError) as caught:
        _open(tmp_path, extra)
    assert caught.value.line == line
    assert words in caught.value.reason
    assert f"film.yaml:{line}:" in str(caught.value)
