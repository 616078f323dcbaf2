"""Lab defense in the terminal: typed commands over the same simulation, in fixed turns."""

import pytest

from game.minigames.lab_defense.catalog import CONTROL_ORDER, THREATS
from game.minigames.lab_defense.sim import RESULT_FIELDS
from game.terminal_minigames.lab import TURN_SECONDS, Command, LabTurns, parse, play

PARAMS = {"waves": 4, "budget": 70, "allies": 3}


@pytest.mark.parametrize(
    "line, want",
    [
        ("1i", [Command("place", control=0, lane=0)]),
        ("1 inbox", [Command("place", control=0, lane=0)]),
        ("key i", [Command("place", control=0, lane=0)]),
        ("keys i", [Command("place", control=0, lane=0)]),
        ("pins", [Command("place", control=1, lane=1)]),
        ("2P b", [Command("place", control=CONTROL_ORDER.index("two_person"), lane=4)]),
        ("9b, 5e; w", [Command("place", control=8, lane=4), Command("place", control=4, lane=2), Command("wait")]),
        ("xi2", [Command("remove", lane=0, slot=1)]),
        ("x edge", [Command("remove", lane=2)]),
        ("w 5", [Command("wait", turns=5)]),
        ("w12", [Command("wait", turns=12)]),
        ("", [Command("wait")]),
        ("n", [Command("next")]),
        ("q", [Command("concede")]),
    ],
)
def test_parse_reads_what_a_player_types(line, want):
    assert parse(line) == want


def test_parse_says_what_is_missing():
    (cmd,) = parse("3")
    assert cmd.op == "error" and "which lane" in cmd.message and "3i" in cmd.message
    (cmd,) = parse("zz")
    assert cmd.op == "error" and "'zz' is not a command" in cmd.message
    (cmd,) = parse("x")
    assert cmd.op == "error" and "which lane" in cmd.message


def test_a_turn_is_a_fixed_step_and_planning_is_free():
    lab = LabTurns(3, PARAMS)
    lab.run(parse("1i")[0])
    assert lab.game.state["t"] == 0 and lab.game.state["controls"][0][0] == "hardware_keys"
    assert lab.game.state["budget"] == 70 - 14
    lab.run(Command("wait", turns=3))
    assert lab.game.state["t"] == pytest.approx(3 * TURN_SECONDS)
    assert lab.turns == 3
    lab.run(parse("xi")[0])
    assert lab.game.state["controls"][0][0] is None and lab.game.state["budget"] == 70 - 14 + 7


def test_the_board_shows_lanes_controls_threats_and_intel():
    lab = LabTurns(3, PARAMS)
    lab.run(parse("1i")[0])
    lines = []
    while not any(th["lane"] == 0 or not th["hidden"] for th in lab.game.state["threats"]):
        lines += lab.run(Command("wait"))
    board = lab.board()
    assert "LAB DEFENSE" in board and "Training [" in board and "budget 56" in board
    inbox = next(row for row in board.splitlines() if row.startswith("i Inbox"))
    assert "KEY" in inbox
    assert "Intel: wave 1" in board and "via" in board
    assert any("INTEL: wave 1" in line for line in lines), "what happened is reported as it happens"
    shown = [th for th in lab.game.state["threats"] if not th["hidden"]]
    if shown:
        assert THREATS[shown[0]["kind"]]["title"] in board, "a threat on a track is named with its counter"
    assert all(len(row) <= 78 for row in board.splitlines())


def _by_the_intel(lab: LabTurns) -> str:
    """A player who reads the intel: the named counter on each announced lane, then a turn."""
    s = lab.game.state
    cmds = []
    for info in s["intel"]:
        for kind, lanes in info["kinds"].items():
            counter = THREATS[kind]["counter"]
            for li in lanes:
                if counter and counter not in s["controls"][li] and None in s["controls"][li]:
                    cmds.append(f"{CONTROL_ORDER.index(counter) + 1}{'isedb'[li]}")
    return " ".join(dict.fromkeys(cmds)) + " w"


def test_reading_the_intel_beats_waiting_and_the_run_is_deterministic():
    def run(policy, seed=11):
        lab = LabTurns(seed, PARAMS)
        while not lab.finished:
            for cmd in parse(policy(lab)):
                lab.run(cmd)
        return lab

    careful, idle = run(_by_the_intel), run(lambda lab: "w")
    assert careful.game.done and idle.game.done
    assert careful.result()["stopped_by_counter"] > idle.result()["stopped_by_counter"]
    assert careful.result()["breaches"] < idle.result()["breaches"]
    again = run(_by_the_intel)
    assert again.result() == careful.result() and again.game.state_hash() == careful.game.state_hash()


def test_play_ends_cleanly_at_end_of_input_with_the_result_so_far():
    script = iter(["1i", "w 4", "h"])
    out: list[str] = []
    result = play(7, PARAMS, lambda prompt: next(script, None), out.append)
    assert set(result) == set(RESULT_FIELDS), "the shape the desktop view returns"
    assert result["time"] == pytest.approx(4 * TURN_SECONDS) and 0 < result["training"] < 1
    text = "\n".join(out)
    assert "terminal version" in text and "stops here" in text
    assert "Several commands on one line" in text, "h shows the help"
    assert "Stopped at turn 4: training" in text


def test_play_to_the_end_and_concede():
    out: list[str] = []
    result = play(7, PARAMS, lambda prompt: "w 1000", out.append)
    text = "\n".join(out)
    assert result["time"] > 100 and ("Training run complete: " in text or "The deadline passed: " in text)
    assert "Debrief:" in text and "Phishing: 2022" in text and "counter: Hardware security keys" in text
    assert "per wave: 1:" in text, "how the allies learned, wave by wave"
    out = []
    result = play(7, PARAMS, lambda prompt: "q", out.append)
    assert result["time"] == 0 and "concede" in "\n".join(out)


def test_minigame_text_plays_lab_defense_on_its_own_through_the_cleaning_stdout():
    """`treacherous-turn minigame lab_defense --text`: a typed escape is not echoed raw, and the run is scored."""
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-m", "game", "minigame", "lab_defense", "--text", "--seed", "3"],
        input="w 2\n\x1b[31mhello\nq\n",
        capture_output=True,
        text=True,
        cwd=repo,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "Stopped at turn 2" in out.stdout and "score" in out.stdout
    assert "\x1b" not in out.stdout
