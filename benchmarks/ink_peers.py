"""Our engine beside the ink runtimes, on the same generated story, in one run.

    python benchmarks/ink_peers.py [--sizes 5000] [--seed 1] [--runs 3] [--steps 100000]
                                   [--peers inkcpp,bink] [--peer-bench DIR]

`../shared/peer_bench/` generates a random branching story as ink source and neutral
JSON and measures the ink runtimes on it (install them once with its `setup.sh`; they go
to $PEERS_DIR, default /tmp/peers). This script converts the JSON to our YAML
(benchmarks/peer_story.py), then runs, in fresh processes and interleaved rounds, every
peer and our engine (from YAML and from the compiled cache) through the same
`cpu_wrap.py`, so every figure is process CPU time of the same seeded walk. It prints
medians, the ratios to the best C++ runtime (inkcpp) and to the targets:

  walk steps per CPU second  >= inkcpp's, in the same run
  (also printed: load + walk CPU, the whole bill, as a cache-loaded level unpacks scenes on entry)
  load from YAML             <= 500 ms CPU;  from the compiled cache <= 100 ms CPU
  peak RSS                   <= 75 MB
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from peer_story import convert  # noqa: E402

WALK_KEYS = ("steps", "lines", "choices", "restarts", "text_chars")
TARGETS = {"load_yaml_ms": 500.0, "load_cache_ms": 100.0, "peak_rss_mb": 75.0}


def run_json(cmd: list[str], env: dict | None = None) -> dict:
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="5000")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--steps", type=int, default=100000)
    ap.add_argument("--peers", default="inkcpp,bink", help="comma list of inkcpp, bink, inkpython ('' for ours only)")
    ap.add_argument("--peer-bench", default=str(ROOT.parent / "shared" / "peer_bench"))
    ap.add_argument("--work", default=None, help="where the stories go (default: a temporary folder)")
    ap.add_argument(
        "--collector-on",
        action="store_true",
        help="also measure our loads with Python's cyclic collector left running (game/story/collector.py)",
    )
    a = ap.parse_args()

    bench = Path(a.peer_bench)
    peers_dir = Path(os.environ.get("PEERS_DIR", "/tmp/peers"))
    peer_py = peers_dir / "venv" / "bin" / "python"
    if not (bench / "gen_story.py").is_file():
        print(f"ink_peers: no peer benchmark at {bench} (pass --peer-bench DIR)", file=sys.stderr)
        return 2
    peers = [p for p in a.peers.split(",") if p]
    if peers and not peer_py.exists():
        print(
            f"ink_peers: the ink runtimes are not installed in {peers_dir}: run `bash {bench}/setup.sh` "
            "(or set PEERS_DIR); measuring our engine only",
            file=sys.stderr,
        )
        peers = []
    work = Path(a.work or tempfile.mkdtemp(prefix="ink_peers_"))
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(HERE), str(bench), str(ROOT)]), XDG_CACHE_HOME=str(work / "cache")
    )
    cpu_wrap = str(bench / "cpu_wrap.py")
    rows = []
    for n in [int(s) for s in a.sizes.split(",")]:
        d = work / f"n{n}_s{a.seed}"
        subprocess.run(
            [sys.executable, str(bench / "gen_story.py"), str(n), str(a.seed), str(d)], check=True, capture_output=True
        )
        yaml_path = convert(d / "story.json", d / "story.yaml")
        ink_json = d / "story.ink.json"
        if peers and not ink_json.exists():
            print(f"compiling the ink source with inkjs (N={n}; ink runtimes read compiled JSON)...", file=sys.stderr)
            subprocess.run(
                ["node", str(bench / "ink_bench.mjs"), str(d / "story.ink"), "--steps", "1"],
                check=True,
                capture_output=True,
                env=dict(os.environ, PEERS_DIR=str(peers_dir)),
            )
        ours = [sys.executable, cpu_wrap, "tt_bench.py", str(yaml_path), "--steps", str(a.steps), "--seed", str(a.seed)]
        # fill the compiled cache once, outside the measured runs
        subprocess.run(ours[:3] + [str(yaml_path), "--steps", "1", "--cache"], check=True, capture_output=True, env=env)
        for r in range(a.runs):
            jobs = [("ours", ours), ("ours (cache)", ours + ["--cache"])]
            if a.collector_on:
                jobs.append(("ours, collector on", ours + ["--collector-on"]))
            jobs += [
                (
                    p,
                    [
                        str(peer_py),
                        cpu_wrap,
                        "py_ink_bench.py",
                        p,
                        str(ink_json),
                        "--steps",
                        str(a.steps),
                        "--seed",
                        str(a.seed),
                    ],
                )
                for p in peers
            ]
            for label, cmd in jobs:
                res = run_json(cmd, env)
                res.update(n=n, run=r + 1, label=label, total_cpu_s=res["load_cpu_ms"] / 1000 + res["walk_cpu_s"])
                rows.append(res)
                print(
                    f"N={n} run {r + 1} {label:14} steps/CPU s={res['steps_per_cpu_s']:>8} "
                    f"load CPU ms={res['load_cpu_ms']:>8}",
                    file=sys.stderr,
                )

    # "load + walk": a cache-loaded level unpacks each scene the first time the walk enters it,
    # so part of its load is paid inside its walk; the sum compares the whole bill.
    print("\n| N | runtime | steps / CPU s | vs inkcpp | load CPU ms | load + walk CPU s | vs inkcpp | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    ok = True
    for n in sorted({r["n"] for r in rows}):

        def med(label, key):
            vals = [r[key] for r in rows if r["n"] == n and r["label"] == label]  # noqa: B023 (used within its iteration)
            return statistics.median(vals) if vals else None

        labels = list(dict.fromkeys(r["label"] for r in rows if r["n"] == n))
        ref = med("inkcpp", "steps_per_cpu_s")
        ref_total = med("inkcpp", "total_cpu_s")
        for label in labels:
            sps = med(label, "steps_per_cpu_s")
            rss = statistics.median(
                [max(r["peak_rss_mb"], r["max_rss_mb"]) for r in rows if r["n"] == n and r["label"] == label]
            )
            ratio = f"{sps / ref:.2f}x" if ref else "-"
            total = med(label, "total_cpu_s")
            tratio = f"{ref_total / total:.2f}x" if ref_total else "-"
            print(
                f"| {n} | {label} | {sps:,.0f} | {ratio} | {med(label, 'load_cpu_ms'):.0f} | {total:.3f} | {tratio} | {rss:.1f} |"
            )
        walks = {tuple(r[k] for k in WALK_KEYS) for r in rows if r["n"] == n}
        same = len(walks) == 1
        ok &= same
        print(
            f"\nN={n} walk: "
            + ", ".join(f"{k}={v}" for k, v in zip(WALK_KEYS, sorted(walks)[0]))
            + f"; identical for every runtime and run: {same}"
        )
        ours_sps = med("ours", "steps_per_cpu_s")
        load_yaml, load_cache = med("ours", "load_cpu_ms"), med("ours (cache)", "load_cpu_ms")
        rss = max(max(r["peak_rss_mb"], r["max_rss_mb"]) for r in rows if r["n"] == n and r["label"] == "ours")
        print(f"targets (N={n}):")
        if ref:
            print(
                f"  walk            {ours_sps:10,.0f} steps/CPU s   inkcpp {ref:,.0f}   ratio {ours_sps / ref:.2f} (>= 1.00)"
            )
        print(
            f"  load from YAML  {load_yaml:10.0f} ms CPU   target {TARGETS['load_yaml_ms']:.0f}   "
            f"ratio {load_yaml / TARGETS['load_yaml_ms']:.2f} (<= 1.00)"
        )
        print(
            f"  load from cache {load_cache:10.0f} ms CPU   target {TARGETS['load_cache_ms']:.0f}   "
            f"ratio {load_cache / TARGETS['load_cache_ms']:.2f} (<= 1.00)"
        )
        print(
            f"  peak RSS        {rss:10.1f} MB       target {TARGETS['peak_rss_mb']:.0f}   "
            f"ratio {rss / TARGETS['peak_rss_mb']:.2f} (<= 1.00)"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
