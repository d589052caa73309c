"""The cue model: times are integer milliseconds, a track is a list of cues."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    """One recognised word with its timing (ms) and the recogniser's confidence."""

    start: int
    end: int
    text: str
    probability: float = 1.0


@dataclass
class Cue:
    """One caption on screen: start/end in ms, text with lines separated by '\\n'."""

    start: int
    end: int
    text: str

    @property
    def lines(self) -> list[str]:
        """The cue's text lines."""
        return self.text.split("\n") if self.text else []

    @property
    def duration(self) -> int:
        """How long the cue is on screen, in ms."""
        return self.end - self.start
