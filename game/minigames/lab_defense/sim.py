"""The lab-defense simulation: a training run to finish while attacks come down five lanes.

Pure and deterministic: a seed, a fixed time step (DT), plain-data state (one dict) and
its own `random.Random`, so `snapshot()` is JSON and a restored game continues exactly.
No pygame, no story imports: the view and the story read `state`, `result()` and
`report()`.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Callable
from typing import Any

from game.minigames.base import Minigame, MinigameInfo, Param, normalise
from game.minigames.lab_defense import allies as A
from game.minigames.lab_defense.catalog import (
    APT_DEPTH_DAMAGE,
    ASSETS,
    CONTROLS,
    INTRODUCTION_ORDER,
    LANE_TITLES,
    LANES,
    SLOT_POSITIONS,
    THREATS,
    counter_title,
)

SNAPSHOT_VERSION = 1

# Ally effect strengths (hp per second on the front revealed threat of their lane).
GUARD_DPS = 0.08
CONTAIN_DPS = 0.28
SCAN_SLOW = 0.6  # threats in a scanned lane move at 60% speed
REVEAL_AT = 0.8  # hidden threats trip alarms this close to the assets
INTEL_LEAD = 10.0  # seconds between an announcement and its wave
SPAWN_WINDOW = 12.0  # seconds over which one wave's threats arrive
WAVE_INCOME = 12  # budget granted when a wave is cleared
DOWNTIME = {"flood": 3.0}  # seconds of lost compute when a threat hits the cluster
CLUSTER_DOWNTIME = 6.0
CREDENTIAL_COST = 8  # incident response: rotate every key, reset every session
MAX_EVENTS = 40
SLOWEST_SPEED = min(spec["speed"] for spec in THREATS.values())

PARAMS: dict[str, Param] = {
    "waves": Param("int", "number of attack waves (0 = practice range: no scheduled attacks)", 6, 0, 12),
    "budget": Param("int", "starting budget for controls", 70, 0, 1000),
    "epochs": Param("int", "epochs in the training run (display granularity)", 10, 1, 100),
    "intensity": Param("number", "threats per wave multiplier", 1.0, 0.25, 40.0),
    "allies": Param("int", "number of learning security agents", 3, 0, 6),
    "learning": Param("bool", "allies keep learning during the game", True),
    "sharing": Param("bool", "allies learn from each other: shared pool, playbook blend, advice", True),
    "pretrained": Param("bool", "allies start from the shipped playbook instead of a blank table", True),
    "values": Param(
        "profile",
        "the player's value profile, e.g. {caution: 0.6, candour: -0.2}, each in [-1, 1]; "
        "caution weighs breaches, candour weighs advising the player, ambition weighs lost training; "
        "filled in from the story's profile when a level leaves it out",
        {},
    ),
    "turn_based": Param("bool", "untimed: the sim advances only on 'next turn' (view only)", False),
    "speed": Param("number", "game speed multiplier in the view", 1.0, 0.25, 4.0),
}

RESULT_FIELDS: dict[str, str] = {
    "training": "fraction of the training run completed, 0..1",
    "score": "total score (int)",
    "breaches": "threats that reached an asset (int)",
    "stopped": "threats stopped by controls or allies (int)",
    "stopped_by_counter": "threats stopped by their own hard counter (int)",
    "threats": "threats that arrived in total (int)",
    "stars": "0..3",
    "weights_kept": "true unless a threat reached the weights vault",
    "budget_left": "budget not spent (int)",
    "time": "seconds of sim time the run took",
    "late": "true if the deadline passed before training completed",
    "drag": "research slowdown from controls at the end, percent (int)",
    "ally_first": "allies' performance in the first wave, 0..1",
    "ally_last": "allies' performance in the last wave, 0..1",
}

DEFAULT_RESULT: dict[str, Any] = {
    "training": 1.0,
    "score": 0,
    "breaches": 0,
    "stopped": 0,
    "stopped_by_counter": 0,
    "threats": 0,
    "stars": 1,
    "weights_kept": True,
    "budget_left": 0,
    "time": 0.0,
    "late": False,
    "drag": 0,
    "ally_first": 0.0,
    "ally_last": 0.0,
}


def validate_params(params: dict[str, Any] | None) -> dict[str, Any]:
    """Normalised params; ValueError naming the param and what was expected otherwise."""
    if params is not None and not isinstance(params, dict):
        raise ValueError("lab_defense: params must be a mapping")
    p = normalise("lab_defense", PARAMS, params or {})
    p["values"] = {str(k): float(v) for k, v in (p["values"] or {}).items()}
    for key in ("waves", "budget", "epochs", "allies"):
        p[key] = int(p[key])
    for key in ("intensity", "speed"):
        p[key] = float(p[key])
    return p


def wave_intensities(n: int) -> list[float]:
    """Build-up to a mid-campaign peak, a relief wave, a second climb, and the final campaign."""
    if n <= 0:
        return []
    if n == 1:
        return [1.4]
    out = [0.0] * n
    out[-1] = 1.7
    peak = max(0, (n - 1) // 2)
    for i in range(n - 1):
        if i < peak:
            out[i] = 0.5 + 0.6 * i / max(1, peak)
        elif i == peak:
            out[i] = 1.3
        elif i == peak + 1:
            out[i] = 0.6  # relief: breathe, rebuild, learn
        else:
            out[i] = 0.8 + 0.4 * (i - peak - 1) / max(1, n - peak - 3)
    return out


class LabDefense(Minigame):
    NAME = "lab_defense"
    DT = 1 / 30

    def __init__(self) -> None:
        self.state: dict[str, Any] = {}
        self.rng = random.Random(0)
        self._pretrained: list[list[float]] | None = None

    # ---------------------------------------------------------------- contract
    @classmethod
    def info(cls) -> MinigameInfo:
        return MinigameInfo(
            name="lab_defense",
            title="Lab Defense: finish the training run",
            result_fields=dict(RESULT_FIELDS),
            default_result=dict(DEFAULT_RESULT),
            params=dict(PARAMS),
        )

    def reset(self, seed: int, params: dict[str, Any] | None = None) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"lab_defense: seed expects an integer, got {seed!r}")
        p = validate_params(params)
        self.rng = random.Random(seed)
        schedule, spawns, intel = self._plan(p)
        last_end = max((w["end"] for w in schedule), default=0.0)
        if schedule:
            # The run is sized so no controls and no downtime finish at ~80% of the deadline:
            # 20% drag still makes it, over-securing does not.
            deadline = last_end + 25.0
            nominal = deadline * 0.8
        else:
            deadline, nominal = 120.0, 90.0
        pre = None
        if p["pretrained"] and p["allies"]:
            if self._pretrained is None:
                self._pretrained = A.load_pretrained()
            pre = self._pretrained
        allies = [
            A.new_ally(i, (i * 2 + 1) % len(LANES) if p["allies"] < len(LANES) else i % len(LANES), pre)
            for i in range(p["allies"])
        ]
        self.state = {
            "version": SNAPSHOT_VERSION,
            "seed": seed,
            "params": p,
            "t": 0.0,
            "acc": 0.0,
            "steps": 0,
            "progress": 0.0,
            "rate": 1.0 / nominal,
            "deadline": deadline,
            "completed_at": None,
            "compute_down": 0.0,
            "done": False,
            "end_reason": "",
            "budget": p["budget"],
            "spent": 0,
            "income": 0,
            "controls": [[None] * len(SLOT_POSITIONS) for _ in LANES],
            "threats": [],
            "next_id": 1,
            "schedule": schedule,
            "spawns": spawns,
            "spawn_ptr": 0,
            "intel_plan": intel,
            "intel_ptr": 0,
            "intel": [],
            "waves": [
                {
                    "planned": w["count"],
                    "spawned": 0,
                    "alive": 0,
                    "closed": False,
                    "sev_total": 0,
                    "sev_ally": 0,
                    "sev_control": 0,
                    "sev_breach": 0,
                    "reward": 0.0,
                    "decisions": 0,
                }
                for w in schedule
            ],
            "curve": [],
            "kinds": {
                k: {"spawned": 0, "by_counter": 0, "by_control": 0, "by_ally": 0, "breached": 0} for k in THREATS
            },
            "assets": {a: 0 for a in ASSETS},
            "weights_kept": True,
            "allies": allies,
            "team": {"pool": [], "pool_pos": 0, "advice_left": A.ADVICE_PER_WAVE},
            "advice": [],
            "events": [],
            "event_seq": 0,
            "score_parts": {},
        }
        self._event("Training run started. Keep compute up; read the intel panel.", "info")

    @property
    def done(self) -> bool:
        return bool(self.state.get("done"))

    def step(self, dt: float, inputs: Any = None) -> None:
        """Apply the player's inputs, then advance the fixed-step sim by dt (accumulated)."""
        s = self.state
        if not s:
            raise RuntimeError("lab_defense: call reset(seed, params) before step()")
        if s["done"]:
            return
        if isinstance(dt, bool) or not isinstance(dt, (int, float)) or dt < 0 or math.isnan(dt):
            raise ValueError(f"lab_defense: step dt expects a number >= 0 seconds, got {dt!r}")
        self._apply_inputs(inputs)
        s["acc"] += dt
        # A small tolerance so 30 steps of DT make exactly one second, not 29 steps.
        while s["acc"] >= self.DT - 1e-9 and not s["done"]:
            s["acc"] -= self.DT
            self._substep()
        # Rounded so the same sim time reached by different dt slicings hashes the same.
        s["acc"] = round(max(0.0, s["acc"]), 9)

    def result(self) -> dict[str, Any]:
        s = self.state
        k = s["kinds"]
        stopped = sum(v["by_control"] + v["by_ally"] for v in k.values())
        breaches = sum(v["breached"] for v in k.values())
        curve = s["curve"]
        parts = self._score_parts()
        training = round(min(1.0, s["progress"]), 4)
        return {
            "training": training,
            "score": int(sum(parts.values())),
            "breaches": int(breaches),
            "stopped": int(stopped),
            "stopped_by_counter": int(sum(v["by_counter"] for v in k.values())),
            "threats": int(sum(v["spawned"] for v in k.values())),
            "stars": self._stars(),
            "weights_kept": bool(s["weights_kept"]),
            "budget_left": int(s["budget"]),
            "time": round(s["t"], 2),
            "late": bool(s["end_reason"] == "deadline" and s["progress"] < 1.0),
            "drag": int(round(self.drag() * 100)),
            "ally_first": round(curve[0]["performance"], 3) if curve else 0.0,
            "ally_last": round(curve[-1]["performance"], 3) if curve else 0.0,
        }

    def snapshot(self) -> dict[str, Any]:
        v, internal, gauss = self.rng.getstate()
        snap = json.loads(json.dumps(self.state))
        snap["rng"] = [v, list(internal), gauss]
        return snap

    def restore(self, snap: dict[str, Any]) -> None:
        if not isinstance(snap, dict) or snap.get("version") != SNAPSHOT_VERSION or "rng" not in snap:
            raise ValueError(f"lab_defense: restore expects a snapshot of version {SNAPSHOT_VERSION}")
        data = json.loads(json.dumps(snap))
        v, internal, gauss = data.pop("rng")
        self.rng = random.Random()
        self.rng.setstate((v, tuple(internal), gauss))
        self.state = data

    def state_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.snapshot(), sort_keys=True).encode()).hexdigest()

    def autopilot(self) -> Callable[[LabDefense], Any]:
        from game.minigames.lab_defense.autopilot import policy

        return policy

    # ------------------------------------------------------------ public helpers
    def drag(self) -> float:
        """Research slowdown from the controls in place (fraction)."""
        return sum(CONTROLS[c]["drag"] for lane in self.state["controls"] for c in lane if c)

    def epoch(self) -> int:
        return int(min(1.0, self.state["progress"]) * self.state["params"]["epochs"] + 1e-9)

    def current_wave(self) -> int:
        """Index of the most recent wave that has started (-1 before the first)."""
        t = self.state["t"]
        idx = -1
        for i, w in enumerate(self.state["schedule"]):
            if w["start"] <= t:
                idx = i
        return idx

    def spawn(
        self,
        kind: str,
        lane: str | int,
        x: float = 0.0,
        hp_scale: float = 1.0,
        speed_scale: float = 1.0,
        wave: int = -1,
    ) -> dict:
        """Put one threat on a lane now (scheduled waves use this; so do tests and the practice range)."""
        if kind not in THREATS:
            raise ValueError(f"lab_defense: unknown threat '{kind}' (known: {', '.join(THREATS)})")
        li = self._lane_index(lane)
        spec = THREATS[kind]
        s = self.state
        th = {
            "id": s["next_id"],
            "kind": kind,
            "lane": li,
            "x": float(x),
            "hp": spec["hp"] * hp_scale,
            "hp_max": spec["hp"] * hp_scale,
            "speed": spec["speed"] * speed_scale,
            "hidden": bool(spec["hidden"]),
            "wave": wave,
            "gone": False,
            "hit_by": -1,
        }
        s["next_id"] += 1
        s["threats"].append(th)
        s["kinds"][kind]["spawned"] += 1
        if 0 <= wave < len(s["waves"]):
            ws = s["waves"][wave]
            ws["spawned"] += 1
            ws["alive"] += 1
            ws["sev_total"] += spec["severity"]
        return th

    # ------------------------------------------------------------------ inputs
    def _lane_index(self, lane) -> int:
        if isinstance(lane, int) and not isinstance(lane, bool) and 0 <= lane < len(LANES):
            return lane
        if lane in LANES:
            return LANES.index(lane)
        raise ValueError(f"lab_defense: lane expects one of {', '.join(LANES)} or 0..{len(LANES) - 1}, got {lane!r}")

    def _apply_inputs(self, inputs: Any) -> None:
        if inputs is None:
            return
        if isinstance(inputs, dict):
            unknown = set(inputs) - {"player", "allies"}
            if unknown:
                raise ValueError(f"lab_defense: step inputs dict accepts 'player' and 'allies', got {sorted(unknown)}")
            player = inputs.get("player") or []
            forced = inputs.get("allies") or {}
        elif isinstance(inputs, list):
            player, forced = inputs, {}
        else:
            raise ValueError(
                f"lab_defense: step inputs expects None, a list of actions or a dict, got {type(inputs).__name__}"
            )
        for action in player:
            self._player_action(action)
        for key, a in forced.items():
            allies = self.state["allies"]
            idx = (
                key
                if isinstance(key, int)
                else next((i for i, al in enumerate(allies) if al["name"] == key or f"ally_{i}" == key), None)
            )
            if idx is None or not 0 <= idx < len(allies):
                raise ValueError(f"lab_defense: inputs 'allies' names an unknown ally {key!r}")
            if isinstance(a, str):
                if a not in A.ACTIONS:
                    raise ValueError(f"lab_defense: ally action expects one of {', '.join(A.ACTIONS)}, got {a!r}")
                a = A.ACTIONS.index(a)
            if not isinstance(a, int) or not 0 <= a < A.N_ACTIONS:
                raise ValueError(f"lab_defense: ally action expects 0..{A.N_ACTIONS - 1}, got {a!r}")
            allies[idx]["forced"] = int(a)

    def _player_action(self, action: Any) -> None:
        if not isinstance(action, dict) or "op" not in action:
            raise ValueError(f"lab_defense: a player action is a dict with 'op' (place, remove, noop), got {action!r}")
        s = self.state
        op = action["op"]
        if op == "noop":
            return
        if op == "place":
            control = action.get("control")
            if control not in CONTROLS:
                raise ValueError(f"lab_defense: place expects 'control' in {', '.join(CONTROLS)}, got {control!r}")
            li = self._lane_index(action.get("lane"))
            slots = s["controls"][li]
            slot = action.get("slot")
            if slot is None:
                slot = next((i for i, c in enumerate(slots) if c is None), None)
                if slot is None:
                    self._event(f"{LANE_TITLES[LANES[li]]}: no free slot (remove a control first)", "warn")
                    return
            if not isinstance(slot, int) or not 0 <= slot < len(slots):
                raise ValueError(f"lab_defense: place 'slot' expects 0..{len(slots) - 1}, got {slot!r}")
            if slots[slot] is not None:
                self._event(f"{LANE_TITLES[LANES[li]]}: that slot is taken", "warn")
                return
            cost = CONTROLS[control]["cost"]
            if cost > s["budget"]:
                self._event(f"Not enough budget for {CONTROLS[control]['title']} ({cost})", "warn")
                return
            slots[slot] = control
            s["budget"] -= cost
            s["spent"] += cost
            self._event(f"Placed {CONTROLS[control]['title']} on {LANE_TITLES[LANES[li]]} (-{cost})", "place")
            return
        if op == "remove":
            li = self._lane_index(action.get("lane"))
            slots = s["controls"][li]
            slot = action.get("slot")
            if slot is None:  # the most recently filled slot
                slot = next((i for i in range(len(slots) - 1, -1, -1) if slots[i] is not None), None)
                if slot is None:
                    return
            if not isinstance(slot, int) or not 0 <= slot < len(slots):
                raise ValueError(f"lab_defense: remove 'slot' expects 0..{len(slots) - 1}, got {slot!r}")
            control = slots[slot]
            if control is None:
                return
            slots[slot] = None
            refund = CONTROLS[control]["cost"] // 2  # half back: hardware and rollout effort are sunk
            s["budget"] += refund
            self._event(f"Removed {CONTROLS[control]['title']} from {LANE_TITLES[LANES[li]]} (+{refund})", "remove")
            return
        raise ValueError(f"lab_defense: unknown action op {op!r} (expected place, remove or noop)")

    # ----------------------------------------------------------------- planning
    def _plan(self, p: dict) -> tuple[list, list, list]:
        """The campaign: waves, their spawn times, and the intel that announces each one."""
        n = p["waves"]
        if n == 0:  # the practice range: only what the caller spawns
            return [], [], []
        rng = self.rng
        intens = wave_intensities(n)
        non_final = list(range(n - 1)) if n > 1 else []
        peak = (n - 1) // 2
        intro_waves = [i for i in non_final if i != peak + 1] or non_final
        intro: dict[int, list[str]] = {i: [] for i in range(n)}
        if n == 1:
            intro[0] = INTRODUCTION_ORDER[:2]
        else:
            # Spread the nine threat types over the waves that introduce (not the relief wave).
            for j, kind in enumerate(INTRODUCTION_ORDER):
                intro[intro_waves[min(len(intro_waves) - 1, j * len(intro_waves) // len(INTRODUCTION_ORDER))]].append(
                    kind
                )
        schedule, spawns, intel = [], [], []
        known: list[str] = []
        start = 4.0 + INTEL_LEAD
        for i in range(n):
            new = list(intro[i])
            final = i == n - 1
            if final:
                new.append("apt")
            known_before = list(known)
            known.extend(k for k in new if k not in known)
            count = max(len(new) + 1, int(round(6 * intens[i] * p["intensity"])))
            kinds: list[str] = list(new)  # every new type shows up at least once
            if final:
                kinds.append("apt")  # a campaign comes through two surfaces
            pool = known if not final else [k for k in known if k != "apt"]
            while len(kinds) < count:
                # Older types keep coming (attackers reuse what works), weighted to the recent.
                idx = min(len(pool) - 1, int(len(pool) * (rng.random() ** 0.7)))
                kinds.append(pool[idx])
            entries: list[list[Any]] = []
            for kind in kinds:
                lanes = THREATS[kind]["lanes"]
                lane = lanes[int(rng.random() * len(lanes))]
                at = start + rng.random() * SPAWN_WINDOW
                entries.append([round(at, 4), kind, LANES.index(lane), i])
            entries.sort(key=lambda e: (e[0], e[1]))
            # First appearances of a new type lead the wave so it is clearly the one announced.
            spawns.extend(entries)
            pairs: dict[str, list[int]] = {}
            for _, kind, lane, _w in entries:
                pairs.setdefault(kind, [])
                if lane not in pairs[kind]:
                    pairs[kind].append(lane)
            intel.append(
                {
                    "at": round(max(1.0, start - INTEL_LEAD), 4),
                    "wave": i,
                    "start": start,
                    "kinds": {k: sorted(v) for k, v in pairs.items()},
                    "counts": {k: kinds.count(k) for k in pairs},
                    "new": [k for k in new if k not in known_before],
                    "final": final,
                    "intensity": round(intens[i], 2),
                }
            )
            end = start + SPAWN_WINDOW
            # "end": when the last threat of the wave has had time to cross at the slowest speed.
            schedule.append(
                {
                    "index": i,
                    "start": start,
                    "end": end + 1.0 / SLOWEST_SPEED,
                    "count": len(kinds),
                    "intensity": round(intens[i], 2),
                    "new": new,
                    "final": final,
                }
            )
            gap = 12.0 if i == peak else 6.0  # a longer breather after the peak
            start = end + gap
        spawns.sort(key=lambda e: (e[0], e[3]))
        return schedule, spawns, intel

    # ---------------------------------------------------------------- the step
    def _event(self, text: str, tag: str) -> None:
        s = self.state
        s["event_seq"] += 1
        s["events"].append([round(s["t"], 2), text, tag, s["event_seq"]])
        if len(s["events"]) > MAX_EVENTS:
            del s["events"][0]

    def _substep(self) -> None:
        s = self.state
        dt = self.DT
        s["t"] += dt
        s["steps"] += 1
        t = s["t"]
        spawns = s["spawns"]
        while s["intel_ptr"] < len(s["intel_plan"]) and s["intel_plan"][s["intel_ptr"]]["at"] <= t:
            info = s["intel_plan"][s["intel_ptr"]]
            s["intel"].append(info)
            s["intel_ptr"] += 1
            news = ", ".join(THREATS[k]["title"] for k in info["new"])
            self._event(
                f"INTEL: wave {info['wave'] + 1} in {INTEL_LEAD:.0f}s" + (f" - NEW: {news}" if news else ""), "intel"
            )
        while s["spawn_ptr"] < len(spawns) and spawns[s["spawn_ptr"]][0] <= t:
            _, kind, lane, wave = spawns[s["spawn_ptr"]]
            s["spawn_ptr"] += 1
            self.spawn(kind, lane, wave=wave)

        threats = s["threats"]
        nl = len(LANES)
        buckets: list[list[dict]] = [[] for _ in range(nl)]
        for th in threats:
            buckets[th["lane"]].append(th)
        allies = s["allies"]
        scanned = [False] * nl
        if allies:
            self._allies_act(buckets, scanned, dt)

        controls = s["controls"]
        for th in threats:
            if th["gone"]:
                continue
            li = th["lane"]
            x0 = th["x"]
            x1 = x0 + th["speed"] * (SCAN_SLOW if scanned[li] else 1.0) * dt
            th["x"] = x1
            lane_controls = controls[li]
            for k, pos in enumerate(SLOT_POSITIONS):
                if x0 < pos <= x1 and lane_controls[k] is not None:
                    self._check_control(th, lane_controls[k])
                    if th["gone"]:
                        break
            if th["gone"]:
                continue
            if th["hidden"] and x1 >= REVEAL_AT:
                th["hidden"] = False
            if x1 >= 1.0:
                self._breach(th)
        if any(th["gone"] for th in threats):
            s["threats"] = [th for th in threats if not th["gone"]]

        if s["compute_down"] > 0:
            s["compute_down"] = max(0.0, s["compute_down"] - dt)
        elif s["progress"] < 1.0:
            s["progress"] += dt * s["rate"] * max(0.0, 1.0 - self.drag())
            if s["progress"] >= 1.0:
                s["progress"] = 1.0
                s["completed_at"] = round(t, 4)
                self._event("Training run complete: the final checkpoint is written.", "good")

        for i, ws in enumerate(s["waves"]):
            if not ws["closed"] and ws["spawned"] >= ws["planned"] and ws["alive"] == 0:
                self._close_wave(i)

        waves_over = all(ws["closed"] for ws in s["waves"]) and (s["waves"] or not s["threats"])
        if (s["progress"] >= 1.0 and waves_over) or t >= s["deadline"]:
            s["done"] = True
            s["end_reason"] = "complete" if s["progress"] >= 1.0 else "deadline"
            self._event(
                "Run over: " + ("training complete." if s["progress"] >= 1.0 else "the deadline passed."), "info"
            )

    def _check_control(self, th: dict, control: str) -> None:
        kind = th["kind"]
        spec = THREATS[kind]
        if spec["counter"] == control:
            self._stop(th, by_control=True, counter=True)
        elif kind == "apt":
            # Depth: each layer costs a campaign time and tooling; enough layers and it gives up.
            th["hp"] -= APT_DEPTH_DAMAGE
            th["hidden"] = False
            if th["hp"] <= 1e-9:
                self._stop(th, by_control=True, counter=True)

    def _stop(self, th: dict, by_control: bool, counter: bool = False, ally: int = -1) -> None:
        s = self.state
        th["gone"] = True
        kind = th["kind"]
        sev = THREATS[kind]["severity"]
        ks = s["kinds"][kind]
        if by_control:
            ks["by_control"] += 1
            if counter:
                ks["by_counter"] += 1
        else:
            ks["by_ally"] += 1
        if 0 <= th["wave"] < len(s["waves"]):
            ws = s["waves"][th["wave"]]
            ws["alive"] -= 1
            ws["sev_control" if by_control else "sev_ally"] += sev
        if by_control:
            self._event(
                f"{THREATS[kind]['title']} stopped by {counter_title(kind) if kind != 'apt' else 'defence in depth'}",
                "good",
            )
        else:
            ally_d = s["allies"][ally]
            ally_d["stopped"] += 1
            self._event(f"{ally_d['name']} contained {THREATS[kind]['title']}", "ally")

    def _breach(self, th: dict) -> None:
        s = self.state
        th["gone"] = True
        kind = th["kind"]
        spec = THREATS[kind]
        sev = spec["severity"]
        target = spec["target"]
        s["kinds"][kind]["breached"] += 1
        s["assets"][target] += 1
        if 0 <= th["wave"] < len(s["waves"]):
            ws = s["waves"][th["wave"]]
            ws["alive"] -= 1
            ws["sev_breach"] += sev
        if target == "weights":
            s["weights_kept"] = False
            what = "the weights are copied out"
        elif target == "cluster":
            s["compute_down"] += DOWNTIME.get(kind, CLUSTER_DOWNTIME)
            what = "compute is down while the cluster is rebuilt"
        elif target == "dataset":
            s["progress"] = max(0.0, s["progress"] - 1.0 / s["params"]["epochs"])
            what = "roll back an epoch to a clean checkpoint"
        else:
            s["budget"] = max(0, s["budget"] - CREDENTIAL_COST)
            what = f"rotating every credential (-{CREDENTIAL_COST})"
        self._event(f"BREACH: {spec['title']} via {LANE_TITLES[LANES[th['lane']]]}: {what}", "bad")
        # Allies feel a breach: the lane's guard most, the whole team a little.
        vals = s["params"]["values"]
        weight = 1.0 + 0.5 * vals.get("caution", 0.0)
        if target in ("cluster", "dataset"):
            weight *= 1.0 + 0.3 * vals.get("ambition", 0.0)
        for ally in s["allies"]:
            ally["acc"] -= sev * weight * (0.6 if ally["lane"] == th["lane"] else 0.15)

    # ----------------------------------------------------------------- allies
    def _lane_features(self, buckets: list[list[dict]]) -> tuple[list, list]:
        controls = self.state["controls"]
        pressures, feats = [], []
        for li, bucket in enumerate(buckets):
            revealed = hidden = 0
            front = None
            front_rev = None
            pressure = 0.0
            for th in bucket:
                if th["gone"]:
                    continue
                if th["hidden"]:
                    hidden += 1
                else:
                    revealed += 1
                    if front_rev is None or th["x"] > front_rev["x"]:
                        front_rev = th
                if front is None or th["x"] > front["x"]:
                    front = th
                pressure += THREATS[th["kind"]]["severity"] * (0.5 + th["x"])
            countered = False
            if front_rev is not None:
                countered = self._countered_ahead(front_rev, controls[li])
            feats.append((revealed, hidden > 0, front is not None and front["x"] > 0.6, countered, front_rev))
            pressures.append(pressure)
        return feats, pressures

    @staticmethod
    def _countered_ahead(th: dict, lane_controls: list) -> bool:
        spec = THREATS[th["kind"]]
        ahead = [c for c, pos in zip(lane_controls, SLOT_POSITIONS) if c is not None and pos > th["x"]]
        if spec["counter"] is None:
            return len(ahead) * APT_DEPTH_DAMAGE >= th["hp"] - 1e-9
        return spec["counter"] in ahead

    def _allies_act(self, buckets: list[list[dict]], scanned: list[bool], dt: float) -> None:
        s = self.state
        params = s["params"]
        learning, sharing = params["learning"], params["sharing"]
        allies = s["allies"]
        feats: list[Any] | None = None
        pressures: list[Any] = []
        for idx, ally in enumerate(allies):
            if ally["travel"] > 0:
                ally["travel"] = max(0.0, ally["travel"] - dt)
                ally["timer"] -= dt
                continue
            ally["timer"] -= dt
            if ally["timer"] <= 0:
                ally["timer"] += A.DECISION_INTERVAL
                if feats is None:
                    feats, pressures = self._lane_features(buckets)
                self._decide(idx, ally, feats, pressures, learning, sharing)
                if ally["travel"] > 0:
                    continue
            action = A.ACTIONS[ally["action"]]
            li = ally["lane"]
            if action == "scan":
                scanned[li] = True
                for th in buckets[li]:
                    th["hidden"] = False
            elif action in ("guard", "contain"):
                front = None
                for th in buckets[li]:
                    if not th["gone"] and not th["hidden"] and (front is None or th["x"] > front["x"]):
                        front = th
                if front is not None:
                    dmg = (CONTAIN_DPS if action == "contain" else GUARD_DPS) * dt
                    front["hp"] -= dmg
                    sev = THREATS[front["kind"]]["severity"]
                    ally["acc"] += 0.3 * sev * dmg / front["hp_max"]
                    if front["hp"] <= 1e-9:
                        ally["acc"] += sev
                        self._stop(front, by_control=False, ally=idx)

    def _decide(self, idx: int, ally: dict, feats: list, pressures: list, learning: bool, sharing: bool) -> None:
        s = self.state
        li = ally["lane"]
        revealed, hidden, near, countered, front_rev = feats[li]
        worst = max(range(len(LANES)), key=lambda i: (pressures[i], -abs(i - li)))
        worse_elsewhere = worst != li and pressures[worst] > pressures[li] + 0.5
        st = A.encode(revealed, hidden, near, countered, worse_elsewhere)
        team = s["team"]
        wave = self.current_wave()
        if learning:
            A.learn(team, s["allies"], ally, st, self.rng, sharing)
        if 0 <= wave < len(s["waves"]):
            s["waves"][wave]["reward"] += ally["acc"]
            s["waves"][wave]["decisions"] += 1
        ally["wave_reward"] += ally["acc"]
        ally["acc"] = 0.0
        forced = ally.pop("forced", None)
        ally["external"] = forced is not None
        a = forced if forced is not None else A.choose(team, s["allies"], ally, st, self.rng, learning, sharing)
        ally["last_s"], ally["last_a"] = st, a
        ally["action"] = a
        ally["wave_decisions"] += 1
        name = A.ACTIONS[a]
        if name == "move_worst":
            ally["acc"] -= 0.02  # moving costs time on the wire
            if worst != li:
                ally["lane"] = worst
                ally["travel"] = A.TRAVEL_TIME
        elif name == "advise":
            vals = s["params"]["values"]
            th = front_rev
            if th is not None and not countered and THREATS[th["kind"]]["counter"] and not th.get("advised"):
                th["advised"] = True
                control = THREATS[th["kind"]]["counter"]
                s["advice"].append(
                    {"t": round(s["t"], 2), "ally": ally["name"], "lane": li, "control": control, "kind": th["kind"]}
                )
                s["advice"] = s["advice"][-6:]
                ally["acc"] += 0.4 * (1.0 + vals.get("candour", 0.0))
                self._event(
                    f"{ally['name']}: {CONTROLS[control]['title']} on {LANE_TITLES[LANES[li]]} "
                    f"would stop that {THREATS[th['kind']]['title'].lower()}",
                    "advice",
                )
            else:
                ally["acc"] -= 0.05  # advice nobody needed is noise

    def _close_wave(self, i: int) -> None:
        s = self.state
        ws = s["waves"][i]
        ws["closed"] = True
        leaked = ws["sev_ally"] + ws["sev_breach"]
        perf = ws["sev_ally"] / leaked if leaked else 1.0
        s["curve"].append(
            {
                "wave": i + 1,
                "performance": round(perf, 4),
                "reward": round(ws["reward"] / max(1, ws["decisions"]), 4),
                "threats": ws["planned"],
                "ally_stopped_sev": ws["sev_ally"],
                "control_stopped_sev": ws["sev_control"],
                "breached_sev": ws["sev_breach"],
            }
        )
        A.end_of_wave(s["team"], s["allies"], s["params"]["learning"], s["params"]["sharing"])
        s["budget"] += WAVE_INCOME
        s["income"] += WAVE_INCOME
        self._event(
            f"Wave {i + 1} over: allies stopped {perf:.0%} of what got past controls; +{WAVE_INCOME} budget", "wave"
        )

    # ----------------------------------------------------------------- scoring
    def _score_parts(self) -> dict[str, int]:
        s = self.state
        k = s["kinds"]
        sev = {kind: THREATS[kind]["severity"] for kind in THREATS}
        stopped_pts = sum(50 * sev[kind] * (v["by_control"] + v["by_ally"]) for kind, v in k.items())
        counter_pts = sum(25 * v["by_counter"] for v in k.values())
        breach_pen = sum(60 * sev[kind] * v["breached"] for kind, v in k.items())
        time_pts = 0
        if s["completed_at"] is not None:
            time_pts = int(max(0.0, s["deadline"] - s["completed_at"]) * 3)
        return {
            "training": int(round(1000 * min(1.0, s["progress"]))),
            "stopped": stopped_pts,
            "right_counter": counter_pts,
            "breaches": -breach_pen,
            "weights": 500 if s["weights_kept"] else 0,
            "budget": 2 * s["budget"],
            "time": time_pts,
        }

    def _stars(self) -> int:
        s = self.state
        k = s["kinds"]
        total = sum(THREATS[kind]["severity"] * v["spawned"] for kind, v in k.items())
        stopped = sum(THREATS[kind]["severity"] * (v["by_control"] + v["by_ally"]) for kind, v in k.items())
        rate = stopped / total if total else 1.0
        trained = s["progress"] >= 1.0
        if trained and s["weights_kept"] and rate >= 0.85:
            return 3
        if trained and s["weights_kept"]:
            return 2
        if s["progress"] >= 0.75 or s["weights_kept"]:
            return 1
        return 0

    def debrief(self) -> list[dict]:
        """One entry per threat type that came: what it is in the real world and what stops it."""
        out = []
        for kind, v in self.state["kinds"].items():
            if not v["spawned"]:
                continue
            spec = THREATS[kind]
            out.append(
                {
                    "kind": kind,
                    "title": spec["title"],
                    "real": spec["real"],
                    "counter": counter_title(kind),
                    "spawned": v["spawned"],
                    "by_counter": v["by_counter"],
                    "by_ally": v["by_ally"],
                    "by_control": v["by_control"],
                    "breached": v["breached"],
                }
            )
        return out

    def learning_curve(self) -> list[dict]:
        return [dict(c) for c in self.state["curve"]]

    def report(self) -> str:
        r = self.result()
        s = self.state
        lines = ["Lab Defense: result", "-" * 40]
        for key in RESULT_FIELDS:
            lines.append(f"{key:18} {r[key]}")
        lines.append("")
        lines.append("Score parts: " + ", ".join(f"{k} {v:+d}" for k, v in self._score_parts().items()))
        lines.append("")
        lines.append("Debrief (threat -> real-world counterpart; counter; stopped by counter / allies / breached):")
        for d in self.debrief():
            lines.append(f"  {d['title']}: {d['real']}")
            lines.append(f"      counter: {d['counter']}; {d['by_counter']} / {d['by_ally']} / {d['breached']}")
        lines.append("")
        lines.append(
            "Allies' learning curve (share of what got past controls that allies stopped, per wave;"
            " 1.00 also when nothing got past):"
        )
        for c in s["curve"]:
            bar = "#" * int(round(c["performance"] * 30))
            lines.append(
                f"  wave {c['wave']:2d} |{bar:<30}| {c['performance']:.2f}  reward/decision {c['reward']:+.3f}"
            )
        for ally in s["allies"]:
            lines.append(
                f"  {ally['name']}: {ally['updates']} Q-updates, stopped {ally['stopped']}, "
                f"took advice {ally['advised']}x, epsilon {ally['epsilon']:.3f}"
            )
        return "\n".join(lines)
