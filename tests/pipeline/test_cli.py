"""The CLI package itself: its command tree, entry points, and the consent commands' output."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from importlib.metadata import entry_points
from pathlib import Path

import click
import pytest

from consent.ledger import Ledger, os_user
from consent.records import ConsentGiven
from pipeline.cli import cli, main
from pipeline.project import Project
from tests.conftest import run_cli


def _names(group: click.Group, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for name, command in group.commands.items():
        names.add(prefix + name)
        if isinstance(command, click.Group):
            names |= _names(command, f"{prefix}{name} ")
    return names


def test_every_command_is_registered_once() -> None:
    assert _names(cli) == {
        "new", "ingest", "status",
        "consent", "consent record", "consent withdraw", "consent show", "consent verify",
        "consent receipt", "consent exception",
        "signoff", "request-changes",
        "transcribe", "captions", "captions check", "captions diff",
        "render", "build",
        "import-edit", "export-edit",
        "review", "preview",
        "describe", "describe start", "describe check", "describe voices",
        "access",
        "feedback", "feedback list", "feedback resolve", "feedback cut", "feedback add",
        "feedback approve",
    }


def test_console_script_and_python_m_reach_main() -> None:
    (script,) = entry_points(group="console_scripts", name="coprod")
    assert script.value == "pipeline.cli:main" and script.load() is main
    out = subprocess.run([sys.executable, "-m", "pipeline", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.startswith("coprod, version ")


@pytest.fixture
def film(tmp_path: Path) -> Project:
    root = tmp_path / "film"
    assert run_cli("new", str(root), "--title", "Film")[0] == 0
    return Project.open(root)


def _consent(contributor: str, **fields: object) -> ConsentGiven:
    values: dict[str, object] = {
        "scopes": ["appear", "voice"], "channels": ["web"], "given": date(2024, 1, 10),
        "method": "written", "obtained_by": "producer",
    }
    values.update(fields)
    return ConsentGiven.create(contributor, **values)  # type: ignore[arg-type]


def test_consent_show_prints_the_library_format(film: Project) -> None:
    assert run_cli("consent", "show", str(film.root)) == (0, "no consent recorded yet\n")
    Ledger(film.ledger_path).add(_consent("amara", clips=["a1"], capacity="supported"))
    code, out = run_cli("consent", "show", str(film.root))
    assert code == 0
    assert out == (
        "amara: in force\n"
        "  event 1: scopes appear, voice; channels web; a1; given 2024-01-10, expires "
        f"2029-01-10; written, capacity supported; recorded by {os_user()} via cli\n"
    )


def test_consent_verify_repairs_only_when_asked(film: Project) -> None:
    book = Ledger(film.ledger_path)
    book.add(_consent("amara"))
    book.add(_consent("ben"))
    good = film.ledger_path.read_bytes()
    code, out = run_cli("consent", "verify", str(film.root), "--repair")
    assert code == 0 and "moved" not in out and ": 2 events, chain intact\n" in out
    film.ledger_path.write_bytes(good + b'{"seq":3,"ty')
    code, out = run_cli("consent", "verify", str(film.root))
    assert code == 1 and "ledger.jsonl:3:" in out and "--repair" in out
    assert film.ledger_path.read_bytes() == good + b'{"seq":3,"ty'
    code, out = run_cli("consent", "verify", str(film.root), "--repair")
    moved, intact, _witness = out.splitlines()
    assert code == 0 and moved.startswith("moved the broken last line to ")
    assert moved.endswith("; earlier events kept") and "ledger.jsonl.broken-" in moved
    assert intact == f"{film.ledger_path}: 2 events, chain intact"
    assert film.ledger_path.read_bytes() == good


def test_consent_verify_repair_refuses_damage_before_the_last_line(film: Project) -> None:
    book = Ledger(film.ledger_path)
    book.add(_consent("amara"))
    book.add(_consent("ben"))
    damaged = film.ledger_path.read_bytes().replace(b'"amara"', b'"zoe"', 1)
    film.ledger_path.write_bytes(damaged)
    code, out = run_cli("consent", "verify", str(film.root), "--repair")
    assert code == 1 and "ledger.jsonl:1:" in out and "Traceback" not in out
    assert film.ledger_path.read_bytes() == damaged


def test_a_bad_date_is_bad_usage(film: Project) -> None:
    code, out = run_cli("consent", "record", str(film.root), "--contributor", "amara",
                        "--scope", "appear", "--channel", "web", "--method", "written",
                        "--obtained-by", "producer", "--given", "last tuesday")
    assert code == 2 and "'last tuesday' is not a date like 2031-03-31" in out


def test_an_unknown_word_is_bad_usage_listing_the_vocabulary(film: Project) -> None:
    code, out = run_cli("consent", "record", str(film.root), "--contributor", "amara",
                        "--scope", "appear", "--channel", "cinema", "--method", "written",
                        "--obtained-by", "producer")
    assert code == 2 and "'cinema' is not one of" in out and "'broadcast'" in out
