"""Every file a render makes is checked before it is cached or published; no exit code is trusted.

ffmpeg can exit 0 and leave a broken file behind (ffmpeg 5.1 on a full disk prints "Error
writing trailer: No space left on device" and still exits 0), and a short write can go unseen.
So, while each output still has its temporary name:

- a film is probed with ffprobe, reading every packet: one video, one audio (two when the film
  has a described track, which must carry its title and the visual_impaired mark) and (when the
  film has captions) one subtitle stream, with the planned codecs, size, sample rate and language;
  every packet the index lists is really in the file; the picture has exactly the planned frames;
  each stream lasts the planned time to within one frame; the subtitle track holds one non-empty
  sample per cue that has text;
- a cached segment or the film's sound is probed the same way before it enters the cache;
- a text output (captions, transcript, manifest) is read back and compared byte for byte, and
  caption files are parsed again with the captions readers.

A failure raises :class:`OutputCheckError` naming the file; the caller leaves it unrenamed, so
the previous outputs stay in place and nothing broken is cached.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from captions.exceptions import CaptionError
from captions.model import Cue
from pipeline import runner
from pipeline.render.errors import OutputCheckError
from pipeline.render_profiles import RenderProfile

# What ffprobe calls the streams the profile's encoders make.
_CODEC_NAMES = {"libx264": "h264", "libx265": "hevc", "libfdk_aac": "aac"}
# A mov_text sample is a 2-byte text length then the text: 2 bytes is an empty sample (the
# muxer fills gaps between cues with them).
_EMPTY_TEXT_SAMPLE = 2


def codec_name(encoder: str) -> str:
    """The codec ffprobe reports for a stream made by ``encoder`` (libx264 -> h264)."""
    return _CODEC_NAMES.get(encoder, encoder)


def shown_cue_count(cues: Sequence[Cue]) -> int:
    """Cues that put text on screen (a cue of blank lines becomes no subtitle sample)."""
    return sum(1 for cue in cues if cue.text.strip(" \t\n"))


def _first_line(text: str) -> str:
    """ffprobe's first complaint, without its ``[mov,mp4,... @ 0x55d...]`` prefix."""
    lines = [re.sub(r"^\[[^]]*\]\s*", "", line.strip()) for line in text.splitlines()]
    return next((line for line in lines if line), "")


def probe(path: Path, shown_as: str | Path, *extra: str) -> dict[str, Any]:
    """ffprobe's streams and format of ``path``, every packet read (``nb_read_packets``).

    Raises:
        OutputCheckError: ffprobe cannot read the file.
    """
    proc = runner.run(["ffprobe", "-v", "error", "-count_packets", "-show_streams",
                       "-show_format", *extra, "-of", "json", "--", str(path)], check=False)
    err = _first_line(proc.stderr.decode("utf-8", "replace"))
    try:
        data = json.loads(proc.stdout or b"{}")
    except ValueError:
        data = {}
    if proc.returncode != 0 or not isinstance(data, dict) or not data.get("streams"):
        raise OutputCheckError(shown_as, f"ffprobe cannot read it ({err or 'no streams'})")
    return data


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _ms(value: Any) -> float:
    try:
        return float(value) * 1000
    except (TypeError, ValueError):
        return float("nan")


def _streams(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [s for s in data.get("streams", []) if s.get("codec_type") == kind]


def _all_packets_present(stream: dict[str, Any], what: str, shown_as: str | Path) -> None:
    listed, read = _int(stream.get("nb_frames")), _int(stream.get("nb_read_packets"))
    if listed >= 0 and read != listed:
        raise OutputCheckError(shown_as, f"only {read} of the {listed} {what} packets its "
                                         "index lists are in the file (it was cut short)")


def _lasts(value: Any, want_ms: float, frame_ms: float, what: str,
           shown_as: str | Path) -> None:
    got = _ms(value)
    if not abs(got - want_ms) <= frame_ms:
        raise OutputCheckError(shown_as, f"{what} lasts {got / 1000:.3f} s, the plan "
                                         f"{want_ms / 1000:.3f} s")


@dataclass(frozen=True)
class FilmSpec:
    """What a finished film MP4 must hold, from the plan and the profile."""

    width: int
    height: int
    fps: int
    frames: int
    video_codec: str
    audio_codec: str
    sample_rate: int
    language: str  # ISO 639-2, as the streams are tagged
    cues: int  # cues with text on the subtitle track; 0: the film has no subtitle track
    # One entry per sound track, in order: its title when it is the described sound (with the
    # visual_impaired disposition), else "" (the programme sound).
    audio_titles: tuple[str, ...] = ("",)
    captions_default: bool = True  # the subtitle track flagged default (nothing burned in)

    @classmethod
    def for_film(cls, profile: RenderProfile, frames: int, language: str,
                 cues: Sequence[Cue]) -> FilmSpec:
        """The spec of a film of ``frames`` frames made with ``profile``, carrying ``cues``."""
        return cls(profile.width, profile.height, profile.fps, frames,
                   codec_name(profile.video_codec), codec_name(profile.audio_codec),
                   profile.sample_rate, language, shown_cue_count(cues))

    @property
    def duration_ms(self) -> float:
        return self.frames * 1000 / self.fps


def check_film(path: Path, spec: FilmSpec, shown_as: str | Path) -> None:
    """Probe a muxed film; raise :class:`OutputCheckError` unless it is what was planned."""
    data = probe(path, shown_as)
    video, audio = _streams(data, "video"), _streams(data, "audio")
    subs = _streams(data, "subtitle")
    want_subs = 1 if spec.cues else 0
    want_audio = len(spec.audio_titles)
    if (len(video), len(audio), len(subs)) != (1, want_audio, want_subs):
        raise OutputCheckError(shown_as, f"has {len(video)} video, {len(audio)} audio and "
                                         f"{len(subs)} subtitle streams (planned 1, "
                                         f"{want_audio} and {want_subs})")
    v = video[0]
    frame_ms = 1000 / spec.fps
    if (v.get("codec_name"), v.get("width"), v.get("height")) != \
            (spec.video_codec, spec.width, spec.height):
        raise OutputCheckError(shown_as, f"its picture is {v.get('codec_name')} "
                                         f"{v.get('width')}x{v.get('height')}, planned "
                                         f"{spec.video_codec} {spec.width}x{spec.height}")
    for a in audio:
        if (a.get("codec_name"), _int(a.get("sample_rate"))) != \
                (spec.audio_codec, spec.sample_rate):
            raise OutputCheckError(shown_as, f"its sound is {a.get('codec_name')} at "
                                             f"{a.get('sample_rate')} Hz, planned "
                                             f"{spec.audio_codec} at {spec.sample_rate} Hz")
        _all_packets_present(a, "audio", shown_as)
    _all_packets_present(v, "video", shown_as)
    if _int(v.get("nb_read_packets")) != spec.frames:
        raise OutputCheckError(shown_as, f"has {v.get('nb_read_packets')} frames, planned "
                                         f"{spec.frames}")
    _lasts(data.get("format", {}).get("duration"), spec.duration_ms, frame_ms, "it",
           shown_as)
    _lasts(v.get("duration"), spec.duration_ms, frame_ms, "its picture", shown_as)
    for a in audio:
        _lasts(a.get("duration"), spec.duration_ms, frame_ms, "its sound", shown_as)
    _check_described_tracks(audio, spec.audio_titles, shown_as)
    tagged = [s.get("tags", {}).get("language") for s in (*audio, *subs)]
    if any(tag != spec.language for tag in tagged):
        raise OutputCheckError(shown_as, f"its streams are tagged {tagged}, planned "
                                         f"{spec.language!r}")
    if subs:
        if bool(subs[0].get("disposition", {}).get("default")) != spec.captions_default:
            raise OutputCheckError(shown_as, "its caption track is "
                                   f"{'not ' if spec.captions_default else ''}flagged default; "
                                   f"planned {'' if spec.captions_default else 'not '}default")
        _check_subtitle_track(path, subs[0], spec.cues, shown_as)


def _check_described_tracks(audio: Sequence[dict[str, Any]], titles: Sequence[str],
                            shown_as: str | Path) -> None:
    """A described track is titled for players and marked visual_impaired; the programme
    track is not; the first track is the default."""
    if len(titles) < 2 and not any(titles):
        return  # one programme track: as every film before described sound
    for index, (a, title) in enumerate(zip(audio, titles, strict=True)):
        marks = a.get("disposition", {})
        found = a.get("tags", {}).get("handler_name", "")
        if bool(marks.get("visual_impaired")) != bool(title) or (title and found != title):
            raise OutputCheckError(shown_as, f"its sound track {index + 1} is titled "
                                             f"{found!r}, visual_impaired "
                                             f"{marks.get('visual_impaired')}; planned "
                                             f"{title or 'the programme sound'!r}")
    if not audio[0].get("disposition", {}).get("default"):
        raise OutputCheckError(shown_as, "its first sound track is not the default one")


def _check_subtitle_track(path: Path, stream: dict[str, Any], cues: int,
                          shown_as: str | Path) -> None:
    if stream.get("codec_name") != "mov_text":
        raise OutputCheckError(shown_as, f"its subtitle track is {stream.get('codec_name')}, "
                                         "planned mov_text")
    proc = runner.run(["ffprobe", "-v", "error", "-select_streams", "s:0", "-show_entries",
                       "packet=size", "-of", "csv=p=0", "--", str(path)], check=False)
    sizes = [_int(line) for line in proc.stdout.decode("ascii", "replace").split()]
    shown = sum(1 for size in sizes if size > _EMPTY_TEXT_SAMPLE)
    if proc.returncode != 0 or shown != cues:
        raise OutputCheckError(shown_as, f"its subtitle track shows {shown} of the film's "
                                         f"{cues} cues")


def check_segment_video(path: Path, frames: int, profile: RenderProfile,
                        shown_as: str | Path) -> None:
    """A picture segment: the profile's codec and size, every planned frame in the file."""
    data = probe(path, shown_as)
    video = _streams(data, "video")
    if len(video) != 1:
        raise OutputCheckError(shown_as, f"has {len(video)} video streams, planned 1")
    v = video[0]
    want = (codec_name(profile.video_codec), profile.width, profile.height)
    if (v.get("codec_name"), v.get("width"), v.get("height")) != want:
        raise OutputCheckError(shown_as, f"is {v.get('codec_name')} {v.get('width')}x"
                                         f"{v.get('height')}, planned {want[0]} "
                                         f"{want[1]}x{want[2]}")
    _all_packets_present(v, "video", shown_as)
    if _int(v.get("nb_read_packets")) != frames:
        raise OutputCheckError(shown_as, f"has {v.get('nb_read_packets')} frames, planned "
                                         f"{frames}")


# Float samples, two channels: 8 bytes a sample frame.
_WAV_FRAME_BYTES = 8


def _wav_data(head: bytes) -> tuple[int, int] | None:
    """(offset, size) of a RIFF/WAVE file's data chunk, from its first bytes; None if absent."""
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    at = 12
    while at + 8 <= len(head):
        chunk, size = head[at:at + 4], int.from_bytes(head[at + 4:at + 8], "little")
        if chunk == b"data":
            return at + 8, size
        at += 8 + size + (size & 1)
    return None


def check_segment_audio(path: Path, samples: int, shown_as: str | Path) -> None:
    """A sound segment: a WAV whose data chunk holds exactly ``samples`` stereo float samples,
    all of them in the file (read from its header: ffmpeg writes the sizes last)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
        size = path.stat().st_size
    except OSError as exc:
        raise OutputCheckError(shown_as, f"cannot be read back ({exc.strerror or exc})") \
            from None
    data = _wav_data(head)
    want = samples * _WAV_FRAME_BYTES
    if data is None or data[1] != want or size < data[0] + want:
        raise OutputCheckError(shown_as, f"does not hold the planned {samples} samples of "
                                         "sound (it was cut short)")


def check_sound(path: Path, duration_ms: float, fps: int, shown_as: str | Path) -> None:
    """The film's encoded sound: one audio stream, every packet present, the film's length."""
    data = probe(path, shown_as)
    audio = _streams(data, "audio")
    if len(audio) != 1:
        raise OutputCheckError(shown_as, f"has {len(audio)} audio streams, planned 1")
    _all_packets_present(audio[0], "audio", shown_as)
    _lasts(audio[0].get("duration"), duration_ms, 1000 / fps, "it", shown_as)


def check_written(path: Path, expected: bytes, shown_as: str | Path) -> None:
    """Read a text output back: it must be exactly the bytes written."""
    try:
        found = path.read_bytes()
    except OSError as exc:
        raise OutputCheckError(shown_as, f"cannot be read back ({exc.strerror or exc})") \
            from None
    if found != expected:
        raise OutputCheckError(shown_as, f"reads back as {len(found)} bytes, not the "
                                         f"{len(expected)} written")


def check_caption_file(path: Path, fmt: str, cues: Sequence[Cue],
                       shown_as: str | Path) -> None:
    """A whole-film caption file parses with the captions readers to the planned cues' times."""
    from captions.formats import loads

    if not cues:
        return  # an empty file: nothing to parse
    try:
        found = loads(path.read_text(encoding="utf-8"), fmt, path=shown_as)
    except (OSError, UnicodeDecodeError, CaptionError) as exc:
        raise OutputCheckError(shown_as, f"cannot be read back as {fmt} ({exc})") from None
    if [(c.start, c.end) for c in found] != [(c.start, c.end) for c in cues]:
        raise OutputCheckError(shown_as, f"reads back as {len(found)} cues, planned "
                                         f"{len(cues)}")


__all__ = [
    "FilmSpec",
    "check_caption_file",
    "check_film",
    "check_segment_audio",
    "check_segment_video",
    "check_sound",
    "check_written",
    "codec_name",
    "probe",
    "shown_cue_count",
]
