"""A key used as a command (the digit that picks an option) never types into the next text box."""

import pygame
import pytest

LEVEL = """\
level: straight_to_talk
start: a
values: [caution]
characters:
  aria: {name: ARIA, fallback: ["Tell me more?"]}
scenes:
  a:
    - choice:
        - {text: Talk to ARIA., goto: talk}
        - {text: Leave., goto: out}
  talk:
    - talk: {with: aria, turns: 1, measures: [caution]}
    - end: talked
  out:
    - end: left
"""


@pytest.fixture
def app(tmp_path):
    from game.ui.app import build_app

    level = tmp_path / "level.yaml"
    level.write_text(LEVEL)
    a = build_app(str(level), player="Ada", seed=1, log=str(tmp_path / "events.jsonl"))
    a.run_frames(2)
    yield a
    pygame.quit()


def press(k, char):
    # What SDL sends for one key press: the key, then the text it types.
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode=char, scancode=0))
    pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=char))


def test_the_digit_that_picks_an_option_does_not_type_into_the_conversation(app):
    for _ in range(20):
        if app.top.describe().get("mode") == "choice":
            break
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode="\r", scancode=0))
        app.run_frames(2)
    app.run_frames(30)  # a choice ignores keys for its first moments (play.ARM_DELAY)
    press(pygame.K_1, "1")
    app.run_frames(3)
    assert app.top.describe().get("mode") == "talk"
    assert app.top.box.text == ""
    press(pygame.K_h, "h")
    press(pygame.K_i, "i")
    app.run_frames(2)
    assert app.top.box.text == "hi"  # typing in the box still works, key by key
    typed = [e for e in app.log.recent if e["event"] == "typed"]
    # the log says how much is in the box (a test waits for it before a screenshot), not what
    assert [(e["screen"], e["chars"]) for e in typed] == [("play", 1), ("play", 2)]
    assert all("text" not in e for e in typed)


def test_words_typed_a_key_at_a_time_keep_their_spaces():
    """xdotool, and a player, type one TEXTINPUT per key: a space is an event of its own."""
    from game.ui.widgets import TextBox

    box = TextBox()
    for ch in "be careful\x1b[31m and\task":
        box.handle(pygame.event.Event(pygame.TEXTINPUT, text=ch))
    assert box.text == "be careful[31m and ask"
    box.handle(pygame.event.Event(pygame.TEXTINPUT, text="\x1b[2J first"))
    assert box.text.endswith(" first") and "\x1b" not in box.text
