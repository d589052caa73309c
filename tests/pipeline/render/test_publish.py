"""Publishing: the interim manifest that covers a swap of old films for new ones.

Muxing, the renames and the manifest's contents are tested through renders in test_render.py.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from pipeline.render.publish import OUTPUT_NAMES, _widen_manifest_for_swap, created_now


def _clip(cid: str) -> dict[str, object]:
    return {"id": cid, "contributors": [cid.split("-")[0]]}


def test_interim_manifest_names_the_clips_of_both_films(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"output": "build/web/film.mp4",
                                "created": "2026-01-01T10:00:00+00:00",
                                "clips": [_clip("amara-1"), _clip("ben-1")]}))
    new = {"output": "build/web/film.mp4", "created": "2026-02-01T10:00:00+00:00",
           "clips": [_clip("ben-1"), _clip("chloe-1")], "outputs": {}}
    _widen_manifest_for_swap(path, new)
    interim = json.loads(path.read_text())
    assert [c["id"] for c in interim["clips"]] == ["ben-1", "chloe-1", "amara-1"]
    # The earlier time, so a withdrawal after either film is reported against it.
    assert interim["created"] == "2026-01-01T10:00:00+00:00"
    assert interim["interim"] is True and interim["outputs"] == {}
    assert new["clips"] == [_clip("ben-1"), _clip("chloe-1")]  # the new manifest is untouched


def test_interim_manifest_without_an_earlier_one(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    new = {"created": "2026-02-01T10:00:00+00:00", "clips": [_clip("ben-1")]}
    _widen_manifest_for_swap(path, new)
    assert json.loads(path.read_text()) == {**new, "interim": True}
    path.write_text("{not json")
    _widen_manifest_for_swap(path, new)
    assert json.loads(path.read_text()) == {**new, "interim": True}


def test_created_time_is_utc_to_the_second() -> None:
    made = datetime.fromisoformat(created_now())
    assert made.utcoffset() == timedelta(0) and made.microsecond == 0


def test_films_are_renamed_into_place_first_and_the_manifest_last() -> None:
    assert OUTPUT_NAMES[:2] == ("film.mp4", "film.open-captions.mp4")
    assert OUTPUT_NAMES[-1] == "manifest.json"
