"""A publishing render refuses captions that would break the film (issue 9, item 6, render part).

The reproduction: a NUL byte in a cue passed QC and sign-off, and the film's subtitle track got
an empty packet, the cue silently lost; a terminal escape went through too. Now `render` for the
web or broadcast refuses structural caption errors (control characters, overlaps, a cue that
ends after its clip) as `build` does, listing ``file:cue:rule`` for each, through the same
check; a draft renders such a file with the control characters left out of every output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import runner
from pipeline.build import BuildError, build_film
from pipeline.render import CaptionErrorsError, render_film
from pipeline.render.options import RenderOptions
from tests.adversarial.conftest import one_line_error
from tests.conftest import run_cli
from tests.pipeline.conftest import TODAY, MakeFilm, tiny

pytestmark = pytest.mark.slow

HOSTILE_SRT = (
    "1\n00:00:00,200 --> 00:00:00,900\nHello\0 from clip 1.\n\n"
    "2\n00:00:01,000 --> 00:00:01,500\nWe made \x1b[2Jthis\n\n"
    "3\n00:00:01,600 --> 00:00:01,900\nabc\u202edef\n"
)


def _write_raw(path: Path, text: str) -> None:
    # The captions writers refuse control characters; an editor or a hostile hand does not.
    path.write_bytes(text.encode("utf-8"))


def test_render_for_the_web_refuses_control_characters_listing_file_and_cue(
        make_film: MakeFilm) -> None:
    film = make_film(2)
    caption = film.project.caption_path("clip-1")
    _write_raw(caption, HOSTILE_SRT)
    film.sign_off(["clip-1"])  # signed, so only the captions stand in the way
    with pytest.raises(CaptionErrorsError) as info:
        render_film(film.project, tiny(), today=TODAY)
    message = str(info.value)
    for cue in (1, 2, 3):
        assert f"{caption}:{cue}:control-character:" in message
    assert "\0" not in message and "\x1b" not in message and "\u202e" not in message
    assert "\\x00" in message and "\\x1b" in message
    assert not (film.project.build_dir / "web").exists()


def test_render_refuses_overlap_and_cue_past_the_clip_end(make_film: MakeFilm) -> None:
    film = make_film(2)
    caption = film.project.caption_path("clip-2")
    _write_raw(caption, "1\n00:00:00,200 --> 00:00:01,200\nOne.\n\n"
                        "2\n00:00:01,000 --> 00:00:01,500\nTwo.\n\n"
                        "3\n00:00:01,600 --> 00:00:04,000\nPast the end.\n")
    film.sign_off(["clip-2"])
    with pytest.raises(CaptionErrorsError) as info:
        render_film(film.project, tiny("broadcast"), today=TODAY)
    message = str(info.value)
    assert f"{caption}:2:overlap:" in message and f"{caption}:3:beyond-clip-end:" in message


def test_render_and_build_refuse_the_same_caption_through_one_check(make_film: MakeFilm) -> None:
    film = make_film(1)
    _write_raw(film.project.caption_path("clip-1"), HOSTILE_SRT)
    film.sign_off()
    with pytest.raises(CaptionErrorsError) as rendered:
        render_film(film.project, tiny(), today=TODAY)
    with pytest.raises(BuildError) as built:
        build_film(film.project, [tiny()], today=TODAY)
    for finding in rendered.value.findings:
        assert str(finding) in str(built.value)


def test_render_refusal_from_the_command_line_prints_no_raw_control_character(
        make_film: MakeFilm) -> None:
    film = make_film(1)
    _write_raw(film.project.caption_path("clip-1"), HOSTILE_SRT)
    film.sign_off()
    code, out = run_cli("render", str(film.project.root))
    assert code == 1 and "Traceback" not in out
    assert "control-character" in out
    assert not any(c in out for c in ("\0", "\x1b", "\u202e"))


def test_a_draft_renders_the_text_without_its_control_characters(make_film: MakeFilm) -> None:
    film = make_film(1)
    _write_raw(film.project.caption_path("clip-1"), HOSTILE_SRT)
    result = render_film(film.project, tiny("review"), today=TODAY,
                         options=RenderOptions(draft=True))
    for name in ("film.srt", "film.vtt", "transcript.txt", "transcript.html", "manifest.json"):
        text = (result.out_dir / name).read_text(encoding="utf-8")
        assert not any(c in text for c in ("\0", "\x1b", "\u202e")), name
    assert "Hello from clip 1." in (result.out_dir / "film.srt").read_text()
    # Every cue reached the subtitle track (the film is checked before it is published).
    track = runner.run(["ffmpeg", "-v", "error", "-i", f"file:{result.outputs['film.mp4']}",
                        "-map", "0:s", "-f", "srt", "-"]).stdout.decode()
    assert "Hello from clip 1." in track and "We made [2Jthis" in track and "abcdef" in track


def test_draft_review_from_the_command_line_is_not_refused(make_film: MakeFilm) -> None:
    film = make_film(1)
    _write_raw(film.project.caption_path("clip-1"), HOSTILE_SRT)
    code, out = run_cli("render", str(film.project.root), "--profile", "review", "--draft")
    assert code == 0, one_line_error(out)
