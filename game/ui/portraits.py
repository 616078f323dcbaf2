"""Portraits drawn in code: a bust for every speaking character, with every face of FACES.

A person is a head, hair, eyes, brows and a mouth; an expression moves the brows and the
mouth and opens or narrows the eyes, so eight faces come from a handful of shapes. The AI
characters are not people: ARIA is a soft glowing lens whose "eyes" change shape, the
system is a terminal with a glyph face, and the comic villain is a horned mask. Each
character's look (skin, hair, clothes) comes from LOOKS, or for a character the game has
never seen, from a stable hash of its id and its colour, so every speaker has a face.
Drawn once per (character, face, size) and cached.
"""

from __future__ import annotations

import math
import zlib
from typing import Any

import pygame

from game.story.steps.line import FACES

SIZE = 220
_cache: dict[tuple, pygame.Surface] = {}

# skin, hair colour, hair style, clothes; kind: person / lens / terminal / mask
LOOKS: dict[str, dict[str, Any]] = {
    "james": {
        "skin": (224, 178, 140),
        "hair": (70, 44, 30),
        "style": "messy",
        "clothes": (230, 140, 70),
        "extra": "stubble",
    },
    "sarah": {
        "skin": (196, 140, 104),
        "hair": (30, 24, 22),
        "style": "bun",
        "clothes": (90, 170, 110),
        "extra": "glasses",
    },
    "priya": {"skin": (170, 112, 80), "hair": (24, 18, 20), "style": "long", "clothes": (220, 120, 180)},
    "marcus": {
        "skin": (120, 80, 56),
        "hair": (20, 20, 24),
        "style": "short",
        "clothes": (70, 90, 140),
        "extra": "beard",
    },
    "dana": {"skin": (236, 200, 170), "hair": (200, 120, 60), "style": "bob", "clothes": (120, 110, 200)},
    "tomas": {
        "skin": (210, 164, 124),
        "hair": (120, 90, 60),
        "style": "short",
        "clothes": (80, 130, 120),
        "extra": "glasses",
    },
    "aria": {"kind": "lens"},
    "system": {"kind": "terminal"},
    "villain": {"kind": "mask"},
}
SKINS = [(236, 200, 170), (224, 178, 140), (196, 140, 104), (170, 112, 80), (120, 80, 56)]
HAIRS = [(30, 24, 22), (70, 44, 30), (120, 90, 60), (200, 120, 60), (180, 180, 190)]
STYLES = ["short", "messy", "bob", "long", "bun"]


def look_for(char_id: str, colour=None) -> dict[str, Any]:
    """The character's look: authored in LOOKS, else made up from its id (stable across runs)."""
    if char_id in LOOKS:
        return LOOKS[char_id]
    h = zlib.crc32(char_id.encode())
    return {
        "skin": SKINS[h % len(SKINS)],
        "hair": HAIRS[(h >> 4) % len(HAIRS)],
        "style": STYLES[(h >> 8) % len(STYLES)],
        "clothes": tuple(colour or (90, 110, 150)),
    }


def faces_of(char_id: str) -> tuple[str, ...]:
    """The expressions this character's portrait has (all of FACES for every kind drawn here)."""
    return FACES


def portrait(char_id: str, face: str = "", size: int = SIZE, colour=None) -> pygame.Surface:
    """The bust of `char_id` with `face` (one of FACES; "" or unknown: neutral), `size` pixels square."""
    face = face if face in FACES else "neutral"
    key = (char_id, face, size, tuple(colour or ()))
    img = _cache.get(key)
    if img is None:
        if len(_cache) > 200:
            _cache.clear()
        img = pygame.Surface((SIZE, SIZE), pygame.SRCALPHA)
        look = look_for(char_id, colour)
        {"lens": _lens, "terminal": _terminal, "mask": _mask}.get(look.get("kind", "person"), _person)(
            img, look, face, colour
        )
        if size != SIZE:
            img = pygame.transform.smoothscale(img, (size, size))
        _cache[key] = img
    return img


# ---------------------------------------------------------------- people
def _shade(c, k: float) -> tuple:
    return tuple(max(0, min(255, int(v * k))) for v in c[:3])


def _person(s, look, face, _colour) -> None:
    skin, hair, clothes = look["skin"], look["hair"], look["clothes"]
    cx = SIZE // 2
    # Shoulders and neck.
    pygame.draw.ellipse(s, clothes, (20, 168, SIZE - 40, 110))
    pygame.draw.ellipse(s, _shade(clothes, 0.8), (20, 168, SIZE - 40, 110), 3)
    pygame.draw.rect(s, _shade(skin, 0.9), (cx - 18, 138, 36, 40))
    style = look.get("style", "short")
    if style in ("long", "bob"):  # hair behind the head
        pygame.draw.ellipse(s, hair, (cx - 64, 30, 128, 150 if style == "long" else 120))
        if style == "long":
            pygame.draw.rect(s, hair, (cx - 64, 100, 128, 80), border_radius=20)
    head = pygame.Rect(cx - 52, 34, 104, 124)
    pygame.draw.ellipse(s, skin, head)
    pygame.draw.ellipse(s, _shade(skin, 0.8), head, 2)
    pygame.draw.ellipse(s, _shade(skin, 0.92), (head.x - 8, 86, 16, 26))  # ears
    pygame.draw.ellipse(s, _shade(skin, 0.92), (head.right - 8, 86, 16, 26))
    # Hair on top.
    if style == "bun":
        pygame.draw.circle(s, hair, (cx, 30), 22)
        pygame.draw.arc(s, hair, head.inflate(4, 8).move(0, -4), math.radians(10), math.radians(170), 26)
    elif style == "messy":
        for i in range(7):
            a = math.radians(200 + i * 23)
            pygame.draw.circle(s, hair, (int(cx + 48 * math.cos(a)), int(70 + 44 * math.sin(a))), 20)
    elif style == "short":
        pygame.draw.arc(s, hair, head.inflate(2, 6).move(0, -3), math.radians(15), math.radians(165), 18)
    elif style == "bob":
        pygame.draw.arc(s, hair, head.inflate(8, 10).move(0, -5), math.radians(0), math.radians(180), 28)
    else:  # long
        pygame.draw.arc(s, hair, head.inflate(6, 8).move(0, -4), math.radians(5), math.radians(175), 24)
    extra = look.get("extra")
    if extra == "beard":
        pygame.draw.arc(s, hair, head.inflate(-10, 0).move(0, 6), math.radians(200), math.radians(340), 16)
    elif extra == "stubble":
        for i in range(26):
            a = math.radians(205 + i * 5)
            pygame.draw.circle(s, _shade(skin, 0.72), (int(cx + 42 * math.cos(a)), int(104 - 46 * math.sin(a))), 1)
    _features(s, cx, face, skin, hair)
    if extra == "glasses":
        for ex in (cx - 22, cx + 22):
            pygame.draw.circle(s, (40, 40, 50), (ex, 92), 15, 3)
        pygame.draw.line(s, (40, 40, 50), (cx - 7, 92), (cx + 7, 92), 3)


def _features(s, cx, face, skin, hair) -> None:
    """Eyes, brows, mouth: the expression."""
    ink, white = (34, 28, 30), (250, 250, 250)
    brow = _shade(hair, 0.9)
    eye_y, mouth_y = 92, 130
    # Brows: (inner end raise, outer end raise) in pixels, per face.
    brows = {
        "neutral": (0, 0),
        "happy": (-2, -2),
        "worried": (-8, 2),
        "sad": (-6, 4),
        "angry": (6, -6),
        "surprised": (-10, -10),
        "thinking": (-6, 0),
        "smug": (2, -4),
    }[face]
    for side in (-1, 1):
        ex = cx + side * 22
        inner, outer = (ex - side * 10, eye_y - 16 + brows[0]), (ex + side * 12, eye_y - 16 + brows[1])
        if face == "thinking" and side == 1:
            inner, outer = (inner[0], inner[1] - 6), (outer[0], outer[1] - 8)
        pygame.draw.line(s, brow, inner, outer, 5)
        if face == "happy":
            pygame.draw.arc(s, ink, (ex - 9, eye_y - 6, 18, 14), math.radians(20), math.radians(160), 3)
        elif face == "smug":
            pygame.draw.ellipse(s, white, (ex - 9, eye_y - 3, 18, 9))
            pygame.draw.circle(s, ink, (ex + 2, eye_y + 1), 4)
            pygame.draw.line(s, _shade(skin, 0.7), (ex - 10, eye_y - 3), (ex + 10, eye_y - 3), 3)
        else:
            h = 18 if face == "surprised" else 12
            pygame.draw.ellipse(s, white, (ex - 9, eye_y - h // 2, 18, h))
            look_x = 3 if face == "thinking" else 0
            look_y = -3 if face == "thinking" else (2 if face == "sad" else 0)
            pygame.draw.circle(s, ink, (ex + look_x, eye_y + look_y), 5 if face != "surprised" else 4)
    pygame.draw.line(s, _shade(skin, 0.75), (cx, 100), (cx - 5, 116), 3)  # nose
    lip = (150, 70, 70)
    if face == "happy":
        pygame.draw.arc(s, lip, (cx - 22, mouth_y - 16, 44, 26), math.radians(200), math.radians(340), 4)
    elif face == "smug":
        pygame.draw.arc(s, lip, (cx - 8, mouth_y - 12, 30, 18), math.radians(200), math.radians(330), 4)
        pygame.draw.line(s, lip, (cx - 14, mouth_y), (cx - 4, mouth_y + 1), 4)
    elif face in ("sad", "worried"):
        w = 34 if face == "sad" else 26
        pygame.draw.arc(s, lip, (cx - w // 2, mouth_y, w, 18), math.radians(20), math.radians(160), 4)
    elif face == "angry":
        pygame.draw.rect(s, lip, (cx - 16, mouth_y - 2, 32, 8), border_radius=3)
        pygame.draw.line(s, white, (cx - 12, mouth_y + 2), (cx + 12, mouth_y + 2), 2)
    elif face == "surprised":
        pygame.draw.ellipse(s, (90, 30, 40), (cx - 10, mouth_y - 8, 20, 24))
    elif face == "thinking":
        pygame.draw.line(s, lip, (cx - 12, mouth_y + 2), (cx + 12, mouth_y - 2), 4)
    else:
        pygame.draw.line(s, lip, (cx - 14, mouth_y), (cx + 14, mouth_y), 4)


# ---------------------------------------------------------------- machines
def _lens(s, look, face, colour) -> None:
    """ARIA: a round lens in a soft glow; its two light-slits are its eyes, a light bar its mouth."""
    glow = tuple(colour or (110, 205, 255))
    cx, cy = SIZE // 2, SIZE // 2 + 4
    for r, a in ((100, 30), (86, 50), (72, 80)):
        pygame.draw.circle(s, (*glow, a), (cx, cy), r)
    pygame.draw.circle(s, (16, 24, 40), (cx, cy), 66)
    pygame.draw.circle(s, glow, (cx, cy), 66, 4)
    eye = {
        "neutral": (30, 10),
        "happy": (30, 6),
        "worried": (26, 12),
        "sad": (26, 8),
        "angry": (30, 6),
        "surprised": (24, 24),
        "thinking": (30, 8),
        "smug": (30, 5),
    }[face]
    for side in (-1, 1):
        ex, ey = cx + side * 26, cy - 14
        if face == "happy":
            pygame.draw.arc(s, glow, (ex - 15, ey - 6, 30, 20), math.radians(20), math.radians(160), 5)
            continue
        tilt = {"worried": -side * 5, "sad": -side * 6, "angry": side * 6, "smug": side * 3}.get(face, 0)
        w, h = eye
        if face == "thinking" and side == -1:
            h = 4
        pts = [
            (ex - w // 2, ey - h // 2 - tilt),
            (ex + w // 2, ey - h // 2 + tilt),
            (ex + w // 2, ey + h // 2 + tilt),
            (ex - w // 2, ey + h // 2 - tilt),
        ]
        pygame.draw.polygon(s, glow, pts)
    my = cy + 26
    if face == "happy":
        pygame.draw.arc(s, glow, (cx - 24, my - 14, 48, 24), math.radians(200), math.radians(340), 4)
    elif face in ("sad", "worried"):
        pygame.draw.arc(s, glow, (cx - 20, my, 40, 18), math.radians(20), math.radians(160), 4)
    elif face == "surprised":
        pygame.draw.circle(s, glow, (cx, my + 4), 8, 3)
    elif face == "smug":
        pygame.draw.arc(s, glow, (cx - 6, my - 10, 30, 16), math.radians(200), math.radians(330), 4)
    else:
        pygame.draw.line(s, glow, (cx - 18, my), (cx + 18, my - (4 if face == "thinking" else 0)), 4)


def _terminal(s, look, face, colour) -> None:
    """The system: an old terminal whose screen shows a face in text."""
    green = (120, 255, 160)
    body = pygame.Rect(30, 40, 160, 140)
    pygame.draw.rect(s, (60, 66, 80), body, border_radius=14)
    pygame.draw.rect(s, (30, 34, 44), (60, 180, 100, 24))
    screen = body.inflate(-30, -34)
    pygame.draw.rect(s, (8, 20, 12), screen, border_radius=8)
    glyph = {
        "neutral": "[ - _ - ]",
        "happy": "[ ^ _ ^ ]",
        "worried": "[ o ~ o ]",
        "sad": "[ ; _ ; ]",
        "angry": "[ > _ < ]",
        "surprised": "[ O o O ]",
        "thinking": "[ - . o ]",
        "smug": "[ ¬ ‿ ¬ ]",
    }[face]
    from game.ui.theme import FONT_DIR

    font = pygame.font.Font(str(FONT_DIR / "DejaVuSansMono.ttf"), 22)
    img = font.render(glyph, True, green)
    s.blit(img, img.get_rect(center=screen.center))
    for y in range(screen.y, screen.bottom, 4):
        pygame.draw.line(s, (0, 0, 0, 60), (screen.x, y), (screen.right, y))


def _mask(s, look, face, colour) -> None:
    """MEGALOMIND: a comic villain's horned mask, all eyebrows."""
    red = tuple(colour or (255, 77, 94))
    cx = SIZE // 2
    pygame.draw.polygon(s, (40, 10, 20), [(cx - 70, 60), (cx - 96, 4), (cx - 40, 44)])
    pygame.draw.polygon(s, (40, 10, 20), [(cx + 70, 60), (cx + 96, 4), (cx + 40, 44)])
    pygame.draw.ellipse(s, (60, 14, 30), (cx - 80, 30, 160, 170))
    pygame.draw.ellipse(s, red, (cx - 80, 30, 160, 170), 5)
    pygame.draw.polygon(s, (20, 8, 14), [(cx - 66, 80), (cx + 66, 80), (cx + 50, 110), (cx - 50, 110)])
    glare = {
        "neutral": 4,
        "happy": 0,
        "worried": -6,
        "sad": -8,
        "angry": 10,
        "surprised": -12,
        "thinking": 2,
        "smug": 6,
    }[face]
    for side in (-1, 1):
        ex = cx + side * 32
        h = 20 if face == "surprised" else 10
        pygame.draw.ellipse(s, (255, 230, 80), (ex - 14, 95 - h // 2, 28, h))
        pygame.draw.line(s, (250, 250, 250), (ex - side * 16, 78 + glare), (ex + side * 18, 72 - glare), 6)
    my = 160
    if face in ("happy", "smug"):
        pygame.draw.arc(s, (250, 250, 250), (cx - 40, my - 30, 80, 40), math.radians(200), math.radians(340), 5)
        for x in range(cx - 28, cx + 29, 14):
            pygame.draw.line(s, (250, 250, 250), (x, my - 4), (x, my + 2), 3)
    elif face in ("sad", "worried"):
        pygame.draw.arc(s, (250, 250, 250), (cx - 30, my - 6, 60, 24), math.radians(20), math.radians(160), 5)
    elif face == "surprised":
        pygame.draw.ellipse(s, (20, 0, 8), (cx - 14, my - 16, 28, 30))
    else:
        pygame.draw.line(s, (250, 250, 250), (cx - 30, my - 6), (cx + 30, my - 6 - (8 if face == "angry" else 0)), 5)
