"""Closeness of a guess to the idea: orderings, synonyms, unknown words."""

import json

from game.minigames.drawing.closeness import TABLE, canonical, closeness, known_words
from game.minigames.drawing.game import known_classes


def test_the_idea_itself_and_synonyms_are_1():
    assert closeness("cat", "cat") == 1.0
    assert closeness("plane", "airplane") == 1.0
    assert closeness("bike", "bicycle") == 1.0
    assert closeness("Cats", "cat") == 1.0
    assert canonical("  House_Plant ") == "house plant"


def test_orderings():
    assert closeness("cat", "dog") > 0.5
    assert closeness("cat", "dog") > closeness("cat", "car")
    assert closeness("car", "truck") > closeness("car", "apple")
    assert closeness("tiger", "cat") > closeness("tiger", "house")
    assert closeness("apple", "pear") > closeness("apple", "bicycle")
    assert closeness("bird", "owl") > closeness("bird", "book")
    assert closeness("cat", "car") < 0.2


def test_symmetric_and_bounded():
    words = known_words()
    for a in words[::3]:
        for b in words[::4]:
            v = closeness(a, b)
            assert 0.0 <= v <= 1.0
            assert v == closeness(b, a)


def test_covers_every_class_and_offered_idea():
    assert set(known_classes()) <= set(known_words())
    data = json.loads(TABLE.read_text())
    for _word, sense in data["senses"].items():
        assert sense["synset"] and sense["definition"]
    # the drawable senses, not WordNet's first ones
    assert "fruit" in data["senses"]["banana"]["definition"]
    assert "railway" in data["senses"]["train"]["definition"] or "railroad" in data["senses"]["train"]["definition"]


def test_unknown_words_score_only_what_they_share():
    assert closeness("my grandmother", "my grandmother") == 1.0
    assert closeness("plant", "house plant") == 0.5
    assert closeness("spaceship", "cat") == 0.0
    assert closeness("", "cat") == 0.0
