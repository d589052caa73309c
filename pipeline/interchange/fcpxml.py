"""Final Cut Pro's FCPXML, read and written here with exact rational times.

otio-fcpx-xml-adapter 1.0.0 was measured and not used: it writes ``frameDuration=""`` at 29.97
fps (a file it cannot read back) and reads every time as ``int(seconds * int(fps))``, so a 29.97
timeline comes back at 29 fps with frames truncated. FCPXML times are rational seconds
("1001/30000s"), so this module keeps them as Fractions from the file to OTIO frames.

Read: the first project's sequence (or the first sequence anywhere); its spine's asset-clips,
clips, gaps, titles and transitions, with offsets counted from the sequence's ``tcStart``.
Auditions, compound, sync and multicam clips are flattened by :mod:`.fcpxml_nest` (a warning
each, kept in the timeline's metadata under ``READ_WARNINGS``); a ``timeMap`` gives the source
in point, and a speed change (a map that is not 1:1, or ``conform-rate`` with scaling on) is
recorded as a LinearTimeWarp for the importer to warn about, as are ``filter-*``/``adjust-*``
effects. Clips connected on other lanes become extra tracks. A transition that overlaps its
neighbours (FCP extends both by half) is cut at its middle.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse
from xml.etree import ElementTree as ET  # building only: editors' files are read by defusedxml

import opentimelineio as otio
from defusedxml.ElementTree import fromstring as parse_xml

from pipeline.interchange.fcpxml_nest import NESTED, flatten, remapped
from pipeline.interchange.timebase import NTSC_RATES, rate_label, snap_rate, timecode

RT = otio.opentime.RationalTime
TR = otio.opentime.TimeRange
VERSION = "1.9"
# timeline.metadata key: what a reader read leniently or flattened, one warning a line.
READ_WARNINGS = "coprod_read_warnings"
_EFFECT_TAGS = ("filter-video", "filter-audio", "adjust-transform", "adjust-crop",
                "adjust-blend", "adjust-volume", "adjust-panner", "adjust-stabilization")
_CLIP_TAGS = ("asset-clip", "clip", "ref-clip", "mc-clip", "sync-clip", "title", "video",
              "audio")


# --- times -----------------------------------------------------------------------------------


def parse_time(text: str | None) -> Fraction:
    """FCPXML time ("1001/30000s", "5s", "0s") as seconds."""
    if not text:
        return Fraction(0)
    value = text.strip().removesuffix("s")
    if "/" in value:
        num, den = value.split("/", 1)
        return Fraction(int(num), int(den))
    return Fraction(value)


def format_time(seconds: Fraction) -> str:
    """Seconds as FCPXML time."""
    if seconds.denominator == 1:
        return f"{seconds.numerator}s"
    return f"{seconds.numerator}/{seconds.denominator}s"


def _frames(seconds: Fraction, rate: Fraction) -> int:
    return round(seconds * rate)


def _seconds(time: Any, rate: Fraction) -> Fraction:
    """An OTIO time as exact seconds: whole frames of ``rate`` (never float seconds)."""
    return Fraction(round(time.rescaled_to(float(rate)).value)) / rate


# --- reading ---------------------------------------------------------------------------------


def read_fcpxml(text: str) -> Any:
    """An OTIO Timeline from FCPXML text (ValueError or ParseError when it is not FCPXML)."""
    root = parse_xml(text)
    if root.tag != "fcpxml":
        raise ValueError(f"the root element is <{root.tag}>, not <fcpxml>")
    resources = {el.get("id"): el for el in root.iter() if el.get("id")}
    project = root.find(".//project")
    sequence = (project if project is not None else root).find(".//sequence")
    if sequence is None:
        raise ValueError("it holds no project with a sequence")
    fmt = resources.get(sequence.get("format", ""))
    duration = fmt.get("frameDuration") if fmt is not None else None
    if not duration:
        raise ValueError("the sequence's format has no frameDuration (frame rate)")
    rate = snap_rate(1 / parse_time(duration))
    name = project.get("name", "") if project is not None else ""
    timeline = otio.schema.Timeline(name=name)
    tc_start = parse_time(sequence.get("tcStart"))
    timeline.global_start_time = RT(_frames(tc_start, rate), float(rate))
    spine = sequence.find("spine")
    tracks: dict[int, list[tuple[Fraction, Any]]] = {0: []}
    warnings: list[str] = []

    def where(offset: Fraction) -> str:
        return timecode(_frames(offset, rate), rate)

    reader = _Reader(rate, resources, tracks, warnings, where)
    # Spine offsets count from the sequence's start timecode (3600s for 01:00:00:00).
    for element in list(spine) if spine is not None else []:
        for item in flatten(element, resources, parse_time, where, warnings):
            reader.item(item, tc_start, Fraction(0))
    for lane in sorted(tracks, key=lambda n: (n < 0, abs(n))):
        kind = otio.schema.TrackKind.Audio if lane < 0 else otio.schema.TrackKind.Video
        track = otio.schema.Track(name=f"lane {lane}" if lane else "spine", kind=kind)
        _fill_track(track, tracks[lane], rate)
        if lane == 0 or len(track):
            timeline.tracks.append(track)
    if warnings:
        timeline.metadata[READ_WARNINGS] = warnings
    return timeline


class _Reader:
    """Places spine elements (and their connected clips, on their lanes) in ``tracks``."""

    def __init__(self, rate: Fraction, resources: dict[Any, ET.Element],
                 tracks: dict[int, list[tuple[Fraction, Any]]], warnings: list[str],
                 where: Any) -> None:
        self.rate = rate
        self.resources = resources
        self.tracks = tracks
        self.warnings = warnings
        self.where = where

    def item(self, element: ET.Element, parent_start: Fraction,
             parent_offset: Fraction) -> None:
        """Append one spine element (and its connected clips) to its lane."""
        rate, tracks = self.rate, self.tracks
        offset = parse_time(element.get("offset"))
        lane = int(element.get("lane", "0"))
        position = parent_offset + offset - parent_start
        duration = parse_time(element.get("duration"))
        frames = RT(_frames(duration, rate), float(rate))
        tag = element.tag
        if tag == "gap":
            item: Any = otio.schema.Gap(duration=frames)
            item.name = element.get("name", "")
        elif tag == "transition":
            item = otio.schema.Transition(name=element.get("name", "transition"),
                                          in_offset=RT(0, float(rate)), out_offset=frames)
            item.metadata["fcpxml"] = {"offset": str(position), "duration": str(duration)}
        elif tag in _CLIP_TAGS:
            item = _clip(element, rate, self.resources)
        else:
            return
        tracks.setdefault(lane, []).append((position, item))
        if tag not in _CLIP_TAGS and tag != "gap":
            return
        start = parse_time(element.get("start"))
        for child in element:
            if child.get("lane") is not None and child.tag in (*_CLIP_TAGS, *NESTED, "gap"):
                for flat in flatten(child, self.resources, parse_time, self.where,
                                    self.warnings):
                    self.item(flat, start, position)
            elif child.tag == "spine":  # a secondary storyline: a lane of its own
                inner_lane = int(child.get("lane", "1"))
                inner_pos = position + parse_time(child.get("offset")) - start
                for sub in child:
                    for flat in flatten(sub, self.resources, parse_time, self.where,
                                        self.warnings):
                        flat.set("lane", str(inner_lane))
                        self.item(flat, Fraction(0), inner_pos)


def _clip(element: ET.Element, rate: Fraction, resources: dict[Any, ET.Element]) -> Any:
    start = parse_time(element.get("start"))
    duration = parse_time(element.get("duration"))
    remap = remapped(element, start, duration, parse_time)
    if remap is not None:
        start = remap[0]  # the source time the retimed clip starts at
    ref_id = element.get("ref")
    if ref_id is None:
        inner = next((c for c in element if c.tag in ("video", "audio") and c.get("ref")), None)
        ref_id = inner.get("ref") if inner is not None else None
    asset = resources.get(ref_id) if ref_id else None
    reference: Any = otio.schema.MissingReference()
    if asset is not None and asset.tag == "asset":
        rep = asset.find("media-rep")
        src = asset.get("src") or (rep.get("src") if rep is not None else None)
        if src:
            reference = otio.schema.ExternalReference(target_url=src)
            reference.available_range = TR(
                RT(_frames(parse_time(asset.get("start")), rate), float(rate)),
                RT(_frames(parse_time(asset.get("duration")), rate), float(rate)))
    elif asset is not None and asset.tag == "effect" or element.tag == "title":
        reference = otio.schema.GeneratorReference(
            generator_kind=element.tag, name=element.get("name", ""))
    clip = otio.schema.Clip(name=element.get("name", ""), media_reference=reference,
                            source_range=TR(RT(_frames(start, rate), float(rate)),
                                            RT(_frames(duration, rate), float(rate))))
    if element.tag in ("ref-clip", "mc-clip", "sync-clip"):
        clip.metadata["fcpxml"] = {"kind": element.tag}
    if remap is not None and remap[1] != 1:
        clip.effects.append(otio.schema.LinearTimeWarp(name="timeMap",
                                                       time_scalar=float(remap[1])))
    for child in element:
        if child.tag == "conform-rate" and child.get("scaleEnabled") != "0":
            clip.effects.append(otio.schema.LinearTimeWarp(name=child.tag))
        elif child.tag in _EFFECT_TAGS:
            clip.effects.append(otio.schema.Effect(name=child.get("name", child.tag),
                                                   effect_name=child.tag))
        elif child.tag == "marker":
            clip.markers.append(otio.schema.Marker(
                name=child.get("value", ""),
                marked_range=TR(RT(_frames(parse_time(child.get("start")), rate), float(rate)),
                                RT(_frames(parse_time(child.get("duration")), rate),
                                   float(rate)))))
    return clip


def _fill_track(track: Any, placed: list[tuple[Fraction, Any]], rate: Fraction) -> None:
    """Items at their offsets: a transition that overlaps both neighbours cuts at its middle."""
    frame_of = {id(item): _frames(pos, rate) for pos, item in placed}
    items = [item for _, item in placed]
    for i, item in enumerate(items):
        if not isinstance(item, otio.schema.Transition) or not 0 < i < len(items) - 1:
            continue
        before, after = items[i - 1], items[i + 1]
        start = frame_of[id(item)]
        length = round(item.out_offset.value)
        middle = start + length // 2
        before_end = frame_of[id(before)] + round(before.duration().value)
        if isinstance(before, otio.schema.Clip) and before_end > middle:
            cut = before_end - middle
            sr = before.source_range
            before.source_range = TR(sr.start_time, RT(sr.duration.value - cut, float(rate)))
        if isinstance(after, otio.schema.Clip) and frame_of[id(after)] < middle:
            cut = middle - frame_of[id(after)]
            sr = after.source_range
            after.source_range = TR(RT(sr.start_time.value + cut, float(rate)),
                                    RT(sr.duration.value - cut, float(rate)))
            frame_of[id(after)] = middle
        item.in_offset = RT(middle - start, float(rate))
        item.out_offset = RT(start + length - middle, float(rate))
    cursor = 0
    for item in items:
        if isinstance(item, otio.schema.Transition):
            track.append(item)
            continue
        at = frame_of[id(item)]
        if at > cursor:
            track.append(otio.schema.Gap(duration=RT(at - cursor, float(rate))))
        track.append(item)
        cursor = max(cursor, at) + round(item.duration().value)


# --- writing ---------------------------------------------------------------------------------


def _url(target: str) -> str:
    if "://" in target:
        return target
    return "file://" + quote(os.path.abspath(target)) if os.path.isabs(target) \
        else quote(target)


def write_fcpxml(timeline: Any, rate: Fraction, size: tuple[int, int] = (1920, 1080)) -> str:
    """FCPXML 1.9 text for the first video track of ``timeline`` (clips, gaps, markers, notes).

    A clip's ``metadata["fcpxml"]["note"]`` becomes its note and each of its
    ``["keywords"]`` a keyword over the whole clip, so Final Cut shows them in the browser.
    """
    root = ET.Element("fcpxml", version=VERSION)
    resources = ET.SubElement(root, "resources")
    frame = Fraction(1) / rate
    ET.SubElement(resources, "format", id="r1", frameDuration=format_time(frame),
                  width=str(size[0]), height=str(size[1]),
                  name=f"FFVideoFormat{size[1]}p{rate_label(rate).replace('.', '')}")
    library = ET.SubElement(root, "library")
    event = ET.SubElement(library, "event", name="coprod")
    project = ET.SubElement(event, "project", name=timeline.name or "coprod film")
    tc_format = "DF" if rate in NTSC_RATES else "NDF"
    track = timeline.video_tracks()[0]
    tc_start = _seconds(timeline.global_start_time, rate) \
        if timeline.global_start_time is not None else Fraction(0)
    sequence = ET.SubElement(project, "sequence", format="r1", tcStart=format_time(tc_start),
                             tcFormat=tc_format, audioLayout="stereo", audioRate="48k",
                             duration=format_time(_seconds(track.duration(), rate)))
    spine = ET.SubElement(sequence, "spine")
    assets: dict[str, str] = {}
    offset = tc_start  # spine offsets are on the sequence's clock
    for item in track:
        length = _seconds(item.duration(), rate)
        if isinstance(item, otio.schema.Clip):
            ref = item.media_reference
            url = _url(ref.target_url)
            if url not in assets:
                assets[url] = f"r{len(assets) + 2}"
                available = ref.available_range
                asset = ET.SubElement(
                    resources, "asset", id=assets[url], name=item.name,
                    start=format_time(_seconds(available.start_time, rate)),
                    duration=format_time(_seconds(available.duration, rate)),
                    hasVideo="1", hasAudio="1", format="r1", audioSources="1",
                    audioChannels="2", audioRate="48000")
                ET.SubElement(asset, "media-rep", kind="original-media", src=url)
            start = _seconds(item.source_range.start_time, rate)
            element = ET.SubElement(spine, "asset-clip", ref=assets[url], name=item.name,
                                    offset=format_time(offset), start=format_time(start),
                                    duration=format_time(length), format="r1",
                                    tcFormat=tc_format)
            extra = item.metadata.get("fcpxml", {})
            if extra.get("note"):
                ET.SubElement(element, "note").text = str(extra["note"])
            for marker in item.markers:
                mark = marker.marked_range
                ET.SubElement(element, "marker", start=format_time(_seconds(mark.start_time, rate)),
                              duration=format_time(_seconds(mark.duration, rate) or frame),
                              value=marker.name)
            for word in extra.get("keywords", []):
                ET.SubElement(element, "keyword", start=format_time(start),
                              duration=format_time(length), value=str(word))
        else:
            ET.SubElement(spine, "gap", name=item.name or "Gap", offset=format_time(offset),
                          start="0s", duration=format_time(length))
        offset += length
    ET.indent(root, "    ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n\n{body}\n'


def media_path(url: str) -> Path | None:
    """A local path from an FCPXML/OTIO media URL or path, when it names one."""
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme in ("", "file"):
        return Path(unquote(parsed.path if parsed.scheme else url))
    return None


__all__ = ["READ_WARNINGS", "format_time", "media_path", "parse_time", "read_fcpxml",
           "write_fcpxml"]
