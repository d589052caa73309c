"""`coprod describe check`: overlap with speech, and fitting the pause as measured when voiced."""

from __future__ import annotations

from pipeline.describe import load_descriptions, voice_descriptions
from pipeline.describe.check import check_descriptions
from pipeline.project import Project
from tests.conftest import run_cli
from tests.describe.conftest import make_wav, write_script

# described_film speaks at 0.2-0.9 s and 3.0-3.5 s of a 4 s clip.
FITS = "00:00:01.050 --> 00:00:02.850\nAmara smiles.\n"
TOO_LONG = ("00:00:01.050 --> 00:00:02.850\nAmara sits at the kitchen table with a mug of tea "
            "and a pile of letters from the council.\n")
OVERLAPS = "00:00:00.500 --> 00:00:01.500\nShe waves.\n"


def _script(project: Project, *cues: str) -> str:
    return str(write_script(project, "clip-1", "WEBVTT\n\n" + "\n".join(cues)))


def test_a_description_that_fits_its_pause_passes(described_film: Project) -> None:
    _script(described_film, FITS)
    code, out = run_cli("describe", "check", str(described_film.root))
    assert code == 0, out
    assert check_descriptions(described_film) == []


def test_overlapping_speech_is_an_error_naming_file_and_cue(described_film: Project) -> None:
    path = _script(described_film, OVERLAPS, "\n" + FITS.replace("01.050", "01.500"))
    code, out = run_cli("describe", "check", str(described_film.root), "clip-1")
    assert code == 1
    [line] = [ln for ln in out.splitlines() if ln.startswith(path)]
    # Hello (0.2-0.5 s) ends as the cue starts; there. (0.55-0.9 s) is under it.
    assert line.startswith(f"{path}:1: overlaps speech at 0.6-0.9 s ('there.'); move it")


def test_not_fitting_is_measured_from_the_voiced_audio(described_film: Project) -> None:
    path = _script(described_film, TOO_LONG)
    [voiced] = voice_descriptions(described_film, "clip-1",
                                  load_descriptions(described_film, "clip-1"))
    [finding] = check_descriptions(described_film)
    assert str(finding).startswith(
        f"{path}:1: voiced it takes {voiced.duration_ms / 1000:.1f} s ({voiced.voice}) but its "
        "pause is 1.8 s (to 2.9 s); cut about")
    assert finding.severity == "error"


def test_a_recording_too_long_for_its_pause_is_found(described_film: Project) -> None:
    described_film.doc["clips"]["clip-1"]["described_by"] = ["ben"]
    described_film.save()
    project = described_film.reload()
    path = _script(project, FITS)  # the words fit; the describer's reading does not
    make_wav(project.root / "descriptions" / "clip-1" / "1.wav", 2.5)
    [finding] = check_descriptions(project)
    assert str(finding).startswith(f"{path}:1: voiced it takes 2.5 s (recorded by ben)")


def test_starting_text_and_unused_recordings(described_film: Project) -> None:
    code, _ = run_cli("describe", str(described_film.root), "clip-1")
    assert code == 0
    stray = make_wav(described_film.root / "descriptions" / "clip-1" / "4.wav", 0.5)
    findings = check_descriptions(described_film)
    assert [(f.cue, f.severity) for f in findings] == [(1, "error"), (None, "warning")]
    assert "still has the starting text" in findings[0].message
    assert findings[1].path == str(stray) and "has no cue 4" in findings[1].message


def test_check_goes_on_past_a_clip_it_cannot_check(make_film: object) -> None:
    film = make_film(2, seconds=4.0)  # type: ignore[operator]
    project: Project = film.project
    write_script(project, "clip-1", "WEBVTT\n\n" + FITS)
    write_script(project, "clip-2", "WEBVTT\n\n00:00:03.200 --> 00:00:03.800\nHe waves.\n")
    from tests.describe.conftest import write_transcript

    write_transcript(project, "clip-2", [(3000, 3500, "Bye.")])
    code, out = run_cli("describe", "check", str(project.root))
    assert code == 1
    lines = [line for line in out.splitlines() if line.startswith(str(project.root))]
    assert len(lines) == 2 and "clip-1" in lines[0] and "no transcript" in lines[0]
    assert "clip-2.vtt:1: overlaps speech at 3.0-3.5 s ('Bye.')" in lines[1]


def test_a_description_trimmed_out_of_the_film_is_a_warning(described_film: Project) -> None:
    described_film.doc["sequence"][0]["out"] = 2.5
    described_film.save()
    project = described_film.reload()
    path = _script(project, FITS)  # 1.05-2.85 s, but the film uses the clip to 2.5 s
    [finding] = check_descriptions(project)
    assert (finding.path, finding.cue, finding.severity) == (path, 1, "warning")
    assert "outside the part of the clip the film uses (0.0 s-2.5 s)" in finding.message
    code, _ = run_cli("describe", "check", str(project.root))
    assert code == 0


def test_a_description_inside_any_use_of_a_clip_used_twice_is_heard(
        described_film: Project) -> None:
    from ruamel.yaml.comments import CommentedMap

    sequence = described_film.doc["sequence"]
    clip_id = sequence[0]["clip"]
    sequence[0]["out"] = 1.0
    sequence.append(CommentedMap([("clip", clip_id), ("in", 1.0)]))  # the rest, used later
    described_film.save()
    project = described_film.reload()
    _script(project, FITS)  # 1.05-2.85 s: inside the second use
    assert check_descriptions(project) == []
    project.doc["sequence"][-1]["out"] = 2.0
    project.save()
    [finding] = check_descriptions(project.reload())
    assert "outside every part of the clip the film uses (0.0 s-1.0 s, 1.0 s-2.0 s)" in \
        finding.message
