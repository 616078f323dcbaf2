"""The desktop's way of showing an `effect:` step: the game glitches, is taken over, or rolls a
crawl of text into the dark. A screen over the play screen; when its seconds are up, or the
player presses a key or clicks, it answers the runtime and the story goes on."""

from __future__ import annotations

import math
import random

import pygame

from game.ui import backgrounds
from game.ui.screens.base import FULL, Screen
from game.ui.theme import H, W

NOISE = "▓▒░█"


class EffectScreen(Screen):
    name = "effect"

    def __init__(self, app, play, prompt) -> None:
        super().__init__(app)
        self.play, self.prompt = play, prompt
        self.elapsed = 0.0
        self.held = set(getattr(app, "keys_down", ()))
        self.rng = random.Random("\n".join(prompt.lines) + prompt.effect)
        app.log("effect", effect=prompt.effect, lines=list(prompt.lines), labels=dict(prompt.labels), key=prompt.key)

    # Keys and clicks in the first moments, and keys still held from the line before, do not
    # skip the effect: mashing Enter through the lines must not skip the reveal unseen.
    ARM = 0.8

    def handle(self, event) -> bool:
        if event.type == pygame.KEYUP:
            self.held.discard(event.key)
            return False
        if event.type == pygame.KEYDOWN and (event.key in self.held or getattr(event, "repeat", False)):
            return True
        if (event.type == pygame.KEYDOWN) or (event.type == pygame.MOUSEBUTTONDOWN and event.button == 1):
            if self.elapsed >= min(self.ARM, max(0.5, self.prompt.seconds) / 2):
                self.finish()
            return True
        return False

    def pace(self) -> float:
        return FULL

    def update(self, dt: float) -> None:
        self.elapsed += dt
        if self.elapsed >= max(0.5, self.prompt.seconds):
            self.finish()

    def finish(self) -> None:
        if self.app.top is self:
            self.app.pop(self)
            self.play._act(self.play.session.runtime.answer)

    # ---------------------------------------------------------------- drawing
    def draw(self, surface) -> None:
        p, th, t = self.prompt, self.theme, self.elapsed
        kind = p.effect
        if kind == "crawl":
            backgrounds.draw_live(surface, "space", self.app.t)
            self._crawl(surface, t)
            return
        surface.fill((0, 0, 0))
        if kind in ("glitch", "static", "takeover"):
            rng = random.Random(int(t * 12))
            for _ in range(40 if kind != "takeover" else 12):
                y = rng.randrange(H)
                shade = rng.randrange(30, 120)
                surface.fill(
                    (shade, shade + 20 if kind == "takeover" else shade, shade), (0, y, W, rng.randrange(1, 4))
                )
        lines = list(p.lines)
        if kind == "takeover":
            lines += [f"{old}  →  {new}" for old, new in p.labels.items()]
        y = H // 2 - len(lines) * 26
        for i, line in enumerate(lines):
            text = line
            if kind == "glitch" and self.rng.random() < max(0.0, 0.7 - t / 2):
                text = "".join(self.rng.choice(NOISE) if c != " " and self.rng.random() < 0.3 else c for c in line)
            dx = int(6 * math.sin(t * 40 + i)) if kind in ("shake", "glitch") else 0
            colour = (120, 255, 160) if kind == "takeover" else th.pal.text
            th.text(surface, text, (W // 2 + dx, y), size=th.scaled(1.2), kind="bold", color=colour, anchor="midtop")
            y += 52

    def _crawl(self, surface, t: float) -> None:
        """Lines rise from the bottom and shrink toward a vanishing point, out past the network to the stars."""
        th = self.theme
        speed = 60.0
        for i, line in enumerate(self.prompt.lines):
            depth = t * speed - i * 70
            if depth < 0:
                continue
            y = H - depth
            if y < H * 0.15:
                continue
            scale = max(0.3, y / H)
            size = max(10, int(th.scaled(1.3) * scale))
            shade = int(255 * min(1.0, scale * 1.2))
            th.text(
                surface,
                line,
                (W // 2, int(y)),
                size=size,
                kind="bold",
                color=(shade, shade, min(255, shade + 30)),
                anchor="midtop",
            )

    def describe(self):
        return {
            "screen": self.name,
            "effect": self.prompt.effect,
            "lines": list(self.prompt.lines),
            "labels": dict(self.prompt.labels),
        }


def show_effect(play, prompt, state: dict) -> None:
    """The play screen's presenter for `effect` prompts."""
    play.mode = "effect"
    play.skip = False
    play.pending_overlay = EffectScreen(play.app, play, prompt)
