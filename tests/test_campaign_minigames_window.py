"""Both minigames of the campaign, played in the real window with real X input.

Warps into Sarah's level at the lab defense, plays it with keys (controls on every lane,
game speed up), then draws three rounds for ARIA with the mouse (xdotool), and checks the
JSON event log: the AI guessed while the player drew, both results reached the story
unskipped, and the level reacted to them. Screenshots go to test-artifacts/campaign-minigames/.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tests.xvfb import XDisplay, defend_the_lab, read_log, require_tools, wait_for, write_settings

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]
REPO = Path(__file__).resolve().parent.parent
SHOTS = REPO / "test-artifacts" / "campaign-minigames"  # apart from test_campaign_window.py's shots
CANVAS = (72, 132, 512)  # the drawing view's canvas: x, y, size in window pixels (1280x720 window)


def test_campaign_minigames_with_real_input(tmp_path):
    require_tools()
    write_settings("text_speed: 0\nsound: false\n")
    log = tmp_path / "events.jsonl"
    x = XDisplay()
    proc = None
    try:
        proc = x.start_game(
            [
                "main.py",
                "play",
                "levels/campaign.yaml",
                "--level",
                "ai_takeoff",
                "--warp",
                "defense",
                "--set",
                "threats=outside",
                "--set",
                "roadmap=true",
                "--name",
                "Ada",
                "--log",
                str(log),
                "--seed",
                "3",
                "--backend",
                "scripted",
            ]
        )
        wid = x.window_of(proc)

        def wait(pred, timeout=30.0, what="", nudge: str | None = None):
            return wait_for(log, pred, timeout, what, nudge=(lambda: key(nudge)) if nudge else None)

        def key(*names):
            x.key(*names, window=wid)

        def shot(name):
            x.shot(SHOTS / f"{name}.png", log)

        wait(lambda e: e["event"] == "first_frame", what="the first frame")
        x.run("xdotool", "windowfocus", "--sync", wid, check=False)

        # ---- lab defense: advance to the minigame card, start it
        wait(
            lambda e: e["event"] == "minigame_started" and e["name"] == "lab_defense",
            what="lab defense",
            nudge="Return",
        )
        defend_the_lab(log, key)
        # the attack under way: a threat has reached the defences
        wait(
            lambda e: e["event"] in ("lab_good", "lab_ally", "lab_bad"),
            timeout=60,
            what="a threat meeting the defences",
        )
        shot("10_lab_defense")
        # The sim runs in real time at x3; Enter dismisses the result screen once it shows.
        done = wait(
            lambda e: e["event"] == "minigame_finished" and e.get("name") == "lab_defense",
            timeout=150,
            what="the end of lab defense",
            nudge="Return",
        )
        result = done.get("result") or {}
        assert not done.get("skipped"), done
        assert 0 < result.get("training", 0) <= 1 and "breaches" in result

        # ---- the drawing game: three rounds drawn with the mouse
        wait(
            lambda e: e["event"] == "minigame_started" and e["name"] == "drawing",
            timeout=60,
            what="drawing",
            nudge="Return",
        )
        cx, cy, size = CANVAS
        for round_no in range(3):
            wait(lambda e, r=round_no: e["event"] == "ideas_offered" and e["round"] == r, what=f"round {round_no}")
            key("1")  # the first offered idea
            wait(lambda e, r=round_no: e["event"] == "idea_picked" and e.get("round") == r, what=f"idea {round_no}")
            # a circle with a cross: strokes, pen-ups, guesses while drawing
            points = [
                (
                    cx + size / 2 + size / 3 * math.cos(a / 12 * 2 * math.pi),
                    cy + size / 2 + size / 3 * math.sin(a / 12 * 2 * math.pi),
                )
                for a in range(13)
            ]
            for line in (
                points,
                [(cx + 120, cy + 256), (cx + 392, cy + 256)],
                [(cx + 256, cy + 120), (cx + 256, cy + 392)],
            ):
                x.stroke(wid, line, log=log)  # done at its pen_up, after its guess
            wait(lambda e, r=round_no: e["event"] == "guess" and e.get("round", r) == r, what="a guess")
            if round_no == 0:
                shot("11_drawing_guess")
            key("Return")  # done drawing (ignored if the AI already knew)
            wait(
                lambda e, r=round_no: e["event"] == "round_over" and e.get("round", r) == r,
                what="round over",
                timeout=40,
            )
            key("Return")  # next round / the result
        done = wait(
            lambda e: e["event"] == "minigame_finished" and e.get("name") == "drawing",
            timeout=40,
            what="the end of the drawing game",
            nudge="Return",
        )
        assert not done.get("skipped"), done
        drawing = done.get("result") or {}
        assert drawing.get("rounds") == 3 and drawing.get("guess")
        events = read_log(log)
        guesses = [e for e in events if e["event"] == "guess"]
        assert len(guesses) >= 3, "the AI guessed while the player drew"
        # The level reacts to the drawing: ARIA names its guess.
        said = wait(
            lambda e: e["event"] == "shown" and "I guessed" in e.get("text", ""),
            timeout=20,
            what="ARIA's reaction",
            nudge="Return",
        )
        assert drawing["guess"] in said["text"]
        shot("12_after_drawing")
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except Exception:  # noqa: BLE001
                proc.kill()
        x.close()
