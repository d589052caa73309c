"""coprod render and coprod build from the command line: refusals, usage, up-to-date builds."""

from __future__ import annotations

from datetime import date

import pytest

from consent.ledger import Ledger
from consent.records import Withdrawal
from tests.conftest import run_cli
from tests.pipeline.conftest import MakeFilm


def test_render_refusal_names_clip_contributor_and_reason(make_film: MakeFilm) -> None:
    film = make_film(2)
    Ledger(film.project.ledger_path).add(Withdrawal(contributor="ben", date=date.today()))
    code, out = run_cli("render", str(film.project.root))
    assert code == 1
    assert "clip clip-2: contributor ben: consent withdrawn" in out
    assert "Traceback" not in out
    assert not (film.project.build_dir / "web").exists()


def test_draft_needs_the_review_profile(make_film: MakeFilm) -> None:
    film = make_film(1)
    code, out = run_cli("render", str(film.project.root), "--draft")
    assert code == 2 and "--profile review" in out


@pytest.mark.slow
def test_build_twice_renders_once_then_is_up_to_date(make_film: MakeFilm) -> None:
    film = make_film(1)
    root = str(film.project.root)
    code, out = run_cli("build", root, "--profile", "review")
    assert code == 0, out
    made = film.project.build_dir / "review" / "film.mp4"
    stamp = made.stat().st_mtime_ns
    code, out = run_cli("build", root, "--profile", "review")
    assert code == 0 and "review: up to date" in out
    assert made.stat().st_mtime_ns == stamp
    code, out = run_cli("--quiet", "build", root, "--profile", "review")
    assert code == 0 and out == ""


@pytest.mark.slow
def test_quiet_render_prints_nothing_when_it_succeeds(make_film: MakeFilm) -> None:
    film = make_film(1)
    root = str(film.project.root)
    code, out = run_cli("--quiet", "render", root, "--profile", "review", "--draft")
    assert code == 0 and out == ""
    assert (film.project.build_dir / "review" / "film.mp4").exists()
    code, out = run_cli("render", root, "--profile", "review", "--draft")
    assert code == 0 and "film.mp4: " in out
