"""Hostile edit files are one line each; clips disabled in the editor are left out (issue 21,
item 6).

The reproduction: of 87 hostile edit files, 13 gave tracebacks and 2 crashed the interpreter:
NaN, infinite or zero rates and times in OTIO, FCP 7 and Kdenlive files, a clip with no range,
and a deeply nested .otio (400 KB, exit 139). Clips disabled in the editor (OTIO
``enabled: false``, FCP 7 ``<enabled>FALSE</enabled>``) were imported and rendered.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.project import Project
from tests.adversarial.conftest import no_hang, one_line_error
from tests.conftest import run_cli
from tests.interchange.conftest import MakeRateFilm
from tests.interchange.templates import render

pytest.importorskip("opentimelineio", reason="import-edit needs OpenTimelineIO")


def _otio(edit: Any) -> str:
    doc = json.loads(render("cut.otio", "25"))
    edit(doc)
    return json.dumps(doc)  # NaN and Infinity are written as JSON's NaN / Infinity


def _v1(doc: Any) -> list[Any]:
    return doc["tracks"]["children"][0]["children"]  # type: ignore[no-any-return]


def _set_first(key: str, field: str, value: Any) -> Any:
    def edit(doc: Any) -> None:
        _v1(doc)[0]["source_range"][key][field] = value
    return edit


def _no_range(doc: Any) -> None:
    clip = _v1(doc)[0]
    clip["source_range"] = None
    clip["media_references"]["DEFAULT_MEDIA"]["available_range"] = None


def _ref_rate(value: Any) -> Any:
    def edit(doc: Any) -> None:
        ref = _v1(doc)[0]["media_references"]["DEFAULT_MEDIA"]
        ref["available_range"]["start_time"]["rate"] = value
    return edit


def _transition(value: Any) -> Any:
    def edit(doc: Any) -> None:
        _v1(doc)[1]["in_offset"]["rate"] = value
    return edit


NAN, INF = float("nan"), float("inf")
OTIO_CASES = {
    "rate nan": _set_first("start_time", "rate", NAN),
    "rate inf": _set_first("duration", "rate", INF),
    "rate zero": _set_first("duration", "rate", 0.0),
    "rate negative": _set_first("start_time", "rate", -25.0),
    "time nan": _set_first("start_time", "value", NAN),
    "time inf": _set_first("duration", "value", INF),
    "time -inf": _set_first("start_time", "value", -INF),
    "duration zero": _set_first("duration", "value", 0.0),
    "huge time": _set_first("duration", "value", 1e300),
    "no range": _no_range,
    "media rate zero": _ref_rate(0.0),
    "media rate nan": _ref_rate(NAN),
    "transition rate nan": _transition(NAN),
}


def _xml(old: str, new: str, count: int = 1) -> str:
    text = render("cut.xml", "25")
    assert old in text
    return text.replace(old, new, count)


def _kdenlive(old: str, new: str) -> str:
    text = render("cut.kdenlive", "25")
    assert old in text
    return text.replace(old, new)


FCP_CASES = {
    "timebase zero": ("<timebase>25</timebase>", "<timebase>0</timebase>", 99),
    "timebase nan": ("<timebase>25</timebase>", "<timebase>nan</timebase>", 99),
    "timebase inf": ("<timebase>25</timebase>", "<timebase>inf</timebase>", 99),
    "in nan": ("<in>10</in>", "<in>nan</in>", 1),
    "in inf": ("<in>10</in>", "<in>inf</in>", 1),
    "out inf": ("<out>115</out>", "<out>inf</out>", 1),
    "duration nan": ("<duration>280</duration>", "<duration>nan</duration>", 1),
}
KDENLIVE_CASES = {
    "rate zero": ('frame_rate_num="25"', 'frame_rate_num="0"'),
    "rate den zero": ('frame_rate_den="1"', 'frame_rate_den="0"'),
    "rate nan": ('frame_rate_num="25"', 'frame_rate_num="nan"'),
    "rate inf": ('frame_rate_num="25"', 'frame_rate_num="inf"'),
    "gap nan": ('<blank length="00:00:03.280"/>', '<blank length="nan"/>'),
    "gap inf": ('<blank length="00:00:03.280"/>', '<blank length="inf"/>'),
}


def _import(project_root: Path, path: Path, *extra: str) -> tuple[int, str]:
    with no_hang(60):  # a hang detector, not a speed test
        return run_cli("import-edit", str(project_root), str(path), "--close-gaps", *extra)


def _refused(project: Project, path: Path, text: str) -> str:
    """What `import-edit` says of ``text`` at ``path``: one error line (with the problem under
    it when the import is refused for problems); film.yaml untouched."""
    before = project.film_yaml.read_bytes()
    path.write_text(text, encoding="utf-8")
    code, out = _import(project.root, path)
    assert code == 1, out
    assert project.film_yaml.read_bytes() == before
    # The warnings (what the import would leave out) are printed too, each on its own line.
    said = [line for line in out.splitlines() if not line.startswith("warning: ")]
    assert str(path) in one_line_error(out) and len(said) <= 2, out
    return out


def test_hostile_numbers_in_otio(rate_film: MakeRateFilm, tmp_path: Path) -> None:
    project = rate_film("25")
    for case, edit in OTIO_CASES.items():
        line = _refused(project, tmp_path / "cut.otio", _otio(edit))
        assert "interview B" in line or "Cross Dissolve" in line, (case, line)


def test_hostile_numbers_in_fcp7(rate_film: MakeRateFilm, tmp_path: Path) -> None:
    project = rate_film("25")
    for case, (old, new, count) in FCP_CASES.items():
        line = _refused(project, tmp_path / "cut.xml", _xml(old, new, count))
        assert "cut.xml:" in line, case


def test_hostile_numbers_in_kdenlive(rate_film: MakeRateFilm, tmp_path: Path) -> None:
    project = rate_film("25")
    for case, (old, new) in KDENLIVE_CASES.items():
        line = _refused(project, tmp_path / "cut.kdenlive", _kdenlive(old, new))
        assert "cut.kdenlive:" in line, case


@pytest.mark.parametrize("shape", ["stacks", "arrays", "objects"])
def test_deeply_nested_otio_is_refused_before_parsing(
        shape: str, rate_film: MakeRateFilm, tmp_path: Path) -> None:
    depth = 20000
    body = {
        "stacks": '{"OTIO_SCHEMA": "Stack.1", "children": [' * depth + "]}" * depth,
        "arrays": "[" * depth + "]" * depth,
        "objects": '{"a": ' * depth + "1" + "}" * depth,
    }[shape]
    project = rate_film("25")
    path = tmp_path / "deep.otio"
    path.write_text(body, encoding="utf-8")
    # In a child process: the crash this guards against kills the interpreter (exit 139).
    result = subprocess.run([sys.executable, "-m", "pipeline", "import-edit", str(project.root),
                             str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, (result.returncode, result.stderr[-500:])
    line = one_line_error(result.stderr)
    assert "nested" in line and str(path) in line


def test_disabled_clips_are_left_out_and_named(rate_film: MakeRateFilm, tmp_path: Path) -> None:
    project = rate_film("25")

    def disable_first(doc: Any) -> None:
        _v1(doc)[0]["enabled"] = False

    otio_file = tmp_path / "cut.otio"
    otio_file.write_text(_otio(disable_first), encoding="utf-8")
    code, out = _import(project.root, otio_file, "--dry-run")
    assert code == 0, out
    assert "warning: event 1 (interview B) is disabled in the editor: left out" in out
    assert "clip-2" not in [line.split()[-1] for line in out.splitlines()
                            if line.startswith("+")]
    fcp = tmp_path / "cut.xml"
    fcp.write_text(_xml("<enabled>TRUE</enabled>", "<enabled>FALSE</enabled>"), "utf-8")
    code, out = _import(project.root, fcp)
    assert code == 0, out
    assert "warning: event 1 (clip-2.mp4) is disabled in the editor: left out" in out
    assert "clip-2" not in [s.clip_id for s in Project.open(project.root).film.sequence]
