"""Code SRT and WebVTT share: timestamps, timing lines, cue-text reading and output.

The two formats differ only in their header, their comment blocks, the decimal sign of a
timestamp and which markup their cue text carries (each reads and writes its own, through
:mod:`captions.styling`); everything else lives here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from captions.controls import find_controls
from captions.exceptions import CaptionError, CaptionParseError
from captions.model import Cue
from captions.styling import writable

ARROW = "-->"

# Hours are optional (WebVTT allows MM:SS.mmm) and may have any number of digits (HLS streams
# count hours since an epoch). The fraction may be 1-3 digits: MS Teams writes '0:0:0.0'.
# Both ',' and '.' are accepted: editors mix them up and the time is the same either way.
_TIMESTAMP = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})", re.ASCII)
_INDEX = re.compile(r"[ \t]*\d+[ \t]*", re.ASCII)


def is_blank(line: str) -> bool:
    """A line of nothing but spaces and tabs separates cues.

    Only spaces and tabs count: a line of hard spaces (from SRT's ``\\h``) is cue text.
    """
    return line.strip(" \t") == ""


def is_timing_line(line: str) -> bool:
    """Any line with an arrow is meant as a timing line (cue text may not contain one)."""
    return ARROW in line


def is_index_line(line: str) -> bool:
    """An SRT cue number: digits only."""
    return _INDEX.fullmatch(line) is not None


def parse_timestamp(value: str) -> int | None:
    """Milliseconds for ``[H...:]MM:SS,mmm`` or ``[H...:]MM:SS.mmm``; None if malformed."""
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        return None
    hours_text, minutes_text, seconds_text, fraction = match.groups()
    hours = int(hours_text) if hours_text is not None else 0
    minutes, seconds = int(minutes_text), int(seconds_text)
    if minutes >= 60 or seconds >= 60:
        return None
    # A fraction is a decimal fraction of a second: '.5' is 500 ms, not 5 ms.
    millis = int(fraction.ljust(3, "0"))
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


def format_timestamp(ms: int, decimal_sign: str) -> str:
    """``HH:MM:SS<sign>mmm``; hours grow past two digits when they must."""
    if ms < 0:
        raise CaptionError(f"cannot write a negative time ({ms} ms)")
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{decimal_sign}{millis:03d}"


def parse_timing_line(
    line: str, line_number: int, path: str | Path | None, decimal_sign: str
) -> tuple[int, int]:
    """Start and end (ms) of a timing line; anything after the end time is ignored.

    What follows the end time is SRT coordinates (``X1:...``) or WebVTT cue settings
    (``align:start``): coprod places captions itself, so they are dropped.

    Raises:
        CaptionParseError: a time is missing or malformed, or the cue ends before it starts.
    """
    expected = f"HH:MM:SS{decimal_sign}mmm"
    left, _, right = line.partition(ARROW)
    start_text = left.strip(" \t")
    end_fields = right.split()
    end_text = end_fields[0] if end_fields else ""
    for name, value in (("start", start_text), ("end", end_text)):
        if not value:
            raise CaptionParseError(
                path, line_number, f"timing line has no {name} time (expected {expected})"
            )
        if parse_timestamp(value) is None:
            raise CaptionParseError(
                path, line_number, f"bad {name} time {value!r} (expected {expected})"
            )
    start = parse_timestamp(start_text)
    end = parse_timestamp(end_text)
    assert start is not None and end is not None  # checked just above
    if end < start:
        raise CaptionParseError(
            path, line_number, f"cue ends ({end_text}) before it starts ({start_text})"
        )
    return start, end


def read_cue_body(
    lines: list[str], start: int, *, stops_at: Callable[[list[str], int], bool]
) -> tuple[list[str], int]:
    """Collect cue-text lines from ``lines[start]`` until a blank line or the next cue.

    A cue's text normally ends at a blank line, but editors (and YouTube) sometimes leave it
    out; a timing line, or whatever ``stops_at`` recognises as the start of a cue, ends it too.

    Returns:
        The raw text lines and the index of the first line after them.
    """
    body: list[str] = []
    i = start
    while i < len(lines) and not is_blank(lines[i]) and not is_timing_line(lines[i]):
        if stops_at(lines, i):
            break
        body.append(lines[i])
        i += 1
    return body, i


def output_lines(text: str) -> list[str]:
    """A cue's lines ready to write: blank lines would end the cue early, so they go."""
    return [line for line in text.split("\n") if not is_blank(line)]


def cue_text(cue: Cue, tagged: Callable[[Cue], str],
             escape: Callable[[str], str] = str) -> list[str]:
    """A cue's lines ready to write: plain text through ``escape``, a styled cue through
    ``tagged`` (its format's tags, escaping the text between them).

    Blank lines are left out either way, and a styled cue keeps its styling on the rest.
    """
    if not cue.spans:
        return [escape(line) for line in output_lines(cue.text)]
    text = tagged(writable(cue))
    return text.split("\n") if text else []


def refuse_controls(cues: Sequence[Cue]) -> None:
    """Refuse to write a cue holding a control character (see :mod:`captions.controls`).

    Raises:
        CaptionError: naming the first such cue and character.
    """
    for number, cue in enumerate(cues, start=1):
        found = find_controls(cue.text)
        voices = [bad for span in cue.spans if (bad := find_controls(span.voice))]
        if found or voices:
            what = str(found[0]) if found else f"a voice name with {voices[0][0].name}"
            raise CaptionError(
                f"cue {number} has {what}; a caption file carries text only, so nothing "
                "was written (remove the character)"
            )
