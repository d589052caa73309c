"""The copies are gone: one atomic write, one table of OS-error words (issue 25 item 3).

Four modules each wrote files whole their own way (pipeline/fsutil.py, pipeline/review/links.py,
captions/textio.py, consent/files.py) and two kept their own errno tables; now safeio/ holds
both rules. Only what is not a whole-file write may sync a file itself: the ledger's appends
and ffmpeg's outputs and footage copies renamed into place by pipeline/fsutil.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for package in ("pipeline", "captions", "consent")
                 for p in (ROOT / package).rglob("*.py"))
MAY_FSYNC = {"consent/ledger.py", "pipeline/fsutil.py"}


def _calls(tree: ast.AST, name: str) -> list[int]:
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == name and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "os"]


def _errno_tables(tree: ast.AST) -> list[int]:
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Dict)
            and sum(isinstance(k, ast.Attribute) and isinstance(k.value, ast.Name)
                    and k.value.id == "errno" for k in node.keys) >= 2]


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_no_module_writes_files_whole_its_own_way(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if _rel(path) not in MAY_FSYNC:
        assert not _calls(tree, "fsync"), f"{_rel(path)} syncs a file itself: use safeio"
    assert not _errno_tables(tree), f"{_rel(path)} keeps its own errno table: use safeio"


def test_the_checks_see_a_copy() -> None:
    copy = ast.parse("import errno, os\nT = {errno.ENOSPC: 'a', errno.EROFS: 'b'}\n"
                     "def w(fd):\n    os.fsync(fd)\n    os.replace('a', 'b')\n")
    assert _calls(copy, "fsync") == [4] and _errno_tables(copy) == [2]


def test_safeio_imports_nothing_of_coprods() -> None:
    for path in sorted((ROOT / "safeio").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not [n for n in names if n.split(".")[0] in
                        ("pipeline", "captions", "consent")], _rel(path)
