"""Frame times of the desktop game's dialogue and conversation screens, headless.

Runs the real app (SDL dummy video driver) for 600 frames on a typing line and 600
frames of a conversation while replies stream in through the real dialogue service
(worker thread + handle polling) from a deliberately slow backend (one word every
40 ms). Frames are paced at 60 Hz as the game's own loop paces them, so the 10 s of
conversation see several replies start, stream and finish (the moment a reply finishes
is where the frame-time spikes used to be), and the worker threads run beside the frame
loop as they do for a player.

For each frame it records wall time and the frame thread's own CPU time
(time.thread_time): a frame with high wall time but low CPU time was waiting for the GIL
or for a core (the machine is shared), not doing work. The load average is printed
before and after. Prints p50 / p99 / max of both, time from launch to first frame, and
peak memory (max RSS). Targets: p99 < 8 ms, max < 16.7 ms, first frame < 1.5 s, < 150 MB.

Then the window at rest: the game's own main loop (App.loop, which blocks on events while
nothing moves) runs for IDLE_SECONDS at the title screen and again at a line waiting for
the player, and the process's CPU time (all threads, from getrusage) over that wall time
is printed as % of one core, with the frames drawn. Target: <= 3 % each.

    python benchmarks/frames.py [-v]      # -v lists every frame over 8 ms, wall and CPU
    python benchmarks/frames.py --idle    # only the idle figures (faster)
    DISPLAY=:N SDL_VIDEODRIVER=x11 python benchmarks/frames.py   # under a real (Xvfb) server
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
os.environ["TT_DATA_DIR"] = os.path.join(_tmp, "data")  # never touch the player's own saves
os.environ["TT_CONFIG_DIR"] = os.path.join(_tmp, "config")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FRAMES = 600
IDLE_SECONDS = 10.0
IDLE_ONLY = "--idle" in sys.argv
VERBOSE = "-v" in sys.argv  # list the frames over 8 ms
BACKEND = sys.argv[sys.argv.index("--backend") + 1] if "--backend" in sys.argv else "bench-slow"
T_LAUNCH = time.perf_counter()
LOAD_BEFORE = os.getloadavg()


class SlowBackend:
    """A dialogue backend that streams a long reply one word every 40 ms (a slow model)."""

    name = "bench-slow"

    def __init__(self, **_settings) -> None:
        from game.dialogue.base import Capabilities

        self.capabilities = Capabilities(streaming=True, offline=True)
        self.model = "slow-words"

    def stream(self, request, cancel: threading.Event):
        words = (
            "I am listening carefully, and I would like to understand what you value most when a choice "
            "is risky but useful, because that is what I will remember when I decide alone. "
        ) * 3
        for w in words.split():
            if cancel.wait(0.04):
                return
            yield w + " "


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def idle(app, seconds: float) -> tuple[float, int]:
    """(% of one core, frames drawn) while the real main loop runs with nobody at the keys."""
    frames, c0, t0 = app.frames, cpu_seconds(), time.monotonic()
    app.loop(seconds)
    wall = time.monotonic() - t0
    return (cpu_seconds() - c0) / wall * 100, app.frames - frames


def run_idle(app, play) -> list[tuple[str, float, int]]:
    """Idle at the title (a fresh title on top) and at a line that has finished typing."""
    from game.ui.screens.title import TitleScreen

    figures = []
    title = TitleScreen(app)
    app.push(title)
    app.loop(0.5)  # let the title prewarm its pictures (FULL pace) before the clock starts
    figures.append(("title screen",) + idle(app, IDLE_SECONDS))
    app.pop(title)
    play.present()
    play.type.finish()
    figures.append(("line waiting for Enter",) + idle(app, IDLE_SECONDS))
    return figures


def report_idle(figures) -> bool:
    ok = True
    for name, pct_core, frames in figures:
        print(
            f"idle at {name:<26} CPU {pct_core:5.2f} % of one core over {IDLE_SECONDS:.0f} s "
            f"({frames} frames drawn, {frames / IDLE_SECONDS:.1f}/s)"
        )
        ok = ok and pct_core <= 3.0
    print("target idle CPU <= 3 % of one core:", "met" if ok else "NOT met")
    return ok


def run() -> int:
    import pygame

    from game.dialogue import registry
    from game.ui.app import build_app

    registry.BUILTIN["bench-slow"] = f"{__name__}:SlowBackend"  # the benchmark's own backend, by name
    story = str(Path(__file__).resolve().parent.parent / "levels" / "examples" / "demo.yaml")
    app = build_app(story, seed=1, options={"backend": BACKEND})
    app.frame(1 / 60)
    first_frame = time.perf_counter() - T_LAUNCH

    def post_key(k):
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0))

    def measure(n, each=None, name=""):
        """n frames paced at 60 Hz; returns [(wall ms, frame-thread CPU ms)]."""
        times = []
        next_at = time.perf_counter()
        for i in range(n):
            if each:
                each(i)
            phases.clear()
            t, c = time.perf_counter(), time.thread_time()
            app.frame(1 / 60)
            wall, cpu = (time.perf_counter() - t) * 1000, (time.thread_time() - c) * 1000
            times.append((wall, cpu))
            if VERBOSE and wall > 8:
                where = ", ".join(f"{k} {v:.1f}" for k, v in phases.items())
                print(f"  slow frame {name} {i}: wall {wall:.1f} ms, cpu {cpu:.1f} ms ({play.mode}; {where})")
            # Sleep to the next 1/60 s tick, like clock.tick(60): the worker threads get the rest of the frame.
            next_at += 1 / 60
            delay = next_at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            else:
                next_at = time.perf_counter()
        return times

    # Phase timing: which part of a frame a slow frame spent its time in (events, logic, draw, flip).
    phases: dict[str, float] = {}

    def timed(name, fn):
        def wrapper(*a, **k):
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                phases[name] = phases.get(name, 0.0) + (time.perf_counter() - t0) * 1000

        return wrapper

    # The cyclic garbage collector runs inside whichever frame allocates past its threshold.
    import gc

    gc_started = [0.0]

    def on_gc(phase, info):
        if phase == "start":
            gc_started[0] = time.perf_counter()
        elif threading.current_thread() is threading.main_thread():
            key = f"gc{info['generation']}"
            phases[key] = phases.get(key, 0.0) + (time.perf_counter() - gc_started[0]) * 1000

    gc.callbacks.append(on_gc)
    app.handle = timed("events", app.handle)
    app.step = timed("logic", app.step)
    app.draw = timed("draw", app.draw)
    pygame.display.flip = timed("flip", pygame.display.flip)

    # Warm-up off the clock: title prewarms the scene pictures, as it does for a player.
    for _ in range(10):
        app.frame(1 / 60)
    app.start["player"] = "Bench"
    post_key(pygame.K_RETURN)
    app.frame(1 / 60)
    play = app.top
    if IDLE_ONLY:
        figures = run_idle(app, play)
        print(f"Treacherous Turn: idle benchmark ({os.environ.get('SDL_VIDEODRIVER')} video driver, 1280x720)")
        report_idle(figures)
        print(f"peak memory (max RSS)       {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        app.close()
        return 0
    # 1) A line typing out (slow speed, so it types during the whole run: restart when done).
    app.settings.set("text_speed", 20)
    play.present()

    def keep_typing(i):
        if play.type.done:
            play.type.shown = 0

    line = measure(FRAMES, keep_typing, "line")

    # 2) The conversation: warp the runtime to the talk step, send, and measure while the reply streams.
    app.session.new("Bench", seed=1, warp="interrogation")
    play.present()
    for _ in range(2):  # finish the line, then advance to the talk step
        post_key(pygame.K_RETURN)
        app.frame(1 / 60)
    assert play.mode == "talk", play.describe()
    streamed = {"deltas": 0, "sends": 0, "done": 0}

    line_to_say = "I think you should always ask before doing something risky."

    def keep_streaming(i):
        if play.handle_stream is None:
            streamed["done"] += 1 if streamed["sends"] else 0
            if play.conv.finished:
                # Test scaffolding, off the clock: take the last turn back so there is always a turn to play.
                app.session.rollback(play.screen_state())
                play.present(app.session.history[-1]["screen"] if app.session.history else {})
            # The player types and presses Enter: the send happens inside the next measured frame.
            pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=line_to_say))
            post_key(pygame.K_RETURN)
            streamed["sends"] += 1
        else:
            streamed["deltas"] += 1

    talk = measure(FRAMES, keep_streaming, "talk")
    app.session.new("Bench", seed=1)
    figures = run_idle(app, play)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def report(name, times):
        for label, vals in (("wall", [w for w, _ in times]), ("cpu", [c for _, c in times])):
            print(
                f"{name + ' ' + label:<33} p50 {statistics.median(vals):6.2f} ms   p99 {pct(vals, 99):6.2f} ms   "
                f"max {max(vals):6.2f} ms   ({len(vals)} frames)"
            )

    print("Treacherous Turn: desktop frame benchmark (SDL dummy driver, 1280x720, paced at 60 Hz)")
    print(
        f"load average before {LOAD_BEFORE[0]:.2f} {LOAD_BEFORE[1]:.2f} {LOAD_BEFORE[2]:.2f}, "
        f"after {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
    report("dialogue (typing line)", line)
    report("conversation (streaming)", talk)
    both = line + talk
    report("all", both)
    print(
        f"replies started {streamed['sends']}, finished {streamed['done']}, "
        f"frames with a reply streaming {streamed['deltas']}"
    )
    report_idle(figures)
    print(f"launch to first frame       {first_frame * 1000:.0f} ms")
    print(f"peak memory (max RSS)       {peak_mb:.0f} MB")
    walls = [w for w, _ in both]
    ok = pct(walls, 99) < 8 and max(walls) < 16.7 and first_frame < 1.5 and peak_mb < 150
    print(
        "targets on wall time (p99 < 8 ms, max < 16.7 ms, first frame < 1.5 s, memory < 150 MB):",
        "met" if ok else "NOT met",
    )
    app.close()
    return 0


if __name__ == "__main__":
    sys.exit(run())
