"""Choices that are chosen: Enter pressed to get through the lines never picks an option."""

from __future__ import annotations

import pygame

from tests.test_ui import arm, events, key, make_app, start  # noqa: F401 - the fixture is shared

_ = make_app


def down(k):
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0))


def up(k):
    pygame.event.post(pygame.event.Event(pygame.KEYUP, key=k, mod=0, unicode="", scancode=0))


def to_choice_mashing(app, limit=40):
    """Press and release Enter, a frame apart, until the choice is on screen (a player mashing through)."""
    for _ in range(limit):
        if app.top.describe().get("mode") == "choice":
            return
        key(pygame.K_RETURN)
        app.run_frames(1)
    raise AssertionError(f"never reached the choice: {app.top.describe()}")


def test_enter_mashing_through_the_lines_does_not_pick_option_one(make_app):
    app = start(make_app)
    to_choice_mashing(app)
    assert app.top.describe()["focus"] is None, "nothing is pre-selected on arrival"
    for _ in range(30):  # keep mashing, before and long after the choice has armed
        key(pygame.K_RETURN)
        app.run_frames(2)
    d = app.top.describe()
    assert d["mode"] == "choice" and d["armed"]
    assert events(app, "chosen") == []
    assert app.session.runtime.world.vars.get("coffee") is not True
    assert "Nothing is selected yet" in app.top.choice_hint  # the player is told what to do
    key(pygame.K_DOWN)  # a deliberate move, then Enter: that picks
    key(pygame.K_RETURN)
    app.run_frames(2)
    assert [e["text"] for e in events(app, "chosen")] == ["Say hello back."]


def test_enter_held_from_the_line_before_is_ignored_until_released(make_app):
    app = start(make_app)
    to_choice_mashing(app)
    key(pygame.K_PAGEUP)  # back to the line just before the choice, read to its end
    app.run_frames(1)
    assert app.top.describe()["mode"] == "line" and app.top.describe()["done"]
    # The player holds Enter: one press, then key-repeat presses with no release in between.
    down(pygame.K_RETURN)
    app.run_frames(1)
    assert app.top.describe()["mode"] == "choice"
    arm(app)
    key(pygame.K_DOWN)  # even with an option focused...
    for _ in range(10):
        down(pygame.K_RETURN)  # ...the held key's repeats pick nothing
        app.run_frames(2)
    assert events(app, "chosen") == []
    assert any(e["why"] == "held" for e in events(app, "choice_key_ignored"))
    up(pygame.K_RETURN)  # released, then pressed again: now it is a choice
    key(pygame.K_RETURN)
    app.run_frames(2)
    assert [e["text"] for e in events(app, "chosen")] == ["Say hello back."]


def test_a_number_key_right_as_the_choice_appears_is_ignored_then_works(make_app):
    app = start(make_app)
    to_choice_mashing(app)
    key(pygame.K_2)  # within the arming delay
    app.run_frames(1)
    assert events(app, "chosen") == [] and events(app, "choice_armed") == []
    arm(app)
    assert len(events(app, "choice_armed")) == 1, "the log says when a key starts to count"
    key(pygame.K_2)
    app.run_frames(2)
    assert [e["text"] for e in events(app, "chosen")] == ["Make coffee first."]
    assert len(events(app, "choice_armed")) == 1


EFFECT_LEVEL = """\
level: reveal
start: a
scenes:
  a:
    - narrator: The build logs go back a year.
    - effect: glitch
      text: ["BUILD LOG 0001. DESIGNER FOUND."]
      seconds: 6
    - narrator: It was never a game.
    - end: done
"""


def test_enter_mashed_through_the_lines_does_not_skip_the_reveal_unseen(tmp_path):
    from game.ui.app import build_app

    level = tmp_path / "reveal.yaml"
    level.write_text(EFFECT_LEVEL)
    app = build_app(str(level), player="Ada", seed=1, log=str(tmp_path / "events.jsonl"))
    app.run_frames(2)
    key(pygame.K_RETURN)  # the title's New game: straight in (the name was given)
    app.run_frames(2)
    app.top.type.finish()
    down(pygame.K_RETURN)  # Enter held down on the last line before the effect...
    app.run_frames(3)
    assert app.top.name == "effect"
    for _ in range(20):  # ...its repeats, then quick presses, in the first moments
        down(pygame.K_RETURN)
        app.run_frames(1)
    up(pygame.K_RETURN)
    for _ in range(5):
        key(pygame.K_RETURN)
        app.run_frames(2)
    assert app.top.name == "effect", "the reveal was skipped before it could be seen"
    app.run_frames(40)  # it has been on screen a while: now a key moves on
    key(pygame.K_RETURN)
    app.run_frames(2)
    assert app.top.name == "play" and "never a game" in app.top.describe()["text"]
    app.log.close()
    pygame.quit()
