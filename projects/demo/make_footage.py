"""Generate the demo film's raw footage: three synthetic interviews, and a signer for each.

Each clip is 1280x720 at 25 fps: an ffmpeg lavfi picture (a slowly moving gradient with the
speaker's first name) and an espeak-ng voice reading a script about making a film together.
Each clip has a 3-second pause: caption segmentation must start a new cue after it, and an audio
description is read in it.
Each interview also gets a synthetic sign language interpreter's video as long as the clip,
``sign/CLIP.mp4`` (a figure whose hands move, on a plain light blue-grey ground), which
run_demo.py puts in the film's sign/ folder for the signed variant.
Nothing here is committed: `make demo` runs this into projects/demo/raw/.

Usage: python projects/demo/make_footage.py OUT_DIR
"""

from __future__ import annotations

import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipeline import runner
from pipeline.fsutil import temp_output
from pipeline.media import ffmpeg_input_name

# (clip file name, contributor id, display name, espeak-ng voice, gradient colours, SSML script)
INTERVIEWS = [
    (
        "amara-interview.mp4", "amara", "Amara", "en-gb+f3", ("0x1d3557", "0x457b9d"),
        "When we started this film, I did not think anyone would listen to me. "
        '<break time="3s"/>'  # a pause for an audio description (issue 12)
        "Now I have written half of the questions myself. "
        "Making it together means my story is told the way I would tell it. "
        "I chose where we filmed, and I checked every word of the captions.",
    ),
    (
        "ben-interview.mp4", "ben", "Ben", "en-gb+m3", ("0x2a9d8f", "0x264653"),
        "I care for my dad, and most days there is no time to stop and think. "
        "Being asked what good support looks like felt strange at first. "
        '<break time="3s"/>'
        "Then it felt important. Other carers will see this, "
        "and they will know they are not on their own.",
    ),
    (
        "chloe-interview.mp4", "chloe", "Chloe", "en-us+f2", ("0x6d597a", "0xb56576"),
        "My job was to make sure everyone had a say in the edit. "
        "We watched every clip together and changed what did not feel right. "
        '<break time="3s"/>'
        "If someone wanted to stop, we stopped. "
        "That is what co-production means to us.",
    ),
]

SIZE = "1280x720"
FPS = 25
SIGNER_SIZE = "540x640"  # about the shape of coprod's signer inset (0.82:1)
# Head, body, and two hands moving in the signing space, as drawbox filters (x, y, w, h, colour).
SIGNER_FIGURE = [
    ("220", "90", 100, 120, "0xE0AC69"),
    ("170", "220", 200, 330, "0x1D3557"),
    ("150+60*sin(2*PI*t)", "300+80*sin(3*PI*t)", 60, 60, "0xE0AC69"),
    ("330-60*sin(2*PI*t+1)", "300+80*cos(3*PI*t)", 60, 60, "0xE0AC69"),
]


def make_signer(out: Path, seconds: float) -> None:
    """A synthetic signer: a figure with moving hands on a plain ground, ``seconds`` long."""
    boxes = ",".join(f"drawbox=x='{x}':y='{y}':w={w}:h={h}:color={c}:t=fill"
                     for x, y, w, h, c in SIGNER_FIGURE)
    out.parent.mkdir(parents=True, exist_ok=True)
    with temp_output(out) as part:
        runner.ffmpeg([
            "-f", "lavfi", "-i", f"color=c=0xB0C4DE:s={SIGNER_SIZE}:r={FPS}:d={seconds:.2f},"
                                 f"{boxes}",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
            "-movflags", "+faststart", "-f", "mp4", str(part),
        ])


def make_clip(out: Path, name: str, voice: str, colours: tuple[str, str], script: str) -> None:
    """Speak the script with espeak-ng and lay it over a moving gradient with the name."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "voice.wav"
        runner.run(["espeak-ng", "-m", "-v", voice, "-s", "135", "-w", str(wav),
                    f"<speak>{script}</speak>"])
        info = runner.ffprobe_json(ffmpeg_input_name(wav))
        seconds = float(info["format"]["duration"]) + 1.0
        picture = (f"gradients=s={SIZE}:r={FPS}:c0={colours[0]}:c1={colours[1]}"
                   f":speed=0.005:d={seconds:.2f},"
                   f"drawtext=text='{name}':fontsize=64:fontcolor=white:x=80:y=80")
        with temp_output(out) as part:
            runner.ffmpeg([
                "-f", "lavfi", "-i", picture,
                "-i", ffmpeg_input_name(wav),
                # Half a second before the first word, as in a real interview; then a gentle
                # compressor and limiter as a sound recordist would use, so the peaks of the
                # synthetic voice leave room for one linear loudness gain.
                "-af", "adelay=500:all=1,acompressor=threshold=-20dB:ratio=3:attack=5:"
                       "release=100,alimiter=limit=0.35,apad",
                "-map", "0:v", "-map", "1:a", "-t", f"{seconds:.2f}",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2",
                "-movflags", "+faststart", "-f", "mp4", str(part),
            ])


def make_interview(out_dir: Path, filename: str, name: str, voice: str,
                   colours: tuple[str, str], script: str) -> None:
    """One interview and its signer's video, unless made already."""
    target = out_dir / filename
    if not target.exists():
        make_clip(target, name, voice, colours, script)
        print(f"made {target}", file=sys.stderr)
    signer = out_dir / "sign" / filename
    if not signer.exists():
        seconds = float(runner.ffprobe_json(ffmpeg_input_name(target))["format"]["duration"])
        make_signer(signer, seconds)
        print(f"made {signer}", file=sys.stderr)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    out_dir = Path(argv[0])
    out_dir.mkdir(parents=True, exist_ok=True)
    # The interviews are made side by side, one a core: each ffmpeg encodes mostly on one.
    with ThreadPoolExecutor(max_workers=runner.usable_cores()) as pool:
        made = [pool.submit(make_interview, out_dir, filename, name, voice, colours, script)
                for filename, _cid, name, voice, colours, script in INTERVIEWS]
        for future in made:
            future.result()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
