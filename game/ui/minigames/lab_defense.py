"""The lab-defense view: lanes, threats, controls, the training bar, intel, allies, results.

It owns no rules: keys and clicks become `place`/`remove` actions for the simulation,
and everything on screen is read from `game.state`. Drawn in code with pygame primitives
and the default font. Every threat has its own shape and a text tag, so colour is never
the only cue.

Keys: 1-9 pick a control, Up/Down (W/S) pick a lane, B/Insert/C place it, X/Delete remove
the last control on the lane, P or Space pause, T turn-based mode, Enter/N next turn,
+/- game speed, F1/H help. Mouse: click a control in the shop, click a lane to place it
there, right-click a control to remove it.
"""

from __future__ import annotations

import math

import pygame

from game.minigames.lab_defense import allies as A
from game.minigames.lab_defense.catalog import (
    ASSET_TITLES,
    ASSETS,
    CONTROL_ORDER,
    CONTROLS,
    LANE_TITLES,
    LANES,
    SLOT_POSITIONS,
    THREATS,
)
from game.ui.minigame_view import MinigameView

W, H = 1280, 720
BG = (14, 18, 28)
PANEL = (24, 30, 44)
PANEL_EDGE = (60, 72, 98)
TEXT = (226, 232, 242)
DIM = (140, 150, 170)
ACCENT = (96, 200, 255)
GOOD = (110, 220, 140)
BAD = (255, 96, 96)
WARN = (255, 196, 80)
LANE_BG = [(30, 38, 56), (27, 34, 50)]

TRACK_X0, TRACK_X1 = 170, 790
LANE_Y0, LANE_H = 76, 92
ASSET_X = 800
SIDE_X = 900
TURN_SECONDS = 1.0
SPEEDS = [0.5, 1.0, 2.0, 3.0]
MIN_TEXT = 18  # pygame's default font at 18 is ~13 px high: the smallest the board's text goes

THREAT_COLOURS = {
    "phishing": (255, 170, 70),
    "tailgater": (200, 160, 255),
    "poisoned_dependency": (255, 110, 140),
    "flood": (120, 200, 255),
    "exposed_dashboard": (255, 220, 90),
    "poisoned_crawl": (160, 235, 120),
    "trojaned_model": (255, 130, 220),
    "insider": (255, 150, 110),
    "weight_exfil": (255, 80, 80),
    "apt": (240, 240, 250),
}
THREAT_TAGS = {
    "phishing": "PHISH",
    "tailgater": "TAIL",
    "poisoned_dependency": "DEP",
    "flood": "FLOOD",
    "exposed_dashboard": "DASH",
    "poisoned_crawl": "CRAWL",
    "trojaned_model": "TROJAN",
    "insider": "INSIDER",
    "weight_exfil": "EXFIL",
    "apt": "APT",
}
ALLY_COLOURS = [(90, 210, 255), (140, 255, 170), (255, 210, 110), (230, 150, 255), (255, 150, 150), (180, 190, 255)]


def draw_threat(surf, kind: str, cx: float, cy: float, r: float, colour, hidden: bool = False) -> None:
    """Each threat type has a distinct silhouette (not only a colour)."""
    cx, cy, r = int(cx), int(cy), int(r)
    if hidden:
        for a in range(0, 360, 45):  # a dashed ring: something is there, not yet identified
            a0, a1 = math.radians(a), math.radians(a + 25)
            pygame.draw.line(
                surf,
                DIM,
                (cx + r * math.cos(a0), cy + r * math.sin(a0)),
                (cx + r * math.cos(a1), cy + r * math.sin(a1)),
                2,
            )
        pygame.draw.line(surf, DIM, (cx - 3, cy - 4), (cx + 3, cy - 4), 2)
        pygame.draw.line(surf, DIM, (cx + 3, cy - 4), (cx, cy + 1), 2)
        pygame.draw.circle(surf, DIM, (cx, cy + 5), 1)
        return
    if kind == "phishing":  # an envelope with a hook
        rect = pygame.Rect(cx - r, cy - r * 2 // 3, 2 * r, r * 4 // 3)
        pygame.draw.rect(surf, colour, rect, 0, 2)
        pygame.draw.lines(surf, BG, False, [rect.topleft, (cx, cy + 1), rect.topright], 2)
    elif kind == "tailgater":  # two figures, one close behind the other
        for dx, scale in ((-r // 2, 0.8), (r // 2, 1.0)):
            pygame.draw.circle(surf, colour, (cx + dx, cy - int(r * 0.5 * scale)), max(2, int(r * 0.32 * scale)))
            pygame.draw.rect(
                surf,
                colour,
                (
                    cx + dx - int(r * 0.3 * scale),
                    cy - int(r * 0.15 * scale),
                    int(r * 0.6 * scale),
                    int(r * 0.9 * scale),
                ),
                0,
                2,
            )
    elif kind == "poisoned_dependency":  # a hexagonal package
        pts = [
            (cx + r * math.cos(math.radians(60 * i + 30)), cy + r * math.sin(math.radians(60 * i + 30)))
            for i in range(6)
        ]
        pygame.draw.polygon(surf, colour, pts)
        pygame.draw.line(surf, BG, (cx - r // 2, cy), (cx + r // 2, cy), 2)
    elif kind == "flood":  # chevrons: many requests
        for dx in (-r, -r // 3, r // 3):
            pygame.draw.polygon(
                surf, colour, [(cx + dx, cy - r * 2 // 3), (cx + dx + r * 2 // 3, cy), (cx + dx, cy + r * 2 // 3)], 0
            )
    elif kind == "exposed_dashboard":  # a window with an open eye
        rect = pygame.Rect(cx - r, cy - r * 3 // 4, 2 * r, r * 3 // 2)
        pygame.draw.rect(surf, colour, rect, 0, 3)
        pygame.draw.ellipse(surf, BG, (cx - r * 2 // 3, cy - r // 3, r * 4 // 3, r * 2 // 3))
        pygame.draw.circle(surf, colour, (cx, cy), max(2, r // 4))
    elif kind == "poisoned_crawl":  # a spider: the crawler's catch
        pygame.draw.circle(surf, colour, (cx, cy), max(3, r // 2))
        for i in range(8):
            ang = math.radians(22.5 + 45 * i)
            pygame.draw.line(surf, colour, (cx, cy), (cx + r * math.cos(ang), cy + r * math.sin(ang)), 2)
    elif kind == "trojaned_model":  # a diamond (a model file) with a hidden core
        pygame.draw.polygon(surf, colour, [(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)])
        pygame.draw.circle(surf, BG, (cx, cy), max(2, r // 3))
    elif kind == "insider":  # a person wearing a badge
        pygame.draw.circle(surf, colour, (cx, cy - r // 2), max(3, r * 2 // 5))
        pygame.draw.polygon(
            surf, colour, [(cx - r * 3 // 4, cy + r), (cx + r * 3 // 4, cy + r), (cx + r // 3, cy), (cx - r // 3, cy)]
        )
        pygame.draw.rect(surf, BG, (cx - 2, cy + r // 3, 5, 5))
    elif kind == "weight_exfil":  # a box with an arrow leaving it
        pygame.draw.rect(surf, colour, (cx - r, cy - r // 2, r, r), 2)
        pygame.draw.line(surf, colour, (cx - r // 2, cy), (cx + r, cy), 3)
        pygame.draw.polygon(surf, colour, [(cx + r, cy - r // 2), (cx + r + r // 2, cy), (cx + r, cy + r // 2)])
    else:  # apt: a heavy octagon with a cross: a campaign, not a single tool
        pts = [
            (cx + r * 1.2 * math.cos(math.radians(45 * i + 22.5)), cy + r * 1.2 * math.sin(math.radians(45 * i + 22.5)))
            for i in range(8)
        ]
        pygame.draw.polygon(surf, colour, pts)
        pygame.draw.line(surf, BG, (cx - r // 2, cy - r // 2), (cx + r // 2, cy + r // 2), 3)
        pygame.draw.line(surf, BG, (cx - r // 2, cy + r // 2), (cx + r // 2, cy - r // 2), 3)


def draw_star(surf, cx, cy, r, filled: bool, colour=(255, 210, 80)) -> None:
    pts = []
    for i in range(10):
        rad = r if i % 2 == 0 else r * 0.45
        a = math.radians(-90 + 36 * i)
        pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    if filled:
        pygame.draw.polygon(surf, colour, pts)
    pygame.draw.polygon(surf, colour if filled else DIM, pts, 2)


class View(MinigameView):
    def __init__(self, game, *, seed: int, params: dict, context: dict) -> None:
        super().__init__(game, seed=seed, params=params, context=context)
        p = game.state["params"]
        self.turn_based = bool(p["turn_based"]) or context.get("timed") is False
        self.speed = float(p["speed"])
        self.paused = False
        self.help = False
        self.lane = 0
        self.control = 0
        self.pending_turn = 0.0
        self.result_shown = False
        self._dismissed = False
        self._fonts: dict[int, pygame.font.Font] = {}
        self._text_cache: dict[tuple, pygame.Surface] = {}
        self._text_old: dict[tuple, pygame.Surface] = {}
        self._sprites: dict[tuple, pygame.Surface] = {}
        self._fit_cache: dict[tuple, str] = {}
        self._scan_band: pygame.Surface | None = None
        self._last_seq = 0
        self._log: list[dict] = []
        self._turns = 0

    # ------------------------------------------------------------------ text
    def font(self, size: int) -> pygame.font.Font:
        size = max(size, MIN_TEXT)
        f = self._fonts.get(size)
        if f is None:
            if not pygame.font.get_init():
                pygame.font.init()
            f = self._fonts[size] = pygame.font.Font(None, size)
        return f

    def text(self, surf, s: str, pos, size: int = 20, colour=TEXT, anchor: str = "topleft") -> pygame.Rect:
        key = (s, size, colour)
        img = self._text_cache.get(key)
        if img is None:
            # Two generations: when the cache fills, the old generation is dropped and the
            # current one becomes old, so steady labels survive and there is no re-render cliff.
            img = self._text_old.get(key) or self.font(size).render(s, True, colour)
            if len(self._text_cache) > 400:  # bounded: timers and scores change every frame
                self._text_old = self._text_cache
                self._text_cache = {}
            self._text_cache[key] = img
        rect = img.get_rect(**{anchor: pos})
        surf.blit(img, rect)
        return rect

    def sprite(self, kind: str, r: int, hidden: bool) -> pygame.Surface:
        """A threat's silhouette drawn once and cached: 200 threats cost 200 blits, not 2000 primitives."""
        key = (kind, r, hidden)
        img = self._sprites.get(key)
        if img is None:
            size = 4 * r + 8
            img = pygame.Surface((size, size), pygame.SRCALPHA)
            draw_threat(img, kind, size // 2, size // 2, r, THREAT_COLOURS[kind], hidden)
            self._sprites[key] = img
        return img

    def fit(self, s: str, size: int, width: int) -> str:
        """s shortened with '...' to fit width (cached: measuring text is slow)."""
        key = (s, size, width)
        out = self._fit_cache.get(key)
        if out is None:
            f = self.font(size)
            out = s
            if f.size(out)[0] > width:
                lo, hi = 0, len(s)
                while lo < hi:  # binary search on the cut
                    mid = (lo + hi + 1) // 2
                    if f.size(s[:mid] + "...")[0] <= width:
                        lo = mid
                    else:
                        hi = mid - 1
                out = s[:lo] + "..."
            if len(self._fit_cache) > 200:
                self._fit_cache.clear()
            self._fit_cache[key] = out
        return out

    def wrap(self, s: str, size: int, width: int) -> list[str]:
        f = self.font(size)
        lines, cur = [], ""
        for word in s.split():
            trial = f"{cur} {word}".strip()
            if f.size(trial)[0] > width and cur:
                lines.append(cur)
                cur = word
            else:
                cur = trial
        if cur:
            lines.append(cur)
        return lines

    # ----------------------------------------------------------------- input
    @property
    def finished(self) -> bool:
        return self._dismissed

    def _send(self, actions: list[dict]) -> None:
        # dt 0: apply the player's action now, even while paused (planning in a pause is fair).
        self.game.step(0.0, actions)

    def _place(self, lane: int, slot: int | None = None) -> None:
        action = {"op": "place", "control": CONTROL_ORDER[self.control], "lane": lane}
        if slot is not None and self.game.state["controls"][lane][slot] is None:
            action["slot"] = slot
        self._send([action])

    def handle_event(self, event) -> None:
        if self.game.done:
            if event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
                self._dismissed = True
            elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and self.result_shown:
                self._dismissed = True
            return
        if event.type == pygame.KEYDOWN:
            k = event.key
            if pygame.K_1 <= k <= pygame.K_9:
                self.control = k - pygame.K_1
            elif k in (pygame.K_UP, pygame.K_w):
                self.lane = (self.lane - 1) % len(LANES)
            elif k in (pygame.K_DOWN, pygame.K_s, pygame.K_TAB):
                self.lane = (self.lane + 1) % len(LANES)
            elif k in (pygame.K_LEFT, pygame.K_a):
                self.control = (self.control - 1) % len(CONTROL_ORDER)
            elif k in (pygame.K_RIGHT, pygame.K_d):
                self.control = (self.control + 1) % len(CONTROL_ORDER)
            elif k in (pygame.K_b, pygame.K_INSERT, pygame.K_c):
                self._place(self.lane)
            elif k in (pygame.K_x, pygame.K_DELETE, pygame.K_BACKSPACE):
                self._send([{"op": "remove", "lane": self.lane}])
            elif k in (pygame.K_p, pygame.K_SPACE):
                self.paused = not self.paused
            elif k == pygame.K_t:
                self.turn_based = not self.turn_based
                self.pending_turn = 0.0
            elif k in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_n):
                if self.turn_based:
                    self.pending_turn += TURN_SECONDS
                    self._turns += 1
            elif k in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS):
                self.speed = next((s for s in SPEEDS if s > self.speed), SPEEDS[-1])
            elif k in (pygame.K_MINUS, pygame.K_KP_MINUS):
                self.speed = next((s for s in reversed(SPEEDS) if s < self.speed), SPEEDS[0])
            elif k in (pygame.K_h, pygame.K_F1):
                self.help = not self.help
        elif event.type == pygame.MOUSEBUTTONDOWN:
            x, y = event.pos
            row = self._shop_row(x, y)
            if row is not None and event.button == 1:
                self.control = row
                return
            lane = self._lane_at(x, y)
            if lane is None:
                return
            self.lane = lane
            slot = self._slot_at(x)
            if event.button == 1:
                self._place(lane, slot)
            elif event.button == 3 and slot is not None:
                self._send([{"op": "remove", "lane": lane, "slot": slot}])

    def _lane_at(self, x, y):
        if 0 <= x < ASSET_X and LANE_Y0 <= y < LANE_Y0 + LANE_H * len(LANES):
            return (y - LANE_Y0) // LANE_H
        return None

    def _slot_at(self, x):
        for i, pos in enumerate(SLOT_POSITIONS):
            if abs(x - (TRACK_X0 + pos * (TRACK_X1 - TRACK_X0))) < 30:
                return i
        return None

    SHOP_Y = 312
    SHOP_ROW = 23

    def _shop_row(self, x, y):
        if SIDE_X <= x < W - 10 and self.SHOP_Y + 24 <= y < self.SHOP_Y + 24 + self.SHOP_ROW * len(CONTROL_ORDER):
            return (y - self.SHOP_Y - 24) // self.SHOP_ROW
        return None

    # ---------------------------------------------------------------- update
    def pace(self) -> float:
        """The host's frame rate: at rest while the help is open, paused, or waiting for the next turn."""
        from game.ui.screens.base import FULL, STILL

        if (
            self.game.done
            or self.help
            or (self.paused and not self.turn_based)
            or (self.turn_based and self.pending_turn <= 0)
        ):
            return STILL
        return FULL

    def update(self, dt: float) -> None:
        if self.game.done or self.help:
            return  # reading the help is a pause: no attack moves while it is open
        if self.turn_based:
            if self.pending_turn > 0:
                step = min(self.pending_turn, dt * 8)  # a turn plays out quickly but visibly
                self.pending_turn -= step
                self.game.step(step)
        elif not self.paused:
            self.game.step(dt * self.speed)

    def drain_log(self) -> list[dict]:
        out = []
        for t, text, tag, seq in self.game.state["events"]:
            if seq > self._last_seq:
                self._last_seq = seq
                # "good" and "ally": a threat met a control or an ally, so the attack is on the board
                if tag in ("intel", "wave", "bad", "good", "ally", "place"):
                    out.append({"event": f"lab_{tag}", "t_sim": t, "text": text})
        return out

    # ------------------------------------------------------------------ draw
    def draw(self, surface) -> None:
        s = self.game.state
        surface.fill(BG)
        self._draw_top(surface, s)
        self._draw_lanes(surface, s)
        self._draw_intel(surface, s)
        self._draw_shop(surface, s)
        self._draw_allies(surface, s)
        self._draw_log(surface, s)
        if self.help:
            self._draw_help(surface)
        if self.game.done:
            self._draw_result(surface, s)
            self.result_shown = True

    def _panel(self, surf, rect, title: str | None = None) -> None:
        pygame.draw.rect(surf, PANEL, rect, 0, 6)
        pygame.draw.rect(surf, PANEL_EDGE, rect, 1, 6)
        if title:
            self.text(surf, title, (rect[0] + 10, rect[1] + 6), 20, ACCENT)

    def _draw_top(self, surf, s) -> None:
        self.text(surf, "LAB DEFENSE", (20, 14), 34, ACCENT)
        self.text(surf, "finish the training run", (20, 42), 18, DIM)
        # The training bar: the objective, always in view.
        bar = pygame.Rect(250, 16, 520, 30)
        pygame.draw.rect(surf, (40, 48, 66), bar, 0, 6)
        prog = min(1.0, s["progress"])
        fill = bar.copy()
        fill.width = int(bar.width * prog)
        down = s["compute_down"] > 0
        pygame.draw.rect(surf, WARN if down else GOOD, fill, 0, 6)
        epochs = s["params"]["epochs"]
        for e in range(1, epochs):
            x = bar.x + bar.width * e // epochs
            pygame.draw.line(surf, BG, (x, bar.y + 3), (x, bar.bottom - 4), 1)
        # Where the deadline would land the run at the current drag: a marker on the bar.
        pygame.draw.rect(surf, PANEL_EDGE, bar, 2, 6)
        label = f"Training: epoch {self.game.epoch()}/{epochs}  {prog:.0%}" + ("  COMPUTE DOWN" if down else "")
        self.text(surf, label, bar.center, 22, BG if prog > 0.55 else TEXT, "center")
        drag = self.game.drag()
        self.text(
            surf, f"research slowed {drag:.0%} by controls", (bar.x, bar.bottom + 4), 16, WARN if drag > 0.2 else DIM
        )
        left = max(0.0, s["deadline"] - s["t"])
        self.text(surf, f"Budget {s['budget']}", (790, 12), 26, GOOD)
        self.text(surf, f"Deadline {left:5.1f}s", (790, 38), 20, BAD if left < 20 else TEXT)
        wave = self.game.current_wave()
        nw = len(s["schedule"])
        self.text(surf, f"Wave {max(0, wave + 1)}/{nw}", (960, 12), 26, TEXT)
        if self.turn_based:
            mode = "TURN-BASED: Enter = next turn"
        elif self.paused:
            mode = "PAUSED (P / Space)"
        else:
            mode = f"Speed x{self.speed:g}  (+/-)"
        self.text(surf, mode, (960, 40), 18, WARN if self.paused or self.turn_based else DIM)
        self.text(surf, "H: help", (1200, 14), 18, DIM)

    def _draw_lanes(self, surf, s) -> None:
        controls = s["controls"]
        span = TRACK_X1 - TRACK_X0
        for li, lane in enumerate(LANES):
            y = LANE_Y0 + li * LANE_H
            rect = pygame.Rect(10, y, ASSET_X - 14, LANE_H - 4)
            pygame.draw.rect(surf, LANE_BG[li % 2], rect, 0, 6)
            if li == self.lane:
                pygame.draw.rect(surf, ACCENT, rect, 2, 6)
                self.text(surf, ">", (14, y + LANE_H // 2 - 12), 28, ACCENT)
            self.text(surf, LANE_TITLES[lane], (28, y + 10), 22, TEXT)
            self.text(surf, f"lane {li + 1}", (28, y + 32), 16, DIM)
            # Direction of attack: faint chevrons along the track.
            cy = y + LANE_H // 2 - 2
            for x in range(TRACK_X0, TRACK_X1, 40):
                pygame.draw.lines(surf, (44, 54, 76), False, [(x, cy - 6), (x + 6, cy), (x, cy + 6)], 2)
            for k, pos in enumerate(SLOT_POSITIONS):
                x = TRACK_X0 + int(pos * span)
                slot = pygame.Rect(x - 22, y + 8, 44, LANE_H - 20)
                c = controls[li][k]
                if c is None:
                    pygame.draw.rect(surf, (50, 60, 82), slot, 1, 4)
                else:
                    pygame.draw.rect(surf, (40, 90, 120), slot, 0, 4)
                    pygame.draw.rect(surf, ACCENT, slot, 2, 4)
                    # a shield outline: a control, whatever its label
                    sx, sy = slot.centerx, slot.y + 18
                    pygame.draw.polygon(
                        surf,
                        ACCENT,
                        [(sx - 9, sy - 10), (sx + 9, sy - 10), (sx + 9, sy), (sx, sy + 10), (sx - 9, sy)],
                        2,
                    )
                    self.text(surf, CONTROLS[c]["short"], (slot.centerx, slot.bottom - 14), 16, TEXT, "center")
        # Threats: shape + tag + stealth ring + hp bar.
        for th in s["threats"]:
            y = LANE_Y0 + th["lane"] * LANE_H + LANE_H // 2 - 2 + (th["id"] % 3 - 1) * 14
            x = TRACK_X0 + min(1.0, th["x"]) * span
            kind = th["kind"]
            sprite = self.sprite(kind, 11 if kind != "apt" else 14, th["hidden"])
            surf.blit(sprite, sprite.get_rect(center=(int(x), int(y))))
            if not th["hidden"]:
                frac = max(0.0, th["hp"] / th["hp_max"])
                if frac < 1.0:  # a health bar only once hurt: full bars are noise at 200 threats
                    pygame.draw.rect(surf, BAD, (x - 12, y - 20, 24, 3))
                    pygame.draw.rect(surf, GOOD, (x - 12, y - 20, int(24 * frac), 3))
                self.text(surf, THREAT_TAGS[kind], (int(x), int(y) + 20), 14, THREAT_COLOURS[kind], "center")
        # Allies: a badge with their initial, and a line showing what they do.
        for i, ally in enumerate(s["allies"]):
            col = ALLY_COLOURS[i % len(ALLY_COLOURS)]
            y = LANE_Y0 + ally["lane"] * LANE_H + LANE_H - 16
            x = TRACK_X0 - 20 + i * 18
            action = A.ACTIONS[ally["action"]]
            if ally["travel"] <= 0:
                if action == "scan":
                    if self._scan_band is None:
                        self._scan_band = pygame.Surface((TRACK_X1 - TRACK_X0, LANE_H - 10), pygame.SRCALPHA)
                        self._scan_band.fill((96, 200, 255, 26))
                    surf.blit(self._scan_band, (TRACK_X0, LANE_Y0 + ally["lane"] * LANE_H + 3))
                    pygame.draw.line(surf, col, (x, y), (TRACK_X1, y), 1)
                elif action in ("contain", "guard"):
                    front = max(
                        (th for th in s["threats"] if th["lane"] == ally["lane"] and not th["hidden"]),
                        key=lambda th: th["x"],
                        default=None,
                    )
                    if front is not None:
                        fx = TRACK_X0 + min(1.0, front["x"]) * span
                        fy = LANE_Y0 + front["lane"] * LANE_H + LANE_H // 2 - 2 + (front["id"] % 3 - 1) * 14
                        pygame.draw.line(surf, col, (x, y), (fx, fy), 3 if action == "contain" else 1)
            pygame.draw.circle(surf, col, (x, y), 9)
            pygame.draw.circle(surf, BG, (x, y), 9, 2)
            self.text(surf, ally["name"][0], (x, y + 1), 16, BG, "center")
        # Assets column.
        ay = LANE_Y0
        ah = (LANE_H * len(LANES) - 12) // len(ASSETS)
        for j, asset in enumerate(ASSETS):
            r = pygame.Rect(ASSET_X, ay + j * (ah + 4), 88, ah)
            hit = s["assets"][asset]
            lost = asset == "weights" and not s["weights_kept"]
            pygame.draw.rect(surf, (70, 30, 36) if lost or hit else (30, 50, 44), r, 0, 6)
            pygame.draw.rect(surf, BAD if lost or hit else GOOD, r, 2, 6)
            for n, word in enumerate(ASSET_TITLES[asset].split()):
                self.text(surf, word, (r.centerx, r.y + 16 + n * 16), 17, TEXT, "center")
            status = "STOLEN" if lost else (f"hit x{hit}" if hit else "safe")
            self.text(surf, status, (r.centerx, r.bottom - 14), 16, BAD if lost or hit else GOOD, "center")

    def _draw_intel(self, surf, s) -> None:
        rect = pygame.Rect(SIDE_X, 76, W - SIDE_X - 10, 230)
        self._panel(surf, rect, "Intel: announced waves")
        y = rect.y + 30
        upcoming = [i for i in s["intel"] if not s["waves"][i["wave"]]["closed"]][-3:]
        if not upcoming:
            self.text(surf, "No attacks announced. Quiet for now.", (rect.x + 12, y), 18, DIM)
        width = rect.width - 24
        for info in upcoming:
            if y > rect.bottom - 22:
                break  # no room for another wave's heading: never half of one
            started = s["t"] >= info["start"]
            # When first, then what: the timing is what a player must not miss when space runs out.
            head = f"Wave {info['wave'] + 1}" + ("  now" if started else f"  in {info['start'] - s['t']:.0f}s")
            head += "  (final: a well-funded campaign)" if info["final"] else ""
            self.text(surf, self.fit(head, 19, width), (rect.x + 12, y), 19, WARN if not started else TEXT)
            y += 20
            for kind, lanes in info["kinds"].items():
                if y > rect.bottom - 34:
                    break
                draw_threat(surf, kind, rect.x + 24, y + 8, 7, THREAT_COLOURS[kind])
                lane_names = "/".join(LANE_TITLES[LANES[li]].split()[0] for li in lanes)
                new = kind in info["new"]
                line = f"{THREATS[kind]['title']} x{info['counts'][kind]} via {lane_names}"
                self.text(surf, self.fit(line, 17, width - 26 - (44 if new else 0)), (rect.x + 38, y), 17, TEXT)
                if new:
                    self.text(surf, "NEW", (rect.right - 44, y), 17, WARN)
                y += 17
                ctl = THREATS[kind]["counter"]
                hint = (
                    f"counter: {CONTROLS[ctl]['short']} ({CONTROLS[ctl]['title']})"
                    if ctl
                    else "counter: 2 controls on its lane"
                )
                self.text(surf, self.fit(hint, 15, width - 26), (rect.x + 38, y), 15, DIM)
                y += 16
            y += 4

    def _draw_shop(self, surf, s) -> None:
        rect = pygame.Rect(SIDE_X, self.SHOP_Y, W - SIDE_X - 10, 24 + self.SHOP_ROW * len(CONTROL_ORDER) + 6)
        self._panel(surf, rect, f"Controls -> {LANE_TITLES[LANES[self.lane]]} (B to place)")
        for i, c in enumerate(CONTROL_ORDER):
            spec = CONTROLS[c]
            y = rect.y + 26 + i * self.SHOP_ROW
            row = pygame.Rect(rect.x + 4, y - 2, rect.width - 8, self.SHOP_ROW - 2)
            if i == self.control:
                pygame.draw.rect(surf, (44, 70, 100), row, 0, 4)
                pygame.draw.rect(surf, ACCENT, row, 1, 4)
            afford = spec["cost"] <= s["budget"]
            col = TEXT if afford else DIM
            self.text(surf, f"{i + 1}", (rect.x + 12, y + 2), 19, ACCENT)
            self.text(surf, spec["short"], (rect.x + 30, y + 2), 19, col)
            cost = self.text(
                surf,
                f"{spec['cost']:>3}  -{spec['drag']:.0%}",
                (rect.right - 12, y + 3),
                16,
                GOOD if afford else BAD,
                "topright",
            )
            # The whole name when it fits; else a smaller size; never a word cut in the middle unmarked.
            room = cost.left - 8 - (rect.x + 88)
            self.text(surf, self.fit(spec["title"], 16, room), (rect.x + 88, y + 3), 16, col)

    def _draw_allies(self, surf, s) -> None:
        rect = pygame.Rect(10, 546, 620, 150)
        self._panel(surf, rect, "Allies: learning security agents")
        curve = s["curve"]
        if curve:
            self.text(surf, "team learning curve", (rect.right - 180, rect.y + 8), 16, DIM)
            self._chart(surf, pygame.Rect(rect.right - 180, rect.y + 26, 168, rect.height - 36), curve, small=True)
        if not s["allies"]:
            self.text(surf, "No allies in this run.", (rect.x + 12, rect.y + 34), 18, DIM)
        for i, ally in enumerate(s["allies"][:4]):
            y = rect.y + 30 + i * 28
            col = ALLY_COLOURS[i % len(ALLY_COLOURS)]
            pygame.draw.circle(surf, col, (rect.x + 20, y + 8), 8)
            doing = "moving" if ally["travel"] > 0 else A.ACTION_TITLES[A.ACTIONS[ally["action"]]]
            self.text(surf, f"{ally['name']} @ {LANE_TITLES[LANES[ally['lane']]]}: {doing}", (rect.x + 34, y), 18, TEXT)
            learn = f"{ally['updates']} updates  explore {ally['epsilon']:.0%}  stopped {ally['stopped']}  advised x{ally['advised']}"
            self.text(surf, learn, (rect.x + 34, y + 15), 14, DIM)
        if len(s["allies"]) > 4:
            self.text(surf, f"+{len(s['allies']) - 4} more", (rect.x + 330, rect.bottom - 18), 14, DIM)
        p = s["params"]
        mode = ("learning, sharing" if p["sharing"] else "learning alone") if p["learning"] else "not learning"
        self.text(surf, mode, (rect.x + 330, rect.y + 8), 16, DIM)

    def _draw_log(self, surf, s) -> None:
        rect = pygame.Rect(640, 546, W - 650, 150)
        self._panel(surf, rect, "Events")
        colours = {
            "bad": BAD,
            "good": GOOD,
            "intel": WARN,
            "advice": ACCENT,
            "ally": (180, 220, 255),
            "warn": WARN,
            "wave": ACCENT,
        }
        y = rect.y + 28
        for t, text, tag, _ in s["events"][-7:]:
            line = self.fit(f"{t:6.1f}  {text}", 16, rect.width - 20)
            self.text(surf, line, (rect.x + 10, y), 16, colours.get(tag, TEXT))
            y += 17

    def _draw_help(self, surf) -> None:
        rect = pygame.Rect(200, 120, 880, 420)
        shade = pygame.Surface((W, H), pygame.SRCALPHA)
        shade.fill((0, 0, 0, 150))
        surf.blit(shade, (0, 0))
        self._panel(surf, rect, "How to play  (the game is paused while this is open)")
        lines = [
            "Finish the training run before the deadline. Attacks come down five lanes toward the assets.",
            "Each threat has one hard counter: place it on the lane the intel says the threat will use.",
            "Every control slows research a little: buy what the intel calls for, not everything.",
            "The final well-funded attacker is stopped by depth: two controls on its lane (or your allies).",
            "Allies learn by reinforcement: they scan hidden threats, contain, move, and advise you.",
            "",
            "1-9 / Left-Right: pick a control     Up-Down / W-S / Tab: pick a lane",
            "B / Insert / C: place      X / Delete: remove the lane's last control (half refund)",
            "P / Space: pause      T: turn-based mode      Enter / N: next turn      +/-: speed",
            "Mouse: click a control in the shop, click a lane slot to place, right-click to remove.",
            "H / F1: close this help",
        ]
        for i, line in enumerate(lines):
            self.text(surf, line, (rect.x + 20, rect.y + 40 + i * 30), 21, TEXT)

    def _chart(self, surf, rect, curve, small: bool = False) -> None:
        pygame.draw.rect(surf, (18, 22, 34), rect)
        pygame.draw.rect(surf, PANEL_EDGE, rect, 1)
        for frac in (0.25, 0.5, 0.75):
            yy = rect.bottom - int(frac * rect.height)
            pygame.draw.line(surf, (40, 48, 66), (rect.x, yy), (rect.right, yy))
        n = len(curve)
        pts = []
        for i, c in enumerate(curve):
            x = rect.x + 8 + (rect.width - 16) * (i / max(1, n - 1))
            y = rect.bottom - 4 - (rect.height - 8) * c["performance"]
            pts.append((x, y))
        if len(pts) > 1:
            pygame.draw.lines(surf, GOOD, False, pts, 2)
        for i, (x, y) in enumerate(pts):
            pygame.draw.circle(surf, GOOD, (int(x), int(y)), 3 if small else 5)
            if not small:
                self.text(surf, f"{curve[i]['wave']}", (int(x), rect.bottom + 4), 16, DIM, "midtop")
        if not small:
            self.text(surf, "100%", (rect.x - 6, rect.y), 16, DIM, "topright")
            self.text(surf, "0%", (rect.x - 6, rect.bottom - 12), 16, DIM, "topright")

    def _draw_result(self, surf, s) -> None:
        shade = pygame.Surface((W, H), pygame.SRCALPHA)
        shade.fill((4, 6, 12, 215))
        surf.blit(shade, (0, 0))
        r = self.game.result()
        rect = pygame.Rect(30, 24, W - 60, H - 48)
        self._panel(surf, rect)
        title = "Training run complete" if r["training"] >= 1.0 else "The deadline passed"
        self.text(surf, title, (rect.x + 24, rect.y + 16), 40, GOOD if r["training"] >= 1 else WARN)
        for i in range(3):
            draw_star(surf, rect.x + 520 + i * 56, rect.y + 36, 24, i < r["stars"])
        self.text(surf, f"Score {r['score']}", (rect.right - 24, rect.y + 18), 40, ACCENT, "topright")
        facts = [
            (f"Training {r['training']:.0%}", GOOD if r["training"] >= 1 else WARN),
            (f"Weights {'kept' if r['weights_kept'] else 'STOLEN'}", GOOD if r["weights_kept"] else BAD),
            (f"Stopped {r['stopped']}/{r['threats']}  ({r['stopped_by_counter']} by the right counter)", TEXT),
            (f"Breaches {r['breaches']}", BAD if r["breaches"] else GOOD),
            (f"Budget left {r['budget_left']}   Research drag {r['drag']}%", TEXT),
        ]
        x = rect.x + 24
        for text, col in facts:
            x = self.text(surf, text, (x, rect.y + 66), 20, col).right + 24
        # Debrief: each threat type that came, its real-world counterpart and its counter.
        self.text(
            surf, "Debrief: what you faced, and what stops it in the real world", (rect.x + 24, rect.y + 96), 22, ACCENT
        )
        y = rect.y + 122
        for d in self.game.debrief():
            draw_threat(surf, d["kind"], rect.x + 36, y + 10, 9, THREAT_COLOURS[d["kind"]])
            stats = f"countered {d['by_counter']}, allies {d['by_ally']}, breached {d['breached']}"
            self.text(surf, f"{d['title']}: {stats}", (rect.x + 56, y), 18, BAD if d["breached"] else TEXT)
            real = self.wrap(d["real"], 15, 700)[0]
            self.text(surf, real, (rect.x + 56, y + 15), 15, DIM)
            self.text(surf, f"counter: {d['counter']}", (rect.x + 56, y + 28), 15, GOOD)
            y += 44
            if y > rect.bottom - 60:
                break
        # The allies' learning curve.
        cx = rect.x + 820
        self.text(surf, "Allies' learning curve", (cx, rect.y + 122), 22, ACCENT)
        self.text(surf, "share of threats past your controls they stopped", (cx, rect.y + 144), 16, DIM)
        chart = pygame.Rect(cx + 40, rect.y + 168, 330, 220)
        if s["curve"]:
            self._chart(surf, chart, s["curve"])
            self.text(surf, "wave", (chart.centerx, chart.bottom + 20), 16, DIM, "midtop")
        else:
            self.text(surf, "no waves in this run", (chart.x, chart.y + 20), 18, DIM)
        yy = chart.bottom + 46
        for ally in s["allies"][:4]:
            self.text(
                surf,
                f"{ally['name']}: {ally['updates']} Q-updates, stopped {ally['stopped']}, advice taken {ally['advised']}",
                (cx, yy),
                16,
                TEXT,
            )
            yy += 18
        self.text(surf, "Enter, Space or click to continue", (rect.centerx, rect.bottom - 24), 22, WARN, "center")
