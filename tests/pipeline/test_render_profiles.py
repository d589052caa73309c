"""Render profiles: the shipped files, the names film.yaml and the CLI accept, bad files refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consent.records import Channel
from pipeline.render_profiles import (
    RenderProfileError,
    RenderProfileName,
    load_profile,
    profile_names,
)


def test_every_name_has_a_file_and_every_file_a_name() -> None:
    assert sorted(RenderProfileName) == profile_names()


@pytest.mark.parametrize("name", list(RenderProfileName))
def test_shipped_profiles_load(name: RenderProfileName) -> None:
    profile = load_profile(name)
    assert profile.name == name
    assert profile.channel in set(Channel)
    # The manifest and cache keys hold the channel as its plain word.
    assert json.loads(json.dumps(profile.to_dict()))["channel"] == str(profile.channel)


def test_unknown_channel_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cinema.yaml"
    path.write_text("channel: cinema\nwidth: 640\nheight: 360\n", encoding="utf-8")
    with pytest.raises(RenderProfileError, match="channel: 'cinema' is not one of internal, "
                                                 "training, web, social, broadcast"):
        load_profile(path)


def test_unknown_name_lists_the_shipped_ones() -> None:
    with pytest.raises(RenderProfileError, match="no output profile 'cinema' "
                                                 r"\(known: broadcast, review, web\)"):
        load_profile("cinema")
