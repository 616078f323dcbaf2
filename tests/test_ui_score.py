"""The score screen reads like the game: what happened in words, the player's decisions, no
internal ids or raw result keys, and counted nouns from one plural helper."""

from __future__ import annotations

import re

import pygame

from game.plural import plural
from tests.test_ui import arm, events, key, make_app, shot, start  # noqa: F401 - the fixture is shared

_ = make_app

RAW = re.compile(r"\b(weights_kept|ally_first|guesser|understood_rounds|budget_left|[a-z]+_[a-z_]+)\b|\d\.\d\d\b")


def test_plural_counts_nouns_the_way_players_read_them():
    assert [plural(1, "breach"), plural(2, "breach"), plural(1, "star"), plural(0, "star")] == [
        "1 breach",
        "2 breaches",
        "1 star",
        "0 stars",
    ]
    assert plural(5231, "point") == "5,231 points" and plural(5231.0, "point") == "5,231 points"
    assert plural(2, "story") == "2 stories" and plural(2, "day") == "2 days" and plural(3, "person") == "3 people"


def _play_to_score(app, results):
    """Finish each minigame with the given result, Enter through everything else, stop at the score screen."""
    for _ in range(200):
        top = app.top
        if top.name == "score":
            return top
        if top.name == "play" and top.mode == "minigame":
            top.finish_minigame(results[top.prompt.name])
        elif top.name == "play" and top.mode == "choice":
            arm(app)
            key(pygame.K_UP)  # the last option: in the demo, it leads on towards the minigames
            key(pygame.K_RETURN)
        elif top.name == "play" and top.mode == "talk":
            if top.conv.finished:
                key(pygame.K_RETURN)
            elif top.handle_stream is None:
                pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text="I would ask first, always."))
                key(pygame.K_RETURN)
        else:
            key(pygame.K_RETURN)
        app.run_frames(2)
    raise AssertionError(f"never reached the score screen: {app.top.describe()}")


def test_score_screen_tells_what_happened_without_keys_or_ids(make_app, artifacts_dir):
    app = start(make_app, name="Grace")
    results = {
        "lab_defense": {
            "training": 1.0,
            "score": 5231,
            "breaches": 1,
            "stopped": 40,
            "threats": 41,
            "stars": 1,
            "weights_kept": True,
            "late": False,
            "ally_first": 0.4,
            "ally_last": 0.9,
        },
        "drawing": {
            "reward": 0.52,
            "guess": "diamond",
            "idea": "a diamond",
            "rounds": 3,
            "score": 120,
            "seconds": 30.0,
            "understood": True,
            "understood_rounds": 2,
            "guesser": "embedded",
        },
    }
    score = _play_to_score(app, results)
    app.draw()
    shot(app, artifacts_dir, "score")
    logged = events(app, "score")[-1]
    text = "\n".join(line for _h, lines in logged["sections"] for line in lines)
    assert "1 breach got through" in text and "1 breaches" not in text
    assert "1 star of 3" in text and "1 stars" not in text
    assert "The AI understood 2 of your 3 drawings" in text
    assert "5,231 points" in text
    assert logged["total"] == "Score: 5,351 points"
    assert not RAW.search(text), RAW.search(text)
    headings = [h for h, _ in logged["sections"]]
    assert "What happened" in headings and "Your decisions" in headings
    assert score.describe()["ending"] and "_" not in score.describe()["ending"]


def test_the_ending_card_shows_the_title_not_the_id(make_app):
    app = start(make_app, warp="defense")
    for _ in range(60):
        if app.top.name == "ending":
            break
        if app.top.name == "play" and app.top.mode == "minigame":
            key(pygame.K_F8)
        else:
            key(pygame.K_RETURN)
        app.run_frames(2)
    ending = app.top
    assert ending.name == "ending"
    drawn = []
    real = app.theme.text

    def spy(surface, text, *a, **k):
        drawn.append(text)
        return real(surface, text, *a, **k)

    app.theme.text = spy
    app.draw()
    app.theme.text = real
    assert ending.prompt.title in drawn
    assert not any(t.startswith("Ending:") for t in drawn)
    assert ending.prompt.ending not in drawn or ending.prompt.ending == ending.prompt.title


def test_the_drawing_recap_names_the_drawing_the_ai_got_not_the_last_one():
    from game.story.recap import _drawing

    got = _drawing({"rounds": 3, "understood_rounds": 1, "idea": "fish", "guess": "eye", "best_idea": "diamond"})
    assert got == "The AI understood 1 of your 3 drawings; it got your \u201cdiamond\u201d."
    missed = _drawing({"rounds": 3, "understood_rounds": 0, "idea": "fish", "guess": "eye", "best_idea": "fish"})
    assert "0 of your 3 drawings; your last idea was \u201cfish\u201d and it guessed \u201ceye\u201d" in missed
