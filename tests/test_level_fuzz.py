"""A seeded mutation fuzzer over the shipped levels: hostile values, expressions, includes and
campaigns mixed into real files. Every mutant is validated (load and lint) and, when it loads,
played to an ending with saves on the way. Nothing may raise out, hang or grow past the memory
budget; a refusal must name its place. `pytest --fuzz N` runs N mutants instead of the quick
CI-sized run. A hang guard (an alarm far above any real case) names a stuck mutant; it is not
a speed check.
"""

import json
import random
import re
import shutil
import signal
import tracemalloc
from pathlib import Path

import pytest

from game.story.autoplay import Policy, play
from game.story.lint import lint_story
from game.story.loader import load_story
from game.story.runtime import Runtime
from tests.hostile import EXPRESSIONS, VALUES

LEVELS = Path(__file__).parent.parent / "levels"
MEMORY_BUDGET = 64 * 2**20
HANG_GUARD_S = 60


def _lines(text: str):
    return text.split("\n")


def m_expression(text, rng):
    """An `if:` or a `set:` value or a `{...}` replaced by a hostile expression."""
    lines = _lines(text)
    spots = [i for i, ln in enumerate(lines) if re.search(r"\bif: |set: \{|\{[a-z]", ln)]
    if not spots:
        return text
    i = rng.choice(spots)
    expr = json.dumps(rng.choice(EXPRESSIONS))
    ln = lines[i]
    if "if: " in ln:
        lines[i] = ln[: ln.index("if: ") + 4] + expr
    elif "set: {" in ln:
        lines[i] = re.sub(r"set: \{(\w+): [^}]*\}", lambda m: f"set: {{{m.group(1)}: {expr}}}", ln, count=1)
    else:
        hole = "{" + rng.choice(EXPRESSIONS).replace("}", "") + "}"
        lines[i] = re.sub(r"\{[a-z][^}]*\}", lambda m: hole, ln, count=1)
    return "\n".join(lines)


def m_value(text, rng):
    """A value (a param, a var, a default, a number) replaced by an alias bomb, deep nesting,
    a huge number or control characters."""
    lines = _lines(text)
    spots = [i for i, ln in enumerate(lines) if re.search(r"(params|vars|default|turns|waves|rounds): ", ln)]
    if not spots:
        return text
    i = rng.choice(spots)
    key = re.search(r"(params|vars|default|turns|waves|rounds): ", lines[i]).group(0)
    head = lines[i][: lines[i].index(key) + len(key)]
    lines[i] = head + rng.choice(VALUES)
    return "\n".join(lines)


def m_include(text, rng):
    target = rng.choice(
        ["/dev/zero", "/dev/null", "../../../../etc/passwd", '"a\\x00b.yaml"', "/proc/self/mem", "missing.yaml", "."]
    )
    if "include:" in text:
        return re.sub(r"include: .*", lambda m: f"include: [{target}]", text, count=1)
    return f"include: [{target}]\n" + text


def m_campaign(text, rng):
    choice = rng.randrange(3)
    if choice == 0:
        return re.sub(r"levels:\n(  - .*\n)+", lambda m: "levels: []\n", text)
    if choice == 1:
        return text.replace("levels:\n", "levels:\n  - /dev/zero\n", 1)
    return text.replace("campaign: treacherous_turn", "campaign: treacherous_turn\nvars: " + rng.choice(VALUES))


def m_lines(text, rng):
    """The generic mutations of test_loader_fuzz, a few at a time."""
    lines = _lines(text)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(lines))
        op = rng.randrange(4)
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 2 and lines[i]:
            j = rng.randrange(len(lines[i]))
            lines[i] = lines[i][:j] + rng.choice(":-{}[]'\"#&*!|>\t\x00") + lines[i][j + 1 :]
        else:
            lines[i] = "  " + lines[i]
    return "\n".join(lines)


MUTATIONS = [m_expression, m_value, m_include, m_lines]


class _Hang(Exception):
    pass


def _guard(signum, frame):
    raise _Hang()


def run_mutant(root: Path, rng: random.Random, n: int) -> str:
    copy = root / f"m{n}"
    shutil.copytree(LEVELS, copy)
    files = sorted(p for p in copy.rglob("*.yaml"))
    target = rng.choice(files)
    mutate = m_campaign if target.name == "campaign.yaml" and rng.random() < 0.5 else rng.choice(MUTATIONS)
    target.write_text(mutate(target.read_text(), rng))
    entry = copy / "campaign.yaml" if rng.random() < 0.5 else target
    what = f"mutant {n}: {mutate.__name__} of {target.relative_to(copy)}, loaded as {entry.name}"
    old = signal.signal(signal.SIGALRM, _guard)
    signal.alarm(HANG_GUARD_S)
    tracemalloc.start()
    try:
        story, diags = load_story(entry, cache=False)
        for d in diags:
            assert d.line >= 1 and d.column >= 1 and d.code.startswith("TT") and d.message, (what, d)
        if story is None:
            assert diags, f"{what}: refused without saying why"
            return "refused"
        lint_story(story, max_states=300)
        try:
            play(Runtime(story, "Fuzz", n), Policy(rng=random.Random(n)), roundtrip=True, max_prompts=400)
        except RuntimeError as exc:  # a mutation can make a loop that shows lines forever: a story, not a crash
            assert "no ending" in str(exc), what
        return "played"
    except _Hang:
        pytest.fail(f"{what} did not finish within {HANG_GUARD_S} s")
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        shutil.rmtree(copy, ignore_errors=True)
        assert peak < MEMORY_BUDGET, f"{what} used {peak / 2**20:.0f} MB"


@pytest.mark.slow
def test_mutated_levels_are_refused_or_played(tmp_path, fuzz_cases):
    rng = random.Random(20261202)
    outcomes = [run_mutant(tmp_path, rng, n) for n in range(fuzz_cases(60))]
    assert "refused" in outcomes and "played" in outcomes, "the mix exercises both ends"


@pytest.mark.slow
@pytest.mark.parametrize("mutate", [m_value, m_include, m_campaign], ids=lambda f: f.__name__)
def test_each_hostile_kind_on_the_campaign(tmp_path, mutate):
    """Every kind of hostile value, include and campaign, once on each file it applies to."""
    for seed in range(len(VALUES)):
        rng = random.Random(seed)
        copy = tmp_path / f"{mutate.__name__}{seed}"
        shutil.copytree(LEVELS, copy)
        for f in sorted(copy.rglob("*.yaml")):
            if (mutate is m_campaign) == (f.name == "campaign.yaml"):
                f.write_text(mutate(f.read_text(), rng))
        old = signal.signal(signal.SIGALRM, _guard)
        signal.alarm(HANG_GUARD_S)
        tracemalloc.start()
        try:
            story, diags = load_story(copy / "campaign.yaml", cache=False)
            assert story is None and diags, "hostile values in every file are refused"
            assert all(d.line >= 1 and d.code.startswith("TT") for d in diags)
        except _Hang:
            pytest.fail(f"{mutate.__name__} seed {seed} did not finish within {HANG_GUARD_S} s")
        finally:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
            assert peak < MEMORY_BUDGET, f"{mutate.__name__} seed {seed}: {peak / 2**20:.0f} MB"
