"""Produce the lab-defense allies' shipped playbook (a Q-table) by self-play.

    python tools/train_lab_defense_allies.py [--games 4] [--seed 1000] [--out PATH]

Four allies, blank tables, sharing on, defend the lab alone (no player controls) for a
few campaigns; each campaign starts from the previous one's team playbook. The result
is stored as JSON beside the simulation. It is deliberately short training: the allies
ship competent, not finished, so players see them improve during a game.
Deterministic: the same arguments write the same file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from game.minigames.lab_defense import LabDefense  # noqa: E402
from game.minigames.lab_defense import allies as A  # noqa: E402


def train(games: int, seed: int, waves: int = 8, verbose: bool = True) -> dict:
    playbook = None
    history = []
    for g in range(games):
        game = LabDefense()
        game.reset(
            seed + g,
            {"waves": waves, "allies": 4, "pretrained": False, "sharing": True, "learning": True, "intensity": 1.2},
        )
        if playbook is not None:
            for ally in game.state["allies"]:
                ally["q"] = [list(row) for row in playbook]
                ally["visits"] = [A.ADVISOR_MIN_VISITS] * A.N_STATES
                ally["epsilon"] = A.EPSILON_PRETRAINED * 2
        while not game.done:
            game.step(1.0)
        playbook = A.team_playbook(game.state["allies"])
        perf = [c["performance"] for c in game.state["curve"]]
        history.append(round(sum(perf) / len(perf), 4))
        if verbose:
            print(f"campaign {g + 1}/{games} (seed {seed + g}): mean ally performance {history[-1]:.3f}")
    return {
        "about": "Team playbook for the lab-defense allies: Q[state][action]. "
        "Made by tools/train_lab_defense_allies.py; states and actions are listed in allies.py.",
        "games": games,
        "seed": seed,
        "waves": waves,
        "actions": A.ACTIONS,
        "n_states": A.N_STATES,
        "training_performance": history,
        "q": [[round(v, 5) for v in row] for row in playbook],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--games", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=A.PRETRAINED_PATH)
    args = ap.parse_args(argv)
    data = train(args.games, args.seed)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    tmp.replace(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
