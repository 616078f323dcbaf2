"""Enter-mashing in the terminal: keys hit before a choice was shown pick nothing there."""

import io
import os
import sys
import threading

import pytest

from game import terminal


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a POSIX pseudo-terminal")
def test_keys_typed_before_the_choice_appeared_are_dropped(monkeypatch):
    master, slave = os.openpty()
    inp = os.fdopen(slave, "r")

    shown = threading.Event()

    class Out(io.StringIO):
        def flush(self):
            if "> " in self.getvalue():
                shown.set()

    monkeypatch.setattr(sys, "stdout", Out())
    os.write(master, b"1\n\n1\n")  # mashed while the story scrolled
    got = []
    t = threading.Thread(target=lambda: got.append(terminal._Input(inp).ask("> ", fresh=True)), daemon=True)
    t.start()
    assert shown.wait(5), "the question was asked"
    os.write(master, b"2\n")  # typed once the options were on screen
    t.join(5)
    assert got == ["2"]
    os.close(master)
    inp.close()


def test_piped_answers_are_all_kept(monkeypatch):
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    inp = terminal._Input(io.StringIO("1\n2\n"))
    assert inp.ask("> ", fresh=True) == "1" and inp.ask("> ", fresh=True) == "2"


def test_an_empty_line_at_a_choice_picks_nothing(monkeypatch, capsys):
    from types import SimpleNamespace

    from game.story.loader import load_story_or_raise
    from game.story.runtime import Runtime

    monkeypatch.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    story = load_story_or_raise("levels/examples/demo.yaml")
    rt = Runtime(story, "Sam", 1)
    while rt.current().kind != "choice":
        rt.advance()
    session = terminal._Session(rt, story, None, SimpleNamespace(), terminal._Input(io.StringIO("\n")), None)
    session.choice(rt.current())
    assert rt.current().kind == "choice", "Enter alone chose nothing"
    assert "type a number from 1 to 3" in capsys.readouterr().out
