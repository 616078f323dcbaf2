"""The drawing minigame's desktop view: pick an idea, draw it, watch the AI guess.

Mouse or pen draws on the canvas. Keyboard: 1/2/3 pick an idea (or type your own and
press Enter when a vision model guesses), arrow keys move the cursor and Space lifts or
lowers the pen, Z (or Ctrl+Z / Backspace) undoes a stroke, C (or Delete) clears, Enter
says "done", T hides the timer, Enter/Space continues after a reveal.
The view owns no rules: it turns events into DrawingGame inputs and draws its state.
"""

from __future__ import annotations

import logging

import pygame

from game.minigames.drawing.closeness import closeness
from game.minigames.drawing.game import CANVAS
from game.plural import plural
from game.ui.minigame_view import MinigameView

log = logging.getLogger(__name__)

BG = (20, 22, 30)
PANEL = (32, 36, 48)
PAPER = (248, 245, 236)
INK = (28, 28, 36)
ACCENT = (90, 209, 196)
WARM = (244, 180, 90)
MUTED = (150, 156, 172)
TEXT = (232, 234, 240)
BAD = (232, 110, 110)

CANVAS_POS = (72, 132)
CANVAS_PX = 512  # the sim's canvas is 512 units: drawn 1:1


class _Button:
    def __init__(self, rect, label, key_hint, action):
        self.rect = pygame.Rect(rect)
        self.label = label
        self.key_hint = key_hint
        self.action = action

    def draw(self, surf, fonts, hover=False, enabled=True):
        colour = (54, 62, 82) if not hover else (70, 82, 108)
        pygame.draw.rect(surf, colour, self.rect, border_radius=10)
        pygame.draw.rect(surf, ACCENT if enabled else MUTED, self.rect, 2, border_radius=10)
        label = fonts["button"].render(self.label, True, TEXT if enabled else MUTED)
        hint = fonts["small"].render(self.key_hint, True, MUTED)
        surf.blit(label, label.get_rect(center=(self.rect.centerx, self.rect.centery - 7)))
        surf.blit(hint, hint.get_rect(center=(self.rect.centerx, self.rect.centery + 15)))


class View(MinigameView):
    wants_escape = False
    uses_vision = True  # the desktop host reads the vision settings for it (context["vision"])

    def __init__(self, game, *, seed, params, context):
        super().__init__(game, seed=seed, params=params, context=context)
        pygame.font.init()
        self.fonts = {
            "title": pygame.font.Font(None, 54),
            "big": pygame.font.Font(None, 44),
            "line": pygame.font.Font(None, 36),
            "button": pygame.font.Font(None, 30),
            "text": pygame.font.Font(None, 28),
            "small": pygame.font.Font(None, 22),
            "card": pygame.font.Font(None, 50),
        }
        self.ai_name = context.get("ai_name") or "ARIA"
        self.show_timer = True
        if context.get("timed") is False:
            game.set_timed(False)
        self._configure_vision(context)
        classes = getattr(game.recognizer, "classes", [])
        self._classes = set(classes) if not game.takes_custom_ideas else set(classes) | set(game.state["ideas"])
        self.held: set[int] = set()
        self.pending: list[dict] = []
        self.mouse_drawing = False
        self.typed = ""
        self.mouse_pos = (0, 0)
        self._log: list[dict] = []
        self._seen_guesses = 0
        self._seen_phase = None
        self._seen_round = -1
        self._seen_line = ""
        self._seen_pen = (-1, 0, False)  # round, strokes, pen down: "pen_up" when a stroke is finished
        x0 = CANVAS_POS[0]
        y0 = CANVAS_POS[1] + CANVAS_PX + 14
        self.draw_buttons = [
            _Button((x0, y0, 160, 56), "Undo", "Z", {"undo": True}),
            _Button((x0 + 176, y0, 160, 56), "Clear", "C", {"clear": True}),
            _Button((x0 + 352, y0, 160, 56), "Done", "Enter", {"done": True}),
        ]
        self.next_button = _Button((760, 560, 300, 64), "Continue", "Enter", {"next": True})
        self.cards = [pygame.Rect(150 + i * 340, 250, 300, 170) for i in range(3)]

    def _configure_vision(self, context):
        """A vision model guesses when the designer configured one: the host's context (the
        desktop game reads it and shows what is wrong with it), else the settings file and
        environment, as every front end reads them (vision.configured)."""
        cfg = dict(context.get("vision") or {})
        if "vision" not in context:  # a host that did not read the settings (the bare window)
            from game.minigames.drawing.vision import configured

            problems: list[str] = []
            cfg = configured(problems) or {}
            for problem in problems:
                log.warning("drawing game settings: %s", problem)
        if cfg.get("model"):
            from game.minigames.drawing.recognizer import create

            self.game.use_recognizer(create("vision", **cfg))

    # ------------------------------------------------------------ input

    @property
    def state(self):
        return self.game.state

    def _to_canvas(self, pos):
        return (pos[0] - CANVAS_POS[0]) * CANVAS / CANVAS_PX, (pos[1] - CANVAS_POS[1]) * CANVAS / CANVAS_PX

    def _on_canvas(self, pos):
        return pygame.Rect(CANVAS_POS, (CANVAS_PX, CANVAS_PX)).collidepoint(pos)

    def handle_event(self, event) -> None:
        phase = self.state["phase"]
        if event.type == pygame.MOUSEMOTION:
            self.mouse_pos = event.pos
            if phase == "draw" and self.mouse_drawing:
                self.pending.append({"pen_move": list(self._to_canvas(event.pos))})
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            self.mouse_pos = event.pos
            if phase == "pick":
                for i, card in enumerate(self.cards):
                    if card.collidepoint(event.pos):
                        self.pending.append({"pick": i})
            elif phase == "draw":
                if self._on_canvas(event.pos):
                    self.mouse_drawing = True
                    self.pending.append({"pen_down": list(self._to_canvas(event.pos))})
                for b in self.draw_buttons:
                    if b.rect.collidepoint(event.pos):
                        self.pending.append(dict(b.action))
            elif phase == "reveal" and self.next_button.rect.collidepoint(event.pos):
                self.pending.append({"next": True})
        elif event.type == pygame.MOUSEBUTTONUP and event.button == 1:
            if self.mouse_drawing:
                self.mouse_drawing = False
                self.pending.append({"pen_move": list(self._to_canvas(event.pos))})
                self.pending.append({"pen_up": True})
        elif event.type == pygame.KEYDOWN:
            self._key(event, phase)
        elif event.type == pygame.KEYUP:
            self.held.discard(event.key)

    def _key(self, event, phase):
        k = event.key
        if phase == "pick":
            if k in (pygame.K_1, pygame.K_2, pygame.K_3) and not self.typed:
                self.pending.append({"pick": k - pygame.K_1})
            elif self.game.takes_custom_ideas:
                if k == pygame.K_RETURN:
                    self.pending.append({"pick_custom": self.typed})
                elif k == pygame.K_BACKSPACE:
                    self.typed = self.typed[:-1]
                elif event.unicode and event.unicode.isprintable() and len(self.typed) < 32:
                    self.typed += event.unicode
        elif phase == "draw":
            if k in (pygame.K_LEFT, pygame.K_RIGHT, pygame.K_UP, pygame.K_DOWN):
                self.held.add(k)
            elif k == pygame.K_SPACE:
                self.pending.append({"toggle_pen": True})
            elif k in (pygame.K_z, pygame.K_BACKSPACE):
                self.pending.append({"undo": True})
            elif k in (pygame.K_c, pygame.K_DELETE):
                self.pending.append({"clear": True})
            elif k in (pygame.K_RETURN, pygame.K_KP_ENTER):
                self.pending.append({"done": True})
            elif k == pygame.K_t:
                self.show_timer = not self.show_timer
        elif phase == "reveal" and k in (pygame.K_RETURN, pygame.K_SPACE, pygame.K_KP_ENTER):
            self.pending.append({"next": True})

    def update(self, dt: float) -> None:
        inputs, self.pending = self.pending, []
        if self.state["phase"] == "draw":
            dx = (pygame.K_RIGHT in self.held) - (pygame.K_LEFT in self.held)
            dy = (pygame.K_DOWN in self.held) - (pygame.K_UP in self.held)
            if dx or dy:
                inputs.append({"cursor": [dx, dy]})
        else:
            self.held.clear()
            self.mouse_drawing = False
        self.game.step(dt, inputs)
        self._collect_log()

    # ------------------------------------------------------------ log for tests and tools

    def _collect_log(self) -> None:
        s = self.state
        if s["round"] != self._seen_round:
            self._seen_round = s["round"]
            self._seen_guesses = 0
        for g in s.get("guesses", [])[self._seen_guesses :]:
            self._log.append(
                {"event": "guess", "label": g["label"], "prob": g["prob"], "t": g["t"], "round": s["round"]}
            )
        self._seen_guesses = len(s.get("guesses", []))
        pen = (s["round"], len(s["strokes"]), bool(s["pen"]))
        was, self._seen_pen = self._seen_pen, pen
        if not pen[2] and pen[1] and was[0] == pen[0] and (was[2] or was[1] < pen[1]):
            # the pen lifted from a stroke (logged after the guess that every pen-up gets)
            self._log.append({"event": "pen_up", "round": s["round"], "strokes": pen[1]})
        if s.get("line") and s["line"] != self._seen_line:
            self._seen_line = s["line"]
            self._log.append({"event": "ai_line", "text": s["line"]})
        if s["phase"] != self._seen_phase:
            self._seen_phase = s["phase"]
            if s["phase"] == "pick":
                self._log.append({"event": "ideas_offered", "round": s["round"], "ideas": list(s["options"])})
            elif s["phase"] == "draw":
                self._log.append({"event": "idea_picked", "round": s["round"], "custom": s["custom"]})
            elif s["phase"] == "reveal" and s["history"]:
                self._log.append({"event": "round_over", **s["history"][-1]})

    def drain_log(self) -> list[dict]:
        out, self._log = self._log, []
        return out

    # ------------------------------------------------------------ drawing

    def draw(self, surface) -> None:
        surface.fill(BG)
        s = self.state
        phase = s["phase"]
        self._header(surface)
        if phase == "pick":
            self._pick(surface)
        else:
            self._canvas(surface)
            self._ai_panel(surface)
            if phase == "draw":
                hover = self.mouse_pos
                for b in self.draw_buttons:
                    b.draw(surface, self.fonts, hover=b.rect.collidepoint(hover))
            else:
                self._reveal(surface)

    def _text(self, surf, text, font, colour, pos, anchor="topleft"):
        img = self.fonts[font].render(text, True, colour)
        rect = img.get_rect(**{anchor: pos})
        surf.blit(img, rect)
        return rect

    def _wrap(self, text, font, width):
        words, lines, cur = text.split(), [], ""
        for w in words:
            trial = (cur + " " + w).strip()
            if self.fonts[font].size(trial)[0] > width and cur:
                lines.append(cur)
                cur = w
            else:
                cur = trial
        return lines + ([cur] if cur else [])

    def _header(self, surf):
        s = self.state
        self._text(surf, f"Draw for {self.ai_name}", "title", TEXT, (72, 36))
        self._text(surf, f"Round {s['round'] + 1} of {s['rounds']}   Score {s['score']}", "text", MUTED, (76, 84))
        if s["phase"] == "draw":
            if s["timed"] and self.show_timer:
                left = max(0.0, s["time_limit"] - s["t"])
                colour = BAD if left < 5 else WARM
                self._text(surf, f"{left:4.1f}s", "title", colour, (1208, 36), "topright")
                frac = left / s["time_limit"]
                pygame.draw.rect(surf, PANEL, (920, 90, 288, 8), border_radius=4)
                pygame.draw.rect(surf, colour, (920, 90, int(288 * frac), 8), border_radius=4)
            elif s["timed"]:
                self._text(surf, "timer hidden (T)", "small", MUTED, (1208, 50), "topright")
            else:
                self._text(surf, "no time limit", "small", MUTED, (1208, 50), "topright")

    def _pick(self, surf):
        s = self.state
        self._text(surf, "Pick a secret idea to draw.", "big", TEXT, (640, 170), "center")
        self._text(surf, f"{self.ai_name} will try to guess it while you draw.", "text", MUTED, (640, 208), "center")
        for i, (card, word) in enumerate(zip(self.cards, s["options"])):
            hover = card.collidepoint(self.mouse_pos)
            pygame.draw.rect(surf, (44, 52, 70) if hover else PANEL, card, border_radius=16)
            pygame.draw.rect(surf, ACCENT, card, 3 if hover else 2, border_radius=16)
            self._text(surf, word, "card", TEXT, card.center, "center")
            self._text(surf, f"press {i + 1}", "small", MUTED, (card.centerx, card.bottom - 22), "center")
            if word not in self._classes:
                self._text(
                    surf,
                    f"new to {self.ai_name}: it can only get close",
                    "small",
                    WARM,
                    (card.centerx, card.y + 28),
                    "center",
                )
        if self.game.takes_custom_ideas:
            box = pygame.Rect(390, 470, 500, 54)
            pygame.draw.rect(surf, PAPER, box, border_radius=8)
            shown = self.typed or "...or type your own idea and press Enter"
            self._text(surf, shown, "text", INK if self.typed else MUTED, (box.x + 14, box.centery), "midleft")
        else:
            self._text(
                surf, "Pick one of these ideas: press its number or click it.", "small", MUTED, (640, 480), "center"
            )
        if s.get("notice"):
            self._text(surf, s["notice"], "text", BAD, (640, 560), "center")
        self._text(surf, "Drawings: Quick, Draw! dataset by Google, CC BY 4.0", "small", MUTED, (640, 690), "center")

    def _canvas(self, surf):
        s = self.state
        rect = pygame.Rect(CANVAS_POS, (CANVAS_PX, CANVAS_PX))
        pygame.draw.rect(surf, (10, 10, 14), rect.move(6, 6), border_radius=6)
        pygame.draw.rect(surf, PAPER, rect, border_radius=6)
        scale = CANVAS_PX / CANVAS
        for xs, ys, _ts in s["strokes"]:
            pts = [(CANVAS_POS[0] + x * scale, CANVAS_POS[1] + y * scale) for x, y in zip(xs, ys)]
            if len(pts) == 1:
                pygame.draw.circle(surf, INK, pts[0], 4)
            else:
                pygame.draw.lines(surf, INK, False, pts, 7)
                for p in pts:
                    pygame.draw.circle(surf, INK, p, 3)  # round joins
        if s["phase"] == "draw":
            cx, cy = s["cursor"]
            c = (CANVAS_POS[0] + cx * scale, CANVAS_POS[1] + cy * scale)
            if self.held or not self.mouse_drawing:
                colour = BAD if s["pen"] else ACCENT
                pygame.draw.circle(surf, colour, c, 9, 2)
                pygame.draw.line(surf, colour, (c[0] - 14, c[1]), (c[0] - 6, c[1]), 2)
                pygame.draw.line(surf, colour, (c[0] + 6, c[1]), (c[0] + 14, c[1]), 2)
            if not s["strokes"]:
                self._text(surf, "draw here", "big", (200, 196, 186), rect.center, "center")

    def _ai_panel(self, surf):
        s = self.state
        panel = pygame.Rect(640, 132, 568, 300)
        pygame.draw.rect(surf, PANEL, panel, border_radius=14)
        pygame.draw.circle(surf, ACCENT, (panel.x + 40, panel.y + 42), 22)
        pygame.draw.circle(surf, BG, (panel.x + 33, panel.y + 38), 4)
        pygame.draw.circle(surf, BG, (panel.x + 47, panel.y + 38), 4)
        self._text(surf, self.ai_name, "button", ACCENT, (panel.x + 74, panel.y + 30))
        thinking = s.get("line") or "..."
        y = panel.y + 80
        for line in self._wrap(f"\u201c{thinking}\u201d", "line", panel.w - 48)[:3]:
            self._text(surf, line, "line", TEXT, (panel.x + 24, y))
            y += 34
        y = max(y + 12, panel.y + 190)
        for label, prob in (s.get("top") or [])[:3]:
            self._text(surf, label, "text", TEXT, (panel.x + 24, y))
            bar = pygame.Rect(panel.x + 200, y + 2, 300, 16)
            pygame.draw.rect(surf, (50, 56, 74), bar, border_radius=8)
            pygame.draw.rect(surf, ACCENT, (bar.x, bar.y, max(4, int(bar.w * prob)), bar.h), border_radius=8)
            self._text(surf, f"{prob * 100:3.0f}%", "small", MUTED, (bar.right + 10, y + 2))
            y += 30
        if s["phase"] == "draw":
            tips = ["Mouse or pen: draw.  Arrows + Space: draw with keys.", "Z undo   C clear   Enter done   T timer"]
            for i, tip in enumerate(tips):
                self._text(surf, tip, "small", MUTED, (652, 460 + i * 24))
            guesser = self.game.guesser_name
            self._text(surf, f"guessing with: {guesser}", "small", MUTED, (652, 520))
            self._text(surf, "Your secret idea:", "text", MUTED, (652, 580))
            self._text(surf, s["idea"], "big", WARM, (652, 606))

    def _reveal(self, surf):
        s = self.state
        h = s["history"][-1]
        box = pygame.Rect(640, 448, 568, 200)
        pygame.draw.rect(surf, PANEL, box, border_radius=14)
        pygame.draw.rect(surf, ACCENT if h["understood"] else WARM, box, 2, border_radius=14)
        self._text(surf, f"You drew: {h['idea']}", "big", TEXT, (box.x + 24, box.y + 18))
        said = h["guess"] or "nothing"
        self._text(surf, f"{self.ai_name} said: {said}", "line", TEXT, (box.x + 24, box.y + 60))
        near = closeness(h["guess"], h["idea"]) if h["guess"] else 0.0
        verdict = "understood!" if h["understood"] else ("close..." if near >= 0.4 else "not quite.")
        self._text(
            surf,
            f"closeness {near:.0%}: {verdict}   +{plural(h['score'], 'point')}",
            "text",
            ACCENT if h["understood"] else WARM,
            (box.x + 24, box.y + 96),
        )
        last = s["round"] + 1 >= s["rounds"]
        self.next_button.label = "Finish" if last else "Next drawing"
        self.next_button.rect.topleft = (box.x + 24, box.y + 126)
        self.next_button.rect.size = (260, 56)
        self.next_button.draw(surf, self.fonts, hover=self.next_button.rect.collidepoint(self.mouse_pos))
        if last:
            r = self.game.result()
            # Inside the box, beside the button: the total in points (the AI's reward is its business).
            total = f"Total: {plural(r['score'], 'point')}"
            room = box.right - 16 - (box.x + 300)
            font = self.fonts["text"] if self.fonts["text"].size(total)[0] <= room else self.fonts["small"]
            surf.blit(font.render(total, True, MUTED), (box.x + 300, box.y + 146))
