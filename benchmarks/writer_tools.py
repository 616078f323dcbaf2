"""Benchmark: how long a writer waits after an edit, in CPU time.

    python benchmarks/writer_tools.py [--runs 3]

Measures, each in fresh processes (the command a writer types, from start to exit, CPU time
of the child process), medians of --runs:
  treacherous-turn validate levels/ --strict                   target <= 1 s of CPU
  treacherous-turn playtest levels/campaign.yaml --exhaustive  target <= 1 s of CPU
and in this process, on a copy of the campaign: the hot reload after one level is edited
(load the story again, carry the running game over to it)       target <= 300 ms of CPU
Each is run with the compiled level cache warm (a writer's second run) and cold (first run;
for the reload: the cache turned off, so every level is read from YAML again).
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {"validate": 1.0, "playtest": 1.0, "reload": 0.300}


def child_cpu(cmd: list[str], env: dict) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def reload_cpu(cache_dir: str, use_cache: bool) -> float:
    """The game's own reload (as `play --text` and the desktop do it) after one level is edited.
    With the cache, the levels not edited are read from it; without, every level is read again."""
    os.environ["TT_CACHE_DIR"] = cache_dir
    os.environ["TT_LEVEL_CACHE"] = "1" if use_cache else "0"
    from game.story import reload as hot
    from game.story.loader import load_story
    from game.story.runtime import Runtime

    with tempfile.TemporaryDirectory() as tmp:
        levels = Path(tmp) / "levels"
        shutil.copytree(ROOT / "levels", levels)
        story, _ = load_story(levels / "campaign.yaml")
        rt = Runtime(story, "Bench", 1)
        for _ in range(30):  # into the story a little, as a writer testing would be
            p = rt.current()
            if p.kind in ("line", "level"):
                rt.advance()
            elif p.kind == "choice":
                rt.choose(p.options[0]["index"])
            else:
                break
        edited = levels / "treacherous_turn" / "design_brief.yaml"
        text = edited.read_text()
        edited.write_text(
            text.replace("scenes:\n", "scenes:\n  bench_note:\n    - narrator: An edit.\n    - goto: bench_note\n", 1)
        )
        c0 = time.process_time()
        new, diags = load_story(levels / "campaign.yaml")
        rt2, _notice = hot.carry_over(rt, new)
        rt2.current()
        return time.process_time() - c0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    py = sys.executable
    results: dict[str, list[float]] = {}
    for label, warm in (("cold cache", False), ("warm cache", True)):
        cache_dir = tempfile.mkdtemp(prefix="tt-bench-cache-")
        env = dict(os.environ, TT_CACHE_DIR=cache_dir)
        if warm:
            subprocess.run(
                [py, "-m", "game", "validate", "levels/", "--strict"],
                check=True,
                capture_output=True,
                env=env,
                cwd=ROOT,
            )
        for _ in range(args.runs):
            if not warm:
                shutil.rmtree(cache_dir, ignore_errors=True)
                os.makedirs(cache_dir)
            results.setdefault(f"validate ({label})", []).append(
                child_cpu([py, "-m", "game", "validate", "levels/", "--strict"], env)
            )
            if not warm:
                shutil.rmtree(cache_dir, ignore_errors=True)
                os.makedirs(cache_dir)
            results.setdefault(f"playtest ({label})", []).append(
                child_cpu([py, "-m", "game", "playtest", "levels/campaign.yaml", "--exhaustive", "--no-progress"], env)
            )
        results[f"reload ({label})"] = [reload_cpu(cache_dir, warm) for _ in range(args.runs)]
    print(f"{'what':28} {'CPU s (median)':>15} {'target':>8} {'ratio':>7}")
    for name, values in results.items():
        med = statistics.median(values)
        target = TARGETS[name.split()[0]]
        print(f"{name:28} {med:15.3f} {target:8.3f} {med / target:7.2f}")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; ratio <= 1.00 meets the target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
