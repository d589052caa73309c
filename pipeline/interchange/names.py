"""The edit file formats' names, labels and suffixes: the one list the CLI's choices come from.

Kept apart from :mod:`.formats` so that `coprod --help` offers the names without loading
OpenTimelineIO.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EditFormat(StrEnum):
    """An edit file format, by the name ``export-edit --format`` takes."""

    OTIO = "otio"
    FCP_XML = "fcp-xml"
    FCPX = "fcpx"
    EDL = "edl"
    KDENLIVE = "kdenlive"


@dataclass(frozen=True)
class FormatInfo:
    """What a format is called for a person and the suffix its files take."""

    label: str
    suffix: str


FORMATS = {
    EditFormat.OTIO: FormatInfo("OpenTimelineIO", ".otio"),
    EditFormat.FCP_XML: FormatInfo("Final Cut Pro 7 XML", ".xml"),
    EditFormat.FCPX: FormatInfo("FCPXML", ".fcpxml"),
    EditFormat.EDL: FormatInfo("CMX 3600 EDL", ".edl"),
    EditFormat.KDENLIVE: FormatInfo("Kdenlive project", ".kdenlive"),
}

__all__ = ["FORMATS", "EditFormat", "FormatInfo"]
