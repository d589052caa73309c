"""The camera-like clips of bench/realshoot.py, and the hand-written ffmpeg render of them.

Every clip's sound is real speech from ../shared/corpus (utterances with exact references,
joined with pauses into a speech bed that each clip loops from its own offset); its picture is
lavfi's moving test pattern. Each format is made the way its device records it:

==================  ==========================================================================
phone-hevc-vfr      HEVC 1280x720 stored landscape with a 90 degree rotation (portrait), VFR
lav-one-sided       H.264 + stereo AAC, the speech on the left channel only
two-tracks          two audio tracks: the speaker's lav, and the other lav hearing them at -12 dB
interlaced-1080i25  H.264 1920x1080 interlaced, top field first, 25 frames a second
hlg, pq             HEVC 10-bit BT.2020, HLG (arib-std-b67) or PQ (smpte2084) transfer
prores-24bit-tc     ProRes 422 Proxy 1280x720, 24-bit PCM, QuickTime timecode 10:00:00:00
audio-offset        H.264 + AAC whose sound starts 0.48 s after its picture (an edit list)
avchd-spanned       one take in AVCHD's folders, spanned over two .MTS files (H.264 + AC-3)
plain               H.264 1920x1080 25p + AAC, as a DSLR or camcorder records
==================  ==========================================================================
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from pipeline import runner  # noqa: E402

CORPUS = Path(os.environ.get("COPROD_CORPUS", ROOT.parent / "shared" / "corpus"))
SPEECH = (
    "audio/whisper/jfk.flac",
    "audio/pocketsphinx/sense_and_sensibility_01_austen_64kb-0870.wav",
    "audio/speechbrain/example1.wav",
    "audio/lhotse/2412-153948-0000.flac",
    "audio/pocketsphinx/sense_and_sensibility_01_austen_64kb-0920.wav",
    "audio/lhotse/ES2011a.Headset-0-40s-46s.wav",
    "audio/DeepSpeech/LDC93S1.wav",
)
PAUSE_S = 0.8
FORMATS = ("phone-hevc-vfr", "lav-one-sided", "two-tracks", "interlaced-1080i25", "hlg", "pq",
           "prores-24bit-tc", "audio-offset", "avchd-spanned", "plain")
OFFSET_S = 0.48
HDR = {"hlg": "arib-std-b67", "pq": "smpte2084"}


@dataclass(frozen=True)
class Made:
    """A clip made: what to ingest (a file, or a card folder) and what the hand command reads."""

    name: str
    ingest: Path
    inputs: list[str]  # ffmpeg input arguments for the hand-written command
    seconds: float


def speech_bed(work: Path) -> Path:
    """The corpus utterances joined with pauses, 48 kHz mono (made once)."""
    out = work / "speech-bed.wav"
    if out.exists():
        return out
    args: list[str | Path] = []
    chains = []
    for i, rel in enumerate(SPEECH):
        args += ["-i", CORPUS / rel]
        chains.append(f"[{i}:a]aresample=48000,aformat=channel_layouts=mono,"
                      f"apad=pad_dur={PAUSE_S}[a{i}]")
    joined = "".join(f"[a{i}]" for i in range(len(SPEECH)))
    runner.ffmpeg([*args, "-filter_complex",
                   ";".join(chains) + f";{joined}concat=n={len(SPEECH)}:v=0:a=1[out]",
                   "-map", "[out]", "-c:a", "pcm_s16le", out])
    return out


def _speech(bed: Path, offset: float, seconds: float) -> list[str | Path]:
    return ["-stream_loop", "-1", "-ss", f"{offset:.2f}", "-t", f"{seconds}", "-i", bed]


def _picture(size: str, rate: str, seconds: float) -> list[str]:
    return ["-f", "lavfi", "-i", f"testsrc2=s={size}:r={rate}:d={seconds}"]


H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
AAC = ["-c:a", "aac", "-b:a", "128k", "-ar", "48000"]


def make_clip(name: str, work: Path, seconds: float, index: int) -> Made:
    """Make the clip of format ``name`` (``seconds`` long) in ``work``."""
    bed = speech_bed(work)
    offset = (index * 17.3) % 60
    speech = _speech(bed, offset, seconds)
    out = work / f"{index:02d}-{name}"
    if name == "phone-hevc-vfr":
        path = out.with_suffix(".mov")
        runner.ffmpeg([*_picture("1280x720", "30", seconds), *speech,
                       "-vf", "select='not(eq(mod(n\\,7)\\,3))'", "-vsync", "vfr",
                       "-c:v", "libx265", "-preset", "ultrafast", "-tag:v", "hvc1",
                       "-metadata:s:v:0", "rotate=90", *AAC, "-ac", "2", "-shortest", path])
    elif name == "lav-one-sided":
        path = out.with_suffix(".mp4")
        runner.ffmpeg([*_picture("1920x1080", "25", seconds), *speech, "-filter_complex",
                       "[1:a]pan=stereo|c0=c0|c1=0*c0[a]", "-map", "0:v", "-map", "[a]",
                       *H264, *AAC, "-shortest", path])
    elif name == "two-tracks":
        path = out.with_suffix(".mov")
        runner.ffmpeg([*_picture("1920x1080", "25", seconds), *speech, "-filter_complex",
                       "[1:a]asplit=2[a][b];[b]volume=-12dB[far]", "-map", "0:v", "-map", "[a]",
                       "-map", "[far]", *H264, "-c:a", "pcm_s16le", "-ar", "48000",
                       "-shortest", path])
    elif name == "interlaced-1080i25":
        path = out.with_suffix(".mp4")
        runner.ffmpeg([*_picture("1920x1080", "50", seconds), *speech,
                       "-vf", "tinterlace=mode=interleave_top,setfield=tff",
                       *H264, "-flags", "+ildct+ilme", "-x264-params", "tff=1",
                       "-field_order", "tt", *AAC, "-shortest", path])
    elif name in HDR:
        path = out.with_suffix(".mov")
        trc = HDR[name]
        runner.ffmpeg([*_picture("1280x720", "30", seconds), *speech,
                       "-vf", "format=yuv420p10le", "-c:v", "libx265", "-preset", "ultrafast",
                       "-x265-params", f"colorprim=bt2020:transfer={trc}:colormatrix=bt2020nc",
                       "-color_primaries", "bt2020", "-color_trc", trc, "-colorspace",
                       "bt2020nc", "-tag:v", "hvc1", *AAC, "-shortest", path])
    elif name == "prores-24bit-tc":
        path = out.with_suffix(".mov")
        runner.ffmpeg([*_picture("1280x720", "25", seconds), *speech,
                       "-c:v", "prores_ks", "-profile:v", "0", "-c:a", "pcm_s24le",
                       "-ar", "48000", "-timecode", "10:00:00:00", "-shortest", path])
    elif name == "audio-offset":
        path = out.with_suffix(".mp4")
        runner.ffmpeg([*_picture("1920x1080", "25", seconds), "-itsoffset", str(OFFSET_S),
                       *speech, *H264, *AAC, "-t", str(seconds), path])
    elif name == "avchd-spanned":
        return _avchd(out, speech, seconds, name)
    elif name == "plain":
        path = out.with_suffix(".mp4")
        runner.ffmpeg([*_picture("1920x1080", "25", seconds), *speech, *H264, *AAC,
                       "-shortest", path])
    else:
        raise ValueError(f"unknown format {name!r}; one of {', '.join(FORMATS)}")
    return Made(name, path, ["-i", str(path)], seconds)


def _avchd(out: Path, speech: list[str | Path], seconds: float, name: str) -> Made:
    """One take written as a camcorder spans it: two .MTS files cut at a packet boundary."""
    whole = out.with_suffix(".mts")
    runner.ffmpeg([*_picture("1920x1080", "25", seconds), *speech, *H264, "-c:a", "ac3",
                   "-b:a", "256k", "-ar", "48000", "-shortest", "-f", "mpegts", whole])
    stream = out / "PRIVATE" / "AVCHD" / "BDMV" / "STREAM"
    stream.mkdir(parents=True, exist_ok=True)
    data = whole.read_bytes()
    cut = (len(data) // 2) // 188 * 188
    parts = [stream / "00000.MTS", stream / "00001.MTS"]
    parts[0].write_bytes(data[:cut])
    parts[1].write_bytes(data[cut:])
    whole.unlink()
    return Made(name, out, ["-i", "concat:" + "|".join(str(p) for p in parts)], seconds)


def long_interview(work: Path, minutes: int) -> Path:
    """A 1080p25 interview of ``minutes``: a 100 s piece joined without re-encoding."""
    bed = speech_bed(work)
    piece = work / "interview-piece.mp4"
    runner.ffmpeg([*_picture("1920x1080", "25", 100.0), *_speech(bed, 0.0, 100.0), *H264,
                   "-g", "250", *AAC, "-shortest", piece])
    listing = work / "interview.txt"
    listing.write_text(f"file '{piece}'\n" * (minutes * 60 // 100 + 1), encoding="utf-8")
    out = work / "interview-60min.mp4"
    runner.ffmpeg(["-f", "concat", "-safe", "0", "-i", listing, "-c", "copy",
                   "-t", str(minutes * 60), out])
    return out


def _video_chain(name: str) -> str:
    """What the picture of a clip needs before it joins the film (the hand command's view)."""
    if name == "interlaced-1080i25":
        return "bwdif=mode=send_frame:parity=tff,"
    if name in HDR:
        return ("zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,"
                "tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,")
    return ""


def _audio_chain(index: int, name: str) -> str:
    """The clip's speech as dual mono, on the clip's timeline (the hand command's view)."""
    if name == "lav-one-sided":
        return f"[{index}:a:0]pan=stereo|c0=c0|c1=c0,"
    if name == "two-tracks":
        return f"[{index}:a:0][{index}:a:1]amix=inputs=2:normalize=0,pan=stereo|c0=c0|c1=c0,"
    if name == "audio-offset":
        return f"[{index}:a:0]aresample=async=1:first_pts=0,"
    return f"[{index}:a:0]"


def hand_written_render(clips: list[Made], film_srt: Path, out: Path, *, size: tuple[int, int],
                        fps: int, card_s: tuple[float, float], loudness: tuple[float, float,
                                                                                 float],
                        x264: tuple[str, int], audio_bitrate: str) -> None:
    """One ffmpeg command doing coprod's render work by hand: each clip deinterlaced,
    tone-mapped, its speech made dual mono and put in sync as its format needs, scaled into the
    frame, title and credits cards, single-pass loudnorm, soft captions."""
    w, h = size
    args: list[str] = []
    for clip in clips:
        args += clip.inputs
    n = len(clips)
    for seconds in card_s:
        args += ["-f", "lavfi", "-i", f"color=c=black:s={w}x{h}:r={fps}:d={seconds}"]
    args += ["-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-i", str(film_srt)]
    parts = [f"[{n + 2}:a]asplit=2[s1][s2]", f"[s1]atrim=duration={card_s[0]}[ta]",
             f"[s2]atrim=duration={card_s[1]}[ca]", f"[{n}:v]format=yuv420p[tv]",
             f"[{n + 1}:v]format=yuv420p[cv]"]
    order = "[tv][ta]"
    for i, clip in enumerate(clips):
        parts.append(f"[{i}:v:0]{_video_chain(clip.name)}fps={fps},scale={w}:{h}:"
                     f"force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,"
                     f"setsar=1,format=yuv420p,trim=duration={clip.seconds}[v{i}]")
        parts.append(f"{_audio_chain(i, clip.name)}aresample=48000,"
                     f"aformat=channel_layouts=stereo,apad,atrim=duration={clip.seconds}[a{i}]")
        order += f"[v{i}][a{i}]"
    integrated, peak, lra = loudness
    parts += [f"{order}[cv][ca]concat=n={n + 2}:v=1:a=1[v][a0]",
              f"[a0]loudnorm=I={integrated}:TP={peak}:LRA={lra},aresample=48000,"
              "aformat=channel_layouts=stereo[a]"]
    runner.ffmpeg([*args, "-filter_complex", ";".join(parts), "-map", "[v]", "-map", "[a]",
                   "-map", f"{n + 3}:s", "-c:v", "libx264", "-preset", x264[0], "-crf",
                   str(x264[1]), "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", audio_bitrate,
                   "-c:s", "mov_text", "-movflags", "+faststart", str(out)])


__all__ = ["FORMATS", "Made", "hand_written_render", "long_interview", "make_clip",
           "speech_bed"]
