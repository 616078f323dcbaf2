"""Our engine as a peer of the ink runtimes: the adapter `../shared/peer_bench/cpu_wrap.py` runs.

    PYTHONPATH=benchmarks:../shared/peer_bench .venv/bin/python ../shared/peer_bench/cpu_wrap.py \
        tt_bench.py STORY.yaml [--steps 100000] [--seed 1] [--cache]

It takes the walk of `py_ink_bench.py` unchanged (the same seeded choices, the same
step counting), so its counts must equal the ink runtimes'. A line is shown with a
trailing newline, as ink's Continue() returns it. Only the public engine API is used:
load_story, Runtime, current(), advance(), choose(). `--cache` loads through the
compiled level cache (the driver fills it first), else from the YAML source.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from py_ink_bench import MB, max_rss, rss_now, walk  # noqa: F401  (cpu_wrap swaps walk before this import)


class TTAdapter:
    name = "treacherous-turn"

    def __init__(self, use_cache: bool = False) -> None:
        from importlib.metadata import version

        # Imported here, as the peers import their runtimes: counted in runtime_import_ms, not load.
        from game.story.loader import load_story
        from game.story.runtime import Runtime

        self.load_story, self.Runtime = load_story, Runtime
        self.version = version("treacherous-turn")
        self.use_cache = use_cache

    def load(self, path, text) -> None:
        story, diags = self.load_story(path, cache=self.use_cache)
        if story is None:
            raise SystemExit("\n".join(d.format() for d in diags[:10]))
        self.story = story
        self.rt = self.Runtime(story, "Player 1", 0)

    def can_continue(self) -> bool:
        return self.rt.current().kind == "line"

    def cont(self) -> str:
        prompt = self.rt.current()
        self.rt.advance()
        return prompt.text + "\n"

    def num_choices(self) -> int:
        prompt = self.rt.current()
        return len(prompt.options) if prompt.kind == "choice" else 0

    def choose(self, i: int) -> None:
        self.rt.choose(self.rt.current().options[i]["index"])

    def restart(self) -> None:
        self.rt = self.Runtime(self.story, "Player 1", 0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("story_yaml")
    ap.add_argument("--steps", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cache", action="store_true")
    ap.add_argument("--collector-on", action="store_true", help="leave the cyclic collector running while loading")
    a = ap.parse_args()
    if a.collector_on:
        import os

        os.environ["TT_COLLECTOR_DURING_LOAD"] = "1"
    t0 = time.perf_counter()
    rt = TTAdapter(a.cache)
    import_ms = (time.perf_counter() - t0) * 1000
    rss_before = rss_now()
    t0 = time.perf_counter()
    with open(a.story_yaml, encoding="utf-8") as f:
        text = f.read()
    read_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    rt.load(a.story_yaml, text)
    load_ms = (time.perf_counter() - t0) * 1000
    rss_after_load = rss_now()
    res = {
        "peer": rt.name + (" (cache)" if a.cache else "") + (", collector on" if a.collector_on else ""),
        "version": rt.version,
        "python": "{}.{}.{}".format(*sys.version_info[:3]),
        "story": a.story_yaml,
        "seed": a.seed,
        "runtime_import_ms": round(import_ms, 2),
        "read_ms": round(read_ms, 2),
        "load_ms": round(load_ms, 2),
        "rss_before_load_mb": round(rss_before / MB, 1),
        "rss_after_load_mb": round(rss_after_load / MB, 1),
    }
    res.update(walk(rt, a.steps, a.seed))
    res["max_rss_mb"] = round(max_rss() / MB, 1)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
