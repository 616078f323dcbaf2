"""Hostile expressions in every place a level evaluates one: refused at load with their
place, or evaluated within bounds while playing. Nothing raises out, hangs or grows large.

Each case is a real level with the expression in an `if:`, a `set:`, a `{...}` in text, or a
choice option's `set:`; it is validated (load and lint), played to an ending, and saved and
restored on the way. A hang guard (an alarm far above any real case) turns a hang into a
failure naming the case instead of a stuck run; it is not a speed check.
"""

import json
import random
import signal
import tracemalloc

import pytest

from game.story.autoplay import Policy, play
from game.story.lint import lint_story
from game.story.loader import load_story
from game.story.runtime import Runtime
from tests.hostile import EXPRESSIONS

MEMORY_BUDGET = 64 * 2**20
HANG_GUARD_S = 60

CONTEXTS = {
    "if": "    - if: {q}\n      goto: b\n",
    "set": "    - set: {{out: {q}}}\n",
    "text": "    - narrator: {qt}\n",
    "option": "    - choice:\n        - text: go\n          set: {{out: {q}}}\n          goto: b\n        - text: stay\n",
}


def level(expr: str, context: str) -> str:
    step = CONTEXTS[context].format(q=json.dumps(expr), qt=json.dumps("Value {" + expr + "}."))
    return (
        "level: hostile\nstart: a\nvars: {trust: 3, mood: calm, out: 0}\nscenes:\n  a:\n"
        "    - set: {out: out + 1}\n"
        + step
        + '    - narrator: "{trust} {mood} {out}"\n    - goto: b\n  b:\n    - end: done\n'
    )


class _Hang(Exception):
    pass


def _guard(signum, frame):
    raise _Hang()


def run_case(tmp_path, expr: str, context: str) -> str:
    path = tmp_path / f"{context}.yaml"
    path.write_text(level(expr, context))
    old = signal.signal(signal.SIGALRM, _guard)
    signal.alarm(HANG_GUARD_S)
    tracemalloc.start()
    try:
        story, diags = load_story(path, cache=False)
        for d in diags:
            assert d.line >= 1 and d.column >= 1 and d.code.startswith("TT") and d.message
        if story is None:
            assert diags, "refused without saying why"
            return "refused"
        lint_story(story, max_states=500)
        rt = play(Runtime(story, "Fuzz", 1), Policy(rng=random.Random(1)), roundtrip=True, max_prompts=200)
        assert rt.ended
        return "played"
    except _Hang:
        pytest.fail(f"{context}: {expr[:60]!r} did not finish within {HANG_GUARD_S} s")
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        assert peak < MEMORY_BUDGET, f"{context}: {expr[:60]!r} used {peak / 2**20:.0f} MB"


@pytest.mark.parametrize("context", sorted(CONTEXTS))
def test_hostile_expressions_are_refused_or_bounded(tmp_path, context):
    outcomes = {expr: run_case(tmp_path, expr, context) for expr in EXPRESSIONS}
    # The ones that fail on every run, or escape the language, are refused when the level loads.
    for expr in (
        "1 / 0",
        "len(5)",
        "chance('x')",
        "clamp('a', 1, 2)",
        "roll(0)",
        "'%999999999d' % 1",
        "round(5, -999999999)",
        "int(1e999)",
        "[[1]*99999]*99999",
        "__import__('os').system('true')",
        "-" * 3000 + "1",
    ):
        assert outcomes[expr] == "refused", (context, expr)


def test_a_failing_option_set_is_noted_and_the_choice_still_taken(tmp_path):
    path = tmp_path / "opt.yaml"
    path.write_text(level("mood * 99999", "option"))
    story, diags = load_story(path, cache=False)
    assert story is not None, diags
    rt = Runtime(story, "Sam", 1)
    while rt.current().kind != "choice":
        rt.advance()
    rt.choose(0)
    assert rt.scene == "b"
    assert any("kept its value" in e.get("text", "") for e in rt.transcript if e["kind"] == "note")
