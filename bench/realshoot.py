"""Real shoots: camera-like clips through ingest, transcribe and render, against a hand-written
ffmpeg command, and the peak memory of a 60-minute interview (issue 22).

Ten clips of about two minutes, one in each format of :mod:`bench.realshoot_media` (real speech
from ../shared/corpus, lavfi pictures), go into one film. Each stage runs as `coprod` would run
it (a fresh Python process: `coprod ingest`, `coprod transcribe`, `coprod render`), timed in that
process after its imports; a clip's ingest and transcription are given as a multiple of real
time (seconds of footage per second of work, so 2.0x is twice as fast as playing it). The film's
render and one hand-written ffmpeg command doing the same work (deinterlace, tone-map, dual mono
speech in sync, scale, cards, loudness, soft captions) take turns for ``--rounds`` rounds and the
medians are compared. A clip or stage that fails is listed with its error and the rest go on.

Last (not in ``--quick``), a 60-minute 1080p25 interview in a film of its own: each stage's peak
resident memory, of the coprod process and of its largest child (ffmpeg), from getrusage.

    python bench/realshoot.py --quick                 # 2 clips of 20 s, no 60-minute take
    python bench/realshoot.py --write-docs            # all of it; updates docs/BENCHMARKS.md
    python bench/realshoot.py --formats plain,hlg --seconds 30
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.realshoot_media import (  # noqa: E402
    CORPUS,
    FORMATS,
    Made,
    hand_written_render,
    long_interview,
    make_clip,
)
from bench.sections import machine, write_section  # noqa: E402

START, END = "<!-- realshoot:start -->", "<!-- realshoot:end -->"
QUICK = ("plain", "prores-24bit-tc")
CONTRIBUTOR = ("amara", "Amara Okafor")
# Runs one coprod command; reports its time after imports and peak memory on stderr's last line.
STAGE = """
import json, resource, sys, time
from pipeline.cli import cli
start = time.perf_counter()
try:
    cli.main(sys.argv[1:], prog_name="coprod")
    code = 0
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
took = time.perf_counter() - start
usage = {"code": code, "seconds": took,
         "python_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
         "child_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}
print("REALSHOOT " + json.dumps(usage), file=sys.stderr)
"""


@dataclass
class Stage:
    """One coprod command run: exit code, seconds after imports, peak memory, error line."""

    code: int
    seconds: float
    python_mb: float
    child_mb: float
    error: str = ""


def stage(*args: str) -> Stage:
    """Run ``coprod ARGS`` in a fresh process and measure it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", STAGE, *args], env=env, capture_output=True,
                          text=True, check=False)
    lines = proc.stderr.strip().splitlines()
    report = next((ln for ln in reversed(lines) if ln.startswith("REALSHOOT ")), None)
    if report is None:
        return Stage(proc.returncode, 0.0, 0.0, 0.0, (lines or ["no output"])[-1])
    data = json.loads(report.removeprefix("REALSHOOT "))
    errors = [ln for ln in lines if ln.startswith(("Error", "error", "coprod:"))]
    return Stage(data["code"], data["seconds"], data["python_kb"] / 1024,
                 data["child_kb"] / 1024, (errors or lines[:-1] or [""])[-1][:200]
                 if data["code"] else "")


@dataclass
class Result:
    """Everything one run measured."""

    seconds: float
    clips: list[tuple[Made, Stage, Stage | None]] = field(default_factory=list)
    coprod_render: list[Stage] = field(default_factory=list)
    hand_render: list[float] = field(default_factory=list)
    long: dict[str, Stage] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def new_film(root: Path) -> Path:
    from pipeline.project import Project

    project = Project.create(root, "Asking for help")
    project.add_contributor(*CONTRIBUTOR)
    project.save()
    return root


def clear_film(root: Path) -> None:
    """Consent and sign-off for every clip, as the producer records them before rendering."""
    from consent.ledger import Ledger
    from consent.records import ConsentGiven, SignOff
    from pipeline import clearance
    from pipeline.project import Project

    project = Project.open(root)
    ledger = Ledger(project.ledger_path)
    ledger.add(ConsentGiven.create(CONTRIBUTOR[0], scopes=["appear", "voice", "name"],
                                   channels=["internal", "web"], given=date(2026, 1, 10),
                                   method="written", obtained_by="bench"))
    for item in project.film.sequence:
        ledger.add(SignOff(clip=item.clip_id, by=CONTRIBUTOR[0],
                           content_key=clearance.clip_key(project, item.clip_id)))


def hand_render(root: Path, clips: list[Made], out: Path) -> float:
    """Time the hand-written command over the clips coprod ingested, with coprod's captions."""
    import time

    from pipeline.project import Project
    from pipeline.render_profiles import load_profile

    project = Project.open(root)
    prof = load_profile("web")
    film_srt = project.build_dir / "web" / "film.srt"
    if not film_srt.exists():  # coprod's render failed: any caption file stands in
        film_srt = next((project.root / "captions").glob("*.srt"))
    start = time.perf_counter()
    hand_written_render(clips, film_srt, out, size=(prof.width, prof.height), fps=prof.fps,
                        card_s=(prof.title_card_ms / 1000, prof.credits_card_ms / 1000),
                        loudness=(prof.loudness_i, prof.true_peak - 0.5, prof.loudness_range),
                        x264=(prof.video_preset, prof.video_crf),
                        audio_bitrate=prof.audio_bitrate)
    return time.perf_counter() - start


def run(formats: list[str], seconds: float, rounds: int, minutes: int, work: Path) -> Result:
    import shutil

    result = Result(seconds)
    # The bench's films keep their ledger witnesses in the work folder, never the user's.
    os.environ["COPROD_WITNESS_DIR"] = str(work / "witness")
    media = work / "media"
    media.mkdir(parents=True, exist_ok=True)
    root = new_film(work / "film")
    for index, name in enumerate(formats):
        print(f"making {name} ({seconds:g} s) ...", flush=True)
        made = make_clip(name, media, seconds, index)
        clip_id = f"{index + 1:02d}-{name}"
        ingest = stage("ingest", str(root), str(made.ingest), "--contributor", CONTRIBUTOR[0],
                       "--id", clip_id)
        print(f"  ingest: {ingest.seconds:.1f} s {ingest.error}", flush=True)
        words = stage("transcribe", str(root), clip_id) if ingest.code == 0 else None
        if words is not None:
            print(f"  transcribe: {words.seconds:.1f} s {words.error}", flush=True)
        result.clips.append((made, ingest, words))
    done = [m for m, i, w in result.clips if i.code == 0 and w is not None and w.code == 0]
    if not done:
        result.notes.append("no clip was ingested and transcribed, so nothing was rendered")
        return result
    clear_film(root)
    for turn in range(rounds):
        shutil.rmtree(root / "build" / "segments", ignore_errors=True)
        shutil.rmtree(root / "build" / "web", ignore_errors=True)
        render = stage("render", str(root), "--profile", "web", "--no-open-captions")
        result.coprod_render.append(render)
        print(f"[{turn + 1}/{rounds}] coprod render: {render.seconds:.1f} s {render.error}",
              flush=True)
        took = hand_render(root, done, work / "hand.mp4")
        result.hand_render.append(took)
        print(f"[{turn + 1}/{rounds}] hand-written ffmpeg: {took:.1f} s", flush=True)
    if minutes:
        result.long = long_take(work, minutes)
    return result


def long_take(work: Path, minutes: int) -> dict[str, Stage]:
    """Ingest, transcribe and render a long 1080p interview; each stage measured."""
    print(f"making a {minutes}-minute 1080p interview ...", flush=True)
    footage = long_interview(work / "media", minutes)
    root = new_film(work / "long-film")
    out = {"ingest": stage("ingest", str(root), str(footage), "--contributor", CONTRIBUTOR[0],
                           "--id", "interview")}
    if out["ingest"].code == 0:
        out["transcribe"] = stage("transcribe", str(root), "interview")
    if out.get("transcribe") and out["transcribe"].code == 0:
        clear_film(root)
        out["render"] = stage("render", str(root), "--profile", "web", "--no-open-captions")
    for name, measured in out.items():
        print(f"  {name}: {measured.seconds:.0f} s, coprod {measured.python_mb:.0f} MB, "
              f"child {measured.child_mb:.0f} MB {measured.error}", flush=True)
    return out


def _x(seconds: float, took: float) -> str:
    return f"{seconds / took:.2f}x" if took > 0 else "-"


def report(result: Result, quick: bool, commit: str, load: tuple[float, float]) -> str:
    lines = [START, "## Real shoots (bench/realshoot.py)", "",
             f"{date.today().isoformat()}, commit `{commit}`, {machine()}; load average "
             f"{load[0]:.1f} at the start and {load[1]:.1f} at the end (a machine shared with "
             "other work, so the times are upper bounds). "
             + ("`--quick` run: " if quick else "Full run: ")
             + f"{len(result.clips)} clip(s) of {result.seconds:g} s. A stage's figure is "
             "seconds of footage per second of work (higher is faster; 1x is real time), timed "
             "in a fresh coprod process after its imports.", "",
             "| clip (format) | ingest | transcribe | notes |", "|---|---|---|---|"]
    for made, ingest, words in result.clips:
        notes = "; ".join(f"{what} failed: {s.error}" for what, s in
                          (("ingest", ingest), ("transcribe", words)) if s and s.code)
        took_in = _x(made.seconds, ingest.seconds) if not ingest.code else "failed"
        took_tr = _x(made.seconds, words.seconds) if words and not words.code else "-"
        lines.append(f"| {made.name} | {took_in} | {took_tr} | {notes or 'ok'} |")
    ok = [s.seconds for s in result.coprod_render if s.code == 0]
    if result.coprod_render:
        film_s = result.seconds * len(result.clips)
        hand = statistics.median(result.hand_render)
        lines += ["", f"Render of the film (web profile, {len(result.coprod_render)} "
                  "alternating rounds, medians; footage seconds per second):", "",
                  "| render | median s | x real time | runs (s) |", "|---|---|---|---|"]
        if ok:
            lines.append(f"| coprod render | {statistics.median(ok):.1f} | "
                         f"{_x(film_s, statistics.median(ok))} | "
                         f"{', '.join(f'{s:.1f}' for s in ok)} |")
        failed = [s.error for s in result.coprod_render if s.code]
        if failed:
            lines.append(f"| coprod render failed | - | - | {failed[0]} |")
        lines.append(f"| one hand-written ffmpeg command | {hand:.1f} | {_x(film_s, hand)} | "
                     f"{', '.join(f'{s:.1f}' for s in result.hand_render)} |")
        if ok:
            lines += ["", f"coprod / ffmpeg = {statistics.median(ok) / hand:.2f}x the time."]
    if result.long:
        lines += ["", "60-minute 1080p25 interview, peak resident memory per stage:", "",
                  "| stage | seconds | x real time | coprod process | largest child (ffmpeg) |",
                  "|---|---|---|---|---|"]
        for name, s in result.long.items():
            lines.append(f"| {name} | {s.seconds:.0f} | {_x(3600, s.seconds)} | "
                         f"{s.python_mb:.0f} MB | {s.child_mb:.0f} MB |"
                         + (f" failed: {s.error}" if s.code else ""))
    elif quick:
        lines += ["", f"`--quick` leaves out {len(FORMATS) - len(result.clips)} of the "
                  f"{len(FORMATS)} formats and the 60-minute interview; run it without "
                  "`--quick` for those."]
    lines += [*result.notes, END]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="2 clips of 20 s (plain, ProRes with timecode), no 60-minute take")
    parser.add_argument("--formats", help=f"comma-separated, from: {', '.join(FORMATS)}")
    parser.add_argument("--seconds", type=float, help="each clip's length (default 120; 20 quick)")
    parser.add_argument("--rounds", type=int, default=3, help="render rounds (default 3)")
    parser.add_argument("--minutes", type=int, help="the long interview (default 60; 0 quick)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--write-docs", action="store_true", help="update docs/BENCHMARKS.md")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"the shared corpus is not at {CORPUS} (../shared/corpus); set COPROD_CORPUS")
    formats = args.formats.split(",") if args.formats else list(QUICK if args.quick else FORMATS)
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        sys.exit(f"unknown format(s) {', '.join(unknown)}; known: {', '.join(FORMATS)}")
    seconds = args.seconds or (20.0 if args.quick else 120.0)
    minutes = args.minutes if args.minutes is not None else (0 if args.quick else 60)
    work = args.keep or Path(tempfile.mkdtemp(prefix="coprod-realshoot-"))
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True, check=False).stdout.strip()
    before = os.getloadavg()[0]
    result = run(formats, seconds, args.rounds, minutes, work)
    text = report(result, args.quick, commit or "unknown", (before, os.getloadavg()[0]))
    print(text)
    if args.write_docs:
        write_section(START, END, text)


if __name__ == "__main__":
    main()
