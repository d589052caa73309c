"""The access report: each WCAG 2.2 criterion judged with its reason, the report in the
manifest, `coprod access` (lines and --json) and the summary line `coprod build` prints."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.access_report import (
    CRITERIA,
    UNCAPTIONED_LIMIT_MS,
    UNSIGNED_LIMIT_MS,
    AccessFacts,
    AccessReport,
    ClipFacts,
    judge,
)
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


def _clip(clip_id: str, **changes: object) -> ClipFacts:
    """A clip that meets every criterion: 8 s, 6 s of speech all captioned and transcribed,
    signed throughout, two descriptions voiced; ``changes`` break it."""
    base = ClipFacts(clip_id, True, 3, 2, True, scripted=2, duration_ms=8000, speech_ms=6000,
                     uncaptioned_ms=200, untranscribed_ms=200, signed_ms=8000, voiced=2)
    return replace(base, **changes)  # type: ignore[arg-type]


def _facts(**changes: object) -> AccessFacts:
    """A film that meets every criterion; ``changes`` break it."""
    base = AccessFacts(
        profile="web", clips=(_clip("garden"), _clip("ben-kitchen")),
        caption_track=True, described_track=True, transcript_descriptions=True,
        signed_film=True, clips_signed=("garden", "ben-kitchen"), loudness=LOUD)
    return replace(base, **changes)  # type: ignore[arg-type]


def _by_number(report: AccessReport) -> dict[str, tuple[bool, str]]:
    return {c.number: (c.met, c.why) for c in report.criteria}


def test_every_criterion_is_reported_in_order_and_all_met_with_figures() -> None:
    report = judge(_facts())
    assert [c.number for c in report.criteria] == [n for n, _, _ in CRITERIA] == \
        ["1.2.1", "1.2.2", "1.2.3", "1.2.5", "1.2.6", "1.2.7", "1.2.8"]
    assert report.not_met == []
    assert report.summary() == "access (web): 7 of 7 WCAG 2.2 prerecorded-media criteria met"
    got = _by_number(report)
    assert "0.4 s of the 12.0 s of speech the VAD finds is outside every caption" in \
        got["1.2.2"][1]
    assert "signer for 16.0 s of the 16.0 s of clips" in got["1.2.6"][1]
    assert "4 description(s) voiced across all 2 clip(s)" in got["1.2.5"][1]
    assert report.clips[0] == {
        "id": "garden", "seconds": 8.0, "speech_s": 6.0, "uncaptioned_s": 0.2,
        "untranscribed_s": 0.2, "signed_s": 8.0, "unsigned_s": 0.0, "descriptions": 2,
        "descriptions_voiced": 2, "no_visual_description_needed": None}
    assert "clip garden: 8.0 s; speech 6.0 s, uncaptioned 0.2 s, not in the transcript 0.2 s; " \
           "signed 8.0 s; descriptions voiced 2" in report.lines()


def test_clips_without_descriptions_are_named() -> None:
    clips = (_clip("garden", descriptions=0, script=False, scripted=0, voiced=0),
             _clip("ben-kitchen", descriptions=0, script=False, scripted=0, voiced=0),
             _clip("amara"))
    got = _by_number(judge(_facts(clips=clips)))
    assert got["1.2.5"] == (False, "no descriptions for clips garden, ben-kitchen")
    assert got["1.2.8"][0] is False and "garden, ben-kitchen" in got["1.2.8"][1]
    assert got["1.2.7"][0] is False
    # Neither description nor a full text alternative: 1.2.3 fails too.
    assert got["1.2.3"][0] is False


def test_descriptions_all_trimmed_away_or_a_profile_without_the_track_are_not_met() -> None:
    clips = (_clip("garden", descriptions=0, voiced=0), _clip("ben-kitchen"))
    got = _by_number(judge(_facts(clips=clips)))
    assert got["1.2.5"] == (False, "every description of clips garden falls outside the part "
                                   "of the clip the film uses")
    got = _by_number(judge(_facts(clips=(_clip("ben-kitchen", descriptions=0, voiced=0),),
                                  described_track=False, profile="review")))
    assert got["1.2.5"] == (False, "the review profile makes no described sound track")


def test_an_empty_description_script_is_not_a_description() -> None:
    clips = (_clip("garden", descriptions=0, scripted=0, voiced=0), _clip("ben-kitchen"))
    met, why = _by_number(judge(_facts(clips=clips)))["1.2.5"]
    assert not met and why.startswith("the description script of clips garden is empty")


def test_a_clip_marked_as_needing_no_description_is_met_with_the_producers_reason() -> None:
    reason = "black screen with music only"
    clips = (_clip("garden", descriptions=0, scripted=0, voiced=0, script=False,
                   no_description_needed=reason), _clip("ben-kitchen"))
    report = judge(_facts(clips=clips))
    met, why = _by_number(report)["1.2.5"]
    assert met and f"garden needs none ({reason})" in why
    assert report.clips[0]["no_visual_description_needed"] == reason


def test_descriptions_placed_but_silent_are_not_met() -> None:
    clips = (_clip("garden", voiced=0), _clip("ben-kitchen"))
    met, why = _by_number(judge(_facts(clips=clips)))["1.2.5"]
    assert (met, why) == (False, "no description of clips garden is heard in the described "
                                 "track")


def test_sign_language_needs_the_signed_film_and_a_signer_for_every_second() -> None:
    assert _by_number(judge(_facts(signed_film=False)))["1.2.6"][0] is False
    clips = (_clip("garden", duration_ms=20800, signed_ms=2000), _clip("ben-kitchen"))
    met, why = _by_number(judge(_facts(clips=clips)))["1.2.6"]
    assert (met, why) == (False, "a signer is missing for part of the film: garden: signer for "
                                 "2.0 s of 20.8 s (18.8 s without)")
    # A sign video a few frames short is not a missing signer.
    clips = (_clip("garden", duration_ms=8000, signed_ms=8000 - UNSIGNED_LIMIT_MS),)
    assert _by_number(judge(_facts(clips=clips)))["1.2.6"][0] is True


def test_uncaptioned_speech_over_the_limit_fails_captions_and_the_transcript() -> None:
    clips = (_clip("garden", speech_ms=8300, uncaptioned_ms=6200, untranscribed_ms=6200),
             _clip("ben-kitchen"))
    got = _by_number(judge(_facts(clips=clips)))
    assert got["1.2.2"] == (False, "speech without captions, over the 1.0 s a clip allowed: "
                                   "garden: 6.2 s of 8.3 s of speech (75 %) uncaptioned")
    assert got["1.2.8"] == (False, "the transcript leaves out speech, over the 1.0 s a clip "
                                   "allowed: garden: 6.2 s of 8.3 s of speech (75 %) not in it")
    at_limit = (_clip("garden", uncaptioned_ms=UNCAPTIONED_LIMIT_MS,
                      untranscribed_ms=UNCAPTIONED_LIMIT_MS),)
    assert not judge(_facts(clips=at_limit)).not_met


def test_extended_description_is_met_only_when_every_description_fits_its_pause() -> None:
    met, why = _by_number(judge(_facts(not_fitting=("title:1 (voice 3100 ms, pause 2000 ms)",
                                                     ))))["1.2.7"]
    assert not met and "title:1 (voice 3100 ms, pause 2000 ms)" in why


def test_captions_fail_on_qc_errors_a_missing_track_or_an_uncaptioned_clip() -> None:
    err = "captions/garden.srt:2:overlap: cue 2 starts before cue 1 ends"
    report = judge(_facts(caption_errors=(err,)))
    assert _by_number(report)["1.2.2"][0] is False
    assert f"caption error: {err}" in report.lines()
    assert _by_number(judge(_facts(caption_track=False)))["1.2.2"] == \
        (False, "film.mp4 has no caption track, yet the VAD finds 12.0 s of speech")
    clips = (_clip("garden", cues=0),)
    assert "garden" in _by_number(judge(_facts(clips=clips)))["1.2.2"][1]


def test_a_clip_without_sound_needs_a_description_for_1_2_1() -> None:
    clips = (_clip("garden", has_sound=False, cues=0, descriptions=0, script=False, voiced=0,
                   speech_ms=0, uncaptioned_ms=0, untranscribed_ms=0),)
    met, why = _by_number(judge(_facts(clips=clips)))["1.2.1"]
    assert (met, why) == (False, "clips without sound, and the film is not described (see "
                                 "1.2.5): garden")


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
                          "loudness", "clips"}
    assert [c["id"] for c in shape["clips"]] == ["clip-1", "clip-2"]
    assert shape["clips"][0]["descriptions_voiced"] == 1
    assert shape["clips"][1]["descriptions_voiced"] == 0
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
    from pipeline.cli.render import _show_build

    line = "access (web): 7 of 7 WCAG 2.2 prerecorded-media criteria met"
    _show_build(BuildResult(up_to_date=["web"], access={"web": line, "review": ""}))
    # Results, on standard output as render's are (issue 25, item 1).
    assert capsys.readouterr().out.splitlines() == ["web: up to date", line]


def test_a_report_from_before_figures_were_measured_is_not_repeated(make_film: MakeFilm) -> None:
    film = make_film(1)
    out_dir = film.project.build_dir / "web"
    out_dir.mkdir(parents=True)
    old = judge(_facts()).to_dict()
    del old["clips"]
    (out_dir / "manifest.json").write_text(json.dumps({"outputs": {}, "access": old}))
    out = CliRunner().invoke(cli, ["access", str(film.project.root)])
    assert out.exit_code == 1
    assert "has an access report without measured figures; it was rendered by an earlier " \
           "coprod: render the film again" in out.output
    assert len(out.output.strip().splitlines()) == 1
