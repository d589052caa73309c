"""Every command has help text and a README mention; --help stays free of heavy imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest

from pipeline.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


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
def test_command_has_help_and_readme_mention(name: str, command: click.Command) -> None:
    assert command.help and command.help.strip(), f"`coprod {name}` has no help text"
    assert f"coprod {name}" in README, f"README does not mention `coprod {name}`"
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


def test_readme_film_yaml_example_is_valid(tmp_path: Path) -> None:
    from pipeline.project import Project

    example = README.split("```yaml\n", 1)[1].split("```", 1)[0]
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
