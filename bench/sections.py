"""What the bench scripts share: their marked sections of docs/BENCHMARKS.md, the machine line.

Each script owns one block of docs/BENCHMARKS.md between its own marker lines
(``<!-- name:start -->`` and ``<!-- name:end -->``) and rewrites only that block, so the
sections other scripts wrote stay as they are.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

from pipeline.fsutil import atomic_write_bytes

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "BENCHMARKS.md"
HEADER = ("# Benchmarks\n\nEach section is written by the script it names; numbers are measured "
          "side by side in one run.\n")


def write_section(start: str, end: str, text: str, docs: Path = DOCS) -> None:
    """Replace the block from ``start`` to ``end`` in ``docs`` with ``text``, or append it.

    Args:
        start: the section's start marker line, e.g. ``<!-- interop:start -->``.
        end: its end marker line.
        text: the whole section, its own start and end marker lines included.
        docs: the Markdown file; made (with a title) when missing.
    """
    current = docs.read_text(encoding="utf-8") if docs.exists() else HEADER
    section = text.rstrip("\n")
    begin = current.find(start)
    finish = current.find(end, begin) if begin >= 0 else -1
    if finish >= 0:
        updated = current[:begin] + section + current[finish + len(end):]
    else:
        updated = current.rstrip("\n") + "\n\n" + section + "\n"
    if updated != current:
        atomic_write_bytes(docs, updated.encode("utf-8"))


def machine() -> str:
    """Cores this process may use, the CPU model, the system and the Python version."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cores} cores ({cpu}), {platform.system()} {platform.machine()}, " \
           f"Python {platform.python_version()}"
