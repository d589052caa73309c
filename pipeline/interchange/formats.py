"""The edit file formats: which one a file is, reading it into OTIO and writing OTIO out.

=========  =================  ===============================================================
name       suffix             read / written by
=========  =================  ===============================================================
otio       .otio              OpenTimelineIO's own JSON
fcp-xml    .xml               otio-fcp-adapter (Final Cut Pro 7 XML: Premiere Pro, Resolve)
fcpx       .fcpxml(d)         :mod:`.fcpxml` (Final Cut Pro), exact rational times
edl        .edl               otio-cmx3600-adapter (CMX 3600), at the footage's frame rate
kdenlive   .kdenlive, .mlt    otio-kdenlive-adapter reads; :mod:`.mlt` writes
=========  =================  ===============================================================
"""

from __future__ import annotations

import contextlib
import io
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio

from pipeline.interchange.edl import for_editors, prepare_edl
from pipeline.interchange.errors import InterchangeError
from pipeline.interchange.fcpxml import READ_WARNINGS, read_fcpxml, write_fcpxml
from pipeline.interchange.guard import check_edit_text
from pipeline.interchange.mlt import write_kdenlive
from pipeline.interchange.names import FORMATS, EditFormat, FormatInfo
from pipeline.interchange.timebase import rate_label

MAX_EDIT_BYTES = 64 * 1024 * 1024


_SUFFIXES = {".otio": EditFormat.OTIO, ".xml": EditFormat.FCP_XML,
             ".fcpxml": EditFormat.FCPX, ".fcpxmld": EditFormat.FCPX, ".edl": EditFormat.EDL,
             ".kdenlive": EditFormat.KDENLIVE, ".mlt": EditFormat.KDENLIVE}


def _text(path: Path) -> str:
    """The edit file's text (an .fcpxmld bundle's Info.fcpxml), read as UTF-8."""
    target = path / "Info.fcpxml" if path.suffix.lower() == ".fcpxmld" else path
    try:
        if not target.exists():
            raise FileNotFoundError(target)
        if not target.is_file():
            what = "a folder" if target.is_dir() else "not a regular file"
            raise InterchangeError(path, f"is {what}, not an edit file")
        if target.stat().st_size > MAX_EDIT_BYTES:
            raise InterchangeError(path, f"is larger than {MAX_EDIT_BYTES // 2**20} MB, too "
                                         "large for an edit file; is it the right file?")
        data = target.read_bytes()
    except FileNotFoundError:
        raise InterchangeError(path, "no such file; check the path to the exported edit") \
            from None
    except OSError as exc:
        raise InterchangeError(path, f"cannot be read ({exc.strerror or exc})") from None
    if not data.strip():
        raise InterchangeError(path, "is empty; export the edit from the editor again")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InterchangeError(path, "is not UTF-8 text, so not an edit file coprod reads; "
                                     "export it again as .otio, .xml, .fcpxml, .edl or "
                                     ".kdenlive") from None


def detect(path: Path, text: str | None = None) -> EditFormat:
    """The format of the edit file at ``path``, by suffix (and an FCPXML saved as .xml)."""
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(_SUFFIXES))
        raise InterchangeError(path, f"unknown edit file type {path.suffix or '(no suffix)'!r}"
                                     f"; coprod reads {known}")
    if fmt == EditFormat.FCP_XML and text is not None and "<fcpxml" in text[:2000]:
        return EditFormat.FCPX
    return fmt


def read_edit(path: Path, edl_rate: Fraction | None) -> tuple[Any, EditFormat]:
    """The OTIO Timeline an edit file holds, and its format.

    Args:
        path: the edit file.
        edl_rate: the frame rate an EDL is read at (EDLs do not say); the footage's rate.

    Raises:
        InterchangeError: unknown type, unreadable, or not a valid file of its type.
    """
    text = _text(path)
    fmt = detect(path, text)
    check_edit_text(path, text, fmt)
    label = FORMATS[fmt].label
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the Kdenlive adapter prints
            result, warnings = _parse(text, fmt, edl_rate)
    except Exception as exc:  # noqa: BLE001 - third-party parsers raise anything
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InterchangeError(path, f"cannot be read as {label} ({reason}); export it "
                                     "from the editor again") from None
    if not isinstance(result, otio.schema.Timeline):
        timelines = list(result.find_children(descended_from_type=otio.schema.Timeline)) \
            if hasattr(result, "find_children") else []
        if not timelines:
            raise InterchangeError(path, f"holds no timeline ({label}); export a timeline "
                                         "(sequence), not a bin or a clip")
        result = timelines[0]
    if warnings:
        result.metadata[READ_WARNINGS] = warnings
    return result, fmt


def _parse(text: str, fmt: EditFormat, edl_rate: Fraction | None) -> tuple[Any, list[str]]:
    """The parsed file and what was read leniently (a warning each)."""
    if fmt == EditFormat.FCPX:
        timeline = read_fcpxml(text)
        return timeline, list(timeline.metadata.get(READ_WARNINGS, []))
    if fmt == EditFormat.EDL:
        rate = edl_rate or Fraction(24)
        prepared, warnings = prepare_edl(text, rate)
        timeline = otio.adapters.read_from_string(prepared, "cmx_3600", rate=float(rate))
        video = timeline.video_tracks()
        if timeline.global_start_time is None and video and video[0].source_range is not None:
            # The adapter starts the track at the first event's record in: that is the
            # timeline's start timecode (04:00:00:00 for a reel 4).
            timeline.global_start_time = -video[0].source_range.start_time
        return timeline, warnings
    name = {EditFormat.OTIO: "otio_json", EditFormat.FCP_XML: "fcp_xml",
            EditFormat.KDENLIVE: "kdenlive"}[fmt]
    if fmt != EditFormat.OTIO:
        from defusedxml.ElementTree import fromstring as parse_xml

        # The adapters parse with the standard library: defusedxml reads the file first and
        # refuses entity declarations and external references, so they never reach it.
        parse_xml(text)
    return otio.adapters.read_from_string(text, name), []


def render_edit(timeline: Any, fmt: EditFormat, rate: Fraction,
                size: tuple[int, int] = (1920, 1080)) -> str:
    """``timeline`` as the text of an edit file in ``fmt``."""
    if fmt == EditFormat.FCPX:
        return write_fcpxml(timeline, rate, size)
    if fmt == EditFormat.KDENLIVE:
        return write_kdenlive(timeline, rate, size)
    start = round(timeline.global_start_time.rescaled_to(float(rate)).value) \
        if timeline.global_start_time is not None else 0
    if fmt == EditFormat.EDL:
        return for_editors(str(otio.adapters.write_to_string(
            timeline, "cmx_3600", rate=float(rate), style="avid")), rate, start)
    if fmt == EditFormat.FCP_XML:
        return _one_rate_per_clip(str(otio.adapters.write_to_string(timeline, "fcp_xml")))
    return str(otio.adapters.write_to_string(timeline, "otio_json"))


def _one_rate_per_clip(text: str) -> str:
    """otio-fcp-adapter gives each clipitem two ``<rate>`` elements; FCP 7 XML has one."""
    from xml.etree import ElementTree as ET

    from defusedxml.ElementTree import fromstring as parse_xml

    root = parse_xml(text)
    for clip in root.iter("clipitem"):
        for extra in clip.findall("rate")[1:]:
            clip.remove(extra)
    ET.indent(root, "    ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n{body}\n'


__all__ = ["FORMATS", "EditFormat", "FormatInfo", "detect", "rate_label", "read_edit",
           "render_edit"]
