"""Caption file formats: a small registry of SRT and WebVTT, and load/save by file name.

Example::

    cues = load("captions/clip-01.srt")  # format from the extension
    save(cues, "captions/clip-01.vtt")   # written atomically
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from captions.exceptions import CaptionError
from captions.formats import srt, vtt
from captions.model import Cue
from captions.textio import atomic_write_text, read_caption_text


@dataclass(frozen=True)
class CaptionFormat:
    """One caption format: its name, file extensions, reader and writer."""

    name: str
    title: str
    extensions: tuple[str, ...]
    loads: Callable[[str, str | Path | None], list[Cue]]
    dumps: Callable[[Sequence[Cue]], str]


FORMATS: dict[str, CaptionFormat] = {
    "srt": CaptionFormat("srt", "SubRip", (".srt",), srt.loads, srt.dumps),
    "vtt": CaptionFormat("vtt", "WebVTT", (".vtt",), vtt.loads, vtt.dumps),
}

# Formats people may hand us that coprod does not read, so the refusal can name them.
_OTHER_FORMATS: dict[str, str] = {
    ".ass": "ASS/SSA (Advanced SubStation Alpha)",
    ".ssa": "ASS/SSA (SubStation Alpha)",
    ".ttml": "TTML (Timed Text Markup Language)",
    ".dfxp": "TTML/DFXP (Timed Text Markup Language)",
    ".sbv": "YouTube SBV",
    ".sub": "MicroDVD or SubViewer",
    ".scc": "Scenarist Closed Caption (SCC)",
    ".stl": "EBU STL",
    ".smi": "SAMI",
    ".sami": "SAMI",
    ".lrc": "LRC lyrics",
}


def _known() -> str:
    return " and ".join(f"{fmt.title} ({'/'.join(fmt.extensions)})" for fmt in FORMATS.values())


def get_format(fmt: str) -> CaptionFormat:
    """The registered format called ``fmt`` (``"srt"`` or ``"vtt"``).

    Raises:
        CaptionError: no such format.
    """
    try:
        return FORMATS[fmt.lower().lstrip(".")]
    except KeyError:
        raise CaptionError(f"unknown caption format {fmt!r}; coprod reads {_known()}") from None


def format_for_path(path: str | Path) -> str:
    """The format name a caption file's extension stands for.

    Raises:
        CaptionError: the extension is another caption format, or none coprod knows.
    """
    suffix = Path(path).suffix.lower()
    for fmt in FORMATS.values():
        if suffix in fmt.extensions:
            return fmt.name
    if suffix in _OTHER_FORMATS:
        raise CaptionError(
            f"{path} is in {_OTHER_FORMATS[suffix]} format; coprod reads only {_known()}"
        )
    raise CaptionError(
        f"cannot tell the caption format of {path} from its extension; coprod reads {_known()}"
    )


def loads(text: str, fmt: str, path: str | Path | None = None) -> list[Cue]:
    """Cues from caption text already decoded (LF line ends); ``path`` is named in errors.

    Raises:
        CaptionParseError: the text is malformed (names the line).
        CaptionError: ``fmt`` is unknown.
    """
    return get_format(fmt).loads(text, path)


def dumps(cues: Sequence[Cue], fmt: str) -> str:
    """Caption text for ``cues`` in format ``fmt``, with ``\\n`` line ends."""
    return get_format(fmt).dumps(cues)


def load(path: str | Path, fmt: str | None = None, encoding: str | None = None) -> list[Cue]:
    """Read a caption file; the format comes from its extension unless ``fmt`` is given.

    The encoding is guessed the way editors save files (see captions.textio) unless
    ``encoding`` names it.

    Raises:
        CaptionParseError: the file is empty, cannot be decoded, or is malformed.
        CaptionError: the format is not SRT or WebVTT, or the file cannot be read.
    """
    caption_format = get_format(fmt) if fmt is not None else FORMATS[format_for_path(path)]
    text = read_caption_text(path, encoding=encoding)
    return caption_format.loads(text, path)


def save(cues: Sequence[Cue], path: str | Path, fmt: str | None = None) -> None:
    """Write a caption file as UTF-8 through a temporary file and a rename.

    Raises:
        CaptionError: the format is unknown or the file cannot be written.
    """
    caption_format = get_format(fmt) if fmt is not None else FORMATS[format_for_path(path)]
    atomic_write_text(path, caption_format.dumps(cues))


__all__ = [
    "FORMATS",
    "CaptionFormat",
    "dumps",
    "format_for_path",
    "get_format",
    "load",
    "loads",
    "save",
]
