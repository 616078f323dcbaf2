"""Benchmark: what bounding YAML costs, and how fast a hostile document is refused.

    python benchmarks/yamlsafe.py [--scenes 5000]

Prints CPU times: composing the generated 5,000-scene level (benchmarks/load_levels.py) with
the level loader's Loader, then measuring it with game.yamlsafe.check (the plain-tree pass, and
the pass used when the text has anchors), and refusing a billion-laughs document (9**9 nodes
once expanded). Targets: the plain check under 10 % of compose, the anchor check under 50 %,
the refusal under 10 ms and 8 MB. A ratio below 1.0 is within its target.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def cpu(fn, repeat=3):
    best = None
    for _ in range(repeat):
        t = time.process_time()
        out = fn()
        dt = time.process_time() - t
        best = dt if best is None or dt < best else best
    return best, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenes", type=int, default=5000)
    args = ap.parse_args()

    import yaml
    from load_levels import generate

    from game import yamlsafe
    from game.story.loader import Loader
    from tests.hostile import BOMB

    text = generate(args.scenes)
    t_compose, node = cpu(lambda: yaml.compose(text, Loader=Loader))
    t_plain, count = cpu(lambda: yamlsafe.check(node, anchors=False))
    t_anchor, _ = cpu(lambda: yamlsafe.check(node, anchors=True))
    laughs = "bomb: {" + ", ".join(f"k{i}: {b}" for i, b in enumerate(BOMB)) + "}\n"

    def refuse():
        try:
            yamlsafe.load(laughs)
        except yamlsafe.LimitError:
            return True
        return False

    tracemalloc.start()
    t_bomb, refused = cpu(refuse)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert refused
    rows = [
        (f"compose {args.scenes} scenes ({count:,} nodes)", t_compose * 1000, None),
        ("check, plain tree", t_plain * 1000, 0.10 * t_compose * 1000),
        ("check, text with anchors", t_anchor * 1000, 0.50 * t_compose * 1000),
        ("refuse a billion laughs", t_bomb * 1000, 10.0),
    ]
    for name, ms, target in rows:
        ratio = f"ratio {ms / target:.2f}" if target else ""
        goal = f"target {target:.1f} ms" if target else ""
        print(f"{name:<44} {ms:9.1f} ms  {goal:<18} {ratio}")
    print(
        f"{'billion laughs peak memory':<44} {peak / 2**20:9.2f} MB  target 8 MB           ratio {peak / 2**20 / 8:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
