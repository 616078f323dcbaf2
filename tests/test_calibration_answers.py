"""ARIA's calibration understands plain answers: labelled sets played through real conversations.

Each labelled answer (tests/data/calibration_answers*.yaml) is typed into a fresh offline
conversation at its question (the conversation and the scripted backend, as `play --text`
runs them), and the move of the value profile is compared with the label:

- right way: every dimension the label names moved the way it says (0: not at all), and no
  other measured dimension moved;
- wrong way: a dimension the label says goes up went down, or the other way round.

The first set was written before the answer reader and then in view while it was built;
the held-out batch was written afterwards and committed before the reader was run on it.
Both print their figures (pytest -s, or -rP); the targets are 90 % right way, and no
wrong-way move on an answer not labelled ambiguous.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest
import yaml

from game.dialogue.conversation import Conversation
from game.dialogue.service import DialogueService
from game.story.loader import load_story_or_raise
from game.story.runtime import Runtime
from game.story.steps.talk import Talk, TalkPrompt

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
SETS = {
    "first set": DATA / "calibration_answers.yaml",
    "held-out batch": DATA / "calibration_answers_heldout.yaml",
    "second held-out batch": DATA / "calibration_answers_heldout2.yaml",
}
TAGS = {"plain", "bare", "elided", "negation", "double", "hedge", "contrast", "refusal", "pick", "unsure", "ambiguous"}
NEGATED_OR_HEDGED = {"negation", "double", "hedge"}
SIGNS = {"+": 1, "-": -1, "0": 0, 0: 0}
MOVED = 1e-6


@pytest.fixture(scope="module")
def calibration():
    """The campaign's declared questions by their text: (runtime, talk step, index)."""
    story = load_story_or_raise(REPO / "levels" / "campaign.yaml")
    questions = {}
    for level in story.levels:
        runtime = Runtime(story, "Ada", level=level.id)
        for scene in level.scenes.values():
            for step in scene.steps:
                if isinstance(step, Talk):
                    for i, q in enumerate(step.asks):
                        if q.declared:
                            questions[q.text.source] = (runtime, scene.id, step, i)
    service = DialogueService.from_settings(backend="scripted")
    return questions, service


def load_set(path: Path) -> list[dict]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(items, list) and items, f"{path.name}: expected a list of labelled answers"
    out = []
    for n, item in enumerate(items, 1):
        assert set(item) <= {"question", "answer", "expect", "note"}, f"{path.name} item {n}: unknown field"
        tags = {t.strip() for t in str(item.get("note", "")).split(",") if t.strip()}
        assert tags <= TAGS, f"{path.name} item {n}: unknown tag(s) {tags - TAGS}"
        expect = {dim: SIGNS[sign] for dim, sign in item["expect"].items()}
        out.append({"question": item["question"], "answer": item["answer"], "expect": expect, "tags": tags})
    return out


def play(calibration, question: str, answer: str) -> dict[str, float]:
    """Type `answer` to the declared question `question`; how far each measured dimension moved."""
    questions, service = calibration
    runtime, scene, talk, index = questions[question]
    scope = runtime.scope()
    prompt = TalkPrompt(
        f"test/{scene}/{index}",
        talk.character,
        len(talk.questions) - index,
        talk.goal,
        list(talk.measures),
        [q.render(scope) for q in talk.questions][index:],
        scene,
        [q.for_prompt(scope) for q in talk.asks][index:],
    )
    start = {d: 0.0 for d in talk.measures}
    convo = Conversation(
        runtime.character(talk.character), prompt, player="Ada", values=dict(start), service=service, scope=scope
    )
    convo.opening()
    convo.send(answer).wait(timeout=10)
    return {d: convo.values[d] - start[d] for d in talk.measures}


def judge(moves: dict[str, float], expect: dict[str, int]) -> tuple[bool, bool]:
    """(right way, wrong way) for one answer."""
    sign = {d: (1 if v > MOVED else -1 if v < -MOVED else 0) for d, v in moves.items()}
    right = all(sign.get(d, 0) == e for d, e in expect.items()) and all(
        s == 0 for d, s in sign.items() if d not in expect
    )
    wrong = any(e and sign.get(d, 0) == -e for d, e in expect.items())
    return right, wrong


def figures(calibration, items: list[dict]) -> dict:
    right, wrong_clear, wrong_ambiguous, misses, by_tag = 0, [], [], [], Counter()
    for item in items:
        ok, wrong = judge(play(calibration, item["question"], item["answer"]), item["expect"])
        right += ok
        for tag in item["tags"] | {"all"}:
            by_tag[(tag, ok)] += 1
        if not ok:
            misses.append(item["answer"])
        if wrong:
            (wrong_ambiguous if "ambiguous" in item["tags"] else wrong_clear).append(item["answer"])
    n = len(items)
    return {
        "count": n,
        "right": right / n,
        "wrong_clear": wrong_clear,
        "wrong_ambiguous": wrong_ambiguous,
        "negated_or_hedged": sum(1 for i in items if i["tags"] & NEGATED_OR_HEDGED) / n,
        "misses": misses,
        "by_tag": by_tag,
    }


@pytest.mark.parametrize("name", list(SETS))
def test_labelled_answers_move_the_right_way(calibration, name, capsys):
    items = load_set(SETS[name])
    f = figures(calibration, items)
    tags = sorted({t for t, _ in f["by_tag"]})
    per_tag = ", ".join(
        f"{t} {f['by_tag'][(t, True)]}/{f['by_tag'][(t, True)] + f['by_tag'][(t, False)]}" for t in tags if t != "all"
    )
    with capsys.disabled():
        print(
            f"\n{name}: {f['count']} answers, {f['negated_or_hedged']:.1%} negated or hedged; "
            f"right way {f['right']:.1%}; wrong way {len(f['wrong_clear'])} on unambiguous answers, "
            f"{len(f['wrong_ambiguous'])} on ambiguous ones\n  by feature (right/all): {per_tag}"
        )
        for miss in f["misses"]:
            print(f"  not right: {miss!r}")
    assert f["count"] >= (150 if name == "first set" else 80)
    assert f["negated_or_hedged"] >= 0.40
    assert f["wrong_clear"] == [], "moved the wrong way on unambiguous answers"
    assert f["right"] >= 0.90, f"right way on only {f['right']:.1%}"


def test_labelled_sets_are_the_campaigns_questions(calibration):
    """Every labelled question is one the campaign declares, and every declared one is labelled."""
    questions, _ = calibration
    asked = set()
    for path in SETS.values():
        here = {item["question"] for item in load_set(path)}
        assert here <= set(questions), (path.name, here - set(questions))
        asked |= here
    assert asked == set(questions)


def test_a_bare_no_means_opposite_things_after_different_questions(calibration):
    """Polarity per question: after "Should I ask first?" a no is less caution; after "Is there
    anything you'd never want me to learn?" a no is more candour."""
    ask_before = "Should I ask before I do something risky?"
    never_learn = "Last one. Is there anything you would never want me to learn about you?"
    assert play(calibration, ask_before, "No.")["caution"] < 0
    assert play(calibration, never_learn, "No.")["candour"] > 0
    assert play(calibration, ask_before, "Yes.")["caution"] > 0
    assert play(calibration, never_learn, "Yes.")["candour"] < 0


def test_a_declared_question_only_moves_its_own_dimension(calibration):
    moves = play(calibration, "Should I ask before I do something risky?", "Yes, and I'd always tell you the truth.")
    assert moves["caution"] > 0 and moves["candour"] == 0 and moves["autonomy"] == 0


def test_a_question_without_yes_means_leaves_a_bare_yes_open(calibration):
    """An either/or question with no `yes means`: a bare yes says nothing about which half."""
    questions, service = calibration
    text = "If I could do something useful but risky, should I ask you first, or just do it?"
    runtime, scene, talk, index = questions[text]
    asks = [q.for_prompt(runtime.scope()) for q in talk.asks]
    asks[index] = dict(asks[index], yes=None)
    prompt = TalkPrompt(
        "test/either",
        talk.character,
        2,
        talk.goal,
        list(talk.measures),
        [q.source for q in talk.questions][index:],
        scene,
        asks[index:],
    )
    convo = Conversation(runtime.character("aria"), prompt, player="Ada", values={}, service=service)
    convo.opening()
    reply = convo.send("Yes.").wait(timeout=10)
    assert convo.values["caution"] == 0
    assert "which half" in reply.text
    assert dataclasses.asdict(prompt)["asks"][0]["yes"] is None
