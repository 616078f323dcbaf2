"""Save slots: versioned JSON files in `saves_dir()`, written atomically.

A save holds everything needed to come back to the same line: the runtime snapshot,
the story file, the front end's screen state (a conversation's snapshot when mid-talk),
a PNG thumbnail (base64), a timestamp and the scene's name. Listing never raises: a
corrupt, foreign or newer file shows as an unreadable slot, and no other slot is touched.
"""
from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from game.paths import atomic_write_json, saves_dir

SAVE_VERSION = 1
FORMAT = "treacherous-turn-save"
NUMBERED = [str(i) for i in range(1, 10)]
SPECIAL = ["quick", "auto"]
SLOTS = SPECIAL + NUMBERED


class SaveError(Exception):
    """A save could not be read or does not fit this game; the message says why, for the player."""


@dataclass
class SlotInfo:
    slot: str
    path: Path
    exists: bool
    ok: bool = False
    error: str = ""
    timestamp: float = 0.0
    scene: str = ""
    scene_title: str = ""
    player: str = ""
    story: str = ""
    thumbnail_png: bytes | None = None

    @property
    def label(self) -> str:
        return {"quick": "Quick save", "auto": "Autosave"}.get(self.slot, f"Slot {self.slot}")

    @property
    def when(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.timestamp)) if self.timestamp else ""


def slot_path(slot: str) -> Path:
    if slot not in SLOTS:
        raise ValueError(f"unknown save slot '{slot}'")
    return saves_dir() / f"{slot}.json"


def write(slot: str, *, runtime_snapshot: dict[str, Any], story_path: str, story_id: str, scene: str,
          scene_title: str = "", player: str = "", screen: dict[str, Any] | None = None,
          thumbnail_png: bytes | None = None) -> Path:
    path = slot_path(slot)
    data = {
        "format": FORMAT, "version": SAVE_VERSION, "timestamp": time.time(),
        "story_path": str(story_path), "story": story_id, "scene": scene, "scene_title": scene_title,
        "player": player, "runtime": runtime_snapshot, "screen": screen or {},
        "thumbnail_png_base64": base64.b64encode(thumbnail_png).decode("ascii") if thumbnail_png else None,
    }
    atomic_write_json(path, data)
    return path


def _validate(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SaveError("not a Treacherous Turn save")
    version = data.get("version")
    if version != SAVE_VERSION:
        raise SaveError(f"save format {version!r} is not supported by this version (expects {SAVE_VERSION})")
    for key, kind in (("runtime", dict), ("story", str), ("scene", str), ("timestamp", (int, float))):
        if not isinstance(data.get(key), kind):
            raise SaveError(f"the save has no valid '{key}'")
    if not isinstance(data.get("screen", {}), dict):
        raise SaveError("the save has no valid 'screen'")
    return data


def read(slot: str) -> dict[str, Any]:
    """The save's data; SaveError with a reason when missing, corrupt or foreign."""
    path = slot_path(slot)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SaveError("the slot is empty") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SaveError(f"cannot read the file: {exc}") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SaveError(f"the file is damaged (JSON error at line {exc.lineno})") from None
    return _validate(data)


def info(slot: str) -> SlotInfo:
    path = slot_path(slot)
    if not path.exists():
        return SlotInfo(slot, path, exists=False)
    try:
        data = read(slot)
    except SaveError as exc:
        return SlotInfo(slot, path, exists=True, ok=False, error=str(exc))
    thumb = None
    if isinstance(data.get("thumbnail_png_base64"), str):
        try:
            thumb = base64.b64decode(data["thumbnail_png_base64"], validate=True)
        except (ValueError, TypeError):
            thumb = None     # a bad thumbnail does not make the save unloadable
    return SlotInfo(slot, path, exists=True, ok=True, timestamp=float(data["timestamp"]), scene=data["scene"],
                    scene_title=str(data.get("scene_title") or ""), player=str(data.get("player") or ""),
                    story=data["story"], thumbnail_png=thumb)


def list_slots(slots: list[str] | None = None) -> list[SlotInfo]:
    return [info(s) for s in (slots or SLOTS)]


def latest(story_id: str | None = None) -> SlotInfo | None:
    """The most recent readable save (for "Continue"), optionally of one story."""
    found = [i for i in list_slots() if i.ok and (story_id is None or i.story == story_id)]
    return max(found, key=lambda i: i.timestamp) if found else None


def delete(slot: str) -> None:
    slot_path(slot).unlink(missing_ok=True)
