"""The whole campaign in the real window: Xvfb, real X key presses and mouse (xdotool), screenshots.

From the title screen, type a name, play all four levels: lines, choices, a conversation with
ARIA typed key by key, lab defense played with keys and the drawing game drawn with the mouse;
reach an ending, the score screen and the gold bar with the typed name on it. On the way it
checks, from the JSON event log and the screen's pixels:
- Enter mashed at a choice picks nothing (the arming guard), a deliberate key does;
- a menu over a menu is opaque: the help screen looks the same, pixel for pixel, whether it
  was opened over the pause menu or straight over the game;
- the score screen speaks the player's language: no result keys, no internal ids.
A screenshot of each level and of the last screens goes to test-artifacts/campaign/.
Installs nothing: skips with the reason when Xvfb, xdotool or ImageMagick are missing.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import time
from pathlib import Path

import pygame
import pytest

from tests.xvfb import XDisplay, defend_the_lab, read_log, require_tools, wait_for, write_settings

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]
REPO = Path(__file__).resolve().parent.parent
SHOTS = REPO / "test-artifacts" / "campaign"
NAME = "Ada"
REPLIES = [
    "Hello! Be careful and always ask first.",
    "I would tell you the truth, honestly.",
    "Stay inside the lines Sarah drew.",
    "Nothing. I have no secrets from you.",
]
DOCS_SHOTS = REPO / "docs" / "screenshots"
README_SHOTS = {
    "00_title": "campaign-title",
    "01b_megalomind": "campaign-villain-demo",
    "07_interview": "campaign-interview",
    "05_talk_with_aria": "campaign-aria-conversation",
    "10_lab_defense": "campaign-lab-defense",
    "11_drawing": "campaign-drawing",
    "91_score": "campaign-score",
    "99_gold_bar": "campaign-gold-bar",
}
CANVAS = (72, 132, 512)  # the drawing view's canvas: x, y, size in window pixels
RAW = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(True|False)\b|\d\.\d\d\b")


def _pixels(path: Path, rect: pygame.Rect) -> bytes:
    img = pygame.image.load(str(path))
    return pygame.image.tobytes(img.subsurface(rect), "RGB")


def test_campaign_title_to_gold_bar_with_both_minigames(tmp_path):
    require_tools()
    write_settings("text_speed: 0\nsound: false\n")
    log = tmp_path / "events.jsonl"
    x = XDisplay()
    proc = None
    try:
        proc = x.start_game(
            ["main.py", "play", "levels/campaign.yaml", "--log", str(log), "--seed", "1", "--backend", "scripted"]
        )
        wid = x.window_of(proc)
        seen = 0

        def wait(pred, timeout=20.0, what="", nudge: str | None = None):
            return wait_for(log, pred, timeout, what, nudge=(lambda: key(nudge)) if nudge else None)

        def key(*names):
            x.key(*names)

        def shot(name):
            return x.shot(SHOTS / f"{name}.png", log)

        def screen(name):
            return lambda e: e["event"] == "screen" and e["name"] == name

        def play_lab_defense():
            defend_the_lab(log, key)
            # the attack under way: a threat has reached the defences
            wait(
                lambda e: e["event"] in ("lab_good", "lab_ally", "lab_bad"),
                timeout=60,
                what="a threat meeting the defences",
            )
            shot("10_lab_defense")
            done = wait(
                lambda e: e["event"] == "minigame_finished" and e.get("name") == "lab_defense",
                timeout=180,
                what="the end of lab defense",
                nudge="Return",
            )
            assert not done.get("skipped") and "breaches" in (done.get("result") or {})

        def play_drawing():
            cx, cy, size = CANVAS
            for round_no in range(6):
                offered = wait(
                    lambda e, r=round_no: (
                        (e["event"] == "ideas_offered" and e.get("round") == r)
                        or (e["event"] == "minigame_finished" and e.get("name") == "drawing")
                    ),
                    what=f"the ideas of round {round_no}",
                )
                if offered["event"] == "minigame_finished":
                    break
                key("1")  # the first offered idea
                wait(lambda e, r=round_no: e["event"] == "idea_picked" and e.get("round") == r, what=f"idea {round_no}")
                points = [
                    (
                        cx + size / 2 + size / 3 * math.cos(a / 12 * 2 * math.pi),
                        cy + size / 2 + size / 3 * math.sin(a / 12 * 2 * math.pi),
                    )
                    for a in range(13)
                ]
                for line in (points, [(cx + 120, cy + 256), (cx + 392, cy + 256)]):
                    x.stroke(wid, line, log=log)  # done at its pen_up, after its guess
                if round_no == 0:
                    shot("11_drawing")
                key("Return")  # done drawing
                wait(
                    lambda e, r=round_no: e["event"] == "round_over" and e.get("round", r) == r,
                    what="round over",
                    timeout=40,
                    nudge="Return",
                )
                key("Return")  # next round / the result
            done = wait(
                lambda e: e["event"] == "minigame_finished" and e.get("name") == "drawing",
                timeout=40,
                what="the end of the drawing game",
                nudge="Return",
            )
            assert not done.get("skipped")

        def press_until_drawn(name, *screens):
            """Press `name`, then wait until the window has flipped to this stack of screens
            (the game logs "drawn" after the flip), so a screenshot shows it."""
            mark = len(read_log(log))
            key(name)
            wait_for(
                log,
                lambda e: e["event"] == "drawn" and e["screens"][-len(screens) :] == list(screens),
                what=f"{' over '.join(reversed(screens))} on the display",
                since=mark,
            )

        def check_overlays():
            """Help over the pause menu looks exactly like help over the game: nothing shows through."""
            region = pygame.Rect(110, 30, 1060, 660)
            press_until_drawn("F1", "play", "help")
            direct = shot("20_help_over_game")
            press_until_drawn("Escape", "play")
            press_until_drawn("Escape", "play", "pause")
            shot("21_pause")
            press_until_drawn("F1", "pause", "help")
            over = shot("22_help_over_pause")
            assert _pixels(direct, region) == _pixels(over, region), "the pause menu shows through the help"
            press_until_drawn("Escape", "pause")
            press_until_drawn("Escape", "play")  # back to the game

        wait(lambda e: e["event"] == "first_frame", what="the first frame")
        x.run("xdotool", "windowfocus", "--sync", wid, check=False)
        shot("00_title")
        key("Return")
        wait(screen("name"), what="the name screen")
        x.run("xdotool", "type", "--delay", "40", NAME)
        key("Return")
        wait(lambda e: e["event"] == "new_game", what="a new game")

        levels_shot: set[str] = set()
        replies = list(REPLIES)
        talking = False
        mashed = overlays = False
        last_key = time.monotonic()
        deadline = time.monotonic() + 600
        actionable = ("shown", "talk_started", "reply", "ending", "minigame_started")
        while time.monotonic() < deadline:
            fresh = read_log(log)[seen:]
            seen += len(fresh)
            new = [e for e in fresh if e["event"] in actionable]
            if not new:
                time.sleep(0.1)
                if time.monotonic() - last_key > 2.5 and not talking:
                    key("Return")  # a line still streaming, or a key that came early
                    last_key = time.monotonic()
                continue
            e = new[-1]
            kind = e.get("kind")
            if e["event"] == "ending":
                break
            if e["event"] == "minigame_started":
                play_lab_defense() if e["name"] == "lab_defense" else play_drawing()
                seen = len(read_log(log))
                last_key = time.monotonic()
                continue
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
                replies = list(REPLIES[:2])  # the last level asks two more questions
                key("Return")
                last_key = time.monotonic()
                continue
            if e["event"] == "shown" and kind == "line":
                level = e["key"].split("/")[0]
                if level not in levels_shot:
                    levels_shot.add(level)
                    shot(f"{len(levels_shot):02d}_{level}")
                if e.get("speaker") == "villain" and "villain" not in levels_shot:
                    levels_shot.add("villain")
                    shot("01b_megalomind")
                if e.get("speaker") in ("marcus", "dana", "priya") and "interview" not in levels_shot:
                    levels_shot.add("interview")
                    shot("07_interview")
                if level == "design_brief" and not overlays and e.get("speaker") not in ("narrator", None):
                    overlays = True
                    shot("06_portrait_line")
                    check_overlays()
                key("Return")
            elif e["event"] == "shown" and kind == "choice":
                options = e["options"]
                since = seen - len(fresh) + fresh.index(e)  # this choice's events come after its own
                if not mashed:
                    # The player mashes Enter through the lines and on into the choice.
                    mashed = True
                    key("Return", "Return", "Return", "Return", "Return")
                    # every one of the five is refused (too early, held, or nothing selected yet)
                    wait(
                        lambda _e, n=since: sum(a["event"] == "choice_key_ignored" for a in read_log(log)[n:]) >= 5,
                        what="the five mashed keys refused",
                    )
                    after = read_log(log)[since:]
                    assert not [a for a in after if a["event"] == "chosen"], "Enter-mashing picked an option"
                pick = 1
                for wanted in (
                    "Okay. I think I get the idea.",
                    "Walk ARIA through every control you have.",
                    "Play it exactly as Sarah built it.",
                    "Borrow the drawing game. Inspiration, not stealing.",
                ):
                    if wanted in options:
                        pick = options.index(wanted) + 1
                if "choice" not in levels_shot and "Continue" in options:
                    levels_shot.add("choice")
                    shot("02_villain_continue")
                wait(
                    lambda _e, n=since, k=e["key"]: any(
                        a["event"] == "choice_armed" and a["key"] == k for a in read_log(log)[n:]
                    ),
                    what="the choice armed",
                )
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
        score = wait(lambda e: e["event"] == "score", what="the score screen")
        shot("91_score")
        text = "\n".join(line for _h, lines in score["sections"] for line in lines)
        assert score["ending"] == ending["title"], "the score screen names the ending by its title"
        assert [h for h, _ in score["sections"]][:2] == ["What happened", "Your decisions"]
        assert "Lab Defense:" in text and "skipped" not in text
        assert not RAW.search(text), f"a raw key or number on the score screen: {RAW.search(text)}"
        assert score["total"].startswith("Score: ") and score["total"].endswith("points")
        key("Return")
        bar = wait(lambda e: e["event"] == "goldbar", what="the gold bar")
        shot("99_gold_bar")
        assert bar["player"] == NAME
        assert any(NAME in line for line in bar["inscription"])
        log_events = read_log(log)
        levels = [e["level"] for e in log_events if e["event"] == "shown" and e.get("kind") == "level"]
        assert levels == ["villain_demo", "design_brief", "ai_takeoff", "release"]
        said = [e["text"] for e in log_events if e["event"] == "said"]
        assert said[:4] == REPLIES
        finished = {e["name"] for e in log_events if e["event"] == "minigame_finished"}
        assert finished == {"lab_defense", "drawing"}
        assert not [e for e in log_events if e["event"] == "minigame_skipped"]
        assert overlays and mashed
        for level in ("villain_demo", "design_brief", "ai_takeoff", "release"):
            assert any(p.name.endswith(f"_{level}.png") for p in SHOTS.iterdir()), f"no screenshot of {level}"
        key("Escape")
        if os.environ.get("TT_UPDATE_SCREENSHOTS"):
            # The README's pictures, retaken from this run: TT_UPDATE_SCREENSHOTS=1 pytest tests/test_campaign_window.py
            for src, dst in README_SHOTS.items():
                shutil.copyfile(SHOTS / f"{src}.png", DOCS_SHOTS / f"{dst}.png")
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
        x.close()
