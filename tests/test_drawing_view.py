"""The desktop view, headless: a scripted round with mouse and keyboard events."""

import math

import pygame
import pytest

from game.minigames.drawing import DrawingGame
from game.minigames.drawing.game import known_classes
from game.ui.minigames.drawing import CANVAS_POS, View

STEP = 1 / 60


@pytest.fixture
def view():
    pygame.init()
    g = DrawingGame()
    g.reset(1, {"rounds": 2, "voice": "aria"})
    v = View(g, seed=1, params={}, context={"player": "Player 1", "timed": True})
    yield v
    pygame.quit()


def _frames(v, surf, n=1):
    for _ in range(n):
        v.update(STEP)
    v.draw(surf)


def _mouse_shape(v, surf, pts):
    v.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pts[0], button=1))
    for p in pts[1:]:
        v.handle_event(pygame.event.Event(pygame.MOUSEMOTION, pos=p, rel=(0, 0), buttons=(1, 0, 0)))
        _frames(v, surf, 2)
    v.handle_event(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pts[-1], button=1))
    _frames(v, surf, 2)


def _key(v, key, uni=""):
    v.handle_event(pygame.event.Event(pygame.KEYDOWN, key=key, unicode=uni, mod=0))


def test_scripted_round_ends_with_a_result(view, artifacts_dir):
    surf = pygame.Surface((1280, 720))
    _frames(view, surf)
    pygame.image.save(surf, str(artifacts_dir / "1_pick.png"))
    # click the first card
    view.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=view.cards[0].center, button=1))
    _frames(view, surf)
    assert view.game.state["phase"] == "draw"
    cx, cy, r = CANVAS_POS[0] + 256, CANVAS_POS[1] + 256, 150
    circle = [(int(cx + r * math.cos(a * math.pi / 20)), int(cy + r * math.sin(a * math.pi / 20))) for a in range(41)]
    _mouse_shape(view, surf, circle)
    _mouse_shape(view, surf, [(cx - 60, cy - 40), (cx - 50, cy - 40)])
    pygame.image.save(surf, str(artifacts_dir / "2_drawing.png"))
    log = view.drain_log()
    guesses = [e for e in log if e["event"] == "guess"]
    assert guesses and all(e["label"] in view.game.recognizer.classes and 0 <= e["prob"] <= 1 for e in guesses)
    assert any(e["event"] == "ai_line" for e in log) and any(e["event"] == "idea_picked" for e in log)
    assert [e["strokes"] for e in log if e["event"] == "pen_up"] == [1, 2], "each stroke ends with pen_up"
    ups = [i for i, e in enumerate(log) if e["event"] == "pen_up"]
    assert all(log[i - 1]["event"] == "guess" for i in ups), "a pen-up's own guess is logged before it"
    offered = [e for e in log if e["event"] == "ideas_offered"]
    assert offered == [{"event": "ideas_offered", "round": 0, "ideas": view.game.state["options"]}]
    assert view.drain_log() == [], "drained entries are not repeated"
    _key(view, pygame.K_z)  # undo the dot
    _frames(view, surf)
    assert len(view.game.state["strokes"]) == 1
    if view.game.state["phase"] == "draw":
        _key(view, pygame.K_RETURN, "\r")
        _frames(view, surf)
    assert view.game.state["phase"] == "reveal"
    pygame.image.save(surf, str(artifacts_dir / "3_reveal.png"))
    assert any(e["event"] == "round_over" for e in view.drain_log())
    # round 2 by keyboard only: pick with 2, draw a square with arrows and Space
    _key(view, pygame.K_RETURN, "\r")
    _frames(view, surf)
    assert [e["round"] for e in view.drain_log() if e["event"] == "ideas_offered"] == [1], "the next round's pick"
    _key(view, pygame.K_2, "2")
    _frames(view, surf)
    assert view.game.state["phase"] == "draw" and view.game.state["round"] == 1
    _key(view, pygame.K_SPACE, " ")
    for key in (pygame.K_RIGHT, pygame.K_DOWN, pygame.K_LEFT, pygame.K_UP):
        _key(view, key)
        _frames(view, surf, 40)
        view.handle_event(pygame.event.Event(pygame.KEYUP, key=key, mod=0))
    _key(view, pygame.K_SPACE, " ")
    _frames(view, surf, 2)
    assert len(view.game.state["strokes"]) == 1 and len(view.game.state["strokes"][0][0]) > 100
    pygame.image.save(surf, str(artifacts_dir / "4_keyboard.png"))
    if view.game.state["phase"] == "draw":
        _key(view, pygame.K_RETURN, "\r")
        _frames(view, surf)
    _key(view, pygame.K_RETURN, "\r")
    _frames(view, surf)
    assert view.finished
    r = view.result()
    assert r["rounds"] == 2 and r["idea"] == view.game.state["history"][1]["idea"]


def test_timer_can_be_hidden_or_switched_off():
    pygame.init()
    g = DrawingGame()
    g.reset(1, {"ideas": known_classes()})
    View(g, seed=1, params={}, context={"timed": False})
    assert g.state["timed"] is False
    g2 = DrawingGame()
    g2.reset(1)
    v2 = View(g2, seed=1, params={}, context={"timed": True})
    surf = pygame.Surface((1280, 720))
    _key(v2, pygame.K_1, "1")
    _frames(v2, surf)
    _key(v2, pygame.K_t, "t")
    _frames(v2, surf)
    assert v2.show_timer is False and g2.state["timed"] is True
    pygame.quit()
