"""Frame times of the desktop game's dialogue and conversation screens, headless.

Runs the real app (SDL dummy video driver) for 600 frames on a typing line and 600
frames of a conversation while a reply streams in through the real dialogue service
(worker thread + handle polling) from a deliberately slow backend (one word every
40 ms). Prints frame time p50 / p99 / max, time from launch to first frame, and peak
memory (max RSS). Targets: p99 < 8 ms, max < 16.7 ms, first frame < 1.5 s, < 150 MB.

    python benchmarks/frames.py
"""
from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
_tmp = tempfile.mkdtemp(prefix="tt-bench-")
os.environ["TT_DATA_DIR"] = os.path.join(_tmp, "data")     # never touch the player's own saves
os.environ["TT_CONFIG_DIR"] = os.path.join(_tmp, "config")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FRAMES = 600
VERBOSE = "-v" in sys.argv      # list the frames over 8 ms
T_LAUNCH = time.perf_counter()


class SlowBackend:
    """A dialogue backend that streams a long reply one word every 40 ms (a slow model)."""

    name = "bench-slow"

    def __init__(self, **_settings) -> None:
        from game.dialogue.base import Capabilities

        self.capabilities = Capabilities(streaming=True, offline=True)
        self.model = "slow-words"

    def stream(self, request, cancel: threading.Event):
        words = ("I am listening carefully, and I would like to understand what you value most when a choice "
                 "is risky but useful, because that is what I will remember when I decide alone. ") * 3
        for w in words.split():
            if cancel.wait(0.04):
                return
            yield w + " "


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def run() -> int:
    import pygame

    from game.dialogue import registry
    from game.ui.app import build_app

    registry.BUILTIN["bench-slow"] = f"{__name__}:SlowBackend"     # the benchmark's own backend, by name
    story = str(Path(__file__).resolve().parent.parent / "levels" / "examples" / "demo.yaml")
    app = build_app(story, seed=1, options={"backend": "bench-slow"})
    app.frame(1 / 60)
    first_frame = time.perf_counter() - T_LAUNCH

    def post_key(k):
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0))

    def measure(n, each=None):
        times = []
        for i in range(n):
            if each:
                each(i)
            t = time.perf_counter()
            app.frame(1 / 60)
            times.append((time.perf_counter() - t) * 1000)
            if VERBOSE and times[-1] > 8:
                print(f"  slow frame {i}: {times[-1]:.1f} ms ({play.mode})")
        return times

    # Warm-up off the clock: title prewarms the scene pictures, as it does for a player.
    for _ in range(10):
        app.frame(1 / 60)
    app.start["player"] = "Bench"
    post_key(pygame.K_RETURN)
    app.frame(1 / 60)
    play = app.top
    # 1) A line typing out (slow speed, so it types during the whole run: restart when done).
    app.settings.set("text_speed", 20)
    play.present()

    def keep_typing(i):
        if play.type.done:
            play.type.shown = 0
    line = measure(FRAMES, keep_typing)

    # 2) The conversation: warp the runtime to the talk step, send, and measure while the reply streams.
    app.session.new("Bench", seed=1, warp="interrogation")
    play.present()
    for _ in range(2):      # finish the line, then advance to the talk step
        post_key(pygame.K_RETURN)
        app.frame(1 / 60)
    assert play.mode == "talk", play.describe()
    streamed = {"deltas": 0, "sends": 0}

    def keep_streaming(i):
        if play.handle_stream is None:
            if play.conv.finished:
                app.session.rollback(play.screen_state())   # reuse the same turn: keep a reply streaming
                play.present(app.session.history[-1]["screen"] if app.session.history else {})
            play.say("I think you should always ask before doing something risky.")
            streamed["sends"] += 1
        else:
            streamed["deltas"] += 1
    talk = measure(FRAMES, keep_streaming)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def report(name, times):
        print(f"{name:<28} p50 {statistics.median(times):6.2f} ms   p99 {pct(times, 99):6.2f} ms   "
              f"max {max(times):6.2f} ms   ({len(times)} frames)")

    print("Treacherous Turn: desktop frame benchmark (SDL dummy driver, 1280x720)")
    report("dialogue (typing line)", line)
    report("conversation (streaming)", talk)
    both = line + talk
    report("all", both)
    print(f"replies started {streamed['sends']}, frames with a reply streaming {streamed['deltas']}")
    print(f"launch to first frame       {first_frame * 1000:.0f} ms")
    print(f"peak memory (max RSS)       {peak_mb:.0f} MB")
    ok = pct(both, 99) < 8 and max(both) < 16.7 and first_frame < 1.5 and peak_mb < 150
    print("targets (p99 < 8 ms, max < 16.7 ms, first frame < 1.5 s, memory < 150 MB):", "met" if ok else "NOT met")
    app.close()
    return 0


if __name__ == "__main__":
    sys.exit(run())
