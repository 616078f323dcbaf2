"""A seeded mutation fuzzer over real saves: saves taken at different points of the shipped
stories, then one value replaced by a hostile one, a key deleted, or the file's text cut,
flipped or stuffed. For every mutant the slot list, the dates and Continue never raise; a load
either succeeds and the story plays on to an ending, or is refused with a SaveError. Quick in
CI; `pytest --fuzz N` runs N mutants. A hang guard (far above any real case) names a stuck one.
"""

import json
import random
import signal
import tracemalloc
from pathlib import Path

import pytest

from game import saves
from game.story.autoplay import Policy, play
from game.story.loader import load_story
from game.ui.session import Session

LEVELS = Path(__file__).parent.parent / "levels"
STORIES = [LEVELS / "examples" / "demo.yaml", LEVELS / "campaign.yaml"]
MEMORY_BUDGET = 64 * 2**20
HANG_GUARD_S = 60

HOSTILE = [
    None,
    True,
    -1,
    0,
    2**70,
    -(2**63) - 1,
    1e308,
    -1e308,
    float("nan"),
    float("inf"),
    "",
    "x" * 200_000,
    "\x00\x1b]0;t\x07",
    "../../../etc/passwd",
    "/dev/zero",
    [],
    {},
    [[[[]]]],
    {"a": {"b": {}}},
    ["x"] * 1000,
    {"mode": "talk", "conversation": {"key": "x"}},
    {"version": 1},
    3.5,
    "999",
    "line",
]


def _paths(node, path=()):
    """Every place in a JSON tree, as a key path."""
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node[:50]):  # long lists (the transcript, the RNG): their head is enough
            yield from _paths(v, path + (i,))


def _set(tree, path, value):
    if not path:
        return value
    parent = tree
    for k in path[:-1]:
        parent = parent[k]
    parent[path[-1]] = value
    return tree


def _delete(tree, path):
    parent = tree
    for k in path[:-1]:
        parent = parent[k]
    del parent[path[-1]]
    return tree


def mutate(text: str, rng: random.Random) -> str:
    data = json.loads(text)
    kind = rng.randrange(6)
    places = list(_paths(data))
    # The places a save's meaning lives in are the most worth hitting; pick them more often.
    important = [
        p for p in places if p and p[0] in ("runtime", "screen", "timestamp", "story", "story_path", "version")
    ]
    path = rng.choice(important if important and rng.random() < 0.8 else places)
    if kind <= 2:
        data = _set(data, path, rng.choice(HOSTILE))
    elif kind == 3 and path:
        data = _delete(data, path)
    elif kind == 4:
        return text[: rng.randrange(len(text))]
    else:
        raw = bytearray(text.encode())
        for _ in range(rng.randint(1, 5)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        return raw.decode("utf-8", "replace") if rng.random() < 0.5 else raw.decode("latin-1")
    return json.dumps(data, allow_nan=True)


class _Hang(Exception):
    pass


def _guard(signum, frame):
    raise _Hang()


@pytest.fixture(scope="module")
def stories():
    out = []
    for path in STORIES:
        story, diags = load_story(path)
        assert story is not None, diags
        out.append((path, story))
    return out


def _save_at(session, rng):
    """Play a random number of prompts with a random policy, then save to slot 1."""
    session.new("Fuzz", seed=rng.randrange(1000))
    try:
        play(session.runtime, Policy(rng=random.Random(rng.randrange(1000))), max_prompts=rng.randrange(1, 60))
    except RuntimeError:
        pass  # stopped short of an ending: that is where we save
    session.save("1", {"mode": "line"})


@pytest.mark.slow
def test_mutated_saves_are_loaded_or_refused_never_crash(stories, fuzz_cases):
    rng = random.Random(16)
    outcomes = {"loaded": 0, "refused": 0}
    for n in range(fuzz_cases(120)):
        path, story = stories[n % len(stories)]
        session = Session(str(path), story)
        _save_at(session, rng)
        good = saves.slot_path("1").read_text()
        saves.slot_path("2").write_text(good)
        bad = mutate(good, rng)
        saves.slot_path("1").write_text(bad, encoding="utf-8", errors="surrogateescape")
        what = f"mutant {n} of {path.name}"
        old = signal.signal(signal.SIGALRM, _guard)
        signal.alarm(HANG_GUARD_S)
        tracemalloc.start()
        try:
            infos = saves.list_slots()
            for info in infos:
                assert isinstance(info.when, str) and isinstance(info.error, str), what
            assert saves.latest() is not None, what  # slot 2 is whole: Continue still has it
            try:
                session.load("1")
            except saves.SaveError as exc:
                assert str(exc), what
                outcomes["refused"] += 1
                continue
            outcomes["loaded"] += 1
            try:
                play(session.runtime, Policy(rng=random.Random(n)), max_prompts=300)
            except RuntimeError as exc:
                assert "no ending" in str(exc) or "prompts" in str(exc), (what, exc)
        except _Hang:
            pytest.fail(f"{what} did not finish within {HANG_GUARD_S} s")
        finally:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
        assert peak < MEMORY_BUDGET, f"{what} used {peak / 2**20:.0f} MB"
    assert outcomes["loaded"] and outcomes["refused"], outcomes
