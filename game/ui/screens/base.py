"""What every screen is: it takes events, advances at the fixed step, and draws itself."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

# How often a screen needs drawing (frames a second); the app blocks on events in between.
# FULL: something moves every frame (typing, streaming, a minigame, an effect). AMBIENT:
# only slow decoration moves (twinkling stars, a blinking caret, "▼ continue"), drawn a few
# times a second. STILL: nothing moves; drawn only when an event or a change asks for it.
FULL = 60.0
AMBIENT = 5.0
STILL = 0.0


class Screen:
    # An opaque screen hides everything below it; overlays (menus, help) draw over the one below.
    opaque = True
    name = "screen"

    def __init__(self, app) -> None:
        self.app = app

    def text_box(self):
        """The text box the player types into now, if any: while there is one, TEXTINPUT goes to it
        (accepts_text) and the app logs "typed" when its text changes. Screens that type override this."""
        return None

    @property
    def accepts_text(self) -> bool:
        """True while the screen types the player's words (it has a text box now)."""
        return self.text_box() is not None

    @property
    def theme(self):
        return self.app.theme

    def enter(self) -> None:
        """Called when the screen becomes the top of the stack (pushed, or uncovered)."""

    def handle(self, event) -> bool:
        return False

    def update(self, dt: float) -> None:
        pass

    def pace(self) -> float:
        """Frames a second this screen needs while it is on top (FULL, AMBIENT or STILL)."""
        return STILL

    def motion(self) -> Hashable | None:
        """What a slow (AMBIENT) frame would show that can change by itself, as a value: when it
        equals the one last drawn and no event came, the frame is not drawn (the window rests
        between the blinks of a caret). None, the default: every slow frame is drawn."""
        return None

    def draw(self, surface) -> None:
        pass

    def describe(self) -> dict[str, Any]:
        """What the screen shows, as data: tests and the event log read this instead of pixels."""
        return {"screen": self.name}
