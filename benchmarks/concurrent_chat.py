"""Many players at once against one OpenAI-compatible server: do first replies come from the model?

    python benchmarks/concurrent_chat.py [--sessions 50] [--turns 3]

Starts the test suite's fake OpenAI-compatible server on 127.0.0.1 (tests/fake_openai_server.py:
real HTTP, streamed replies) and as many `treacherous-turn chat` processes at once, each a new
game talking to ARIA through the real openai SDK for a few turns. On a 2-core machine the
processes spend seconds importing the SDK at the same time; a reply budget that started before
the import was done made every first reply fall back to the authored lines (0 of 150 from the
model, first round). Prints how many replies, and how many first replies, the model gave, and
the processes' CPU time.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_openai_server import FakeOpenAI  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--turns", type=int, default=3)
    a = ap.parse_args()
    server = FakeOpenAI().start()
    server.reply = "I hear you, and I will remember that. What else should I know?"
    env = dict(
        os.environ,
        OPENAI_API_KEY="sk-bench-not-a-real-key",
        TT_CONFIG_DIR=str(ROOT / "build" / "bench-cfg"),
        TT_DATA_DIR=str(ROOT / "build" / "bench-data"),
    )
    answers = "".join(f"answer number {i}, be careful and ask first\n" for i in range(a.turns))
    cmd = [
        sys.executable,
        "-m",
        "game",
        "chat",
        str(ROOT / "levels" / "examples" / "demo.yaml"),
        "aria",
        "--backend",
        "openai",
        "--base-url",
        server.base_url,
        "--model",
        "fake-model",
        "--turns",
        str(a.turns),
    ]
    t0 = time.monotonic()
    procs = [
        subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(a.sessions)
    ]
    outs = [p.communicate(answers, timeout=600) for p in procs]
    wall = time.monotonic() - t0
    server.stop()
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    model = first = failed = 0
    for (out, _err), p in zip(outs, procs):
        replies = [ln for ln in out.splitlines() if ln.startswith("ARIA [")]
        from_model = [ln.startswith("ARIA [openai]") for ln in replies]
        model += sum(from_model)
        first += bool(from_model and from_model[0])
        failed += p.returncode != 0
    total = a.sessions * a.turns
    print(f"{a.sessions} sessions x {a.turns} turns, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"replies from the model   {model:4d} of {total}  ({model / total:.0%})")
    print(f"first replies from it    {first:4d} of {a.sessions}  ({first / a.sessions:.0%})")
    print(f"sessions that failed     {failed:4d}")
    print(
        f"CPU time of the sessions {cpu.ru_utime + cpu.ru_stime:.1f} s ({(cpu.ru_utime + cpu.ru_stime) / a.sessions:.2f} s each); "
        f"wall {wall:.1f} s"
    )
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
