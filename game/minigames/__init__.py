"""Minigames: pure, seeded, fixed-time-step simulations the story can call by name.

A minigame is a class with this shape (see `base.Minigame`):

    game = cls()
    game.reset(seed, params)        # params come from the level's `params:`
    while not game.done:
        game.step(dt, inputs)       # inputs: the minigame's own action type
    game.result()                   # flat dict, stored in the world under the step's `as:`

It never imports pygame or the story. Built-ins are listed in BUILTIN; third-party
packages add theirs through the `game.minigames` entry-point group. Imports are lazy.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from game.minigames.base import Minigame, MinigameInfo  # noqa: F401  (re-exported)

BUILTIN: dict[str, str] = {
    "lab_defense": "game.minigames.lab_defense:LabDefense",
    "drawing": "game.minigames.drawing:DrawingGame",
}


def _load(target: str):
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


_FOUND: dict[tuple, dict[str, str]] = {}


def available() -> dict[str, str]:
    """name -> import target of every minigame this install knows.

    Reading entry points costs tens of milliseconds, and `validate` asks for every
    minigame step; the answer is kept until sys.path changes (a package installed in a
    running process appears there).
    """
    import sys

    key = tuple(sys.path)
    found = _FOUND.get(key)
    if found is None:
        found = dict(BUILTIN)
        for ep in entry_points(group="game.minigames"):
            found.setdefault(ep.name, ep.value)
        _FOUND.clear()
        _FOUND[key] = found
    return dict(found)


def names() -> list[str]:
    return sorted(available())


def get(name: str) -> type[Minigame]:
    """The minigame class called `name`; KeyError with the known names if there is none."""
    table = available()
    if name not in table:
        raise KeyError(f"unknown minigame '{name}' (known: {', '.join(sorted(table))})")
    return _load(table[name])


def info(name: str) -> MinigameInfo | None:
    """What a level may rely on: the result fields and a default result. None if not importable."""
    try:
        cls = get(name)
    except (KeyError, ImportError, AttributeError):
        return None
    return cls.info()
