"""A Kdenlive project (MLT XML) written here; Kdenlive files are read by otio-kdenlive-adapter.

otio-kdenlive-adapter 0.0.3 reads Kdenlive's layouts (the ``global_feed`` tractor, and the
sequences of Kdenlive 23.04+) but its writer was measured and not used: its background track
has no length, so MLT plays the project for 15000 frames (melt renders 10 minutes for a
20-second film), its one video track hides the clips' sound, and clip markers and notes are
dropped. This writer makes what Kdenlive itself saves, in whole frames: a bin of producers
(each with ``kdenlive:markers`` for the caption cues and ``kdenlive:description`` for the
clip's consent and sign-off), an audio track and a video track (the same clips, sound and
picture), and a black background exactly as long as the film, so ``melt`` renders it to the
film's length; the timeline is a sequence (document version 1.1, Kdenlive 23.04 and later).
"""

from __future__ import annotations

import json
import uuid as uuid_module
from fractions import Fraction
from typing import Any
from xml.etree import ElementTree as ET

import opentimelineio as otio

from pipeline.interchange.fcpxml import media_path

DOC_VERSION = "1.1"  # what Kdenlive 23.04 to 25.x save: timelines as sequences


def _prop(parent: ET.Element, name: str, value: str) -> None:
    ET.SubElement(parent, "property", name=name).text = value


def _frames(time: Any, rate: Fraction) -> int:
    return int(round(time.rescaled_to(float(rate)).value))


def _media_start(item: Any, rate: Fraction) -> int:
    """The frame the clip's media starts at in the source times (its camera timecode)."""
    available = item.media_reference.available_range
    return _frames(available.start_time, rate) if available is not None else 0


def write_kdenlive(timeline: Any, rate: Fraction, size: tuple[int, int] = (1920, 1080)) -> str:
    """Kdenlive/MLT XML for the first video track of ``timeline`` (clips and gaps).

    A clip's ``metadata["kdenlive"]["description"]`` becomes its bin description.
    """
    track = timeline.video_tracks()[0]
    total = _frames(track.duration(), rate)
    mlt = ET.Element("mlt", LC_NUMERIC="C", version="7.12.0", title=timeline.name or "coprod",
                     producer="main_bin")
    ET.SubElement(mlt, "profile", description=f"coprod {size[1]}p", width=str(size[0]),
                  height=str(size[1]), progressive="1", sample_aspect_num="1",
                  sample_aspect_den="1", display_aspect_num=str(size[0]),
                  display_aspect_den=str(size[1]), frame_rate_num=str(rate.numerator),
                  frame_rate_den=str(rate.denominator), colorspace="709")
    producers: dict[str, tuple[str, str]] = {}
    bin_entries: list[tuple[str, str, int]] = []
    for item in track:
        if not isinstance(item, otio.schema.Clip):
            continue
        url = item.media_reference.target_url
        if url in producers:
            continue
        kid = str(len(producers) + 2)  # Kdenlive's own ids start at 2 (1 is the bin root)
        pid = f"producer{len(producers)}"
        producers[url] = (pid, kid)
        length = _frames(item.media_reference.available_range.duration, rate)
        bin_entries.append((pid, kid, length))
        producer = ET.SubElement(mlt, "producer", {"id": pid, "in": "0", "out": str(length - 1)})
        path = media_path(url)
        _prop(producer, "length", str(length))
        _prop(producer, "eof", "pause")
        _prop(producer, "resource", str(path) if path is not None else url)
        _prop(producer, "mlt_service", "avformat-novalidate")
        _prop(producer, "seekable", "1")
        _prop(producer, "kdenlive:clipname", item.name)
        _prop(producer, "kdenlive:id", kid)
        _prop(producer, "kdenlive:clip_type", "0")
        _prop(producer, "kdenlive:description",
              str(item.metadata.get("kdenlive", {}).get("description", "")))
        zero = _media_start(item, rate)
        _prop(producer, "kdenlive:markers", json.dumps([
            {"pos": _frames(m.marked_range.start_time, rate) - zero, "comment": m.name,
             "type": 0} for m in item.markers], ensure_ascii=False))
    last = str(max(total - 1, 0))
    black = ET.SubElement(mlt, "producer", {"id": "black_track", "in": "0", "out": last})
    _prop(black, "length", str(total))
    _prop(black, "eof", "continue")
    _prop(black, "resource", "black")
    _prop(black, "aspect_ratio", "1")
    _prop(black, "mlt_service", "color")
    _prop(black, "set.test_audio", "0")
    tractors = []
    for index, (name, audio) in enumerate((("A1", True), ("V1", False))):
        playlist = ET.SubElement(mlt, "playlist", id=f"playlist{2 * index}")
        if audio:
            _prop(playlist, "kdenlive:audio_track", "1")
        for item in track:
            length = _frames(item.duration(), rate)
            if isinstance(item, otio.schema.Clip):
                pid, kid = producers[item.media_reference.target_url]
                # Kdenlive counts frames from the file's start, not in camera timecode.
                first = _frames(item.source_range.start_time, rate) - _media_start(item, rate)
                entry = ET.SubElement(playlist, "entry", {
                    "producer": pid, "in": str(first), "out": str(first + length - 1)})
                _prop(entry, "kdenlive:id", kid)
            elif length > 0:
                ET.SubElement(playlist, "blank", length=str(length))
        spare = ET.SubElement(mlt, "playlist", id=f"playlist{2 * index + 1}")
        if audio:
            _prop(spare, "kdenlive:audio_track", "1")
        tractor = ET.SubElement(mlt, "tractor", {"id": f"tractor{index}", "in": "0",
                                                 "out": last})
        _prop(tractor, "kdenlive:track_name", name)
        if audio:
            _prop(tractor, "kdenlive:audio_track", "1")
        hide = "video" if audio else "audio"
        ET.SubElement(tractor, "track", producer=f"playlist{2 * index}", hide=hide)
        ET.SubElement(tractor, "track", producer=f"playlist{2 * index + 1}", hide=hide)
        tractors.append(tractor.get("id", ""))
    # Kdenlive 23.04+ (document 1.1): the timeline is a sequence, a tractor named by a uuid
    # that is also a bin clip, opened through a project tractor that wraps it.
    uuid = "{" + str(uuid_module.uuid5(uuid_module.NAMESPACE_URL,
                                       f"coprod:{timeline.name}:{total}")) + "}"
    sequence_id = str(len(producers) + 2)
    main = ET.SubElement(mlt, "tractor", {"id": uuid, "in": "0", "out": last})
    for name, value in (("kdenlive:uuid", uuid), ("kdenlive:clipname", timeline.name or
                                                  "coprod"),
                        ("kdenlive:id", sequence_id), ("kdenlive:producer_type", "17"),
                        ("kdenlive:duration", last),
                        ("kdenlive:sequenceproperties.documentuuid", uuid),
                        ("kdenlive:sequenceproperties.hasAudio", "1"),
                        ("kdenlive:sequenceproperties.hasVideo", "1"),
                        ("kdenlive:sequenceproperties.tracksCount", str(len(tractors)))):
        _prop(main, name, value)
    ET.SubElement(main, "track", producer="black_track")
    for tid in tractors:
        ET.SubElement(main, "track", producer=tid)
    # Sound of every track summed onto the background, as Kdenlive's internal mix does.
    for b_track in range(1, len(tractors) + 1):
        mix = ET.SubElement(main, "transition", id=f"transition{b_track}")
        _prop(mix, "a_track", "0")
        _prop(mix, "b_track", str(b_track))
        _prop(mix, "mlt_service", "mix")
        _prop(mix, "kdenlive_id", "mix")
        _prop(mix, "internal_added", "237")
        _prop(mix, "always_active", "1")
        _prop(mix, "accepts_blanks", "1")
        _prop(mix, "sum", "1")
    main_bin = ET.SubElement(mlt, "playlist", id="main_bin")
    for name, value in (("kdenlive:docproperties.version", DOC_VERSION),
                        ("kdenlive:docproperties.uuid", uuid),
                        ("kdenlive:docproperties.opensequences", uuid),
                        ("kdenlive:docproperties.activetimeline", uuid),
                        ("kdenlive:docproperties.decimalPoint", "."),
                        ("kdenlive:docproperties.guides", "[]"), ("xml_retain", "1")):
        _prop(main_bin, name, value)
    for pid, kid, length in [*bin_entries, (uuid, sequence_id, total)]:
        entry = ET.SubElement(main_bin, "entry",
                              {"producer": pid, "in": "0", "out": str(length - 1)})
        _prop(entry, "kdenlive:id", kid)
    project = ET.SubElement(mlt, "tractor", {"id": f"tractor{len(tractors)}", "in": "0",
                                             "out": last})
    _prop(project, "kdenlive:projectTractor", "1")
    ET.SubElement(project, "track", {"producer": uuid, "in": "0", "out": last})
    ET.indent(mlt, " ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(mlt, encoding="unicode") + "\n"


__all__ = ["write_kdenlive"]
