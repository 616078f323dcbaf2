"""Small widgets the screens share: wrapped typewriter text, a keyboard-and-mouse menu, a text box."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pygame

from game.textsafe import clean
from game.ui.theme import Theme


def wrap(font: pygame.font.Font, text: str, width: int) -> list[str]:
    """Greedy word wrap that honours newlines and breaks words longer than a line."""
    lines: list[str] = []
    for para in text.split("\n"):
        words = para.split(" ")
        line = ""
        for word in words:
            trial = word if not line else f"{line} {word}"
            if font.size(trial)[0] <= width:
                line = trial
                continue
            if line:
                lines.append(line)
            while font.size(word)[0] > width and len(word) > 1:
                cut = len(word)
                while cut > 1 and font.size(word[:cut])[0] > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def fit_size(measure: Callable[[int], int], room: int, start: int) -> int:
    """The largest text size from `start` down whose `measure(size)` (a height) fits `room` pixels.

    Never below the smallest size the game draws (theme.MIN_HINT_PX): past that, the caller's
    own clipping or scrolling takes over."""
    from game.ui.theme import MIN_HINT_PX

    size = start
    while size > MIN_HINT_PX and measure(size) > room:
        size -= 1
    return size


class TypeText:
    """Text that types out at `speed` characters a second (0: at once).

    Each wrapped line is rendered once; per frame only the visible prefix's width is
    measured, so typing costs a blit, not a render (the benchmark holds us to this).
    """

    def __init__(
        self,
        theme: Theme,
        text: str,
        width: int,
        *,
        speed: float = 45,
        size: int | None = None,
        color=None,
        kind: str = "sans",
    ) -> None:
        self.theme, self.width, self.speed, self.size, self.color, self.kind = theme, width, speed, size, color, kind
        self.shown = 0.0
        self.set_text(text)
        if speed <= 0:
            self.finish()

    def set_text(self, text: str) -> None:
        """Replace the text (streaming appends); what was already shown stays shown."""
        self.text = text
        font = self.theme.font(self.size, self.kind)
        self.lines = wrap(font, text, self.width)
        self._images = [font.render(line, True, self.color or self.theme.pal.text) for line in self.lines]
        self.line_height = font.get_linesize()
        self._font = font
        self.total = sum(len(line) for line in self.lines)

    @property
    def done(self) -> bool:
        return self.shown >= self.total

    def finish(self) -> None:
        self.shown = float(self.total)

    def update(self, dt: float) -> None:
        if self.speed > 0 and not self.done:
            self.shown = min(float(self.total), self.shown + self.speed * dt)

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)

    def draw(self, surface: pygame.Surface, x: int, y: int) -> None:
        left = int(self.shown)
        for line, img in zip(self.lines, self._images):
            if left <= 0:
                break
            if left >= len(line):
                surface.blit(img, (x, y))
            else:
                w = self._font.size(line[:left])[0]
                surface.blit(img, (x, y), pygame.Rect(0, 0, w, img.get_height()))
            left -= len(line)
            y += self.line_height


@dataclass
class Item:
    label: str
    action: Callable[[], Any] | None = None
    enabled: bool = True
    note: str = ""  # second, dimmer text (why disabled, a value, a shortcut)
    data: Any = None


@dataclass
class Menu:
    """A vertical list: arrows / Tab move, Enter or Space picks, number keys pick directly, mouse hovers and clicks."""

    items: list[Item]
    x: int
    y: int
    width: int = 520
    numbered: bool = False
    index: int = 0
    row_gap: int = 10
    rects: list[pygame.Rect] = field(default_factory=list)
    picked: int | None = None
    # False: nothing is focused until the player moves (an arrow, the mouse), so Enter alone
    # picks nothing. The story's choices use this: Enter pressed to finish reading the line
    # before must not also choose option 1.
    preselect: bool = True

    def __post_init__(self) -> None:
        if not self.preselect:
            self.index = -1
        else:
            self.index = self._next(self.index - 1, +1) if self.items else 0

    @property
    def focused(self) -> bool:
        return 0 <= self.index < len(self.items)

    def _next(self, start: int, step: int) -> int:
        n = len(self.items)
        i = start
        if start < 0 and step < 0:
            start = 0  # nothing focused yet: Up goes to the last item, as Down goes to the first
        for _ in range(n):
            i = (i + step) % n
            if self.items[i].enabled:
                return i
        return max(0, min(start, n - 1))

    def handle(self, event) -> bool:
        """True when the event was the menu's. Picking calls the item's action."""
        if not self.items:
            return False
        if event.type == pygame.KEYDOWN:
            if event.key in (pygame.K_DOWN, pygame.K_s) or (
                event.key == pygame.K_TAB and not event.mod & pygame.KMOD_SHIFT
            ):
                self.index = self._next(self.index, +1)
                return True
            if event.key in (pygame.K_UP, pygame.K_w) or (event.key == pygame.K_TAB and event.mod & pygame.KMOD_SHIFT):
                self.index = self._next(self.index, -1)
                return True
            if event.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
                return self.pick(self.index)
            if self.numbered and pygame.K_1 <= event.key <= pygame.K_9:
                return self.pick(event.key - pygame.K_1)
            if self.numbered and pygame.K_KP1 <= event.key <= pygame.K_KP9:
                return self.pick(event.key - pygame.K_KP1)
        elif event.type == pygame.MOUSEMOTION:
            for i, r in enumerate(self.rects):
                if r.collidepoint(event.pos) and self.items[i].enabled:
                    self.index = i
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            for i, r in enumerate(self.rects):
                if r.collidepoint(event.pos):
                    return self.pick(i)
        return False

    def pick(self, i: int) -> bool:
        if not (0 <= i < len(self.items)) or not self.items[i].enabled:
            return False
        self.index = i
        self.picked = i
        action = self.items[i].action
        if action:
            action()
        return True

    def measure(self, theme: Theme, *, size: int | None = None) -> int:
        """The menu's height when drawn (for centring before drawing)."""
        font, small = theme.font(size), theme.font(self.note_size(theme, size))
        total = 0
        for i, item in enumerate(self.items):
            label = f"{i + 1}. {item.label}" if self.numbered and i < 9 else item.label
            total += (
                font.get_linesize() * len(wrap(font, label, self.width - 70))
                + 18
                + (small.get_linesize() if item.note else 0)
                + self.row_gap
            )
        return total - self.row_gap if self.items else 0

    @staticmethod
    def note_size(theme: Theme, size: int | None) -> int:
        """Notes are smaller than their label, also when the menu is drawn smaller to fit."""
        from game.ui.theme import MIN_HINT_PX

        return max(MIN_HINT_PX, min(theme.scaled(0.7), int((size or theme.base) * 0.8)))

    def draw(self, surface, theme: Theme, *, size: int | None = None) -> None:
        pal = theme.pal
        font = theme.font(size)
        small = theme.font(self.note_size(theme, size))
        y = self.y
        self.rects = []
        for i, item in enumerate(self.items):
            label = f"{i + 1}. {item.label}" if self.numbered and i < 9 else item.label
            lines = wrap(font, label, self.width - 70)
            h = font.get_linesize() * len(lines) + 18 + (small.get_linesize() if item.note else 0)
            rect = pygame.Rect(self.x, y, self.width, h)
            self.rects.append(rect)
            focused = i == self.index
            theme.panel(
                surface, rect, radius=10, alpha=235 if focused else 190, edge=pal.focus if focused else pal.panel_edge
            )
            colour = pal.text if item.enabled else pal.dim
            ty = y + 9
            for line in lines:
                img = font.render(line, True, pal.focus if focused else colour)
                surface.blit(img, (self.x + 44, ty))
                ty += font.get_linesize()
            if focused:  # the marker shows focus without relying on colour
                surface.blit(font.render("▶", True, pal.focus), (self.x + 14, y + 9))
                pygame.draw.line(
                    surface,
                    pal.focus,
                    (self.x + 44, ty - 3),
                    (self.x + 44 + min(self.width - 80, font.size(lines[-1])[0]), ty - 3),
                    2,
                )
            if item.note:
                note, nsize = theme.fit(item.note, self.note_size(theme, size), self.width - 60)
                surface.blit(theme.render(note, nsize, color=pal.dim), (self.x + 44, ty))
            y += h + self.row_gap

    @property
    def height(self) -> int:
        return (self.rects[-1].bottom - self.y) if self.rects else 0


class TextBox:
    """One line of the player's own words: TEXTINPUT events, Backspace, Ctrl+U clears, Enter submits."""

    def __init__(self, max_len: int = 300, text: str = "") -> None:
        self.text = text
        self.max_len = max_len
        self.submitted: str | None = None
        self.blink = 0.0

    def handle(self, event) -> bool:
        if event.type == pygame.TEXTINPUT:
            room = self.max_len - len(self.text)
            if room > 0:
                # A pasted escape or NUL is not the player's words; line breaks become spaces. Not
                # clean_line: it trims, and a space arrives as a TEXTINPUT of its own.
                self.text += clean(event.text).replace("\n", " ").replace("\t", " ")[:room]
            return True
        if event.type == pygame.KEYDOWN:
            if event.key == pygame.K_BACKSPACE:
                if event.mod & pygame.KMOD_CTRL:
                    self.text = self.text.rstrip().rpartition(" ")[0]
                else:
                    self.text = self.text[:-1]
                return True
            if event.key == pygame.K_u and event.mod & pygame.KMOD_CTRL:
                self.text = ""
                return True
            if event.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
                self.submitted = self.text
                return True
        return False

    def take(self) -> str | None:
        s, self.submitted = self.submitted, None
        return s

    def update(self, dt: float) -> None:
        self.blink = (self.blink + dt) % 1.0

    def draw(self, surface, theme: Theme, rect: pygame.Rect, placeholder: str = "") -> None:
        theme.panel(surface, rect, radius=8, alpha=240, edge=theme.pal.focus)
        font = theme.font()
        shown = self.text
        while shown and font.size(shown)[0] > rect.width - 40:
            shown = shown[1:]  # keep the end (where the caret is) in view
        if shown:
            img = font.render(shown, True, theme.pal.text)
        else:
            img = font.render(placeholder, True, theme.pal.dim)
        y = rect.centery - img.get_height() // 2
        surface.blit(img, (rect.x + 16, y))
        if self.blink < 0.55:
            cx = rect.x + 16 + (font.size(shown)[0] if shown else 0) + 2
            pygame.draw.line(surface, theme.pal.focus, (cx, y + 2), (cx, y + img.get_height() - 2), 2)
