"""The picture as cameras and phones record it: interlaced fields and HDR transfer curves.

At ingest :func:`inspect` reads what a clip's video stream is (its field order as flagged, and
ffmpeg's ``idet`` on a sample of frames for footage flagged progressive that is not; its colour
tags), and the probe record keeps it. :func:`fix_for` turns that into a :class:`PictureFix`,
and :func:`correct` adds the filters the render and the review proxy put first in their graphs:
``bwdif`` (one frame per frame, the field order found) and, for HLG or PQ footage, ``zscale`` to
linear light, ``tonemap`` and ``zscale`` to BT.709 TV range, so levels and colours look as the
phone showed them on an ordinary screen.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from pipeline import runner
from pipeline.exceptions import MediaToolError

# ffprobe's field_order -> the field shown first. tb/bt are coded in one order and shown in the
# other; bwdif wants the order they are shown (their order in time).
_FLAGGED = {"tt": "tff", "bb": "bff", "tb": "bff", "bt": "tff"}
# Frames idet reads, from a quarter of the way in (past a camera's first static second).
IDET_FRAMES = 100
IDET_SKIP_MAX_S = 30.0
# Interlaced by idet when at least this many frames, two in three decided frames, are, and
# nine in ten of those agree on the field order (sharp one-pixel lines in progressive pictures
# fool idet now and then, but into either order at random).
IDET_MIN_FRAMES = 10
_IDET_RE = re.compile(r"Multi frame detection:\s*TFF:\s*(\d+)\s*BFF:\s*(\d+)\s*"
                      r"Progressive:\s*(\d+)\s*Undetermined:\s*(\d+)")

# Transfer curves ffprobe names for HDR: PQ (SMPTE ST 2084) and HLG (ARIB STD-B67).
HDR_TRANSFERS = {"smpte2084": "pq", "arib-std-b67": "hlg"}
# BT.2408: HDR reference (diffuse) white is 203 cd/m2 for PQ and HLG alike, so linear 1.0 is
# the SDR white; highlights up to a phone's usual 1000 cd/m2 are rolled off above it.
REFERENCE_WHITE_NITS = 203
PEAK_NITS = 1000
# mobius keeps everything below this linear level exactly (mid-grey, skin, SDR colours) and
# compresses only the highlights above it; measured: hable darkened mid-grey by a third.
TONEMAP = "mobius"
TONEMAP_KNEE = 0.8
# zscale names for what ffprobe reports; anything else is taken as BT.2020 (what HDR uses).
_ZSCALE_PRIMARIES = {"bt2020", "bt709"}
_ZSCALE_MATRIX = {"bt2020nc", "bt2020c", "bt709"}


@dataclass(frozen=True)
class PictureFacts:
    """What the probe record keeps about a clip's picture."""

    field_order: str | None = None  # as flagged: progressive, tt, bb, tb, bt, unknown
    interlaced: str | None = None  # "tff" or "bff" when the picture is interlaced
    interlace_found_by: str | None = None  # "flag", or "idet" when flagged otherwise
    color_transfer: str | None = None
    color_primaries: str | None = None
    color_space: str | None = None
    color_range: str | None = None
    pix_fmt: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The fields as MediaInfo records them."""
        return asdict(self)


@dataclass(frozen=True)
class PictureFix:
    """What the render and the proxy do to a clip's picture before scaling it."""

    deinterlace: str | None = None  # field shown first: "tff" or "bff"
    transfer: str | None = None  # an HDR transfer to tone-map from
    primaries: str = "bt2020"
    matrix: str = "bt2020nc"
    full_range: bool = False

    def key(self) -> dict[str, Any]:
        """What goes into a segment's cache key."""
        return {"fix": asdict(self), "knee": TONEMAP_KNEE, "white": REFERENCE_WHITE_NITS,
                "peak": PEAK_NITS, "tonemap": TONEMAP}


def idet_counts(input_name: str, duration_ms: int) -> tuple[int, int, int, int]:
    """idet's multi-frame counts (TFF, BFF, progressive, undetermined) on a sample of frames."""
    skip = min(duration_ms / 4000, IDET_SKIP_MAX_S)
    proc = runner.run(["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info",
                       "-ss", f"{skip:.3f}", "-i", input_name, "-map", "0:v:0", "-an", "-sn",
                       "-frames:v", str(IDET_FRAMES), "-vf", "idet", "-f", "null", "-"])
    found = _IDET_RE.findall(proc.stderr.decode("utf-8", "replace"))
    if not found:
        return (0, 0, 0, 0)
    tff, bff, prog, und = (int(n) for n in found[-1])
    return tff, bff, prog, und


def interlace_from_counts(tff: int, bff: int, prog: int) -> str | None:
    """"tff"/"bff" when idet's counts say the picture is interlaced, else None."""
    fields = tff + bff
    if fields < IDET_MIN_FRAMES or fields * 3 < (fields + prog) * 2:
        return None
    if max(tff, bff) * 10 < fields * 9:
        return None
    return "tff" if tff >= bff else "bff"


def inspect(input_name: str, stream: dict[str, Any], duration_ms: int) -> PictureFacts:
    """The picture facts of ffprobe's video ``stream`` of ``input_name`` (idet when needed)."""
    order = stream.get("field_order")
    interlaced = _FLAGGED.get(str(order))
    found_by = "flag" if interlaced else None
    if interlaced is None:
        try:
            tff, bff, prog, _ = idet_counts(input_name, duration_ms)
        except MediaToolError:
            # A picture ffmpeg cannot decode past the header is reported by the stages that
            # need it; it is not called interlaced on no evidence.
            tff = bff = prog = 0
        interlaced = interlace_from_counts(tff, bff, prog)
        found_by = "idet" if interlaced else None
    return PictureFacts(
        field_order=str(order) if order else None, interlaced=interlaced,
        interlace_found_by=found_by, color_transfer=stream.get("color_transfer"),
        color_primaries=stream.get("color_primaries"), color_space=stream.get("color_space"),
        color_range=stream.get("color_range"), pix_fmt=stream.get("pix_fmt"))


def hdr_kind(transfer: str | None) -> str | None:
    """"pq" or "hlg" for an HDR transfer curve, else None."""
    return HDR_TRANSFERS.get(transfer or "")


def fix_for(interlaced: str | None, transfer: str | None, primaries: str | None = None,
            matrix: str | None = None, color_range: str | None = None) -> PictureFix | None:
    """What a picture with these facts needs, or None for progressive SDR (left untouched)."""
    hdr = transfer if hdr_kind(transfer) else None
    if interlaced is None and hdr is None:
        return None
    return PictureFix(
        deinterlace=interlaced, transfer=hdr,
        primaries=primaries if primaries in _ZSCALE_PRIMARIES else "bt2020",
        matrix=matrix if matrix in _ZSCALE_MATRIX else "bt2020nc",
        full_range=color_range == "pc")


def describe(fix: PictureFix | None, found_by: str | None = None) -> list[str]:
    """What is done to the picture, in a producer's words (ingest prints it)."""
    if fix is None:
        return []
    said = []
    if fix.deinterlace is not None:
        order = "top" if fix.deinterlace == "tff" else "bottom"
        how = "flagged" if found_by == "flag" else "found by idet; flagged progressive"
        said.append(f"interlaced ({order} field first, {how}): deinterlaced in the review "
                    "proxy and the render")
    if fix.transfer is not None:
        said.append(f"HDR ({HDR_TRANSFERS[fix.transfer].upper()}): tone-mapped to BT.709 SDR "
                    "in the review proxy and the render")
    return said


def correct(video: Any, fix: PictureFix | None) -> Any:
    """``video`` (an ffmpeg-python stream) deinterlaced and tone-mapped as ``fix`` says."""
    if fix is None:
        return video
    if fix.deinterlace is not None:
        # send_frame: one picture per frame, so the clip keeps its frame rate and length.
        video = video.filter("bwdif", mode="send_frame", parity=fix.deinterlace, deint="all")
    if fix.transfer is not None:
        video = (video
                 .filter("zscale", tin=fix.transfer, pin=fix.primaries, min=fix.matrix,
                         rin="full" if fix.full_range else "limited", t="linear",
                         npl=REFERENCE_WHITE_NITS)
                 .filter("format", "gbrpf32le")
                 .filter("zscale", p="bt709")
                 .filter("tonemap", TONEMAP, param=TONEMAP_KNEE, desat=0,
                         peak=f"{PEAK_NITS / REFERENCE_WHITE_NITS:.4f}")
                 .filter("zscale", t="bt709", m="bt709", r="limited")
                 .filter("format", "yuv420p"))
    return video


__all__ = [
    "HDR_TRANSFERS",
    "PictureFacts",
    "PictureFix",
    "correct",
    "describe",
    "fix_for",
    "hdr_kind",
    "idet_counts",
    "inspect",
    "interlace_from_counts",
]
