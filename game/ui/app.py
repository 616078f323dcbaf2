"""The desktop game: one window, a stack of screens, a fixed time step.

The window's logical size is 1280x720; pygame's SCALED mode stretches it to any window
or to fullscreen (F11 / Alt+Enter) and maps the mouse back to logical coordinates. All
input is read from the event queue, so tests drive the game by posting events. The UI
owns no rules: screens render the runtime's prompts and hand the player's actions back.

`run_desktop(...)` is what `treacherous-turn play` calls; `python -m game.ui.app STORY`
runs it directly.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import warnings
from typing import Any

import pygame

from game import settings as settings_mod
from game.ui.audio import Ambient
from game.ui.session import Session
from game.ui.theme import H, Theme, W

STEP = 1 / 60  # logic runs at a fixed 60 Hz whatever the frame rate
MAX_CATCH_UP = 0.25  # after a stall, drop time rather than spiral
POLL = 0.02  # at rest, the event queue is looked at 50 times a second
IDLE_WAKE = 0.5  # a still screen still wakes twice a second (hot reload, saves finishing)


class NoWindow(RuntimeError):
    """The game window cannot be opened here (no display reachable, or no video driver):
    the player is told so, with the terminal game as the way on, instead of a traceback."""

    def advice(self, instead: str) -> str:
        """What to tell the player; `instead` is the terminal command that plays the same thing."""
        where = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        on = f" on display {where}" if where else ""
        return (
            f"The game window cannot be opened{on}: {self} (the video library says so).\n"
            "Check that the desktop is running and that DISPLAY (or WAYLAND_DISPLAY) names it;\n"
            "SDL_VIDEODRIVER chooses another video driver. Or play in the terminal:\n"
            f"  {instead}"
        )


def init_pygame() -> None:
    """Start the parts of pygame the game uses: video, fonts (sound: game.ui.audio, quietly).

    Not pygame.init(): that opens the sound device too, and on a machine without a sound
    card the audio library prints a dozen error lines before the game can say anything.
    The window is drawn in software (every frame is a pygame Surface); only scaling it to
    the window is left to SDL's renderer, and its software renderer does that without
    loading an OpenGL driver, which costs ~100 MB of memory (Mesa) for no gain here.
    A player or packager can still choose another with SDL_RENDER_DRIVER.
    """
    os.environ.setdefault("SDL_RENDER_DRIVER", "software")
    os.environ.setdefault("SDL_FRAMEBUFFER_ACCELERATION", "0")
    try:
        pygame.display.init()
    except pygame.error as exc:
        raise NoWindow(str(exc)) from None
    pygame.font.init()


class EventLog:
    """One JSON object per line: what was shown, chosen, said, saved, loaded (for end-to-end tests)."""

    def __init__(self, path: str | None) -> None:
        self.fh = open(path, "a", encoding="utf-8") if path else None
        self.t0 = time.monotonic()
        self.recent: list[dict[str, Any]] = []  # the last events, kept for headless tests
        # An event was logged since the last "drawn": the next frame is drawn, and "drawn" logged
        # after its flip, so a test knows that what the log says is on the display.
        self.unshown = False

    def __call__(self, event: str, **fields: Any) -> None:
        entry = {"t": round(time.monotonic() - self.t0, 3), "event": event, **fields}
        self.recent.append(entry)
        del self.recent[:-500]
        self.unshown = event != "drawn"
        if self.fh:
            self.fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
            self.fh.flush()

    def close(self) -> None:
        if self.fh:
            self.fh.close()
            self.fh = None


class HotReload:
    """Writers edit a level while the game runs: it reloads and keeps the player's variables and place.

    The same machinery as the terminal front end (game.story.reload): `changed` compares the
    story files' mtimes, `carry_over` moves the running game onto the new version, keeping
    variables and position or moving to the nearest valid scene with a notice. The frame loop
    only ever pays for a few stat() calls, at most CHECKS_PER_SECOND times a second; parsing
    the YAML happens on a worker thread, and the result is applied on the frame thread when
    the game is between actions (not while a reply streams or a minigame runs). A version
    with errors is not applied: the old one keeps playing and the first error is shown.
    """

    INTERVAL = 0.5

    def __init__(self, app: App) -> None:
        from game.story import reload as hot

        self.app = app
        self.hot = hot
        self.watched = hot.mtimes(app.session.story)
        self.next_check = time.monotonic() + self.INTERVAL
        self.worker: threading.Thread | None = None
        self.ready: tuple[Any, list[Any]] | None = None  # (story or None, diagnostics), set by the worker

    def poll(self, force: bool = False) -> None:
        """Called every frame; cheap unless it is time to stat the files or a new version is ready."""
        if self.ready is not None:
            self._apply()
            return
        now = time.monotonic()
        if self.worker is not None or (not force and now < self.next_check):
            return
        self.next_check = now + self.INTERVAL
        if not self.hot.changed(self.app.session.story, self.watched):
            return
        self.watched = self.hot.mtimes(self.app.session.story)
        self.worker = threading.Thread(
            target=self._load, args=(self.app.session.story_path,), daemon=True, name="level-reload"
        )
        self.worker.start()

    def check_now(self) -> None:
        """Check, load and apply at once (tests, and anyone who cannot wait half a second)."""
        self.poll(force=True)
        if self.worker is not None:
            self.worker.join()
        self.poll()

    def _load(self, path: str) -> None:
        from game.story.loader import load_story

        diags: list[Any]  # Diagnostics, or the text of a loader bug
        try:
            story, diags = load_story(path)
        except Exception as exc:  # noqa: BLE001 - a loader bug must not end the game being edited
            story, diags = None, [f"{path}: cannot reload ({type(exc).__name__}: {exc})"]
        self.ready = (story, diags)

    def _busy(self) -> bool:
        from game.ui.screens.minigame import MinigameHost
        from game.ui.screens.play import PlayScreen

        play = self.app.find(PlayScreen)
        return self.app.find(MinigameHost) is not None or (play is not None and play.handle_stream is not None)

    def _apply(self) -> None:
        if self._busy() or self.ready is None:
            return  # keep the new version until the player is between actions
        story, diags = self.ready
        self.ready, self.worker = None, None
        session = self.app.session
        if story is None:
            errors = [
                d if isinstance(d, str) else d.format() for d in diags if isinstance(d, str) or d.severity == "error"
            ]
            first = errors[0].splitlines()[0] if errors else "the files could not be read"
            self.app.toast(f"Level not reloaded, still playing the old version: {first}", seconds=10)
            self.app.log("reload_failed", error=first, errors=len(errors))
            return
        self.watched = self.hot.mtimes(story)
        if session.runtime is None:
            session.story = story
            self.app.log("reloaded", notice="before the game started")
            return
        from game.ui.screens.play import PlayScreen

        play = self.app.find(PlayScreen)
        screen_state = play.screen_state() if play is not None else {}
        try:
            runtime, notice = self.hot.carry_over(session.runtime, story)
        except Exception as exc:  # noqa: BLE001 - e.g. the new version cannot hold the old state
            self.app.toast(f"Level not reloaded, still playing the old version: {exc}", seconds=10)
            self.app.log("reload_failed", error=str(exc))
            return
        moved = runtime.scene != session.runtime.scene or runtime.level.id != session.runtime.level.id
        session.story, session.runtime = story, runtime
        # Rollback states belong to the old version of the story; they cannot be restored on the new one.
        session.history.clear()
        session.future.clear()
        if play is not None:
            play.last_scene = runtime.scene  # a reload is not a scene change: no autosave
            play.present(screen_state if not moved else {})
        self.app.toast(notice[0].upper() + notice[1:] + ".", seconds=6 if not moved else 10)
        self.app.log("reloaded", notice=notice, scene=runtime.scene, key=getattr(runtime.current(), "key", ""))


class App:
    def __init__(
        self,
        story_path: str,
        story,
        *,
        player: str | None = None,
        log: str | None = None,
        options: dict[str, Any] | None = None,
        warp: str | None = None,
        set_vars: dict | None = None,
        seed: int | None = None,
        level: str | None = None,
        reload: bool = False,
    ) -> None:
        self.t_start = time.perf_counter()
        self._swallow_text: str | None = None
        init_pygame()
        self.settings = settings_mod.load()
        # Command-line dialogue choices only; the settings file's `dialogue:` is read by the dialogue service.
        opts = {k: v for k, v in (options or {}).items() if v}
        self.log = EventLog(log)
        self.theme = Theme(self.settings.font_size, self.settings.high_contrast)
        self.surface = self._open_window()
        pygame.display.set_caption("Treacherous Turn")
        pygame.key.set_repeat(400, 35)
        pygame.key.start_text_input()
        self.session = Session(story_path, story, options=opts, log=self.log)
        from game.ui.talk import prepare_service

        prepare_service(opts)  # the dialogue service and its threads, built off the frame loop
        self.start = {"player": player, "warp": warp, "set_vars": set_vars, "seed": seed, "level": level}
        self.screens: list = []
        self.toasts: list[list] = []  # [text, seconds left]
        self.t = 0.0
        self.frames = 0
        self._shown_screens: list[str] = []  # the screen stack last flipped to the display
        self._drawn_motion: tuple | None = None  # what moved on the last frame drawn (Screen.motion)
        self.keys_down: set[int] = set()  # keys pressed and not yet released (a choice ignores held keys)
        self.dirty = True  # something changed since the last draw (an event, a push, a toast)
        self.running = True
        self.ambient = Ambient()
        self.reloader = HotReload(self) if reload else None
        self.apply_settings(save=False)
        if self.settings.problem:
            self.toast(self.settings.problem)

    # ------------------------------------------------------------------ window
    def _open_window(self):
        flags = pygame.SCALED | pygame.RESIZABLE
        try:
            with warnings.catch_warnings():
                # "no fast renderer available": the software renderer is chosen on purpose (init_pygame).
                warnings.filterwarnings("ignore", message=".*fast renderer.*")
                surface = pygame.display.set_mode((W, H), flags)
        except pygame.error:
            try:
                surface = pygame.display.set_mode((W, H))  # a driver without a renderer: unscaled window
            except pygame.error as exc:
                raise NoWindow(str(exc)) from None
        if self.settings.fullscreen:
            self._set_fullscreen(True)
        return surface

    def _set_fullscreen(self, on: bool) -> None:
        try:
            if bool(pygame.display.is_fullscreen()) != on:
                pygame.display.toggle_fullscreen()
        except (pygame.error, AttributeError) as exc:
            self.toast(f"fullscreen is not available here ({exc})")

    def toggle_fullscreen(self) -> None:
        self.settings.set("fullscreen", not self.settings.fullscreen)
        self._set_fullscreen(self.settings.fullscreen)
        settings_mod.save(self.settings)
        self.log("setting", key="fullscreen", value=self.settings.fullscreen)

    def apply_settings(self, save: bool = True) -> None:
        self.theme.configure(self.settings.font_size, self.settings.high_contrast)
        self.ambient.apply(self.settings.sound, self.settings.master_volume * self.settings.ambient_volume)
        if save:
            try:
                settings_mod.save(self.settings)
            except OSError as exc:
                self.toast(f"settings not saved: {exc}")

    # ------------------------------------------------------------------ screens
    @property
    def top(self):
        return self.screens[-1] if self.screens else None

    def push(self, screen) -> None:
        self.dirty = True
        self.screens.append(screen)
        self.log("screen", name=screen.name)
        screen.enter()

    def pop(self, screen=None) -> None:
        self.dirty = True
        if screen is None or self.top is screen:
            if self.screens:
                self.screens.pop()
        elif screen in self.screens:
            self.screens.remove(screen)
        if self.top:
            self.top.enter()

    def replace(self, screen) -> None:
        if self.screens:
            self.screens.pop()
        self.push(screen)

    def reset_to(self, screen) -> None:
        self.dirty = True
        self.screens.clear()
        self.push(screen)

    def find(self, cls):
        for s in reversed(self.screens):
            if isinstance(s, cls):
                return s
        return None

    def toast(self, text: str, seconds: float = 4.0) -> None:
        self.toasts.append([text, seconds])
        self.dirty = True
        self.log("message", text=text)

    def quit(self) -> None:
        self.running = False

    # ------------------------------------------------------------------ input
    def handle(self, event) -> None:
        if event.type == pygame.QUIT:
            self.log("quit")
            self.quit()
            return
        if event.type == pygame.KEYDOWN:
            self.keys_down.add(event.key)
        elif event.type == pygame.KEYUP:
            self.keys_down.discard(event.key)
        elif event.type in (pygame.WINDOWFOCUSLOST, pygame.ACTIVEEVENT):
            self.keys_down.clear()  # a key released in another window sends us no KEYUP
        if event.type == pygame.KEYDOWN:
            alt = event.mod & pygame.KMOD_ALT
            if event.key == pygame.K_F11 or (alt and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER)):
                self.toggle_fullscreen()
                return
            if event.key == pygame.K_F1:
                from game.ui.screens.menus import HelpScreen

                if isinstance(self.top, HelpScreen):
                    self.pop()
                else:
                    self.push(HelpScreen(self))
                return
        if event.type == pygame.TEXTINPUT and self._swallow_text is not None:
            # This text comes from a key a screen already used as a command (the "1" that
            # picked an option): it must not land in the text box that option opened.
            swallow, self._swallow_text = event.text == self._swallow_text, None
            if swallow:
                return
        if event.type == pygame.KEYDOWN:
            self._swallow_text = None
            typing = bool(getattr(self.top, "accepts_text", False))
        if self.top is not None:
            box = self.top.text_box()
            before = box.text if box is not None else None
            self.top.handle(event)
            if box is not None and box.text != before:
                # how much is in the box, not what: "said" logs the words once they are sent
                self.log("typed", screen=self.top.name if self.top else "", chars=len(box.text))
        if event.type == pygame.KEYDOWN and not typing and event.unicode and not event.mod & pygame.KMOD_CTRL:
            self._swallow_text = event.unicode

    # ------------------------------------------------------------------ frame
    def pace(self) -> float:
        """Frames a second the window needs now: the top screen's need, and a few while a toast shows."""
        from game.ui.screens.base import AMBIENT, STILL

        need = self.top.pace() if self.top is not None else STILL
        return max(need, AMBIENT if self.toasts else STILL)

    def step(self, dt: float) -> None:
        self.t += dt
        for t in self.toasts:
            t[1] -= dt
        before = len(self.toasts)
        self.toasts = [t for t in self.toasts if t[1] > 0]
        if len(self.toasts) != before:
            self.dirty = True
        if self.top is not None:
            self.top.update(dt)

    def draw(self, surface=None) -> None:
        surface = surface or self.surface
        shown = self._shown()
        if not shown or not shown[0].opaque:
            surface.fill((0, 0, 0))
        for screen in shown:
            screen.draw(surface)
        self._draw_toasts(surface)

    def _shown(self) -> list:
        """The screens drawn, bottom first: from the top opaque one up. A menu opened from a menu
        replaces it on screen: the one below is not drawn at all, so its buttons never show
        through (the game behind is dimmed by the top one)."""
        start = 0
        for i in range(len(self.screens) - 1, -1, -1):
            if self.screens[i].opaque:
                start = i
                break
        shown = self.screens[start:]
        return [s for i, s in enumerate(shown) if s.opaque or i == len(shown) - 1]

    def _draw_toasts(self, surface) -> None:
        from game.ui.widgets import wrap

        y = 16
        size = self.theme.scaled(0.7)
        font = self.theme.font(size)
        for text, _left in self.toasts[-3:]:
            # A long message wraps (at most four lines) instead of running off the window.
            lines = wrap(font, text, W - 120)[:4]
            imgs = [self.theme.render(line, size) for line in lines]
            rect = pygame.Rect(0, 0, max(i.get_width() for i in imgs) + 40, font.get_linesize() * len(imgs) + 20)
            rect.topright = (W - 16, y)
            self.theme.panel(surface, rect, radius=8, alpha=240, edge=self.theme.pal.focus)
            for n, img in enumerate(imgs):
                surface.blit(img, (rect.x + 20, rect.y + 10 + n * font.get_linesize()))
            y = rect.bottom + 8

    def frame(self, dt: float, events: list | None = None, draw: bool = True) -> None:
        """One frame: events, fixed logic steps, draw, flip. Tests call this directly.

        `events`: already taken from the queue (the resting loop waits for one); `draw`: False
        when nothing visible changed, so the frame is only logic (see run)."""
        for event in pygame.event.get() if events is None else events:
            self.dirty = True
            self.handle(event)
            if not self.running:
                return
        if self.reloader is not None:
            self.reloader.poll()
        self._acc = min(getattr(self, "_acc", 0.0) + dt, MAX_CATCH_UP)
        while self._acc >= STEP:
            self.step(STEP)
            self._acc -= STEP
        if not (draw or self.dirty or self.log.unshown):
            return
        self.dirty = False
        self.draw()
        pygame.display.flip()
        self._drawn_motion = self._motion()
        self.frames += 1
        if self.frames == 1:
            self.log("first_frame", seconds=round(time.perf_counter() - self.t_start, 3))
        # The stack of screens as it is now on the display, logged after the flip when it changed
        # or when anything was logged since the last "drawn": a test (or a recording tool) knows
        # when a screen, and what the log says happened on it, is visible, not only pushed.
        shown = [s.name for s in self.screens]
        if shown != self._shown_screens or self.log.unshown:
            self._shown_screens = shown
            self.log("drawn", screens=shown)

    def run_frames(self, n: int, dt: float = STEP) -> None:
        for _ in range(n):
            if not self.running:
                break
            self.frame(dt)

    def run(self, max_seconds: float | None = None) -> int:
        """Play until the player quits (or `max_seconds` pass), then close the window."""
        self.loop(max_seconds)
        self.close()
        return 0

    @staticmethod
    def _wait_events(due: float) -> list:
        """The events that arrive before `due` (monotonic), returned as soon as there are any.

        Not pygame.event.wait(timeout): pygame polls inside it every millisecond, which alone
        costs ~3 % of a core. Sleeping POLL between looks costs a tenth of that, and POLL is
        below what a player can notice between a key press and its answer."""
        while True:
            events = pygame.event.get()
            now = time.monotonic()
            if events or now >= due:
                return events
            time.sleep(min(POLL, due - now))

    def loop(self, max_seconds: float | None = None) -> None:
        """The main loop, at rest when nothing moves.

        While the top screen animates (FULL) it runs at 60 Hz. Otherwise it sleeps until an
        event arrives or the next slow frame is due (AMBIENT, a few a second) or IDLE_WAKE
        passes (STILL: a logic step only, no drawing unless something changed). A visual
        novel waiting for the player costs next to nothing (benchmarks/frames.py).
        """
        clock = pygame.time.Clock()
        clock.tick()
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        last = last_draw = time.monotonic()
        while self.running and (deadline is None or time.monotonic() < deadline):
            fps = self.pace()
            if fps >= 30:
                clock.tick(fps)
                events = None
            else:
                clock.tick()  # keep the clock's own reference point current for when FULL resumes
                due = last_draw + (1.0 / fps if fps else IDLE_WAKE)
                if deadline is not None:
                    due = min(due, deadline)
                events = self._wait_events(due)
            now = time.monotonic()
            dt, last = now - last, now
            drawn = self.frames
            draw = fps > 0 and (fps >= 30 or now >= last_draw + 1.0 / fps - 0.002)
            unchanged = draw and fps < 30 and not events and not self.dirty and self.unchanged_since_drawn()
            self.frame(dt, events=events, draw=draw and not unchanged)
            if self.frames != drawn or unchanged:
                last_draw = now
            elif fps == 0:
                last_draw = now  # the next still wake-up is IDLE_WAKE from now

    def _motion(self) -> tuple | None:
        """What can move by itself on the screens shown now (None: something always does)."""
        motions = tuple(s.motion() for s in self._shown())
        return None if any(m is None for m in motions) else motions

    def unchanged_since_drawn(self) -> bool:
        """True when a slow frame would draw what is already on the display."""
        motion = self._motion()
        return motion is not None and motion == self._drawn_motion

    def close(self) -> None:
        self.session.writer.flush()  # an autosave being written is finished, not lost, at quit
        self.session.read.flush()
        self.log("closed")
        self.log.close()
        pygame.quit()

    # ------------------------------------------------------------------ pictures
    def game_frame(self) -> pygame.Surface:
        """The current game view without menus on top (for save thumbnails)."""
        from game.ui.screens.play import PlayScreen

        canvas = pygame.Surface((W, H))
        play = self.find(PlayScreen)
        if play is not None:
            play.draw(canvas)
        else:
            self.draw(canvas)
        return canvas

    def thumbnail_png(self, size=(320, 180)) -> bytes | None:
        from game.ui.session import thumbnail_png

        return thumbnail_png(self.game_frame(), size)


def build_app(story_path: str, **kwargs) -> App:
    """Load the story and open the title screen; raises LevelError-like SystemExit messages on a bad story."""
    from game.story.loader import load_story
    from game.ui.screens.title import TitleScreen

    story, diags = load_story(story_path)
    if story is None:
        raise ValueError("\n".join(d.format() for d in diags if d.severity == "error") or f"cannot load {story_path}")
    app = App(story_path, story, **kwargs)
    title = TitleScreen(app)
    app.push(title)
    if any(app.start.get(k) for k in ("warp", "level", "set_vars")):
        # A writer's --warp / --level / --set: straight into a new game there. The name is asked
        # for (as in any new game) unless --name gave it.
        title.new_game()
    return app


def _check_start(story_path: str, **start) -> str:
    """Why a --warp / --level / --set cannot start (a message for the terminal), or ""."""
    from game.story.loader import load_story
    from game.story.runtime import Runtime, StoryStateError

    story, _ = load_story(story_path)
    if story is None:
        return ""  # build_app reports the story's own errors
    try:
        Runtime(story, "Player", 0, start_scene=start["warp"], set_vars=start["set_vars"], level=start["level"])
    except StoryStateError as exc:
        return str(exc)
    return ""


def run_desktop(
    story_path: str,
    *,
    player: str | None = None,
    log: str | None = None,
    backend: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    warp: str | None = None,
    set_vars: dict | None = None,
    seed: int | None = None,
    level: str | None = None,
    reload: bool = False,
    max_seconds: float | None = None,
) -> int:
    """Open the game window on `story_path` and play until the player quits. Returns an exit code.

    `warp`, `set_vars` and `level` start a new game there at once; `reload` reloads level files
    when they change on disk (see HotReload).
    """
    from game.story.steps import MissingPromptKinds, require_kinds
    from game.ui.screens.play import PRESENTERS

    try:
        require_kinds("desktop game", PRESENTERS)
    except MissingPromptKinds as exc:
        print(f"play: {exc}", file=sys.stderr)
        return 2
    if warp or level or set_vars:
        problem = _check_start(story_path, warp=warp, level=level, set_vars=set_vars)
        if problem:
            print(f"play: {problem}", file=sys.stderr)
            return 2
    try:
        app = build_app(
            story_path,
            player=player,
            log=log,
            options={"backend": backend, "model": model, "base_url": base_url},
            warp=warp,
            set_vars=set_vars,
            seed=seed,
            level=level,
            reload=reload,
        )
    except ValueError as exc:
        print(f"cannot play {story_path}:\n{exc}", file=sys.stderr)
        return 1
    except NoWindow as exc:
        print(exc.advice(f"treacherous-turn play --text {story_path}"), file=sys.stderr)
        pygame.quit()
        return 1
    from game.logfile import log_to_file

    # The window says a failure as a toast; the details go to a file, not the terminal it was started from.
    quiet = log_to_file("window.log")
    try:
        return app.run(max_seconds)
    finally:
        quiet()


def main(argv: list[str] | None = None) -> int:
    """`python -m game.ui.app [STORY] [--name N] [--log F] ...`: the desktop game without the CLI."""
    import argparse

    from game.paths import campaign_file

    p = argparse.ArgumentParser(prog="python -m game.ui.app")
    p.add_argument("story", nargs="?")
    p.add_argument("--name")
    p.add_argument("--log")
    p.add_argument("--backend")
    p.add_argument("--model")
    p.add_argument("--base-url")
    p.add_argument("--warp")
    p.add_argument("--seed", type=int)
    p.add_argument("--max-seconds", type=float)
    p.add_argument("--no-reload", action="store_true")
    a = p.parse_args(argv)
    story = a.story or str(campaign_file())
    return run_desktop(
        story,
        player=a.name,
        log=a.log,
        backend=a.backend,
        model=a.model,
        base_url=a.base_url,
        warp=a.warp,
        seed=a.seed,
        max_seconds=a.max_seconds,
        reload=not a.no_reload,
    )


if __name__ == "__main__":
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    sys.exit(main())
