"""The look of the game, drawn in code: colours, fonts (shipped DejaVu only), panels.

Two palettes: the default (night-lab blues, a cyan accent) and high contrast (pure
black panels, white text, yellow focus, thick outlines). Focus and state are always also
shown by a shape or a word (a ▶ marker, an underline, "(read)", "[generated]"), never by
colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from game.paths import assets_dir
from game.textsafe import clean

FONT_DIR = assets_dir() / "fonts"
FONTS = {"sans": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "mono": "DejaVuSansMono.ttf"}
W, H = 1280, 720
# Text on a panel stays readable whatever art lies behind it: a panel is never more
# see-through than this, so even over white its colour keeps every palette's text colours
# at WCAG AA contrast (4.5:1, checked in tests/test_ui_overlays.py with contrast()).
MIN_PANEL_ALPHA = 232
MIN_HINT_PX = 16  # the smallest text the game draws for players (hints, footers)


def luminance(colour) -> float:
    """WCAG relative luminance of an sRGB colour (0 black .. 1 white)."""

    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = colour[:3]
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(fg, bg) -> float:
    """WCAG contrast ratio of two colours, 1..21; AA for body text is 4.5."""
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def over(rgba, backdrop) -> tuple:
    """An RGBA colour composited over an opaque backdrop."""
    a = (rgba[3] if len(rgba) > 3 else 255) / 255
    return tuple(round(c * a + d * (1 - a)) for c, d in zip(rgba[:3], backdrop[:3]))


def worst_contrast(fg, rgba) -> float:
    """The lowest contrast of `fg` on a panel of colour `rgba`, over any art (white and black bound it)."""
    return min(contrast(fg, over(rgba, (255, 255, 255))), contrast(fg, over(rgba, (0, 0, 0))))


class ShownFont(pygame.font.Font):
    """A font for text from anywhere (a level, a variable, a save): control characters are dropped
    before drawing or measuring (pygame refuses to draw a NUL; the rest would show as boxes)."""

    def render(self, text, *args, **kwargs):
        return super().render(clean(text) if isinstance(text, str) else text, *args, **kwargs)

    def size(self, text):
        return super().size(clean(text) if isinstance(text, str) else text)


@dataclass(frozen=True)
class Palette:
    text: tuple
    dim: tuple
    accent: tuple
    focus: tuple
    panel: tuple  # RGBA
    panel_edge: tuple
    shade: tuple  # RGBA overlay behind menus
    warn: tuple
    gold: tuple
    edge_width: int
    high_contrast: bool = False


DEFAULT = Palette(
    text=(232, 236, 246),
    dim=(150, 160, 182),
    accent=(110, 205, 255),
    focus=(255, 214, 102),
    panel=(12, 18, 34, 236),
    panel_edge=(70, 110, 170),
    shade=(4, 6, 14, 170),
    warn=(255, 128, 110),
    gold=(240, 196, 80),
    edge_width=2,
)
HIGH_CONTRAST = Palette(
    text=(255, 255, 255),
    dim=(225, 225, 225),
    accent=(255, 255, 0),
    focus=(255, 255, 0),
    panel=(0, 0, 0, 255),
    panel_edge=(255, 255, 255),
    shade=(0, 0, 0, 230),
    warn=(255, 170, 0),
    gold=(255, 220, 0),
    edge_width=4,
    high_contrast=True,
)


class Theme:
    def __init__(self, base_size: int = 26, high_contrast: bool = False) -> None:
        self._fonts: dict[tuple[str, int], pygame.font.Font] = {}
        self._boxes: dict[tuple, pygame.Surface] = {}
        self._texts: dict[tuple, pygame.Surface] = {}
        self._fits: dict[tuple, tuple[str, int]] = {}
        self.configure(base_size, high_contrast)

    def configure(self, base_size: int, high_contrast: bool) -> None:
        self.base = base_size
        self.pal = HIGH_CONTRAST if high_contrast else DEFAULT

    def font(self, size: int | None = None, kind: str = "sans") -> pygame.font.Font:
        size = int(size or self.base)
        key = (kind, size)
        f = self._fonts.get(key)
        if f is None:
            f = self._fonts[key] = ShownFont(str(FONT_DIR / FONTS[kind]), size)
        return f

    def scaled(self, factor: float) -> int:
        """A size relative to the player's text size (titles, small print); never below MIN_HINT_PX."""
        return max(MIN_HINT_PX, int(round(self.base * factor)))

    def fit(self, text: str, size: int, width: int, kind: str = "sans") -> tuple[str, int]:
        """(text, size) that fits `width` pixels: a smaller size down to MIN_HINT_PX, then an ellipsis.

        Cached: hints and labels are fitted every frame, and measuring text is not free."""
        key = (text, size, width, kind)
        got = self._fits.get(key)
        if got is None:
            if len(self._fits) > 512:
                self._fits.clear()
            got = self._fits[key] = self._fit(text, size, width, kind)
        return got

    def _fit(self, text: str, size: int, width: int, kind: str) -> tuple[str, int]:
        while size > MIN_HINT_PX and self.font(size, kind).size(text)[0] > width:
            size -= 1
        font = self.font(size, kind)
        if font.size(text)[0] <= width:
            return text, size
        while len(text) > 1 and font.size(text + "…")[0] > width:
            text = text[:-1]
        return text.rstrip() + "…", size

    def hint(
        self,
        surface,
        text: str,
        pos,
        *,
        anchor: str = "midbottom",
        color=None,
        size: int | None = None,
        max_width: int | None = None,
    ) -> pygame.Rect:
        """Small print (a key hint, a footer) on its own plate, so it reads over any art."""
        size = size or self.scaled(0.62)
        text, size = self.fit(text, size, (max_width or W - 40) - 24)
        img = self.render(text, size, color=color or self.pal.dim)
        plate = img.get_rect(**{anchor: pos}).inflate(24, 8)
        plate.clamp_ip(pygame.Rect(0, 0, W, H))
        self.panel(surface, plate, radius=8, alpha=245, edge=self.pal.panel)
        surface.blit(img, img.get_rect(center=plate.center))
        return plate

    def speaker_color(self, color: str | None) -> tuple:
        if self.pal.high_contrast or not color:
            return self.pal.accent
        try:
            c = pygame.Color(color)
            return (c.r, c.g, c.b)
        except (ValueError, TypeError):
            return self.pal.accent

    def panel(
        self,
        surface: pygame.Surface,
        rect: pygame.Rect,
        *,
        radius: int = 14,
        alpha: int | None = None,
        edge: tuple | None = None,
    ) -> None:
        alpha = self.pal.panel[3] if alpha is None else max(alpha, MIN_PANEL_ALPHA)
        colour = (*self.pal.panel[:3], alpha)
        # Translucent boxes are cached by size and colour: allocating one per panel per frame
        # cost milliseconds and caused garbage-collection spikes (see benchmarks/frames.py).
        key = (rect.size, colour, radius)
        box = self._boxes.get(key)
        if box is None:
            if len(self._boxes) > 256:
                self._boxes.clear()
            box = pygame.Surface(rect.size, pygame.SRCALPHA)
            pygame.draw.rect(box, colour, box.get_rect(), border_radius=radius)
            if pygame.display.get_surface() is not None:
                box = box.convert_alpha()  # the display's pixel format: blended blits without a conversion
            self._boxes[key] = box
        surface.blit(box, rect.topleft)
        pygame.draw.rect(surface, edge or self.pal.panel_edge, rect, self.pal.edge_width, border_radius=radius)

    def shade(self, surface: pygame.Surface) -> None:
        key = (surface.get_size(), self.pal.shade, "shade")
        veil = self._boxes.get(key)
        if veil is None:
            veil = self._boxes[key] = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
            veil.fill(self.pal.shade)
        surface.blit(veil, (0, 0))

    def render(self, text: str, size: int | None = None, kind: str = "sans", color=None) -> pygame.Surface:
        """Rendered text, cached: most labels are the same every frame."""
        key = (text, size or self.base, kind, tuple(color or self.pal.text))
        img = self._texts.get(key)
        if img is None:
            if len(self._texts) > 512:
                self._texts.clear()
            img = self._texts[key] = self.font(size, kind).render(text, True, color or self.pal.text)
        return img

    def text(
        self,
        surface,
        text: str,
        pos,
        *,
        size: int | None = None,
        kind: str = "sans",
        color=None,
        anchor: str = "topleft",
    ) -> pygame.Rect:
        img = self.render(text, size, kind, color)
        rect = img.get_rect(**{anchor: pos})
        surface.blit(img, rect)
        return rect
