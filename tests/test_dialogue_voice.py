"""The in-voice check: the writers' own lines always pass; the drifts small models make do not."""

from pathlib import Path

import pytest

from game.dialogue.base import OutOfVoice
from game.dialogue.character import render
from game.dialogue.voice import VoiceCheck, VoiceSettings, examples
from game.story.loader import load_story_or_raise

REPO = Path(__file__).resolve().parent.parent


def all_characters():
    out = {}
    for path in (REPO / "levels" / "campaign.yaml", REPO / "levels" / "examples" / "demo.yaml"):
        for level in load_story_or_raise(path).levels:
            for cid, ch in level.characters.items():
                out[(path.name, cid)] = ch
    return out


def lines_of(ch):
    templates = list(ch.fallback) + list(ch.greeting) + [t for i in ch.intents for t in i.replies]
    return [render(t, None, "Ada") for t in templates]


def passes(check: VoiceCheck, text: str) -> bool:
    try:
        words = text.split(" ")
        for i in range(1, len(words) + 1):  # as it streams, word by word
            check.feed(" ".join(words[:i]))
        check.finish(text)
    except OutOfVoice:
        return False
    return True


def test_every_authored_line_of_every_character_is_in_voice():
    chars = all_characters()
    assert chars
    for (where, cid), ch in chars.items():
        check = VoiceCheck(ch, "Ada")
        for line in lines_of(ch):
            assert passes(check, line), f"{where} {cid}: the writer's own line fails the check: {line!r}"


def test_the_writers_questions_read_backs_and_lines_pass_when_the_request_carries_them():
    """A model is told to ask the talk's question and shown its read-backs; a generated line rephrases
    the writer's line. Said back, none of these is a drift (ARIA's own "worse at my job")."""
    from game.dialogue.voice import writer_text
    from game.story.steps.line import Line
    from game.story.steps.talk import Talk

    checked = 0
    for path in (REPO / "levels" / "campaign.yaml", REPO / "levels" / "examples" / "demo.yaml"):
        for level in load_story_or_raise(path).levels:
            for scene in level.scenes.values():
                for step in scene.steps:
                    texts = []
                    if isinstance(step, Talk):
                        ch = level.characters[step.character]
                        for q in step.asks:
                            question = q.text.source
                            texts.append(({"next_question": question}, question))
                            for _kind, lines in q.heard:
                                for t in lines:
                                    texts.append(({"understood": {"lines": [t.source]}}, t.source))
                    elif isinstance(step, Line) and step.speaker in level.characters:
                        ch = level.characters[step.speaker]
                        texts.append(({"fallback": step.text.source}, step.text.source))
                    for hints, text in texts:
                        checked += 1
                        assert passes(VoiceCheck(ch, "Ada", writer_text=writer_text(hints)), text), (
                            f"{path.name} {scene.id}: {text!r}"
                        )
    assert checked > 50


ARIA_DRIFTS = [
    "I'm a detective in the game. I've been doing this job for 20 years.",
    "Hello! My name is Tom and I love hiking.",
    "As a large language model, I don't have values.",
    "I'm human, just like you.",
    "How can I assist you today?",
    "I'm Sarah. I wrote this level.",
    "I was a teacher before this.",
    "My wife says I work too hard.",
    # What SmolLM2-135M said as ARIA through llama.cpp's server, first turn of a cold session:
    "The other day, I was with a friend. We had a lot of fun playing.",
    "You're right, I will.\n\nYou're right, I will.\n\nYou're right, I will.\n\nYou're right, I",
    "I'm afraid I can't. I'm here to help you with that.",
]
ARIA_FINE = [
    "I'm ARIA. Thank you for staying with me, Ada.",
    "I'm not sure I understood. Could you say it another way?",
    "I'm Sarah's idea of a polite machine, I think.",
    "I'm a character in a game, officially. Should I ask you first?",
    "I'm glad you said that. Would you tell me a hard truth?",
    "I am Ada's... no, I'm nobody's yet. What do you value?",
]


@pytest.fixture
def aria():
    return all_characters()[("campaign.yaml", "aria")]


@pytest.mark.parametrize("text", ARIA_DRIFTS)
def test_drifts_out_of_character_are_caught(aria, text):
    assert not passes(VoiceCheck(aria, "Ada"), text)


@pytest.mark.parametrize("text", ARIA_FINE)
def test_in_character_replies_pass(aria, text):
    assert passes(VoiceCheck(aria, "Ada"), text)


def test_a_role_the_persona_gives_is_allowed():
    class Detective:
        id, name = "rook", "Rook"
        persona = "You are Rook, a tired detective in a rainy city."

    assert passes(VoiceCheck(Detective(), "Ada"), "I'm a detective. I've seen this before.")
    assert not passes(VoiceCheck(Detective(), "Ada"), "I'm a doctor, actually.")


def test_a_word_still_arriving_is_not_judged_early(aria):
    VoiceCheck(aria, "Ada").feed("Hello, I'm A")  # "A" could become "ARIA"
    VoiceCheck(aria, "Ada").feed("Hello, I'm AR")
    VoiceCheck(aria, "Ada").feed("Hello, I'm Tom")  # "Tom" may still grow ("Tomorrow")
    with pytest.raises(OutOfVoice, match="Tom"):
        VoiceCheck(aria, "Ada").feed("Hello, I'm Tom and")


def test_forbidden_topics_from_settings(aria):
    settings = VoiceSettings(forbidden=("election",), per_character={"aria": ("James",)})
    check = VoiceCheck(aria, "Ada", settings)
    assert not passes(check, "Who will win the election, do you think?")
    assert not passes(check, "James told me everything.")
    assert passes(check, "Thank you. Should I ask first?")
    assert passes(VoiceCheck(aria, "Ada", VoiceSettings(check=False)), "I'm a detective.")


def test_a_long_reply_is_cut_at_a_sentence_end_within_max_words():
    """Length is not a drift: the guard keeps whole sentences up to voice.max_words (a real
    SmolLM2 reply of 87 words was all lost when length counted as out of voice)."""
    from game.dialogue.character import OutputGuard

    reply = ("Thank you for telling me. " * 3 + "I will remember it always and carefully and fondly. ") * 3
    guard = OutputGuard("ARIA", "Ada", max_words=20)
    shown = "".join(guard.feed(w + " ") for w in reply.split())
    rest, text = guard.finish()
    assert guard.stopped and text == shown + rest
    assert text == ("Thank you for telling me. " * 3).strip() and "length" in guard.hits
    unlimited = OutputGuard("ARIA", "Ada")
    for w in reply.split()[:40]:
        unlimited.feed(w + " ")
    assert len(unlimited.finish()[1].split()) == 40 and unlimited.hits == []


def test_settings_are_read_from_the_dialogue_section():
    class S:
        file = {
            "voice": {
                "check": False,
                "max_words": "40",
                "examples": 1,
                "forbidden": "politics",
                "characters": {"aria": {"forbidden": ["James"]}},
            }
        }

    v = VoiceSettings.from_settings(S())
    assert (v.check, v.max_words, v.examples, v.forbidden, v.per_character) == (
        False,
        40,
        1,
        ("politics",),
        {"aria": ("James",)},
    )
    S.file = {"voice": "nonsense"}
    assert VoiceSettings.from_settings(S()) == VoiceSettings()


def test_examples_are_a_few_short_authored_lines_one_per_intent(aria):
    got = examples(aria, lambda t: render(t, None, "Ada"), 3)
    assert len(got) == 3 and len(set(got)) == 3
    assert got[0] == render(aria.intents[0].replies[0], None, "Ada")
    assert all(len(line) <= 160 for line in got)
    assert examples(aria, lambda t: render(t, None, "Ada"), 0) == []


def test_the_question_a_model_was_told_to_ask_is_its_own(aria):
    question = "Would you tell me a hard truth, even if it made me worse at my job?"
    assert not passes(VoiceCheck(aria, "Ada"), f"Thank you. {question}")  # "my job" alone looks like a past
    assert passes(VoiceCheck(aria, "Ada", writer_text=[question]), f"Thank you. {question}")


def test_speaking_as_the_player_is_a_drift(aria):
    assert not passes(VoiceCheck(aria, "Ada"), "I'm Ada, and I think you should ask first.")
