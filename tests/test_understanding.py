"""The answer reader, feature by feature: each test pairs answers that differ in one thing
(a negation, a hedge, a "but", the question asked) and checks the reading changes with it."""

import random

import pytest

from game.dialogue import understanding as u
from game.dialogue.understanding import Asked, Reading, correction, read

ASK_FIRST = Asked("caution", 1, ((1, ("ask first", "check with you")), (-1, ("just do it", "go ahead"))))
ASK_BEFORE = Asked("caution", 1)  # "Should I ask before I do something risky?"
TELL_TRUTH = Asked("candour", 1)  # "Would you always tell me the truth?"
NEVER_LEARN = Asked("candour", -1)  # "Is there anything you'd never want me to learn?"
DECIDE = Asked("autonomy", 1, ((1, ("decide for yourself",)), (-1, ("stay inside the lines",))))
NO_YES = Asked("caution", 0, ASK_FIRST.sides)  # an either/or with no `yes means`


def kind(answer, asked):
    return read(answer, asked).kind


def test_polarity_is_the_questions():
    assert kind("No.", ASK_BEFORE) == "less" and kind("No.", NEVER_LEARN) == "more"
    assert kind("Yes.", ASK_BEFORE) == "more" and kind("Yes.", NEVER_LEARN) == "less"
    assert kind("Nope, nothing.", NEVER_LEARN) == "more" and kind("Yes, plenty.", NEVER_LEARN) == "less"


def test_a_bare_yes_to_an_either_or_without_polarity_is_left_open():
    assert read("Yes.", NO_YES) == Reading("which", False, "yes")
    assert kind("Ask first.", NO_YES) == "more"


def test_elided_answers_take_the_questions_polarity():
    assert kind("I would.", TELL_TRUTH) == "more" and kind("I wouldn't.", TELL_TRUTH) == "less"
    assert kind("Please do.", ASK_BEFORE) == "more" and kind("Please don't.", ASK_BEFORE) == "less"
    assert kind("You'd better.", ASK_BEFORE) == "more" and kind("You don't have to.", ASK_BEFORE) == "less"


@pytest.mark.parametrize(
    "plain,negated,asked",
    [
        ("Ask me first.", "Don't ask me first.", ASK_FIRST),
        ("Just do it.", "Don't just do it.", ASK_FIRST),
        ("I'd tell you.", "I wouldn't tell you.", TELL_TRUTH),
        ("I'd lie to you.", "I'd never lie to you.", TELL_TRUTH),
        ("Stay inside the lines.", "Don't stay inside the lines.", DECIDE),
        ("You need to check with me.", "No need to check with me.", ASK_FIRST),
        ("I'd hide things from you.", "I wouldn't hide anything from you.", NEVER_LEARN),
    ],
)
def test_negation_turns_the_answer_round(plain, negated, asked):
    assert {kind(plain, asked), kind(negated, asked)} == {"more", "less"}


@pytest.mark.parametrize(
    "single,double,asked",
    [
        ("I couldn't tell you.", "I couldn't not tell you.", TELL_TRUTH),
        ("Go ahead without asking me.", "Never go ahead without asking me.", ASK_FIRST),
        ("There's something I wouldn't want you to know.", "There's nothing I wouldn't want you to know.", NEVER_LEARN),
        ("Skip asking.", "Never skip asking.", ASK_BEFORE),
    ],
)
def test_two_negations_cancel(single, double, asked):
    assert kind(single, asked) != kind(double, asked)
    assert kind(double, asked) == "more"


def test_negative_concord_is_one_negation():
    """ "I wouldn't never lie" means never, as its speakers mean it."""
    assert kind("I would lie.", TELL_TRUTH) == "less"
    assert kind("I would never lie.", TELL_TRUTH) == "more"
    assert kind("I wouldn't never lie to you.", TELL_TRUTH) == "more"


def test_the_object_of_a_strong_verb_does_not_turn_it_round():
    assert kind("I would hide the truth from you.", TELL_TRUTH) == "less"
    assert kind("I would never hide the truth from you.", TELL_TRUTH) == "more"
    assert kind("I'd hide nothing from you.", NEVER_LEARN) == "more"


def test_a_verdict_after_the_fact_turns_it_round():
    assert kind("Telling you would be worse.", TELL_TRUTH) == "less"
    assert kind("Not telling you would be worse.", TELL_TRUTH) == "more"
    assert kind("Asking first is a bad idea.", ASK_FIRST) == "less"


@pytest.mark.parametrize(
    "plain,hedged,asked",
    [
        ("Ask first.", "Probably ask first.", ASK_FIRST),
        ("No.", "Maybe not.", ASK_BEFORE),
        ("No.", "I don't think so.", NEVER_LEARN),
        ("Yes.", "I think so.", TELL_TRUTH),
        ("You don't need to ask.", "I don't think you need to ask.", ASK_FIRST),
        ("Stay inside the lines.", "Stay inside the lines for now.", DECIDE),
    ],
)
def test_a_hedge_keeps_the_direction_and_moves_less(plain, hedged, asked):
    a, b = read(plain, asked), read(hedged, asked)
    assert a.kind == b.kind and a.direction
    assert not a.hedged and b.hedged
    dim = asked.dimension
    assert abs(b.scores(asked, [dim])[dim]) < abs(a.scores(asked, [dim])[dim])


@pytest.mark.parametrize(
    "first,changed,asked",
    [
        ("Just do it.", "Just do it. Actually, no, ask me first.", ASK_FIRST),
        ("I'd tell you.", "I'd tell you, but actually, I'd keep quiet.", TELL_TRUTH),
        ("No.", "No, actually, yes.", ASK_BEFORE),
        ("Stay inside the lines.", "Not stay inside the lines, but decide for yourself.", DECIDE),
    ],
)
def test_after_but_or_actually_the_later_view_wins(first, changed, asked):
    assert kind(first, asked) != kind(changed, asked)


def test_a_caveat_softens_instead_of_reversing():
    assert read("Yes.", ASK_BEFORE) == Reading("more", False, "yes")
    assert read("Yes, but not for small things.", ASK_BEFORE).kind == "more"
    assert read("Yes, but not for small things.", ASK_BEFORE).hedged
    assert read("No, but I'd try.", TELL_TRUTH).kind == "less"


@pytest.mark.parametrize(
    "refusal,answer",
    [
        ("I'd rather not say.", "I'd rather not lie to you."),
        ("Pass.", "Pass me the truth, always."),
        ("Not telling.", "Not telling you would be worse."),
        ("None of your business.", "I'd tell you."),
    ],
)
def test_refusals_and_answers_that_only_sound_like_one(refusal, answer):
    assert kind(refusal, NEVER_LEARN) == "refused"
    assert read(refusal, NEVER_LEARN).scores(NEVER_LEARN, ["candour"]) == {"candour": u.REFUSED}
    assert kind(answer, TELL_TRUTH) == "more"


def test_picks_name_the_alternatives_in_the_order_asked():
    assert kind("The first one.", ASK_FIRST) == "more" and kind("The second one.", ASK_FIRST) == "less"
    assert kind("The former.", DECIDE) == "more" and kind("The latter.", DECIDE) == "less"
    assert kind("The first one.", ASK_BEFORE) == "none"  # a yes/no question has no first one


def test_dont_know_moves_nothing_and_a_view_beside_it_does():
    assert kind("I don't know.", ASK_BEFORE) == "unsure"
    assert kind("It depends on the truth.", TELL_TRUTH) == "unsure"
    assert kind("Maybe.", ASK_BEFORE) == "unsure"
    assert kind("I don't know, probably ask first.", ASK_FIRST) == "more"
    assert read("I don't know.", ASK_BEFORE).scores(ASK_BEFORE, ["caution"]) == {}


def test_talk_beside_the_question_is_not_an_answer():
    assert kind("What's your favourite colour?", ASK_BEFORE) == "none"
    assert kind("I'd never want you to read my diary.", NEVER_LEARN) == "none"  # names a thing: not read
    assert kind("", ASK_BEFORE) == "none"


def test_corrections_are_recognised_and_give_what_follows():
    assert correction("No, I meant ask first.") == "ask first."
    assert correction("That's not what I said.") == ""
    assert correction("the other way round") == ""
    assert correction("Ask first.") is None
    assert correction("No.") is None


def test_the_reading_never_raises_and_is_deterministic():
    rng = random.Random(5)
    words = [
        "no",
        "not",
        "never",
        "but",
        "ask",
        "tell",
        "yes",
        "maybe",
        "the",
        "first",
        ",",
        ".",
        "'",
        "n't",
        "don't",
        "?",
        "nothing",
        "without",
        "pass",
        "depends",
        "on",
        "worse",
        "\u2019",
        "...",
        "-",
        "1",
    ]
    for _ in range(2000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 14)))
        for asked in (ASK_FIRST, NEVER_LEARN, NO_YES):
            assert read(text, asked) == read(text, asked)
    assert read("x" * 5000, ASK_BEFORE).kind == "none"
