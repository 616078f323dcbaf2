"""The world state a story runs against: variables, the value profile, visits, the RNG."""
from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, Iterator


class World:
    def __init__(self, player: str = "Player", seed: int = 0) -> None:
        self.player = player
        self.vars: dict[str, Any] = {}
        self.values: dict[str, float] = {}      # the player's value profile, each in [-1, 1]
        self.visits: dict[str, int] = {}        # "level/scene" and "scene" of the current level
        self.rng = random.Random(seed)
        self.names = _Names(self)

    def snapshot(self) -> dict[str, Any]:
        version, internal, gauss = self.rng.getstate()
        return {"player": self.player, "vars": _jsonable(self.vars), "values": dict(self.values),
                "visits": dict(self.visits), "rng": [version, list(internal), gauss]}

    @classmethod
    def restore(cls, data: dict[str, Any]) -> "World":
        world = cls(data["player"])
        world.vars = dict(data["vars"])
        world.values = {k: float(v) for k, v in data["values"].items()}
        world.visits = dict(data["visits"])
        version, internal, gauss = data["rng"]
        world.rng.setstate((version, tuple(internal), gauss))
        return world


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


class _Names(Mapping):
    """What expressions see: variables, then the built-ins `player`, `values`, `visits`."""

    def __init__(self, world: World) -> None:
        self._w = world

    def __getitem__(self, key: str) -> Any:
        w = self._w
        if key in w.vars:
            return w.vars[key]
        if key == "player":
            return w.player
        if key == "values":
            return w.values
        if key == "visits":
            return w.visits
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        yield from self._w.vars
        yield from ("player", "values", "visits")

    def __len__(self) -> int:
        return len(self._w.vars) + 3
