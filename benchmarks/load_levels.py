"""Benchmark: load, validate and build the machine of a 5,000-scene level; time a runtime step.

    python benchmarks/load_levels.py [--scenes 5000]

Prints each figure (CPU time), its target, and the ratio to the target (below 1.0 is within it).
Targets (issue 2): whole load under 1 s, a step under 50 us, memory under 100 MB.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def generate(n: int, seed: int = 1) -> str:
    """n scenes, 3 transitions each (two choice options, one jump); the last scene jumps to the ending."""
    rng = random.Random(seed)
    out = ["level: big", "title: Benchmark", "start: s0", "vars: {trust: 0, steps: 0}", "scenes:"]
    for i in range(n):
        a, b = rng.randrange(n), rng.randrange(n)
        out += [
            f"  s{i}:",
            f"    - narrator: Scene {i}, {{player}}. Trust is {{trust}}.",
            "    - choice:",
            f"        - {{text: Onward to {a}, set: {{trust: trust + 1}}, goto: s{a}}}",
            f"        - {{text: Sideways to {b}, if: trust > 2, goto: s{b}}}",
            "        - {text: Stay the course}",
            "    - set: {steps: steps + 1}",
            f"    - goto: {'ending' if i == n - 1 else f's{i + 1}'}",
        ]
    out += ["  ending:", "    - end: done"]
    return "\n".join(out) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenes", type=int, default=5000)
    ap.add_argument("--steps", type=int, default=20000)
    args = ap.parse_args()

    from game.story.loader import load_story
    from game.story.machine import StoryMachine
    from game.story.runtime import Runtime

    text = generate(args.scenes)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.yaml"
        path.write_text(text)
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # Timing runs without tracemalloc (it slows allocation-heavy code 2-3x); memory is a second pass.
        t0 = time.process_time()
        story, diags = load_story(path, cache=False)
        t1 = time.process_time()
        if story is None:
            print("\n".join(d.format() for d in diags[:10]))
            return 1
        lm = StoryMachine(story.levels[0])
        t2 = time.process_time()
        rss_one = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        del lm
        tracemalloc.start()
        story, _ = load_story(path)
        lm = StoryMachine(story.levels[0])
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    level = story.levels[0]
    n_edges = sum(len(t) for ev in lm.complete().events.values() for t in ev.transitions.values())

    rt = Runtime(story, "Bench", 1)
    rng = random.Random(2)
    kinds = {"line": 0, "choice": 0}
    t3 = time.process_time()
    for _ in range(args.steps):
        p = rt.current()
        if p.kind == "line":
            rt.advance()
        elif p.kind == "choice":
            rt.choose(rng.choice(p.options)["index"])
        else:
            break
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    t4 = time.process_time()

    load_s = t1 - t0
    build_s = t2 - t1
    whole = t2 - t0
    step_us = (t4 - t3) / args.steps * 1e6
    peak_mb = peak / 2**20
    print(f"level: {len(level.scenes)} scenes, {n_edges} transitions, {len(text) / 1024:.0f} KiB of YAML")
    print(f"load + validate : {load_s * 1000:8.1f} ms")
    print(f"machine build   : {build_s * 1000:8.1f} ms")
    print(f"whole load      : {whole * 1000:8.1f} ms   target 1000 ms   ratio {whole / 1.0:.2f}")
    print(
        f"runtime step    : {step_us:8.1f} us   target 50 us     ratio {step_us / 50:.2f}  "
        f"({args.steps} steps: {kinds})"
    )
    print(
        f"memory (traced) : {peak_mb:8.1f} MB   target 100 MB    ratio {peak_mb / 100:.2f}  "
        f"(process max RSS grew {(rss_one - rss0) / 1024:.0f} MB for one load, includes the YAML node tree "
        "freed after loading)"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
