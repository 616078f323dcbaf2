"""The title screen (new game, continue, load, settings, quit) and the name prompt."""

from __future__ import annotations

import math

import pygame

from game import saves
from game.ui import backgrounds
from game.ui.screens.base import AMBIENT, FULL, Screen
from game.ui.theme import H, W
from game.ui.widgets import Item, Menu, TextBox, fit_size


def _pixels(rect: pygame.Rect) -> list[tuple[int, int]]:
    """Every pixel of a small rectangle (a star is 2x2)."""
    return [(x, y) for x in range(rect.left, rect.right) for y in range(rect.top, rect.bottom)]


class TitleScreen(Screen):
    name = "title"

    def __init__(self, app) -> None:
        super().__init__(app)
        self._prewarm = list(backgrounds.KINDS)
        self._still: tuple | None = None  # (what it shows, picture, hidden stars, draw whole)
        self.build()

    def build(self) -> None:
        self.app.session.writer.flush()  # an autosave still being written counts as the latest
        latest = saves.latest(self.app.session.story.id)
        any_save = any(i.exists for i in saves.list_slots())
        self.menu = Menu(
            [
                Item("New game", self.new_game),
                Item(
                    "Continue",
                    self.continue_game,
                    enabled=latest is not None,
                    note=f"{latest.label}: {latest.scene_title or latest.scene}, {latest.when}"
                    if latest
                    else "no save yet",
                ),
                Item("Load", self.load, enabled=any_save, note="" if any_save else "no save yet"),
                Item("Settings", self.settings),
                Item("Credits", self.credits),
                Item("Quit", self.app.quit),
            ],
            x=90,
            y=330,
            width=440,
        )
        self.latest = latest

    def enter(self) -> None:
        self.build()

    def new_game(self) -> None:
        player = self.app.start.get("player")
        if player:
            start_game(self.app, player)
        else:
            self.app.push(NameScreen(self.app))

    def continue_game(self) -> None:
        if self.latest:
            from game.ui.screens.play import load_slot

            load_slot(self.app, self.latest.slot)

    def load(self) -> None:
        from game.ui.screens.menus import SaveLoadScreen

        self.app.push(SaveLoadScreen(self.app, mode="load"))

    def settings(self) -> None:
        from game.ui.screens.menus import SettingsScreen

        self.app.push(SettingsScreen(self.app))

    def credits(self) -> None:
        from game.ui.screens.credits import CreditsScreen

        self.app.push(CreditsScreen(self.app))

    def handle(self, event) -> bool:
        if event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
            return True  # Esc on the title does nothing rather than quitting by surprise
        return self.menu.handle(event)

    def pace(self) -> float:
        return FULL if self._prewarm else AMBIENT  # the turning ring and the stars, slowly

    def update(self, dt: float) -> None:
        if self._prewarm and self.app.frames > 1:
            backgrounds.background(self._prewarm.pop())  # draw one scene picture per frame, off the critical path

    # The turning ring, and the box it stays inside.
    RING_CENTRE = (960, 330)
    RING_BOX = pygame.Rect(960 - 164, 330 - 78, 328, 156)

    def draw(self, surface) -> None:
        """The title at rest is mostly still: the words, the menu and the sky are drawn once into a
        cached picture (redrawn when the menu, the text size or the palette changes), and each
        slow frame only puts the stars and the ring over it (benchmarks/frames.py --idle)."""
        th = self.theme
        key = (
            th.base,
            id(th.pal),
            self.menu.index,
            tuple((i.label, i.enabled, i.note) for i in self.menu.items),
            self.app.session.story.title,
            surface.get_size(),
        )
        if self._still is None or self._still[0] != key:
            sky = backgrounds.background("space", surface.get_size(), th.pal.high_contrast)
            still = pygame.Surface(surface.get_size(), 0, surface)  # the same pixel format: a plain blit
            still.blit(sky, (0, 0))
            covers = self._draw_words(still)
            # Stars under the words stay hidden, as they were under them in a whole redraw;
            # where the words reach the ring (a long subtitle), every frame is drawn whole.
            hidden = frozenset(
                n
                for n, (rect, _phase) in enumerate(backgrounds.moving_parts("space"))
                if any(still.get_at(p) != sky.get_at(p) for p in _pixels(pygame.Rect(rect).clip(still.get_rect())))
            )
            whole = any(r.colliderect(self.RING_BOX) for r in covers)
            self._still = (key, still, hidden, whole)
        _key, still, hidden, whole = self._still
        if whole:
            backgrounds.draw_live(surface, "space", self.app.t, dim=th.pal.high_contrast)
            self._draw_ring(surface)
            self._draw_words(surface)
            return
        surface.blit(still, (0, 0))
        if not th.pal.high_contrast:
            backgrounds.draw_moving(surface, "space", self.app.t, hidden)
        self._draw_ring(surface)

    def _draw_ring(self, surface) -> None:
        """A slowly turning ring: the "treacherous turn"."""
        th = self.theme
        cx, cy = self.RING_CENTRE
        for i in range(36):
            a = self.app.t * 0.3 + i * math.tau / 36
            r = 150 + 8 * math.sin(self.app.t + i)
            colour = th.pal.gold if i % 9 == 0 else th.pal.accent
            pygame.draw.circle(
                surface, colour, (int(cx + r * math.cos(a)), int(cy + r * math.sin(a) * 0.45)), 3 if i % 9 else 6
            )

    def _draw_words(self, surface) -> list[pygame.Rect]:
        """The title, the menu and the footer; returns the rectangles they cover."""
        th = self.theme
        # When the menu would not fit at the player's text size under the big title, the title gets
        # smaller and higher instead of the menu's text getting small.
        subtitle = self.app.session.story.title
        has_sub = bool(subtitle) and subtitle.strip().lower() != "treacherous turn"  # not the title said twice
        footer_top = H - 12 - th.font(th.scaled(0.62)).get_linesize() - 8
        tall = (288 + th.font(th.scaled(0.8)).get_linesize()) if has_sub else (200 + th.font(72, "bold").get_linesize())
        compact = self.menu.measure(th) > footer_top - 16 - tall - 20
        big, y1, y2, sub_y = (52, 50, 106, 170) if compact else (72, 120, 200, 288)
        covers = [th.text(surface, "TREACHEROUS", (90, y1), size=big, kind="bold", color=th.pal.text)]
        covers.append(th.text(surface, "TURN", (90, y2), size=big, kind="bold", color=th.pal.gold))
        bottom = covers[-1].bottom
        if has_sub:
            covers.append(th.text(surface, subtitle, (96, sub_y), size=th.scaled(0.8), color=th.pal.dim))
            bottom = covers[-1].bottom
        self.menu.y = bottom + 20
        footer = th.hint(surface, "Arrows + Enter, or the mouse  ·  F1 help  ·  F11 fullscreen", (W // 2, H - 12))
        # The player's text size for the menu, or smaller if that would still run into the footer.
        size = fit_size(lambda sz: self.menu.measure(th, size=sz), footer.top - 16 - self.menu.y, th.base)
        self.menu.draw(surface, th, size=size)
        return covers + [footer, *self.menu.rects]

    def describe(self):
        return {"screen": self.name, "items": [(i.label, i.enabled) for i in self.menu.items], "focus": self.menu.index}


class NameScreen(Screen):
    name = "name"

    def __init__(self, app) -> None:
        super().__init__(app)
        self.box = TextBox(max_len=24)
        self.error = ""

    def text_box(self):
        """The name being typed: always (it is the whole screen)."""
        return self.box

    def handle(self, event) -> bool:
        if event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
            self.app.pop(self)
            return True
        if self.box.handle(event):
            if self.box.text.strip():
                self.error = ""  # a name is being typed: the reminder has done its job
            text = self.box.take()
            if text is not None:
                name = " ".join(text.split())
                if not name:
                    self.error = "Type a name first (any name will do)."
                    return True
                self.app.pop(self)
                start_game(self.app, name)
            return True
        return False

    def pace(self) -> float:
        return AMBIENT  # the caret blinks

    def update(self, dt: float) -> None:
        self.box.update(dt)

    def draw(self, surface) -> None:
        th = self.theme
        backgrounds.draw_live(surface, "lab", self.app.t, dim=True)
        # Laid out top to bottom from the sizes in use, so nothing overlaps at any text size.
        big, small, tiny = th.scaled(1.2), th.scaled(0.8), th.scaled(0.7)
        heights = [
            th.font(big, "bold").get_linesize(),
            th.font().get_linesize(),
            th.font().get_linesize() + 24,
            th.font(small).get_linesize(),
            th.font(tiny).get_linesize(),
        ]
        panel = pygame.Rect(W // 2 - 360, 0, 720, 34 + sum(heights) + 8 * 4 + 26)
        panel.centery = H // 2
        th.panel(surface, panel)
        y = panel.y + 26
        self.rects = {}
        self.rects["title"] = th.text(surface, "Before we begin:", (panel.x + 40, y), size=big, kind="bold")
        y += heights[0] + 4
        self.rects["ask"] = th.text(surface, "what should the lab call you?", (panel.x + 40, y), color=th.pal.dim)
        y += heights[1] + 10
        self.rects["box"] = pygame.Rect(panel.x + 40, y, panel.w - 80, heights[2])
        self.box.draw(surface, th, self.rects["box"], placeholder="Your name")
        y += heights[2] + 8
        if self.error:
            error, esize = th.fit("⚠ " + self.error, small, panel.w - 80)
            self.rects["error"] = th.text(surface, error, (panel.x + 40, y), size=esize, color=th.pal.warn)
        y += heights[3] + 8
        self.rects["hint"] = th.text(
            surface, "Enter to start  ·  Esc to go back", (panel.x + 40, y), size=tiny, color=th.pal.dim
        )

    def describe(self):
        return {"screen": self.name, "text": self.box.text, "error": self.error}


def start_game(app, player: str) -> None:
    from game.ui.screens.play import PlayScreen

    s = app.start
    try:
        app.session.new(
            player, seed=s.get("seed"), warp=s.get("warp"), set_vars=s.get("set_vars"), level=s.get("level")
        )
    except Exception as exc:  # noqa: BLE001 - a bad --warp or --level is a message, not a crash
        app.toast(f"cannot start: {exc}")
        return
    app.push(PlayScreen(app))
