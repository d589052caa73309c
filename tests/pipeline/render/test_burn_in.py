"""Burned-in captions: the ASS file libass draws, and where its box sits on the picture.

What the burned-in film looks like is measured on real frames in tests/pipeline/test_render.py;
here, that an italic cue from a contributor's SRT is italic in film.vtt, in the film's mov_text
track and in the burned-in picture.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from captions.formats import loads
from captions.model import Cue
from pipeline import runner
from pipeline.render import render_film
from pipeline.render.burn_in import FONT, ass_document, caption_style
from pipeline.render.options import RenderOptions
from tests.pipeline.conftest import TODAY, MakeFilm, gray_frame, tiny


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


def test_styled_cues_are_drawn_with_ass_overrides_and_text_stays_literal() -> None:
    cues = loads("1\n00:00:01,000 --> 00:00:02,000\n<i>Sung {la}</i> and <b>lou<u>d\nnow</u></b>\n",
                 "srt")
    line = ass_document(cues, tiny()).decode("utf-8").splitlines()[-1]
    # Styling still on at the end of a cue needs no closing: it ends with the event.
    assert line.endswith(",,{\\i1}Sung \\{la\\}{\\i0} and {\\b1}lou{\\u1}d\\Nnow")


# --- an italic cue in a contributor's SRT, all the way to the film ---------------------------

W, H = 640, 360  # big enough that a glyph's slant is many pixels
CONTRIBUTOR_SRT = (
    "1\r\n00:00:00,200 --> 00:00:00,900\r\n<i>Hill ill lilt</i>\r\n\r\n"
    "2\r\n00:00:01,000 --> 00:00:01,900\r\nHill ill lilt\r\n"
)


def _mov_text_samples(path: Path) -> list[tuple[str, list[tuple[int, int, int]]]]:
    """Each subtitle sample's text and its style records (start, end, face flags).

    A mov_text sample is a 16-bit text length, the UTF-8 text, then boxes; a ``styl`` box holds
    12-byte records: start and end character, font id, face flags (1 bold, 2 italic,
    4 underline), size and colour (3GPP TS 26.245).
    """
    proc = runner.run(["ffprobe", "-v", "error", "-select_streams", "s", "-show_packets",
                       "-show_data", "-of", "json", f"file:{path}"])
    samples = []
    for packet in json.loads(proc.stdout)["packets"]:
        data = b"".join(bytes.fromhex(line.split(": ", 1)[1].split("  ")[0].replace(" ", ""))
                        for line in packet["data"].splitlines() if ": " in line)
        length = int.from_bytes(data[:2], "big")
        styles, at = [], 2 + length
        while at + 8 <= len(data):
            size, kind = int.from_bytes(data[at:at + 4], "big"), data[at + 4:at + 8]
            if kind == b"styl":
                count = int.from_bytes(data[at + 8:at + 10], "big")
                for k in range(count):
                    record = data[at + 10 + 12 * k:at + 22 + 12 * k]
                    styles.append((int.from_bytes(record[0:2], "big"),
                                   int.from_bytes(record[2:4], "big"), record[6]))
            at += max(size, 8)
        samples.append((data[2:2 + length].decode("utf-8"), styles))
    return samples


def slant(frame: bytes, width: int) -> float:
    """How far the caption's strokes lean: the shear (x per row up) that lines them up best.

    The white text pixels are sheared by each candidate amount and projected onto the x axis;
    upright strokes give the sharpest columns unsheared, an oblique font's strokes (DejaVu Sans
    Oblique leans about 11 degrees, a shear of 0.2) once sheared back by its slant. Text of
    mostly vertical strokes ("Hill ill lilt") makes the peak clear at any font size libass
    picks, whatever the exact glyph shapes, antialiasing or position.
    """
    import numpy as np

    pixels = np.frombuffer(frame, np.uint8).reshape(-1, width)
    ys, xs = np.nonzero(pixels > 200)
    assert len(xs) > 100, "no caption text in the frame"
    rows = ys - ys.mean()
    best, best_score = 0.0, -1.0
    for shear in np.linspace(-0.5, 0.5, 101):
        columns = np.bincount(np.round(xs + shear * rows - xs.min() + width).astype(int))
        score = float((columns.astype(float) ** 2).sum())
        if score > best_score:
            best, best_score = float(shear), score
    return best


@pytest.mark.slow
def test_an_italic_cue_in_a_contributors_srt_is_italic_in_every_output(
        make_film: MakeFilm) -> None:
    film = make_film(1, signed=False)
    film.project.caption_path("clip-1").write_bytes(CONTRIBUTOR_SRT.encode("utf-8"))
    film.sign_off()
    result = render_film(film.project, tiny(width=W, height=H), today=TODAY,
                         options=RenderOptions(open_captions=True))

    # film.vtt (and film.srt): the cue is italic, the next one is not.
    vtt = (result.out_dir / "film.vtt").read_text(encoding="utf-8")
    assert "<i>Hill ill lilt</i>" in vtt and "\nHill ill lilt\n" in vtt
    srt_text = (result.out_dir / "film.srt").read_text(encoding="utf-8")
    assert "<i>Hill ill lilt</i>" in srt_text

    # The film's mov_text track: a style record marks the first cue's 13 characters italic.
    samples = [s for s in _mov_text_samples(result.outputs["film.mp4"]) if s[0]]
    assert [text for text, _ in samples] == ["Hill ill lilt", "Hill ill lilt"]
    assert [(start, end) for start, end, face in samples[0][1] if face & 2] == [(0, 13)]
    assert not any(face & 2 for _, _, face in samples[1][1])

    # The burned-in captions: the italic cue's strokes lean, the upright one's do not.
    burned = result.outputs["film.open-captions.mp4"]
    italic = slant(gray_frame(burned, 1.55, width=W, height=H), W)  # film 1.2-1.9 s
    upright = slant(gray_frame(burned, 2.45, width=W, height=H), W)  # film 2.0-2.9 s
    # Measured: italic 0.20, upright -0.05.
    assert abs(upright) <= 0.1 and italic >= 0.14 and italic - upright >= 0.15, (italic, upright)
