"""What a minigame's view plugs into the desktop game's minigame host.

The host owns the window; it hands each view a 1280x720 logical surface to draw on,
the pygame events addressed to it, and a fixed-step `update(dt)`. The view owns no
rules: it turns events into the minigame's inputs and draws the minigame's state.
Views live in `game/ui/minigames/<name>.py` as `View`, found by minigame name.
"""

from __future__ import annotations

import importlib
from typing import Any

LOGICAL_SIZE = (1280, 720)


class MinigameView:
    def __init__(self, game: Any, *, seed: int, params: dict, context: dict) -> None:
        # context: read-only facts from the story the view may show: player name,
        # character names and colours, theme, "timed": False when the player turned timers off.
        self.game = game
        self.seed = seed
        self.params = params
        self.context = context

    def handle_event(self, event) -> None:
        """A pygame event, already mapped to logical coordinates (event.pos is 1280x720)."""

    def update(self, dt: float) -> None:
        """Advance the simulation by dt seconds (the host calls this at a fixed step)."""

    def draw(self, surface) -> None:
        """Draw onto the 1280x720 logical surface."""

    @property
    def finished(self) -> bool:
        """True once the result screen was dismissed and result() is final."""
        return bool(getattr(self.game, "done", False))

    def result(self) -> dict:
        return self.game.result()


def view_for(name: str):
    """The View class for minigame `name`, or None if it has no desktop view."""
    try:
        module = importlib.import_module(f"game.ui.minigames.{name}")
    except ModuleNotFoundError:
        return None
    return getattr(module, "View", None)
