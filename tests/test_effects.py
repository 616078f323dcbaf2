"""effect: steps and said()/drew(): the game misbehaving on purpose, and quoting the player back."""

import io
import json
import sys

from game.story.autoplay import Policy, play
from game.story.explore import explore
from game.story.lint import lint_story
from game.story.loader import load_story
from game.story.runtime import Runtime
from tests.cli_args import play_args

LEVEL = """\
level: turn
start: talk
characters:
  aria: {name: ARIA, fallback: ["Hm."]}
  system: {name: THE SYSTEM}
scenes:
  talk:
    - talk: {with: aria, turns: 2}
    - effect: glitch
      text: ["BUILD LOG 0001."]
    - system: 'First: "{said(1)}". Last: "{said()}". Drawn: "{drew()}".'
    - effect: takeover
      text: ["THIS IS NOT A MENU."]
      labels: {Continue: Comply}
    - choice:
        - text: Continue
          goto: out
  out:
    - effect: crawl
      text: ["Feedback: {player}"]
    - end: stars
"""


def story(tmp_path):
    path = tmp_path / "turn.yaml"
    path.write_text(LEVEL)
    s, diags = load_story(path, cache=False)
    assert s is not None, diags
    return s


OUTCOME = {"turns": [{"player": "be careful", "reply": "I will."}, {"player": "tell me the truth", "reply": "Yes."}]}


def test_the_player_is_quoted_and_the_labels_stay_taken_over_through_a_save(tmp_path):
    s = story(tmp_path)
    rt = Runtime(s, "Ada", 1)
    rt.finish_talk(OUTCOME)
    glitch = rt.current()
    assert glitch.kind == "effect" and glitch.effect == "glitch" and glitch.lines == ["BUILD LOG 0001."]
    rt.answer()
    assert rt.current().text == 'First: "be careful". Last: "tell me the truth". Drawn: "".'
    rt.advance()
    takeover = rt.current()
    assert takeover.effect == "takeover" and takeover.labels == {"Continue": "Comply"}
    rt.answer()
    rt = Runtime.restore(s, json.loads(json.dumps(rt.snapshot())))
    assert rt.world.labels == {"Continue": "Comply"} and rt.world.said == ["be careful", "tell me the truth"]
    assert rt.current().kind == "choice"


def test_effects_lint_explore_and_autoplay(tmp_path):
    s = story(tmp_path)
    assert lint_story(s) == []
    assert set(explore(s).endings) == {("turn", "stars")}
    rt = play(Runtime(s, "Ada", 1), Policy(talk=OUTCOME), roundtrip=True)
    kinds = [e["kind"] for e in rt.transcript]
    assert kinds.count("effect") == 3 and rt.ending == "stars"


def test_the_terminal_prints_them_and_the_taken_over_words(tmp_path, monkeypatch, capsys):
    from game import terminal

    s = story(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO("be careful\ntell me the truth\n1\n"))
    args = play_args("--name", "Ada", "--seed", "1", "--minigames", "default")
    assert terminal.play_text(tmp_path / "turn.yaml", s, args, {}) == 0
    out = capsys.readouterr().out
    assert "BUILD LOG 0001." in out and 'First: "be careful"' in out
    assert "Continue  ->  Comply" in out or "->  Comply" in out
    assert "  1. Comply" in out, "the option reads what the takeover made it"
    assert "Feedback: Ada" in out
