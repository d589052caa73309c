"""A withdrawn describer or signer is in the site wherever they are in the web render: the
site's copy of each such file (and, for a describer, the page whose transcript reads the
descriptions) is listed for take-down, never a file that does not carry them."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pipeline.site.takedown import site_take_down


def _site(tmp_path: Path) -> Any:
    web = tmp_path / "build" / "web"
    web.mkdir(parents=True)
    files = {name: ["clip-1"] for name in ("film.mp4", "film.described.mp4", "film.signed.mp4",
                                           "film.descriptions.vtt", "transcript.html",
                                           "index.html", "chapters.vtt")}
    files["coprod.css"] = []
    record = {"output": "build/web/site", "created": "2026-12-01T10:00:00+00:00",
              "clips": [{"id": "clip-1", "contributors": ["amara"]}], "files": files}
    (web / "site-record.json").write_text(json.dumps(record), encoding="utf-8")
    return SimpleNamespace(build_dir=tmp_path / "build")


def _row(output: str, role: str, person: str) -> dict[str, Any]:
    return {"output": output, "clip": "clip-1", "contributor": person, "role": role,
            "withdrawn_on": "2026-12-02", "after_output": True}


def test_a_withdrawn_describer_and_signer_are_found_in_the_site(tmp_path: Path) -> None:
    project = _site(tmp_path)
    rows = [_row("build/web/film.described.mp4", "describer", "dev"),
            _row("build/web/film.descriptions.vtt", "describer", "dev"),
            _row("build/web/film.signed.mp4", "signer", "sam"),
            _row("build/broadcast/film.signed.mp4", "signer", "sam")]  # not the site's render
    found = site_take_down(project, [], rows)
    listed = sorted((r["output"], r["contributor"], r["role"]) for r in found)
    assert listed == [
        ("build/web/site/film.described.mp4", "dev", "describer"),
        ("build/web/site/film.descriptions.vtt", "dev", "describer"),
        ("build/web/site/film.signed.mp4", "sam", "signer"),
        ("build/web/site/index.html", "dev", "describer"),
    ]


def test_without_a_site_nothing_is_listed(tmp_path: Path) -> None:
    project = SimpleNamespace(build_dir=tmp_path / "build")
    assert site_take_down(project, [], [_row("build/web/film.signed.mp4", "signer", "sam")]) == []
