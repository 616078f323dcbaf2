"""The lab-defense minigame: determinism, saves, counters, learning allies, result, view, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from game.minigames.lab_defense import LabDefense
from game.minigames.lab_defense import allies as A
from game.minigames.lab_defense.catalog import CONTROLS, LANES, THREATS
from game.minigames.lab_defense.sim import wave_intensities

REPO = Path(__file__).resolve().parent.parent


def play(seed: int, params: dict | None = None, autopilot: bool = True, until: float | None = None) -> LabDefense:
    game = LabDefense()
    game.reset(seed, params or {})
    policy = game.autopilot()
    while not game.done and (until is None or game.state["t"] < until):
        game.step(game.DT, policy(game) if autopilot else None)
    return game


# ------------------------------------------------------------------ determinism, saves


def test_same_seed_same_inputs_same_result_and_hash():
    a, b = play(7), play(7)
    assert a.result() == b.result()
    assert a.state_hash() == b.state_hash()
    c = play(8)
    assert c.state_hash() != a.state_hash()


def test_snapshot_json_restore_mid_wave_continues_identically():
    game = LabDefense()
    game.reset(3, {})
    policy = game.autopilot()
    while not (game.state["threats"] and game.current_wave() >= 1):  # mid-wave, threats on the board
        game.step(game.DT, policy(game))
    snap = json.loads(json.dumps(game.snapshot()))
    fresh = LabDefense()
    fresh.restore(snap)
    assert fresh.state_hash() == game.state_hash()
    for g in (game, fresh):
        p = g.autopilot()
        for _ in range(600):
            g.step(g.DT, p(g))
    assert fresh.state_hash() == game.state_hash()
    while not game.done:
        game.step(game.DT, policy(game))
        fresh.step(fresh.DT, policy(fresh))
    assert fresh.done and fresh.result() == game.result()


def test_restore_rejects_garbage():
    with pytest.raises(ValueError, match="snapshot"):
        LabDefense().restore({"version": 99})


def test_fixed_step_accumulates_partial_dt():
    a, b = LabDefense(), LabDefense()
    a.reset(5, {})
    b.reset(5, {})
    for _ in range(60):
        a.step(1 / 60)  # the window host's step: half a sim step each
    b.step(1.0)
    assert a.state["steps"] == b.state["steps"] == 30
    assert a.state_hash() == b.state_hash()


# ------------------------------------------------------------------ threats and counters


def _sandbox(controls: list[tuple[str, str]]) -> LabDefense:
    game = LabDefense()
    game.reset(1, {"waves": 0, "allies": 0})
    game.step(0.0, [{"op": "place", "control": c, "lane": lane} for c, lane in controls])
    return game


def _run_one(game: LabDefense, kind: str, lane: str) -> dict:
    game.spawn(kind, lane)
    for _ in range(30 * 30):
        game.step(game.DT)
        if not game.state["threats"]:
            break
    return game.state["kinds"][kind]


@pytest.mark.parametrize("kind", [k for k in THREATS if THREATS[k]["counter"]])
def test_each_threat_is_stopped_by_its_counter_and_only_by_it(kind):
    spec = THREATS[kind]
    lane = spec["lanes"][0]
    counter = spec["counter"]
    stats = _run_one(_sandbox([(counter, lane)]), kind, lane)
    assert stats["by_counter"] == 1 and stats["breached"] == 0
    # No control: it reaches its target.
    stats = _run_one(_sandbox([]), kind, lane)
    assert stats["breached"] == 1 and stats["by_control"] == 0
    # Every other control on the right lane does nothing.
    wrong = [c for c in CONTROLS if c != counter][:3]
    stats = _run_one(_sandbox([(c, lane) for c in wrong]), kind, lane)
    assert stats["breached"] == 1
    # The right control on the wrong lane does nothing either.
    other = next(lane_ for lane_ in LANES if lane_ not in spec["lanes"])
    stats = _run_one(_sandbox([(counter, other)]), kind, lane)
    assert stats["breached"] == 1


def test_well_funded_attacker_needs_depth():
    assert _run_one(_sandbox([("badges", "building")]), "apt", "building")["breached"] == 1
    stats = _run_one(_sandbox([("badges", "building"), ("two_person", "building")]), "apt", "building")
    assert stats["by_control"] == 1 and stats["breached"] == 0


def test_breaches_hurt_the_right_asset():
    game = _sandbox([])
    _run_one(game, "weight_exfil", "edge")
    assert game.result()["weights_kept"] is False
    game = _sandbox([])
    _run_one(game, "flood", "edge")
    assert game.state["assets"]["cluster"] == 1


def test_new_threat_types_are_always_announced_first():
    for seed in range(4):
        game = play(seed, {"waves": 6})
        intel = game.state["intel_plan"]
        for at, kind, lane, _wave in game.state["spawns"]:
            announced = [i for i in intel if i["at"] <= at and lane in i["kinds"].get(kind, [])]
            assert announced, f"seed {seed}: {kind} on lane {lane} at {at}s came unannounced"
        firsts = {}
        for at, kind, _, _ in game.state["spawns"]:
            firsts.setdefault(kind, at)
        for kind, at in firsts.items():
            first_intel = min(i["at"] for i in intel if kind in i["kinds"])
            assert at - first_intel >= 5.0  # seconds of warning to buy the counter


def test_difficulty_builds_peaks_relieves_then_final():
    w = wave_intensities(6)
    peak = max(range(5), key=lambda i: w[i])
    assert all(w[i] < w[i + 1] for i in range(peak))
    assert w[peak + 1] < w[peak]  # relief after the peak
    assert w[-1] == max(w)  # the final campaign is the hardest


def test_over_securing_makes_the_run_late():
    lean = play(2)
    heavy = LabDefense()
    heavy.reset(2, {"budget": 1000})
    # Fill every slot: maximum friction.
    heavy.step(0.0, [{"op": "place", "control": c, "lane": lane} for lane in LANES for c in list(CONTROLS)[:3]])
    while not heavy.done:
        heavy.step(heavy.DT)
    assert heavy.result()["drag"] > lean.result()["drag"]
    assert heavy.result()["training"] < 1.0 and heavy.result()["late"]
    assert lean.result()["training"] == 1.0


# ------------------------------------------------------------------ learning allies


def _curve(seed: int, **params) -> list[float]:
    game = play(seed, {"waves": 10, "allies": 4, "pretrained": False, **params}, autopilot=False)
    return [c["performance"] for c in game.state["curve"]]


def _waves_to_reach(curve: list[float], target: float) -> int:
    """First wave whose two-wave running mean reaches the target (len+1 if never)."""
    for i in range(1, len(curve)):
        if (curve[i - 1] + curve[i]) / 2 >= target:
            return i + 1
    return len(curve) + 1


def test_allies_sharing_experience_learn_faster_than_alone():
    seeds = range(6)
    shared = [_curve(s, sharing=True) for s in seeds]
    alone = [_curve(s, sharing=False) for s in seeds]
    target = 0.8
    shared_waves = sum(_waves_to_reach(c, target) for c in shared) / len(shared)
    alone_waves = sum(_waves_to_reach(c, target) for c in alone) / len(alone)
    assert shared_waves < alone_waves, (shared_waves, alone_waves)
    mean = lambda curves: sum(sum(c) for c in curves) / sum(len(c) for c in curves)  # noqa: E731
    assert mean(shared) > mean(alone)


def test_pretrained_allies_start_competent_and_improve_with_learning():
    seeds = range(1, 5)
    mean = lambda g: sum(c["performance"] for c in g.state["curve"]) / len(g.state["curve"])  # noqa: E731
    frozen_blank = [mean(play(s, {"pretrained": False, "learning": False}, autopilot=False)) for s in seeds]
    frozen_pre = [mean(play(s, {"learning": False}, autopilot=False)) for s in seeds]
    learning_pre = [mean(play(s, {}, autopilot=False)) for s in seeds]
    assert sum(frozen_pre) > sum(frozen_blank)  # the shipped table is better than nothing
    assert sum(learning_pre) > sum(frozen_pre)  # and learning during the game improves on it


def test_pretrained_table_shape():
    q = A.load_pretrained()
    assert len(q) == A.N_STATES and all(len(r) == A.N_ACTIONS for r in q)
    assert any(v != 0.0 for row in q for v in row)


def test_values_weight_the_allies_reward():
    def breach_penalty(values):
        game = LabDefense()
        game.reset(1, {"waves": 0, "allies": 1, "learning": False, "values": values})
        lane = game.state["allies"][0]["lane"]
        game.spawn("tailgater", lane, x=0.999)
        game.step(game.DT * 3)
        assert game.state["kinds"]["tailgater"]["breached"] == 1
        ally = game.state["allies"][0]
        return ally["acc"] + ally["wave_reward"]

    assert breach_penalty({"caution": 1.0}) < breach_penalty({}) < breach_penalty({"caution": -1.0})


# ------------------------------------------------------------------ result and params


def test_result_has_declared_fields_and_json_scalars():
    info = LabDefense.info()
    assert info.name == "lab_defense"
    r = play(1).result()
    for key in ("training", "score", "breaches", "stopped", "stars", "weights_kept", "budget_left"):
        assert key in info.result_fields and key in r
    assert set(r) == set(info.result_fields) == set(info.default_result)
    for k, v in r.items():
        assert isinstance(v, (int, float, bool, str)), k
    assert isinstance(r["score"], int) and isinstance(r["stars"], int) and 0 <= r["stars"] <= 3
    assert 0.0 <= r["training"] <= 1.0 and isinstance(r["weights_kept"], bool)
    json.dumps(r)


@pytest.mark.parametrize(
    "params, word",
    [
        ({"waves": "many"}, "'waves'"),
        ({"waves": 99}, "'waves'"),
        ({"budget": -5}, "'budget'"),
        ({"learning": "yes"}, "'learning'"),
        ({"values": {"caution": 3}}, "'values'"),
        ({"values": [1]}, "'values'"),
        ({"wavez": 3}, "'wavez'"),
        ({"allies": 2.5}, "'allies'"),
    ],
)
def test_bad_params_name_the_param(params, word):
    with pytest.raises(ValueError, match=word):
        LabDefense().reset(1, params)


def test_bad_actions_are_clear_errors():
    game = LabDefense()
    game.reset(1, {})
    with pytest.raises(ValueError, match="control"):
        game.step(0.0, [{"op": "place", "control": "moat", "lane": 0}])
    with pytest.raises(ValueError, match="lane"):
        game.step(0.0, [{"op": "place", "control": "badges", "lane": "roof"}])


def test_report_has_result_debrief_and_curve():
    game = play(1)
    text = game.report()
    assert "score" in text and "learning curve" in text and "wave  1" in text
    assert "Twilio" in text  # a real-world counterpart in the debrief


def test_cli_autopilot_prints_result_and_learning_curve():
    out = subprocess.run(
        [sys.executable, "-m", "game", "minigame", "lab_defense", "--autopilot", "--seed", "1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "training" in out.stdout and "stars" in out.stdout
    assert "Allies' learning curve" in out.stdout and "wave  6" in out.stdout
    js = subprocess.run(
        [sys.executable, "-m", "game", "minigame", "lab_defense", "--autopilot", "--seed", "1", "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(js.stdout) == play(1).result()


# ------------------------------------------------------------------ the view


def test_view_screenshot_has_content(artifacts_dir):
    import pygame

    from game.ui.minigames.lab_defense import View

    pygame.init()
    game = LabDefense()
    game.reset(1, {})
    view = View(game, seed=1, params={}, context={"player": "Player 1", "timed": True})
    surf = pygame.Surface((1280, 720))
    policy = game.autopilot()
    while game.state["t"] < 45:
        game.step(game.DT, policy(game))
    view.draw(surf)
    pygame.image.save(surf, str(artifacts_dir / "lab_defense_mid.png"))
    colours = {surf.get_at((x, y))[:3] for x in range(0, 1280, 4) for y in range(0, 720, 4)}
    assert len(colours) > 60
    bar = [surf.get_at((x, 30))[:3] for x in range(255, 765, 5)]  # the training bar
    assert len(set(bar)) > 2 and any(c[1] > 150 for c in bar)  # partly filled (green)
    while not game.done:
        game.step(game.DT, policy(game))
    view.draw(surf)
    pygame.image.save(surf, str(artifacts_dir / "lab_defense_result.png"))
    assert len({surf.get_at((x, y))[:3] for x in range(0, 1280, 4) for y in range(0, 720, 4)}) > 40


def test_view_driven_by_key_events_to_the_end():
    import pygame

    from game.ui.minigames.lab_defense import View

    pygame.init()
    pygame.display.set_mode((1280, 720))
    game = LabDefense()
    game.reset(2, {"waves": 2, "turn_based": True})
    view = View(game, seed=2, params={"waves": 2, "turn_based": True}, context={})

    def press(*keys):
        for k in keys:
            pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode=""))
        for event in pygame.event.get():
            view.handle_event(event)

    # Place hardware keys on the inbox and badges on the building, by keyboard only.
    press(pygame.K_1, pygame.K_b)
    assert game.state["controls"][0][0] == "hardware_keys"
    press(pygame.K_9, pygame.K_UP, pygame.K_b)
    assert game.state["controls"][4][0] == "badges"
    # Turn-based: time stands still until Enter.
    for _ in range(30):
        view.update(1 / 60)
    assert game.state["t"] == 0.0
    press(pygame.K_RETURN)
    for _ in range(30):
        view.update(1 / 60)
    assert game.state["t"] == pytest.approx(1.0, abs=game.DT)
    # Real time, then pause with Space.
    press(pygame.K_t)
    view.update(0.5)
    t = game.state["t"]
    press(pygame.K_SPACE)
    view.update(0.5)
    assert game.state["t"] == t
    press(pygame.K_p)
    press(pygame.K_EQUALS, pygame.K_EQUALS)
    assert view.speed == 3.0
    surf = pygame.Surface((1280, 720))
    while not game.done:
        view.update(1.0)
    view.draw(surf)
    assert not view.finished
    press(pygame.K_RETURN)
    assert view.finished and view.result()["training"] > 0


def test_view_mouse_places_and_removes():
    import pygame

    from game.ui.minigames.lab_defense import View

    pygame.init()
    game = LabDefense()
    game.reset(1, {})
    view = View(game, seed=1, params={}, context={})
    view.handle_event(
        pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(1000, view.SHOP_Y + 24 + 8 * view.SHOP_ROW + 5), button=1)
    )
    assert view.control == 8
    x = 170 + int(0.5 * 620)
    view.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(x, 76 + 4 * 92 + 40), button=1))
    assert game.state["controls"][4][1] == "badges"
    view.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(x, 76 + 4 * 92 + 40), button=3))
    assert game.state["controls"][4][1] is None


# ------------------------------------------------------------------ RL interfaces (optional)


def test_gymnasium_env_checker_passes():
    pytest.importorskip("gymnasium", reason="gymnasium not installed (optional: pip install gymnasium)")
    from gymnasium.utils.env_checker import check_env

    from game.minigames.lab_defense.env import LabDefenseEnv

    check_env(LabDefenseEnv({"waves": 1}), skip_render_check=True)


def test_pettingzoo_parallel_api_passes():
    pytest.importorskip("pettingzoo", reason="pettingzoo not installed (optional: pip install pettingzoo)")
    from pettingzoo.test import parallel_api_test

    from game.minigames.lab_defense.env import LabDefenseParallelEnv

    parallel_api_test(LabDefenseParallelEnv({"waves": 1, "allies": 2}), num_cycles=200)


def test_envs_work_without_the_libraries():
    from game.minigames.lab_defense.env import LabDefenseEnv, LabDefenseParallelEnv

    env = LabDefenseEnv({"waves": 1})
    obs, _ = env.reset(seed=1)
    assert env.observation_space.contains(obs)
    obs, reward, term, trunc, _ = env.step(1)
    assert isinstance(reward, float)
    penv = LabDefenseParallelEnv({"waves": 1, "allies": 2})
    obs, _ = penv.reset(seed=1)
    assert set(obs) == {"ally_0", "ally_1"}
    obs, rewards, terms, truncs, infos = penv.step({"ally_0": 2, "ally_1": 3})
    assert infos["ally_0"]["action"] == "scan" and infos["ally_1"]["action"] == "contain"


def test_the_view_logs_the_attack_meeting_the_defences():
    """The event log says when a threat met a control, an ally or got through: what a test
    waits for before it shows the attack under way."""
    pytest.importorskip("pygame")
    import pygame

    from game.ui.minigames.lab_defense import View

    pygame.init()
    game = LabDefense()
    game.reset(1, {})
    view = View(game, seed=1, params={}, context={})
    policy = game.autopilot()
    seen: list[dict] = []
    while game.state["t"] < 60 and not any(e["event"] in ("lab_good", "lab_ally", "lab_bad") for e in seen):
        game.step(game.DT, policy(game))
        seen += view.drain_log()
    met = next(e for e in seen if e["event"] in ("lab_good", "lab_ally", "lab_bad"))
    assert met["t_sim"] > 0 and met["text"]
    first_intel = next(e for e in seen if e["event"] == "lab_intel")
    assert first_intel["t_sim"] < met["t_sim"], "the intel announces the wave before it arrives"
