"""Playtests: exhaustive coverage, reproducible random runs, golden transcripts."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from game.story.autoplay import Policy, play
from game.story.loader import load_story_or_raise
from game.story.runtime import Runtime

REPO = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "golden"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "game", *args], capture_output=True, text=True, cwd=REPO, timeout=300)


def test_exhaustive_lists_every_ending_with_a_count():
    out = cli("playtest", "levels/examples/demo.yaml", "--exhaustive", "--no-progress")
    assert out.returncode == 0, out.stderr
    for ending in ("demo/breach", "demo/careful", "demo/takeoff"):
        line = next(ln for ln in out.stdout.splitlines() if ending in ln)
        assert int(line.split()[-1]) > 0
    assert "endings      3/3" in out.stdout and "lines       11/11" in out.stdout


def test_random_runs_are_reproducible(tmp_path):
    a = cli("playtest", "levels/examples/demo.yaml", "--random", "200", "--seed", "1", "--json", "--no-progress")
    b = cli("playtest", "levels/examples/demo.yaml", "--random", "200", "--seed", "1", "--json", "--no-progress")
    c = cli("playtest", "levels/examples/demo.yaml", "--random", "200", "--seed", "5000", "--json", "--no-progress")
    ja, jb, jc = (json.loads(x.stdout) for x in (a, b, c))
    assert ja["coverage"] == jb["coverage"]
    assert ja["coverage"] != jc["coverage"]


def test_bound_is_reported(tmp_path):
    out = cli("playtest", "levels/examples/demo.yaml", "--max-states", "5", "--no-progress")
    assert out.returncode == 0
    assert "stopped after 5 states" in out.stderr and "partial" in out.stderr


def test_policy_file_fixes_minigame_results(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text("minigames:\n  lab_defense: {training: 0.2}\n")
    out = cli(
        "playtest", "levels/examples/demo.yaml", "--random", "20", "--policy", str(policy), "--json", "--no-progress"
    )
    endings = json.loads(out.stdout)["coverage"]["endings"]
    assert set(endings) == {"demo/breach"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("nonsense: 1\n")
    out = cli("playtest", "levels/examples/demo.yaml", "--policy", str(bad))
    assert out.returncode == 2 and "talk:" in out.stderr and "choices:" in out.stderr and "Traceback" not in out.stderr


GOLDEN_RUNS = [("demo", "levels/examples/demo.yaml", seed) for seed in (1, 2, 3)]


@pytest.mark.parametrize("name,path,seed", GOLDEN_RUNS)
def test_golden_transcripts(name, path, seed, update_golden, tmp_path):
    """A change that alters what players see fails here; re-record with `pytest --update-golden`."""
    record = tmp_path / "run.json"
    out = cli("playtest", path, "--random", "1", "--seed", str(seed), "--record", str(record), "--no-progress")
    assert out.returncode == 0, out.stderr
    got = json.loads(record.read_text())["runs"][0]
    golden = GOLDEN / f"{name}-seed{seed}.json"
    if update_golden or not golden.exists():
        golden.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n")
        if not update_golden:
            pytest.fail(f"recorded a new golden transcript {golden.name}; commit it and run again")
    assert got == json.loads(golden.read_text()), "transcript changed; if intended: pytest --update-golden"


def test_golden_runs_survive_save_restore_every_step():
    """ink's rule: every playthrough also runs after a save round trip, with the same transcript."""
    story = load_story_or_raise(REPO / "levels/examples/demo.yaml")
    for seed in (1, 2, 3):
        a = play(Runtime(story, "P", seed), Policy(rng=__import__("random").Random(seed)))
        b = play(Runtime(story, "P", seed), Policy(rng=__import__("random").Random(seed)), roundtrip=True)
        assert a.transcript == b.transcript
