"""The desktop's saved screen state is checked against the step the save stands on: a real
conversation's turns (with their scores by value dimension) load, a crafted one is refused."""

import pytest

from game.story.loader import load_story_or_raise
from game.story.runtime import Runtime
from game.story.snapshot import SnapshotError, check_screen


def _talk_prompt():
    rt = Runtime(load_story_or_raise("levels/examples/demo.yaml"), "Ada", 1)
    for _ in range(40):
        p = rt.current()
        if p.kind == "talk":
            return p
        if p.kind == "choice":
            rt.choose(p.options[-1]["index"])
        else:
            rt.advance()
    raise AssertionError("the demo has a conversation")


def _state(prompt, turn):
    return {
        "mode": "talk",
        "turns": [turn],
        "conversation": {
            "key": prompt.key,
            "character": prompt.character,
            "player": "Ada",
            "values": {"caution": 0.4},
            "turns": [turn],
            "q_index": 1,
            "used": [],
        },
    }


def test_a_conversation_with_scored_turns_is_restored(monkeypatch):
    monkeypatch.chdir(__file__.rsplit("/tests/", 1)[0])
    prompt = _talk_prompt()
    turn = {
        "said": "be careful and ask first",
        "reply": "Careful. Noted.",
        "scores": {"caution": 0.6, "candour": 0.0},
        "stats": {"fallbacks": [{"kind": "skipped"}]},
    }
    out = check_screen(_state(prompt, turn), prompt)
    assert out["turns"][0]["scores"] == {"caution": 0.6, "candour": 0.0}


@pytest.mark.parametrize(
    "bad,why",
    [
        ({"scores": {"a": {"b": {"c": {"d": 1}}}}}, "3 deep"),
        ({"scores": list(range(101))}, "at most 100 items"),
        ({"scores": {"caution": object()}}, "should be a number, text or true/false"),
    ],
)
def test_a_crafted_turn_is_refused_with_its_place(monkeypatch, bad, why):
    monkeypatch.chdir(__file__.rsplit("/tests/", 1)[0])
    prompt = _talk_prompt()
    with pytest.raises(SnapshotError, match=why) as exc:
        check_screen(_state(prompt, bad), prompt)
    assert "turn 0" in str(exc.value)
