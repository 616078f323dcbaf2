"""The play screen: renders whatever the runtime asks for — a line, a choice, a free
conversation, a minigame, a chapter card, an ending — and sends the player's action back.

Every action first leaves a checkpoint in the session (runtime snapshot + this screen's
state), which is what rollback, roll-forward and saves restore. The screen state is
small: a generated line's text, or the conversation's snapshot and the turns shown.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import pygame

from game import saves
from game.dialogue.notices import FallbackNotes
from game.story.prompts import EndPrompt
from game.ui import backgrounds
from game.ui.screens.base import AMBIENT, FULL, Screen
from game.ui.talk import open_conversation, outcome_of, reply_info, start_line
from game.ui.theme import H, W
from game.ui.widgets import Item, Menu, TextBox, TypeText, fit_size, wrap

if TYPE_CHECKING:
    from game.dialogue.conversation import Conversation
    from game.dialogue.service import ReplyHandle

TEXT_W = 1120
# A choice ignores keys for this long after it appears, and keys already held down when it
# appeared until they are released: a key meant for the line before never picks an option.
ARM_DELAY = 0.35
SKIP_DELAY = 0.06  # seconds per line in skip mode: fast, but each line is still drawn


def load_slot(app, slot: str) -> bool:
    """Load a save into a fresh play screen; a bad save is a message, never a crash."""
    try:
        screen_state = app.session.load(slot)
    except saves.SaveError as exc:
        app.toast(f"Could not load {slot}: {exc}")
        return False
    from game.ui.screens.title import TitleScreen

    title = app.find(TitleScreen)
    app.screens[:] = [title] if title else []
    app.push(PlayScreen(app, screen_state))
    app.toast(f"Loaded {saves.info(slot).label}.")
    return True


class PlayScreen(Screen):
    def text_box(self):
        """The reply box, while the player talks with a character."""
        return getattr(self, "box", None) if getattr(self, "mode", None) == "talk" else None

    name = "play"
    # A choice's question as typed text (question, text), set when a choice is first drawn.
    _qcache: tuple[str, TypeText]

    def __init__(self, app, state: dict | None = None) -> None:
        super().__init__(app)
        self.session = app.session
        self.skip = False
        self.auto = False
        self.last_scene: str | None = None  # entering another scene autosaves
        self.pending_autosave = ""
        self.fallbacks = FallbackNotes()  # a backend that did not answer is told once a game, as a toast
        self.present(state or {})

    # ------------------------------------------------------------------ state
    def screen_state(self) -> dict:
        if self.mode == "line" and self.generated_done:
            return {"mode": "line", "generated": dict(self.generated_done)}
        if self.mode == "talk" and self.conv is not None:
            return {"mode": "talk", "conversation": self.conv.snapshot(), "turns": [dict(t) for t in self.turns]}
        return {"mode": self.mode}

    def present(self, state: dict | None = None) -> None:
        """Set the screen up for the runtime's current prompt (state: what a rollback or save restores)."""
        state = state or {}
        rt = self.session.runtime
        self.prompt = prompt = rt.current()
        self.handle_stream: ReplyHandle | None = None  # a generated line or a reply, while it streams
        self.generated_done: dict[str, Any] | None = None  # a generated line once it is complete
        self.conv: Conversation | None = None
        self.note = ""
        self.wait = 0.0
        self.menu: Menu | None = None  # the options, while a choice is shown
        bg_name, scene_id = self.session.scene_background()
        self.bg = backgrounds.kind_for(bg_name, scene_id)
        if rt.scene != self.last_scene and not isinstance(prompt, EndPrompt):
            if self.last_scene is not None:
                self.pending_autosave = "scene"  # taken next frame, once this prompt's view is set up
            self.last_scene = rt.scene
        PRESENTERS[prompt.kind](self, prompt, state)

    # ------------------------------------------------------------------ one presenter per prompt kind
    def _show_line(self, prompt, state: dict) -> None:
        rt = self.session.runtime
        speed = self.app.settings.text_speed
        self.mode = "line"
        self.type = TypeText(self.theme, prompt.text, TEXT_W, speed=speed)
        gen = state.get("generated") if state.get("mode") == "line" else None
        if gen:
            self.generated_done = dict(gen)
            self.type.set_text(gen["text"])
        elif prompt.generate:
            handle, why = start_line(rt, prompt, self.session.options)
            if handle is not None:
                self.handle_stream = handle
                self.stream_text = ""
                self.type.set_text("")
            else:
                self.note = why
                self.app.log("generation_fallback", key=prompt.key, reason=why)
        self.read_before = self.session.read.seen(self.session.story.id, prompt.key)
        self.app.log(
            "shown",
            kind="line",
            key=prompt.key,
            speaker=prompt.speaker,
            name=prompt.name,
            face=getattr(prompt, "face", "") or "",
            bg=self.bg,
            text=self.type.text,
            scene=prompt.scene,
            read=self.read_before,
        )

    def _show_choice(self, prompt, state: dict) -> None:
        self.mode = "choice"
        self.skip = False  # skipping always stops at a decision
        labels = self.session.runtime.world.labels  # words an `effect:` has taken over
        items = [Item(labels.get(o["text"], o["text"]), partial(self.choose, o["index"])) for o in prompt.options]
        self.menu = Menu(items, x=W // 2 - 420, y=0, width=840, numbered=True, preselect=False)
        self.choice_age = 0.0
        self.held_at_choice = set(self.app.keys_down)
        self.choice_hint = ""
        self.app.log(
            "shown", kind="choice", key=prompt.key, options=[o["text"] for o in prompt.options], scene=prompt.scene
        )

    def _show_talk(self, prompt, state: dict) -> None:
        rt = self.session.runtime
        self.mode = "talk"
        self.skip = False
        self.box = TextBox(max_len=280)
        self._turn_cache: dict = {}
        self._line_cache: dict = {}
        snap = state.get("conversation") if state.get("mode") == "talk" else None
        self.ai_face = "neutral"
        self.conv, self.note = open_conversation(rt, prompt, self.session.options, snapshot=snap)
        if self.note:
            self.app.log("dialogue_fallback", reason=self.note)
        if snap:
            self.turns = [dict(t) for t in state.get("turns", [])]
        else:
            try:
                reply = self.conv.opening()
            except Exception as exc:  # noqa: BLE001 - a failing backend still lets the player talk
                reply = None
                self.app.toast(f"The AI could not open the conversation: {exc}")
            char = rt.character(prompt.character)
            self.turns = []
            if reply is not None:
                self.turns.append(
                    {
                        "who": "ai",
                        "text": reply.text,
                        "backend": reply.backend,
                        "model": reply.model,
                        "generated": reply.generated,
                    }
                )
            self.app.log(
                "talk_started",
                character=prompt.character,
                name=char.name if char else prompt.character,
                opening=self.turns[0]["text"] if self.turns else "",
                key=prompt.key,
            )

    def _show_minigame(self, prompt, state: dict) -> None:
        self.mode = "minigame"
        self.skip = False
        from game.ui.minigame_view import view_for

        self.pending_autosave = "minigame"
        self.view_cls = view_for(prompt.name)
        self.app.log("shown", kind="minigame", name=prompt.name, key=prompt.key, has_view=self.view_cls is not None)

    def _show_level(self, prompt, state: dict) -> None:
        self.mode = "level"
        from game.ui.talk import warm_level

        warm_level(self.session.runtime, self.session.options)
        self.app.log("shown", kind="level", level=prompt.level, title=prompt.title, number=prompt.number)

    def _show_end(self, prompt, state: dict) -> None:
        self.mode = "end"
        self.skip = False
        self.app.log(
            "ending",
            ending=prompt.ending,
            title=prompt.title,
            text=prompt.text,
            problem=prompt.problem,
            epilogue=list(prompt.epilogue),
            inscription=list(prompt.inscription),
        )
        from game.ui.screens.ending import EndingScreen

        self.app.push(EndingScreen(self.app, prompt))

    # ------------------------------------------------------------------ actions
    def _act(self, do) -> None:
        self.session.checkpoint(self.screen_state())
        do()
        self.present()

    def advance(self) -> None:
        if self.mode == "line":
            if self.handle_stream is not None:
                if getattr(self.handle_stream, "thinking", False):
                    self.handle_stream.skip()  # a model still silent: the written line now
                return  # still generating: the line is not there to read yet
            if not self.type.done:
                self.type.finish()
                return
            prompt = self.prompt
            self.session.read.mark(self.session.story.id, prompt.key)
            gen = self.generated_done
            if gen:
                self._act(
                    lambda: self.session.runtime.advance(
                        text=gen["text"], backend=gen.get("backend"), model=gen.get("model")
                    )
                )
            else:
                self._act(self.session.runtime.advance)
        elif self.mode == "level":
            self._act(self.session.runtime.advance)
        elif self.mode == "talk" and self.conv is not None and self.conv.finished and self.handle_stream is None:
            outcome = outcome_of(self.conv)
            self.app.log("talk_finished", turns=len(outcome.get("turns") or []), values=outcome.get("values"))
            self._act(lambda: self.session.runtime.finish_talk(outcome))
        elif self.mode == "minigame":
            if self.app.settings.skip_minigames:
                self.skip_minigame("skipped by the player's settings")
            elif self.view_cls is None:
                self.skip_minigame("this minigame has no desktop view in this build")
            else:
                from game.ui.screens.minigame import MinigameHost

                self.app.push(MinigameHost(self.app, self, self.prompt, self.view_cls))

    def choose(self, index: int) -> None:
        text = next(o["text"] for o in self.prompt.options if o["index"] == index)
        self.app.log("chosen", index=index, text=text, key=self.prompt.key)
        self._act(lambda: self.session.runtime.choose(index))

    def finish_minigame(self, result: dict) -> None:
        self.app.log("minigame_finished", name=self.prompt.name, result=result)
        self._act(lambda: self.session.runtime.finish_minigame(result))

    def skip_minigame(self, reason: str) -> None:
        self.app.log("minigame_skipped", name=self.prompt.name, reason=reason)
        self.app.toast(f"Minigame skipped ({reason}); its default result is used.")
        self._act(lambda: self.session.runtime.skip_minigame(reason))

    def say(self, text: str) -> None:
        conv = self.conv
        if conv is None:  # no conversation on screen: nobody to answer
            return
        self.session.checkpoint(self.screen_state())
        try:
            self.handle_stream = conv.send(text)
        except Exception as exc:  # noqa: BLE001
            self.session.history.pop()
            self.app.toast(f"The AI could not answer: {exc}")
            return
        self.pending_text = text
        self.values_before = dict(getattr(self.conv, "values", {}) or {})
        self.turns.append({"who": "player", "text": text})
        self.turns.append({"who": "ai", "text": "", "streaming": True})
        self.app.log("said", text=text, key=self.prompt.key)

    def cancel_reply(self) -> None:
        """Esc while a reply streams: stop it and take the turn back, the player's words back in the box."""
        if self.handle_stream is None:
            return
        try:
            self.handle_stream.cancel()
        except Exception:  # noqa: BLE001
            pass
        self.handle_stream = None
        text = getattr(self, "pending_text", "")
        state = self.session.history.pop() if self.session.history else None
        if state is not None:
            self.session._restore(state)
            self.present(state["screen"])
        self.box.text = text
        self.app.log("reply_cancelled")

    def rollback(self) -> None:
        self._stop_stream()
        state = self.session.rollback(self.screen_state())
        if state is None:
            self.app.toast("Nothing earlier to return to.")
            return
        self.skip = self.auto = False
        self.present(state)
        if self.mode == "line":
            self.type.finish()
        self.app.log("rollback", key=getattr(self.prompt, "key", ""), mode=self.mode)

    def roll_forward(self) -> None:
        self._stop_stream()
        state = self.session.roll_forward(self.screen_state())
        if state is None:
            return
        self.present(state)
        if self.mode == "line":
            self.type.finish()
        self.app.log("rollforward", key=getattr(self.prompt, "key", ""), mode=self.mode)

    def _stop_stream(self) -> None:
        if self.handle_stream is not None:
            try:
                self.handle_stream.cancel()
            except Exception:  # noqa: BLE001
                pass
            self.handle_stream = None

    def autosave(self, why: str) -> None:
        # Only the exact state and the picture are taken on the frame; the thumbnail, the JSON and the
        # file are made on the session's writer thread (together ~5 ms, a third of a frame's budget).
        try:
            self.session.save_later("auto", self.screen_state(), self.app.game_frame(), why=why)
        except Exception as exc:  # noqa: BLE001 - a state that cannot be saved must not end the game
            self.app.toast(f"Autosave failed: {exc}")

    def _saves_done(self) -> None:
        for slot, why, _path, error in self.session.finished_saves():
            if error:
                self.app.toast(f"Autosave failed: {error}")  # a full disk must not end the game
            elif slot == "auto":
                self.app.log("autosave", why=why, scene=self.session.runtime.scene)

    def quick_save(self) -> None:
        if self.mode == "talk" and self.handle_stream is not None:
            self.app.toast("Wait for the reply to finish before saving.")
            return
        try:
            self.session.save("quick", self.screen_state(), self.app.thumbnail_png())
            self.app.toast("Quick saved (F9 to load).")
        except Exception as exc:  # noqa: BLE001
            self.app.toast(f"Could not save: {exc}")

    # ------------------------------------------------------------------ input
    def handle(self, event) -> bool:
        if event.type == pygame.KEYDOWN:
            k = event.key
            if k == pygame.K_ESCAPE:
                if self.mode == "talk" and self.handle_stream is not None:
                    self.cancel_reply()
                else:
                    from game.ui.screens.menus import PauseScreen

                    self.app.push(PauseScreen(self.app))
                return True
            if k == pygame.K_F5:
                self.quick_save()
                return True
            if k == pygame.K_F9:
                load_slot(self.app, "quick")
                return True
            if k in (pygame.K_F6, pygame.K_F7):
                from game.ui.screens.menus import SaveLoadScreen

                self.app.push(SaveLoadScreen(self.app, mode="save" if k == pygame.K_F6 else "load"))
                return True
            if k == pygame.K_PAGEUP:
                self.rollback()
                return True
            if k == pygame.K_PAGEDOWN:
                self.roll_forward()
                return True
            if k == pygame.K_F2 or (k == pygame.K_h and self.mode != "talk"):
                from game.ui.screens.menus import HistoryScreen

                self.app.push(HistoryScreen(self.app, self))
                return True
            if k == pygame.K_F3 or (k == pygame.K_a and self.mode != "talk"):
                self.auto = not self.auto
                self.app.log("auto", on=self.auto)
                return True
            if k == pygame.K_F4 or (k == pygame.K_TAB and self.mode in ("line", "level")):
                self.skip = not self.skip
                self.app.log("skip", on=self.skip)
                return True
            if k == pygame.K_F8 and self.mode == "minigame":
                self.skip_minigame("skipped by the player")
                return True
        if event.type == pygame.MOUSEWHEEL:
            if event.y > 0:
                self.rollback()
            elif event.y < 0:
                self.roll_forward()
            return True
        if self.mode == "choice":
            return self._handle_choice(event)
        if self.mode == "talk":
            return self._handle_talk(event)
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_SPACE, pygame.K_RETURN, pygame.K_KP_ENTER):
            self.skip = False
            self.advance()
            return True
        if event.type == pygame.KEYDOWN and event.key == pygame.K_s and self.mode == "minigame":
            self.skip_minigame("skipped by the player")
            return True
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            self.skip = False
            self.advance()
            return True
        return False

    def _handle_choice(self, event) -> bool:
        menu = self.menu
        if menu is None:  # not showing a choice
            return False
        if event.type == pygame.KEYUP:
            self.held_at_choice.discard(event.key)
            return False
        if event.type == pygame.KEYDOWN:
            if self.choice_age < ARM_DELAY or event.key in self.held_at_choice:
                self.app.log(
                    "choice_key_ignored",
                    key=pygame.key.name(event.key),
                    why="held" if event.key in self.held_at_choice else "too soon",
                )
                return True
            if event.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE) and not menu.focused:
                self.choice_hint = "Nothing is selected yet: press ↓ or ↑ first, a number key, or click an option."
                self.app.log("choice_key_ignored", key=pygame.key.name(event.key), why="nothing selected")
                return True
        if event.type == pygame.MOUSEBUTTONDOWN and self.choice_age < ARM_DELAY:
            return True
        return menu.handle(event)

    def _handle_talk(self, event) -> bool:
        if self.handle_stream is not None:
            if (
                event.type == pygame.KEYDOWN
                and event.key == pygame.K_TAB
                and getattr(self.handle_stream, "thinking", False)
            ):
                self.handle_stream.skip()  # the authored line now, instead of waiting on the model
                self.app.log("reply_skipped")
                return True
            return False  # typing is paused while the AI answers; Esc (above) stops it
        if self.conv is not None and self.conv.finished:
            if (event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE)) or (
                event.type == pygame.MOUSEBUTTONDOWN and event.button == 1
            ):
                self.advance()
                return True
            return False
        if self.box.handle(event):
            text = self.box.take()
            if text is not None and text.strip():
                self.box.text = ""
                self.say(text.strip())
            return True
        return False

    # ------------------------------------------------------------------ update
    def pace(self) -> float:
        """FULL while text types, a reply streams, skip or auto runs or an action is pending; else slow."""
        if (
            self.handle_stream is not None
            or self.skip
            or self.auto
            or self.pending_autosave
            or getattr(self, "pending_overlay", None) is not None
        ):
            return FULL
        if self.mode == "line" and not self.type.done:
            return FULL
        return AMBIENT

    def motion(self):
        """A line that has finished typing, in a scene with nothing moving: only "▼ continue"
        blinks, so a slow frame is drawn when it blinks or when what the line shows changes
        (two frames a second instead of AMBIENT's five). Other modes draw every slow frame."""
        if self.mode != "line" or self.handle_stream is not None:
            return None
        if backgrounds.moving_parts(self.bg) and not self.theme.pal.high_contrast:
            return None
        return (
            id(self.prompt),
            id(self.type),
            self.type.done,
            self._continue_lit(),
            self.note,
            repr(self.generated_done),
            self.bg,
        )

    def update(self, dt: float) -> None:
        self._saves_done()
        overlay = getattr(self, "pending_overlay", None)
        if overlay is not None and self.app.top is self:
            # A presenter's own screen (an effect) goes on top once this screen is (a new game
            # presents its first prompt before it is pushed).
            self.pending_overlay = None
            self.app.push(overlay)
        if self.pending_autosave and self.app.top is self:
            why, self.pending_autosave = self.pending_autosave, ""
            self.autosave(why)
        if self.mode == "line":
            self._update_line(dt)
        elif self.mode == "choice":
            armed = self.choice_age >= ARM_DELAY
            self.choice_age += dt
            if not armed and self.choice_age >= ARM_DELAY:
                # for the event log: from here a key picks (end-to-end tests wait for this, not a clock)
                self.app.log("choice_armed", key=self.prompt.key)
        elif self.mode == "talk":
            self.box.update(dt)
            self._poll_talk()
        elif self.mode == "level" and self.skip:
            self.advance()

    def _update_line(self, dt: float) -> None:
        if self.handle_stream is not None:
            for kind, payload in self._poll(self.handle_stream):
                if kind == "started":
                    self.stream_text = ""  # a restart from another backend: drop what was shown
                    self.type.set_text("")
                elif kind == "delta":
                    self.stream_text += payload
                    self.type.set_text(self.stream_text)
                elif kind == "done":
                    info = reply_info(self.handle_stream)
                    self._say_fallback(getattr(self.prompt, "name", "") or "The narrator", self.handle_stream)
                    self.generated_done = {
                        "text": payload or self.stream_text,
                        "backend": info["backend"] or "generated",
                        "model": info["model"],
                        "generated": info["generated"],
                    }
                    self.type.set_text(self.generated_done["text"])
                    self.handle_stream = None
                    self.app.log(
                        "generated",
                        key=self.prompt.key,
                        text=self.generated_done["text"],
                        backend=self.generated_done["backend"],
                        model=self.generated_done["model"],
                    )
                elif kind == "failed":
                    self.note = f"generation failed ({payload}); the authored line is shown"
                    self.app.log("generation_fallback", key=self.prompt.key, reason=payload)
                    self.type.set_text(self.prompt.text)
                    self.handle_stream = None
        self.type.update(dt)
        held_ctrl = pygame.key.get_mods() & pygame.KMOD_CTRL and pygame.key.get_focused()
        skipping = (self.skip or held_ctrl) and (self.read_before or self.app.settings.skip_unread)
        if self.skip and not (self.read_before or self.app.settings.skip_unread):
            self.skip = False
            self.app.toast("Skip stopped at a line you have not read yet.")
        if skipping and self.handle_stream is None:
            self.wait += dt
            if self.wait >= SKIP_DELAY:
                self.type.finish()
                self.advance()
            return
        if self.auto and self.type.done and self.handle_stream is None:
            self.wait += dt
            if self.wait >= self.app.settings.auto_delay + 0.02 * len(self.type.text) * 0:
                self.advance()
        else:
            self.wait = 0.0

    @staticmethod
    def _poll(handle):
        try:
            return handle.poll()
        except Exception as exc:  # noqa: BLE001 - a broken handle is a failed reply
            return [("failed", str(exc))]

    def _say_fallback(self, name: str, handle) -> None:
        """The first time a character's backend fails a certain way, a toast says so (FallbackNotes)."""
        note = self.fallbacks.note(name, getattr(getattr(handle, "reply", None), "stats", None))
        if note:
            self.app.toast(note.strip("()"))  # logged as a "message" event by the toast

    def _poll_talk(self) -> None:
        if self.handle_stream is None:
            return
        turn = self.turns[-1]
        for kind, payload in self._poll(self.handle_stream):
            if kind == "started":
                turn["text"] = ""  # a second "started" means the reply restarts from another backend
            elif kind == "delta":
                turn["text"] += payload
            elif kind == "done":
                turn.update(text=payload or turn["text"], streaming=False, **reply_info(self.handle_stream))
                char = self.session.runtime.character(self.prompt.character)
                self._say_fallback(char.name if char else self.prompt.character, self.handle_stream)
                self.handle_stream = None
                self.ai_face = self._face_from_values()
                self.app.log(
                    "reply",
                    text=turn["text"],
                    backend=turn["backend"],
                    model=turn["model"],
                    finished=bool(self.conv and self.conv.finished),
                )
            elif kind == "failed":
                turn.update(text=turn["text"] or "…", streaming=False, failed=payload)
                self.handle_stream = None
                self.app.toast(f"No reply from the AI ({payload}).")
                self.app.log("reply_failed", reason=payload)

    # ------------------------------------------------------------------ drawing
    def draw(self, surface) -> None:
        th = self.theme
        backgrounds.draw_live(surface, self.bg, self.app.t, dim=th.pal.high_contrast)
        # Where we are: the scene's name, top left.
        label = self.session.scene_title()
        font = th.font(th.scaled(0.65))
        img = font.render(label, True, th.pal.dim)
        th.panel(surface, pygame.Rect(16, 14, img.get_width() + 28, img.get_height() + 14), radius=8, alpha=170)
        surface.blit(img, (30, 21))
        badges = [b for b, on in (("AUTO", self.auto), ("SKIP ▶▶", self.skip)) if on]
        x = W - 16
        for b in badges:
            bimg = th.font(th.scaled(0.65), "bold").render(b, True, th.pal.focus)
            r = pygame.Rect(0, 14, bimg.get_width() + 24, bimg.get_height() + 12)
            r.topright = (x, 14)
            th.panel(surface, r, radius=8, alpha=220, edge=th.pal.focus)
            surface.blit(bimg, (r.x + 12, r.y + 6))
            x = r.x - 8
        getattr(self, f"_draw_{self.mode}", lambda s: None)(surface)

    def _dialogue_box(self, surface, name: str, colour, body_h: int) -> pygame.Rect:
        th = self.theme
        h = max(190, body_h + 76)
        box = pygame.Rect(40, H - h - 24, W - 80, h)
        th.panel(surface, box, radius=16)
        if name:
            nfont = th.font(th.scaled(0.95), "bold")
            nimg = nfont.render(name, True, colour)
            tag = pygame.Rect(
                box.x + 28, box.y - nimg.get_height() // 2 - 12, nimg.get_width() + 36, nimg.get_height() + 16
            )
            th.panel(surface, tag, radius=10, alpha=245, edge=colour)
            surface.blit(nimg, (tag.x + 18, tag.y + 8))
        return box

    def face(self) -> str:
        """The speaker's expression now: the line's `face:`, else "thinking" while a line is generated."""
        p = self.prompt
        if getattr(p, "face", ""):
            return p.face
        return "thinking" if self.handle_stream is not None else "neutral"

    def _draw_portrait(self, surface, speaker: str, colour, bottom: int, size: int = 220) -> None:
        from game.ui import portraits

        if not speaker or speaker == "narrator" or self.session.runtime.character(speaker) is None:
            return
        img = portraits.portrait(speaker, self.face() if self.mode == "line" else "neutral", size, colour)
        surface.blit(img, (W - 70 - size, bottom - size))

    def _draw_line(self, surface) -> None:
        th, p = self.theme, self.prompt
        colour = th.speaker_color(p.color)
        h = max(190, self.type.height + 76)
        self._draw_portrait(surface, p.speaker, colour, H - h - 24 + 30)
        box = self._dialogue_box(surface, p.name, colour, self.type.height)
        tx = box.x + 40
        self.type.color = None
        self.type.draw(surface, tx, box.y + 34)
        small = th.scaled(0.6)
        hints = []
        if self.handle_stream is not None:
            hints.append(
                "thinking… (Enter: the written line)"
                if getattr(self.handle_stream, "thinking", False)
                else "generating…"
            )
        if (
            self.generated_done
            and self.generated_done.get("generated", True)
            and self.generated_done.get("backend") not in (None, "authored", "scripted")
        ):
            hints.append(f"[generated · {self.generated_done.get('model') or self.generated_done.get('backend')}]")
        if self.note:
            hints.append(self.note)
        if hints:
            th.text(surface, "  ".join(hints), (tx, box.bottom - 30), size=small, color=th.pal.dim)
        if self.type.done and self.handle_stream is None:
            if self._continue_lit():
                th.text(
                    surface,
                    "▼ continue",
                    (box.right - 30, box.bottom - 14),
                    size=small,
                    color=th.pal.focus,
                    anchor="bottomright",
                )

    def _continue_lit(self) -> bool:
        """Whether "▼ continue" shows now: it blinks, lit 0.7 s of every second."""
        return (self.app.t * 2) % 2 < 1.4

    def _draw_choice(self, surface) -> None:
        menu = self.menu
        if menu is None:  # not showing a choice
            return
        th = self.theme
        question = self.prompt.prompt or self._last_line_text()
        if question:
            tt = (
                TypeText(th, question, TEXT_W, speed=0)
                if not hasattr(self, "_qcache") or self._qcache[0] != question
                else self._qcache[1]
            )
            self._qcache = (question, tt)
            box = self._dialogue_box(surface, "", th.pal.text, tt.height)
            tt.draw(surface, box.x + 40, box.y + 34)
            bottom = box.y - 30
        else:
            bottom = H - 60
        # The options at the player's text size if they fit between the top and the question, else smaller.
        room = bottom - 70 - th.font(th.scaled(0.7)).get_linesize() - 30
        size = fit_size(lambda sz: menu.measure(th, size=sz), room, th.base)
        total = menu.measure(th, size=size)
        menu.y = max(
            70 + th.font(th.scaled(0.7)).get_linesize() + 30, min(bottom - total, (bottom + 60) // 2 - total // 2)
        )
        menu.draw(surface, th, size=size)
        hint = self.choice_hint or "Choose: ↓/↑ then Enter, a number key, or click"
        hint_img = th.render(hint, th.scaled(0.7), color=th.pal.text if self.choice_hint else th.pal.dim)
        plate = hint_img.get_rect(midbottom=(W // 2, menu.y - 14)).inflate(24, 8)
        th.panel(surface, plate, radius=8, alpha=235)  # readable over any art behind it
        surface.blit(hint_img, hint_img.get_rect(center=plate.center))

    def _last_line_text(self) -> str:
        for e in reversed(self.session.runtime.transcript):
            if e.get("kind") == "line":
                return (f"{e['name']}: " if e.get("name") else "") + e["text"]
        return ""

    def _turn_images(self, turn: dict, width: int):
        th = self.theme
        key = (turn["who"], turn["text"], width, th.base, th.pal.high_contrast)
        imgs = self._turn_cache.get(key)
        if imgs is None:
            # A streaming reply changes every few frames, but only its last line or two change:
            # wrapping is cheap (it measures), rendering is not, so lines are rendered once each.
            font = th.font()
            lines = self._line_cache
            imgs = []
            for line in wrap(font, turn["text"] or "…", width):
                lkey = (line, th.base, th.pal.high_contrast)
                img = lines.get(lkey)
                if img is None:
                    img = lines[lkey] = font.render(line, True, th.pal.text)
                imgs.append(img)
            if len(lines) > 400:
                lines.clear()
            if len(self._turn_cache) > 200:
                self._turn_cache.clear()
            self._turn_cache[key] = imgs
        return imgs

    def _face_from_values(self) -> str:
        """The AI's face after a reply: pleased when the answer moved what it measures up, worried when down."""
        before = getattr(self, "values_before", {}) or {}
        after = dict(getattr(self.conv, "values", {}) or {})
        moved = sum(float(after.get(k, 0.0)) - float(before.get(k, 0.0)) for k in after)
        return "happy" if moved > 0.05 else "worried" if moved < -0.05 else "neutral"

    def _draw_talk(self, surface) -> None:
        th, rt = self.theme, self.session.runtime
        char = rt.character(self.prompt.character)
        ai_name = char.name if char else self.prompt.character
        ai_colour = th.speaker_color(char.color if char else None)
        panel = pygame.Rect(110, 64, W - 220, 470)
        th.panel(surface, panel, radius=16)
        from game.ui import portraits

        face = "thinking" if self.handle_stream is not None else getattr(self, "ai_face", "neutral")
        surface.blit(portraits.portrait(self.prompt.character, face, 48, ai_colour), (panel.x + 20, panel.y + 6))
        th.text(
            surface,
            f"Talking with {ai_name}",
            (panel.x + 76, panel.y + 16),
            size=th.scaled(0.8),
            kind="bold",
            color=ai_colour,
        )
        done = self.conv.answered if self.conv else sum(1 for t in self.turns if t["who"] == "player")
        th.text(
            surface,
            f"turn {min(done + (0 if self.conv and self.conv.finished else 1), self.prompt.turns)}"
            f" of {self.prompt.turns}",
            (panel.right - 28, panel.y + 18),
            size=th.scaled(0.65),
            color=th.pal.dim,
            anchor="topright",
        )
        # Lay the turns out from the bottom up, newest last; older ones scroll off the top.
        clip = pygame.Rect(panel.x + 20, panel.y + 56, panel.w - 40, panel.h - 72)
        prev_clip = surface.get_clip()
        surface.set_clip(clip)
        y = clip.bottom
        line_h = th.font().get_linesize()
        label_font = th.font(th.scaled(0.7), "bold")
        for turn in reversed(self.turns):
            imgs = self._turn_images(turn, clip.w - 60)
            is_ai = turn["who"] == "ai"
            tag = ai_name if is_ai else f"{rt.world.player} (you)"
            extra = ""
            if is_ai and turn.get("generated"):
                extra = f"  [generated · {turn.get('model') or turn.get('backend')}]"
            if turn.get("streaming"):
                thinking = getattr(self.handle_stream, "thinking", False) and not turn["text"]
                extra += ("  thinking" + "." * (1 + int(self.app.t * 3) % 3)) if thinking else "  typing…"
            if turn.get("failed"):
                extra += f"  (no reply: {turn['failed']})"
            h = line_h * len(imgs) + label_font.get_linesize() + 10
            y -= h
            x = clip.x + (0 if is_ai else 60)
            # Only whole lines: a turn scrolling off the top loses its lines one by one instead of
            # leaving half a line cut under the header.
            if y >= clip.top:
                surface.blit(label_font.render(tag + extra, True, ai_colour if is_ai else th.pal.focus), (x, y))
            ty = y + label_font.get_linesize()
            if not is_ai:
                top = max(ty, clip.top)
                pygame.draw.line(surface, th.pal.focus, (x - 14, top), (x - 14, ty + line_h * len(imgs)), 3)
            for img in imgs:
                if ty >= clip.top:
                    surface.blit(img, (x, ty))
                ty += line_h
            if y < clip.top:
                break
        surface.set_clip(prev_clip)
        input_rect = pygame.Rect(110, 556, W - 220, 64)
        small = th.scaled(0.62)
        if self.conv is not None and self.conv.finished and self.handle_stream is None:
            th.panel(surface, input_rect, radius=8, alpha=240, edge=th.pal.focus)
            th.text(
                surface,
                "▶ The conversation is over. Enter to continue.",
                (input_rect.x + 18, input_rect.centery),
                color=th.pal.focus,
                anchor="midleft",
            )
        elif self.handle_stream is not None:
            th.panel(surface, input_rect, radius=8, alpha=200)
            if getattr(self.handle_stream, "thinking", False):
                msg = f"{ai_name} is thinking…  (Tab: hear the written line now · Esc: take your words back)"
            else:
                msg = f"{ai_name} is answering…  (Esc to stop and take your words back)"
            th.text(surface, msg, (input_rect.x + 18, input_rect.centery), color=th.pal.dim, anchor="midleft")
        else:
            self.box.draw(surface, th, input_rect, placeholder=f"Say something to {ai_name}, then press Enter")
        hint = "Enter: say it  ·  PageUp: take back a turn  ·  Esc: menu  ·  F1: help"
        if self.note:
            hint = self.note
        th.hint(surface, hint, (W // 2, input_rect.bottom + 8), anchor="midtop", size=small, max_width=W - 220)

    def _card(self, surface, title: str, lines: list[str], footer: str) -> None:
        th = self.theme
        panel = pygame.Rect(W // 2 - 460, 150, 920, 380)
        th.panel(surface, panel, radius=18)
        th.text(
            surface,
            title,
            (panel.centerx, panel.y + 40),
            size=th.scaled(1.4),
            kind="bold",
            color=th.pal.gold,
            anchor="midtop",
        )
        y = panel.y + 120
        font = th.font()
        for para in lines:
            for line in wrap(font, para, panel.w - 100):
                th.text(surface, line, (panel.centerx, y), anchor="midtop")
                y += font.get_linesize()
            y += 10
        th.text(
            surface,
            footer,
            (panel.centerx, panel.bottom - 30),
            size=th.scaled(0.7),
            color=th.pal.focus,
            anchor="midbottom",
        )

    def _draw_minigame(self, surface) -> None:
        p = self.prompt
        title = p.name.replace("_", " ").title()
        try:
            from game import minigames

            info = minigames.info(p.name)
            title = info.title if info else title
        except Exception:  # noqa: BLE001
            pass
        if self.app.settings.skip_minigames:
            self._card(
                surface,
                title,
                ["Your settings skip minigames.", "The story continues with the default result."],
                "▶ Enter to continue",
            )
        elif self.view_cls is None:
            self._card(
                surface,
                title,
                ["This minigame has no desktop view in this build.", "The story continues with its default result."],
                "▶ Enter to continue",
            )
        else:
            self._card(
                surface,
                title,
                [
                    "A minigame. Your result is kept and counted at the end.",
                    "You can skip it at any time (F8) and take the default result.",
                ],
                "▶ Enter to play   ·   S or F8 to skip",
            )

    def _draw_level(self, surface) -> None:
        p = self.prompt
        self._card(surface, f"Chapter {p.number}", [p.title], "▶ Enter to begin")

    def _draw_end(self, surface) -> None:
        pass

    def describe(self) -> dict:
        d = {
            "screen": self.name,
            "mode": self.mode,
            "scene": self.session.runtime.scene,
            "key": getattr(self.prompt, "key", ""),
            "skip": self.skip,
            "auto": self.auto,
        }
        if self.mode == "line":
            d.update(
                speaker=self.prompt.name,
                face=self.face(),
                text=self.type.text,
                shown=int(self.type.shown),
                done=self.type.done,
                generating=self.handle_stream is not None,
            )
        elif self.mode == "choice" and self.menu is not None:
            d.update(
                options=[i.label for i in self.menu.items],
                focus=self.menu.index if self.menu.focused else None,
                armed=self.choice_age >= ARM_DELAY,
            )
        elif self.mode == "talk":
            d.update(
                turns=[dict(t) for t in self.turns],
                input=self.box.text,
                streaming=self.handle_stream is not None,
                face="thinking" if self.handle_stream is not None else getattr(self, "ai_face", "neutral"),
                thinking=bool(getattr(self.handle_stream, "thinking", False)),
                finished=bool(self.conv and self.conv.finished),
            )
        elif self.mode == "minigame":
            d.update(name=self.prompt.name, has_view=self.view_cls is not None)
        return d


# The desktop's presenter for each prompt kind. A step type that brings a new kind registers
# one with `handles(kind)`; the game refuses to start when a kind has none (steps.require_kinds).
def _show_effect(play, prompt, state: dict) -> None:
    from game.ui.screens.effect import show_effect

    show_effect(play, prompt, state)


PRESENTERS = {
    "effect": _show_effect,
    "line": PlayScreen._show_line,
    "choice": PlayScreen._show_choice,
    "talk": PlayScreen._show_talk,
    "minigame": PlayScreen._show_minigame,
    "level": PlayScreen._show_level,
    "end": PlayScreen._show_end,
}


def handles(kind: str):
    """Register the desktop's presenter for a prompt kind: `fn(play_screen, prompt, state)`.
    It sets `play_screen.mode` and, when the player answers, calls the runtime through
    `play_screen._act(...)` (which checkpoints for rollback and shows the next prompt)."""

    def register(fn):
        PRESENTERS[kind] = fn
        return fn

    return register
