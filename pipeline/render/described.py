"""The described sound: the programme lowered under each description, the voices laid over it,
loudness-normalised like the programme track and encoded once.

Made for the publishing profiles (web, broadcast) when any clip of the film has descriptions
(``descriptions/CLIP.vtt``); the title and credits cards are then described from their text.
Where each description goes and how deep the programme is lowered are in
:mod:`pipeline.render.description_track` (:data:`DUCK_DB`, :data:`RAMP_MS`).

**One ffmpeg graph.** The programme sound is the joined, pre-normalisation sound the loudness
step reads (the segments' WAVs through the same concat list). It is lowered by a ``volume``
filter whose gain is an expression of ``t`` evaluated per frame (frames cut to 10 ms first, so a
250 ms ramp has 25 steps): the envelope is exact, known in advance and the same in every run,
where ``sidechaincompress`` keyed by the voices would lower the programme by however loud each
word is, pump between words and start late by its attack time. Each voice is resampled to the
film's rate, brought to the programme's measured loudness (its own level measured once by
ebur128, cached by the file's sha256), delayed to its film time and summed with the programme
by ``amix`` (``normalize=0``: a plain sum, no level that changes as inputs end). The mix is then
brought to the programme track's target by one gain
(:func:`pipeline.render.loudness.normalise_by_gain`: one BS.1770 measurement by ebur128, one
``volume`` gain for the whole track, AAC, an ebur128 check within 1 LU of the target and under
the true-peak limit). The programme track's loudnorm is not used: its measurement resamples to
192 kHz (several times slower), and when one gain would push the true peak over the limit it
falls back to its dynamic mode, which would ride the level and fill in the dips under the
descriptions; here the gain is kept and only the peaks are limited, the loudness that takes
made up as the check of the encoded track measures it.

**Cache.** The encoded track is ``build/segments/KEY.described.m4a``; KEY hashes the programme's
sound segments' keys, each voice file's sha256 with its place and gain, the ducking and the
loudness and codec settings. A description-only edit re-voices that description
(:mod:`pipeline.describe.voice` caches the rest), re-mixes this track (sound only) and re-muxes
the films; no picture is encoded.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg as ffmpeg_python

from captions.model import Cue
from pipeline import __version__
from pipeline.fsutil import sha256_file
from pipeline.media import ffmpeg_input_name
from pipeline.project import Project
from pipeline.render.description_track import (
    DUCK_DB,
    RAMP_MS,
    LeftOut,
    Placement,
    Voiced,
    duck_expression,
    duck_windows,
    place_descriptions,
    ramp_up_from,
)
from pipeline.render.join import concat_input
from pipeline.render.loudness import (
    AAC_HEADROOM_DB,
    FilmSound,
    LoudnessReport,
    normalise_by_gain,
    verify_loudness,
)
from pipeline.render.loudness_cache import cached_report, measured_once
from pipeline.render.plan import (
    Part,
    PartKind,
    Progress,
    film_duration_ms,
    part_duration_ms,
    part_start_ms,
)
from pipeline.render.segments import SEGMENT_FORMAT, RenderedSegments, cache_key
from pipeline.render_profiles import RenderProfile

# Bump when the way the described track is made changes.
# 4: what the limiter took is judged on the encoded track (it was judged before encoding).
DESCRIBED_FORMAT = 4
# The ducked programme is cut into frames this long so the envelope moves in small steps.
ENVELOPE_STEP_MS = 10
# A voice is never raised or lowered by more than this to meet the programme's level.
MAX_VOICE_GAIN_DB = 24.0
AUDIO_DESCRIBED = "audio described"
_LANGUAGE_NAMES = {"en": "English", "eng": "English", "cy": "Welsh", "cym": "Welsh",
                   "gd": "Gaelic", "gla": "Gaelic", "ga": "Irish", "gle": "Irish",
                   "fr": "French", "fra": "French", "de": "German", "deu": "German",
                   "es": "Spanish", "spa": "Spanish"}


def described_title(language: str) -> str:
    """The described track's title for players: "English, audio described"."""
    name = _LANGUAGE_NAMES.get(language)
    return f"{name}, {AUDIO_DESCRIBED}" if name else f"Audio described ({language})"


def makes_described(profile: RenderProfile) -> bool:
    """True for the profiles that carry a described track: the publishing ones."""
    from pipeline.render.gate import publishes

    return publishes(profile)


def plan_descriptions(project: Project, parts: Sequence[Part], fps: int) -> Placement | None:
    """Every description placed in the film, or None when no clip has any.

    Cards are described (from their text) only when a clip is: a film without descriptions
    renders exactly as before. A cue still holding ``coprod describe``'s starting text is left
    out (and reported): it says where a description could go, not what is seen.

    Raises:
        DescriptionError: a description script is unreadable or malformed.
    """
    from pipeline.describe import card_descriptions, load_descriptions
    from pipeline.describe.script import PLACEHOLDER

    found: dict[str, Sequence[Any]] = {}
    unwritten: list[LeftOut] = []
    for part in parts:
        if part.kind == PartKind.CLIP and part.clip_id is not None:
            descriptions = load_descriptions(project, part.clip_id)
            unwritten += [LeftOut(part.name, d.cue, f"still has the starting text "
                                                    f"({PLACEHOLDER}); left out")
                          for d in descriptions if d.text.startswith(PLACEHOLDER)]
            written = [d for d in descriptions if not d.text.startswith(PLACEHOLDER)]
            if written:
                found[part.name] = written
    if not found:
        return None
    for part in parts:
        if part.kind == PartKind.CARD:
            length = part_duration_ms(part, fps)
            # A card has no speech: its whole length is the description's pause, so the
            # manifest's `fits` and the access report judge the voice against the card's end
            # (a voice longer than the card is left out, see voice_placement).
            found[part.name] = [dataclasses.replace(d, end_ms=length)
                                for d in card_descriptions(project, part.lines)]
    placed = place_descriptions(parts, fps, found)
    return dataclasses.replace(placed, left_out=(*placed.left_out, *unwritten))


def voice_placement(project: Project, parts: Sequence[Part], fps: int,
                    placement: Placement) -> tuple[Placement, list[Voiced]]:
    """Voice every placed description (recordings first, else the offline voice, cached).

    A card's description whose voice outlasts the card is left out: the card shows nothing
    more to describe, and it would run over the first clip.

    Raises:
        DescriptionError, ToolMissingError: a recording is unusable or no voice is available.
    """
    from pipeline.describe import voice as voicing

    kinds = {p.name: p for p in parts}
    voiced: list[Voiced] = []
    left = list(placement.left_out)
    for name, placed in placement.by_part().items():
        part = kinds[name]
        sources = [d.source for d in placed]
        made = voicing.voice_descriptions(project, part.clip_id, sources) \
            if part.kind == PartKind.CLIP and part.clip_id is not None \
            else voicing.voice_card_descriptions(project, sources)
        sounds = [(v.wav, v.duration_ms, v.voice) for v in made]
        for d, (wav, ms, voice) in zip(placed, sounds, strict=True):
            card_end = part_start_ms(part, fps) + part_duration_ms(part, fps)
            if part.kind == PartKind.CARD and d.start_ms + ms > card_end:
                left.append(LeftOut(name, d.cue, f"its voice lasts {ms} ms, longer than the "
                                                 "card; left out"))
                continue
            voiced.append(Voiced(d, wav, ms, voice))
    kept = {(v.placed.part, v.placed.cue) for v in voiced}
    final = Placement(tuple(d for d in placement.placed if (d.part, d.cue) in kept),
                      tuple(left))
    return final, sorted(voiced, key=lambda v: (v.placed.start_ms, v.placed.end_ms))


def _voice_level(wav: Path, cache_dir: Path) -> float:
    """Integrated loudness of a voice file (LUFS), measured once per file content."""
    return measured_once(wav, cache_dir, "voice-level", lambda f: verify_loudness(f)["i"])


def level_voices(voiced: Sequence[Voiced], programme_lufs: float,
                 cache_dir: Path) -> list[Voiced]:
    """Each voice given the gain that brings it to the programme's integrated loudness
    (within +/-24 dB; no change when either is silence)."""
    out = []
    for v in voiced:
        level = _voice_level(v.wav, cache_dir)
        gain = 0.0
        if math.isfinite(level) and math.isfinite(programme_lufs) and level > -70 \
                and programme_lufs > -70:
            gain = max(-MAX_VOICE_GAIN_DB, min(MAX_VOICE_GAIN_DB, programme_lufs - level))
        out.append(dataclasses.replace(v, gain_db=round(gain, 2)))
    return out


def mix_graph(audio_list: Path, voiced: Sequence[Voiced], windows: Sequence[tuple[int, int]],
              profile: RenderProfile) -> Any:
    """The described mix as one ffmpeg-python audio stream (before loudness normalisation)."""
    step = profile.sample_rate * ENVELOPE_STEP_MS // 1000
    bed = (concat_input(audio_list).audio
           .filter("asetnsamples", n=step, p=0)
           .filter("volume", duck_expression(windows), eval="frame"))
    streams = [bed]
    # One input a voice file: two descriptions with the same words share the cached file, and
    # ffmpeg-python would merge their identical chains into one node, so the file is split.
    uses: dict[tuple[Path, float], list[Voiced]] = {}
    for v in voiced:
        uses.setdefault((v.wav, v.gain_db), []).append(v)
    for (wav, gain_db), same in uses.items():
        voice = (ffmpeg_python.input(ffmpeg_input_name(wav)).audio
                 .filter("aformat", sample_fmts="fltp", sample_rates=profile.sample_rate,
                         channel_layouts="stereo"))
        if gain_db:
            voice = voice.filter("volume", f"{gain_db:.2f}dB")
        copies = [voice] if len(same) == 1 else \
            [voice.filter_multi_output("asplit", len(same))[i] for i in range(len(same))]
        streams += [copy.filter("adelay", delays=str(v.placed.start_ms), all=1)
                    for copy, v in zip(copies, same, strict=True)]
    if len(streams) == 1:
        return bed
    return ffmpeg_python.filter(streams, "amix", inputs=len(streams), duration="first",
                                dropout_transition=0, normalize=0)


def track_options(titles: Sequence[str], language: str, tracks: int) -> list[str]:
    """Each sound track language-tagged; a titled one (MP4 keeps a track's title as its
    handler name, which players show) marked visual_impaired; the first the default."""
    if not any(titles):
        # The first track's tag is already among the graph's options: a film as before.
        return [arg for i in range(1, tracks)
                for arg in (f"-metadata:s:a:{i}", f"language={language}")]
    out: list[str] = []
    for i, title in enumerate(titles):
        marks = (["default"] if i == 0 else []) + (["visual_impaired"] if title else [])
        out += [f"-metadata:s:a:{i}", f"language={language}",
                f"-disposition:a:{i}", "+".join(marks) or "0"]
        if title:
            out += [f"-metadata:s:a:{i}", f"handler_name={title}"]
    return out


@dataclass(frozen=True)
class DescribedSound:
    """The film's described sound (AAC in MP4) and what went into it."""

    path: Path
    loudness: LoudnessReport
    reused: bool
    placement: Placement
    voiced: tuple[Voiced, ...]
    windows: tuple[tuple[int, int], ...]

    @property
    def voices(self) -> list[str]:
        """Every voice heard, in order of first use."""
        return list(dict.fromkeys(v.voice for v in self.voiced))

    def cues(self) -> list[Cue]:
        """The descriptions as cues in film time (``film.descriptions.vtt``)."""
        return [Cue(d.start_ms, d.end_ms, d.text) for d in self.placement.placed]

    def transcript_entries(self) -> dict[str, list[tuple[int, str]]]:
        """Each part's descriptions as (film ms, text), for the transcript."""
        return {part: [(d.start_ms, d.text) for d in placed]
                for part, placed in self.placement.by_part().items()}

    def to_manifest(self) -> dict[str, Any]:
        """What the manifest records: voices, ducking, every description, loudness."""
        return {
            "voices": self.voices,
            "duck_db": DUCK_DB, "ramp_ms": RAMP_MS,
            "descriptions": [{
                "part": v.placed.part, "cue": v.placed.cue, "text": v.placed.text,
                "film_start_ms": v.placed.start_ms, "film_end_ms": v.placed.end_ms,
                "voice_ms": v.voice_ms, "fits": v.fits, "voice": v.voice,
                "gain_db": v.gain_db} for v in self.voiced],
            "left_out": [str(x) for x in self.placement.left_out],
            "windows_ms": [list(w) for w in self.windows],
            "loudness": self.loudness.to_dict(),
        }


@dataclass(frozen=True)
class VoicedPlacement:
    """Every description placed and voiced, before the mix, and when speech starts in the film
    (each clip's words, their starts corrected by the VAD, in film ms; empty when unknown)."""

    placement: Placement
    voiced: tuple[Voiced, ...]
    speech_starts: tuple[int, ...] = ()


def film_speech_starts(project: Project, parts: Sequence[Part], fps: int) -> list[int]:
    """Where each word of the film's clips starts (film ms), from the transcripts' word times
    corrected by the VAD (:func:`pipeline.describe.pauses.speech_words`); a clip without a
    transcript adds none."""
    from pipeline.describe.pauses import speech_words
    from pipeline.exceptions import PipelineError

    starts: list[int] = []
    for part in parts:
        if part.kind != PartKind.CLIP or part.clip_id is None:
            continue
        try:
            words = speech_words(project, part.clip_id)
        except PipelineError:
            continue
        begin, length = part_start_ms(part, fps), part_duration_ms(part, fps)
        starts += [begin + w.start - part.in_ms for w in words
                   if part.in_ms <= w.start < part.in_ms + length]
    return sorted(starts)



def prepare_described(project: Project, parts: Sequence[Part], profile: RenderProfile,
                      progress: Progress | None = None) -> VoicedPlacement | None:
    """Place and voice the film's descriptions; None when it has none.

    Done before any picture is encoded, so a malformed script or a voice that cannot be made
    stops the render at once.

    Raises:
        DescriptionError, ToolMissingError: a script is malformed or a description cannot be
            voiced.
    """
    planned = plan_descriptions(project, parts, profile.fps)
    if planned is None:
        return None
    if progress:
        progress("described sound: voicing", 0.0)
    placement, voiced = voice_placement(project, parts, profile.fps, planned)
    return VoicedPlacement(placement, tuple(voiced),
                           tuple(film_speech_starts(project, parts, profile.fps)))


def described_sound(prepared: VoicedPlacement, parts: Sequence[Part],
                    segments: RenderedSegments, audio_list: Path, profile: RenderProfile,
                    segments_dir: Path, programme: FilmSound,
                    progress: Progress | None = None) -> DescribedSound:
    """The described sound of ``prepared`` over the programme, made now or re-used.

    Raises:
        LoudnessError: the mix is not within 1 LU of the target.
        OutputCheckError: the encoded track is not the film's length.
    """
    placement = prepared.placement
    voiced = level_voices(prepared.voiced, programme.loudness.before.get("i", float("-inf")),
                          segments_dir)
    film_ms = film_duration_ms(parts, profile.fps)
    windows = duck_windows([(v.placed.start_ms, ramp_up_from(v, prepared.speech_starts))
                            for v in voiced], film_ms)
    key = cache_key({
        "programme": [segments.files[p.name].audio_key for p in parts],
        "voices": [[sha256_file(v.wav), v.placed.start_ms, v.gain_db] for v in voiced],
        "windows": windows, "duck": [DUCK_DB, RAMP_MS, ENVELOPE_STEP_MS],
        "loudness": [profile.loudness_i, profile.true_peak, profile.loudness_range,
                     AAC_HEADROOM_DB],
        "codec": [profile.audio_codec, profile.audio_bitrate, profile.sample_rate],
        "coprod": __version__, "format": [SEGMENT_FORMAT, DESCRIBED_FORMAT]})
    sound = segments_dir / f"{key}.described.m4a"
    report, reused = cached_report(
        sound, segments_dir / f"{key}.described.json",
        lambda: normalise_by_gain(lambda: mix_graph(audio_list, voiced, windows, profile),
                                  sound, profile, progress, step="described sound",
                                  duration_ms=sum(p.frames for p in parts) * 1000 / profile.fps),
        LoudnessReport)
    return DescribedSound(sound, report, reused, placement, tuple(voiced), tuple(windows))


__all__ = [
    "AUDIO_DESCRIBED",
    "DESCRIBED_FORMAT",
    "DescribedSound",
    "VoicedPlacement",
    "described_sound",
    "described_title",
    "film_speech_starts",
    "level_voices",
    "makes_described",
    "mix_graph",
    "plan_descriptions",
    "prepare_described",
    "track_options",
    "voice_placement",
]
