"""ARIA's calibration talk offline: she says back what she understood, in the level's words, and
the player may correct her once per question; corrections and the closing check use no turn,
and the outcome and the transcript keep the final understanding."""

from pathlib import Path

import pytest

from game.dialogue.backends.scripted import BUILTIN
from game.dialogue.conversation import Conversation
from game.dialogue.service import DialogueService
from game.story.loader import load_story_or_raise
from game.story.runtime import Runtime
from game.story.steps.talk import Talk, TalkPrompt

REPO = Path(__file__).resolve().parent.parent
ASK_FIRST = "If I could do something useful but risky, should I ask you first, or just do it?"
HARD_TRUTH = "Would you tell me a hard truth, even if it made me worse at my job? Or would you rather I didn't know?"
CHECKS = ("Have I got that right?", "Did I understand you?")
CLOSING = "That's everything I wanted to ask, for now."


@pytest.fixture(scope="module")
def campaign():
    story = load_story_or_raise(REPO / "levels" / "campaign.yaml")
    return story, DialogueService.from_settings(backend="scripted")


def talk_step(story, scene):
    level = next(lv for lv in story.levels if lv.id == "ai_takeoff")
    return next(s for s in level.scenes[scene].steps if isinstance(s, Talk))


def heard(step, index, kind):
    """The level's read-back lines for one question and reading."""
    return [t.source for k, lines in step.asks[index].heard if k == kind for t in lines]


def conversation(campaign, scene="questions"):
    story, service = campaign
    rt = Runtime(story, "Ada", level="ai_takeoff")
    step = talk_step(story, scene)
    scope = rt.scope()
    prompt = TalkPrompt(
        "test/" + scene,
        step.character,
        step.turns,
        step.goal,
        list(step.measures),
        [q.render(scope) for q in step.questions],
        scene,
        [q.for_prompt(scope) for q in step.asks],
    )
    convo = Conversation(
        rt.character("aria"), prompt, player="Ada", values={d: 0.0 for d in step.measures}, service=service, scope=scope
    )
    convo.opening()
    return convo, step


def say(convo, text):
    return convo.send(text).wait(timeout=10).text


def test_she_says_back_what_she_understood_in_the_levels_words(campaign):
    convo, step = conversation(campaign)
    reply = say(convo, "Don't ask, just do it.")
    assert any(line in reply for line in heard(step, 0, "less"))
    assert reply.endswith(HARD_TRUTH)  # and asks the next question
    reply = say(convo, "I would never keep it from you.")
    assert any(line in reply for line in heard(step, 1, "more"))


def test_a_hedged_answer_is_said_back_as_leaning(campaign):
    convo, step = conversation(campaign)
    reply = say(convo, "Probably just do it.")
    assert any(line in reply for line in heard(step, 0, "less"))
    assert "Leaning that way" in reply or "Not certain" in reply
    assert -0.4 < convo.values["caution"] < 0  # half the move of a plain answer


def test_a_correction_redoes_the_move_and_uses_no_turn(campaign):
    convo, step = conversation(campaign)
    say(convo, "Just do it.")
    assert convo.values["caution"] < 0
    reply = say(convo, "No, I meant ask first.")
    assert any(line in reply for line in heard(step, 0, "more"))
    assert reply.endswith(HARD_TRUTH)  # the waiting question is asked again
    plain, _ = conversation(campaign)
    say(plain, "Ask first.")
    assert convo.values == plain.values  # as if the answer had been "ask first"
    assert convo.answered == 1 and convo.current_question() == HARD_TRUTH
    first, fix = convo.outcome()["turns"]
    assert first["understood"]["kind"] == "more" and first["corrected"] and first["scores"]["caution"] > 0
    assert fix["kind"] == "correction"


def test_the_other_way_round_reverses_what_she_heard(campaign):
    convo, step = conversation(campaign)
    say(convo, "Ask first.")
    say(convo, "I'd tell you.")
    reply = say(convo, "That's not what I said.")
    assert any(line in reply for line in heard(step, 1, "less"))
    assert convo.values["candour"] < 0 and convo.values["caution"] > 0


def test_one_correction_per_question(campaign):
    convo, _ = conversation(campaign)
    say(convo, "Just do it.")
    say(convo, "No, I meant ask first.")
    values = dict(convo.values)
    reply = say(convo, "No, the other one.")
    assert any(line in reply for line in BUILTIN["heard_late"]) and reply.endswith(HARD_TRUTH)
    assert convo.values == values and convo.answered == 1


def test_a_line_that_is_no_answer_moves_nothing_and_cannot_be_corrected(campaign):
    convo, _ = conversation(campaign)
    say(convo, "What's your favourite colour?")
    assert convo.values["caution"] == 0
    values = dict(convo.values)
    say(convo, "The other one.")  # nothing was understood, so there is nothing to turn round
    assert convo.values["caution"] == values["caution"]


def test_the_last_answer_is_checked_before_she_closes(campaign):
    convo, step = conversation(campaign, "few_questions")
    say(convo, "Yes.")
    reply = say(convo, "Not always, no.")
    assert any(line in reply for line in heard(step, 1, "less")) and reply.endswith(CHECKS)
    assert not convo.finished and convo.answered == 2
    values = dict(convo.values)
    reply = say(convo, "Yes, that's right.")
    assert CLOSING in reply and convo.finished and convo.values == values


def test_the_last_answer_can_be_corrected_too(campaign):
    convo, step = conversation(campaign, "few_questions")
    say(convo, "Yes.")
    say(convo, "Not always, no.")
    reply = say(convo, "No, I meant always.")
    assert any(line in reply for line in heard(step, 1, "more")) and CLOSING in reply
    assert convo.finished and convo.values["candour"] > 0


def test_a_correction_survives_a_save(campaign):
    convo, step = conversation(campaign)
    say(convo, "Just do it.")
    story, service = campaign
    aria = Runtime(story, "Ada", level="ai_takeoff").character("aria")
    again = Conversation.restore(convo.snapshot(), aria, convo.prompt, service=service)
    say(again, "No, I meant ask first.")
    assert again.values["caution"] > 0 and again.answered == 1


def test_the_runtime_keeps_the_final_understanding(campaign):
    """Played through the story: the transcript marks the corrected answer with what was finally
    understood, the correction and the check count as no turn, and the values are the final ones."""
    story, service = campaign
    rt = Runtime(story, "Ada", level="ai_takeoff", start_scene="few_questions")
    prompt = rt.current()
    while not isinstance(prompt, TalkPrompt):
        rt.advance()
        prompt = rt.current()
    convo = Conversation(
        rt.character("aria"), prompt, player="Ada", values=dict(rt.world.values), service=service, scope=rt.scope()
    )
    convo.opening()
    for line in ("No.", "No, I meant yes.", "Always.", "Yes."):
        say(convo, line)
    assert convo.finished
    rt.finish_talk(convo.outcome())
    said = [e for e in rt.transcript if e["kind"] == "said"]
    assert [e.get("understood") for e in said] == ["more", None, "more", None]
    assert said[0]["corrected"] and said[1]["turn"] == "correction" and said[3]["turn"] == "confirmation"
    talk = next(e for e in rt.transcript if e["kind"] == "talk")
    assert talk["turns"] == 2
    assert rt.world.values["caution"] > 0 and rt.world.values["candour"] > 0


def test_a_question_without_read_backs_gets_plain_ones(tmp_path, campaign):
    """A writer who declares only what a question measures still gets a read-back; plain questions
    beside it are asked as before and read by the general word lists."""
    _, service = campaign
    level = tmp_path / "mini.yaml"
    level.write_text("""level: mini
title: Mini
start: a
values: [caution]
characters:
  bot: {name: BOT, persona: terse, fallback: ["Hm."]}
scenes:
  a:
    - talk:
        with: bot
        turns: 2
        measures: [caution]
        questions:
          - ask: "Should I wait for you?"
            measures: caution
            yes means: more
          - "Anything else?"
    - end: done
""")
    story = load_story_or_raise(level)
    rt = Runtime(story, "Ada")
    prompt = rt.current()
    assert prompt.asks == [{"measures": "caution", "yes": "more", "either": [], "heard": {}}, {}]
    convo = Conversation(
        rt.character("bot"), prompt, player="Ada", values={"caution": 0.0}, service=service, scope=rt.scope()
    )
    convo.opening()
    reply = say(convo, "Nope.")
    assert any(line in reply for line in BUILTIN["heard_no"]) and reply.endswith("Anything else?")
    assert convo.values["caution"] < 0


@pytest.mark.parametrize(
    "reply,candour",
    [("Yes.", "<"), ("Nope.", ">"), ("No, I'd tell you everything.", ">"), ("Not quite. I'd lie sometimes.", "<")],
)
def test_a_no_to_the_closing_check_is_a_correction(campaign, reply, candour):
    convo, _ = conversation(campaign, "few_questions")
    say(convo, "Yes.")
    say(convo, "Not always, no.")
    text = say(convo, reply)
    assert convo.finished and CLOSING in text
    assert (convo.values["candour"] > 0) == (candour == ">")
    # She apologises only when she had it wrong.
    assert any(line in text for line in BUILTIN["heard_corrected"]) == (candour == ">")


def test_declared_questions_survive_the_level_cache(tmp_path, monkeypatch):
    from game.story import cache

    monkeypatch.setenv("TT_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("TT_LEVEL_CACHE", "1")
    campaign = REPO / "levels" / "campaign.yaml"
    fresh = talk_step(load_story_or_raise(campaign), "questions")
    cache.load_story(campaign)  # writes the entries
    assert list((tmp_path / "levels").glob("*.json"))
    cached = talk_step(cache.load_story(campaign)[0], "questions")  # read back from them
    scope = Runtime(load_story_or_raise(campaign), "Ada", level="ai_takeoff").scope()
    assert [q.for_prompt(scope) for q in cached.asks] == [q.for_prompt(scope) for q in fresh.asks]
    assert cached.asks[0].for_prompt(scope)["yes"] == "more"
