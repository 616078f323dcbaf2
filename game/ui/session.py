"""One game being played: the story, its runtime, rollback, read lines, saves. No pygame.

The screens ask the session for the current prompt and tell it what the player did;
before every action the session keeps a checkpoint (runtime snapshot + the screen's own
state, e.g. a conversation's snapshot or a generated line's text), so rollback and
roll-forward restore exact states and never ask a model again.
"""

from __future__ import annotations

import collections
import json
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from game import saves
from game.paths import atomic_write_json, data_dir
from game.story.loader import load_story
from game.story.runtime import Runtime, StoryStateError
from game.story.snapshot import SnapshotError, check_screen
from game.textsafe import clean_line

MAX_ROLLBACK = 300


class ReadLog:
    """Keys of lines the player has read, per story, kept across sessions (for skip-read)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / "read_lines.json"
        self.keys: dict[str, set[str]] = {}
        self.dirty = False
        try:
            raw = saves.read_file(self.path)  # bounded like a save: size, regular file, nesting
            if isinstance(raw, dict):
                self.keys = {
                    str(k): {x for x in v if isinstance(x, str)} for k, v in raw.items() if isinstance(v, list)
                }
        except saves.SaveError:
            self.keys = {}  # missing or damaged: start afresh rather than refuse to play

    def seen(self, story: str, key: str) -> bool:
        return key in self.keys.get(story, ())

    def mark(self, story: str, key: str) -> None:
        bucket = self.keys.setdefault(story, set())
        if key not in bucket:
            bucket.add(key)
            self.dirty = True

    def flush(self) -> None:
        if self.dirty:
            try:
                atomic_write_json(self.path, {k: sorted(v) for k, v in self.keys.items()})
                self.dirty = False
            except OSError:
                pass  # read-tracking is a comfort; never stop the game over it


class SaveWriter:
    """Writes saves on one background thread, in order, so an autosave never costs the frame.

    The frame thread takes what must be exact at that moment (the runtime snapshot, the screen
    state, a copy of the picture); scaling the thumbnail, encoding the PNG, serialising the JSON
    and writing the file (about 5 ms together) happen here. Results come back through `drain()`,
    read on the frame thread, because the event log and the toasts belong to it.
    """

    def __init__(self) -> None:
        self._jobs: queue.Queue = queue.Queue()
        self._done: collections.deque = collections.deque()
        self._thread: threading.Thread | None = None

    def submit(self, slot: str, fields: dict[str, Any], picture=None, why: str = "") -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, daemon=True, name="save-writer")
            self._thread.start()
        self._jobs.put((slot, fields, picture, why))

    def _run(self) -> None:
        while True:
            slot, fields, picture, why = self._jobs.get()
            try:
                png = thumbnail_png(picture) if picture is not None else None
                path = saves.write(slot, thumbnail_png=png, **fields)
                self._done.append((slot, why, path, ""))
            except Exception as exc:  # noqa: BLE001 - reported to the player on the frame thread
                self._done.append((slot, why, None, str(exc)))
            finally:
                self._jobs.task_done()

    def flush(self) -> None:
        """Wait for every save asked for so far (before loading a slot, listing slots, or quitting)."""
        if self._thread is not None:
            self._jobs.join()

    def drain(self) -> list[tuple[str, str, Path | None, str]]:
        out = []
        while self._done:
            out.append(self._done.popleft())
        return out


def thumbnail_png(picture, size=(320, 180)) -> bytes | None:
    """A small PNG of a game picture (a pygame Surface); None if it cannot be made."""
    import io

    import pygame

    try:
        small = pygame.transform.smoothscale(picture, size)
        buf = io.BytesIO()
        pygame.image.save(small, buf, "thumb.png")
        return buf.getvalue()
    except (pygame.error, ValueError):
        return None


class Session:
    def __init__(
        self, story_path: str, story, *, options: dict[str, Any] | None = None, log: Callable[..., None] | None = None
    ) -> None:
        self.story_path = str(story_path)
        self.story = story
        self.options = options or {}
        self.runtime: Runtime | None = None
        self.history: list[dict[str, Any]] = []
        self.future: list[dict[str, Any]] = []
        self.read = ReadLog()
        self.log = log or (lambda *a, **k: None)
        self.writer = SaveWriter()
        removed = saves.clean_at_start()  # temp files of writes killed in an earlier run
        if removed:
            self.log("stale_temp_removed", count=removed)

    # ------------------------------------------------------------------ lifecycle
    def new(
        self, player: str, *, seed: int | None = None, warp: str | None = None, set_vars=None, level: str | None = None
    ) -> None:
        seed = int(time.time()) if seed is None else seed
        self.runtime = Runtime(self.story, player=player, seed=seed, start_scene=warp, set_vars=set_vars, level=level)
        self.history.clear()
        self.future.clear()
        self.log("new_game", player=player, story=self.story.id, seed=seed)

    def _playing(self) -> Runtime:
        """The runtime of the game on: what follows is asked for only once new() or load() has
        made one (the play screen exists only then)."""
        if self.runtime is None:
            raise RuntimeError("no game started: call new() or load() first")
        return self.runtime

    @property
    def prompt(self):
        return self._playing().current()

    def scene_title(self) -> str:
        rt = self._playing()
        scene = rt.level.scenes.get(rt.scene)
        return scene.title if scene and scene.title else rt.scene.replace("_", " ").capitalize()

    def scene_background(self) -> tuple[str | None, str]:
        rt = self._playing()
        scene = rt.level.scenes.get(rt.scene)
        return (scene.background if scene else None), rt.scene

    # ------------------------------------------------------------------ rollback
    def state(self, screen: dict[str, Any]) -> dict[str, Any]:
        return {"runtime": self._playing().snapshot(), "screen": dict(screen)}

    def checkpoint(self, screen: dict[str, Any]) -> None:
        """Call before acting on the runtime. A new action makes the old future unreachable."""
        self.history.append(self.state(screen))
        del self.history[:-MAX_ROLLBACK]
        self.future.clear()

    def _restore(self, state: dict[str, Any]) -> dict[str, Any]:
        self.runtime = Runtime.restore(self.story, state["runtime"])
        return dict(state["screen"])

    def rollback(self, screen: dict[str, Any]) -> dict[str, Any] | None:
        if not self.history:
            return None
        self.future.append(self.state(screen))
        return self._restore(self.history.pop())

    def roll_forward(self, screen: dict[str, Any]) -> dict[str, Any] | None:
        if not self.future:
            return None
        self.history.append(self.state(screen))
        return self._restore(self.future.pop())

    # ------------------------------------------------------------------ saves
    def _fields(self, screen: dict[str, Any]) -> dict[str, Any]:
        rt = self._playing()
        return {
            "runtime_snapshot": rt.snapshot(),
            "story_path": self.story_path,
            "story_id": self.story.id,
            "scene": rt.scene,
            "scene_title": self.scene_title(),
            "player": rt.world.player,
            "screen": json.loads(json.dumps(screen, default=str)),
        }  # a copy the frame thread cannot change

    def save(self, slot: str, screen: dict[str, Any], thumbnail_png: bytes | None = None) -> Path:
        self.writer.flush()  # an autosave still being written must not land after this save
        path = saves.write(slot, thumbnail_png=thumbnail_png, **self._fields(screen))
        self.read.flush()
        self.log("saved", slot=slot, scene=self._playing().scene, key=getattr(self.prompt, "key", ""))
        return path

    def save_later(self, slot: str, screen: dict[str, Any], picture=None, why: str = "") -> None:
        """Save on the writer thread; `picture` (a Surface the caller gives up) becomes the thumbnail there.
        The outcome arrives through `finished_saves()`."""
        self.writer.submit(slot, self._fields(screen), picture, why)

    def finished_saves(self) -> list[tuple[str, str, Path | None, str]]:
        """(slot, why, path or None, error) of background saves finished since the last call."""
        out = self.writer.drain()
        for slot, _why, path, _error in out:
            if path is not None:
                self.log("saved", slot=slot, scene=self.runtime.scene if self.runtime else "")
        return out

    def load(self, slot: str) -> dict[str, Any]:
        """Restore a slot; returns the screen state. saves.SaveError (with a reason) when it cannot."""
        self.writer.flush()
        data = saves.read(slot)
        story = self.story
        if data["story"] != story.id:
            other = None
            if data.get("story_path"):
                try:
                    other, _diags = load_story(data["story_path"])
                except Exception:  # noqa: BLE001 - whatever the path names, the answer is "not available"
                    other = None
            if other is None or other.id != data["story"]:
                raise saves.SaveError(
                    f"this save belongs to the story '{clean_line(data['story'], 80)}', which is not available"
                )
            story = other
        try:
            runtime = Runtime.restore(story, data["runtime"])
            screen = check_screen(data.get("screen") or {}, runtime.current())
        except StoryStateError as exc:  # already says the save does not fit, and why
            raise saves.SaveError(str(exc)) from None
        except (SnapshotError, KeyError, TypeError, ValueError) as exc:
            raise saves.SaveError(f"the save does not fit this version of the story: {exc}") from None
        if story is not self.story:
            self.story, self.story_path = story, str(data.get("story_path"))
        self.runtime = runtime
        self.history.clear()
        self.future.clear()
        self.log("loaded", slot=slot, scene=runtime.scene, key=getattr(runtime.current(), "key", ""))
        return screen
