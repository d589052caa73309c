"""`coprod status`: the report on a small project, and the table a producer reads."""

from __future__ import annotations

import json
import shutil
from datetime import date

from captions.formats import save as save_captions
from captions.model import Cue
from consent import Ledger, SignoffState, Withdrawal
from pipeline.caption_store import CaptionState
from pipeline.clearance import clip_key
from pipeline.clearance.sign_videos import sign_path
from pipeline.project import Project
from pipeline.status import COLUMNS, FootageState, film_status, format_status
from tests.conftest import run_cli
from tests.pipeline.conftest import TODAY, FilmFixture, MakeFilm, add_signer, make_sign_video


def _manifest(film: FilmFixture, profile: str, clips: dict[str, str | None]) -> None:
    """A render manifest naming ``clips`` (id -> content key), as a render of ``profile`` writes."""
    project = film.project
    path = project.build_dir / profile / "manifest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "output": f"build/{profile}/film.mp4", "created": "2026-05-01T10:00:00+00:00",
        "profile": {"name": profile},
        "clips": [{"id": cid, "contributors": list(project.clip(cid).contributors),
                   "content_key": key} for cid, key in clips.items()],
    }))


def _rows(report: dict[str, object]) -> dict[str, dict[str, object]]:
    clips = report["clips"]
    assert isinstance(clips, list)
    return {row["id"]: row for row in clips}


def test_status_of_a_cleared_film(make_film: MakeFilm) -> None:
    film = make_film(2, trims={"clip-2": (500, 1500)})
    report = film_status(film.project, today=TODAY)
    assert (report["film"], report["channel"], report["take_down"]) == ("Our Film", "web", [])
    assert report["project"] == str(film.project.root)
    rows = _rows(report)
    assert list(rows) == ["clip-1", "clip-2"]
    assert rows["clip-1"] == {
        "id": "clip-1", "duration_s": 2.0, "in_s": None, "out_s": None,
        "contributors": ["amara"], "audio": True, "footage": FootageState.OK,
        "captions": CaptionState.EDITED,
        "consent": "amara:ok", "signoff": f"amara:{SignoffState.SIGNED}",
        "rendered": [], "stale": [], "problem": None,
    }
    assert (rows["clip-2"]["in_s"], rows["clip-2"]["out_s"]) == (0.5, 1.5)
    assert json.loads(json.dumps(report)) == report  # JSON-ready, as `status --json` prints it


def test_status_names_each_blocking_reason_and_stale_sign_off(make_film: MakeFilm) -> None:
    film = make_film(3)
    project = film.project
    save_captions([Cue(100, 800, "Edited.")], project.caption_path("clip-1"))
    Ledger(project.ledger_path).add(Withdrawal(contributor="ben", date=TODAY))
    rows = _rows(film_status(project, today=TODAY))
    assert (rows["clip-1"]["consent"], rows["clip-1"]["signoff"]) == \
        ("amara:ok", "amara:stale-signoff")
    assert (rows["clip-2"]["consent"], rows["clip-2"]["signoff"]) == \
        ("ben:withdrawn", "ben:signed")
    # Expiry is judged on the day asked about.
    later = _rows(film_status(project, today=date(2099, 1, 1)))
    assert later["clip-3"]["consent"] == "chloe:expired"


def test_status_shows_renders_stale_renders_and_what_to_take_down(make_film: MakeFilm) -> None:
    film = make_film(2)
    project = film.project
    _manifest(film, "web", {"clip-1": clip_key(project, "clip-1"),
                            "clip-2": clip_key(project, "clip-2")})
    _manifest(film, "review", {"clip-1": "0" * 64})
    Ledger(project.ledger_path).add(Withdrawal(contributor="ben", date=TODAY))
    report = film_status(project, today=TODAY)
    rows = _rows(report)
    assert (rows["clip-1"]["rendered"], rows["clip-1"]["stale"]) == (["review", "web"],
                                                                     ["review"])
    assert (rows["clip-2"]["rendered"], rows["clip-2"]["stale"]) == (["web"], [])
    assert [(r["output"], r["clip"], r["contributor"]) for r in report["take_down"]] == \
        [("build/web/film.mp4", "clip-2", "ben")]
    text = format_status(report)
    assert "Consent withdrawn for clips in existing outputs (take these down):" in text
    assert f"  build/web/film.mp4: clip clip-2 (contributor ben, withdrawn {TODAY})" in text


def test_status_goes_on_past_a_clip_it_cannot_read(make_film: MakeFilm) -> None:
    film = make_film(2)
    project = film.project
    project.clip("clip-2").file.unlink()
    footage = project.footage_dir / "scenery.mp4"
    shutil.copyfile(project.clip("clip-1").file, footage)
    project.add_clip("scenery", "footage/scenery.mp4", project.file_sha256(footage), [])
    project.save()
    project = Project.open(project.root)
    rows = _rows(film_status(project, today=TODAY))
    assert rows["clip-2"]["problem"] and "no such file" in str(rows["clip-2"]["problem"])
    assert (rows["clip-2"]["consent"], rows["clip-2"]["duration_s"]) == ("-", None)
    assert rows["clip-1"]["problem"] is None and rows["clip-1"]["consent"] == "amara:ok"
    assert (rows["scenery"]["consent"], rows["scenery"]["signoff"]) == \
        ("no contributors listed", "-")
    assert rows["scenery"]["captions"] == CaptionState.MISSING


def test_status_names_footage_whose_bytes_no_longer_match_film_yaml(make_film: MakeFilm) -> None:
    film = make_film(2)
    project = film.project
    film_status(project, today=TODAY)  # the hash cache now holds the ingested bytes
    footage = project.clip("clip-2").file
    footage.write_bytes(footage.read_bytes()[:-1000] + bytes(1000))  # same size, new bytes
    report = film_status(project, today=TODAY)
    rows = _rows(report)
    assert rows["clip-1"]["footage"] == FootageState.OK and rows["clip-1"]["problem"] is None
    assert rows["clip-2"]["footage"] == FootageState.CHANGED
    problem = str(rows["clip-2"]["problem"])
    assert problem.startswith("footage/clip-2.mp4: its bytes no longer match the sha256")
    assert project.clip("clip-2").sha256[:12] in problem
    assert "  clip-2: footage/clip-2.mp4: its bytes no longer match" in format_status(report)


def test_status_names_a_clip_without_a_recorded_sha256(make_film: MakeFilm) -> None:
    film = make_film(1)
    project = film.project
    del project.doc["clips"]["clip-1"]["sha256"]
    project.save()
    rows = _rows(film_status(project.reload(), today=TODAY))
    assert rows["clip-1"]["footage"] == FootageState.UNRECORDED
    assert "film.yaml records no sha256" in str(rows["clip-1"]["problem"])


def test_status_names_a_caption_file_it_cannot_read(make_film: MakeFilm) -> None:
    film = make_film(2)
    project = film.project
    project.caption_path("clip-1").unlink()
    project.caption_path("clip-1").mkdir()
    rows = _rows(film_status(project, today=TODAY))
    assert rows["clip-1"]["captions"] == CaptionState.UNREADABLE
    assert "captions/clip-1.srt: is a folder, not a regular file" in str(rows["clip-1"]["problem"])
    assert rows["clip-2"]["problem"] is None


# --- the table --------------------------------------------------------------------------------


def _report(**changes: object) -> dict[str, object]:
    row = {"id": "amara-talk", "duration_s": 12.345, "in_s": None, "out_s": None,
           "contributors": ["amara", "ben"], "audio": True, "captions": "edited",
           "consent": "amara:ok, ben:no-consent", "signoff": "amara:signed, ben:no-signoff",
           "rendered": ["web"], "stale": [], "problem": None}
    return {"film": "Our film", "project": "projects/our-film", "channel": "web",
            "clips": [row, {**row, "id": "b", "duration_s": None, "contributors": [],
                            "rendered": [], "problem": "footage/b.mp4: no such file"}],
            "take_down": [], **changes}


def test_format_status_lines_up_one_row_per_clip() -> None:
    lines = format_status(_report()).splitlines()
    assert lines[0] == "Our film  (projects/our-film; consent checked for channel web)"
    header, first, second = lines[1:4]
    assert header.split() == [title for title, _ in COLUMNS]
    assert first.split("  ")[0] == "amara-talk" and "12.3s" in first
    assert "amara, ben" in first and "amara:ok, ben:no-consent" in first
    # Every column starts at the same place on every row; empty values show as "-".
    starts = [header.index(title) for title, _ in COLUMNS]
    assert [first[i - 1] for i in starts[1:]] == [" "] * (len(COLUMNS) - 1)
    assert second.split()[:3] == ["b", "-", "-"]
    assert lines[4:] == ["", "Problems:", "  b: footage/b.mp4: no such file"]


def test_format_status_of_a_film_without_clips() -> None:
    text = format_status(_report(clips=[]))
    assert text.splitlines()[-1] == "no clips yet: add footage with `coprod ingest`"
    assert "Problems" not in text and "take these down" not in text


def test_status_shows_a_renamed_clip_whose_footage_a_withdrawn_contributor_is_tied_to(
        make_film: MakeFilm) -> None:
    film = make_film(2)
    project = film.project
    footage_sha = project.clip("clip-2").sha256
    assert run_cli("consent", "withdraw", str(project.root), "--contributor", "ben")[0] == 0
    # The bypass a tester tried: rename ben's clip and say nobody is in it.
    text = project.film_yaml.read_text()
    text = text.replace("  clip-2:\n", "  scenery:\n").replace("- clip: clip-2", "- clip: scenery")
    project.film_yaml.write_text(text.replace("contributors: [ben]", "contributors: []\n"
                                              "    no_people: true"))
    project = project.reload()
    assert project.clip("scenery").sha256 == footage_sha and project.clip("scenery").no_people
    report = film_status(project, today=TODAY)
    rows = _rows(report)
    assert "ben:withdrawn-footage" in str(rows["scenery"]["consent"])
    assert "ben:withdrawn-footage" in format_status(report)


def test_status_shows_each_signer_with_their_consent_and_sign_off(make_film: MakeFilm) -> None:
    """The signed film needs its signer's consent and sign-off like a clip: status shows both,
    and a sign-off made stale by a new take."""
    film = make_film(2)
    assert "signers" not in film_status(film.project, today=TODAY)  # as before sign language
    project = add_signer(film.project, "clip-1", "chloe")
    report = film_status(project, today=TODAY)
    assert report["signers"] == [{
        "use": "sign/clip-1", "signer": "chloe", "video": "sign/clip-1.mp4",
        "consent": "chloe:ok", "signoff": f"chloe:{SignoffState.SIGNED}", "problem": None}]
    make_sign_video(sign_path(project, "clip-1"), 1.5)  # another take, not yet signed off
    report = film_status(project, today=TODAY)
    assert report["signers"][0]["signoff"] == f"chloe:{SignoffState.STALE}"
    assert ("sign/clip-1 (sign/clip-1.mp4): signer chloe; consent chloe:ok; sign-off "
            f"chloe:{SignoffState.STALE}") in format_status(report)
    assert json.loads(json.dumps(report)) == report


def test_status_names_a_sign_video_without_a_signer_and_goes_on(make_film: MakeFilm) -> None:
    project = make_film(2).project
    make_sign_video(sign_path(project, "clip-2"), 1.0)  # no `signer:` for clip-2 in film.yaml
    report = film_status(project, today=TODAY)
    assert len(report["clips"]) == 2
    (row,) = report["signers"]
    assert "no signer is named for it" in row["problem"] and "clip-2.mp4" in row["problem"]
    assert row["problem"] in format_status(report)
