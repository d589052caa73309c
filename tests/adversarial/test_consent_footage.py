"""Consent follows the footage, not the clip's name (issue 9, items 3 and 4).

The reproductions: after `consent withdraw --contributor ben`, renaming ben's clip in film.yaml
and marking it `no_people: true`, or adding a second clip id for the same footage signed off by
someone else, rendered ben's footage; and once film.yaml no longer listed ben (on the clip, or
at all), `consent withdraw` refused, so his consent stayed in force. Each is played here as a
producer would, with real coprod commands on a small project; film.yaml is edited the way a
person would, with the consent ledger left alone.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from consent import FootageException, Withdrawal
from pipeline.clearance import clear_film, events
from pipeline.project import Project
from tests.adversarial.conftest import one_line_error
from tests.conftest import MakeMedia, run_cli
from tests.pipeline.conftest import TODAY

PEOPLE = ("amara", "ben", "chloe")
CAPTION = "1\n00:00:00,200 --> 00:00:01,500\nWe made this together.\n"

MakeFilm = Callable[..., Project]


@pytest.fixture
def make_film(tmp_path: Path, make_media: MakeMedia) -> MakeFilm:
    """A film made with coprod's own commands: one clip per person (each its own footage),
    captions, consent for web, and (``signed``) each person's sign-off of their clip."""

    def make(n: int = 2, *, signed: bool = True) -> Project:
        root = str(tmp_path / "film")
        assert run_cli("new", root, "--title", "Film")[0] == 0
        for who, freq in zip(PEOPLE[:n], (330, 550, 770), strict=False):
            clip = make_media(f"adversarial-{who}.mp4", seconds=1.6, size="160x120", freq=freq)
            assert run_cli("ingest", root, str(clip), "--contributor", who, "--id",
                           f"clip-{PEOPLE.index(who) + 1}")[0] == 0
        project = Project.open(root)
        for clip_id in project.film.clips:
            project.caption_path(clip_id).write_text(CAPTION, encoding="utf-8")
        for who in PEOPLE[:n]:
            assert run_cli("consent", "record", root, "--contributor", who, "--scope", "appear",
                           "--scope", "voice", "--channel", "web", "--method", "written",
                           "--obtained-by", "J. Producer")[0] == 0
            if signed:
                clip_id = f"clip-{PEOPLE.index(who) + 1}"
                assert run_cli("signoff", root, clip_id, "--by", who)[0] == 0
        return project

    return make


def edit(project: Project, change: Callable[[Any], None]) -> Project:
    """Change film.yaml as a person would (it stays valid), and open the project again."""
    change(project.doc)
    project.save()
    return Project.open(project.root)


def rename(old: str, new: str, *, contributors: Sequence[str] | None = None,
           no_people: bool | None = None) -> Callable[[Any], None]:
    """Rename a clip everywhere in film.yaml (and its caption files), optionally re-listing it."""

    def change(doc: Any) -> None:
        entry = doc["clips"].pop(old)
        doc["clips"][new] = entry
        for item in doc["sequence"]:
            if item["clip"] == old:
                item["clip"] = new
        if contributors is not None:
            entry["contributors"] = list(contributors)
        if no_people is not None:
            entry["no_people"] = no_people

    return change


def move_captions(project: Project, old: str, new: str) -> None:
    for ext in ("srt", "vtt"):
        src = project.caption_path(old, ext)
        if src.exists():
            shutil.move(src, project.caption_path(new, ext))


def withdraw(project: Project, who: str, *extra: str) -> tuple[int, str]:
    return run_cli("consent", "withdraw", str(project.root), "--contributor", who,
                   "--reason", "changed my mind", *extra)


def blocked(project: Project) -> dict[str, list[tuple[str, str]]]:
    result = clear_film(project, "web", today=TODAY).result
    return {clip: [(r.contributor, str(r.code)) for r in reasons]
            for clip, reasons in result.blocked.items()}


def refused_render(project: Project) -> str:
    code, out = run_cli("render", str(project.root))
    assert code == 1, out
    assert "Traceback" not in out
    assert not (project.build_dir / "web" / "film.mp4").exists()
    return out


def footage_of(project: Project, clip_id: str) -> str:
    return project.footage_sha256(clip_id, fresh=True)


def test_renaming_a_withdrawn_clip_and_marking_it_no_people_is_refused(
        make_film: MakeFilm) -> None:
    project = make_film(2)  # clip-1: amara, clip-2: ben; consent and sign-off recorded
    ben_footage = footage_of(project, "clip-2")
    assert withdraw(project, "ben")[0] == 0
    project = edit(project, rename("clip-2", "scenery", contributors=[], no_people=True))
    move_captions(project, "clip-2", "scenery")
    assert blocked(project) == {"scenery": [("ben", "withdrawn-footage")]}
    out = refused_render(project)
    assert "clip scenery: contributor ben: consent withdrawn on" in out
    assert f"for footage {ben_footage[:12]}" in out
    # status shows the clip and why, through the same gate.
    code, out = run_cli("status", str(project.root), "--json")
    rows = {row["id"]: row for row in json.loads(out)["clips"]}
    assert code == 0 and rows["scenery"]["consent"] == "ben:withdrawn-footage"


def test_renaming_and_listing_someone_else_who_signs_is_refused(make_film: MakeFilm) -> None:
    project = make_film(2)
    assert withdraw(project, "ben")[0] == 0
    project = edit(project, rename("clip-2", "amara-walk", contributors=["amara"]))
    move_captions(project, "clip-2", "amara-walk")
    assert run_cli("signoff", str(project.root), "amara-walk", "--by", "amara")[0] == 0
    assert blocked(project) == {"amara-walk": [("ben", "withdrawn-footage")]}
    assert "clip amara-walk: contributor ben" in refused_render(project)


def test_a_second_clip_id_for_the_same_footage_is_refused(make_film: MakeFilm) -> None:
    project = make_film(2)
    assert withdraw(project, "ben")[0] == 0
    # A copy of ben's file under another name, listed as amara's and signed off by her.
    shutil.copyfile(project.footage_dir / "clip-2.mp4", project.footage_dir / "b-roll.mp4")
    shutil.copyfile(project.caption_path("clip-2"), project.caption_path("b-roll"))

    def second_id(doc: Any) -> None:
        doc["clips"]["b-roll"] = {"file": "footage/b-roll.mp4",
                                  "sha256": doc["clips"]["clip-2"]["sha256"],
                                  "contributors": ["amara"]}
        doc["sequence"] = [item for item in doc["sequence"] if item["clip"] != "clip-2"]
        doc["sequence"].append({"clip": "b-roll"})

    project = edit(project, second_id)
    assert run_cli("signoff", str(project.root), "b-roll", "--by", "amara")[0] == 0
    assert blocked(project) == {"b-roll": [("ben", "withdrawn-footage")]}
    assert "clip b-roll: contributor ben" in refused_render(project)


@pytest.mark.slow
def test_withdrawal_after_film_yaml_no_longer_lists_the_contributor(make_film: MakeFilm) -> None:
    project = make_film(2, signed=False)
    # ben signs off his clip through coprod, which ties him to its footage.
    assert run_cli("signoff", str(project.root), "clip-2", "--by", "ben")[0] == 0
    assert run_cli("signoff", str(project.root), "clip-1", "--by", "amara")[0] == 0
    assert blocked(project) == {}
    ben_footage = footage_of(project, "clip-2")

    # film.yaml edited: ben off his clip (renamed), then off the contributors list.
    project = edit(project, rename("clip-2", "market", contributors=[], no_people=True))
    move_captions(project, "clip-2", "market")

    def forget_ben(doc: Any) -> None:
        doc["contributors"] = [c for c in doc["contributors"] if c["id"] != "ben"]

    project = edit(project, forget_ben)
    assert "ben" not in project.film.contributors
    code, out = withdraw(project, "ben")
    assert code == 0, out
    assert "consent withdrawn for ben" in out
    record = events(project)[-1].record
    assert isinstance(record, Withdrawal) and ben_footage in record.footage
    assert blocked(project) == {"market": [("ben", "withdrawn-footage")]}
    refused_render(project)


@pytest.mark.slow
def test_withdrawal_for_a_clip_that_no_longer_lists_them(make_film: MakeFilm) -> None:
    project = make_film(3, signed=False)
    assert run_cli("signoff", str(project.root), "clip-2", "--by", "ben")[0] == 0
    project = edit(project, rename("clip-2", "clip-2", contributors=["chloe"]))
    # The ledger ties ben to clip-2 (his sign-off), so he may withdraw from it by name.
    code, out = withdraw(project, "ben", "--clip", "clip-2")
    assert code == 0, out
    assert ("ben", "withdrawn") in blocked(project)["clip-2"]
    # Someone the ledger never tied to a clip still cannot withdraw from it.
    code, out = withdraw(project, "amara", "--clip", "clip-2")
    assert code == 1 and "does not list contributor 'amara'" in one_line_error(out)
    code, out = withdraw(project, "zoe")
    assert code == 1 and "no contributor 'zoe'" in one_line_error(out)


@pytest.mark.slow
def test_a_producers_exception_lifts_the_footage_hold_and_nothing_more(
        make_film: MakeFilm) -> None:
    project = make_film(3)  # clip-3 lists chloe
    assert withdraw(project, "ben")[0] == 0
    project = edit(project, rename("clip-2", "scenery", contributors=[], no_people=True))
    move_captions(project, "clip-2", "scenery")
    root = str(project.root)

    # Nothing to except on footage no withdrawn contributor is tied to; a reason is required.
    code, out = run_cli("consent", "exception", root, "--clip", "clip-1", "--reason", "x",
                        "--by", "J. Producer")
    assert code == 1 and "nothing to make an exception for" in one_line_error(out)
    code, out = run_cli("consent", "exception", root, "--clip", "scenery", "--by", "J. Producer")
    assert code == 2 and "--reason" in out
    code, out = run_cli("consent", "exception", root, "--clip", "scenery", "--reason", "  ",
                        "--by", "J. Producer")
    assert code == 1 and "reason" in one_line_error(out)

    # By the 12-digit prefix the gate's message shows.
    prefix = footage_of(project, "scenery")[:12]
    code, out = run_cli("consent", "exception", root, "--footage", prefix, "--reason",
                        "Ben filmed this shot; he is not in it", "--by", "J. Producer")
    assert code == 0 and f"footage {prefix} may be used although ben withdrew" in out
    record = events(project)[-1].record
    assert isinstance(record, FootageException) and record.footage.startswith(prefix)
    assert blocked(project) == {}

    # A contributor the clip lists still needs their own consent: listing ben again refuses it.
    project = edit(project, rename("scenery", "scenery", contributors=["ben"], no_people=False))
    assert ("ben", "withdrawn") in blocked(project)["scenery"]


@pytest.mark.slow
def test_drop_withdrawn_leaves_out_renamed_footage_too(make_film: MakeFilm) -> None:
    project = make_film(2)
    assert withdraw(project, "ben")[0] == 0
    project = edit(project, rename("clip-2", "scenery", contributors=[], no_people=True))
    cleared = clear_film(project, "web", drop_withdrawn=True, today=TODAY)
    assert cleared.dropped == ("scenery",) and cleared.result.ok
    assert [use.clip_id for use in cleared.uses] == ["clip-1"]


@pytest.mark.slow
def test_outputs_to_take_down_include_renamed_footage(make_film: MakeFilm) -> None:
    project = make_film(2)
    ben_footage = footage_of(project, "clip-2")
    manifest = project.build_dir / "web" / "manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({
        "output": "build/web/film.mp4", "created": "2026-06-01T10:00:00+00:00",
        "clips": [{"id": "scenery", "contributors": [], "footage_sha256": ben_footage}]}))
    assert withdraw(project, "ben")[0] == 0
    code, out = run_cli("status", str(project.root), "--json")
    take_down = json.loads(out)["take_down"]
    assert [(row["output"], row["clip"], row["contributor"]) for row in take_down] == \
        [("build/web/film.mp4", "scenery", "ben")]
