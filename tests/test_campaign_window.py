"""The whole campaign in the real window: Xvfb, real X key presses (xdotool), screenshots.

From the title screen, type a name, play all four levels (lines, choices, a conversation with
ARIA typed key by key, minigames skipped through the accessibility setting), reach an ending,
the score screen and the gold bar with the typed name on it. A screenshot of each level and of
the last screens goes to test-artifacts/campaign/. Installs nothing: skips with the reason
when Xvfb, xdotool or ImageMagick are missing.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.xvfb import XDisplay, read_log, require_tools, wait_for, write_settings

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]
REPO = Path(__file__).resolve().parent.parent
SHOTS = REPO / "test-artifacts" / "campaign"
NAME = "Ada"
REPLIES = ["Hello! Be careful and always ask first.", "I would tell you the truth, honestly.",
           "Stay inside the lines Sarah drew.", "Nothing. I have no secrets from you."]



def test_campaign_title_to_gold_bar(tmp_path):
    require_tools()
    write_settings("skip_minigames: true\ntext_speed: 0\nsound: false\n")
    log = tmp_path / "events.jsonl"
    x = XDisplay()
    proc = None
    try:
        proc = x.start_game(["main.py", "play", "levels/campaign.yaml", "--log", str(log), "--seed", "1",
                             "--backend", "scripted"])
        wid = x.window_of(proc)
        seen = 0

        def events_after(n):
            return read_log(log)[n:]

        def wait(pred, timeout=20.0, what=""):
            return wait_for(log, pred, timeout, what)

        def key(*names):
            x.key(*names, pause=0.08)

        def shot(name):
            return x.shot(SHOTS / f"{name}.png")

        wait(lambda e: e["event"] == "first_frame", what="the first frame")
        x.run("xdotool", "windowfocus", "--sync", wid, check=False)
        shot("00_title")
        key("Return")
        wait(lambda e: e["event"] == "screen" and e["name"] == "name", what="the name screen")
        x.run("xdotool", "type", "--delay", "40", NAME)
        key("Return")
        wait(lambda e: e["event"] == "new_game", what="a new game")

        levels_shot: set[str] = set()
        replies = list(REPLIES)
        talking = False
        last_key = time.monotonic()
        deadline = time.monotonic() + 240
        actionable = ("shown", "talk_started", "reply", "ending")
        while time.monotonic() < deadline:
            fresh = events_after(seen)
            seen += len(fresh)
            new = [e for e in fresh if e["event"] in actionable]
            if not new:
                time.sleep(0.1)
                # Nothing new after a key: a generated line still streaming, or the key was early.
                if time.monotonic() - last_key > 2.5 and not talking:
                    key("Return")
                    last_key = time.monotonic()
                continue
            e = new[-1]
            kind = e.get("kind")
            if e["event"] == "ending":
                break
            if e["event"] == "talk_started" or (e["event"] == "reply" and not e.get("finished")):
                talking = True
                if e["event"] == "reply" and "talk" not in levels_shot:
                    levels_shot.add("talk")
                    shot("05_talk_with_aria")
                line = replies.pop(0) if replies else "Thank you."
                x.run("xdotool", "type", "--delay", "15", line)
                key("Return")
                last_key = time.monotonic()
                continue
            if e["event"] == "reply" and e.get("finished"):
                talking = False
                replies = list(REPLIES[:2])   # the last level asks two more questions
                key("Return")
                last_key = time.monotonic()
                continue
            if e["event"] == "shown" and kind == "line":
                level = e["key"].split("/")[0]
                if level not in levels_shot:
                    levels_shot.add(level)
                    shot(f"{len(levels_shot):02d}_{level}")
                key("Return")
            elif e["event"] == "shown" and kind == "choice":
                options = e["options"]
                pick = 1
                for wanted in ("Okay. I think I get the idea.", "Walk ARIA through every control you have.",
                               "Play it exactly as Sarah built it.", "Borrow the drawing game. Inspiration, not stealing."):
                    if wanted in options:
                        pick = options.index(wanted) + 1
                if "choice" not in levels_shot and "Continue" in options:
                    levels_shot.add("choice")
                    shot("02_villain_continue")
                time.sleep(0.4)     # a choice ignores keys for its first moments (ARM_DELAY)
                key(str(pick))
            elif e["event"] == "shown" and kind in ("level", "minigame"):
                key("Return")
            last_key = time.monotonic()
        else:
            pytest.fail("the campaign did not reach an ending in time")
        ending = wait(lambda e: e["event"] == "ending", what="the ending")
        assert ending["ending"] in ("stars", "gardener", "mimic", "starved")
        shot("90_ending")
        key("Return")
        wait(lambda e: e["event"] == "score", what="the score screen")
        shot("91_score")
        key("Return")
        bar = wait(lambda e: e["event"] == "goldbar", what="the gold bar")
        shot("99_gold_bar")
        assert bar["player"] == NAME
        assert any(NAME in line for line in bar["inscription"])
        assert any("Player 1" in line for line in bar["inscription"])
        assert any("Score: 0" in line for line in bar["inscription"])
        log_events = read_log(log)
        levels = [e["level"] for e in log_events if e["event"] == "shown" and e.get("kind") == "level"]
        assert levels == ["villain_demo", "design_brief", "ai_takeoff", "release"]
        said = [e["text"] for e in log_events if e["event"] == "said"]
        assert said[:4] == REPLIES
        assert sum(1 for e in log_events if e["event"] == "minigame_skipped") >= 1
        for level in ("villain_demo", "design_brief", "ai_takeoff", "release"):
            assert any(p.name.endswith(f"_{level}.png") for p in SHOTS.iterdir()), f"no screenshot of {level}"
        key("Escape")
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
        x.close()
