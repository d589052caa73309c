"""The camera files each edit in ../shared/corpus/edits was cut from, as fixture specs.

Names, frame rates, lengths and start timecodes are read off each file by hand (the XML and
FCPXML media, the Hiero reference) or, for the EDLs' hundreds of sources, by a plain scan of
their event lines and ``* SOURCE FILE:`` comments that shares nothing with the importer: each
source starts 10 s before its earliest source in and runs 10 s past its latest out.
"""

from __future__ import annotations

import re
from fractions import Fraction

from pipeline.ingest import clip_id_for
from pipeline.interchange.timebase import drop_frame_timecode, frames_of_timecode, timecode
from tests.interchange.camera import CameraFile

_EVENT = re.compile(r"^\d{3,}\s+(\S+)\s+\S+\s+\S+\s+(?:\d+\s+)?(\S{11})\s+(\S{11})\s+(\S{11})\s+"
                    r"(\S{11})\s*$")
RATES = {"24000/1001": Fraction(24000, 1001), "30000/1001": Fraction(30000, 1001)}


def _camera(name: str, **fields: object) -> CameraFile:
    from pathlib import PurePath

    return CameraFile(clip_id_for(PurePath(name)), name, **fields)  # type: ignore[arg-type]


def edl_media(text: str, rate: str) -> list[CameraFile]:
    """One camera file per ``* SOURCE FILE:`` of an EDL, covering every event that uses it.

    Each starts 10 s before its earliest source in and runs 10 s past its latest out, or past
    in + record length where a speed change plays more source than the event's in/out say.
    """
    fps = RATES[rate]
    drop = "FCM: DROP FRAME" in text
    nominal = round(fps)
    spans: dict[str, tuple[str, int, int]] = {}
    event: tuple[str, int, int, int] | None = None

    def frames(tc: str) -> int:
        return frames_of_timecode(tc[:8] + (";" if drop else ":") + tc[9:], fps)

    for line in text.splitlines():
        match = _EVENT.match(line.strip())
        if match:
            reel, first, last, rec_in, rec_out = match.groups()
            start = frames(first)
            event = (reel, start, frames(last), frames(rec_out) - frames(rec_in))
            continue
        if event is not None and line.strip().upper().startswith("* SOURCE FILE:"):
            source = line.split(":", 1)[1].strip()
            reel, start, end, record = event
            end = max(end, start + record)
            known = spans.get(source)
            spans[source] = (reel, min(start, known[1]) if known else start,
                             max(end, known[2]) if known else end)
            event = None
    files = []
    for source, (reel, start, end) in spans.items():
        name = source if "." in source[-5:] else f"{source}.mov"
        first = start - 10 * nominal
        tc = drop_frame_timecode(first, fps) if drop else timecode(first, fps)
        files.append(_camera(name, rate=rate,
                             seconds=float(round((end + 10 * nominal - first) / fps, 3)),
                             timecode=tc, reel=reel))
    return files


# Read off the files: media name, rate, length (the asset's or file's duration) and timecode.
MEDIA: dict[str, list[CameraFile]] = {
    "fcp7-markp-2997df-dissolves.xml": [
        _camera("marc_phillipson_032310.mov", rate="30000/1001",
                seconds=float(round(44275 * Fraction(1001, 30000), 3)),
                timecode="00:37:23;21", reel="XH A1")],
    "resolve-timeline1-60p.xml": [
        _camera("2021-04-17_15-01-18.mp4", rate="60", seconds=float(round(Fraction(714415, 60),
                                                                               3)),
                timecode="00:00:00:00")],
    "fcpx-multicam-2398.fcpxml": [
        _camera("Cam 2.mp4", rate="24000/1001", seconds=float(round(Fraction(5766761, 24000), 3))),
        _camera("Cam 4.mp4", rate="24000/1001", seconds=float(round(Fraction(5790785, 24000), 3)))],
    "fcpx-25i-timemap-refclip.fcpxml": [
        _camera("Test Video (29.97 fps).mp4", rate="30000/1001", seconds=101.869)],
    "hiero-openpype-sq001-2398.otio": [
        _camera("sq001.mov", rate="24000/1001", seconds=float(round(216 * Fraction(1001, 24000),
                                                                   3)),
                timecode="01:00:00:00")],
}
