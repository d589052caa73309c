"""Pauses in speech from word times, and `coprod describe` writing (never overwriting) a script."""

from __future__ import annotations

from captions.model import Word
from pipeline.describe.pauses import GUARD_MS, MIN_PAUSE_MS, Pause, find_pauses
from pipeline.describe.script import PLACEHOLDER, load_descriptions
from pipeline.project import Project
from tests.conftest import run_cli


def _words(*spans: tuple[int, int]) -> list[Word]:
    return [Word(s, e, "word", 0.9) for s, e in spans]


def test_pauses_between_words_are_guarded_and_at_least_the_minimum() -> None:
    words = _words((0, 400), (500, 900), (3000, 3400), (4000, 4200))
    pauses = find_pauses(words, 10_000)
    # 0.9-3.0 s: 2.1 s of silence, 1.8 s after the guards; 3.4-4.0 s is too short; the tail
    # runs from the last word (guarded) to the clip's end (no speech there, no guard).
    assert pauses == [Pause(900 + GUARD_MS, 3000 - GUARD_MS), Pause(4200 + GUARD_MS, 10_000)]
    assert all(p.length_ms >= MIN_PAUSE_MS for p in pauses)


def test_leading_silence_and_a_clip_without_words() -> None:
    assert find_pauses(_words((2500, 2900)), 3000) == [Pause(0, 2500 - GUARD_MS)]
    assert find_pauses([], 4000) == [Pause(0, 4000)]
    assert find_pauses([], 1000) == []


def test_overlapping_and_unsorted_words_do_not_make_false_pauses() -> None:
    # A long word that covers a later short one: no pause inside the long word.
    words = _words((3000, 3200), (0, 2900), (100, 200))
    assert find_pauses(words, 3200) == []
    assert find_pauses(_words((0, 1000)), 3000, min_ms=1000) == [Pause(1150, 3000)]


def test_describe_writes_a_starting_script_listing_pauses(described_film: Project) -> None:
    root = str(described_film.root)
    code, out = run_cli("describe", root, "clip-1")
    assert code == 0, out
    # Speech ends at 0.9 s and starts again at 3.0 s: one pause of 1.8 s after the guards.
    assert "1 pause (1.8 s)" in out
    path = described_film.root / "descriptions" / "clip-1.vtt"
    text = path.read_text(encoding="utf-8")
    assert "00:00:01.050 --> 00:00:02.850" in text and "pause of 1.8 s" in text
    # The starting file is a valid script whose cues are still placeholders.
    descriptions = load_descriptions(described_film, "clip-1")
    assert [(d.cue, d.start_ms, d.end_ms) for d in descriptions] == [(1, 1050, 2850)]
    assert descriptions[0].text.startswith(PLACEHOLDER)


def test_describe_never_overwrites_a_script(described_film: Project) -> None:
    path = described_film.root / "descriptions" / "clip-1.vtt"
    path.parent.mkdir()
    path.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nMy own words.\n", encoding="utf-8")
    before = path.read_bytes()
    code, out = run_cli("describe", "start", str(described_film.root), "clip-1")
    assert code == 1
    assert out.strip().splitlines() == [f"Error: {path}: already exists; coprod never "
                                        "overwrites a description script (edit it, or move it "
                                        "away to start again)"]
    assert path.read_bytes() == before


def test_describe_without_a_transcript_is_one_line(described_film: Project) -> None:
    described_film.transcript_path("clip-1").unlink()
    code, out = run_cli("describe", str(described_film.root), "clip-1")
    assert code == 1 and len(out.strip().splitlines()) == 1
    assert "no transcript" in out and "coprod transcribe" in out
    assert not (described_film.root / "descriptions" / "clip-1.vtt").exists()


def test_describe_refuses_an_unknown_or_hostile_clip_id(described_film: Project) -> None:
    for clip in ("nope", "../../etc"):
        code, out = run_cli("describe", str(described_film.root), clip)
        assert code == 1 and len(out.strip().splitlines()) == 1, out
    assert not (described_film.root / "descriptions").exists()
