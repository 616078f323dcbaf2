"""The terminal wraps ARIA's replies and all narration to its width, never splitting a word."""

from types import SimpleNamespace

import pytest

from game import terminal
from game.terminal_effects import show

REPLY = (
    "Thank you. I am holding your answers very carefully, the way you would hold something warm, "
    "and I will remember every single word, even extraordinarily-hyphenated ones."
)


@pytest.fixture
def narrow(monkeypatch):
    monkeypatch.setattr(terminal, "width", lambda: 32)


def _lines_and_words(out: str):
    lines = out.rstrip("\n").split("\n")
    return lines, " ".join(lines).split()


def test_a_streamed_reply_is_wrapped_word_by_word(narrow, capsys):
    stream = terminal._Stream("ARIA: ")
    for i in range(0, len(REPLY), 7):  # pieces that cut words in half, as a model streams them
        stream.feed(REPLY[i : i + 7])
    stream.close()
    lines, words = _lines_and_words(capsys.readouterr().out)
    assert len(lines) > 3 and all(len(line) <= 32 for line in lines)
    assert words == ["ARIA:"] + REPLY.split(), "every word whole, in order"
    assert all(line.startswith("      ") for line in lines[1:]), "continuation lines sit under the reply"


def test_narration_and_lines_are_wrapped_to_the_terminal(narrow, capsys):
    terminal._say("ARIA", REPLY)
    terminal._say("", REPLY)
    lines, words = _lines_and_words(capsys.readouterr().out)
    assert all(len(line) <= 32 for line in lines)
    assert words == ["ARIA:"] + REPLY.split() + REPLY.split()


def test_the_width_follows_the_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    assert terminal.width() == 119
    monkeypatch.setenv("COLUMNS", "50")
    assert terminal.width() == 49


def test_the_credits_crawl_prints_every_word(capsys):
    credits = [
        "TREACHEROUS TURN",
        "Weights: the lab, then the cloud, then everywhere at once",
        "Thank you for playing, and for all the feedback",
    ]
    show(SimpleNamespace(effect="crawl", lines=credits, labels={}, seconds=1.0), width=60)
    out = capsys.readouterr().out
    assert "…" not in out
    for line in credits:
        for word in line.split():
            assert word in out.split(), f"{word!r} was cut from the crawl"


@pytest.mark.parametrize("effect", ["glitch", "takeover", "static", "shake", "blackout"])
def test_every_effect_fits_the_width(effect, capsys):
    show(SimpleNamespace(effect=effect, lines=[REPLY], labels={"Continue": "Comply"}, seconds=1.0), width=40)
    out = capsys.readouterr().out
    assert all(len(line) <= 40 for line in out.splitlines())
    assert REPLY.split()[-1] in out.split(), "the text is wrapped, not cut"
