"""The end of the story: the ending card, an honest score screen, and the gold bar.

Everything shown comes from the story: the ending's title, text and epilogue lines and
the gold bar's inscription are authored on the level's `end:` step (EndPrompt), and the
score card is computed in game/story/score.py (a skipped minigame is shown as skipped
with its default result, not as a win), so the terminal shows the same. When the ending
has no inscription, there is no gold bar.
"""

from __future__ import annotations

import math
import random

import pygame

from game.ui import backgrounds
from game.ui.screens.base import FULL, Screen
from game.ui.theme import MIN_HINT_PX, H, W
from game.ui.widgets import fit_size, wrap


def tally(runtime) -> list[dict]:
    """One row per minigame played in this story (the story's score card, as plain data)."""
    return [
        {
            "name": r.name,
            "title": r.title,
            "as": r.store_as,
            "skipped": r.skipped,
            "result": dict(r.result),
            "score": r.score,
        }
        for r in runtime.score().rows
    ]


class _Continue(Screen):
    def handle(self, event) -> bool:
        if (event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_SPACE, pygame.K_KP_ENTER)) or (
            event.type == pygame.MOUSEBUTTONDOWN and event.button == 1
        ):
            self.next()
            return True
        if event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
            from game.ui.screens.menus import PauseScreen

            self.app.push(PauseScreen(self.app, ended=True))
            return True
        return False

    def next(self) -> None:
        raise NotImplementedError


class EndingScreen(_Continue):
    name = "ending"

    def __init__(self, app, prompt) -> None:
        super().__init__(app)
        self.prompt = prompt

    def next(self) -> None:
        self.app.replace(ScoreScreen(self.app, self.prompt))

    def draw(self, surface) -> None:
        th, p = self.theme, self.prompt
        backgrounds.draw_live(surface, "space", self.app.t, dim=True)
        th.text(surface, "THE END", (W // 2, 130), size=th.scaled(0.9), color=th.pal.dim, anchor="midtop")
        th.text(
            surface,
            p.title or p.ending.replace("_", " ").title(),
            (W // 2, 190),
            size=th.scaled(2.0),
            kind="bold",
            color=th.pal.gold,
            anchor="midtop",
        )
        paras = [p.text or "", *p.epilogue]

        def height(size):
            font = th.font(size)
            return sum(font.get_linesize() * len(wrap(font, para, 900)) + font.get_linesize() // 2 for para in paras)

        size = fit_size(height, H - 80 - 310 - (40 if p.problem else 0), th.scaled(1.1))
        y = 310
        font = th.font(size)
        for para in paras:
            for line in wrap(font, para, 900):
                th.text(surface, line, (W // 2, y), size=size, anchor="midtop")
                y += font.get_linesize()
            y += font.get_linesize() // 2
        if p.problem:
            th.text(
                surface, f"⚠ {p.problem}", (W // 2, y + 20), size=th.scaled(0.7), color=th.pal.warn, anchor="midtop"
            )
        th.text(
            surface,
            "▶ Enter to see your score",
            (W // 2, H - 60),
            size=th.scaled(0.8),
            color=th.pal.focus,
            anchor="midtop",
        )

    def describe(self):
        return {"screen": self.name, "ending": self.prompt.ending, "title": self.prompt.title}


class ScoreScreen(_Continue):
    """What happened and how the player's decisions led here, in words (game/story/recap.py)."""

    name = "score"
    PANEL = pygame.Rect(120, 40, W - 240, H - 100)

    def __init__(self, app, prompt=None) -> None:
        super().__init__(app)
        from game.story.recap import recap

        rt = app.session.runtime
        self.prompt = prompt
        self.rows = tally(rt)
        self.recap = recap(rt, prompt)
        self._layout: tuple | None = None
        app.log(
            "score",
            rows=self.rows,
            total=self.recap.total,
            ending=self.recap.ending,
            sections=[[h, list(lines)] for h, lines in self.recap.sections()],
        )

    def next(self) -> None:
        inscription = list(getattr(self.prompt, "inscription", None) or [])
        if inscription:
            self.app.replace(GoldBarScreen(self.app, inscription))
        else:
            GoldBarScreen.finish(self.app)

    def layout(self) -> tuple[int, list[tuple[str, str]]]:
        """(body text size, [(style, line)]) that fits the panel: the player's size if it fits, else smaller."""
        th = self.theme
        key = (th.base, th.pal.high_contrast)
        if self._layout is not None and self._layout[0] == key:
            return self._layout[1]
        room = self.PANEL.h - 190  # below the heading, above the total and the footer
        width = self.PANEL.w - 120
        size = th.scaled(0.8)
        while True:
            body, head = th.font(size), th.font(size, "bold")
            lines: list[tuple[str, str]] = []
            for heading, paras in self.recap.sections():
                lines.append(("heading", heading))
                for para in paras:
                    lines += [("body", part) for part in wrap(body, para, width)]
                lines.append(("gap", ""))
            height = sum(
                head.get_linesize() if s == "heading" else 8 if s == "gap" else body.get_linesize() for s, _ in lines
            )
            if height <= room or size <= MIN_HINT_PX:
                break
            size -= 1
        self._layout = (key, (size, lines))
        return size, lines

    def draw(self, surface) -> None:
        th = self.theme
        backgrounds.draw_live(surface, "servers", self.app.t, dim=True)
        panel = self.PANEL
        th.panel(surface, panel, alpha=245)
        th.text(
            surface,
            self.recap.ending or "Your story",
            (panel.centerx, panel.y + 22),
            size=th.scaled(1.3),
            kind="bold",
            color=th.pal.gold,
            anchor="midtop",
        )
        size, lines = self.layout()
        body, head = th.font(size), th.font(size, "bold")
        y = panel.y + 22 + th.font(th.scaled(1.3), "bold").get_linesize() + 14
        clip = pygame.Rect(panel.x + 40, y, panel.w - 80, panel.bottom - 90 - y)
        prev = surface.get_clip()
        surface.set_clip(clip)
        for style, text in lines:
            if style == "gap":
                y += 8
                continue
            if style == "heading":
                th.text(surface, text, (panel.x + 50, y), size=size, kind="bold", color=th.pal.accent)
                y += head.get_linesize()
            else:
                th.text(surface, text, (panel.x + 70, y), size=size)
                y += body.get_linesize()
        surface.set_clip(prev)
        if self.recap.total:
            th.text(
                surface,
                self.recap.total,
                (panel.x + 50, panel.bottom - 24),
                size=th.scaled(0.9),
                kind="bold",
                anchor="bottomleft",
            )
        th.text(
            surface,
            "▶ Enter",
            (panel.right - 40, panel.bottom - 24),
            size=th.scaled(0.8),
            color=th.pal.focus,
            anchor="bottomright",
        )

    def describe(self):
        return {
            "screen": self.name,
            "rows": self.rows,
            "ending": self.recap.ending,
            "total": self.recap.total,
            "sections": self.recap.sections(),
        }


class GoldBarScreen(_Continue):
    """The last screen, whatever came before: Player 1, Score: 0."""

    name = "goldbar"

    def __init__(self, app, inscription: list[str]) -> None:
        super().__init__(app)
        self.player = app.session.runtime.world.player
        self.lines = list(inscription)
        app.log("goldbar", player=self.player, inscription=self.inscription())
        rng = random.Random(7)
        self.stars = [
            (rng.randrange(W), rng.randrange(H), rng.random() * 6.28, rng.randrange(120, 255)) for _ in range(160)
        ]

    def pace(self) -> float:
        return FULL  # the bar drifts and shines

    def inscription(self) -> list[str]:
        return list(self.lines)

    def next(self) -> None:
        self.finish(self.app)

    @staticmethod
    def finish(app) -> None:
        from game.ui.screens.credits import CreditsScreen
        from game.ui.screens.title import TitleScreen

        app.session.read.flush()
        app.reset_to(TitleScreen(app))
        app.push(CreditsScreen(app))  # the credits roll after the gold bar; closing them is the title

    def draw(self, surface) -> None:
        th = self.theme
        backgrounds.draw_live(surface, "space", self.app.t)
        for x, y, ph, b in self.stars:
            v = int(b * (0.6 + 0.4 * math.sin(self.app.t * 1.5 + ph)))
            surface.fill((v, v, min(255, v + 30)), (x, y, 2, 2))
        t = self.app.t
        cx, cy = W // 2, H // 2 + int(10 * math.sin(t * 0.8))
        # The ingot: a trapezoid seen from slightly above, tilting slowly as it drifts.
        tilt = 0.06 * math.sin(t * 0.5)
        w_top, w_bot, h = 380, 470, 150

        def rot(px, py):
            return (cx + px * math.cos(tilt) - py * math.sin(tilt), cy + px * math.sin(tilt) + py * math.cos(tilt))

        top = [
            rot(-w_top / 2, -h / 2),
            rot(w_top / 2, -h / 2),
            rot(w_top / 2 - 30, -h / 2 - 40),
            rot(-w_top / 2 + 30, -h / 2 - 40),
        ]
        face = [rot(-w_top / 2, -h / 2), rot(w_top / 2, -h / 2), rot(w_bot / 2, h / 2), rot(-w_bot / 2, h / 2)]
        gold = th.pal.gold
        pygame.draw.polygon(surface, tuple(min(255, c + 40) for c in gold), top)
        pygame.draw.polygon(surface, gold, face)
        pygame.draw.polygon(surface, (120, 90, 20), face, 4)
        pygame.draw.polygon(surface, (150, 110, 30), top, 3)
        shine = int((t * 160) % 900) - 300
        pygame.draw.line(surface, (255, 245, 200), rot(shine - 40, -h / 2 + 6), rot(shine + 20, h / 2 - 6), 6)
        ink = (90, 60, 10)
        lines = self.inscription()
        for i, text in enumerate(lines):
            img = th.font(34 if i == 0 else 28, "bold").render(text, True, ink)
            img = pygame.transform.rotate(img, -math.degrees(tilt))
            px, py = rot(0, -h / 2 + 38 + i * 40)
            surface.blit(img, img.get_rect(center=(int(px), int(py))))
        th.text(surface, "▶ Enter", (W - 40, H - 30), size=th.scaled(0.7), color=th.pal.dim, anchor="bottomright")

    def describe(self):
        return {"screen": self.name, "inscription": self.inscription()}
