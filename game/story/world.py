"""The world state a story runs against: variables, the value profile, visits, the RNG."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any


class World:
    def __init__(self, player: str = "Player", seed: int = 0) -> None:
        self.player = player
        self.vars: dict[str, Any] = {}
        self.values: dict[str, float] = {}  # the player's value profile, each in [-1, 1]
        self.visits: dict[str, int] = {}  # how often each scene of the current level was entered
        self.picks: dict[str, int] = {}  # how many times each line pool (by its key) has spoken
        self.said: list[str] = []  # what the player typed in conversations, in order
        self.drew: list[str] = []  # the ideas the player drew, in order
        self.labels: dict[str, str] = {}  # the game's own words an effect has taken over
        self.seed = seed
        self.rng = random.Random(seed)
        self.names = _Names(self)

    def pick(self, key: str, n: int) -> int:
        """Which of a pool's n lines comes next: each once in an order of this run's own (from the
        seed, not the story's random numbers, so nothing else shifts), then again in that order."""
        order = list(range(n))
        random.Random(f"{self.seed}:{key}").shuffle(order)
        return order[self.picks.get(key, 0) % n]

    def picked(self, key: str) -> None:
        self.picks[key] = self.picks.get(key, 0) + 1

    def rng_state(self) -> list[Any]:
        version, internal, gauss = self.rng.getstate()
        return [version, list(internal), gauss]

    def set_rng(self, state: Sequence[Any]) -> None:
        version, internal, gauss = state
        self.rng.setstate((version, tuple(internal), gauss))

    def snapshot(self) -> dict[str, Any]:
        return {
            "player": self.player,
            "vars": _jsonable(self.vars),
            "values": dict(self.values),
            "visits": dict(self.visits),
            "picks": dict(self.picks),
            "said": list(self.said),
            "drew": list(self.drew),
            "labels": dict(self.labels),
            "seed": self.seed,
            "rng": self.rng_state(),
        }

    @classmethod
    def restore(cls, data: dict[str, Any]) -> World:
        """From a snapshot already checked by game/story/snapshot.py."""
        world = cls(data["player"], data.get("seed", 0))
        world.picks = dict(data.get("picks", {}))
        world.said = list(data.get("said", []))
        world.drew = list(data.get("drew", []))
        world.labels = dict(data.get("labels", {}))
        world.vars = dict(data["vars"])
        world.values = {k: float(v) for k, v in data["values"].items()}
        world.visits = dict(data["visits"])
        world.set_rng(data["rng"])
        return world

    def fork(self) -> World:
        """A copy for exploration: its own variables and counters, the same random generator.

        Exploration keys states on variables, not on random state, so sharing the
        generator changes nothing it can tell apart and saves copying 625 numbers a fork.
        """
        w = World.__new__(World)
        w.player = self.player
        w.vars = dict(self.vars)
        w.values = dict(self.values)
        w.visits = dict(self.visits)
        w.picks = dict(self.picks)
        w.said = list(self.said)
        w.drew = list(self.drew)
        w.labels = dict(self.labels)
        w.seed = self.seed
        w.rng = self.rng
        w.names = _Names(w)
        return w


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


class _Names(Mapping[str, Any]):
    """What expressions see: variables, then the built-ins `player`, `values`, `visits`."""

    __slots__ = ("_w",)

    def __init__(self, world: World) -> None:
        self._w = world

    def __getitem__(self, key: str) -> Any:
        w = self._w
        try:
            return w.vars[key]
        except KeyError:
            pass
        if key == "player":
            return w.player
        if key == "values":
            return w.values
        if key == "visits":
            return w.visits
        if key == "_said":  # for said(n): a name no expression can write
            return w.said
        if key == "_drew":
            return w.drew
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        yield from self._w.vars
        yield from ("player", "values", "visits")

    def __len__(self) -> int:
        return len(self._w.vars) + 3
