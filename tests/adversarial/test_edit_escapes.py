"""Terminal escapes in an edit file's name, its clips' names or build/interchange.json are
printed escaped, like caption text (issue 21, item 8).

The reproduction: `import-edit` and `status` printed them raw, so a file named with an ESC
sequence could clear the screen, retitle the terminal or hide lines.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.interchange.conftest import MakeRateFilm
from tests.interchange.templates import render

pytest.importorskip("opentimelineio", reason="import-edit needs OpenTimelineIO")

ESCAPES = "\x1b[2J\x1b]0;owned\x07\u202e"


def _raw(text: str) -> bool:
    """Whether any terminal control character got through unescaped."""
    return any(c in text for c in ("\x1b", "\x07", "\u202e", "\x9b"))


def test_import_edit_and_status_print_names_escaped(rate_film: MakeRateFilm,
                                                    tmp_path: Path) -> None:
    project = rate_film("25")
    doc: Any = json.loads(render("cut.otio", "25"))
    v1 = doc["tracks"]["children"][0]["children"]
    v1[0]["name"] = f"interview {ESCAPES}B"
    v1[0]["enabled"] = False  # its name is printed in the warning that leaves it out
    edit = tmp_path / f"cut{ESCAPES}.otio"
    edit.write_text(json.dumps(doc), encoding="utf-8")
    code, out = run_cli("import-edit", str(project.root), str(edit), "--close-gaps")
    assert code == 0, out
    assert not _raw(out), out
    assert "\\x1b[2J" in out and "\\x07" in out and "\\u202e" in out
    code, out = run_cli("status", str(project.root))
    assert code == 0 and not _raw(out) and "Sequence last imported" in out and "\\x1b]0" in out
    # A hand-edited record is shown, never obeyed.
    record = project.build_dir / "interchange.json"
    data = json.loads(record.read_text())
    data["file"], data["format"] = f"/x/{ESCAPES}.otio", f"otio{ESCAPES}"
    record.write_text(json.dumps(data))
    code, out = run_cli("status", str(project.root))
    assert code == 0 and not _raw(out), out
    # An error naming the file is escaped too.
    broken = tmp_path / f"broken{ESCAPES}.otio"
    broken.write_text("{not json", encoding="utf-8")
    code, out = run_cli("import-edit", str(project.root), str(broken))
    assert code == 1 and not _raw(out), out


def test_a_project_folder_named_with_escapes_is_shown_escaped(tmp_path: Path) -> None:
    root = tmp_path / f"film{ESCAPES}"
    assert run_cli("new", str(root), "--title", "Film")[0] == 0
    code, out = run_cli("status", str(root))
    assert code == 0 and not _raw(out) and "film\\x1b[2J" in out, out
