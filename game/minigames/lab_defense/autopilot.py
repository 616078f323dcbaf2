"""The autopilot: a sensible player for playtests, the CLI and benchmarks.

It plays the way the game wants to be played: read the intel, put each announced
threat's hard counter on the surface it will come through, layer two controls where the
final campaign is coming, follow the allies' advice, and buy nothing else (every control
slows research).
"""

from __future__ import annotations

from game.minigames.lab_defense.catalog import CONTROLS, LANES, THREATS

THINK_EVERY = 15  # steps (half a second at DT 1/30): a player does not act every frame


def _needs(game) -> list[tuple[int, int, str, int]]:
    """(wave, -severity, control or '*depth*', lane) for every announced threat still to come."""
    s = game.state
    out = []
    for info in s["intel"]:
        w = info["wave"]
        if s["waves"][w]["closed"]:
            continue
        for kind, lanes in info["kinds"].items():
            for lane in lanes:
                control = THREATS[kind]["counter"] or "*depth*"
                out.append((w, -THREATS[kind]["severity"], control, lane))
    for adv in s["advice"]:
        out.append((-1, -3, adv["control"], adv["lane"]))
    out.sort()
    return out


def _useful_in_lane(lane: int) -> list[str]:
    name = LANES[lane]
    useful = [spec["counter"] for spec in THREATS.values() if spec["counter"] and name in spec["lanes"]]
    return sorted(set(useful), key=lambda c: CONTROLS[c]["cost"])


def policy(game) -> list[dict]:
    s = game.state
    if s["steps"] % THINK_EVERY:
        return []
    controls = s["controls"]
    budget = s["budget"]
    needs = _needs(game)
    wanted = {(c, lane) for _, _, c, lane in needs if c != "*depth*"}
    for _, _, control, lane in needs:
        slots = controls[lane]
        if control == "*depth*":
            if sum(1 for c in slots if c) >= 2:
                continue
            options = [c for c in _useful_in_lane(lane) if c not in slots] or ["badges"]
            control = options[0]
        elif control in slots:
            continue
        if None not in slots:
            # Make room: drop a control nothing announced needs on this surface.
            spare = next((i for i, c in enumerate(slots) if (c, lane) not in wanted), None)
            if spare is not None:
                return [{"op": "remove", "lane": lane, "slot": spare}]
            continue
        if CONTROLS[control]["cost"] <= budget:
            return [{"op": "place", "control": control, "lane": lane}]
        # Short of budget for the most urgent need: sell a control nothing announced needs
        # (half refund), which also gives back its research drag.
        for li, lane_slots in enumerate(controls):
            for i, c in enumerate(lane_slots):
                if c is not None and (c, li) not in wanted and not _depth_wanted(needs, li):
                    return [{"op": "remove", "lane": li, "slot": i}]
        return []
    return []


def _depth_wanted(needs, lane: int) -> bool:
    return any(c == "*depth*" and li == lane for _, _, c, li in needs)
