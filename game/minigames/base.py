"""The contract between the story runtime, the front ends and each minigame."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass(frozen=True)
class MinigameInfo:
    name: str
    title: str
    # The fields `result()` returns, name -> one-line meaning. Level conditions may read
    # `<as>.<field>`; the linter checks reads against this list.
    result_fields: dict[str, str]
    # What the level gets when the front end cannot show the minigame, or the player
    # uses "skip minigame". A level may override it with `default:`.
    default_result: dict[str, Any]
    params: dict[str, str] = field(default_factory=dict)  # accepted params -> meaning


class Minigame:
    """Base class. Subclasses keep all state in plain data so snapshot() is JSON."""

    NAME = "minigame"

    @classmethod
    def info(cls) -> MinigameInfo:
        raise NotImplementedError

    def reset(self, seed: int, params: dict[str, Any] | None = None) -> None:
        raise NotImplementedError

    def step(self, dt: float, inputs: Any = None) -> None:
        raise NotImplementedError

    @property
    def done(self) -> bool:
        raise NotImplementedError

    def result(self) -> dict[str, Any]:
        raise NotImplementedError

    def snapshot(self) -> dict[str, Any]:
        raise NotImplementedError

    def restore(self, snap: dict[str, Any]) -> None:
        raise NotImplementedError

    def autopilot(self) -> Callable[["Minigame"], Any]:
        """A policy: called with the game, returns the inputs for the next step."""
        raise NotImplementedError

    # Fixed time step the autopilot and headless runs use.
    DT = 1 / 30


def run_autopilot(name: str, seed: int, params: dict[str, Any] | None = None, max_steps: int = 1_000_000) -> dict[str, Any]:
    """Play a minigame to its end with its own autopilot: for playtests and the CLI."""
    from game import minigames

    game = minigames.get(name)()
    game.reset(seed, params or {})
    policy = game.autopilot()
    steps = 0
    while not game.done and steps < max_steps:
        game.step(game.DT, policy(game))
        steps += 1
    return game.result()
