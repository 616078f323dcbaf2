"""What ARIA says after the drawing game follows the judgement over every round (issue 17):
a diamond understood in one round of three is not followed by "I couldn't learn anything"."""

import pytest

from game.minigames.drawing import DrawingGame
from game.minigames.drawing.game import known_classes
from game.story.loader import load_story_or_raise
from game.story.runtime import Runtime
from tests.test_campaign import CAMPAIGN
from tests.test_drawing_game import _round

NOTHING = "I couldn't learn anything from those"


@pytest.fixture(scope="module")
def story():
    return load_story_or_raise(CAMPAIGN)


def _played(ideas, guesses) -> dict:
    g = DrawingGame()
    g.reset(3, {"voice": "aria", "rounds": len(ideas), "ideas": known_classes()})
    for idea, guess in zip(ideas, guesses):
        _round(g, idea, guess)
    return g.result()


def _after_drawing(story, result) -> tuple[list[str], Runtime]:
    """ARIA's lines from the drawing game's result up to the end of the night."""
    rt = Runtime(story, "Ada", 1, level="ai_takeoff", start_scene="drawing_intro")
    said, fed = [], False
    while not rt.ended:
        p = rt.current()
        if p.kind == "minigame":
            rt.finish_minigame(result)
            fed = True
        elif p.kind == "line":
            if fed and p.speaker == "aria":
                said.append(p.text)
            rt.advance()
        else:
            break  # the next level's first prompt: the night is over
    return said, rt


@pytest.mark.parametrize(
    "guesses, verdict",
    [
        (["cat", "diamond", "tree"], "all"),
        (["cat", "diamond", "bicycle"], "most"),
        (["bicycle", "diamond", "bicycle"], "some"),
        (["bicycle", "bicycle", "bicycle"], "none"),
    ],
)
def test_reactions_follow_the_verdict_over_all_rounds(story, guesses, verdict):
    result = _played(["cat", "diamond", "tree"], guesses)
    assert result["verdict"] == verdict
    said, rt = _after_drawing(story, result)
    text = " ".join(said)
    if verdict == "none":
        assert NOTHING in text
        assert rt.world.vars["keepsake"] == ""
        return
    assert NOTHING not in text, f"understood {result['understood_rounds']} drawing(s), yet ARIA says it learned nothing"
    assert result["best_idea"] in text, "ARIA names the drawing it understood"
    assert rt.world.vars["keepsake"] == result["best_idea"]
    assert f"I will keep your drawing of {result['best_idea']}" in text
    if verdict == "some":
        assert "diamond" in text and "every one" not in text
