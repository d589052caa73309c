"""Camera-like picture fixtures (issue 22, items 3, 4 and 8): interlaced, HDR, rotated VFR HEVC.

Each clip is a few seconds made with lavfi and encoded the way cameras and phones write it; a
film is made from one clip through the real ingest (probe record, proxy) and rendered.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from captions.formats import save as save_captions
from captions.model import Cue
from consent.ledger import Ledger
from consent.records import ConsentGiven
from pipeline import runner
from pipeline.ingest import ingest
from pipeline.project import Project
from pipeline.render import render_film
from pipeline.render_profiles import RenderProfile
from tests.pipeline.conftest import TODAY, record_signoffs

# A tone whose level swells (the render's loudness check needs real loudness range).
TONE = "aevalsrc=0.1*sin(2*PI*440*t)*(1.2+sin(2*PI*0.5*t)):s=48000:d={seconds}"
# The SDR pattern the HDR fixtures are made from: mid-grey left, white top right, a red (a
# skin-like saturated colour) bottom right. Values are 8-bit RGB as the SDR clip decodes them.
PATCHES = {"grey": (80, 90), "white": (240, 45), "red": (240, 135)}
PATTERN_SIZE = (320, 180)
# A zooming Mandelbrot set at 50 pictures a second: natural detail that moves (testsrc2's
# one-pixel lines fool idet into seeing fields in progressive frames).
MOVING = "mandelbrot=s=640x360:r=50,trim=duration={seconds}"


def _ffmpeg(*args: str) -> None:
    runner.ffmpeg(list(args))


def interlaced_clip(out: Path, *, flagged: bool, seconds: float = 3.0,
                    top_first: bool = True) -> Path:
    """640x360 moving pictures shot at 50 fields a second, woven into 25 frames, top field
    first (1080i25 cameras) or bottom field first (DV).

    ``flagged``: encoded as interlaced (ffprobe says field_order tt or bb); else marked
    progressive (what a careless transcode or some cameras write), so only idet can find it.
    """
    if out.exists():
        return out
    order = "tff" if top_first else "bff"
    field = order if flagged else "prog"
    x264 = ["-x264-params", f"interlaced=1:{order}=1"] if flagged else []
    weave = "interleave_top" if top_first else "interleave_bottom"
    _ffmpeg("-f", "lavfi", "-i", MOVING.format(seconds=seconds),
            "-f", "lavfi", "-i", TONE.format(seconds=seconds),
            "-vf", f"tinterlace=mode={weave},setfield={field}",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p", *x264,
            "-c:a", "aac", "-t", str(seconds), f"file:{out}")
    return out


def progressive_clip(out: Path, seconds: float = 3.0) -> Path:
    """The same moving pictures at 25 progressive frames a second (every other picture)."""
    if not out.exists():
        _ffmpeg("-f", "lavfi", "-i", MOVING.format(seconds=seconds) + ",framestep=2",
                "-f", "lavfi", "-i", TONE.format(seconds=seconds),
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-t", str(seconds), f"file:{out}")
    return out


def sdr_pattern(out: Path, seconds: float = 2.0) -> Path:
    """The known SDR pattern, BT.709 TV range, losslessly encoded."""
    if not out.exists():
        w, h = PATTERN_SIZE
        _ffmpeg("-f", "lavfi", "-i", f"color=c=0x808080:s={w}x{h}:r=25:d={seconds}",
                "-f", "lavfi", "-i", TONE.format(seconds=seconds),
                "-vf", f"drawbox=x={w // 2}:y=0:w={w // 2}:h={h // 2}:c=0xEBEBEB:t=fill,"
                       f"drawbox=x={w // 2}:y={h // 2}:w={w // 2}:h={h // 2}:c=0xB04030:t=fill,"
                       "format=yuv420p",
                "-c:v", "libx264", "-preset", "ultrafast", "-crf", "0", "-pix_fmt", "yuv420p",
                "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709",
                "-c:a", "aac", "-t", str(seconds), f"file:{out}")
    return out


def hdr_clip(out: Path, sdr: Path, transfer: str) -> Path:
    """``sdr`` as a phone records HDR: HEVC 10-bit BT.2020, ``transfer`` (arib-std-b67 = HLG or
    smpte2084 = PQ), SDR white placed at BT.2408's 203 cd/m2 reference white, tagged."""
    if not out.exists():
        _ffmpeg("-i", f"file:{sdr}",
                "-vf", "zscale=t=linear:npl=203,format=gbrpf32le,"
                       f"zscale=p=bt2020:t={transfer}:m=bt2020nc:r=tv:npl=203,format=yuv420p10le",
                "-c:v", "libx265", "-x265-params", "log-level=error:lossless=1",
                "-pix_fmt", "yuv420p10le", "-tag:v", "hvc1", "-color_primaries", "bt2020",
                "-color_trc", transfer, "-colorspace", "bt2020nc", "-c:a", "copy",
                f"file:{out}")
    return out


def rotated_vfr_clip(out: Path, seconds: float = 3.0) -> Path:
    """Portrait phone footage: HEVC stored landscape (320x180) with a -90 degree display matrix,
    variable frame rate (30 fps for 1.5 s, then 15 fps). Upright it is 180x320, the top half
    white and the bottom half dark grey (0x30)."""
    if out.exists():
        return out
    plain = out.with_name(out.stem + ".norotate.mp4")
    _ffmpeg("-f", "lavfi", "-i", f"color=c=0x303030:s=180x320:r=30:d={seconds}",
            "-f", "lavfi", "-i", TONE.format(seconds=seconds),
            "-filter_complex", "[0:v]drawbox=x=0:y=0:w=180:h=160:c=white:t=fill,"
                               "transpose=cclock,select='lt(n\\,45)+not(mod(n\\,2))'[v]",
            "-map", "[v]", "-map", "1:a", "-fps_mode", "vfr", "-c:v", "libx265",
            "-x265-params", "log-level=error", "-pix_fmt", "yuv420p", "-tag:v", "hvc1",
            "-c:a", "aac", "-t", str(seconds), f"file:{plain}")
    # This ffmpeg writes the display matrix from the rotate tag only when copying streams.
    _ffmpeg("-i", f"file:{plain}", "-c", "copy", "-metadata:s:v:0", "rotate=270", f"file:{out}")
    plain.unlink()
    return out


def film_of(root: Path, footage: Path) -> Project:
    """A film project whose one clip is ``footage``, ingested, captioned, consented, signed."""
    project = Project.create(root, "Real shoot")
    project.add_contributor("amara", "Amara Okafor")
    project.save()
    [clip] = ingest(project, [footage], contributors=["amara"])
    project = project.reload()
    save_captions([Cue(200, 900, "Hello.")], project.caption_path(clip.clip_id))
    Ledger(project.ledger_path).add(ConsentGiven.create(
        "amara", scopes=["appear", "voice"], channels=["internal", "web", "broadcast"],
        given=date(2026, 1, 10), method="written", obtained_by="Sam (support worker)"))
    record_signoffs(project)
    return project


def render(project: Project, profile: RenderProfile) -> Path:
    """Render the film; the path of film.mp4."""
    return render_film(project, profile, today=TODAY).outputs["film.mp4"]


def idet_multi(media: Path) -> dict[str, int]:
    """ffmpeg idet's multi-frame counts on every frame of ``media``."""
    proc = runner.run(["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info",
                       "-i", f"file:{media}", "-map", "0:v:0", "-vf", "idet", "-f", "null", "-"])
    found = re.findall(r"Multi frame detection:\s*TFF:\s*(\d+)\s*BFF:\s*(\d+)\s*"
                       r"Progressive:\s*(\d+)\s*Undetermined:\s*(\d+)",
                       proc.stderr.decode("utf-8", "replace"))
    assert found, "idet printed no counts"
    tff, bff, prog, und = (int(n) for n in found[-1])
    return {"tff": tff, "bff": bff, "progressive": prog, "undetermined": und}


def rgb_frame(media: Path, at_s: float) -> tuple[bytes, int, int]:
    """One frame at ``at_s`` as 8-bit full-range RGB (read as BT.709, whatever its tags say)."""
    info = runner.ffprobe_json(f"file:{media}")
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    w, h = int(video["width"]), int(video["height"])
    proc = runner.run(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error",
                       "-ss", f"{at_s:.3f}", "-i", f"file:{media}", "-frames:v", "1",
                       "-vf", "scale=in_color_matrix=bt709:in_range=tv:out_range=pc,format=rgb24",
                       "-f", "rawvideo", "-"])
    assert len(proc.stdout) == w * h * 3, f"expected a {w}x{h} frame"
    return proc.stdout, w, h


def pixel(frame: tuple[bytes, int, int], x: int, y: int) -> tuple[int, int, int]:
    """The RGB value at (x, y)."""
    data, w, _ = frame
    i = (y * w + x) * 3
    return data[i], data[i + 1], data[i + 2]
