"""Render benchmark: coprod against moviepy and one hand-written ffmpeg command, in one run.

All three render the same generated film: six 720p clips with speech (espeak-ng) scaled to the
web profile's 1920x1080, a title and a credits card, and make two films of it: the clean film and
the open-captions film. coprod and the ffmpeg command also add a soft mov_text track and
normalise loudness; moviepy can do neither, so its time leaves that work out. Then one cue of one
clip is edited and coprod renders again, and a `build` with nothing changed is timed. Last, the
access variants (bench/render_access.py): the described and the signed film, each against one
hand-written ffmpeg command doing the same mix or overlay, and a re-render after one description
edit.

    /tmp/v/bin/python bench/render.py                 # prints the table and ratios
    /tmp/v/bin/python bench/render.py --write-docs    # also updates docs/BENCHMARKS.md
    /tmp/v/bin/python bench/render.py --rounds 3 --seconds 2 --no-access   # a reduced run

moviepy is an optional extra (``pip install moviepy``), used here only; it is skipped, and the
table says so, when it is not installed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import date
from pathlib import Path
from statistics import median
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.render_access import bench_access  # noqa: E402
from bench.sections import DOCS, machine, write_section  # noqa: E402
from captions.formats import load as load_captions  # noqa: E402
from captions.formats import save as save_captions  # noqa: E402
from captions.model import Cue  # noqa: E402
from consent.ledger import Ledger  # noqa: E402
from consent.records import ConsentGiven, SignOff  # noqa: E402
from pipeline import clearance, runner  # noqa: E402
from pipeline.build import build_film  # noqa: E402
from pipeline.project import Project  # noqa: E402
from pipeline.render import render_film  # noqa: E402
from pipeline.render.burn_in import ass_document, caption_style  # noqa: E402
from pipeline.render.jobs import default_jobs  # noqa: E402
from pipeline.render.options import RenderOptions  # noqa: E402
from pipeline.render.segments import ENCODER_THREADS  # noqa: E402
from pipeline.render_profiles import load_profile  # noqa: E402

FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
START, END = "<!-- render:start -->", "<!-- render:end -->"
REDUCED_START, REDUCED_END = "<!-- render-reduced:start -->", "<!-- render-reduced:end -->"
OPEN_CAPTIONS = RenderOptions(open_captions=True)

LINES = [
    ["I started coming here two years ago.", "At first I did not say much at all."],
    ["The staff listened to what I wanted.", "We made a plan, one step at a time."],
    ["Now I cook my own meals most days.", "My sister says I am more confident."],
    ["Some weeks are still hard for me.", "But I know who to call when they are."],
    ["Making this film was my idea.", "I wanted other people to see it."],
    ["If you are thinking of asking, ask.", "It made a difference to me."],
]
CONTRIBUTORS = {"amara": "Amara Okafor", "ben": "Ben Smith", "chloe": "Chloé Dubois"}


def make_clip(work: Path, index: int, seconds: float) -> tuple[Path, list[Cue]]:
    """A 720p moving test picture with two spoken sentences, and its cues."""
    cues: list[Cue] = []
    wavs: list[Path] = []
    half = seconds / 2
    for j, sentence in enumerate(LINES[index % len(LINES)]):
        wav = work / f"speech-{index}-{j}.wav"
        runner.run(["espeak-ng", "-s", "150", "-w", str(wav), sentence])
        wavs.append(wav)
        start = round(j * half * 1000 + 300)
        cues.append(Cue(start, round((j + 1) * half * 1000 - 300), sentence))
    out = work / f"clip-{index + 1}.mp4"
    graph = (f"[1:a]apad=whole_dur={half}[s0];[2:a]apad=whole_dur={half}[s1];"
             "[s0][s1]concat=n=2:v=0:a=1,aresample=48000[a]")
    runner.ffmpeg(["-f", "lavfi", "-i", f"testsrc2=s=1280x720:r=25:d={seconds}",
                   "-i", str(wavs[0]), "-i", str(wavs[1]), "-filter_complex", graph,
                   "-map", "0:v", "-map", "[a]", "-t", str(seconds), "-c:v", "libx264",
                   "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
                   "-c:a", "aac", "-b:a", "192k", str(out)])
    return out, cues


def make_film(work: Path, seconds: float, clips: int = 6, name: str = "bench film") -> Project:
    """The benchmark film project: six clips (or ``clips``), captions, consent and sign-off."""
    work = work / f"{name} footage"
    work.mkdir(parents=True, exist_ok=True)
    project = Project.create(work.parent / name, "Asking for help")
    for cid, name in CONTRIBUTORS.items():
        project.add_contributor(cid, name)
    cues_by_clip = {}
    for i in range(clips):
        src, cues = make_clip(work, i, seconds)
        clip_id = f"clip-{i + 1}"
        dst = project.footage_dir / f"{clip_id}.mp4"
        shutil.move(src, dst)
        project.add_clip(clip_id, f"footage/{clip_id}.mp4", project.file_sha256(dst),
                         [list(CONTRIBUTORS)[i % 3]])
        cues_by_clip[clip_id] = cues
    project.save()
    for clip_id, cues in cues_by_clip.items():
        save_captions(cues, project.caption_path(clip_id))
    ledger = Ledger(project.ledger_path)
    for cid in CONTRIBUTORS:
        ledger.add(ConsentGiven.create(cid, scopes=["appear", "voice", "name"],
                                       channels=["internal", "web"], given=date(2026, 1, 10),
                                       method="written", obtained_by="bench"))
    sign_off(project)
    return project


def sign_off(project: Project) -> None:
    ledger = Ledger(project.ledger_path)
    for item in project.film.sequence:
        for person in project.clip(item.clip_id).contributors:
            ledger.add(SignOff(clip=item.clip_id, by=person,
                               content_key=clearance.clip_key(project, item.clip_id)))


def timed(func, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result


def hand_written_ffmpeg(project: Project, work: Path) -> None:
    """What an editor would write by hand: one graph, both films, single-pass loudnorm."""
    prof = load_profile("web")
    w, h, fps = prof.width, prof.height, prof.fps
    film_srt = project.build_dir / "web" / "film.srt"
    ass = work / "film.ass"
    ass.write_bytes(ass_document(load_captions(film_srt), prof))
    clips = [project.clip(item.clip_id).file for item in project.film.sequence]
    n = len(clips)
    text = "font='DejaVu Sans':fontcolor=white:x=(w-text_w)/2"
    args: list[str] = []
    for clip in clips:
        args += ["-i", str(clip)]
    for card_ms in (prof.title_card_ms, prof.credits_card_ms):
        args += ["-f", "lavfi", "-i", f"color=c=black:s={w}x{h}:r={fps}:d={card_ms / 1000}"]
    args += [
             "-f", "lavfi", "-i", f"anullsrc=r={prof.sample_rate}:cl=stereo",
             "-i", str(film_srt)]
    parts = [
        f"[{n}:v]drawtext=text='Asking for help':fontsize=81:y=h/2-60:{text},"
        f"drawtext=text='A co-produced film':fontsize=49:y=h/2+40:{text},format=yuv420p[tv]",
        f"[{n + 1}:v]drawtext=text='Co-produced by':fontsize=65:y=h/2-120:{text},"
        f"drawtext=text='Amara Okafor':fontsize=54:y=h/2-40:{text},"
        f"drawtext=text='Ben Smith':fontsize=54:y=h/2+40:{text},"
        f"drawtext=text='Chloé Dubois':fontsize=54:y=h/2+120:{text},format=yuv420p[cv]",
        f"[{n + 2}:a]asplit=2[s1][s2]",
        f"[s1]atrim=duration={prof.title_card_ms / 1000}[ta]",
        f"[s2]atrim=duration={prof.credits_card_ms / 1000}[ca]",
    ]
    order = "[tv][ta]"
    for i in range(n):
        parts.append(f"[{i}:v]fps={fps},scale={w}:{h}:force_original_aspect_ratio=decrease,"
                     f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p[v{i}]")
        parts.append(f"[{i}:a]aresample={prof.sample_rate},"
                     f"aformat=channel_layouts=stereo[a{i}]")
        order += f"[v{i}][a{i}]"
    order += "[cv][ca]"
    parts += [
        f"{order}concat=n={n + 2}:v=1:a=1[v][a]",
        "[v]split=2[v1][v2]",
        f"[v2]subtitles=filename={ass}[vb]",
        f"[a]loudnorm=I={prof.loudness_i}:TP={prof.true_peak - 0.5}:LRA={prof.loudness_range},"
        f"aresample={prof.sample_rate},aformat=channel_layouts=stereo,asplit=2[a1][a2]",
    ]
    enc = ["-c:v", "libx264", "-preset", prof.video_preset, "-crf", str(prof.video_crf),
           "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", prof.audio_bitrate,
           "-c:s", "mov_text", "-metadata:s:s:0", "language=eng", "-movflags", "+faststart"]
    runner.ffmpeg([*args, "-filter_complex", ";".join(parts),
                   "-map", "[v1]", "-map", "[a1]", "-map", f"{n + 3}:s", *enc,
                   str(work / "hand.mp4"),
                   "-map", "[vb]", "-map", "[a2]", "-map", f"{n + 3}:s", *enc,
                   str(work / "hand.open-captions.mp4")])


_MOVIEPY = """
import json, sys, time
from pathlib import Path
from moviepy import (ColorClip, CompositeVideoClip, TextClip, VideoFileClip,
                     concatenate_videoclips)
from moviepy.video.tools.subtitles import SubtitlesClip

opts = json.loads(sys.argv[1])
W, H, font, out = opts["width"], opts["height"], opts["font"], Path(opts["out"])
start = time.perf_counter()

def card(lines, seconds):
    # The vertical margin keeps descenders, which moviepy's TextClip would cut off.
    texts = [TextClip(font=font, text=t, font_size=60, color="white", margin=(0, 12))
             .with_duration(seconds)
             .with_position(("center", H / 2 - 60 * len(lines) + 90 * i))
             for i, t in enumerate(lines)]
    # The black card is the background: no transparency, so no mask to composite.
    return CompositeVideoClip([ColorClip((W, H), (0, 0, 0), duration=seconds), *texts],
                              use_bgclip=True)

# ffmpeg scales while decoding (moviepy's fast path, instead of resizing frames in Python).
videos = [VideoFileClip(c, target_resolution=(None, H), audio_fps=opts["sample_rate"])
          for c in opts["clips"]]
film = concatenate_videoclips(
    [card(["Asking for help", "A co-produced film"], opts["title_s"]), *videos,
     card(["Co-produced by", "Amara Okafor", "Ben Smith", "Chloé Dubois"], opts["credits_s"])])
# The sound is the same in both films: encode it once and copy it into each.
sound = out / "moviepy.sound.m4a"
film.audio.write_audiofile(str(sound), fps=opts["sample_rate"], codec="aac",
                           bitrate=opts["audio_bitrate"], logger=None)
after_sound = time.perf_counter()
write = dict(fps=opts["fps"], codec="libx264", preset=opts["preset"],
             ffmpeg_params=["-crf", str(opts["crf"]), "-pix_fmt", "yuv420p"],
             threads=2, audio=str(sound), audio_codec="copy", logger=None)
film.write_videofile(str(out / "moviepy.mp4"), **write)
after_clean = time.perf_counter()
subs = SubtitlesClip(opts["srt"], encoding="utf-8", make_textclip=lambda t: TextClip(
    font=font, text=t, font_size=opts["caption_size"], color="white", bg_color="black",
    margin=(opts["caption_pad"], opts["caption_pad"])))
# With use_bgclip the composite ends with its last overlay (the last cue): give it the film's.
burned = CompositeVideoClip([film, subs.with_position(("center", H * 0.75))],
                            use_bgclip=True).with_duration(film.duration)
burned.write_videofile(str(out / "moviepy.open-captions.mp4"), **write)
done = time.perf_counter()
print(json.dumps({"total": done - start, "sound": after_sound - start,
                  "clean": after_clean - after_sound, "burned": done - after_clean}))
"""


def moviepy_render(project: Project, work: Path) -> dict[str, float] | None:
    """moviepy making the clean and the burned-in film; its times (seconds), None if absent.

    Timed inside the moviepy process after its imports, as coprod is timed in-process.
    """
    try:
        import moviepy  # noqa: F401
    except ImportError:
        return None
    prof = load_profile("web")
    style = caption_style(prof)
    opts = {
        "font": FONT_FILE, "srt": str(project.build_dir / "web" / "film.srt"), "out": str(work),
        "clips": [str(project.clip(item.clip_id).file) for item in project.film.sequence],
        "width": prof.width, "height": prof.height, "fps": prof.fps,
        "preset": prof.video_preset, "crf": prof.video_crf,
        "audio_bitrate": prof.audio_bitrate, "sample_rate": prof.sample_rate,
        "title_s": prof.title_card_ms / 1000, "credits_s": prof.credits_card_ms / 1000,
        "caption_size": style["size"], "caption_pad": style["pad"],
    }
    # The same ffmpeg binary as the others (moviepy would otherwise use imageio's own).
    env = {**os.environ, "FFMPEG_BINARY": runner.which("ffmpeg")}
    proc = subprocess.run([sys.executable, "-c", _MOVIEPY, json.dumps(opts)], check=True,
                          env=env, stdout=subprocess.PIPE, text=True)
    times: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return times


def edit_one_cue(project: Project) -> None:
    path = project.caption_path("clip-3")
    cues = load_captions(path)
    cues[0] = Cue(cues[0].start, cues[0].end, "Now I cook my own meals every day.")
    save_captions(cues, path)
    sign_off(project)


def warm_up(work: Path) -> None:
    """One tiny libass render, so fontconfig's cache is built before anything is timed."""
    ass = work / "warm.ass"
    ass.write_bytes(ass_document([Cue(0, 500, "warm up")], load_profile("review")))
    runner.ffmpeg(["-f", "lavfi", "-i", "color=s=320x180:d=0.5", "-vf",
                   f"subtitles=filename={ass}", "-f", "null", "-"])


def _runs(times: list[float]) -> str:
    return f"median of {len(times)}: " + ", ".join(f"{t:.1f}" for t in times)


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def _load() -> float:
    return os.getloadavg()[0]


def _full_render(project: Project, *, jobs: int | None = None,
                 encoder_threads: int | None = None) -> tuple[float, Any]:
    """One coprod render of both films from an empty segment cache (``jobs`` at once, x264
    with ``encoder_threads``: the decisions pipeline/render/jobs.py and segments.py made)."""
    from pipeline.render import segments

    shutil.rmtree(project.build_dir / "segments", ignore_errors=True)
    saved = segments.ENCODER_THREADS
    if encoder_threads is not None:
        segments.ENCODER_THREADS = encoder_threads
    try:
        return timed(render_film, project, "web",
                     options=RenderOptions(open_captions=True, jobs=jobs))
    finally:
        segments.ENCODER_THREADS = saved


def one_cue_edit(project: Project) -> tuple[float, Any]:
    """A render after one cue of clip-3 is edited (the film rendered before)."""
    edit_one_cue(project)
    return timed(render_film, project.reload(), "web", options=OPEN_CAPTIONS)


def run(seconds: float, rounds: int, write_docs: bool, keep: Path | None, *,
        decisions: bool = True, access: bool = True, long_film: bool = True) -> None:
    work = Path(tempfile.mkdtemp(prefix="coprod-bench-")) if keep is None else keep
    work.mkdir(parents=True, exist_ok=True)
    print(f"generating a 6-clip film ({seconds:g} s clips) in {work} ...", flush=True)
    project = make_film(work, seconds)
    warm_up(work)
    film_s = 6 * seconds + 8
    # The default render goes last in each round, so the one-cue edit re-uses its cache.
    sides = (["jobs=1", "x264 threads=3"] if decisions else []) + ["ffmpeg", "coprod"]
    runs: dict[str, list[float]] = {side: [] for side in sides}
    movie_runs: list[dict[str, float]] = []
    loads: list[float] = []
    result: Any = None
    print("warm-up render (not timed: the film's captions for the ffmpeg command, models "
          "loaded once) ...", flush=True)
    _full_render(project)
    # Every side takes its turn in each round, so a busy moment on the machine hits them alike;
    # the median round decides, and every round is listed.
    for i in range(rounds):
        loads.append(_load())
        for side in sides:
            print(f"[{i + 1}/{rounds}] {side} (both films)...", flush=True)
            if side == "ffmpeg":
                secs, _ = timed(hand_written_ffmpeg, project, work)
            elif side == "jobs=1":
                secs, _ = _full_render(project, jobs=1)
            elif side == "x264 threads=3":
                secs, _ = _full_render(project, encoder_threads=3)
            else:
                secs, result = _full_render(project)
            runs[side].append(secs)
            print(f"  {secs:.1f} s", flush=True)
        movie = moviepy_render(project, work)
        if movie is not None:
            movie_runs.append(movie)
        loads.append(_load())
    full_s, hand_s = median(runs["coprod"]), median(runs["ffmpeg"])
    ratios = [c / h for c, h in zip(runs["coprod"], runs["ffmpeg"], strict=True)]
    edit_s, edited = one_cue_edit(project)
    print(f"one-cue edit: {edit_s:.1f} s; made: {', '.join(edited.segments_rendered)}")
    build_film(project, ["web"], options=OPEN_CAPTIONS)  # records the build stamp
    noop_s, noop = timed(build_film, project.reload(), ["web"], options=OPEN_CAPTIONS)
    assert noop.up_to_date == ["web"] and not noop.rendered
    rows: list[tuple[str, float | None, str]] = [
        ("coprod full render (clean + open-captions films, loudness normalised)", full_s,
         _runs(runs["coprod"])),
        ("one hand-written ffmpeg command (same two films, loudness normalised)", hand_s,
         _runs(runs["ffmpeg"]) + "; coprod / ffmpeg per round: "
         + ", ".join(f"{r:.2f}" for r in ratios) + f"; median {median(ratios):.2f}x "
         f"(target <= 1.05x: {_verdict(median(ratios) <= 1.05)})"),
    ]
    for side in sides[:-2]:
        per = [d / c for d, c in zip(runs[side], runs["coprod"], strict=True)]
        rows.append((f"coprod full render with {side} (default: jobs "
                     f"{default_jobs()}, x264 threads {ENCODER_THREADS})", median(runs[side]),
                     _runs(runs[side]) + "; / default per round: "
                     + ", ".join(f"{r:.2f}" for r in per) + f"; median {median(per):.2f}x"))
    if movie_runs:
        best = median([m["total"] for m in movie_runs])
        rows.append(("moviepy concatenate + SubtitlesClip + write (clean + burned-in films)",
                     best, _runs([m["total"] for m in movie_runs])
                     + f"; moviepy / coprod = {best / full_s:.2f}x"))
    rows += [
        ("coprod re-render after editing one cue in one clip", edit_s,
         f"{100 * edit_s / full_s:.1f}% of the full render (target <= 5%: "
         f"{_verdict(edit_s / full_s <= 0.05)}); made: {', '.join(edited.segments_rendered)}; "
         f"film's sound {'re-used' if 'film:loudness' in edited.segments_reused else 'MADE'}"),
        ("coprod build with nothing changed (in-process, after imports)", noop_s,
         f"target < 2 s: {_verdict(noop_s < 2)}"),
    ]
    if long_film:
        print("generating a film four times as long (24 clips) ...", flush=True)
        longer = make_film(work, seconds, clips=24, name="long film")
        long_s, _ = _full_render(longer)
        long_edit_s, long_edited = one_cue_edit(longer)
        rows += [
            ("coprod full render, film four times as long (24 clips; one round)", long_s, ""),
            ("coprod re-render after editing one cue, film four times as long", long_edit_s,
             f"{100 * long_edit_s / long_s:.1f}% of its full render (target <= 5%: "
             f"{_verdict(long_edit_s / long_s <= 0.05)}); {long_edit_s / edit_s:.2f}x the "
             f"short film's re-render; made: {', '.join(long_edited.segments_rendered)}"),
        ]
    access_note = ""
    if access:
        access_rows, access_note = bench_access(project.reload(), work, film_s, rounds, full_s,
                                                sign_off)
        rows += access_rows
    load_note = ("load average (1 min) at the start and end of each round: "
                 + ", ".join(f"{x:.1f}" for x in loads))
    print()
    for row_name, secs, note in rows:
        shown = f"{secs:8.3f} s" if secs is not None else "       - "
        print(f"{shown}  {row_name}  {note}")
    print(load_note)
    if write_docs:
        reduced = rounds < 5 or seconds != 8.0 or not (decisions and access and long_film)
        update_docs(rows, seconds, film_s, result.loudness.normalization, load_note,
                    rounds, access_note, reduced=reduced)
        print(f"\nwrote the Render section of {DOCS.relative_to(ROOT)}")
    if keep is None:
        shutil.rmtree(work, ignore_errors=True)


def update_docs(rows: list[tuple[str, float | None, str]], seconds: float,
                film_s: float, loudness: str, load_note: str, rounds: int,
                access_note: str = "", *, reduced: bool = False) -> None:
    """Write the Render section (a reduced run writes its own section beside it)."""
    start, end = (REDUCED_START, REDUCED_END) if reduced else (START, END)
    table = ["| step | seconds | runs and ratio |", "|---|---:|---|"]
    table += [f"| {name} | {secs:.3f} | {note} |" if secs is not None else
              f"| {name} | - | {note} |" for name, secs, note in rows]
    section = "\n".join([
        start,
        "## Render" + (" (a reduced run)" if reduced else ""),
        "",
        f"Measured by `bench/render.py` on {date.today().isoformat()}, {machine()}, "
        f"{' '.join(runner.tool_version('ffmpeg').split()[:3])}; {rounds} rounds.",
        "",
        textwrap.fill(
            f"The film: six generated 720p clips of {seconds:g} s with espeak-ng speech and two "
            f"captions each, plus a 3 s title card and a 5 s credits card ({film_s:g} s in all), "
            "rendered with the `web` profile (1920x1080 H.264 `fast` CRF 20, AAC 192k, "
            "-16 LUFS) into two films: the clean film and the open-captions film, each with a "
            "mov_text track and loudness normalised (the hand-written command in its one "
            f"loudnorm pass; coprod measuring first, here: {loudness}, and verifying). In each "
            "round every side takes its turn (coprod from an empty segment cache; the "
            "hand-written command; coprod with one job at a time and with three x264 threads, "
            "the decisions pipeline/render/jobs.py and segments.py made; moviepy when "
            "installed); the median round decides and every round is listed. The one-cue edit "
            "changes clip-3's first cue, signs off again and renders; the film four times as "
            "long has 24 such clips, so the edited clip is the same size and the share shows "
            "what grows with the film.", 100, break_on_hyphens=False),
        "",
        *table,
        "",
        textwrap.fill(load_note + ".", 100, break_on_hyphens=False),
        "",
        *([textwrap.fill(access_note, 100, break_on_hyphens=False), ""] if access_note else []),
        end,
    ])
    write_section(start, end, section)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each clip")
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds in which every side renders once (the median decides)")
    parser.add_argument("--no-decisions", action="store_true",
                        help="leave out the jobs=1 and three-x264-thread renders")
    parser.add_argument("--no-access", action="store_true",
                        help="leave out the described and signed variants")
    parser.add_argument("--no-long-film", action="store_true",
                        help="leave out the film four times as long")
    parser.add_argument("--write-docs", action="store_true",
                        help="replace the Render section of docs/BENCHMARKS.md (a run with "
                             "fewer than 5 rounds, or anything left out, writes its own "
                             "reduced-run section instead)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    run(args.seconds, args.rounds, args.write_docs, args.keep,
        decisions=not args.no_decisions, access=not args.no_access,
        long_film=not args.no_long_film)


if __name__ == "__main__":
    main()
