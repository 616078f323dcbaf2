"""End to end in a real X window: draw with real X mouse input, see the AI guess."""

import json
import math
import time

import pytest

from tests.xvfb import XDisplay, screenshot_is_blank

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]


def _events(log):
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def _wait_for(log, pred, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hits = [e for e in _events(log) if pred(e)]
        if hits:
            return hits
        time.sleep(0.2)
    return []


def test_drawing_in_a_real_window_makes_the_ai_guess(tmp_path, artifacts_dir):
    x = XDisplay()
    log = tmp_path / "events.jsonl"
    proc = None
    try:
        proc = x.start_game(["main.py", "minigame", "drawing", "--window", "--log", str(log), "--seed", "1"])
        win = x.window_of(proc)
        # This bare host writes a view's events after the flip of the frame that made them: the
        # ideas are on the display once "ideas_offered" is in the log.
        assert _wait_for(log, lambda e: e["event"] == "ideas_offered"), "the ideas offered"
        x.screenshot(artifacts_dir / "1_pick.png")
        assert not screenshot_is_blank(artifacts_dir / "1_pick.png")
        # the first idea card (view.cards[0] is centred at 300, 335)
        x.run("xdotool", "mousemove", "--window", win, "300", "335", "click", "1")
        assert _wait_for(log, lambda e: e["event"] == "idea_picked"), "clicking a card picks the idea"
        cx, cy, r = 72 + 256, 132 + 256, 140
        pts = [
            (int(cx + r * math.cos(2 * math.pi * i / 36)), int(cy + r * math.sin(2 * math.pi * i / 36)))
            for i in range(37)
        ]
        x.stroke(win, pts)  # paced as a hand draws: the AI guesses while the line grows
        assert _wait_for(log, lambda e: e["event"] == "pen_up"), "the stroke finished (its last guess on screen)"
        guesses = _wait_for(log, lambda e: e["event"] == "guess")
        assert guesses, f"no guess in the event log: {_events(log)[-5:]}"
        assert all(isinstance(g["label"], str) and 0 <= g["prob"] <= 1 for g in guesses)
        x.screenshot(artifacts_dir / "2_guessing.png")
        assert not screenshot_is_blank(artifacts_dir / "2_guessing.png")
        # Not checked: the game may close its window on the key press, before xdotool sends the
        # key release to it (BadWindow); the exit status and the event log say what happened.
        x.run("xdotool", "key", "--window", win, "Escape", check=False)
        proc.wait(15)
        assert proc.returncode == 0, proc.stderr.read()[-2000:]
        assert _events(log)[-1]["event"] == "minigame_finished"
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
        x.close()
