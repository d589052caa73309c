"""Why Ctrl-C tests failed only in whole-suite runs (issue 25, item 2), and the fix.

A suite run in the background (``make test > log &``) starts with SIGINT ignored, and every
process it starts inherited that: coprod never heard the tests' Ctrl-C. The session now begins
with a terminal's SIGINT (tests/conftest.py's terminal_like_sigint).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What a child of the process sees: Python's default handler, or 1 for an ignored SIGINT.
CHILD = ("import subprocess, sys; print(subprocess.run([sys.executable, '-c', 'import signal; "
         "print(signal.getsignal(signal.SIGINT))'], capture_output=True, text=True).stdout)")


def _as_a_background_job() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # what `cmd &` in a script does
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _child_sees(prelude: str) -> str:
    done = subprocess.run([sys.executable, "-c", prelude + CHILD], capture_output=True,
                          text=True, cwd=ROOT, preexec_fn=_as_a_background_job, check=True)
    return done.stdout.strip()


def test_a_background_run_passes_an_ignored_sigint_to_its_children() -> None:
    assert _child_sees("") == "1"


def test_the_session_gives_its_children_a_terminals_sigint() -> None:
    seen = _child_sees("from tests.conftest import terminal_like_sigint; terminal_like_sigint(); ")
    assert seen == "<built-in function default_int_handler>"
