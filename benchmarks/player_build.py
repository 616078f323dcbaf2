"""The standalone player build: its size on disk and its start time to the first frame.

Launches dist/TreacherousTurn/TreacherousTurn (make it with `python tools/build_player.py`,
or pass --build) on the campaign in a real X window under Xvfb, five times, and for
comparison `python main.py` from the checkout. Each launch is timed from the process start
to the `first_frame` line of the game's JSON event log (the window has drawn its title);
the process is then ended and its CPU time (user + system, from wait4) is read too.
Prints the folder size (what `du -sb` counts), median and max of each, and the ratio
build / source. Targets: <= 150 MB, first frame <= 2 s.

    python benchmarks/player_build.py [--build] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROGRAM = REPO / "dist" / "TreacherousTurn" / "TreacherousTurn"


def xvfb() -> tuple[subprocess.Popen, str]:
    r, w = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x720x24", "-nolisten", "tcp"],
        pass_fds=(w,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(w)
    with os.fdopen(r) as fh:
        return proc, ":" + fh.readline().strip()


def first_frame(argv: list[str], env: dict, log: Path, timeout: float = 30.0) -> tuple[float, float]:
    """(wall seconds to the first_frame event, CPU seconds the process had used by then)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=log.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = None
    while time.perf_counter() - start < timeout and proc.poll() is None:
        if log.exists() and any(
            json.loads(line).get("event") == "first_frame" for line in log.read_text().splitlines() if line.strip()
        ):
            wall = time.perf_counter() - start
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    _, _, usage = os.wait4(proc.pid, 0)
    if wall is None:
        raise SystemExit(f"no first frame from {argv[0]} within {timeout:.0f} s")
    return wall, usage.ru_utime + usage.ru_stime


def measure(name: str, argv: list[str], env: dict, runs: int) -> float:
    walls, cpus = [], []
    for _ in range(runs):
        tmp = Path(tempfile.mkdtemp(prefix="tt-player-"))
        run_env = {
            **env,
            "TT_DATA_DIR": str(tmp / "data"),
            "TT_CACHE_DIR": str(tmp / "cache"),
            "TT_CONFIG_DIR": str(tmp / "config"),
        }
        log = tmp / "events.jsonl"
        wall, cpu = first_frame([*argv, "--log", str(log), "--seed", "1"], run_env, log)
        walls.append(wall)
        cpus.append(cpu)
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"{name:<28} first frame: median {statistics.median(walls):.2f} s wall (max {max(walls):.2f}), "
        f"median {statistics.median(cpus):.2f} s CPU"
    )
    return statistics.median(walls)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build", action="store_true", help="run tools/build_player.py first")
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    if a.build:
        subprocess.run([sys.executable, str(REPO / "tools" / "build_player.py")], check=True)
    if not PROGRAM.exists():
        print(f"{PROGRAM} is missing: python tools/build_player.py (or --build)", file=sys.stderr)
        return 2
    size = sum(f.stat().st_size for f in PROGRAM.parent.rglob("*") if f.is_file() and not f.is_symlink())
    print(f"player build folder: {size / 1e6:.1f} MB ({size / 2**20:.1f} MiB)   target <= 150 MB")
    server, display = xvfb()
    try:
        env = {**os.environ, "DISPLAY": display, "SDL_VIDEODRIVER": "x11", "SDL_AUDIODRIVER": "dummy"}
        built = measure("standalone build", [str(PROGRAM)], env, a.runs)
        source = measure("python main.py (checkout)", [sys.executable, str(REPO / "main.py"), "play"], env, a.runs)
        print(f"build / source: {built / source:.2f}x   target: first frame <= 2 s")
    finally:
        server.terminate()
        server.wait(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
