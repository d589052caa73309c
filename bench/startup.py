"""How long `coprod --help` takes (target: under 0.5 s), against bare `python -c pass`.

Both are run side by side, several times each, in one run; the ratio shows what coprod adds.
Usage: python bench/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def _time(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    bare = _time([sys.executable, "-c", "pass"], args.runs)
    helped = _time([sys.executable, "-m", "pipeline", "--help"], args.runs)
    print(f"python -c pass      {bare * 1000:7.1f} ms (median of {args.runs})")
    print(f"coprod --help       {helped * 1000:7.1f} ms (median of {args.runs})")
    print(f"ratio               {helped / bare:7.2f}x   target: coprod --help < 500 ms -> "
          f"{'met' if helped < 0.5 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
