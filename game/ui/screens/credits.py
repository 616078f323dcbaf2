"""Credits: the data, fonts, libraries and assets the game is built from, with their licences.

The asset list is read from assets/CREDITS.md and the font licence from the file
shipped beside the fonts, at run time, so the screen says what the files say; library
versions and licences come from the installed distributions' metadata. Keyboard
scrollable (arrows, PageUp/PageDown, Home/End); Esc or Enter closes.
"""

from __future__ import annotations

import re
from importlib import metadata
from typing import Any

import pygame

from game.paths import assets_dir
from game.ui import backgrounds
from game.ui.screens.base import Screen
from game.ui.theme import H, W
from game.ui.widgets import wrap

ASSETS = assets_dir()

# (distribution, what the game uses it for, licence when the metadata does not say)
LIBRARIES = [
    ("pygame-ce", "the window, drawing, input and sound", "LGPL-2.1"),
    ("transitions", "the story's state machines", "MIT"),
    ("PyYAML", "reading levels and settings", "MIT"),
    ("platformdirs", "where saves and settings live", "MIT"),
    ("numpy", "the drawing recognizer and the ambient sound", "BSD-3-Clause"),
    ("openai", "talking to OpenAI-compatible dialogue and vision models", "Apache-2.0"),
]


def _library_line(dist: str, what: str, fallback: str) -> str:
    try:
        md: Any = metadata.metadata(dist)  # an email.message.Message: it has .get, which the protocol omits
    except metadata.PackageNotFoundError:
        return f"{dist} ({fallback}): {what}. Not installed here."
    licence = md.get("License-Expression") or ""
    if not licence:
        classifiers = [c.split("::")[-1].strip() for c in md.get_all("Classifier") or [] if c.startswith("License ::")]
        licence = classifiers[0] if classifiers else fallback
    return f"{dist} {md.get('Version', '')} ({licence}): {what}."


def _markdown_lines(text: str) -> list[tuple[str, str]]:
    """CREDITS.md as (style, text) rows: headings, one row per table line, paragraphs."""
    out: list[tuple[str, str]] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            out.append(("body", " ".join(para)))
            para.clear()

    header: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#"):
            flush()
            out.append(("heading", line.lstrip("#").strip()))
        elif line.startswith("|"):
            flush()
            cells = [c.strip().replace("`", "") for c in line.strip("|").split("|")]
            if all(re.fullmatch(r":?-+:?", c) for c in cells if c):
                continue
            if header is None:
                header = cells
                continue
            out.append(("item", "; ".join(f"{h}: {c}" if h else c for h, c in zip(header, cells))))
        else:
            para.append(line.replace("`", ""))
    flush()
    return out


def credit_rows() -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = [("title", "Credits"), ("heading", "Data")]
    rows.append(
        (
            "item",
            "Drawings: Quick, Draw! dataset by Google, CC BY 4.0. The drawing minigame's recognizer was trained on it.",
        )
    )
    rows.append(("heading", "Fonts"))
    rows.append(
        (
            "item",
            "DejaVu Sans, DejaVu Sans Bold and DejaVu Sans Mono: Bitstream Vera fonts by "
            "Bitstream, Inc., with DejaVu changes in the public domain. Their licence follows.",
        )
    )
    try:
        licence = (ASSETS / "fonts" / "DejaVu-LICENSE.txt").read_text(encoding="utf-8", errors="replace")
        rows += [("small", line) for line in licence.strip().splitlines()]
    except OSError as exc:
        rows.append(
            (
                "warn",
                f"The font licence file is missing from this copy ({exc.strerror}): "
                "see https://dejavu-fonts.github.io/License.html",
            )
        )
    rows.append(("heading", "Libraries"))
    rows += [("item", _library_line(*lib)) for lib in LIBRARIES]
    rows.append(("heading", "Assets (assets/CREDITS.md)"))
    try:
        rows += _markdown_lines((ASSETS / "CREDITS.md").read_text(encoding="utf-8"))
    except OSError as exc:
        rows.append(("warn", f"assets/CREDITS.md could not be read ({exc.strerror})."))
    rows.append(("heading", "Treacherous Turn"))
    rows.append(("item", "Story, code and everything else drawn in code: the Treacherous Turn authors."))
    return rows


class CreditsScreen(Screen):
    name = "credits"

    def __init__(self, app) -> None:
        super().__init__(app)
        self.rows = credit_rows()
        self.scroll = 0.0
        self._layout: tuple | None = None

    def _lines(self) -> list[tuple[str, str]]:
        """The rows wrapped to the panel at the current text size (cached until it changes)."""
        th = self.theme
        key = (th.base, th.pal.high_contrast)
        if self._layout is None or self._layout[0] != key:
            lines: list[tuple[str, str]] = []
            for style, text in self.rows:
                font = th.font(self._size(style), "bold" if style in ("title", "heading") else "sans")
                if style == "heading":
                    lines.append(("gap", ""))
                for part in wrap(font, text, self.VIEW.w - 80) if text else [""]:
                    lines.append((style, part))
            self._layout = (key, lines)
        return self._layout[1]

    VIEW = pygame.Rect(120, 40, W - 240, H - 110)

    def _size(self, style: str) -> int:
        th = self.theme
        return {"title": th.scaled(1.4), "heading": th.scaled(1.0), "small": th.scaled(0.6)}.get(style, th.scaled(0.75))

    def _height(self, style: str) -> int:
        return 12 if style == "gap" else self.theme.font(self._size(style)).get_linesize()

    def max_scroll(self) -> float:
        total = sum(self._height(s) for s, _ in self._lines())
        return max(0.0, total - (self.VIEW.h - 40))

    def handle(self, event) -> bool:
        if event.type == pygame.KEYDOWN:
            k = event.key
            step = self.theme.font().get_linesize()
            page = self.VIEW.h - 80
            moves = {
                pygame.K_DOWN: step,
                pygame.K_s: step,
                pygame.K_UP: -step,
                pygame.K_w: -step,
                pygame.K_PAGEDOWN: page,
                pygame.K_SPACE: page,
                pygame.K_PAGEUP: -page,
                pygame.K_HOME: -1e9,
                pygame.K_END: 1e9,
            }
            if k in moves:
                self.scroll = min(self.max_scroll(), max(0.0, self.scroll + moves[k]))
                return True
            if k in (pygame.K_ESCAPE, pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_BACKSPACE):
                self.app.pop(self)
                return True
        if event.type == pygame.MOUSEWHEEL:
            self.scroll = min(self.max_scroll(), max(0.0, self.scroll - event.y * 40))
            return True
        return False

    def draw(self, surface) -> None:
        th = self.theme
        backgrounds.draw_live(surface, "space", self.app.t, dim=True)
        th.panel(surface, self.VIEW)
        clip = self.VIEW.inflate(-40, -40)
        prev = surface.get_clip()
        surface.set_clip(clip)
        y = clip.y - int(self.scroll)
        colours = {"title": th.pal.gold, "heading": th.pal.accent, "small": th.pal.dim, "warn": th.pal.warn}
        for style, text in self._lines():
            h = self._height(style)
            if y + h >= clip.y and text:
                th.text(
                    surface,
                    text,
                    (clip.x + 20, y),
                    size=self._size(style),
                    kind="bold" if style in ("title", "heading") else "sans",
                    color=colours.get(style, th.pal.text),
                )
            y += h
            if y > clip.bottom:
                break
        surface.set_clip(prev)
        th.text(
            surface,
            "Up/Down, PageUp/PageDown, Home/End to scroll  ·  Esc or Enter to close",
            (W // 2, H - 24),
            size=th.scaled(0.6),
            color=th.pal.dim,
            anchor="midbottom",
        )

    def describe(self):
        return {
            "screen": self.name,
            "scroll": self.scroll,
            "max_scroll": self.max_scroll(),
            "text": [t for _, t in self.rows],
        }
