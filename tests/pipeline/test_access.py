"""The access report: each WCAG 2.2 criterion judged with its reason, the report in the
manifest, `coprod access` (lines and --json) and the summary line `coprod build` prints."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.access import CRITERIA, AccessFacts, AccessReport, ClipFacts, judge
from pipeline.build import build_film
from pipeline.cli import cli
from tests.pipeline.conftest import TODAY, MakeFilm, tiny
from tests.pipeline.render.test_described import (  # noqa: F401 (stub_voice is a fixture)
    _describe,
    _render,
    _steady_film,
    stub_voice,
)

LOUD = ({"track": "programme", "i": -16.0, "tp": -2.0, "lra": 3.0, "target_i": -16.0},)


def _facts(**changes: object) -> AccessFacts:
    """A film that meets every criterion; ``changes`` break it."""
    base = AccessFacts(
        profile="web",
        clips=(ClipFacts("garden", True, 3, 2, True), ClipFacts("ben-kitchen", True, 4, 1, True)),
        caption_track=True, described_track=True, transcript_descriptions=True,
        signed_film=True, clips_signed=("garden", "ben-kitchen"), loudness=LOUD)
    return replace(base, **changes)  # type: ignore[arg-type]


def _by_number(report: AccessReport) -> dict[str, tuple[bool, str]]:
    return {c.number: (c.met, c.why) for c in report.criteria}


def test_every_criterion_is_reported_in_order_and_all_met() -> None:
    report = judge(_facts())
    assert [c.number for c in report.criteria] == [n for n, _, _ in CRITERIA] == \
        ["1.2.1", "1.2.2", "1.2.3", "1.2.5", "1.2.6", "1.2.7", "1.2.8"]
    assert report.not_met == []
    assert report.summary() == "access (web): 7 of 7 WCAG 2.2 prerecorded-media criteria met"


def test_clips_without_descriptions_are_named() -> None:
    clips = (ClipFacts("garden", True, 3, 0, False), ClipFacts("ben-kitchen", True, 4, 0, False),
             ClipFacts("amara", True, 2, 1, True))
    got = _by_number(judge(_facts(clips=clips)))
    assert got["1.2.5"] == (False, "no descriptions for clips garden, ben-kitchen")
    assert got["1.2.8"][0] is False and "garden, ben-kitchen" in got["1.2.8"][1]
    assert got["1.2.7"][0] is False
    # Neither description nor a full text alternative: 1.2.3 fails too.
    assert got["1.2.3"][0] is False


def test_descriptions_all_trimmed_away_or_a_profile_without_the_track_are_not_met() -> None:
    clips = (ClipFacts("garden", True, 3, 0, True, scripted=2),
             ClipFacts("ben-kitchen", True, 4, 1, True, scripted=1))
    got = _by_number(judge(_facts(clips=clips)))
    assert got["1.2.5"] == (False, "every description of clips garden falls outside the part "
                                   "of the clip the film uses")
    got = _by_number(judge(_facts(clips=(replace(clips[1], descriptions=0),),
                                  described_track=False, profile="review")))
    assert got["1.2.5"] == (False, "the review profile makes no described sound track")


def test_an_empty_description_script_means_nothing_needed_describing() -> None:
    clips = (ClipFacts("garden", True, 3, 0, True),)
    got = _by_number(judge(_facts(clips=clips, described_track=False,
                                  transcript_descriptions=False, clips_signed=("garden",))))
    assert got["1.2.5"][0] and "nothing needs describing" in got["1.2.5"][1]


def test_sign_language_needs_the_signed_film_and_a_signer_for_every_clip() -> None:
    assert _by_number(judge(_facts(signed_film=False)))["1.2.6"][0] is False
    met, why = _by_number(judge(_facts(clips_signed=("garden",))))["1.2.6"]
    assert (met, why) == (False, "no signer for clips ben-kitchen")


def test_extended_description_is_met_only_when_every_description_fits_its_pause() -> None:
    met, why = _by_number(judge(_facts(not_fitting=("garden:2 (voice 3100 ms, pause 2000 ms)",
                                                     ))))["1.2.7"]
    assert not met and "garden:2 (voice 3100 ms, pause 2000 ms)" in why


def test_captions_fail_on_qc_errors_a_missing_track_or_an_uncaptioned_clip() -> None:
    err = "captions/garden.srt:2:overlap: cue 2 starts before cue 1 ends"
    report = judge(_facts(caption_errors=(err,)))
    assert _by_number(report)["1.2.2"][0] is False
    assert f"caption error: {err}" in report.lines()
    assert _by_number(judge(_facts(caption_track=False)))["1.2.2"] == \
        (False, "film.mp4 has no caption track")
    clips = (ClipFacts("garden", True, 0, 2, True),)
    assert "garden" in _by_number(judge(_facts(clips=clips, clips_signed=("garden",))))[
        "1.2.2"][1]


def test_a_clip_without_sound_needs_a_description_for_1_2_1() -> None:
    clips = (ClipFacts("garden", False, 0, 0, False),)
    met, why = _by_number(judge(_facts(clips=clips, clips_signed=("garden",))))["1.2.1"]
    assert (met, why) == (False, "clips without sound and without descriptions: garden")


def test_report_round_trips_through_its_dict_and_prints_loudness() -> None:
    report = judge(_facts(reading_rate=("captions/garden.srt:3:reading-rate: 21 cps",)))
    assert AccessReport.from_dict(json.loads(json.dumps(report.to_dict()))) == report
    lines = report.lines()
    assert "loudness, programme: -16.0 LUFS integrated (target -16.0), true peak -2.0 dBTP, " \
           "range 3.0 LU" in lines
    assert "reading rate: captions/garden.srt:3:reading-rate: 21 cps" in lines
    assert lines[-1] == report.summary()


# --- a real render ----------------------------------------------------------------------------


@pytest.mark.slow
def test_render_writes_the_report_and_coprod_access_prints_it(
        make_film: MakeFilm, tmp_path: Path, stub_voice: list[str]) -> None:  # noqa: F811
    film = _steady_film(make_film, tmp_path, n=2)
    _describe(film, "clip-1", [(100, 2500, "A grey room.")])
    result = _render(film)
    manifest = json.loads(result.outputs["manifest.json"].read_text())
    got = {c["number"]: c for c in manifest["access"]["criteria"]}
    assert got["1.2.5"]["met"] is False and got["1.2.5"]["why"] == "no descriptions for clips " \
                                                                   "clip-2"
    assert got["1.2.2"]["met"] is True
    tracks = [t["track"] for t in manifest["access"]["loudness"]]
    assert len(tracks) == 2 and "audio described" in tracks[1]

    runner = CliRunner()
    out = runner.invoke(cli, ["access", str(film.project.root)])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[3] == "1.2.5 Audio Description (Prerecorded) (AA): not met: no descriptions " \
                       "for clips clip-2"
    assert lines[-1].startswith("access (web): ") and "not met: 1.2.3, 1.2.5," in lines[-1]
    shape = json.loads(runner.invoke(cli, ["access", str(film.project.root), "--json"]).output)
    assert set(shape) == {"profile", "summary", "criteria", "caption_errors", "reading_rate",
                          "loudness"}
    assert set(shape["criteria"][0]) == {"number", "name", "level", "met", "why"}
    assert all(set(t) >= {"track", "i", "tp", "lra", "target_i"} for t in shape["loudness"])

    # A film changed since the render is not reported on.
    result.outputs["film.mp4"].write_bytes(b"not the film")
    out = runner.invoke(cli, ["access", str(film.project.root)])
    assert out.exit_code == 1
    assert "film.mp4: is missing or changed since it was rendered" in out.output
    assert "Traceback" not in out.output


def test_coprod_access_without_a_render_is_one_line_and_exit_1(make_film: MakeFilm) -> None:
    film = make_film(1)
    out = CliRunner().invoke(cli, ["access", str(film.project.root), "--profile", "broadcast"])
    assert out.exit_code == 1
    assert "no broadcast render yet; run `coprod render" in out.output
    assert len(out.output.strip().splitlines()) == 1


@pytest.mark.slow
def test_build_gives_the_access_summary_line(make_film: MakeFilm) -> None:
    film = make_film(1)
    result = build_film(film.project, [tiny()], today=TODAY)
    assert result.access["web"].startswith("access (web): ")
    assert result.access["web"] == ("access (web): 2 of 7 WCAG 2.2 prerecorded-media "
                                    "criteria met; not met: 1.2.3, 1.2.5, 1.2.6, 1.2.7, 1.2.8")
    again = build_film(film.project.reload(), [tiny()], today=TODAY)
    assert again.up_to_date == ["web"] and again.access == result.access


def test_coprod_build_prints_each_profiles_summary_line(capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    from pipeline.build import BuildResult
    from pipeline.cli.render import _say_build

    line = "access (web): 7 of 7 WCAG 2.2 prerecorded-media criteria met"
    _say_build(BuildResult(up_to_date=["web"], access={"web": line, "review": ""}))
    assert capsys.readouterr().err.splitlines() == ["web: up to date", line]
