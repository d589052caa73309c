"""Reading caption-file bytes the way editors save them, and writing text safely.

Editors save caption files in whatever encoding the machine defaults to: UTF-8 with or without
a byte-order mark, UTF-16 or UTF-32 (Windows Notepad, Subtitle Edit), or Windows-1252 (older
Windows tools, most SRT files from the web). A caption file carries no declaration of its
encoding, so :func:`decode_caption_bytes` tries, in order:

1. a byte-order mark (UTF-32 is checked before UTF-16 because the UTF-32 LE mark begins with
   the UTF-16 LE one);
2. strict UTF-8, which almost never decodes text in another encoding by accident;
3. Windows-1252, the last resort, because it maps nearly every byte to a character and so would
   "succeed" on anything. Three guards keep it from turning a file into mojibake, each giving a
   :class:`CaptionParseError` that names the line and says to save as UTF-8 or pass
   ``encoding=``:

   - the five bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D);
   - a run of four or more non-ASCII bytes: Western text has its accented letters standing
     alone between ASCII letters, while double-byte encodings (GB2312, Big5, Shift-JIS,
     EUC-KR) put them in long runs;
   - well-formed UTF-8 characters in a file that is not UTF-8 throughout (two files pasted
     together): read as Windows-1252 they would be garbled ("café" becomes "cafÃ©").

Line ends are normalised to ``\\n`` whatever the file used (CRLF, CR or LF).

Only a regular file of at most :data:`MAX_CAPTION_BYTES` is read: a FIFO would block the
read for ever, and a caption file of tens of megabytes is a mistake that would otherwise be
read, parsed and reported line by line.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path

from captions.exceptions import CaptionError, CaptionParseError
from safeio import atomic_write, file_kind, os_error_advice

# A feature film's captions are a few hundred kilobytes; anything past this is the wrong file.
MAX_CAPTION_BYTES = 5_000_000

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Four or more non-ASCII bytes in a row: a double-byte encoding, not Windows-1252 (see above).
_LONG_NON_ASCII_RUN = re.compile(rb"[\x80-\xff]{4,}")
# A well-formed UTF-8 character in a file that is not UTF-8 as a whole: two encodings mixed.
_UTF8_CHARACTER = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def normalise_newlines(text: str) -> str:
    """Turn CRLF and lone CR line ends into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _line_of_offset(data: bytes, offset: int, encoding: str) -> int:
    """1-based line number of the byte at ``offset``, counted in the file's own encoding."""
    before = data[:offset].decode(encoding, errors="replace")
    return normalise_newlines(before).count("\n") + 1


def _decode(data: bytes, encoding: str, path: str | Path | None, label: str) -> str:
    """Decode strictly, turning a bad byte into a CaptionParseError that names its line."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = _line_of_offset(data, exc.start, encoding)
        bad = data[exc.start : exc.end].hex(" ")
        raise CaptionParseError(
            path, line, f"byte(s) {bad} are not valid {label}; save the file as UTF-8"
        ) from None


def sniff_bom(data: bytes) -> tuple[str, int] | None:
    """The encoding a byte-order mark announces and the mark's length, or None."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def decode_caption_bytes(
    data: bytes, *, path: str | Path | None = None, encoding: str | None = None
) -> str:
    """Decode a caption file's bytes to text with LF line ends and no byte-order mark.

    Args:
        data: the file's bytes.
        path: the file, named in errors.
        encoding: a codec name to use instead of guessing (e.g. ``"gb2312"``); a byte-order
            mark at the start is still dropped.

    Returns:
        The text, with every line end as ``\\n``.

    Raises:
        CaptionParseError: a byte cannot be decoded, or the guess would give mojibake.
        CaptionError: ``encoding`` is not a codec Python knows.
    """
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise CaptionError(f"unknown text encoding {encoding!r}") from None
        text = _decode(data, encoding, path, encoding)
        return normalise_newlines(text.removeprefix("\ufeff"))

    sniffed = sniff_bom(data)
    if sniffed is not None:
        bom_encoding, bom_length = sniffed
        body = data[bom_length:]
        return normalise_newlines(_decode(body, bom_encoding, path, bom_encoding.upper()))

    try:
        return normalise_newlines(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        first_bad = exc.start

    run = _LONG_NON_ASCII_RUN.search(data)
    if run is not None:
        line = data[: run.start()].count(b"\n") + 1
        raise CaptionParseError(
            path,
            line,
            "the file is not UTF-8 and does not look like Windows-1252 either (it may be "
            "GB2312, Big5 or Shift-JIS); save it as UTF-8 or give its encoding",
        )
    if _UTF8_CHARACTER.search(data) is not None:
        raise CaptionParseError(
            path,
            data[:first_bad].count(b"\n") + 1,
            "the file mixes UTF-8 with another encoding from this line on; "
            "save it as UTF-8 or give its encoding",
        )
    return normalise_newlines(_decode(data, "cp1252", path, "UTF-8 or Windows-1252"))


def too_large(path: str | Path, size: int) -> CaptionError:
    """The error for a caption file of ``size`` bytes, over :data:`MAX_CAPTION_BYTES`."""
    return CaptionError(
        f"{path}: is {size / 1_000_000:.1f} MB; coprod reads caption files of up to "
        f"{MAX_CAPTION_BYTES // 1_000_000} MB (is it the right file?)"
    )


def read_caption_bytes(path: str | Path) -> bytes:
    """The bytes of a caption file: a regular file of at most :data:`MAX_CAPTION_BYTES`.

    The file is opened without blocking and checked before a byte is read, so a FIFO, a
    folder or a device is refused at once and an oversized file is never read.

    Raises:
        CaptionError: the file cannot be read, is not a regular file, or is too large.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise CaptionError(f"cannot read caption file {path}: {os_error_advice(exc)}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise CaptionError(
                f"{path}: is {file_kind(info.st_mode)}, not a caption file; put the file itself "
                "there"
            )
        if info.st_size > MAX_CAPTION_BYTES:
            raise too_large(path, info.st_size)
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_CAPTION_BYTES + 1)
    except OSError as exc:
        raise CaptionError(f"cannot read caption file {path}: {os_error_advice(exc)}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_CAPTION_BYTES:  # it grew while it was read
        raise too_large(path, len(data))
    return data


def read_caption_text(path: str | Path, *, encoding: str | None = None) -> str:
    """Read and decode a caption file: :func:`read_caption_bytes`, then decode_caption_bytes.

    Raises:
        CaptionError: the file cannot be read, is not a regular file, or is too large.
        CaptionParseError: the file cannot be decoded.
    """
    data = read_caption_bytes(path)
    return decode_caption_bytes(data, path=path, encoding=encoding)


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` as UTF-8 (no byte-order mark, line ends as given) all at once, through
    :func:`safeio.atomic_write`: a reader, or a crash, sees the old file or the new one, never
    half of one. An existing file keeps its permission bits; a new one gets the usual ones.

    Raises:
        CaptionError: the file cannot be written.
    """
    target = Path(path)
    try:
        atomic_write(target, text.encode("utf-8"))
    except OSError as exc:
        raise CaptionError(f"cannot write caption file {target}: {os_error_advice(exc)}") \
            from None
