"""A/B render timing: the same film rendered by two revisions of coprod, taking turns.

Checks that a change (a refactor, a new check on the publishing path) did not slow the render:
both revisions are checked out side by side with `git worktree`, and each round renders the
benchmark film of bench/render.py once with each revision from an empty build folder, through the
command line (`python -m pipeline render PROJECT --open-captions`), so neither revision's API
matters. Taking turns means a busy moment on the machine hits both alike.

    .venv/bin/python bench/render_ab.py c12bb05 HEAD               # prints both and the ratio
    .venv/bin/python bench/render_ab.py c12bb05 HEAD --write-docs  # also updates BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.sections import write_section  # noqa: E402

START, END = "<!-- render-ab:start -->", "<!-- render-ab:end -->"


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def render_once(checkout: Path, project: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one full render of ``project`` by the coprod in ``checkout``.

    CPU seconds are the render process's and every ffmpeg's it waited for (RUSAGE_CHILDREN
    counts waited-for descendants): what the work costs, much less moved than the wall clock by
    other work on a shared machine.
    """
    shutil.rmtree(project / "build", ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(checkout), "HF_HUB_OFFLINE": "1"}
    start, cpu_start = time.perf_counter(), _children_cpu()
    subprocess.run([sys.executable, "-m", "pipeline", "--quiet", "render", str(project),
                    "--open-captions"], check=True, cwd=checkout, env=env)
    return time.perf_counter() - start, _children_cpu() - cpu_start


def make_project(checkout: Path, work: Path, seconds: float) -> Path:
    """The film of bench/render.py, made by the base revision so that it can read it too."""
    code = ("import sys; from pathlib import Path; from bench.render import make_film, warm_up; "
            f"w = Path(sys.argv[1]); print(make_film(w, {seconds!r}).root); warm_up(w)")
    env = {**os.environ, "PYTHONPATH": str(checkout), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", code, str(work)], check=True, cwd=checkout,
                         env=env, capture_output=True, text=True).stdout
    return Path(out.strip().splitlines()[0])


def run(revisions: list[str], rounds: int, seconds: float, write_docs: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix="coprod-ab-"))
    shas = [_git("rev-parse", "--short", rev) for rev in revisions]
    checkouts = []
    for sha in shas:
        path = work / f"rev-{sha}"
        _git("worktree", "add", "--detach", str(path), sha)
        checkouts.append(path)
    try:
        print(f"generating the benchmark film in {work} ...", flush=True)
        project = make_project(checkouts[0], work, seconds)
        times: dict[str, list[float]] = {sha: [] for sha in shas}
        cpu: dict[str, list[float]] = {sha: [] for sha in shas}
        loads = [os.getloadavg()[0]]
        for i in range(rounds):
            order = list(zip(shas, checkouts, strict=True))
            if i % 2:
                order.reverse()  # neither revision always goes first
            for sha, checkout in order:
                took, cpu_s = render_once(checkout, project)
                times[sha].append(took)
                cpu[sha].append(cpu_s)
                loads.append(os.getloadavg()[0])
                print(f"[{i + 1}/{rounds}] {sha}: {took:.1f} s, {cpu_s:.1f} CPU s, "
                      f"load {loads[-1]:.1f}", flush=True)
    finally:
        for path in checkouts:
            _git("worktree", "remove", "--force", str(path))
        shutil.rmtree(work, ignore_errors=True)
    base, new = shas
    ratio = statistics.median(times[new]) / statistics.median(times[base])
    cpu_ratio = statistics.median(cpu[new]) / statistics.median(cpu[base])
    rows = [f"| {sha} (`{rev}`) | {statistics.median(times[sha]):.1f} | "
            f"{', '.join(f'{t:.1f}' for t in times[sha])} | {statistics.median(cpu[sha]):.1f} | "
            f"{', '.join(f'{t:.1f}' for t in cpu[sha])} |"
            for sha, rev in zip(shas, revisions, strict=True)]
    busy = max(loads) > (os.cpu_count() or 1)
    # On a machine other work keeps busy the wall clock measures the neighbours; the CPU time
    # the render's processes used is the measure then.
    judged, judged_on = (cpu_ratio, "CPU time") if busy else (ratio, "wall time")
    text = "\n".join([
        "## Render, before and after a change",
        "",
        f"Measured by `bench/render_ab.py {' '.join(revisions)}` on {date.today()}, "
        f"{os.cpu_count()} cores: the film of `bench/render.py` ({seconds:g} s clips, web "
        "profile, clean and open-captions films) rendered from an empty build folder by each "
        f"revision in turn, {rounds} rounds; load average (1 min) {min(loads):.1f} to "
        f"{max(loads):.1f}. CPU s is the render's and its ffmpeg processes' CPU time.",
        "",
        "| revision | median s | runs s | median CPU s | runs CPU s |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"{new} takes {ratio:.3f}x the wall time and {cpu_ratio:.3f}x the CPU time of {base}; "
        f"judged on {judged_on} ({'the machine was busy' if busy else 'the machine was quiet'})"
        f": {'within' if judged <= 1.05 else 'outside'} the 5% allowed for a refactor.",
    ])
    print(text)
    if write_docs:
        write_section(START, END, f"{START}\n{text}\n{END}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the revision to compare against (e.g. before a change)")
    parser.add_argument("new", help="the revision to measure (e.g. HEAD)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each clip")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    run([args.base, args.new], args.rounds, args.seconds, args.write_docs)


if __name__ == "__main__":
    main()
