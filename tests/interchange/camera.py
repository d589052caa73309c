"""Camera-like footage for the interchange tests: a start timecode, a reel name, any rate.

Files are tiny (16x16 grey, no sound) so a fixture can make a few hundred of them; a clip is
recorded in a project the way ingest records it (original file name, reel, timecode), without
ingest's WAV and proxy, which matching never reads.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline import runner
from pipeline.project import Project

LONG = 100.0  # seconds; longer files are made by joining copies of a piece this long


@dataclass(frozen=True)
class CameraFile:
    """A camera file to make: its name as the camera wrote it, rate, length and metadata."""

    clip_id: str
    original_name: str
    rate: str = "25"
    seconds: float = 12.0
    timecode: str | None = None
    reel: str | None = None


def make_camera_file(folder: Path, spec: CameraFile) -> Path:
    """Make (once per distinct spec) the file ``spec`` describes; a .mov keeps the reel name."""
    key = hashlib.sha256(repr((spec.rate, spec.seconds, spec.timecode, spec.reel)).encode())
    out = folder / f"{key.hexdigest()[:16]}.mov"
    if out.exists():
        return out
    if spec.seconds > LONG:
        # Hours of footage: a 100 s piece joined without re-encoding, not hours of encoding.
        piece = make_camera_file(folder, CameraFile("piece", "piece.mov", spec.rate, LONG))
        listing = folder / f"{out.stem}.txt"
        copies = int(spec.seconds // LONG) + 1
        listing.write_text(f"file '{piece}'\n" * copies, encoding="utf-8")
        args = ["-f", "concat", "-safe", "0", "-i", str(listing)]
    else:
        args = ["-f", "lavfi", "-i", f"color=c=gray:s=16x16:r={spec.rate}:d={spec.seconds}"]
    if spec.timecode:
        args += ["-timecode", spec.timecode]
    if spec.reel:
        args += ["-metadata:s:v:0", f"reel_name={spec.reel}"]
    codec = ["-c", "copy"] if spec.seconds > LONG else [
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "6000", "-pix_fmt", "yuv420p"]
    runner.ffmpeg([*args, *codec, "-t", str(spec.seconds), str(out)])
    return out


def camera_film(root: Path, folder: Path, specs: list[CameraFile]) -> Project:
    """A film whose clips are ``specs``' files, recorded as ingest records them."""
    project = Project.create(root, "Camera")
    project.add_contributor("amara", "Amara Okafor")
    for spec in specs:
        made = make_camera_file(folder, spec)
        dst = project.footage_dir / f"{spec.clip_id}.mov"
        shutil.copyfile(made, dst)
        project.add_clip(spec.clip_id, f"footage/{spec.clip_id}.mov", project.file_sha256(dst),
                         ["amara"], {"original_name": spec.original_name, "reel": spec.reel,
                                     "timecode": spec.timecode})
    project.save()
    return project
