"""Issue 25 item 3: a render's options are one value, RenderOptions, made by the command line
and passed whole through build_films, build_film and render_film."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pipeline import build, build_many
from pipeline import render as render_package
from pipeline.project import Project
from pipeline.render import RenderOptions, render_film
from tests.conftest import run_cli
from tests.pipeline.conftest import tiny

CHOSEN = {k: f.default for k, f in RenderOptions.__dataclass_fields__.items()}
MADE = SimpleNamespace(notes=[], outputs={})  # what the command prints from a render


@pytest.fixture
def films(tmp_path: Path) -> list[Project]:
    return [Project.create(tmp_path / name, name.title()) for name in ("one", "two")]


def _record(into: list[tuple[Any, ...]], result: Any = None) -> Any:
    def stand_in(*args: Any, **kwargs: Any) -> Any:
        into.append((*args, kwargs))
        return result
    return stand_in


@pytest.mark.parametrize(("flags", "options"), [
    ([], RenderOptions()),
    (["--draft", "--profile", "review"], RenderOptions(draft=True)),
    (["--drop-withdrawn", "--no-open-captions"],
     RenderOptions(drop_withdrawn=True, open_captions=False)),
    (["--open-captions"], RenderOptions(open_captions=True)),
])
def test_coprod_render_hands_render_film_one_value(
        films: list[Project], monkeypatch: pytest.MonkeyPatch, flags: list[str],
        options: RenderOptions) -> None:
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(render_package, "render_film", _record(calls, MADE))
    code, out = run_cli("render", str(films[0].root), *flags)
    assert code == 0, out
    assert calls[0][2] == options


def test_coprod_build_hands_every_film_the_same_value(
        films: list[Project], monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(build_many, "build_film", _record(calls, build.BuildResult()))
    code, out = run_cli("build", *(str(f.root) for f in films), "--drop-withdrawn",
                        "--open-captions")
    assert code == 0, out
    assert [c[2] for c in calls] == [RenderOptions(drop_withdrawn=True, open_captions=True)] * 2


def test_build_film_passes_the_value_to_render_film(
        films: list[Project], monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []
    chosen = RenderOptions(drop_withdrawn=True, open_captions=True, jobs=1)
    monkeypatch.setattr(build, "render_film", _record(calls, MADE))
    monkeypatch.setattr(build, "run_gate", _record([], _Cleared()))
    monkeypatch.setattr(build, "write_stamp", _record([]))
    monkeypatch.setattr(build, "_access_summary", _record([], ""))
    build.build_film(films[0], [tiny()], chosen)
    assert calls[0][2] is chosen


class _Cleared:
    dropped: tuple[str, ...] = ()

    class result:  # noqa: N801 - stands in for the gate's result
        @staticmethod
        def to_dict() -> dict[str, Any]:
            return {}


def test_the_chain_takes_no_option_by_hand() -> None:
    for function in (build_many.build_films, build.build_film, render_film):
        names = set(inspect.signature(function).parameters)
        assert "options" in names and not names & set(CHOSEN), function.__qualname__


def test_options_are_a_frozen_value() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        RenderOptions().draft = True  # type: ignore[misc]
    assert RenderOptions(jobs=1) != RenderOptions(jobs=2)
