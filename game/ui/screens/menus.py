"""Overlay screens: pause menu, save/load slots, confirmations, settings, help, history."""

from __future__ import annotations

import io

import pygame

from game import saves
from game import settings as settings_mod
from game.ui.screens.base import Screen
from game.ui.theme import H, W
from game.ui.widgets import Item, Menu, TextBox, fit_size, wrap


def _esc(event) -> bool:
    return event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE


class Overlay(Screen):
    opaque = False
    title = ""

    def draw_frame(self, surface, rect: pygame.Rect) -> None:
        """The game behind dimmed, then an opaque panel: nothing below shows through a menu."""
        th = self.theme
        th.shade(surface)
        th.panel(surface, rect, alpha=255)
        th.text(surface, self.title, (rect.x + 36, rect.y + 24), size=th.scaled(1.2), kind="bold", color=th.pal.gold)


class PauseScreen(Overlay):
    name = "pause"
    title = "Paused"

    def __init__(self, app, minigame=None, ended: bool = False) -> None:
        super().__init__(app)
        from game.ui.screens.play import PlayScreen

        play = app.find(PlayScreen)
        in_game = play is not None and not ended
        items = [Item("Resume", self.close)]
        if minigame is not None:

            def skip_minigame() -> None:
                self.close()
                minigame.skip()

            items.append(Item("Skip this minigame", skip_minigame, note="default result"))
        items += [
            Item("Save", lambda: app.push(SaveLoadScreen(app, "save")), enabled=in_game and minigame is None),
            Item("Load", lambda: app.push(SaveLoadScreen(app, "load"))),
            Item("History", lambda: app.push(HistoryScreen(app, play)), enabled=play is not None),
            Item("Settings", lambda: app.push(SettingsScreen(app))),
            Item("Help (keys)", lambda: app.push(HelpScreen(app))),
            Item(
                "Title screen",
                lambda: app.push(
                    ConfirmScreen(
                        app,
                        "Return to the title? Unsaved progress is lost (the autosave keeps the last scene).",
                        self.to_title,
                    )
                ),
            ),
            Item("Quit game", lambda: app.push(ConfirmScreen(app, "Quit the game?", app.quit))),
        ]
        self.menu = Menu(items, x=W // 2 - 230, y=130, width=460, row_gap=8)

    def close(self) -> None:
        self.app.pop(self)

    def to_title(self) -> None:
        from game.ui.screens.title import TitleScreen

        self.app.session.read.flush()
        self.app.reset_to(TitleScreen(self.app))

    def handle(self, event) -> bool:
        if _esc(event):
            self.close()
            return True
        return self.menu.handle(event)

    def draw(self, surface) -> None:
        th = self.theme
        frame = pygame.Rect(W // 2 - 270, 40, 540, H - 80)
        self.draw_frame(surface, frame)
        size = fit_size(lambda sz: self.menu.measure(th, size=sz), frame.bottom - 20 - self.menu.y, th.scaled(0.85))
        self.menu.draw(surface, th, size=size)

    def describe(self):
        return {"screen": self.name, "items": [(i.label, i.enabled) for i in self.menu.items], "focus": self.menu.index}


class ConfirmScreen(Overlay):
    name = "confirm"
    title = "Are you sure?"

    def __init__(self, app, question: str, on_yes, on_no=None) -> None:
        super().__init__(app)
        self.question = question
        self.on_yes, self.on_no = on_yes, on_no
        self.menu = Menu([Item("No", self.no), Item("Yes", self.yes)], x=W // 2 - 200, y=400, width=400)

    def yes(self) -> None:
        self.app.pop(self)
        self.on_yes()

    def no(self) -> None:
        self.app.pop(self)
        if self.on_no:
            self.on_no()

    def handle(self, event) -> bool:
        if _esc(event) or (event.type == pygame.KEYDOWN and event.key == pygame.K_n):
            self.no()
            return True
        if event.type == pygame.KEYDOWN and event.key == pygame.K_y:
            self.yes()
            return True
        return self.menu.handle(event)

    def draw(self, surface) -> None:
        # Laid out top to bottom from what it holds, so the question, the buttons and the key
        # hint never overlap at any text size.
        th = self.theme
        font = th.font()
        lines = wrap(font, self.question, 760 - 80)
        title_h = th.font(th.scaled(1.2), "bold").get_linesize()
        hint_size = th.scaled(0.6)
        body_h = font.get_linesize() * len(lines)
        menu_h = self.menu.measure(th)
        height = 24 + title_h + 20 + body_h + 24 + menu_h + 16 + th.font(hint_size).get_linesize() + 16
        rect = pygame.Rect(W // 2 - 380, max(20, (H - height) // 2), 760, min(H - 40, height))
        self.draw_frame(surface, rect)
        y = rect.y + 24 + title_h + 20
        for line in lines:
            th.text(surface, line, (rect.x + 40, y))
            y += font.get_linesize()
        self.menu.y = y + 24
        self.menu.draw(surface, th)
        th.text(
            surface,
            "Y: yes  ·  N or Esc: no",
            (rect.centerx, rect.bottom - 16),
            size=hint_size,
            color=th.pal.dim,
            anchor="midbottom",
        )

    def describe(self):
        return {"screen": self.name, "question": self.question}


class SaveLoadScreen(Overlay):
    """Quick, auto and nine numbered slots with thumbnail, time and scene. Unreadable files are listed, never fatal."""

    name = "saveload"
    COLS = 4

    def __init__(self, app, mode: str = "load") -> None:
        super().__init__(app)
        self.mode = mode
        self.title = "Save game" if mode == "save" else "Load game"
        self.slots = saves.NUMBERED + (["quick", "auto"] if mode == "load" else ["quick"])
        self.index = 0
        self.refresh()

    def refresh(self) -> None:
        self.app.session.writer.flush()  # list the autosave being written, not the one before it
        self.infos = saves.list_slots(self.slots)
        self._thumbs: dict[str, pygame.Surface | None] = {}
        for i in self.infos:
            if i.thumbnail_png:
                try:
                    self._thumbs[i.slot] = pygame.image.load(io.BytesIO(i.thumbnail_png), "t.png")
                except (pygame.error, ValueError):
                    self._thumbs[i.slot] = None
        self.rects: list[pygame.Rect] = []

    def enter(self) -> None:
        self.refresh()

    def activate(self, i: int) -> None:
        if not 0 <= i < len(self.infos):
            return
        self.index = i
        info = self.infos[i]
        if self.mode == "save":
            if info.exists:
                what = (
                    "an unreadable file"
                    if not info.ok
                    else f"the save from {info.when} ({info.scene_title or info.scene})"
                )
                self.app.push(
                    ConfirmScreen(self.app, f"{info.label} holds {what}. Overwrite it?", lambda: self.save(info.slot))
                )
            else:
                self.save(info.slot)
        else:
            if not info.exists:
                self.app.toast(f"{info.label} is empty.")
            elif not info.ok:
                self.app.toast(f"{info.label} cannot be loaded: {info.error}")
            else:
                from game.ui.screens.play import load_slot

                load_slot(self.app, info.slot)

    def save(self, slot: str) -> None:
        from game.ui.screens.play import PlayScreen

        play = self.app.find(PlayScreen)
        if play is None:
            return
        try:
            play.session.save(slot, play.screen_state(), self.app.thumbnail_png())
            self.app.toast(f"Saved to {saves.info(slot).label}.")
        except Exception as exc:  # noqa: BLE001 - a full disk or read-only folder is a message
            self.app.toast(f"Could not save: {exc}")
        self.refresh()

    def handle(self, event) -> bool:
        n = len(self.infos)
        if _esc(event):
            self.app.pop(self)
            return True
        if event.type == pygame.KEYDOWN:
            k = event.key
            moves = {
                pygame.K_RIGHT: 1,
                pygame.K_LEFT: -1,
                pygame.K_DOWN: self.COLS,
                pygame.K_UP: -self.COLS,
                pygame.K_TAB: 1,
            }
            if k in moves:
                self.index = (self.index + moves[k]) % n
                return True
            if k in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
                self.activate(self.index)
                return True
            if pygame.K_1 <= k <= pygame.K_9:
                self.activate(k - pygame.K_1)
                return True
            if k == pygame.K_DELETE and self.infos[self.index].exists:
                info = self.infos[self.index]

                def delete() -> None:
                    saves.delete(info.slot)
                    self.refresh()

                self.app.push(ConfirmScreen(self.app, f"Delete {info.label}?", delete))
                return True
        if event.type == pygame.MOUSEMOTION:
            for i, r in enumerate(self.rects):
                if r.collidepoint(event.pos):
                    self.index = i
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            for i, r in enumerate(self.rects):
                if r.collidepoint(event.pos):
                    self.activate(i)
                    return True
        return True

    def draw(self, surface) -> None:
        th = self.theme
        frame = pygame.Rect(30, 20, W - 60, H - 40)
        self.draw_frame(surface, frame)
        small = th.scaled(0.58)
        gap = 14
        rows = -(-len(self.infos) // self.COLS)
        top = frame.y + 86
        hint_h = th.font(small).get_linesize() + 24
        # The cards share the frame's inner width and height: none sticks out, whatever the count.
        cw = (frame.w - 72 - gap * (self.COLS - 1)) // self.COLS
        ch = min(172, (frame.bottom - hint_h - top - 12 * (rows - 1)) // rows)
        self.rects = []
        for i, info in enumerate(self.infos):
            col, row = i % self.COLS, i // self.COLS
            r = pygame.Rect(frame.x + 36 + col * (cw + gap), top + row * (ch + 12), cw, ch)
            self.rects.append(r)
            focused = i == self.index
            th.panel(surface, r, radius=10, alpha=235, edge=th.pal.focus if focused else th.pal.panel_edge)
            label = ("▶ " if focused else "") + (f"{i + 1}. " if info.slot.isdigit() else "") + info.label
            label, lsize = th.fit(label, th.scaled(0.62), r.w - 24, "bold")
            lrect = th.text(
                surface,
                label,
                (r.x + 12, r.y + 8),
                size=lsize,
                kind="bold",
                color=th.pal.focus if focused else th.pal.text,
            )
            thumb = pygame.Rect(r.x + 12, lrect.bottom + 6, 128, 72)
            img = self._thumbs.get(info.slot)
            if img is not None:
                surface.blit(pygame.transform.smoothscale(img, thumb.size), thumb)
            else:
                pygame.draw.rect(surface, (30, 34, 50), thumb)
                th.text(
                    surface,
                    "empty" if not info.exists else ("no picture" if info.ok else "✖"),
                    thumb.center,
                    size=small,
                    color=th.pal.dim,
                    anchor="center",
                )
            if not info.exists:
                lines = ["Empty slot"]
            elif not info.ok:
                lines = ["Unreadable:"] + wrap(th.font(small), info.error, cw - 24)[:2]
            else:
                lines = [info.when, info.scene_title or info.scene, info.player]
            # Below the picture when they fit there, else beside it; a line that fits nowhere is left out.
            x, y, width = r.x + 12, thumb.bottom + 4, r.w - 24
            if th.font(small).get_linesize() * len(lines) > r.bottom - 4 - y:
                x, y, width = thumb.right + 10, thumb.y, r.right - thumb.right - 20
            for line in lines:
                if y + th.font(small).get_linesize() > r.bottom - 4:
                    break
                colour = th.pal.warn if (info.exists and not info.ok) else th.pal.dim
                line, lsize = th.fit(str(line), small, width)
                th.text(surface, line, (x, y), size=lsize, color=colour)
                y += th.font(small).get_linesize()
        hint = (
            "Enter: save here (asks before overwriting)" if self.mode == "save" else "Enter: load"
        ) + "  ·  arrows or 1-9 pick  ·  Delete: delete  ·  Esc: back"
        hint, hsize = th.fit(hint, small, frame.w - 60)
        th.text(surface, hint, (W // 2, frame.bottom - 12), size=hsize, color=th.pal.dim, anchor="midbottom")

    def describe(self):
        return {
            "screen": self.name,
            "mode": self.mode,
            "index": self.index,
            "slots": [
                {"slot": i.slot, "exists": i.exists, "ok": i.ok, "error": i.error, "scene": i.scene} for i in self.infos
            ],
        }


class SettingsScreen(Overlay):
    name = "settings"

    def text_box(self):
        """The field being edited (the model name), if any."""
        return getattr(self, "editing", None)

    title = "Settings"

    ROWS = [  # key, label, kind
        ("text_speed", "Text speed", "choice"),
        ("auto_advance", "Auto-advance", "bool"),
        ("auto_delay", "Auto-advance delay", "choice"),
        ("text_size", "Text size", "choice"),
        ("high_contrast", "High contrast", "bool"),
        ("fullscreen", "Fullscreen", "bool"),
        ("sound", "Ambient sound", "bool"),
        ("master_volume", "Master volume", "choice"),
        ("ambient_volume", "Ambient volume", "choice"),
        ("skip_minigames", "Skip minigames", "bool"),
        ("timers", "Timers in minigames", "bool"),
        ("skip_unread", "Skip also skips unread text", "bool"),
        ("dialogue.backend", "Dialogue backend", "backend"),
        ("dialogue.model", "Dialogue model", "text"),
    ]

    def __init__(self, app) -> None:
        super().__init__(app)
        from game.ui.talk import backend_names

        self.backends = backend_names()
        self.index = 0
        self.editing: TextBox | None = None

    def value(self, key: str):
        s = self.app.settings
        if key.startswith("dialogue."):
            return s.dialogue.get(key.split(".", 1)[1]) or ""
        return s.values[key]

    def shown(self, key: str, kind: str) -> str:
        v = self.value(key)
        if kind == "bool":
            return "On" if v else "Off"
        if key == "text_speed":
            return "Instant" if v == 0 else f"{v} characters/s"
        if key == "auto_delay":
            return f"{v:g} s"
        if key.endswith("volume"):
            return f"{int(round(v * 100))}%"
        if key == "dialogue.model":
            return v or "(backend default)"
        if key == "dialogue.backend":
            return v or "(level's choice / scripted)"
        return str(v).title() if key == "text_size" else str(v)

    def change(self, step: int) -> None:
        key, _label, kind = self.ROWS[self.index]
        s = self.app.settings
        if kind == "bool":
            s.set(key, not s.values[key])
            if key == "fullscreen":
                s.set(key, not s.values[key])  # toggle_fullscreen flips and persists it
                self.app.toggle_fullscreen()
        elif kind == "choice":
            options = settings_mod.CHOICES[key]
            cur = s.values[key]
            i = options.index(cur) if cur in options else 0
            s.set(key, options[(i + step) % len(options)])
        elif kind == "backend":
            cur = s.dialogue.get("backend") or ""
            names = self.backends
            names = [""] + names  # "" = not chosen here: the level's choice, else scripted
            i = names.index(cur) if cur in names else 0
            s.dialogue["backend"] = names[(i + step) % len(names)]
        elif kind == "text":
            self.editing = TextBox(max_len=120, text=s.dialogue.get("model") or "")
            return
        self.app.log("setting", key=key, value=self.value(key))
        self.app.apply_settings()

    def handle(self, event) -> bool:
        if self.editing is not None:
            if _esc(event):
                self.editing = None
                return True
            if self.editing.handle(event):
                text = self.editing.take()
                if text is not None:
                    self.app.settings.dialogue["model"] = text.strip()
                    self.editing = None
                    self.app.log("setting", key="dialogue.model", value=text.strip())
                    self.app.apply_settings()
            return True
        if _esc(event):
            self.app.apply_settings()
            self.app.pop(self)
            return True
        if event.type == pygame.KEYDOWN:
            k = event.key
            if k in (pygame.K_DOWN, pygame.K_TAB):
                self.index = (self.index + 1) % len(self.ROWS)
            elif k == pygame.K_UP:
                self.index = (self.index - 1) % len(self.ROWS)
            elif k in (pygame.K_RIGHT, pygame.K_RETURN, pygame.K_SPACE, pygame.K_KP_ENTER):
                self.change(+1)
            elif k == pygame.K_LEFT:
                self.change(-1)
            return True
        if event.type == pygame.MOUSEBUTTONDOWN and event.button in (1, 3):
            for i, r in enumerate(getattr(self, "rects", [])):
                if r.collidepoint(event.pos):
                    self.index = i
                    self.change(+1 if event.button == 1 else -1)
        return True

    def draw(self, surface) -> None:
        th = self.theme
        frame = pygame.Rect(120, 20, W - 240, H - 40)
        self.draw_frame(surface, frame)
        size = min(th.base, 22)  # fourteen rows must fit even at the largest text size
        font = th.font(size)
        row_h = font.get_linesize() + 8
        y = frame.y + 80
        self.rects = []
        for i, (key, label, kind) in enumerate(self.ROWS):
            r = pygame.Rect(frame.x + 30, y, frame.w - 60, row_h)
            self.rects.append(r)
            focused = i == self.index
            if focused:
                th.panel(surface, r, radius=6, alpha=240, edge=th.pal.focus)
            colour = th.pal.focus if focused else th.pal.text
            th.text(
                surface,
                ("▶ " if focused else "   ") + label,
                (r.x + 12, r.centery),
                size=size,
                color=colour,
                anchor="midleft",
            )
            value = self.shown(key, kind)
            if focused and self.editing is not None:
                self.editing.draw(
                    surface, th, pygame.Rect(r.centerx, r.y, r.w // 2 - 10, r.h), placeholder="model name"
                )
            else:
                th.text(
                    surface,
                    f"◀ {value} ▶" if focused else value,
                    (r.right - 16, r.centery),
                    size=size,
                    color=colour,
                    anchor="midright",
                )
            y += row_h + 4
        th.text(
            surface,
            "Up/Down: pick  ·  Left/Right or Enter: change  ·  Esc: back (saved at once)",
            (W // 2, frame.bottom - 14),
            size=th.scaled(0.58),
            color=th.pal.dim,
            anchor="midbottom",
        )
        if self.app.settings.problem:
            th.text(
                surface,
                self.app.settings.problem,
                (W // 2, frame.bottom - 44),
                size=th.scaled(0.55),
                color=th.pal.warn,
                anchor="midbottom",
            )

    def describe(self):
        return {
            "screen": self.name,
            "index": self.index,
            "row": self.ROWS[self.index][0],
            "values": {k: self.value(k) for k, _l, _t in self.ROWS},
        }


KEYS = [
    ("Space / Enter / click", "show the whole line, then continue"),
    ("1-9, arrows + Enter", "pick a choice"),
    ("PageUp / wheel up", "roll back a line, choice or conversation turn"),
    ("PageDown / wheel down", "roll forward again (nothing is asked twice)"),
    ("Tab or F4", "skip text you have already read (stops at choices)"),
    ("Hold Ctrl", "skip read text while held"),
    ("A or F3", "auto-advance on / off"),
    ("H or F2", "history of everything said"),
    ("F5 / F9", "quick save / quick load"),
    ("F6 / F7", "save / load screen"),
    ("F8 (or S on the card)", "skip a minigame: its default result is used"),
    ("Esc", "pause menu; stops the AI's reply while it is typing"),
    ("F11 or Alt+Enter", "fullscreen on / off"),
    ("F1", "this help"),
]


class HelpScreen(Overlay):
    name = "help"
    title = "Keys"

    def handle(self, event) -> bool:
        if (
            _esc(event)
            or (event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_SPACE))
            or (event.type == pygame.MOUSEBUTTONDOWN)
        ):
            self.app.pop(self)
        return True

    def draw(self, surface) -> None:
        th = self.theme
        frame = pygame.Rect(100, 20, W - 200, H - 40)
        self.draw_frame(surface, frame)
        size = min(th.base, 24)
        y = frame.y + 84
        for key, what in KEYS:
            th.text(surface, key, (frame.x + 40, y), size=size, kind="bold", color=th.pal.accent)
            th.text(surface, what, (frame.x + 420, y), size=size)
            y += th.font(size).get_linesize() + 6
        th.text(
            surface,
            "Every action works from the keyboard alone. Settings: text size, high contrast, "
            "skip minigames, timers off.",
            (W // 2, frame.bottom - 44),
            size=th.scaled(0.55),
            color=th.pal.dim,
            anchor="midbottom",
        )
        th.text(
            surface,
            "Esc, Enter or click to close",
            (W // 2, frame.bottom - 16),
            size=th.scaled(0.55),
            color=th.pal.dim,
            anchor="midbottom",
        )

    def describe(self):
        return {"screen": self.name, "keys": KEYS}


class HistoryScreen(Overlay):
    """The backlog: every line, choice and conversation turn so far; generated lines are marked."""

    name = "history"
    title = "History"

    def __init__(self, app, play) -> None:
        super().__init__(app)
        self.entries = self.collect(play)
        self.scroll = 0  # lines scrolled up from the bottom
        self._layout: tuple[int, list[tuple[str, str]]] | None = None  # (text size, wrapped lines)

    @staticmethod
    def collect(play) -> list[tuple[str, str, str]]:
        """(who, text, note) rows from the transcript, plus the conversation under way."""
        rows: list[tuple[str, str, str]] = []
        if play is None:
            return rows
        rt = play.session.runtime
        for e in rt.transcript:
            kind = e.get("kind")
            if kind == "line":
                note = f"generated · {e.get('model') or e.get('backend')}" if e.get("generated") else ""
                rows.append((e.get("name") or "", e.get("text", ""), note))
            elif kind == "said":
                rows.append((f"{e.get('name')} (you)", e.get("text", ""), ""))
            elif kind == "choice":
                rows.append(("You chose", e.get("chosen", ""), ""))
            elif kind == "minigame":
                rows.append(("Minigame", e.get("name", ""), "skipped" if e.get("skipped") else "played"))
        if play.mode == "talk":
            char = rt.character(play.prompt.character)
            for t in play.turns:
                if t["who"] == "ai":
                    rows.append(
                        (
                            char.name if char else "AI",
                            t["text"],
                            f"generated · {t.get('model') or t.get('backend')}" if t.get("generated") else "",
                        )
                    )
                else:
                    rows.append((f"{rt.world.player} (you)", t["text"], ""))
        elif play.mode == "line":
            rows.append((play.prompt.name, play.type.text, "now"))
        return rows

    def handle(self, event) -> bool:
        if _esc(event) or (event.type == pygame.KEYDOWN and event.key in (pygame.K_h, pygame.K_F2)):
            self.app.pop(self)
            return True
        if event.type == pygame.KEYDOWN:
            step = {
                pygame.K_UP: 1,
                pygame.K_DOWN: -1,
                pygame.K_PAGEUP: 8,
                pygame.K_PAGEDOWN: -8,
                pygame.K_HOME: 10**6,
                pygame.K_END: -(10**6),
            }.get(event.key, 0)
            self.scroll = max(0, self.scroll + step)
        elif event.type == pygame.MOUSEWHEEL:
            self.scroll = max(0, self.scroll + 3 * event.y)
        return True

    def draw(self, surface) -> None:
        th = self.theme
        frame = pygame.Rect(80, 20, W - 160, H - 40)
        self.draw_frame(surface, frame)
        font, small = th.font(), th.font(th.scaled(0.65))
        if self._layout is None or self._layout[0] != th.base:
            lines = []
            for who, text, note in self.entries:
                head = who + (f"   [{note}]" if note else "")
                lines.append(("head", head))
                lines += [("text", t) for t in wrap(font, text, frame.w - 120)]
                lines.append(("gap", ""))
            self._layout = (th.base, lines)
        lines = self._layout[1]
        area = pygame.Rect(frame.x + 40, frame.y + 80, frame.w - 80, frame.h - 130)
        per = max(1, area.h // font.get_linesize())
        self.scroll = min(self.scroll, max(0, len(lines) - per))
        end = len(lines) - self.scroll
        y = area.y
        for kind, text in lines[max(0, end - per) : end]:
            if kind == "head":
                surface.blit(small.render(text, True, th.pal.accent), (area.x, y + 6))
            elif kind == "text":
                surface.blit(font.render(text, True, th.pal.text), (area.x + 20, y))
            y += font.get_linesize()
        th.text(
            surface,
            "Up/Down/PageUp/PageDown or wheel: scroll  ·  Esc: back",
            (W // 2, frame.bottom - 16),
            size=th.scaled(0.55),
            color=th.pal.dim,
            anchor="midbottom",
        )

    def describe(self):
        return {"screen": self.name, "entries": self.entries, "scroll": self.scroll}
