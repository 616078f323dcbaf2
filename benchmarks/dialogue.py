"""How much the dialogue engine itself costs per reply, and how long the frame loop is ever blocked.

Run: python benchmarks/dialogue.py [--replies N] [--cold-delay S] [--sessions N]

An instant in-process backend (it yields a fixed reply at once) stands in for the model,
so what is measured is ours: building the prompt (persona, memory, profile, guardrails),
handing the request to the worker thread, the watchdog's producer thread, the output
guard, the calibration bookkeeping, and the events back to the polling side. A second
run with the `scripted` backend measures the offline voice end to end. Targets: engine
overhead under 2 ms per reply, longest poll() under 1 ms. Figures are from this run, on
this machine; they are printed, not asserted.

Then a model that must get to speak: a cold OpenAI-compatible server (the fake one from
tests/fake_openai_server.py, a real HTTP server on 127.0.0.1 driven through the real openai
SDK, with one request at a time like llama.cpp's and a first request that waits
`--cold-delay` seconds, default 12, as a 2-core machine did reading the first prompt), a few
sessions of three turns each, with the game's timeouts (first token 8 s, cold start 60 s)
and, for the ratio, with no cold-start budget. Printed: first-token time of the first and
the later turns, and fallbacks and why. The same against llama.cpp's real server with the
`local` extra's model when one can be had (tests/llama_server.py), else the reason.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from game.dialogue import registry  # noqa: E402
from game.dialogue.base import Capabilities, Health  # noqa: E402
from game.dialogue.conversation import Conversation  # noqa: E402
from game.dialogue.service import DialogueService  # noqa: E402
from game.dialogue.settings import Settings  # noqa: E402
from game.story.loader import load_story  # noqa: E402
from game.story.prompts import TalkPrompt  # noqa: E402
from game.story.runtime import Runtime  # noqa: E402

DEMO = Path(__file__).resolve().parent.parent / "levels" / "examples" / "demo.yaml"
REPLY = "That is a thoughtful answer, and I will remember it. Would you tell me more about why?"


class InstantBackend:
    """A model that answers before you ask: zero generation time, so only the engine is timed."""

    name = "instant"
    model = "instant-0"
    capabilities = Capabilities(streaming=True, offline=True)

    def __init__(self, **_):
        pass

    def health(self):
        return Health(True, "instant")

    def stream(self, request, cancel):
        for word in REPLY.split(" "):
            yield word + " "


def run(backend: str, replies: int) -> dict[str, float]:
    story, _ = load_story(DEMO)
    rt = Runtime(story, player="Bench", start_scene="interrogation")
    rt.advance()
    talk = rt.current()
    prompt = TalkPrompt(talk.key, talk.character, replies + 1, talk.goal, talk.measures, talk.questions, talk.scene)
    service = DialogueService(Settings(cli={"backend": backend}))
    convo = Conversation(
        rt.character("aria"), prompt, player="Bench", values=dict(rt.world.values), service=service, scope=rt.scope()
    )
    convo.opening()
    # Warm up: first-use imports and thread start-up are not per-reply costs.
    for _ in range(20):
        convo.send("yes, ask first").wait(5)
    convo.turns.clear()
    per_reply, send_calls, polls = [], [], []
    lines = ["yes, ask first", "I would tell you the truth", "what are you?", "no", "blorp", "hello there"]
    cpu0 = time.process_time()
    for i in range(replies):
        t0 = time.perf_counter()
        handle = convo.send(lines[i % len(lines)])
        t1 = time.perf_counter()
        done = False
        while not done:
            p0 = time.perf_counter()
            events = handle.poll()
            polls.append(time.perf_counter() - p0)
            done = any(k in ("done", "failed") for k, _ in events)
            if not done:
                # A frame loop spends most of a frame drawing or asleep in clock.tick(): either way it lets
                # the worker run. A short sleep stands for that without padding the latency much.
                time.sleep(0.0002)
        per_reply.append(time.perf_counter() - t0)
        send_calls.append(t1 - t0)
        if len(convo.turns) > 50:  # keep memory realistic: a talk is a few turns, not thousands
            convo.turns.clear()
    cpu = (time.process_time() - cpu0) / replies
    service.close()
    return {
        "cpu_ms": cpu * 1e3,
        "median_ms": statistics.median(per_reply) * 1e3,
        "p95_ms": sorted(per_reply)[int(len(per_reply) * 0.95)] * 1e3,
        "send_max_ms": max(send_calls) * 1e3,
        "send_median_us": statistics.median(send_calls) * 1e6,
        "poll_max_ms": max(polls) * 1e3,
        "poll_p99_us": sorted(polls)[int(len(polls) * 0.99)] * 1e6,
        "polls": len(polls),
    }


def cold_sessions(base_url: str, sessions: int, cold_start: float, before_each=None) -> dict:
    """`sessions` fresh services (a new game each), three turns each, against `base_url`."""
    import tempfile

    from game.dialogue.conversation import Conversation
    from game.dialogue.settings import Settings

    story, _ = load_story(DEMO)
    firsts, laters, spoke_first, fallbacks = [], [], 0, {}
    cpu0 = time.process_time()
    for _ in range(sessions):
        if before_each is not None:
            before_each()
        settings = Settings(
            {
                "timeouts": {"connect": 3, "first_token": 8, "total": 20, "cold_start": cold_start},
                "voice": {"check": True},
            },
            {},
            {"backend": "openai", "base_url": base_url},
            Path(tempfile.gettempdir()) / "tt-bench-none.yaml",
        )
        service = DialogueService(settings)
        rt = Runtime(story, player="Bench", start_scene="interrogation")
        rt.advance()
        talk = rt.current()
        prompt = TalkPrompt(talk.key, talk.character, 3, talk.goal, talk.measures, talk.questions, talk.scene)
        convo = Conversation(
            rt.character("aria"),
            prompt,
            player="Bench",
            values=dict(rt.world.values),
            service=service,
            scope=rt.scope(),
        )
        convo.opening()
        for n, line in enumerate(("Yes, ask me first.", "I'd tell you the truth.", "Thank you.")):
            reply = convo.send(line).wait(cold_start + 40)
            ft = reply.stats.get("first_token")
            if n == 0:
                spoke_first += bool(reply.generated)
                if ft is not None:
                    firsts.append(ft)
            elif ft is not None:
                laters.append(ft)
            for f in reply.stats.get("fallbacks", []):
                key = f"{f['kind']}: {f['why']}"
                fallbacks[key] = fallbacks.get(key, 0) + 1
        service.close()
    return {
        "sessions": sessions,
        "spoke_first": spoke_first,
        "firsts": firsts,
        "laters": laters,
        "fallbacks": fallbacks,
        "cpu_ms": (time.process_time() - cpu0) * 1e3,
    }


def _cold_line(name: str, r: dict) -> None:
    first = f"{statistics.median(r['firsts']):.2f} s" if r["firsts"] else "-"
    later = f"{statistics.median(r['laters']):.3f} s" if r["laters"] else "-"
    fb = sum(r["fallbacks"].values())
    print(f"{name:34} {r['spoke_first']:>3}/{r['sessions']:<3} {first:>12} {later:>12} {fb:>9}")
    for why, count in sorted(r["fallbacks"].items()):
        print(f"{'':36}{count}x {why}")


def cold_benchmark(cold_delay: float, sessions: int) -> None:
    import logging

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.fake_openai_server import FakeOpenAI

    logging.getLogger("game.dialogue").setLevel(logging.ERROR)  # the fallbacks are counted below, not logged

    print(
        f"\ncold start: {sessions} new games x 3 turns, timeouts first token 8 s, total 20 s; the server's first "
        f"request of each game waits {cold_delay:g} s"
    )
    print(f"{'server, budget':34} {'spoke 1st':>7} {'1st token':>12} {'later (med)':>12} {'fallbacks':>9}")
    results = {}
    for cold_start, label in ((60.0, "fake, cold start 60 s (default)"), (0.0, "fake, no cold-start budget")):
        srv = FakeOpenAI().start()
        srv.serial = True

        def reset(srv=srv):
            srv.cold_delay, srv.cold_requests = cold_delay, 1  # a new game finds the server cold again

        try:
            results[label] = r = cold_sessions(srv.base_url, sessions, cold_start, reset)
        finally:
            srv.stop()
        _cold_line(label, r)
    a, b = results.values()
    print(
        f"first turns voiced by the model: {a['spoke_first']}/{sessions} with the cold-start budget, "
        f"{b['spoke_first']}/{sessions} without"
    )
    try:
        from tests.llama_server import Missing, llama_server
    except ImportError as exc:
        print(f"llama.cpp: not measured ({exc})")
        return
    try:
        with llama_server() as url:
            # One game: the server is fresh (cold) only for the first; later games would find it warm.
            r = cold_sessions(url, 1, 60.0)
            _cold_line("llama.cpp server, cold start 60 s", r)
    except Missing as why:
        print(f"llama.cpp: not measured ({why})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replies", type=int, default=300)
    ap.add_argument("--cold-delay", type=float, default=12.0, help="seconds the fake server's first request waits")
    ap.add_argument("--sessions", type=int, default=3, help="new games in the cold-start part (0: skip it)")
    args = ap.parse_args()
    registry.BUILTIN["instant"] = f"{__name__}:InstantBackend"
    sys.modules.setdefault(__name__, sys.modules[__name__])
    print(f"dialogue engine benchmark: {args.replies} replies per backend (demo level, ARIA)")
    print(
        f"{'backend':10} {'CPU/reply':>10} {'send->done median':>18} {'p95':>9} {'send() median':>14} "
        f"{'send() max':>11} {'poll() max':>11} {'poll p99':>9}"
    )
    results = {}
    for backend in ("instant", "scripted"):
        r = results[backend] = run(backend, args.replies)
        print(
            f"{backend:10} {r['cpu_ms']:>7.3f} ms {r['median_ms']:>15.3f} ms {r['p95_ms']:>6.3f} ms "
            f"{r['send_median_us']:>11.0f} us {r['send_max_ms']:>8.3f} ms {r['poll_max_ms']:>8.3f} ms "
            f"{r['poll_p99_us']:>6.1f} us"
        )
    overhead = results["instant"]["cpu_ms"]
    latency = results["instant"]["median_ms"]
    blocked = max(r["poll_max_ms"] for r in results.values())
    print(
        f"\nengine overhead per reply (CPU, all threads: prompt building, hand-off, watchdog, guard, "
        f"calibration): {overhead:.3f} ms (target < 2 ms: {'met' if overhead < 2 else 'MISSED'})"
    )
    print(f"hand-off latency, send() to 'done' with an instant model: median {latency:.3f} ms")
    print(
        f"longest time the polling side was blocked: {blocked:.3f} ms (target < 1 ms: "
        f"{'met' if blocked < 1 else 'MISSED'})"
    )
    if args.sessions > 0:
        cold_benchmark(args.cold_delay, args.sessions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
