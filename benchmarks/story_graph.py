"""Benchmark: draw the story graph of generated levels (SVG and PNG), as `treacherous-turn graph` does.

    python benchmarks/story_graph.py [--scenes 1000]

Target (issue 3): a 1,000-scene level in under 10 s, each format, including the state
exploration that decides reachability.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from load_levels import generate  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenes", type=int, nargs="+", default=[100, 1000])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.scenes:
            level = Path(tmp) / f"g{n}.yaml"
            level.write_text(generate(n))
            for fmt in ("svg", "png"):
                out = Path(tmp) / f"g{n}.{fmt}"
                t0 = time.perf_counter()
                r = subprocess.run(
                    [sys.executable, "-m", "game", "graph", str(level), "-o", str(out)],
                    capture_output=True,
                    text=True,
                    cwd=HERE.parent,
                )
                dt = time.perf_counter() - t0
                if r.returncode:
                    print(r.stderr)
                    return 1
                print(
                    f"{n:5} scenes  {fmt}: {dt:6.2f} s (whole command)  target 10 s  ratio {dt / 10:.2f}  "
                    f"{out.stat().st_size / 1024:8.0f} KiB"
                )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
