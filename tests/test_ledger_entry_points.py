"""Reading the ledger belongs to consent/ (issue 25 item 3).

pipeline/ asks consent/ questions through its public names (``from consent import check``,
``consent.views.summarise``) and never looks inside an event: no ``event.record``, no record
classes tested with isinstance, no ``consent.chain``/``consent.ledger``/``consent.witness``
internals. Only the clearance modules, which open the project's ledger and record events, may;
docs/ARCHITECTURE.md says the same. ``consent.files`` (regular files only, no links, 0600, whole
writes) is a rule about files, not about what the ledger says: the advisory group's comments
file (pipeline/feedback/store.py) is kept by it like the ledger.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The agreed entry points: where the pipeline opens the ledger and records events.
ENTRY_POINTS = ("pipeline.clearance",)  # the package and every module in it
INTERNALS = ("consent.chain", "consent.ledger", "consent.witness")
RECORD_CLASSES = {"ConsentGiven", "Withdrawal", "SignOff", "ChangeRequest", "FootageException",
                  "Record"}


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_entry(name: str) -> bool:
    return any(name == e or name.startswith(e + ".") for e in ENTRY_POINTS)


def offences(source: str) -> list[str]:
    """Every way ``source`` reads the ledger's internals, one line each."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "record":
            found.append(f"line {node.lineno}: reads an event's .record")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("consent"):
            module = node.module or ""
            if module in INTERNALS:
                found.append(f"line {node.lineno}: imports {module} internals")
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"line {node.lineno}: imports private {module}.{alias.name}")
                elif alias.name in RECORD_CLASSES:
                    found.append(f"line {node.lineno}: imports the record class {alias.name}")
        elif isinstance(node, ast.Import):
            found += [f"line {node.lineno}: imports {a.name} internals" for a in node.names
                      if a.name in INTERNALS]
    return found


MODULES = {_name(p): p for p in sorted((ROOT / "pipeline").rglob("*.py"))}
OUTSIDE = sorted(name for name in MODULES if not _is_entry(name))


def test_the_entry_points_exist() -> None:
    assert all(any(_is_entry(name) and name.startswith(e) for name in MODULES)
               for e in ENTRY_POINTS)
    assert len(OUTSIDE) > 50


@pytest.mark.parametrize("name", OUTSIDE)
def test_pipeline_reads_the_ledger_only_through_consent(name: str) -> None:
    found = offences(MODULES[name].read_text(encoding="utf-8"))
    assert not found, f"{MODULES[name].relative_to(ROOT)}: " + "; ".join(found)


def test_the_check_sees_each_kind_of_offence() -> None:
    source = ("from consent import Withdrawal, check\nfrom consent.chain import Event\n"
              "from consent.gate import _excepted\nimport consent.ledger\n"
              "def f(events):\n    return [e.record for e in events]\n")
    assert len(offences(source)) == 5
    assert offences("from consent import check, summarise\nx = y.records\n") == []


def test_the_architecture_page_counts_the_modules_that_import_consent() -> None:
    importing = [name for name in OUTSIDE if any(
        isinstance(node, ast.Import | ast.ImportFrom) and any(
            (getattr(node, "module", None) or alias.name).split(".")[0] == "consent"
            for alias in node.names)
        for node in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))))]
    page = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    said = re.search(r"(\d+) other modules import\s+`consent/`", page)
    assert said is not None, "ARCHITECTURE.md no longer says how many modules import consent/"
    assert int(said.group(1)) == len(importing), importing
