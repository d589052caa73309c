"""The access variants of bench/render.py (issue 12): the signed film and the described film, each
timed side by side with one hand-written ffmpeg command doing the same overlay or the same ducked
mix, and a re-render after one description edit.

Imported by bench/render.py, which owns the `render` section of docs/BENCHMARKS.md; these
functions return rows for its table. Each comparison takes turns (coprod, then the command, for
each repeat) on the benchmark film after its clean and open-captions segments are cached, so
each side does only the variant's own work:

* signed: coprod renders with a film-wide signer added, its signed segments removed before each
  turn (the other segments and the sound are cached; every film is re-muxed and re-checked);
  the command overlays the same signer on coprod's `film.mp4`, burns the same captions kept
  clear of the inset, copies the sound and adds the subtitle track.
* described: coprod renders with a description in every clip (voiced once before timing), its
  described sound removed before each turn; the command ducks `film.mp4`'s sound with the same
  envelope (`DUCK_DB`, `RAMP_MS`), lays the same voice files at the same times, normalises the
  mix in one loudnorm pass and writes `film.described.mp4` with the picture copied.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from captions.formats import load as load_captions
from captions.styles import get_style
from consent.ledger import Ledger
from consent.records import SignOff
from pipeline import runner
from pipeline.clearance.sign_videos import sign_path, sign_videos
from pipeline.clearance.signers import signing_use
from pipeline.project import Project
from pipeline.render import RenderResult, render_film
from pipeline.render.burn_in import ass_document
from pipeline.render.options import RenderOptions
from pipeline.render.signing import INSET_BACKGROUND, SIGNED_FILM, inset_for, signed_cues
from pipeline.render_profiles import load_profile

OPEN_CAPTIONS = RenderOptions(open_captions=True)

Row = tuple[str, float | None, str]
SIGNER = "chloe"


def _timed(func: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result


class StepClock:
    """A render's progress callback that keeps every step it hears of, with the time: a step's
    share is from its first report to the first report of another step after it."""

    def __init__(self) -> None:
        self.events: list[tuple[float, str]] = []

    def __call__(self, step: str, _fraction: float) -> None:
        self.events.append((time.perf_counter(), step))

    def seconds(self, prefix: str) -> float:
        """About how long the steps whose names start with ``prefix`` took, together."""
        marks = [i for i, (_, step) in enumerate(self.events) if step.startswith(prefix)]
        if not marks:
            return 0.0
        after = [t for t, step in self.events[marks[-1]:] if not step.startswith(prefix)]
        end = after[0] if after else self.events[marks[-1]][0]
        return end - self.events[marks[0]][0]


def _runs(times: list[float]) -> str:
    return f"best of {len(times)}: " + ", ".join(f"{t:.1f}" for t in times)


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


# --- the signed variant --------------------------------------------------------------------------


def add_film_signer(project: Project, seconds: float) -> Project:
    """A synthetic signer (a figure whose hands move) for the whole film, signed off."""
    out = sign_path(project, "film")
    out.parent.mkdir(parents=True, exist_ok=True)
    hands = ",".join(
        f"drawbox=x='{x}':y='{y}':w=60:h=60:color=0xE0AC69:t=fill" for x, y in
        (("150+60*sin(2*PI*t)", "300+80*sin(3*PI*t)"),
         ("330-60*sin(2*PI*t+1)", "300+80*cos(3*PI*t)")))
    runner.ffmpeg(["-f", "lavfi", "-i",
                   f"color=c=0xB0C4DE:s=540x640:r=25:d={seconds:.2f},"
                   "drawbox=x=220:y=90:w=100:h=120:color=0xE0AC69:t=fill,"
                   f"drawbox=x=170:y=220:w=200:h=330:color=0x1D3557:t=fill,{hands}",
                   "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
                   str(out)])
    project.doc["signer"] = SIGNER
    project.save()
    project = project.reload()
    ledger = Ledger(project.ledger_path)
    for video in sign_videos(project):
        use = signing_use(project, video, fresh=True)
        ledger.add(SignOff(clip=video.use_id, by=SIGNER, content_key=use.content_key,
                           footage_sha256=use.footage_sha256))
    return project


def hand_signed(project: Project, work: Path) -> None:
    """One command: coprod's clean film, captions kept clear of the inset, the signer over it."""
    prof = load_profile("web")
    out_dir = project.build_dir / "web"
    inset = inset_for(prof)
    ass = work / "signed.ass"
    # The same cues coprod burns: made again for the lines left of the inset.
    cues = signed_cues(load_captions(out_dir / "film.srt"), prof,
                       get_style(project.film.caption_style))
    ass.write_bytes(ass_document(cues, prof, clear_right=prof.width - inset.x))
    graph = (f"[1:v]setpts=PTS-STARTPTS,fps={prof.fps},scale={inset.width}:{inset.height}:"
             "force_original_aspect_ratio=decrease:force_divisible_by=2,"
             f"pad={inset.width}:{inset.height}:(ow-iw)/2:(oh-ih)/2:color={INSET_BACKGROUND},"
             f"setsar=1[s];[0:v]subtitles=filename={ass}[b];"
             f"[b][s]overlay=x={inset.x}:y={inset.y}:eof_action=pass,format=yuv420p[v]")
    runner.ffmpeg(["-i", str(out_dir / "film.mp4"), "-i", str(sign_path(project, "film")),
                   "-i", str(out_dir / "film.srt"), "-filter_complex", graph,
                   "-map", "[v]", "-map", "0:a:0", "-map", "2:s",
                   "-c:v", "libx264", "-preset", prof.video_preset, "-crf", str(prof.video_crf),
                   "-pix_fmt", "yuv420p", "-c:a", "copy", "-c:s", "mov_text",
                   "-metadata:s:s:0", "language=eng", "-movflags", "+faststart",
                   str(work / "hand.signed.mp4")])


def _drop_signed_segments(result: RenderResult, segments: Path) -> None:
    for key in result.manifest.get("signed", {}).get("segments", {}).values():
        for suffix in (".mp4", ".ass"):
            (segments / f"{key}{suffix}").unlink(missing_ok=True)


def bench_signed(project: Project, work: Path, film_s: float, repeats: int) -> list[Row]:
    """coprod's signed variant against the hand-written overlay, taking turns."""
    project = add_film_signer(project, film_s)
    segments = project.build_dir / "segments"
    result: RenderResult | None = None  # the first turn finds no signed segment cached
    coprod_runs: list[float] = []
    hand_runs: list[float] = []
    inner: list[float] = []
    for i in range(repeats):
        if result is not None:
            _drop_signed_segments(result, segments)
        print(f"[{i + 1}/{repeats}] coprod: signed variant (signed segments only)...", flush=True)
        clock = StepClock()
        secs, result = _timed(render_film, project, "web", options=OPEN_CAPTIONS, progress=clock)
        coprod_runs.append(secs)
        inner.append(clock.seconds("signed "))
        assert SIGNED_FILM in result.outputs
        print(f"  {secs:.1f} s (signed segments' ffmpeg runs about {inner[-1]:.1f} s); rendered "
              f"{', '.join(result.segments_rendered)}", flush=True)
        print(f"[{i + 1}/{repeats}] hand-written ffmpeg overlay...", flush=True)
        secs, _ = _timed(hand_signed, project, work)
        hand_runs.append(secs)
        print(f"  {secs:.1f} s", flush=True)
    best, hand = min(coprod_runs), min(hand_runs)
    split = inner[coprod_runs.index(best)]
    return [
        ("coprod signed variant (film-wide signer added; signed segments + re-mux of every film)",
         best, _runs(coprod_runs) + f"; of the best, the signed segments' ffmpeg runs about "
         f"{split:.1f} s, the rest ({best - split:.1f} s) what every render does (fresh footage "
         "hashes, gate, re-mux and check of every film)"),
        ("one hand-written ffmpeg command (same overlay and captions on film.mp4)", hand,
         _runs(hand_runs) + f"; coprod / ffmpeg = {best / hand:.2f}x "
         f"(target <= 1.2x: {_verdict(best / hand <= 1.2)})"),
    ]


# --- the described variant ----------------------------------------------------------------------

DESCRIPTION = "Colour bars and a moving circle."
EDITED = "Colour bars, a circle and a count."


def write_descriptions(project: Project, text: str = DESCRIPTION,
                       clip_ids: Sequence[str] | None = None) -> None:
    """One description a clip, in the pause after its first sentence."""
    from pipeline.describe import descriptions_path

    for item in project.film.sequence:
        if clip_ids is not None and item.clip_id not in clip_ids:
            continue
        path = descriptions_path(project, item.clip_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"WEBVTT\n\n00:00:02.900 --> 00:00:03.900\n{text}\n", encoding="utf-8")


def _voiced(project: Project) -> list[Any]:
    """The voiced descriptions coprod mixed (the same cached voice files), in film order."""
    from pipeline.render.described import plan_descriptions, voice_placement
    from pipeline.render.gate import run_gate
    from pipeline.render.plan import plan_film
    from pipeline.render.sidecars import Credits, title_card_lines

    prof = load_profile("web")
    gate = run_gate(project, prof, fresh=False).result
    credits = Credits.for_film(project, gate.allowed, gate.name_allowed)
    parts = plan_film(project, prof, gate.allowed, title_card_lines(project),
                      credits.card_lines())
    planned = plan_descriptions(project, parts, prof.fps)
    assert planned is not None
    return voice_placement(project, parts, prof.fps, planned)[1]


def hand_described(project: Project, work: Path, voiced: Sequence[Any],
                   described: dict[str, Any]) -> None:
    """One command: film.mp4's sound ducked by the same envelope under the same voice files at
    the same times and gains, one loudnorm pass, picture copied: film.described.mp4."""
    from pipeline.render.description_track import duck_filter

    prof = load_profile("web")
    gains = {(d["part"], d["cue"]): d["gain_db"] for d in described["descriptions"]}
    windows = [tuple(w) for w in described["windows_ms"]]
    step = prof.sample_rate * 10 // 1000
    args = ["-i", str(project.build_dir / "web" / "film.mp4")]
    graph = [f"[0:a:0]asetnsamples=n={step}:p=0,{duck_filter(windows)}[bed]"]
    mix = "[bed]"
    for i, v in enumerate(voiced, start=1):
        args += ["-i", str(v.wav)]
        gain = gains.get((v.placed.part, v.placed.cue), 0.0)
        graph.append(f"[{i}:a]aformat=sample_fmts=fltp:sample_rates={prof.sample_rate}:"
                     f"channel_layouts=stereo,volume={gain:.2f}dB,"
                     f"adelay=delays={v.placed.start_ms}:all=1[v{i}]")
        mix += f"[v{i}]"
    graph.append(f"{mix}amix=inputs={len(voiced) + 1}:duration=first:dropout_transition=0:"
                 f"normalize=0,loudnorm=I={prof.loudness_i}:TP={prof.true_peak - 0.5}:"
                 f"LRA={prof.loudness_range},aresample={prof.sample_rate},"
                 "aformat=channel_layouts=stereo[a]")
    runner.ffmpeg([*args, "-filter_complex", ";".join(graph), "-map", "0:v", "-map", "[a]",
                   "-c:v", "copy", "-c:a", "aac", "-b:a", prof.audio_bitrate,
                   "-metadata:s:a:0", "language=eng", "-metadata:s:a:0",
                   "title=English, audio described", "-disposition:a:0", "default+visual_impaired",
                   "-movflags", "+faststart", str(work / "hand.described.mp4")])


def _drop_described(segments: Path) -> None:
    for cached in list(segments.glob("*.described.m4a")) + list(segments.glob("*.described.json")):
        cached.unlink(missing_ok=True)


def bench_described(project: Project, work: Path, repeats: int, full_s: float,
                    sign_off: Callable[[Project], None]) -> list[Row]:
    """coprod's described variant against the hand-written ducked mix, taking turns; then one
    description edited and rendered again."""
    write_descriptions(project)
    sign_off(project)
    print("coprod: described variant (first render: voices every description, not timed)...",
          flush=True)
    result = render_film(project.reload(), "web", options=OPEN_CAPTIONS)
    described = result.manifest["described"]
    voiced = _voiced(project.reload())
    segments = project.build_dir / "segments"
    coprod_runs: list[float] = []
    hand_runs: list[float] = []
    inner: list[float] = []
    for i in range(repeats):
        _drop_described(segments)
        print(f"[{i + 1}/{repeats}] coprod: described variant (mix, normalise, re-mux)...",
              flush=True)
        clock = StepClock()
        secs, result = _timed(render_film, project.reload(), "web", options=OPEN_CAPTIONS,
                              progress=clock)
        coprod_runs.append(secs)
        inner.append(clock.seconds("described sound"))
        print(f"  {secs:.1f} s (described sound's ffmpeg runs about {inner[-1]:.1f} s); "
              f"rendered {', '.join(result.segments_rendered)}", flush=True)
        print(f"[{i + 1}/{repeats}] hand-written ffmpeg ducked mix...", flush=True)
        secs, _ = _timed(hand_described, project, work, voiced, described)
        hand_runs.append(secs)
        print(f"  {secs:.1f} s", flush=True)
    write_descriptions(project, EDITED, ["clip-3"])
    sign_off(project)
    print("coprod: render after editing one description in clip-3...", flush=True)
    edit_s, edited = _timed(render_film, project.reload(), "web", options=OPEN_CAPTIONS)
    encoded = [s for s in edited.segments_rendered if not s.endswith(":audio")]
    print(f"  {edit_s:.1f} s; rendered: {', '.join(edited.segments_rendered)}", flush=True)
    best, hand = min(coprod_runs), min(hand_runs)
    split = inner[coprod_runs.index(best)]
    return [
        ("coprod described variant (descriptions voiced and cached; mix, loudness, re-mux of "
         "every film)", best, _runs(coprod_runs) + f"; of the best, the described sound's "
         f"ffmpeg runs (mix and measure, encode with one gain, check) about {split:.1f} s, "
         f"the rest ({best - split:.1f} s) what every render does"),
        ("one hand-written ffmpeg command (same ducking, voices and gains on film.mp4's sound)",
         hand, _runs(hand_runs) + f"; coprod / ffmpeg = {best / hand:.2f}x "
         f"(target <= 1.2x: {_verdict(best / hand <= 1.2)})"),
        ("coprod re-render after editing one description in one clip", edit_s,
         f"{100 * edit_s / full_s:.1f}% of the full render (target <= 15%: "
         f"{_verdict(edit_s / full_s <= 0.15)}); made: {', '.join(encoded) or 'no segment'}"),
    ]


def bench_access(project: Project, work: Path, film_s: float, repeats: int, full_s: float,
                 sign_off: Callable[[Project], None]) -> tuple[list[Row], str]:
    """Every access comparison: its table rows and a paragraph saying what was measured."""
    rows = bench_described(project, work, repeats, full_s, sign_off)
    rows += bench_signed(project.reload(), work, film_s, repeats)
    note = (
        "Access variants (issue 12, `bench/render_access.py`), on the same film after the runs "
        "above, its clean and open-captions segments cached. Signed: a film-wide synthetic "
        f"signer ({film_s:g} s, 540x640) is added and signed off; before each coprod turn its "
        "signed segments are removed, so coprod renders every signed segment (the clean picture "
        "decoded, captions burned clear of the inset, the signer overlaid, encoded; two "
        "segments at once, its default on 2 cores) and re-muxes and re-checks every film (two "
        "at once); the hand-written command does the same overlay and captions on coprod's "
        "film.mp4 in one pass, sound copied. Described: one description a clip "
        "(after its first sentence) and the cards' own, voiced once by the offline voice before "
        "timing; before each coprod turn its cached described sound is removed, so coprod "
        "mixes (programme ducked by DUCK_DB with RAMP_MS ramps, voices laid at their times) and "
        "measures the mix, encodes it with one gain (peaks limited, as they are here), checks "
        "the encoded track (encoding again only if the limiter took over 0.2 LU), and re-muxes "
        "every film; the hand-written command "
        "makes the same mix from the same voice files, gains and ducking windows on "
        "film.mp4's sound with one loudnorm pass and copies the picture into "
        "film.described.mp4. The one-description edit changes clip-3's description, signs "
        "off again and renders; it is compared with the full render above (which made no "
        "described track, so the share is if anything overstated).")
    return rows, note


__all__ = ["Row", "add_film_signer", "bench_access", "bench_signed", "hand_signed"]
