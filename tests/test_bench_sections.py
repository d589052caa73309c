"""bench/sections.py: each bench script rewrites only its own marked block of BENCHMARKS.md."""

from __future__ import annotations

from pathlib import Path

from bench.sections import write_section

START, END = "<!-- demo:start -->", "<!-- demo:end -->"
BEFORE = ("# Benchmarks\n\nIntro.\n\n<!-- other:start -->\n## Other\n\n| a | b |\n"
          "<!-- other:end -->\n\n")
AFTER = "\n\n<!-- last:start -->\n## Last\n\nWith  two  spaces and a trailing space \n" \
        "<!-- last:end -->\n"
OLD = f"{START}\n## Demo\n\nold numbers\n\nmore old lines\n{END}"
NEW = f"{START}\n## Demo\n\nnew numbers: 1.5x\n{END}\n"


def test_replaces_only_the_marked_block(tmp_path: Path) -> None:
    docs = tmp_path / "BENCHMARKS.md"
    docs.write_bytes((BEFORE + OLD + AFTER).encode("utf-8"))

    write_section(START, END, NEW, docs)

    assert docs.read_bytes() == (BEFORE + NEW.rstrip("\n") + AFTER).encode("utf-8")


def test_appends_when_the_markers_are_absent(tmp_path: Path) -> None:
    docs = tmp_path / "BENCHMARKS.md"
    docs.write_bytes(BEFORE.encode("utf-8"))

    write_section(START, END, NEW, docs)

    assert docs.read_bytes() == (BEFORE.rstrip("\n") + "\n\n" + NEW).encode("utf-8")


def test_an_end_marker_before_the_start_marker_does_not_count(tmp_path: Path) -> None:
    docs = tmp_path / "BENCHMARKS.md"
    text = f"# Benchmarks\n\nA stray {END} in prose.\n"
    docs.write_text(text, encoding="utf-8")

    write_section(START, END, NEW, docs)

    assert docs.read_text(encoding="utf-8") == text + "\n" + NEW


def test_makes_the_page_when_it_is_missing(tmp_path: Path) -> None:
    docs = tmp_path / "docs" / "BENCHMARKS.md"

    write_section(START, END, NEW, docs)

    text = docs.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n")
    assert text.endswith("\n\n" + NEW)


def test_a_second_write_of_the_same_text_changes_nothing(tmp_path: Path) -> None:
    docs = tmp_path / "BENCHMARKS.md"
    docs.write_bytes((BEFORE + OLD + AFTER).encode("utf-8"))
    write_section(START, END, NEW, docs)
    once = docs.read_bytes()
    stat = docs.stat()

    write_section(START, END, NEW, docs)

    assert docs.read_bytes() == once
    assert (docs.stat().st_ino, docs.stat().st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)


def test_a_second_append_replaces_the_first(tmp_path: Path) -> None:
    docs = tmp_path / "BENCHMARKS.md"
    docs.write_bytes(BEFORE.encode("utf-8"))
    write_section(START, END, NEW, docs)
    once = docs.read_bytes()

    write_section(START, END, NEW, docs)

    assert docs.read_bytes() == once
    assert once.count(START.encode("utf-8")) == 1
