"""One game being played: the story, its runtime, rollback, read lines, saves. No pygame.

The screens ask the session for the current prompt and tell it what the player did;
before every action the session keeps a checkpoint (runtime snapshot + the screen's own
state, e.g. a conversation's snapshot or a generated line's text), so rollback and
roll-forward restore exact states and never ask a model again.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable

from game import saves
from game.paths import atomic_write_json, data_dir
from game.story.loader import load_story
from game.story.runtime import Runtime, StoryStateError

MAX_ROLLBACK = 300


class ReadLog:
    """Keys of lines the player has read, per story, kept across sessions (for skip-read)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / "read_lines.json"
        self.keys: dict[str, set[str]] = {}
        self.dirty = False
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(raw, dict):
                self.keys = {str(k): set(map(str, v)) for k, v in raw.items() if isinstance(v, list)}
        except (OSError, ValueError):
            self.keys = {}      # missing or damaged: start afresh rather than refuse to play

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
                pass     # read-tracking is a comfort; never stop the game over it


class Session:
    def __init__(self, story_path: str, story, *, options: dict[str, Any] | None = None,
                 log: Callable[..., None] | None = None) -> None:
        self.story_path = str(story_path)
        self.story = story
        self.options = options or {}
        self.runtime: Runtime | None = None
        self.history: list[dict[str, Any]] = []
        self.future: list[dict[str, Any]] = []
        self.read = ReadLog()
        self.log = log or (lambda *a, **k: None)

    # ------------------------------------------------------------------ lifecycle
    def new(self, player: str, *, seed: int | None = None, warp: str | None = None, set_vars=None,
            level: str | None = None) -> None:
        seed = int(time.time()) if seed is None else seed
        self.runtime = Runtime(self.story, player=player, seed=seed, start_scene=warp, set_vars=set_vars, level=level)
        self.history.clear()
        self.future.clear()
        self.log("new_game", player=player, story=self.story.id, seed=seed)

    @property
    def prompt(self):
        return self.runtime.current()

    def scene_title(self) -> str:
        scene = self.runtime.level.scenes.get(self.runtime.scene)
        return (scene.title if scene and scene.title else self.runtime.scene.replace("_", " ").capitalize())

    def scene_background(self) -> tuple[str | None, str]:
        scene = self.runtime.level.scenes.get(self.runtime.scene)
        return (scene.background if scene else None), self.runtime.scene

    # ------------------------------------------------------------------ rollback
    def state(self, screen: dict[str, Any]) -> dict[str, Any]:
        return {"runtime": self.runtime.snapshot(), "screen": dict(screen)}

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
    def save(self, slot: str, screen: dict[str, Any], thumbnail_png: bytes | None = None) -> Path:
        path = saves.write(slot, runtime_snapshot=self.runtime.snapshot(), story_path=self.story_path,
                           story_id=self.story.id, scene=self.runtime.scene, scene_title=self.scene_title(),
                           player=self.runtime.world.player, screen=screen, thumbnail_png=thumbnail_png)
        self.read.flush()
        self.log("saved", slot=slot, scene=self.runtime.scene, key=getattr(self.prompt, "key", ""))
        return path

    def load(self, slot: str) -> dict[str, Any]:
        """Restore a slot; returns the screen state. saves.SaveError (with a reason) when it cannot."""
        data = saves.read(slot)
        story = self.story
        if data["story"] != story.id:
            other, diags = load_story(data.get("story_path") or "")
            if other is None or other.id != data["story"]:
                raise saves.SaveError(f"this save belongs to the story '{data['story']}', which is not available")
            story = other
        try:
            runtime = Runtime.restore(story, data["runtime"])
        except (StoryStateError, KeyError, TypeError, ValueError) as exc:
            raise saves.SaveError(f"the save does not fit this version of the story: {exc}") from None
        if story is not self.story:
            self.story, self.story_path = story, str(data.get("story_path"))
        self.runtime = runtime
        self.history.clear()
        self.future.clear()
        self.log("loaded", slot=slot, scene=runtime.scene, key=getattr(runtime.current(), "key", ""))
        return dict(data.get("screen") or {})
