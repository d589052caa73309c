"""Every command has help text, a place in the generated reference (docs/cli.md, never stale)
and a mention in the guide; --help stays free of heavy imports; the README is a quick start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest

from pipeline.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
GUIDE = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
FILM_YAML = (ROOT / "docs" / "film-yaml.md").read_text(encoding="utf-8")
CLI_PAGE = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        found.append((full, command))
        if isinstance(command, click.Group):
            found += _commands(command, prefix=f"{full} ")
    return found


COMMANDS = _commands(cli)


def test_there_are_commands() -> None:
    assert {"new", "ingest", "status"} <= {name for name, _ in COMMANDS}


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_command_has_help_a_reference_entry_and_a_guide_mention(name: str,
                                                                command: click.Command) -> None:
    assert command.help and command.help.strip(), f"`coprod {name}` has no help text"
    assert f"\n## coprod {name}\n" in CLI_PAGE, f"docs/cli.md has no `coprod {name}`"
    assert f"coprod {name}" in GUIDE, f"docs/guide.md does not mention `coprod {name}`"
    if not isinstance(command, click.Group):
        assert "Example" in command.help, f"`coprod {name}` help has no example block"


def test_help_does_not_import_heavy_libraries() -> None:
    heavy = ["faster_whisper", "ctranslate2", "torch", "whisper", "moviepy", "numpy", "ffmpeg"]
    code = (
        "import sys; from click.testing import CliRunner; from pipeline.cli import cli; "
        "r = CliRunner().invoke(cli, ['--help']); assert r.exit_code == 0, r.output; "
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_cli_reference_is_generated_from_the_commands_help() -> None:
    from pipeline.cli.reference import render

    assert CLI_PAGE == render(), "docs/cli.md is stale: run python -m pipeline.cli.reference"


def test_readme_is_a_quick_start_pointing_at_the_reference() -> None:
    assert len(README.splitlines()) < 120
    for words in ("make demo", "make test", "A producer's first hour",
                  "A contributor's first hour", "docs/guide.md", "docs/cli.md",
                  "docs/film-yaml.md", "docs/contributor-guide.md"):
        assert words in README, words


def test_film_yaml_example_is_valid(tmp_path: Path) -> None:
    from pipeline.project import Project

    example = FILM_YAML.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert "contributors:" in example and "sequence:" in example
    (tmp_path / "footage").mkdir()
    for name in ("amara-interview.mp4", "garden.mov"):
        (tmp_path / "footage" / name).write_bytes(b"x")
    (tmp_path / "film.yaml").write_text(example, encoding="utf-8")
    film = Project.open(tmp_path).film
    assert [s.clip_id for s in film.sequence] == ["amara-interview", "garden", "amara-interview"]
    assert film.clips["garden"].no_people
    amara = film.clips["amara-interview"]
    assert (amara.original_name, amara.reel, amara.timecode) == ("A001.MP4", "A001", "10:04:12:00")
