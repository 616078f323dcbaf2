"""Hosts a minigame view (game/ui/minigame_view.py contract) inside the desktop game.

The view draws on the 1280x720 logical surface; SCALED mode already maps the mouse to
logical coordinates. The host steps the view at the fixed step, offers "skip minigame"
(F8, or the pause menu), and when the view is finished hands its result to the runtime.
A view that raises is reported and the default result is used: the story goes on.
"""

from __future__ import annotations

from typing import Any

import pygame

from game.ui.screens.base import FULL, STILL, Screen
from game.ui.theme import W


class MinigameHost(Screen):
    name = "minigame"

    def __init__(self, app, play, prompt, view_cls) -> None:
        super().__init__(app)
        self.play, self.prompt = play, prompt
        self.failed = ""
        self.view: Any = None  # the minigame's view, once built
        try:
            from game import minigames

            game = minigames.get(prompt.name)()
            game.reset(prompt.seed, dict(prompt.params))
            rt = app.session.runtime
            context = {
                "player": rt.world.player,
                "timed": bool(app.settings.timers),
                "high_contrast": app.theme.pal.high_contrast,
                "theme": app.theme,
                "text_size": app.theme.base,
                "characters": {cid: {"name": c.name, "color": c.color} for cid, c in rt.level.characters.items()},
                "values": dict(rt.world.values),
            }
            if getattr(view_cls, "uses_vision", False):  # a view that can guess with a vision model
                from game.minigames.drawing.vision import configured

                problems: list[str] = []
                context["vision"] = configured(problems)  # None: the embedded recognizer guesses
                for problem in problems:
                    app.toast(f"Settings: {problem}")
            self.view = view_cls(game, seed=prompt.seed, params=dict(prompt.params), context=context)
            app.log("minigame_started", name=prompt.name, seed=prompt.seed)
        except Exception as exc:  # noqa: BLE001
            self._fail(exc)

    def _fail(self, exc) -> None:
        self.failed = f"the minigame stopped with an error ({exc.__class__.__name__}: {exc})"
        self.app.log("minigame_error", name=self.prompt.name, error=str(exc))

    def _finish(self, result=None, skip_reason: str = "") -> None:
        self.app.pop(self)
        if skip_reason:
            self.play.skip_minigame(skip_reason)
        else:
            self.play.finish_minigame(result or {})

    def skip(self) -> None:
        self._finish(skip_reason="skipped by the player")

    def handle(self, event) -> bool:
        if self.failed:
            if event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_SPACE, pygame.K_ESCAPE):
                self._finish(skip_reason=self.failed)
            return True
        if event.type == pygame.KEYDOWN:
            if event.key == pygame.K_F8:
                self.skip()
                return True
            if event.key == pygame.K_ESCAPE and not getattr(self.view, "wants_escape", False):
                from game.ui.screens.menus import PauseScreen

                self.app.push(PauseScreen(self.app, minigame=self))
                return True
        try:
            self.view.handle_event(event)
        except Exception as exc:  # noqa: BLE001
            self._fail(exc)
        return True

    def pace(self) -> float:
        if self.failed or self.view is None:
            return STILL
        pace = getattr(self.view, "pace", None)  # a view may say it is at rest (paused, help shown)
        return pace() if callable(pace) else FULL

    def update(self, dt: float) -> None:
        if self.failed or self.view is None:
            return
        try:
            self.view.update(dt)
            for entry in getattr(self.view, "drain_log", lambda: [])():
                self.app.log(entry.pop("event", "minigame_view"), **entry)
            if self.view.finished:
                self._finish(self.view.result())
        except Exception as exc:  # noqa: BLE001
            self._fail(exc)

    def draw(self, surface) -> None:
        th = self.theme
        if self.failed or self.view is None:
            surface.fill((10, 10, 20))
            th.text(
                surface,
                "The minigame could not continue.",
                (W // 2, 260),
                size=th.scaled(1.2),
                kind="bold",
                anchor="midtop",
            )
            th.text(surface, self.failed, (W // 2, 330), size=th.scaled(0.7), color=th.pal.warn, anchor="midtop")
            th.text(
                surface, "▶ Enter: continue with the default result", (W // 2, 400), color=th.pal.focus, anchor="midtop"
            )
            return
        try:
            self.view.draw(surface)
        except Exception as exc:  # noqa: BLE001
            self._fail(exc)
        th.text(
            surface,
            "F8: skip minigame  ·  Esc: menu",
            (W - 12, 716),
            size=th.scaled(0.55),
            color=th.pal.dim,
            anchor="bottomright",
        )

    def describe(self):
        return {"screen": self.name, "minigame": self.prompt.name, "failed": self.failed}
