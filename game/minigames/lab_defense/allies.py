"""Security agents that learn: small tabular Q-learners that also learn from each other.

Each ally decides every DECISION_INTERVAL seconds of sim time among five actions. It sees
a coarse view of its own lane (48 states), so a table is enough and every number in it
can be shown on screen. Three ways of learning from each other, each from the literature
on cooperative multi-agent RL:

- a shared experience pool: every transition goes into one replay buffer, and each ally
  replays a few of its teammates' transitions at each decision (Tan 1993, "Independent vs.
  cooperative agents": sharing episodes speeds learning);
- a between-wave blend of each table toward the team playbook, the visit-weighted mean of
  all tables (a light form of policy distillation / federated averaging);
- budgeted advice: in states the least experienced ally has rarely seen, it takes the most
  experienced ally's greedy action, a few times per wave (Torrey & Taylor 2013, "Teaching
  on a budget").

Everything lives in plain lists inside the simulation's state so snapshots are JSON.
This module never touches pygame or the story.
"""

from __future__ import annotations

import json
from pathlib import Path

ACTIONS: list[str] = ["guard", "move_worst", "scan", "contain", "advise"]
ACTION_TITLES: dict[str, str] = {
    "guard": "guarding lane",
    "move_worst": "moving to worst lane",
    "scan": "scanning",
    "contain": "containing",
    "advise": "advising you",
}
N_ACTIONS = len(ACTIONS)
# revealed threats in lane (0, 1, 2+) x hidden present x near asset x countered ahead x worse lane elsewhere
N_STATES = 3 * 2 * 2 * 2 * 2
DECISION_INTERVAL = 0.3  # seconds of sim time between decisions ("every few hundred ms")
TRAVEL_TIME = 0.6  # seconds an ally spends changing lanes (no effect while moving)

ALPHA = 0.2
GAMMA = 0.9
EPSILON_START = 0.25  # blank tables explore more
EPSILON_PRETRAINED = 0.06
EPSILON_MIN = 0.03
POOL_SIZE = 256
REPLAY_PER_DECISION = 3
BLEND = 0.3
ADVICE_PER_WAVE = 24
ADVICE_MAX_VISITS = 3  # the student asks only where it has little experience
ADVISOR_MIN_VISITS = 6  # the teacher answers only where it has enough

PRETRAINED_PATH = Path(__file__).with_name("allies_pretrained.json")
NAMES = ["Vega", "Osei", "Mira", "Kato", "Lund", "Ruiz"]


def encode(revealed: int, hidden: bool, near: bool, countered: bool, worse_elsewhere: bool) -> int:
    return (((min(revealed, 2) * 2 + hidden) * 2 + near) * 2 + countered) * 2 + worse_elsewhere


def decode(state: int) -> dict:
    worse = state % 2
    state //= 2
    countered = state % 2
    state //= 2
    near = state % 2
    state //= 2
    hidden = state % 2
    revealed = state // 2
    return {
        "revealed": revealed,
        "hidden": bool(hidden),
        "near": bool(near),
        "countered": bool(countered),
        "worse_elsewhere": bool(worse),
    }


def load_pretrained() -> list[list[float]]:
    """The shipped team playbook, produced by tools/train_lab_defense_allies.py."""
    data = json.loads(PRETRAINED_PATH.read_text(encoding="utf-8"))
    q = data["q"]
    if len(q) != N_STATES or any(len(row) != N_ACTIONS for row in q):
        raise ValueError(f"{PRETRAINED_PATH.name}: expected a {N_STATES}x{N_ACTIONS} table")
    return [[float(v) for v in row] for row in q]


def new_ally(index: int, lane: int, pretrained: list[list[float]] | None) -> dict:
    if pretrained is None:
        q = [[0.0] * N_ACTIONS for _ in range(N_STATES)]
        # Pretrained tables carry their experience: a count so advice and blending trust them.
        visits = [0] * N_STATES
        epsilon = EPSILON_START
    else:
        q = [list(row) for row in pretrained]
        visits = [ADVISOR_MIN_VISITS] * N_STATES
        epsilon = EPSILON_PRETRAINED
    return {
        "name": NAMES[index % len(NAMES)],
        "lane": lane,
        "action": 0,
        "timer": DECISION_INTERVAL * (index + 1) / 4.0,  # staggered so decisions spread over frames
        "travel": 0.0,
        "q": q,
        "visits": visits,
        "epsilon": epsilon,
        "updates": 0,
        "last_s": -1,
        "last_a": 0,
        "acc": 0.0,  # reward accumulated since the last decision
        "wave_reward": 0.0,
        "wave_decisions": 0,
        "stopped": 0,  # threats this ally finished off
        "advised": 0,  # decisions taken on a teammate's advice
        "external": False,  # True when an outside policy (PettingZoo) chose the action
    }


def greedy(q_row: list[float]) -> int:
    best = 0
    best_v = q_row[0]
    for a in range(1, N_ACTIONS):
        if q_row[a] > best_v:
            best, best_v = a, q_row[a]
    return best


def td_update(ally: dict, s: int, a: int, r: float, s2: int) -> None:
    q = ally["q"]
    row2 = q[s2]
    target = r + GAMMA * max(row2)
    q[s][a] += ALPHA * (target - q[s][a])
    ally["updates"] += 1


def learn(team: dict, allies: list[dict], ally: dict, s2: int, rng, sharing: bool) -> None:
    """Close the transition that ended at this decision and learn from it (and the pool)."""
    s, a, r = ally["last_s"], ally["last_a"], ally["acc"]
    if s < 0:
        return
    td_update(ally, s, a, r, s2)
    ally["visits"][s] += 1
    if not sharing:
        return
    pool = team["pool"]
    entry = [s, a, round(r, 6), s2]
    if len(pool) < POOL_SIZE:
        pool.append(entry)
    else:
        pool[team["pool_pos"]] = entry
        team["pool_pos"] = (team["pool_pos"] + 1) % POOL_SIZE
    # Replay teammates' (and own) experience: the cheap way to see four lanes at once.
    n = len(pool)
    for _ in range(REPLAY_PER_DECISION):
        ps, pa, pr, ps2 = pool[int(rng.random() * n)]
        td_update(ally, ps, pa, pr, ps2)


def choose(team: dict, allies: list[dict], ally: dict, s: int, rng, learning: bool, sharing: bool) -> int:
    """Epsilon-greedy on the ally's own table, or a teammate's advice where it is green."""
    if learning and rng.random() < ally["epsilon"]:
        return int(rng.random() * N_ACTIONS)
    if sharing and learning and team["advice_left"] > 0 and ally["visits"][s] < ADVICE_MAX_VISITS and len(allies) > 1:
        teacher = max(allies, key=lambda al: al["updates"])
        student = min(allies, key=lambda al: al["updates"])
        if student is ally and teacher is not ally and teacher["visits"][s] >= ADVISOR_MIN_VISITS:
            team["advice_left"] -= 1
            ally["advised"] += 1
            return greedy(teacher["q"][s])
    return greedy(ally["q"][s])


def end_of_wave(team: dict, allies: list[dict], learning: bool, sharing: bool) -> None:
    """Blend toward the team playbook, refill the advice budget, decay exploration."""
    team["advice_left"] = ADVICE_PER_WAVE
    if not learning:
        return
    for ally in allies:
        ally["epsilon"] = max(EPSILON_MIN, ally["epsilon"] * 0.8)
    if not sharing or len(allies) < 2:
        return
    playbook = team_playbook(allies)
    for ally in allies:
        q = ally["q"]
        for s in range(N_STATES):
            row, prow = q[s], playbook[s]
            for a in range(N_ACTIONS):
                row[a] = (1.0 - BLEND) * row[a] + BLEND * prow[a]


def team_playbook(allies: list[dict]) -> list[list[float]]:
    """Visit-weighted mean of every table (an unvisited state counts each ally equally)."""
    out = []
    for s in range(N_STATES):
        weights = [al["visits"][s] + 1 for al in allies]
        total = float(sum(weights))
        out.append([sum(w * al["q"][s][a] for w, al in zip(weights, allies)) / total for a in range(N_ACTIONS)])
    return out
