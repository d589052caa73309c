"""Quality checks on a caption track against a style.

Each finding names the file, the cue (1-based, as numbered in an SRT file), a short rule name
and what is wrong, printed as ``file:cue:rule: message``. Errors are things a viewer cannot
read or that break the file's meaning (overlapping or out-of-order cues, too many or too long
lines, a cue after the clip has ended or ending before it starts, an empty cue, a control
character); warnings are things a reviewer should look at but that may be right as they are
(reading rate, short gaps, durations, line breaks). Lengths and reading rates count the
characters a viewer sees (:func:`visible_length`), whatever styling the text has.

:data:`STRUCTURAL_RULES` are the errors that break the film itself rather than its style; a
render for a publishing channel refuses them whatever the caption profile says.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from captions.controls import escape_controls, find_controls
from captions.language import is_bad_line_end
from captions.model import Cue
from captions.styles import CaptionStyle

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"

# Errors.
OVERLAP = "overlap"
OUT_OF_ORDER = "out-of-order"
TOO_MANY_LINES = "too-many-lines"
LINE_TOO_LONG = "line-too-long"
BEYOND_CLIP_END = "beyond-clip-end"
EMPTY_CUE = "empty-cue"
NEGATIVE_DURATION = "negative-duration"
CONTROL_CHARACTER = "control-character"
# Warnings.
READING_RATE = "reading-rate"
SHORT_GAP = "short-gap"
TOO_SHORT = "too-short"
TOO_LONG = "too-long"
BAD_LINE_BREAK = "bad-line-break"

RULES: dict[str, Severity] = {
    OVERLAP: ERROR,
    OUT_OF_ORDER: ERROR,
    TOO_MANY_LINES: ERROR,
    LINE_TOO_LONG: ERROR,
    BEYOND_CLIP_END: ERROR,
    EMPTY_CUE: ERROR,
    NEGATIVE_DURATION: ERROR,
    CONTROL_CHARACTER: ERROR,
    READING_RATE: WARNING,
    SHORT_GAP: WARNING,
    TOO_SHORT: WARNING,
    TOO_LONG: WARNING,
    BAD_LINE_BREAK: WARNING,
}

# Errors that break the film, not its style: cues shown over each other, never shown, shown
# after the clip or carrying characters that are lost or hide text in the subtitle track.
STRUCTURAL_RULES: frozenset[str] = frozenset(
    {OVERLAP, NEGATIVE_DURATION, BEYOND_CLIP_END, CONTROL_CHARACTER}
)


@dataclass(frozen=True)
class Finding:
    """One thing QC found in one cue."""

    path: str | None
    cue: int
    rule: str
    severity: Severity
    message: str

    def __str__(self) -> str:
        # Messages quote caption text: a control character in it is shown, never obeyed.
        line = f"{self.path or '<captions>'}:{self.cue}:{self.rule}: {self.message}"
        return escape_controls(line)


def has_errors(findings: Sequence[Finding]) -> bool:
    """True if any finding is an error (a check command then exits 1; warnings alone, 0)."""
    return any(finding.severity == ERROR for finding in findings)


def words_per_minute(cue: Cue) -> float:
    """Words a minute a viewer must read to take in ``cue``; infinite for a zero-length cue."""
    words = len(cue.text.split())
    if words == 0:
        return 0.0
    if cue.duration <= 0:
        return float("inf")
    return words * 60_000 / cue.duration


def visible_length(line: str) -> int:
    """Characters a viewer sees in ``line``: markup is never in a cue's text (styling is kept
    beside it), and invisible format characters (the direction marks WebVTT writes as
    ``&lrm;``, zero-width joiners) and combining accents (the ``´`` of a decomposed ``é``) take
    no place of their own on screen, so they are not counted."""
    if line.isascii():
        return len(line)
    return sum(1 for char in line if unicodedata.category(char) not in ("Cf", "Mn", "Me"))


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.3f} s"


class _Checker:
    """Collects findings for one track; one method per group of rules."""

    def __init__(self, style: CaptionStyle, path: str | None) -> None:
        self.style = style
        self.path = path
        self.findings: list[Finding] = []

    def add(self, cue: int, rule: str, message: str) -> None:
        self.findings.append(Finding(self.path, cue, rule, RULES[rule], message))

    def order(self, cues: Sequence[Cue]) -> None:
        """Out-of-order cues, overlaps and short gaps, each against the cues before it."""
        if not cues:
            return
        # The latest end of any earlier cue: a cue may overlap one further back than the last.
        latest_end, latest_cue = cues[0].end, 1
        for number in range(2, len(cues) + 1):
            previous, cue = cues[number - 2], cues[number - 1]
            if cue.start < previous.start:
                self.add(
                    number,
                    OUT_OF_ORDER,
                    f"starts at {_seconds(cue.start)}, before cue {number - 1} "
                    f"({_seconds(previous.start)})",
                )
            elif cue.start < latest_end:
                self.add(
                    number,
                    OVERLAP,
                    f"starts at {_seconds(cue.start)} while cue {latest_cue} is still on "
                    f"screen (until {_seconds(latest_end)})",
                )
            else:
                gap = cue.start - latest_end
                if 0 < gap < self.style.min_gap_ms:
                    self.add(
                        number,
                        SHORT_GAP,
                        f"{gap} ms after cue {latest_cue} ends; leave no gap or at least "
                        f"{self.style.min_gap_ms} ms ({self.style.min_gap_frames} frames)",
                    )
            if cue.end > latest_end:
                latest_end, latest_cue = cue.end, number

    def layout(self, number: int, cue: Cue) -> None:
        """Line count, line length and line breaks."""
        lines = cue.lines
        if len(lines) > self.style.max_lines:
            self.add(
                number,
                TOO_MANY_LINES,
                f"{len(lines)} lines (at most {self.style.max_lines})",
            )
        for line_number, line in enumerate(lines, start=1):
            length = visible_length(line)
            if length > self.style.max_chars_per_line:
                self.add(
                    number,
                    LINE_TOO_LONG,
                    f"line {line_number} has {length} characters "
                    f"(at most {self.style.max_chars_per_line}): {line!r}",
                )
        for line_number, (line, following) in enumerate(
            zip(lines, lines[1:], strict=False), start=1
        ):
            if is_bad_line_end(line, following):
                last_word = line.split()[-1] if line.split() else line
                self.add(
                    number,
                    BAD_LINE_BREAK,
                    f"line {line_number} ends on {last_word!r}, which belongs with the next line",
                )

    def controls(self, number: int, cue: Cue) -> None:
        """Control characters: lost from the subtitle track, or hiding and reordering text."""
        for found in find_controls(cue.text):
            self.add(
                number,
                CONTROL_CHARACTER,
                f"{found}: a caption carries text only; remove it",
            )

    def timing(self, number: int, cue: Cue, clip_duration_ms: int | None) -> None:
        """Duration limits and the clip's end."""
        if clip_duration_ms is not None and cue.end > clip_duration_ms:
            self.add(
                number,
                BEYOND_CLIP_END,
                f"ends at {_seconds(cue.end)}, after the clip ends ({_seconds(clip_duration_ms)})",
            )
        if cue.end < cue.start:
            self.add(
                number,
                NEGATIVE_DURATION,
                f"ends at {_seconds(cue.end)}, before it starts ({_seconds(cue.start)})",
            )
        elif cue.duration < self.style.min_duration_ms:
            self.add(
                number,
                TOO_SHORT,
                f"on screen {_seconds(cue.duration)} "
                f"(at least {_seconds(self.style.min_duration_ms)})",
            )
        elif cue.duration > self.style.max_duration_ms:
            self.add(
                number,
                TOO_LONG,
                f"on screen {_seconds(cue.duration)} "
                f"(at most {_seconds(self.style.max_duration_ms)})",
            )

    def reading_rate(self, number: int, cue: Cue) -> None:
        """Words per minute and characters per second, whichever the style limits."""
        if cue.duration <= 0:
            return  # a zero-length cue cannot be read at all; too-short already says so
        wpm = words_per_minute(cue)
        max_wpm = self.style.max_wpm
        if max_wpm is not None and wpm > max_wpm:
            self.add(
                number,
                READING_RATE,
                f"{wpm:.0f} words a minute (at most {max_wpm:.0f}); "
                "lengthen the cue or shorten the text",
            )
        # Characters as a viewer reads them: line breaks do not count, spaces do.
        characters = visible_length(cue.text.replace("\n", ""))
        cps = characters * 1000 / cue.duration
        max_cps = self.style.max_cps
        if max_cps is not None and cps > max_cps:
            self.add(
                number,
                READING_RATE,
                f"{cps:.1f} characters a second (at most {max_cps:.0f}); "
                "lengthen the cue or shorten the text",
            )


def check(
    cues: Sequence[Cue],
    style: CaptionStyle,
    *,
    clip_duration_ms: int | None = None,
    path: str | Path | None = None,
) -> list[Finding]:
    """Check a caption track against ``style``; findings in cue order, errors first.

    Args:
        cues: the track, in file order.
        style: the limits to check against (see captions.styles).
        clip_duration_ms: the clip's length; cues ending after it are errors.
        path: the caption file, named in each finding.
    """
    checker = _Checker(style, str(path) if path is not None else None)
    checker.order(cues)
    for number, cue in enumerate(cues, start=1):
        checker.controls(number, cue)
        if cue.text.strip() == "":
            checker.add(number, EMPTY_CUE, "has no text")
        else:
            checker.layout(number, cue)
            checker.reading_rate(number, cue)
        checker.timing(number, cue, clip_duration_ms)
    severity_order = {ERROR: 0, WARNING: 1}
    return sorted(checker.findings, key=lambda f: (f.cue, severity_order[f.severity]))
