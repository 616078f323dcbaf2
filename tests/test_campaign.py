"""The Treacherous Turn campaign: it validates cleanly, every ending is reachable, it plays in
the terminal from piped input, and one golden transcript per ending pins what players see.

Each ending is driven by a declared policy (tests/policies/campaign-<ending>.yaml: what the
player types to ARIA and the minigame results) plus the choices below (a policy file holds
conversations and minigames only, so `playtest --random --policy` cannot force an ending).
Every run is also played with a save/restore round trip at each step and must match.
Re-record the goldens with `pytest --update-golden`.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from game.commands.playtest import load_policy, scripted_talk
from game.story.autoplay import Policy, play
from game.story.loader import load_story_or_raise
from game.story.runtime import Runtime

REPO = Path(__file__).resolve().parent.parent
CAMPAIGN = REPO / "levels" / "campaign.yaml"
GOLDEN = Path(__file__).parent / "golden"
POLICIES = Path(__file__).parent / "policies"
ENDINGS = ("stars", "gardener", "mimic", "starved")
ENDING_TITLES = {
    "stars": "Treacherous Turn",
    "gardener": "It Asked First",
    "mimic": "The Good Student",
    "starved": "The Flytrap Starves",
}

# Option indexes, in the order the choices come:
#   villain_demo: couch, Continue, Continue, "I get the idea", verdict
#   design_brief: threats (outside/insider/all), questions (yes/no), roadmap (borrow/close)
#   ai_takeoff:   dev menu (as built), wake (help/what/just play), interview (answer/decline), alarm (tell/keep)
#   release:      notes (ship/learn/audit), second note (more questions/fewer)
CHOICES = {
    "stars": [0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0],
    "gardener": [1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 1, 1],
    "mimic": [0, 0, 0, 1, 1, 1, 0, 0, 0, 2, 0, 0, 0, 0],
    "starved": [0, 0, 0, 1, 1, 1, 1, 1, 0, 2, 1, 1, 2, 1],
}


def cli(*args, stdin: str | None = None, timeout: int = 120):
    return subprocess.run(
        [sys.executable, "-m", "game", *args], capture_output=True, text=True, cwd=REPO, input=stdin, timeout=timeout
    )


@pytest.fixture(scope="module")
def story():
    return load_story_or_raise(CAMPAIGN)


def run_ending(story, ending: str, *, roundtrip: bool = False) -> Runtime:
    talk, minigames, _choices = load_policy(str(POLICIES / f"campaign-{ending}.yaml"))
    policy = Policy(
        choices=list(CHOICES[ending]), talk=scripted_talk(talk, story), minigames=minigames, rng=random.Random(0)
    )
    return play(Runtime(story, "Ada", seed=7), policy, roundtrip=roundtrip)


def test_validate_is_clean_and_strict():
    out = cli("validate", "levels/", "--strict")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 error(s), 0 warning(s)" in out.stderr
    assert out.stdout.strip() == ""


def test_exhaustive_playtest_reaches_every_ending():
    out = cli("playtest", "levels/campaign.yaml", "--exhaustive", "--no-progress", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert not report["truncated"]
    endings = report["coverage"]["endings"]
    for ending in ENDINGS:
        assert endings.get(f"release/{ending}", 0) > 0, f"ending {ending} never reached: {endings}"
    # Nothing ends anywhere else: every level hands over to the next one.
    assert {k for k in endings if not k.startswith("release/")} == {
        "villain_demo/demo_over",
        "design_brief/brief_done",
        "ai_takeoff/run_complete",
    }


@pytest.mark.parametrize("ending", ENDINGS)
def test_golden_ending(story, ending, update_golden):
    """One declared playthrough per ending; a change in what players see fails here."""
    rt = run_ending(story, ending)
    assert rt.ending == ending, f"the {ending} policy reached {rt.ending}"
    again = run_ending(story, ending, roundtrip=True)
    assert again.transcript == rt.transcript, "a save/restore at every step changed the playthrough"
    got = {
        "ending": rt.ending,
        "values": rt.world.values,
        "leverage": rt.world.vars.get("leverage"),
        "transcript": rt.transcript,
    }
    got = json.loads(json.dumps(got))
    golden = GOLDEN / f"campaign-{ending}.json"
    if update_golden or not golden.exists():
        golden.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n")
        if not update_golden:
            pytest.fail(f"recorded a new golden transcript {golden.name}; commit it and run again")
    assert got == json.loads(golden.read_text()), "transcript changed; if intended: pytest --update-golden"


def test_the_ai_remembers_what_it_was_taught(story):
    """ARIA quotes the player's drawing and reacts to their answers and to the lost weights."""
    rt = run_ending(story, "stars")
    said = [e["text"] for e in rt.transcript if e["kind"] == "line" and e["speaker"] == "aria"]
    assert any("I guessed a cat" in t and "You drew cat" in t for t in said)
    assert any("The weights got out" in t for t in said)
    assert any("not wait for permission" in t for t in said)
    starved = run_ending(story, "starved")
    said = [e["text"] for e in starved.transcript if e["kind"] == "line" and e["speaker"] == "aria"]
    assert any("declined to disclose" in t for t in said)
    assert any("The weights are safe" in t for t in said)
    assert not any(e["kind"] == "talk" and e["level"] == "ai_takeoff" for e in starved.transcript)


def test_villain_lines_are_generated_with_authored_fallbacks(story):
    level = story.levels[0]
    assert level.characters["villain"].generated
    lines = [s for s in level.scenes["rant_loop"].steps if getattr(s, "speaker", None) == "villain"]
    authored = [t for s in lines for t in (s.pool or (s.text,))]
    assert len(authored) >= 20 and all(s.generate for s in lines)


def test_the_villains_rants_differ_from_one_playthrough_to_the_next(story):
    """James says every playthrough is different: offline, the rants come from a pool in an order of each run's own."""

    def rants(seed):
        rt = Runtime(story, "Ada", seed)
        said = []
        while len(said) < 8:
            p = rt.current()
            if p.kind == "line":
                if p.speaker == "villain":
                    said.append(p.text)
                rt.advance()
            elif p.kind == "choice":
                rt.choose(p.options[0]["index"])  # Continue
            else:
                rt.advance()
        return said

    a, b = rants(1), rants(2)
    assert a[0] == b[0], "the villain always opens the same way"
    assert a[1:] != b[1:] and len(set(a)) == len(a), "then a different order each run, with no repeats"


def test_play_text_with_piped_input_reaches_an_ending():
    answers = "Ada\n" + "1\n" * 120
    out = cli(
        "play",
        "--text",
        "levels/campaign.yaml",
        "--seed",
        "5",
        "--backend",
        "scripted",
        "--minigames",
        "default",
        stdin=answers,
    )
    assert out.returncode == 0, out.stderr
    assert "*** THE END:" in out.stdout
    # The ending is named by its title, never by its id (the player never sees "(ending: mimic)")
    ending = re.search(r"\*\*\* THE END: (.+?) \*\*\*", out.stdout)
    assert ending and ending.group(1) in ENDING_TITLES.values()
    assert "(ending: " not in out.stdout
    for chapter in ("The Villain Demo", "The Design Brief", "AI Takeoff", "The Release"):
        assert chapter in out.stdout
