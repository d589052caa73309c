"""Contributors approve how they are described: descriptions in the key, describers gated."""

from __future__ import annotations

from datetime import date

from consent import ConsentGiven, content_key
from consent.ledger import Ledger
from pipeline.clearance import caption_sha256, clear_film, clip_key
from pipeline.project import Project
from tests.conftest import run_cli
from tests.describe.conftest import make_wav, write_script
from tests.pipeline.conftest import TODAY, MakeFilm

SCRIPT = "WEBVTT\n\n00:00:01.050 --> 00:00:02.850\nAmara smiles.\n"


def test_the_content_key_without_descriptions_is_the_old_one() -> None:
    # Made by consent/signoff.py before descriptions existed: existing sign-offs stay valid.
    assert content_key("a" * 64, 500, 2500, "b" * 64) == \
        "3f4af61db48eddd6dac0b3f5e6c8b9e8cb290cf24a4438c87d0977920ac7f148"
    assert content_key("c" * 64, None, None, None, ()) == \
        "092b622e933d566e7b172909b65bd17cc35d7786379ccb106ae8c68f30aec2d6"
    assert content_key("c" * 64, None, None, None, ["d" * 64]) != \
        content_key("c" * 64, None, None, None)


def test_a_clip_without_descriptions_keeps_its_key_and_sign_off(make_film: MakeFilm) -> None:
    project = make_film(1).project
    (project.root / "descriptions").mkdir()  # an empty folder is not a description
    footage = project.footage_sha256("clip-1")
    assert clip_key(project, "clip-1") == content_key(footage, None, None,
                                                      caption_sha256(project, "clip-1"))
    assert clear_film(project, "web", today=TODAY).result.ok


def test_sign_off_goes_stale_when_a_description_changes(make_film: MakeFilm) -> None:
    project = make_film(1).project
    before = clip_key(project, "clip-1")
    path = write_script(project, "clip-1", SCRIPT)
    described = clip_key(project, "clip-1")
    assert described != before
    [reason] = clear_film(project, "web", today=TODAY).result.blocked["clip-1"]
    assert (reason.contributor, str(reason.code)) == ("amara", "stale-signoff")
    assert "descriptions changed" in reason.message
    code, out = run_cli("signoff", str(project.root), "clip-1", "--by", "amara")
    assert code == 0, out
    assert "1 at 1.1-2.9 s: Amara smiles." in out  # what she approved is shown to her
    assert clear_film(project, "web", today=TODAY).result.ok
    path.write_text(SCRIPT.replace("smiles", "frowns"), encoding="utf-8")
    assert clip_key(project, "clip-1") not in (before, described)
    assert "clip-1" in clear_film(project, "web", today=TODAY).result.blocked


def test_a_new_or_changed_recording_makes_the_sign_off_stale(make_film: MakeFilm) -> None:
    project = make_film(1).project
    write_script(project, "clip-1", SCRIPT)
    scripted = clip_key(project, "clip-1")
    recording = make_wav(project.root / "descriptions" / "clip-1" / "1.wav", 1.0)
    recorded = clip_key(project, "clip-1")
    assert recorded != scripted
    make_wav(recording, 1.2)
    assert clip_key(project, "clip-1") not in (scripted, recorded)


def _describer(project: Project, person: str) -> Project:
    project.doc["clips"]["clip-1"]["described_by"] = [person]
    project.save()
    project = project.reload()
    write_script(project, "clip-1", SCRIPT)
    make_wav(project.root / "descriptions" / "clip-1" / "1.wav", 1.0)
    return project


def _consent(project: Project, person: str, scopes: list[str]) -> None:
    Ledger(project.ledger_path).add(ConsentGiven.create(
        person, scopes=scopes, channels=["internal", "web"], given=date(2026, 2, 1),
        method="written", obtained_by="Sam (support worker)"))


def test_a_describer_without_voice_consent_is_refused(make_film: MakeFilm) -> None:
    project = make_film(1).project
    _consent(project, "ben", ["appear"])  # later than the fixture's: ben withheld voice
    project = _describer(project, "ben")
    run_cli("signoff", str(project.root), "clip-1", "--by", "amara")
    blocked = clear_film(project, "web", today=TODAY).result.blocked["clip-1"]
    assert [(r.contributor, str(r.code)) for r in blocked] == [
        ("ben", "scope-missing"), ("ben", "no-signoff")]
    assert blocked[0].message == ("clip clip-1: contributor ben: no consent to voice (the film "
                                  "uses this clip's recorded descriptions)")
    code, out = run_cli("build", str(project.root), "--profile", "web")
    assert code == 1 and "ben" in out and "no consent to voice" in out


def test_a_describer_needs_voice_and_sign_off_but_not_appear(make_film: MakeFilm) -> None:
    project = make_film(1).project
    _consent(project, "ben", ["voice"])
    project = _describer(project, "ben")
    for person in ("amara", "ben"):
        code, out = run_cli("signoff", str(project.root), "clip-1", "--by", person)
        assert code == 0, out
    result = clear_film(project, "web", today=TODAY).result
    assert result.ok, result.reasons
    # Chloe neither appears in nor describes the clip: she cannot sign it off.
    code, out = run_cli("signoff", str(project.root), "clip-1", "--by", "chloe")
    assert code == 1 and "'chloe' is not a contributor of clip 'clip-1'" in out


def test_status_shows_the_descriptions(make_film: MakeFilm) -> None:
    project = make_film(1).project
    code, before = run_cli("status", str(project.root))
    assert "descriptions" not in before.lower()  # a film without them: status as it was
    write_script(project, "clip-1", SCRIPT)
    code, out = run_cli("status", str(project.root))
    assert out.splitlines()[1].split()[4] == "descriptions"
    assert "Audio descriptions:" in out and "1 at 1.1-2.9 s: Amara smiles." in out
    bad = write_script(project, "clip-1", "WEBVTT\n\nnot a cue\n")
    code, out = run_cli("status", str(project.root))
    assert f"{bad}:3:" in out and "Traceback" not in out
