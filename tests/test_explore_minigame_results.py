"""Exploration tries only minigame results the game can give (MinigameInfo.possible), so
lint and exhaustive playtests do not walk states no player can reach."""

import pytest

from game import minigames
from game.minigames.base import run_autopilot
from game.minigames.drawing.game import VERDICTS, possible_result
from game.story.explore import Outcomes, explore
from game.story.loader import load_story_or_raise
from game.story.steps.minigame import MinigamePrompt


@pytest.mark.parametrize("seed,rounds", [(1, 1), (2, 3), (3, 3), (4, 5)])
def test_every_result_the_drawing_game_gives_is_possible(seed, rounds):
    result = run_autopilot("drawing", seed, {"rounds": rounds, "timed": True})
    assert result["verdict"] in VERDICTS and possible_result(result)


def test_impossible_drawing_results_are_refused():
    assert not possible_result({"verdict": "none", "understood": True, "best_idea": "cat"})
    assert not possible_result({"verdict": "some", "understood": False, "best_idea": ""})
    assert not possible_result({"verdict": "something", "understood": False, "best_idea": "cat"})
    assert possible_result({"verdict": "none", "understood": False, "best_idea": ""})


def test_the_campaigns_drawing_is_explored_with_each_verdict_and_nothing_impossible(monkeypatch):
    monkeypatch.chdir(__file__.rsplit("/tests/", 1)[0])
    story = load_story_or_raise("levels/campaign.yaml")
    info_default = dict(minigames.info("drawing").default_result)  # what a skipped game gives
    prompt = MinigamePrompt("k", "drawing", {}, "drawing", info_default, 0, "s")
    results = Outcomes(story).minigame(prompt)
    assert {r["verdict"] for r in results} == set(VERDICTS), "every branch the level wrote is tried"
    assert all(possible_result(r) for r in results)
    assert info_default in results, "the skipped game's default result is explored too"
    ex = explore(story)
    assert {e for lvl, e in ex.endings if lvl == "release"} == {"stars", "gardener", "mimic", "starved"}
    assert len(ex.lines) == len(ex.all_lines) and not ex.truncated, "every line is still shown somewhere"
