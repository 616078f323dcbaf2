"""The terminal's drawing game guesses with the designer's vision model, as the desktop does."""

import json

import pytest

from game.terminal_minigames.drawing import configured_recognizer, play
from tests.test_drawing_vision import KEY, FakeServer


@pytest.fixture
def server(monkeypatch):
    s = FakeServer()
    monkeypatch.setenv("TT_VISION_MODEL", "fake-vision")
    monkeypatch.setenv("OPENAI_BASE_URL", s.url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    yield s
    s.close()


def _play(lines):
    feed, out = iter(lines), []
    result = play(
        4,
        {"voice": "plain", "rounds": 1},
        lambda prompt: next(feed, None),
        out.append,
        mouse=False,
        recognizer=configured_recognizer(),
    )
    return result, "\n".join(out)


def test_the_text_version_asks_the_vision_model_about_an_idea_of_ones_own(server):
    server.reply = json.dumps({"guesses": [{"label": "my grandmother", "prob": 0.9}]})
    result, text = _play(["my grandmother", "circle 50 50 30", "50,80 50,95", "d"])
    assert "guesses with the vision model fake-vision" in text
    assert "or type an idea of your own" in text
    assert "You are drawing: my grandmother" in text
    assert "said my grandmother" in text and "understood!" in text
    assert result["guesser"] == "vision" and result["understood_rounds"] == 1
    sent = server.requests[-1]["body"]["messages"][0]["content"][0]["text"]
    assert "my grandmother" in sent  # the player's own idea is among the allowed answers
    assert KEY not in text


def test_a_failing_vision_model_is_reported_once_and_the_embedded_recognizer_guesses(server):
    server.mode = "error"
    result, text = _play(["1", "circle 50 50 30", "50,20 50,80", "d"])
    assert text.count("the vision model did not answer") == 1
    assert "embedded recognizer guessed instead" in text
    assert result["rounds"] == 1 and result["guess"], "the round is still judged"
    assert KEY not in text


def test_without_a_vision_model_only_the_offered_ideas_can_be_picked(monkeypatch):
    monkeypatch.delenv("TT_VISION_MODEL", raising=False)
    assert configured_recognizer() is None
    result, text = _play(["my grandmother", "2", "circle 50 50 30", "d"])
    assert "same recognizer as the desktop game" in text and "idea of your own" not in text
    assert "(type 1, 2 or 3 to pick an idea)" in text
    assert result["guesser"] == "embedded" and result["idea"] != "my grandmother"
