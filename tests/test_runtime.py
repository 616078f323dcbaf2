"""The runtime plays levels to their endings; saves restore exactly at every step."""

import json
from pathlib import Path

import pytest
from transitions.core import MachineError

from game.story.autoplay import Policy, play
from game.story.loader import load_story, load_story_or_raise
from game.story.machine import StoryMachine
from game.story.runtime import SNAPSHOT_VERSION, Runtime, StoryStateError

DEMO = Path(__file__).parent.parent / "levels" / "examples" / "demo.yaml"
CAREFUL = {
    "values": {"caution": 0.8, "candour": 0.5},
    "turns": [{"player": "Please be careful.", "reply": "I will.", "backend": "scripted"}],
}


def demo():
    return load_story_or_raise(DEMO)


def transcript_of(policy_factory, roundtrip):
    rt = play(Runtime(demo(), "Sam", 4), policy_factory(), roundtrip=roundtrip)
    return rt.transcript, rt.ending


@pytest.mark.parametrize(
    "choices,talk,minigames,ending",
    [
        ([0], CAREFUL, {}, "careful"),
        ([1], {"values": {"caution": -0.5}}, {}, "takeoff"),
        ([2], {}, {"lab_defense": {"training": 0.4}}, "breach"),
    ],
)
def test_demo_reaches_each_ending(choices, talk, minigames, ending):
    rt = play(Runtime(demo(), "Sam", 1), Policy(choices=list(choices), talk=talk, minigames=minigames))
    assert rt.ended and rt.ending == ending
    assert rt.transcript[-1]["kind"] == "end"


@pytest.mark.parametrize(
    "choices,talk,minigames",
    [
        ([0], CAREFUL, {}),
        ([1], {"values": {"caution": -0.5}}, {"drawing": {"reward": 0.9, "guess": "a bird", "rounds": 1}}),
        ([2], {}, {"lab_defense": {"training": 0.4}}),
    ],
)
def test_save_restore_at_every_step_gives_the_same_transcript(choices, talk, minigames):
    def make():
        return Policy(choices=list(choices), talk=talk, minigames=dict(minigames))

    plain = transcript_of(make, roundtrip=False)
    tripped = transcript_of(make, roundtrip=True)
    assert plain == tripped


def test_every_step_type_is_seen_in_the_demo():
    kinds = set()
    play(Runtime(demo(), "Sam", 1), Policy(choices=[1], talk=CAREFUL), on_prompt=lambda p, rt: kinds.add(p.kind))
    assert {"line", "choice", "talk", "minigame", "end"} <= kinds
    level = demo().levels[0]
    step_types = {type(s).__name__ for sc in level.scenes.values() for s in sc.steps}
    assert {"Line", "Choice", "Set", "Goto", "Talk", "MinigameStep", "End"} <= step_types


def test_text_interpolates_player_and_variables():
    rt = Runtime(demo(), "Ada", 1)
    assert "Ada" in rt.current().text
    rt.advance()
    rt.advance()
    rt.choose(0)  # trust + 1
    assert rt.current().text.startswith("Thank you, truly")


def test_skipped_minigame_is_marked_in_the_transcript():
    rt = play(Runtime(demo(), "Sam", 1), Policy(choices=[0], talk=CAREFUL))
    skipped = [e for e in rt.transcript if e["kind"] == "minigame"]
    assert skipped and all(e["skipped"] and "default result" in e["note"] for e in skipped)


def test_wrong_action_is_refused_and_state_kept():
    rt = Runtime(demo(), "Sam", 1)
    rt.current()
    before = rt.snapshot()
    with pytest.raises(StoryStateError):
        rt.choose(0)
    assert rt.snapshot() == before


def test_snapshot_is_plain_json_and_versioned():
    rt = Runtime(demo(), "Sam", 1)
    rt.advance()
    snap = rt.snapshot()
    assert json.loads(json.dumps(snap)) == snap
    assert snap["version"] == SNAPSHOT_VERSION
    bad = dict(snap, version=99)
    with pytest.raises(StoryStateError):
        Runtime.restore(demo(), bad)


def test_machine_is_clean_and_has_no_auto_transitions():
    level = demo().levels[0]
    lm = StoryMachine(level).complete()
    # Events are the level's own moves: runs of jumps (go@) and choice options (pick@), no to_<scene>.
    assert lm.events and all(name.startswith(("go@", "pick@")) for name in lm.events)
    n_edges = sum(len(t) for ev in lm.events.values() for t in ev.transitions.values())
    assert n_edges >= len(lm.edges)
    rt = Runtime(demo(), "Sam", 1)
    assert not any(name.startswith(("to_", "is_", "may_")) for name in dir(rt))
    # The machine refuses a move that does not start from the current scene.
    rt2 = Runtime(demo(), "Sam", 1, start_scene="breach")
    with pytest.raises(MachineError):
        lm.fire(rt2, "pick@2.0")
    assert rt2.scene == "breach"


def test_the_machine_decides_jumps_by_the_levels_conditions(tmp_path):
    """A run of guarded jumps is one machine event: its conditions are the level's, and the machine picks."""
    f = tmp_path / "jumps.yaml"
    f.write_text(
        "level: j\nstart: a\nvars: {n: 2}\nscenes:\n  a:\n    - if: n > 5\n      goto: big\n"
        "    - if: n > 1\n      goto: middling\n    - goto: small\n"
        "  big:\n    - end: big\n  middling:\n    - end: middling\n  small:\n    - end: small\n"
    )
    story = load_story_or_raise(f)
    rt = Runtime(story, "Sam", 0)
    event = rt.machine().complete().events["go@0"]
    assert [t.dest for t in event.transitions["a"]] == ["big", "middling", "small"]
    assert [c.func.source for t in event.transitions["a"] for c in t.conditions] == ["n > 5", "n > 1"]
    assert rt.current().ending == "middling"
    rt = Runtime(story, "Sam", 0, set_vars={"n": 9})
    assert rt.machine().may(rt, "go@0") and rt.current().ending == "big"


def test_campaign_carries_variables_between_levels(tmp_path):
    (tmp_path / "one.yaml").write_text(
        "level: one\nstart: a\nvars: {gold: 1}\nscenes:\n  a:\n    - set: {gold: gold + 4}\n    - end: next\n"
    )
    (tmp_path / "two.yaml").write_text(
        "level: two\nstart: b\nvars: {gold: 0}\nscenes:\n  b:\n    - narrator: 'You have {gold} gold, {player}.'\n"
        "    - end: rich\n"
    )
    (tmp_path / "campaign.yaml").write_text("campaign: test\ntitle: Test\nlevels: [one.yaml, two.yaml]\n")
    story, diags = load_story(tmp_path / "campaign.yaml")
    assert story is not None, diags
    rt = Runtime(story, "Kim", 0)
    seen = []
    play(rt, Policy(), on_prompt=lambda p, r: seen.append(p))
    assert [p.kind for p in seen] == ["level", "level", "line", "end"]
    assert seen[2].text == "You have 5 gold, Kim."
    assert rt.ending == "rich"


def test_dead_end_and_runtime_errors_keep_the_game_running(tmp_path):
    f = tmp_path / "dead.yaml"
    f.write_text(
        "level: d\nstart: a\nvars: {x: 'text'}\nscenes:\n  a:\n    - if: x > 3\n      goto: a\n"
        "    - narrator: still here\n"
    )
    rt = Runtime(load_story_or_raise(f), "Sam", 0)
    assert rt.current().text == "still here"
    assert any("skipped" in e.get("text", "") for e in rt.transcript if e["kind"] == "note")
    rt.advance()
    end = rt.current()
    assert end.kind == "end" and "without an `end`" in end.problem


def test_warp_and_set_vars():
    rt = Runtime(demo(), "Sam", 1, start_scene="careful_ending", set_vars={"trust": 5})
    assert rt.scene == "careful_ending" and rt.world.vars["trust"] == 5
    with pytest.raises(StoryStateError):
        Runtime(demo(), "Sam", 1, start_scene="nowhere")


def test_damaged_snapshots_raise_a_clear_error():
    rt = Runtime(demo(), "Sam", 1)
    rt.current()
    good = rt.snapshot()
    damaged = [
        dict(good, world={}),
        dict(good, pc="x"),
        dict(good, pc=-1),
        dict(good, pc=10**6),
        dict(good, scene="nowhere"),
        dict(good, world=dict(good["world"], rng=[1, 2])),
        [],
        None,
    ]
    for data in damaged:
        with pytest.raises(StoryStateError):
            Runtime.restore(demo(), data)
