"""Scene backgrounds drawn in code: a lab at night, server racks, space with stars, an
office, a red alert, a terminal. Chosen by the scene's `background:` name (keywords), or
by a stable hash of the scene id so each scene keeps its look. Each is drawn once per
name and size and cached; `draw_live` adds a few cheap animated touches (blinking LEDs,
twinkling stars) so the frame stays a couple of blits.
"""

from __future__ import annotations

import functools
import random
import zlib

import numpy as np
import pygame

KINDS = ["lab", "servers", "space", "office", "alert", "terminal", "dawn", "apartment", "cafeteria"]
# Checked in this order: the first kind with a word in the name wins ("lab_dawn" is dawn, not the
# night lab; "lab_cafeteria" is the cafeteria, not James's place).
KEYWORDS = {
    "dawn": ["dawn", "sunrise", "morning"],
    "cafeteria": ["cafeteria", "canteen", "cafe", "kitchen", "table"],
    "apartment": ["apartment", "couch", "home", "living", "flat"],
    "space": ["space", "star", "orbit", "void", "gold", "cosmos"],
    "servers": ["server", "rack", "cluster", "datacenter", "defense", "defence", "training"],
    "alert": ["alert", "breach", "alarm", "attack", "red"],
    "terminal": ["terminal", "console", "code", "demo", "villain", "build"],
    "office": ["office", "desk", "studio", "james"],
    "lab": ["lab", "night", "door", "briefing"],
}
_cache: dict[tuple[str, tuple[int, int], bool], pygame.Surface] = {}


def kind_for(name: str | None, scene_id: str = "") -> str:
    key = (name or scene_id or "").lower()
    if name and name.lower() in KINDS:
        return name.lower()
    for kind, words in KEYWORDS.items():
        if any(w in key for w in words):
            return kind
    return KINDS[zlib.crc32(key.encode()) % len(KINDS)]


def _gradient(size, top, bottom) -> pygame.Surface:
    w, h = size
    t = np.linspace(0.0, 1.0, h)[None, :, None]
    arr = np.array(top)[None, None, :] * (1 - t) + np.array(bottom)[None, None, :] * t
    arr = np.broadcast_to(arr, (w, h, 3)).astype(np.uint8)
    return pygame.surfarray.make_surface(np.ascontiguousarray(arr))


def _glow(surface, centre, radius, colour, strength=90):
    """A soft additive light: a radial falloff premultiplied into the colour (BLEND_ADD ignores alpha)."""
    # float32 and broadcast axes (ogrid), not full float64 grids: a 520 px glow used to allocate
    # ~60 MB of temporaries, which was most of the game's peak memory.
    yy, xx = np.ogrid[-radius:radius, -radius:radius]
    fall = np.sqrt((xx * xx + yy * yy).astype(np.float32))
    fall *= np.float32(-1.0 / radius)
    fall += np.float32(1.0)
    np.clip(fall, 0.0, 1.0, out=fall)
    fall *= fall
    fall *= np.float32(strength / 255.0)
    arr = np.empty((2 * radius, 2 * radius, 3), np.uint8)
    for c in range(3):
        arr[:, :, c] = fall.T * np.float32(colour[c])
    surface.blit(
        pygame.surfarray.make_surface(np.ascontiguousarray(arr)),
        (centre[0] - radius, centre[1] - radius),
        special_flags=pygame.BLEND_RGB_ADD,
    )


def _stars(surface, rng, n, w, h):
    for _ in range(n):
        x, y = rng.randrange(w), rng.randrange(h)
        b = rng.randrange(90, 255)
        surface.set_at((x, y), (b, b, min(255, b + 20)))
        if rng.random() < 0.06:
            pygame.draw.circle(surface, (b, b, 255), (x, y), 1)


def _lab(s, rng, w, h):
    s.blit(_gradient((w, h), (8, 14, 32), (18, 28, 52)), (0, 0))
    # Windows onto a night city.
    for i in range(3):
        win = pygame.Rect(90 + i * 390, 70, 320, 250)
        pygame.draw.rect(s, (14, 22, 48), win)
        _stars(s.subsurface(win), rng, 40, win.w, win.h)
        for b in range(7):
            bh = rng.randrange(60, 180)
            bx = win.x + b * 48
            pygame.draw.rect(s, (10, 14, 28), (bx, win.bottom - bh, 42, bh))
            for _ in range(6):
                if rng.random() < 0.5:
                    pygame.draw.rect(
                        s, (230, 200, 120), (bx + rng.randrange(4, 34), win.bottom - rng.randrange(10, bh), 4, 5)
                    )
        pygame.draw.rect(s, (60, 80, 120), win, 6)
        pygame.draw.line(s, (60, 80, 120), (win.centerx, win.top), (win.centerx, win.bottom), 4)
    # Floor, desk, monitors glowing.
    pygame.draw.rect(s, (12, 16, 30), (0, 430, w, h - 430))
    pygame.draw.rect(s, (30, 36, 58), (160, 400, 960, 26), border_radius=6)
    for i, x in enumerate((260, 540, 820)):
        pygame.draw.rect(s, (20, 26, 44), (x, 300, 200, 110), border_radius=6)
        pygame.draw.rect(s, (40, 120, 170) if i != 1 else (60, 170, 200), (x + 8, 308, 184, 90), border_radius=4)
        for ln in range(6):
            pygame.draw.line(
                s, (160, 230, 255), (x + 18, 320 + ln * 12), (x + 18 + rng.randrange(40, 160), 320 + ln * 12), 2
            )
        _glow(s, (x + 100, 355), 160, (40, 110, 160), 40)


def _servers(s, rng, w, h):
    s.blit(_gradient((w, h), (6, 10, 20), (14, 22, 36)), (0, 0))
    for i in range(9):
        x = 30 + i * 140
        rack = pygame.Rect(x, 90 + (i % 2) * 10, 110, 520)
        pygame.draw.rect(s, (22, 28, 42), rack, border_radius=4)
        pygame.draw.rect(s, (50, 60, 84), rack, 3, border_radius=4)
        for u in range(20):
            y = rack.y + 14 + u * 25
            pygame.draw.rect(s, (32, 40, 58), (rack.x + 8, y, rack.w - 16, 20))
            for v in range(8):
                pygame.draw.line(s, (18, 22, 34), (rack.x + 14 + v * 6, y + 4), (rack.x + 14 + v * 6, y + 16), 2)
    pygame.draw.polygon(s, (10, 14, 24), [(0, h), (w, h), (w, 620), (0, 620)])
    _glow(s, (w // 2, 40), 420, (30, 80, 140), 45)


def _space(s, rng, w, h):
    s.blit(_gradient((w, h), (2, 2, 10), (8, 6, 26)), (0, 0))
    for colour, (cx, cy) in (((60, 20, 90), (900, 200)), ((20, 40, 90), (300, 520))):
        _glow(s, (cx, cy), 380, colour, 70)
    _stars(s, rng, 700, w, h)
    pygame.draw.circle(s, (30, 40, 80), (1120, 640), 190)
    _glow(s, (1120, 640), 240, (60, 120, 220), 50)


def _office(s, rng, w, h):
    s.blit(_gradient((w, h), (36, 30, 46), (22, 18, 28)), (0, 0))
    pygame.draw.rect(s, (52, 44, 60), (0, 0, w, 420))
    for i in range(4):  # posters and a whiteboard
        r = pygame.Rect(80 + i * 300, 90, 200 if i != 2 else 260, 150)
        pygame.draw.rect(s, (210, 214, 220) if i == 2 else (rng.randrange(60, 140), 60, rng.randrange(80, 160)), r)
        if i == 2:
            for ln in range(5):
                pygame.draw.line(
                    s,
                    (60, 90, 160),
                    (r.x + 16, r.y + 24 + ln * 24),
                    (r.x + 16 + rng.randrange(60, 220), r.y + 24 + ln * 24),
                    3,
                )
    pygame.draw.rect(s, (70, 50, 40), (100, 420, 1080, 30))
    pygame.draw.rect(s, (26, 26, 34), (480, 300, 320, 120), border_radius=6)
    pygame.draw.rect(s, (180, 60, 60), (492, 312, 296, 96))
    _glow(s, (640, 160), 300, (255, 200, 140), 35)


def _alert(s, rng, w, h):
    _servers(s, rng, w, h)
    red = pygame.Surface((w, h), pygame.SRCALPHA)
    red.fill((150, 10, 20, 90))
    s.blit(red, (0, 0))
    _glow(s, (w // 2, 0), 500, (200, 30, 30), 80)


def _terminal(s, rng, w, h):
    s.fill((4, 10, 8))
    from game.ui.theme import FONT_DIR

    font = pygame.font.Font(str(FONT_DIR / "DejaVuSansMono.ttf"), 18)
    glyphs = "01<>{}[]=+*#$%&ΣΔλ"
    for col in range(0, w, 26):
        for row in range(0, h, 26):
            if rng.random() < 0.35:
                c = rng.randrange(40, 120)
                s.blit(font.render(rng.choice(glyphs), True, (20, c, 50)), (col, row))
    _glow(s, (w // 2, h // 2), 520, (20, 80, 40), 50)


def _dawn(s, rng, w, h):
    """The lab as the sun comes up: the same room, a pink-orange sky in the windows, warm light."""
    _lab(s, rng, w, h)
    for i in range(3):
        win = pygame.Rect(90 + i * 390, 70, 320, 250)
        s.blit(_gradient(win.size, (250, 170, 120), (120, 110, 170)), win.topleft)
        sun = (win.x + 160 + (i - 1) * 120, win.bottom - 20)
        pygame.draw.circle(s, (255, 220, 150), sun, 34)
        for b in range(7):
            bh = 60 + (b * 37 + i * 23) % 120
            pygame.draw.rect(s, (70, 60, 90), (win.x + b * 48, win.bottom - bh, 42, bh))
        pygame.draw.rect(s, (90, 90, 120), win, 6)
        pygame.draw.line(s, (90, 90, 120), (win.centerx, win.top), (win.centerx, win.bottom), 4)
    _glow(s, (w // 2, 200), 520, (120, 70, 30), 60)


def _apartment(s, rng, w, h):
    """James's place: a warm living room, the couch, a lamp, a laptop on the coffee table."""
    s.blit(_gradient((w, h), (60, 42, 40), (34, 24, 26)), (0, 0))
    pygame.draw.rect(s, (44, 32, 32), (0, 470, w, h - 470))
    window = pygame.Rect(820, 80, 340, 230)
    s.blit(_gradient(window.size, (24, 30, 64), (60, 50, 90)), window.topleft)
    _stars(s.subsurface(window), rng, 25, window.w, window.h)
    pygame.draw.rect(s, (90, 66, 56), window, 8)
    for x in range(140, 700, 160):  # posters of James's old games
        r = pygame.Rect(x, 110, 110, 150)
        pygame.draw.rect(s, (rng.randrange(90, 200), rng.randrange(40, 120), rng.randrange(60, 160)), r)
        pygame.draw.rect(s, (30, 20, 20), r, 4)
    couch = pygame.Rect(160, 360, 640, 150)
    pygame.draw.rect(s, (110, 60, 50), couch, border_radius=26)
    pygame.draw.rect(s, (130, 74, 60), (couch.x + 20, couch.y - 60, couch.w - 40, 90), border_radius=22)
    for i in range(3):
        pygame.draw.rect(s, (146, 86, 70), (couch.x + 30 + i * 200, couch.y + 10, 180, 60), border_radius=14)
    pygame.draw.rect(s, (70, 48, 36), (300, 540, 420, 26), border_radius=6)  # coffee table
    pygame.draw.rect(s, (40, 44, 56), (440, 506, 150, 36), border_radius=4)  # the laptop
    pygame.draw.rect(s, (120, 200, 230), (450, 510, 130, 26))
    pygame.draw.line(s, (90, 70, 50), (1000, 470), (1000, 330), 6)  # the lamp
    pygame.draw.polygon(s, (240, 200, 130), [(960, 330), (1040, 330), (1020, 280), (980, 280)])
    _glow(s, (1000, 320), 260, (255, 180, 100), 60)


def _cafeteria(s, rng, w, h):
    """The lab's cafeteria by day: long tables, trays, big bright windows."""
    s.blit(_gradient((w, h), (196, 206, 214), (150, 160, 170)), (0, 0))
    for i in range(4):
        win = pygame.Rect(60 + i * 300, 50, 260, 230)
        s.blit(_gradient(win.size, (150, 200, 240), (210, 230, 245)), win.topleft)
        pygame.draw.rect(s, (110, 120, 130), win, 6)
    pygame.draw.rect(s, (120, 116, 110), (0, 430, w, h - 430))
    for row in range(2):
        table = pygame.Rect(100 + row * 80, 420 + row * 120, 1000, 40)
        pygame.draw.rect(s, (220, 214, 200), table, border_radius=8)
        pygame.draw.rect(s, (150, 140, 130), table, 2, border_radius=8)
        for k in range(6):
            tray = pygame.Rect(table.x + 40 + k * 160, table.y + 8, 70, 24)
            pygame.draw.rect(s, (rng.randrange(90, 200), 120, rng.randrange(90, 180)), tray, border_radius=4)
    pygame.draw.rect(s, (80, 90, 100), (1100, 200, 120, 220), border_radius=6)  # coffee machine
    pygame.draw.rect(s, (200, 60, 60), (1120, 220, 80, 40), border_radius=4)


PAINTERS = {
    "dawn": _dawn,
    "apartment": _apartment,
    "cafeteria": _cafeteria,
    "lab": _lab,
    "servers": _servers,
    "space": _space,
    "office": _office,
    "alert": _alert,
    "terminal": _terminal,
}


def background(kind: str, size=(1280, 720), dim: bool = False) -> pygame.Surface:
    """The cached picture for `kind`; `dim` darkens it (high contrast and menus)."""
    key = (kind, tuple(size), dim)
    surf = _cache.get(key)
    if surf is None:
        surf = pygame.Surface(size)
        PAINTERS.get(kind, _lab)(surf, random.Random(zlib.crc32(kind.encode())), *size)
        if dim:
            veil = pygame.Surface(size, pygame.SRCALPHA)
            veil.fill((0, 0, 0, 150))
            surf.blit(veil, (0, 0))
        surf = surf.convert() if pygame.display.get_surface() else surf
        _cache[key] = surf
    return surf


def draw_live(surface: pygame.Surface, kind: str, t: float, dim: bool = False) -> None:
    """Blit the cached background and the few things that move."""
    surface.blit(background(kind, surface.get_size(), dim), (0, 0))
    if not dim:
        draw_moving(surface, kind, t)


@functools.cache
def moving_parts(kind: str) -> tuple[tuple[tuple[int, int, int, int], float], ...]:
    """Where the moving touches of a scene are ((x, y, w, h), phase): fixed per scene, so a
    screen that keeps its still parts cached can tell which of them its own text hides.
    Plain tuples, not Rects: the cache is shared, and a Rect could be changed by a caller."""
    rng = random.Random(zlib.crc32(kind.encode()) + 7)
    if kind in ("servers", "alert"):
        return tuple(
            ((30 + i * 140 + 70 + (u % 3) * 8, 90 + (i % 2) * 10 + 20 + u * 25, 4, 4), rng.random())
            for i in range(9)
            for u in range(20)
        )
    if kind == "space":
        parts = []
        for _ in range(40):
            x, y, phase = rng.randrange(1280), rng.randrange(720), rng.random() * 6.28
            parts.append(((x, y, 2, 2), phase))
        return tuple(parts)
    return ()


def draw_moving(surface: pygame.Surface, kind: str, t: float, hidden: frozenset[int] = frozenset()) -> None:
    """The moving touches alone (blinking LEDs, twinkling stars), over what is already drawn;
    `hidden`: indexes (into moving_parts) of those covered by something drawn above them."""
    for n, (rect, phase) in enumerate(moving_parts(kind)):
        if n in hidden:
            continue
        if kind == "space":
            b = int(150 + 105 * np.sin(t * 2 + phase))
            surface.fill((b, b, 255), rect)
        elif (t * (0.5 + phase * 2) + phase) % 1.0 < 0.5:
            u = n % 20
            surface.fill((255, 80, 80) if kind == "alert" and u % 5 == 0 else (80, 255, 140), rect)
