"""Progress shown while a command works, through tqdm: on stderr, never stdout.

At a terminal each step running at the moment has its own bar with an ETA (two render threads
show two bars). When stderr is not a terminal (a log, CI, ``make demo | tee``) a step gets one
line when it starts and one when it ends, whichever threads report it and however often: a log
never alternates between two steps. Every call takes one lock, so threads share it safely.

A step reported as ``"STEP: phase"`` (``"film sound: measuring"``, then ``"film sound"`` at the
end) is one step, ``STEP``, in its phases.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from typing import IO, Any

# "film sound: measuring" is the step "film sound" in its phase "measuring" (one lower-case
# word); "film-a: segment talk" is a step of its own.
_PHASE = re.compile(r"(?P<step>.+): (?P<phase>[a-z]+)")


def step_name(step: str) -> str:
    """The step a progress report belongs to, without its phase."""
    found = _PHASE.fullmatch(step)
    return found["step"] if found else step


class StepProgress:
    """A progress callback ``(step, fraction 0..1)`` for several threads at once."""

    def __init__(self, stream: IO[str] | None = None, *, tty: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self._lock = threading.Lock()
        self._bars: dict[str, tuple[Any, int]] = {}  # step -> its tqdm bar and line (terminal)
        self._started: dict[str, float] = {}  # step -> when it started (a log)
        # Steps that ended: ffmpeg may say "100 %" more than once, which is not a new step.
        self._ended: set[str] = set()

    def __call__(self, step: str, fraction: float) -> None:
        name = step_name(step)
        with self._lock:
            if name in self._ended:
                if fraction >= 1:
                    return
                self._ended.discard(name)  # the same step run again
            if fraction >= 1:
                self._ended.add(name)
            if self.tty:
                self._bar(name, step, fraction)
            else:
                self._line(name, fraction)

    def _line(self, name: str, fraction: float) -> None:
        if name not in self._started:
            if fraction >= 1:
                self._write(name)  # seen only as it ended (a segment a cluster worker made)
            else:
                self._started[name] = time.monotonic()
                self._write(f"{name} ...")
            return
        if fraction >= 1:
            began = self._started.pop(name)
            self._write(f"{name}: done ({time.monotonic() - began:.1f} s)")

    def _bar(self, name: str, step: str, fraction: float) -> None:
        from tqdm import tqdm

        if name not in self._bars:
            taken = {line for _, line in self._bars.values()}
            line = next(n for n in range(len(taken) + 1) if n not in taken)
            self._bars[name] = (tqdm(total=100, desc=name, file=self.stream, leave=False,
                                     position=line, dynamic_ncols=True,
                                     bar_format="{desc}: {percentage:3.0f}%|{bar}| "
                                                "{elapsed}<{remaining}"), line)
        bar = self._bars[name][0]
        bar.set_description_str(step, refresh=False)
        bar.update(max(0.0, min(100.0, fraction * 100)) - bar.n)
        if fraction >= 1:
            bar.close()
            del self._bars[name]
            tqdm.write(f"{name}: done", file=self.stream)

    def _write(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Take down the bars of steps that never finished (an error or Ctrl-C stopped them)."""
        with self._lock:
            for bar, _line in self._bars.values():
                bar.close()
            self._bars.clear()
            self._started.clear()
            self._ended.clear()


__all__ = ["StepProgress", "step_name"]
