"""Hostile film.yaml files cost one line each, in bounded time and memory (issue 21, item 7).

The reproduction: `out: 1e308` gave an OverflowError traceback; YAML nested 2,000 deep gave a
RecursionError; an alias bomb under `out:` ran `status` past 60 s at 1.6 GB building its error
message (the repr of a list of aliases of lists of aliases...).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.film_guard import MAX_DEPTH, nesting_depth, shown
from tests.adversarial.conftest import no_hang, one_line_error
from tests.conftest import run_cli

CLIP = '  c1: {file: footage/c1.mp4, sha256: "%s", contributors: []}\n' % ("0" * 64)


def film_yaml(sequence: str, *, clips: str = CLIP, extra: str = "") -> str:
    return f"title: T\nlanguage: en\nclips:\n{clips}sequence:\n{sequence}{extra}"


def refusal(tmp_path: Path, text: str) -> str:
    """The one line `status` and `render` give for a project whose film.yaml is ``text``."""
    root = tmp_path / "film"
    if not root.exists():
        assert run_cli("new", str(root), "--title", "T")[0] == 0
        (root / "footage" / "c1.mp4").write_bytes(b"")
    (root / "film.yaml").write_text(text, encoding="utf-8")
    lines = set()
    for command in ("status", "render"):
        with no_hang(30):  # a hang detector, not a speed test: the bomb ran for minutes
            code, out = run_cli(command, str(root))
        assert code == 1, out
        lines.add(one_line_error(out))
    (line,) = lines
    assert "film.yaml" in line and len(line) < 400, line
    return line


@pytest.mark.parametrize("value", ["1e308", "-1e308", ".inf", ".nan", "1" + "0" * 400,
                                   "1" + "0" * 5000, "360001", "99999999:00:00"])
def test_huge_and_infinite_times_are_one_line(tmp_path: Path, value: str) -> None:
    line = refusal(tmp_path, film_yaml(f"  - clip: c1\n    out: {value}\n"))
    assert "out:" in line or "not valid YAML" in line


def test_an_ordinary_trim_still_reads(tmp_path: Path) -> None:
    root = tmp_path / "film"
    refusal(tmp_path, film_yaml("  - clip: c1\n    out: 1e308\n"))
    (root / "film.yaml").write_text(film_yaml("  - clip: c1\n    in: 1.5\n    out: 00:01:40\n"))
    from pipeline.project import Project

    item = Project.open(root).film.sequence[0]
    assert (item.in_ms, item.out_ms) == (1500, 100_000)


@pytest.mark.parametrize("shape", ["flow", "block", "dashes", "mapping"])
def test_deep_nesting_is_one_line_before_the_parser_recurses(tmp_path: Path, shape: str) -> None:
    depth = 2000
    nested = {
        "flow": "  - clip: c1\n    out: " + "[" * depth + "]" * depth + "\n",
        "block": "".join(" " * i + "- \n" for i in range(depth)),
        "dashes": "  - " + "- " * depth + "x\n",
        "mapping": "".join(" " * i + f"k{i}:\n" for i in range(depth)),
    }[shape]
    line = refusal(tmp_path, film_yaml(nested))
    assert f"nested more than {MAX_DEPTH} levels deep" in line


def bomb(indent: str) -> str:
    """Ten anchored levels, each nine aliases of the one before: 9^9 items when printed."""
    levels = [f"{indent}a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"]
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        levels.append(f"{indent}a{i}: &a{i} [{refs}]\n")
    return "".join(levels)


def test_an_alias_bomb_under_out_is_one_line(tmp_path: Path) -> None:
    line = refusal(tmp_path, film_yaml("  - clip: c1\n    out:\n" + bomb("      ")))
    assert "sequence: c1: out: not a time: a mapping" in line
    # The bomb's last level as the clip's id: named in words, not printed.
    line = refusal(tmp_path, film_yaml("  - out:\n" + bomb("      ") + "    clip: *a9\n"))
    assert "sequence: unknown clip id a list" in line


def test_shown_and_depth_are_bounded() -> None:
    assert shown([1] * 10**6) == "a list" and shown({"a": 1}) == "a mapping"
    assert len(shown("x" * 10**6)) <= 60 and shown(10**5000) == "a number far too large"
    assert nesting_depth("a:\n  b:\n    - c\n") <= 6
    assert nesting_depth("[" * 10**6) == MAX_DEPTH + 1
