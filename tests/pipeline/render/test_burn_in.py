"""Burned-in captions: the ASS file libass draws, and where its box sits on the picture.

What the burned-in film looks like is measured on real frames in tests/pipeline/test_render.py.
"""

from __future__ import annotations

import pytest

from captions.model import Cue
from pipeline.render.burn_in import FONT, ass_document, caption_style
from tests.pipeline.conftest import tiny


@pytest.mark.parametrize("profile", ["web", "broadcast", "review"])
def test_caption_box_is_7_to_8_percent_a_line_inside_the_safe_area(profile: str) -> None:
    prof = tiny(profile, width=1920, height=1080)
    style = caption_style(prof)
    assert 0.07 <= style["size"] / prof.height <= 0.08
    # The margins keep the padded box inside the central 90 % x 75 %.
    assert style["margin_h"] - style["pad"] >= prof.width * 0.05
    assert style["margin_v"] - style["pad"] >= prof.height * 0.125


def test_ass_document_styles_and_times_every_cue() -> None:
    prof = tiny()
    doc = ass_document([Cue(0, 1234, "One."), Cue(61_005, 3_725_990, "Two\nlines.")], prof)
    text = doc.decode("utf-8")
    assert f"PlayResX: {prof.width}\nPlayResY: {prof.height}" in text
    assert f"Style: Caption,{FONT},{caption_style(prof)['size']}," in text
    events = [line for line in text.splitlines() if line.startswith("Dialogue:")]
    assert events == [
        "Dialogue: 0,0:00:00.00,0:00:01.23,Caption,,0,0,0,,One.",
        "Dialogue: 0,0:01:01.00,1:02:05.99,Caption,,0,0,0,,Two\\Nlines.",
    ]


def test_ass_override_syntax_in_a_cue_is_shown_literally() -> None:
    doc = ass_document([Cue(0, 1000, "{\\b1}bold? a\\nb")], tiny()).decode("utf-8")
    line = doc.splitlines()[-1]
    # No brace opens an override block and no backslash starts a tag: both are escaped.
    assert line.endswith("\\{\\\u2060b1\\}bold? a\\\u2060nb")
