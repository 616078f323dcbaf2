"""Reinforcement-learning interfaces to the simulation, with no runtime dependency.

- `LabDefenseEnv`: Gymnasium-style single agent (the player): `reset(seed=, options=)` ->
  (obs, info), `step(action)` -> (obs, reward, terminated, truncated, info). The action is
  Discrete(1 + controls x lanes): 0 waits, 1 + c*5 + lane places control c on that lane.
- `LabDefenseParallelEnv`: PettingZoo-parallel-style, one agent per ally: dicts keyed by
  "ally_0".., each step is one ally decision interval.

If gymnasium is installed, the classes use its spaces and `LabDefenseEnv` subclasses
`gymnasium.Env`, so its env checker runs; otherwise tiny stand-in spaces with the same
`sample`/`contains`/`shape` do. Nothing here is imported by the game itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from game.minigames.lab_defense import allies as A
from game.minigames.lab_defense.catalog import CONTROL_ORDER, LANES
from game.minigames.lab_defense.sim import LabDefense

try:  # optional: only to look like the real thing when it is there
    import gymnasium as _gym
    from gymnasium import spaces as _spaces
except ImportError:  # pragma: no cover - exercised when gymnasium is absent
    _gym = None
    _spaces = None


class _Discrete:
    def __init__(self, n: int, seed: int | None = None) -> None:
        self.n = int(n)
        self.shape = ()
        self.dtype = np.int64
        self._rng = np.random.default_rng(seed)

    def seed(self, seed: int | None = None) -> None:
        self._rng = np.random.default_rng(seed)

    def sample(self) -> int:
        return int(self._rng.integers(self.n))

    def contains(self, x) -> bool:
        return isinstance(x, (int, np.integer)) and 0 <= int(x) < self.n


class _Box:
    def __init__(self, low: float, high: float, shape: tuple, dtype=np.float32, seed: int | None = None) -> None:
        self.low = np.full(shape, low, dtype=dtype)
        self.high = np.full(shape, high, dtype=dtype)
        self.shape = tuple(shape)
        self.dtype = dtype
        self._rng = np.random.default_rng(seed)

    def seed(self, seed: int | None = None) -> None:
        self._rng = np.random.default_rng(seed)

    def sample(self):
        return self._rng.uniform(self.low, self.high).astype(self.dtype)

    def contains(self, x) -> bool:
        x = np.asarray(x)
        return x.shape == self.shape and bool(np.all(x >= self.low) and np.all(x <= self.high))


def Discrete(n: int):
    return _spaces.Discrete(n) if _spaces else _Discrete(n)


def Box(low: float, high: float, shape: tuple):
    return _spaces.Box(low=low, high=high, shape=shape, dtype=np.float32) if _spaces else _Box(low, high, shape)


N_LANES = len(LANES)
PLAYER_ACTIONS = 1 + len(CONTROL_ORDER) * N_LANES
OBS_SIZE = 4 + N_LANES * (3 + len(CONTROL_ORDER))
ENV_STEP = 0.5  # seconds of sim time per player decision


def player_observation(game: LabDefense) -> np.ndarray:
    s = game.state
    obs = np.zeros(OBS_SIZE, dtype=np.float32)
    obs[0] = min(1.0, s["progress"])
    obs[1] = min(1.0, s["budget"] / 200.0)
    obs[2] = min(1.0, s["t"] / s["deadline"])
    obs[3] = 1.0 if s["compute_down"] <= 0 else 0.0
    base = 4
    for li in range(N_LANES):
        lane_threats = [th for th in s["threats"] if th["lane"] == li]
        obs[base] = min(1.0, sum(1 for th in lane_threats if not th["hidden"]) / 10.0)
        obs[base + 1] = min(1.0, sum(1 for th in lane_threats if th["hidden"]) / 10.0)
        obs[base + 2] = min(1.0, max((th["x"] for th in lane_threats), default=0.0))
        for c in s["controls"][li]:
            if c is not None:
                obs[base + 3 + CONTROL_ORDER.index(c)] = 1.0
        base += 3 + len(CONTROL_ORDER)
    return obs


def decode_player_action(action: int) -> list[dict]:
    action = int(action)
    if action == 0:
        return []
    c, lane = divmod(action - 1, N_LANES)
    return [{"op": "place", "control": CONTROL_ORDER[c], "lane": lane}]


class _Base:
    metadata = {"render_modes": [], "name": "lab_defense_v0"}
    render_mode = None


class LabDefenseEnv(_gym.Env if _gym else _Base):  # type: ignore[misc]  # gymnasium is optional
    """The player's view: place controls, watch the score. Reward = score change / 100."""

    metadata = {"render_modes": [], "render_fps": 2}

    def __init__(self, params: dict | None = None) -> None:
        self.params = dict(params or {})
        self.game = LabDefense()
        self.action_space = Discrete(PLAYER_ACTIONS)
        self.observation_space = Box(0.0, 1.0, (OBS_SIZE,))
        self.render_mode = None
        self._score = 0

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        if _gym:
            super().reset(seed=seed)
        params = dict(self.params)
        params.update((options or {}).get("params", {}))
        self.game.reset(0 if seed is None else int(seed), params)
        self._score = self.game.result()["score"]
        return player_observation(self.game), {"t": 0.0}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"LabDefenseEnv: action expects 0..{PLAYER_ACTIONS - 1}, got {action!r}")
        self.game.step(ENV_STEP, decode_player_action(action))
        score = self.game.result()["score"]
        reward = (score - self._score) / 100.0
        self._score = score
        terminated = self.game.done
        return player_observation(self.game), float(reward), terminated, False, {"t": self.game.state["t"]}

    def close(self) -> None:
        pass


def ally_observation(game: LabDefense, idx: int) -> np.ndarray:
    """One-hot of the ally's tabular state plus its lane: what its Q-table sees."""
    ally = game.state["allies"][idx]
    obs = np.zeros(A.N_STATES + N_LANES, dtype=np.float32)
    s = ally["last_s"] if ally["last_s"] >= 0 else 0
    obs[s] = 1.0
    obs[A.N_STATES + ally["lane"]] = 1.0
    return obs


class LabDefenseParallelEnv:
    """PettingZoo parallel API shape: the allies as agents, each step one decision interval."""

    metadata = {"render_modes": [], "name": "lab_defense_allies_v0", "is_parallelizable": True}

    def __init__(self, params: dict | None = None) -> None:
        self.params = dict(params or {})
        self.params.setdefault("allies", 3)
        if self.params["allies"] < 1:
            raise ValueError("LabDefenseParallelEnv: param 'allies' expects at least 1 ally")
        self.game = LabDefense()
        self.possible_agents = [f"ally_{i}" for i in range(self.params["allies"])]
        self.agents: list[str] = []
        self.render_mode = None
        self._obs_spaces = {a: Box(0.0, 1.0, (A.N_STATES + N_LANES,)) for a in self.possible_agents}
        self._act_spaces = {a: Discrete(A.N_ACTIONS) for a in self.possible_agents}
        self._totals: dict[str, float] = {}

    @property
    def unwrapped(self) -> LabDefenseParallelEnv:
        return self

    @property
    def num_agents(self) -> int:
        return len(self.agents)

    @property
    def max_num_agents(self) -> int:
        return len(self.possible_agents)

    def observation_space(self, agent: str):
        return self._obs_spaces[agent]

    def action_space(self, agent: str):
        return self._act_spaces[agent]

    def reset(self, seed: int | None = None, options: dict | None = None):
        self.game.reset(0 if seed is None else int(seed), self.params)
        self.agents = list(self.possible_agents)
        self._totals = {a: 0.0 for a in self.agents}
        obs = {a: ally_observation(self.game, i) for i, a in enumerate(self.agents)}
        return obs, {a: {} for a in self.agents}

    def _reward_so_far(self, i: int) -> float:
        ally = self.game.state["allies"][i]
        return ally["wave_reward"] + ally["acc"]

    def step(self, actions: dict[str, Any]):
        forced = {}
        for agent, a in actions.items():
            if agent not in self.agents:
                raise ValueError(f"LabDefenseParallelEnv: unknown or finished agent {agent!r}")
            forced[self.possible_agents.index(agent)] = int(a)
        self.game.step(A.DECISION_INTERVAL, {"allies": forced})
        obs, rewards, infos = {}, {}, {}
        for agent in self.agents:
            i = self.possible_agents.index(agent)
            total = self._reward_so_far(i)
            rewards[agent] = float(total - self._totals[agent])
            self._totals[agent] = total
            obs[agent] = ally_observation(self.game, i)
            infos[agent] = {"action": A.ACTIONS[self.game.state["allies"][i]["action"]]}
        done = self.game.done
        terminations = {a: done for a in self.agents}
        truncations = {a: False for a in self.agents}
        if done:
            self.agents = []
        return obs, rewards, terminations, truncations, infos

    def state(self) -> np.ndarray:
        return player_observation(self.game)

    def render(self) -> None:
        return None

    def close(self) -> None:
        pass
