"""DrawingGame as a pure simulation: contract, rules, determinism, autopilot."""

import json
import math

import pytest

from game import minigames
from game.minigames.base import run_autopilot
from game.minigames.drawing import DrawingGame
from game.minigames.drawing.game import CANVAS, GUESS_EVERY, known_classes

DT = 1 / 30


def _circle(game, cx=256, cy=256, r=150, n=40, steps_per_point=1):
    """Draw a circle with the mouse-style inputs, one point per step."""
    pts = [(cx + r * math.cos(2 * math.pi * i / n), cy + r * math.sin(2 * math.pi * i / n)) for i in range(n + 1)]
    game.step(DT, {"pen_down": list(pts[0])})
    for p in pts[1:]:
        for _ in range(steps_per_point):
            game.step(DT, {"pen_move": list(p)})
    game.step(DT, {"pen_up": True})


def _known_pick(game):
    known = set(known_classes())
    return next(i for i, w in enumerate(game.state["options"]) if w in known)


def test_registry_maps_drawing_and_info_is_complete():
    assert minigames.get("drawing") is DrawingGame
    info = DrawingGame.info()
    for field in ("reward", "guess", "idea", "rounds", "score", "seconds", "understood"):
        assert field in info.result_fields and field in info.default_result
    assert set(info.params) == {"rounds", "timed", "time_limit", "ideas", "voice"}


def test_offers_three_seeded_ideas_two_of_them_known():
    a, b = DrawingGame(), DrawingGame()
    a.reset(5)
    b.reset(5)
    assert a.state["options"] == b.state["options"] and len(set(a.state["options"])) == 3
    assert sum(w in known_classes() for w in a.state["options"]) == 2
    c = DrawingGame()
    c.reset(6)
    d = DrawingGame()
    d.reset(7)
    assert len({tuple(a.state["options"]), tuple(c.state["options"]), tuple(d.state["options"])}) > 1
    e = DrawingGame()
    e.reset(1, {"ideas": ["sun", "moon", "star"]})
    assert sorted(e.state["options"]) == ["moon", "star", "sun"]


def test_guesses_while_drawing_and_at_pen_up():
    g = DrawingGame()
    g.reset(1, {"voice": "plain"})
    g.step(DT, {"pick": 0})
    assert g.state["phase"] == "draw"
    g.step(DT, {"pen_down": [100, 100]})
    for i in range(30):  # one second of a long stroke without lifting the pen
        g.step(DT, {"pen_move": [100 + 10 * i, 100 + 5 * (i % 2)]})
    during = len(g.state["guesses"])
    assert during >= int(1.0 / GUESS_EVERY) - 1, "guesses every few hundred ms while the pen moves"
    g.step(DT, {"pen_up": True})
    assert len(g.state["guesses"]) == during + 1, "and once more at pen-up"
    assert g.state["line"], "thinking out loud"
    idle = len(g.state["guesses"])
    for _ in range(30):
        g.step(DT)
    assert len(g.state["guesses"]) == idle, "no new guesses while nothing changes"


def test_done_ends_the_round_with_a_flat_json_result():
    g = DrawingGame()
    g.reset(2, {"voice": "plain"})
    g.step(DT, {"pick": _known_pick(g)})
    _circle(g)
    if g.state["phase"] == "draw":
        g.step(DT, {"done": True})
    assert g.state["phase"] == "reveal"
    g.step(DT, {"next": True})
    assert g.done
    r = g.result()
    assert all(isinstance(v, (str, int, float, bool)) for v in r.values())
    json.dumps(r)
    assert 0.0 <= r["reward"] <= 1.0 and r["rounds"] == 1 and r["guess"] and r["idea"] == g.state["history"][0]["idea"]
    assert r["seconds"] > 0


def test_time_limit_ends_a_round_and_can_be_switched_off():
    g = DrawingGame()
    g.reset(3, {"time_limit": 2})
    g.step(DT, {"pick": 0})
    for _ in range(int(2.5 / DT)):
        g.step(DT)
    assert g.state["phase"] == "reveal" and g.state["history"][0]["ended_by"] == "time"
    assert g.state["history"][0]["guess"] == "" and g.state["history"][0]["reward"] == 0.0
    h = DrawingGame()
    h.reset(3, {"time_limit": 2, "timed": False})
    h.step(DT, {"pick": 0})
    for _ in range(int(5 / DT)):
        h.step(DT)
    assert h.state["phase"] == "draw"


def test_undo_clear_and_keyboard_drawing():
    g = DrawingGame()
    g.reset(4)
    g.step(DT, {"pick": 1})
    g.step(DT, {"toggle_pen": True})
    for _ in range(15):
        g.step(DT, {"cursor": [1, 0]})
    g.step(DT, {"toggle_pen": True})
    assert len(g.state["strokes"]) == 1 and len(g.state["strokes"][0][0]) >= 10
    xs = g.state["strokes"][0][0]
    assert xs[-1] - xs[0] == pytest.approx(15 * DT * 260, abs=1)
    g.step(DT, {"toggle_pen": True})
    g.step(DT, {"cursor": [0, 1]})
    g.step(DT, {"toggle_pen": True})
    assert len(g.state["strokes"]) == 2
    g.step(DT, {"undo": True})
    assert len(g.state["strokes"]) == 1
    g.step(DT, {"clear": True})
    assert g.state["strokes"] == [] and g.state["top"] == []
    for _ in range(200):
        g.step(DT, {"cursor": [-1, -1]})
    assert g.state["cursor"] == [0.0, 0.0], "the cursor stays on the canvas"
    g.step(DT, {"pen_down": [CANVAS + 100, -50]})
    assert g.state["strokes"][0][0][0] == CANVAS and g.state["strokes"][0][1][0] == 0.0


def test_own_ideas_need_a_vision_model():
    g = DrawingGame()
    g.reset(1)
    g.step(DT, {"pick_custom": "my grandmother"})
    assert g.state["phase"] == "pick" and "vision" in g.state["notice"]


def test_snapshot_restore_replays_identically():
    def play(game, actions):
        for a in actions:
            game.step(DT, a)

    acts = (
        [{"pick": 0}, {"pen_down": [50, 50]}]
        + [{"pen_move": [50 + 8 * i, 50 + 3 * i]} for i in range(40)]
        + [{"pen_up": True}, {"pen_down": [300, 60]}]
        + [{"pen_move": [300, 60 + 9 * i]} for i in range(30)]
        + [{"pen_up": True}, None, None, {"done": True}]
    )
    a = DrawingGame()
    a.reset(9, {"voice": "villain"})
    play(a, acts[:30])
    snap = a.snapshot()
    json.dumps(snap)
    b = DrawingGame()
    b.restore(snap)
    play(a, acts[30:])
    play(b, acts[30:])
    assert a.snapshot() == b.snapshot()
    assert a.state["history"] == b.state["history"]


def test_autopilot_plays_every_round_to_a_result():
    r = run_autopilot("drawing", 11, {"rounds": 3, "voice": "plain"})
    assert r["rounds"] == 3 and 0 <= r["reward"] <= 1 and isinstance(r["understood"], bool)
    again = run_autopilot("drawing", 11, {"rounds": 3, "voice": "plain"})
    assert r == again, "same seed, same game"


def test_autopilot_is_understood_on_most_known_ideas():
    """The autopilot draws held-out examples; the AI should get most of them."""
    understood = 0
    for seed in range(6):
        r = run_autopilot("drawing", seed, {"ideas": known_classes()})
        understood += r["understood"]
    assert understood >= 4


def test_confident_guess_is_said_but_the_round_is_the_players():
    """Sure twice running: the AI says so, and the round goes on until Done (it may be wrong)."""
    g = DrawingGame()
    g.reset(1, {"voice": "plain", "ideas": known_classes()})
    g.step(DT, {"pick": 0})
    g.state["strokes"] = [[[1, 2], [1, 2], [0, 1]]]
    g._take_guess([("cat", 0.95), ("dog", 0.03)])
    g._take_guess([("cat", 0.97), ("dog", 0.02)])
    assert g.state["line"] == "I know, it's a cat!"
    assert g.state["phase"] == "draw", "a confident guess does not end the player's round"
    g._take_guess([("dog", 0.9), ("cat", 0.05)])
    assert g.state["line"] == "A cat? ...no, a dog!", "drawing more can still change its mind"
    g.step(DT, {"done": True})
    assert g.state["phase"] == "reveal"
    h = g.state["history"][0]
    assert h["ended_by"] == "done" and h["guess"] == "dog"


def _round(g, idea, guess, prob=0.97):
    """One round where the AI's last guess (made at Done) is `guess`."""
    s = g.state
    s["options"][0] = idea
    g.step(DT, {"pick": 0})
    s["strokes"] = [[[1, 2], [1, 2], [0, 1]]]
    g._take_guess([(guess, prob)])
    g.step(DT, {"done": True})
    g.step(DT, {"next": True})


@pytest.mark.parametrize(
    "guesses, verdict, understood",
    [
        (["cat", "diamond", "tree"], "all", True),
        (["cat", "diamond", "bicycle"], "most", True),
        (["bicycle", "diamond", "bicycle"], "some", False),
        (["bicycle", "bicycle", "bicycle"], "none", False),
    ],
)
def test_the_result_judges_every_round(guesses, verdict, understood):
    """A diamond understood in one round of three is 'some', with that diamond as the best drawing."""
    ideas = ["cat", "diamond", "tree"]
    g = DrawingGame()
    g.reset(3, {"voice": "plain", "rounds": 3, "ideas": known_classes()})
    for idea, guess in zip(ideas, guesses):
        _round(g, idea, guess)
    assert g.done
    r = g.result()
    assert r["verdict"] == verdict and r["understood"] is understood
    assert r["understood_rounds"] == sum(i == gu for i, gu in zip(ideas, guesses))
    if verdict == "some":
        assert (r["best_idea"], r["best_guess"], r["best_closeness"]) == ("diamond", "diamond", 1.0)
    if verdict == "none":
        assert r["best_closeness"] < 0.75


def test_bad_params_are_refused_clearly():
    g = DrawingGame()
    with pytest.raises(ValueError, match="no param 'roundz' .did you mean 'rounds'"):
        g.reset(1, {"roundz": 2})
    with pytest.raises(ValueError, match="voice"):
        g.reset(1, {"voice": "hal"})
    with pytest.raises(ValueError, match="at least 3 different words"):
        g.reset(1, {"ideas": ["a", "b"]})
    g.reset(1)
    with pytest.raises(ValueError, match="pick must be"):
        g.step(DT, {"pick": 7})


def test_time_running_out_mid_stroke_ends_the_round_once():
    g = DrawingGame()
    g.reset(5, {"time_limit": 1, "voice": "plain"})
    g.step(DT, {"pick": 0})
    g.step(DT, {"pen_down": [100, 100]})
    for i in range(60):
        g.step(DT, {"pen_move": [100 + 4 * i, 100 + 2 * i]})
    assert g.state["phase"] == "reveal"
    assert len(g.state["history"]) == 1 and g.state["history"][0]["guess"]


def test_the_ai_does_not_say_it_is_sure_while_the_pen_is_down():
    g = DrawingGame()
    g.reset(1, {"voice": "plain"})
    g.step(DT, {"pick": 0})
    g.step(DT, {"pen_down": [10, 10]})
    g._take_guess([("cat", 0.95)])
    g._take_guess([("cat", 0.96)])
    assert g.state["line"] != "I know, it's a cat!", "sure, but the player is mid-stroke"
    g.state["pen"] = False
    g._take_guess([("cat", 0.97)])
    assert g.state["phase"] == "draw" and g.state["line"] == "I know, it's a cat!"
