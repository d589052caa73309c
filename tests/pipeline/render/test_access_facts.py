"""The access report measured on a real render, and the broken cases issue 23 found the old
report calling "met": a sign video covering part of its clip, three of a clip's four cues
deleted, an empty description script, a description whose voice does not fit its pause.

The speaking clip is made with espeak-ng (four sentences at known times with silence between),
so the speech the VAD finds is real speech; the report's figures are compared with where the
test put the sentences.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from captions.model import Cue
from pipeline import runner
from pipeline.render.access_measure import cue_spans, in_transcript, merged, uncovered_ms
from tests.pipeline.conftest import FilmFixture, MakeFilm, add_signer
from tests.pipeline.render.test_described import (  # noqa: F401 (stub_voice is a fixture)
    _describe,
    _render,
    stub_voice,
)

SENTENCES = ("We planted the garden in spring.", "Ben brought the seeds from home.",
             "It rained for a whole week.", "Then the first green shoots came up.")
GAP_MS = 700
LEAD_MS = 400
TAIL_MS = 1500  # silence after the last sentence, for a description


def _ms(path: Path) -> int:
    return round(float(runner.ffprobe_json(path)["format"]["duration"]) * 1000)


def speaking_clip(folder: Path) -> tuple[Path, list[tuple[int, int]]]:
    """A grey clip with the four sentences spoken by espeak-ng, and where each one lies (ms)."""
    folder.mkdir(parents=True, exist_ok=True)
    spans: list[tuple[int, int]] = []
    inputs: list[str] = []
    chains: list[str] = []
    at = LEAD_MS
    for i, text in enumerate(SENTENCES):
        wav = folder / f"s{i}.wav"
        runner.run(["espeak-ng", "-v", "en", "-s", "170", "-w", str(wav), text])
        length = _ms(wav)
        spans.append((at, at + length))
        inputs += ["-i", str(wav)]
        chains.append(f"[{i + 1}:a]aresample=48000,adelay={at}|{at}[a{i}]")
        at += length + GAP_MS
    seconds = (at - GAP_MS + TAIL_MS) / 1000
    out = folder / "speaking.mp4"
    mix = ";".join(chains) + ";" + "".join(f"[a{i}]" for i in range(len(SENTENCES))) + \
        f"amix=inputs={len(SENTENCES)}:normalize=0:duration=longest,apad,atrim=0:{seconds}," \
        "aformat=channel_layouts=stereo[a]"
    runner.ffmpeg(["-f", "lavfi", "-i", f"color=c=gray:s=320x180:r=25:d={seconds}", *inputs,
                   "-filter_complex", mix, "-map", "0:v", "-map", "[a]", "-c:v", "libx264",
                   "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                   "-t", str(seconds), str(out)])
    return out, spans


def _cues(spans: list[tuple[int, int]]) -> list[Cue]:
    return [Cue(s, e, t) for (s, e), t in zip(spans, SENTENCES, strict=True)]


def test_coverage_counts_speech_outside_every_widened_cue() -> None:
    speech = [(0, 1000), (2000, 3000), (2500, 4000)]
    assert merged(speech) == [(0, 1000), (2000, 4000)]
    cues = [Cue(100, 900, "one"), Cue(2000, 2500, "two")]
    assert uncovered_ms(speech, cue_spans(cues, 0)) == 100 + 100 + 1500
    assert uncovered_ms(speech, cue_spans(cues, 250)) == 0 + 1250
    assert uncovered_ms(speech, []) == 3000
    assert [c.text for c in in_transcript(cues, "Title\n\n[0:00] one\nthree")] == ["one"]


@pytest.fixture
def broken_film(make_film: MakeFilm, tmp_path: Path, stub_voice: list[str]  # noqa: F811
                ) -> tuple[FilmFixture, list[tuple[int, int]]]:
    """clip-1 speaks four sentences but keeps only the first cue, is signed for 1 s, and has a
    description whose voice (300 ms) outlasts its 100 ms cue; clip-2's description script is
    empty."""
    clip, spans = speaking_clip(tmp_path / "speech")
    film = make_film(signed=False, cues=lambda i: _cues(spans)[:1] if i == 0 else
                     [Cue(200, 900, "Hello."), Cue(1300, 1900, "We made this film.")])
    project = film.project
    dst = project.footage_dir / "clip-1.mp4"
    shutil.copyfile(clip, dst)
    project.doc["clips"]["clip-1"]["sha256"] = project.file_sha256(dst, fresh=True)
    project.save()
    film.reload()
    end = spans[-1][1]
    _describe(film, "clip-1", [(end + 600, end + 700, "A garden.")])
    _describe(film, "clip-2", [])
    add_signer(film.reload(), "clip-1", seconds=1.0)
    film.reload()
    return film, spans


@pytest.mark.slow
def test_each_broken_case_is_not_met_with_its_measured_figure(
        broken_film: tuple[FilmFixture, list[tuple[int, int]]]) -> None:
    film, spans = broken_film
    result = _render(film)
    manifest = json.loads(result.outputs["manifest.json"].read_text())
    report = manifest["access"]
    got = {c["number"]: c for c in report["criteria"]}
    figures = {c["id"]: c for c in report["clips"]}
    clip1 = figures["clip-1"]
    deleted = sum(e - s for s, e in spans[1:]) / 1000
    spoken = sum(e - s for s, e in spans) / 1000
    # The VAD's speech is inside the sentences' files (espeak pads each a little).
    assert 0.6 * spoken <= clip1["speech_s"] <= spoken + 0.2
    assert 0.5 * deleted <= clip1["uncaptioned_s"] <= deleted + 0.2
    assert clip1["uncaptioned_s"] == clip1["untranscribed_s"]
    assert got["1.2.2"]["met"] is False
    assert f"clip-1: {clip1['uncaptioned_s']:.1f} s of {clip1['speech_s']:.1f} s of speech" in \
        got["1.2.2"]["why"]
    assert got["1.2.8"]["met"] is False and "clip-1" in got["1.2.8"]["why"]

    # Signed for 1 s of a clip several seconds long.
    assert got["1.2.6"]["met"] is False
    assert clip1["signed_s"] == 1.0 and clip1["unsigned_s"] == round(clip1["seconds"] - 1, 1)
    assert f"clip-1: signer for 1.0 s of {clip1['seconds']:.1f} s" in got["1.2.6"]["why"]

    # An empty description script is not a description.
    assert got["1.2.5"]["met"] is False
    assert "the description script of clips clip-2 is empty" in got["1.2.5"]["why"]
    assert figures["clip-2"]["descriptions_voiced"] == 0

    # The manifest's `fits` and 1.2.7 agree.
    unfit = [d for d in manifest["described"]["descriptions"] if not d["fits"]]
    assert [(d["part"], d["cue"]) for d in unfit] == [("clip-1", 1)]
    assert got["1.2.7"]["met"] is False
    assert "descriptions that need more time than their pause: clip-1:1 (voice 300 ms, pause " \
           "100 ms)" in got["1.2.7"]["why"]
    # The producer marks clip-2 as having nothing to describe: 1.2.5 is met, quoting why.
    project = film.reload()
    project.doc["clips"]["clip-2"]["no_visual_description_needed"] = "a grey card, nothing else"
    project.save()
    again = json.loads(_render(film).outputs["manifest.json"].read_text())["access"]
    met = {c["number"]: c for c in again["criteria"]}["1.2.5"]
    assert met["met"] is True and "clip-2 needs none (a grey card, nothing else)" in met["why"]
    assert {c["id"]: c for c in again["clips"]}["clip-2"]["no_visual_description_needed"] == \
        "a grey card, nothing else"
