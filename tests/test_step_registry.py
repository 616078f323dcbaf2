"""A step type is one module: registered from outside the engine, it loads, lints, explores,
plays and appears in the schema; a front end without a handler for its prompt refuses to start."""

import io
import sys

import pytest

from game.story import steps
from game.story.autoplay import Policy, play
from game.story.explore import explore
from game.story.lint import lint_story
from game.story.loader import load_story
from game.story.runtime import Runtime
from tests import steps_ask
from tests.cli_args import play_args

QUIZ = """\
level: quiz
start: door
vars: {password: "", knocks: 0}
scenes:
  door:
    - bump: knocks
    - ask: password
      question: "What's the password, {player}?"
    - if: password == "yes"
      goto: inside
    - goto: outside
  inside:
    - narrator: "Come in. You knocked {knocks} time."
    - end: inside
  outside:
    - narrator: "The door stays shut."
    - end: outside
"""


@pytest.fixture
def quiz(tmp_path):
    steps_ask.install()
    path = tmp_path / "quiz.yaml"
    path.write_text(QUIZ)
    yield path
    steps_ask.uninstall()


def test_a_registered_step_loads_lints_and_is_explored(quiz):
    story, diags = load_story(quiz)
    assert story is not None, [d.format() for d in diags]
    assert lint_story(story) == [], "the writes of `ask`/`bump` count as sets; both endings are reachable"
    ex = explore(story)
    assert set(ex.endings) == {("quiz", "inside"), ("quiz", "outside")}


def test_its_mistakes_are_reported_at_their_place(quiz):
    quiz.write_text(QUIZ.replace("      question:", "      questoin:").replace("bump: knocks", "bump: nobody"))
    story, diags = load_story(quiz)
    assert story is None
    got = {(d.line, d.column, d.code) for d in diags}
    assert (8, 7, "TT0003") in got, "an unknown key beside `ask:`"
    assert (6, 7, "TT0203") in got or any(d.code == "TT0203" and "nobody" in d.message for d in diags)


def test_the_schema_knows_it(quiz):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the dev extra")
    import yaml

    from game.story import spec

    validator = jsonschema.Draft202012Validator(spec.schema())
    assert not list(validator.iter_errors(yaml.safe_load(QUIZ)))
    bad = yaml.safe_load(QUIZ.replace("      question:", "      questoin:"))
    assert list(validator.iter_errors(bad))


def test_autoplay_and_save_roundtrips_answer_it(quiz):
    story, _ = load_story(quiz)
    rt = play(Runtime(story, "Sam", 1), Policy(), roundtrip=True)
    assert rt.ending in ("inside", "outside") and rt.world.vars["knocks"] == 1


def _play_text(story, path, stdin: str, monkeypatch, capsys) -> tuple[int, str]:
    from game import terminal

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    args = play_args("--name", "Sam", "--seed", "1", "--minigames", "default")
    code = terminal.play_text(path, story, args, {})
    return code, capsys.readouterr()


def test_a_front_end_without_its_handler_refuses_to_start(quiz, monkeypatch, capsys):
    story, _ = load_story(quiz)
    code, out = _play_text(story, quiz, "yes\n", monkeypatch, capsys)
    assert code == 2 and "'ask'" in out.err and "terminal" in out.err
    from game.ui.screens.play import PRESENTERS

    with pytest.raises(steps.MissingPromptKinds, match="'ask'"):
        steps.require_kinds("desktop game", PRESENTERS)


def test_with_one_handler_the_terminal_plays_it(quiz, monkeypatch, capsys):
    from game import terminal

    monkeypatch.setitem(terminal.HANDLERS, "ask", steps_ask.terminal_ask)
    story, _ = load_story(quiz)
    code, out = _play_text(story, quiz, "yes\n", monkeypatch, capsys)
    assert code == 0, out.err
    assert "What's the password, Sam?" in out.out and "Come in. You knocked 1 time." in out.out
