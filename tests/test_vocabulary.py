"""Each vocabulary is written once: every choice the CLI offers is the library's own list."""

from __future__ import annotations

from enum import StrEnum

import click

from captions.styles import StyleName
from consent.vocabulary import Capacity, Channel, Method, Scope
from pipeline.cli import cli
from pipeline.interchange.names import EditFormat
from pipeline.render_profiles import RenderProfileName
from pipeline.transcribe.engines.base import DEFAULT_ENGINE, ENGINES


def words(vocabulary: type[StrEnum]) -> list[str]:
    return [member.value for member in vocabulary]


# (command, parameter) -> the library's words, in the library's order. A new choice in the CLI
# must be added here, naming where its words come from.
EXPECTED: dict[tuple[str, str], list[str]] = {
    ("consent record", "scopes"): words(Scope),
    ("consent record", "channels"): words(Channel),
    ("consent record", "method"): words(Method),
    ("consent record", "capacity"): words(Capacity),
    ("transcribe", "engine"): list(ENGINES),
    ("captions check", "profile"): words(StyleName),
    ("render", "profile"): words(RenderProfileName),
    ("build", "profiles"): words(RenderProfileName),
    ("export-edit", "fmt"): words(EditFormat),
    ("access", "profile"): words(RenderProfileName),
}


def choice_params(group: click.Group, prefix: str = "") -> dict[tuple[str, str], click.Parameter]:
    """Every parameter of every command under ``group`` whose type is a Click choice."""
    found: dict[tuple[str, str], click.Parameter] = {}
    for name, command in group.commands.items():
        full = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found.update(choice_params(command, prefix=f"{full} "))
            continue
        for param in command.params:
            if isinstance(param.type, click.Choice):
                found[(full, param.name or "")] = param
    return found


def offered(params: dict[tuple[str, str], click.Parameter]) -> dict[tuple[str, str], list[str]]:
    return {key: [str(c) for c in param.type.choices]  # type: ignore[attr-defined]
            for key, param in params.items()}


def test_every_cli_choice_is_the_library_vocabulary() -> None:
    assert offered(choice_params(cli)) == EXPECTED


def test_choices_are_plain_words() -> None:
    # Click matches enum members by name; coprod's choices are the words people type.
    for param in choice_params(cli).values():
        assert all(type(c) is str for c in param.type.choices)  # type: ignore[attr-defined]


def test_defaults_are_words_of_their_vocabulary() -> None:
    params = choice_params(cli)
    assert params[("consent record", "capacity")].default == Capacity.OWN
    assert params[("transcribe", "engine")].default == DEFAULT_ENGINE
    assert params[("render", "profile")].default == RenderProfileName.WEB
    for key, param in params.items():
        if isinstance(param.default, str):  # Click marks "no default" with a sentinel
            assert param.default in EXPECTED[key], key


def test_a_choice_that_drifts_from_its_vocabulary_is_caught() -> None:
    @click.group()
    def fake() -> None:
        """A CLI whose render profiles were typed out by hand."""

    @fake.command("render")
    @click.option("--profile", type=click.Choice(["web", "broadcast"]))
    def render(profile: str) -> None:
        """Render."""

    found = offered(choice_params(fake))
    assert found[("render", "profile")] != EXPECTED[("render", "profile")]
