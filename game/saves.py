"""Save slots: versioned JSON files in `saves_dir()`, written atomically.

A save holds everything needed to come back to the same line: the runtime snapshot,
the story file, the front end's screen state (a conversation's snapshot when mid-talk),
a PNG thumbnail (base64), a timestamp and the scene's name. Listing never raises: a
corrupt, foreign, newer or hostile file (deeply nested, huge numbers, not UTF-8, not a
regular file, too large) shows as a damaged slot with its reason, and no other slot is
touched. The terminal's named saves (`/save NAME`) live beside the slots as
`text-NAME.json`, with names limited to letters, digits, `-` and `_`.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from game.paths import atomic_write_json, saves_dir
from game.textsafe import clean_line

SAVE_VERSION = 1
FORMAT = "treacherous-turn-save"
NUMBERED = [str(i) for i in range(1, 10)]
SPECIAL = ["quick", "auto"]
SLOTS = SPECIAL + NUMBERED
MAX_SAVE_BYTES = 64 * 2**20  # a long campaign's save is a few MB (its transcript); more is not ours
MAX_SHOWN = 200  # characters of a name or title shown in the slot list
LATEST_TIME = 2**40  # seconds since 1970 (year 36812): any later timestamp is damage
STALE_TEMP_S = 10.0  # a temp file this old at start is from a write that was killed
TEXT_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


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
        if not self.timestamp:
            return ""
        try:
            return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.timestamp))
        except (OverflowError, OSError, ValueError):
            return "unknown date"


def slot_path(slot: str) -> Path:
    if slot not in SLOTS:
        raise ValueError(f"unknown save slot '{slot}'")
    return saves_dir() / f"{slot}.json"


def text_save_path(name: str) -> Path:
    """The terminal's save called `name` ("" is "quick"); SaveError for a name that is not a plain word,
    so `/save ../../x` can never write outside the saves folder."""
    name = name or "quick"
    if not TEXT_NAME_RE.match(name):
        raise SaveError(f"a save name is 1 to 40 letters, digits, '-' or '_' (not {clean_line(repr(name), 60)})")
    return saves_dir() / f"text-{name}.json"


def write(
    slot: str,
    *,
    runtime_snapshot: dict[str, Any],
    story_path: str,
    story_id: str,
    scene: str,
    scene_title: str = "",
    player: str = "",
    screen: dict[str, Any] | None = None,
    thumbnail_png: bytes | None = None,
) -> Path:
    path = slot_path(slot)
    data = {
        "format": FORMAT,
        "version": SAVE_VERSION,
        "timestamp": time.time(),
        "story_path": str(story_path),
        "story": story_id,
        "scene": scene,
        "scene_title": scene_title,
        "player": player,
        "runtime": runtime_snapshot,
        "screen": screen or {},
        "thumbnail_png_base64": base64.b64encode(thumbnail_png).decode("ascii") if thumbnail_png else None,
    }
    atomic_write_json(path, data)
    return path


def write_text_save(name: str, *, runtime_snapshot: dict[str, Any], story_path: str) -> Path:
    """The terminal's `/save NAME`: the same format and version as a slot."""
    path = text_save_path(name)
    story = runtime_snapshot.get("story") if isinstance(runtime_snapshot, dict) else None
    atomic_write_json(
        path,
        {
            "format": FORMAT,
            "version": SAVE_VERSION,
            "timestamp": time.time(),
            "story_path": str(story_path),
            "story": story or "",
            "scene": runtime_snapshot.get("scene", ""),
            "runtime": runtime_snapshot,
        },
    )
    return path


def check_format(data: Any) -> dict[str, Any]:
    """The save's top level: its format and version, and the runtime snapshot's presence."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SaveError("not a Treacherous Turn save")
    version = data.get("version")
    if isinstance(version, bool) or version != SAVE_VERSION:
        shown = version if isinstance(version, (int, float, str)) and len(str(version)) < 20 else "?"
        raise SaveError(f"save format {shown!r} is not supported by this version (expects {SAVE_VERSION})")
    if not isinstance(data.get("runtime"), dict):
        raise SaveError("the save has no valid 'runtime'")
    path = data.get("story_path", "")
    if not isinstance(path, str) or len(path) > 4096 or "\x00" in path:
        raise SaveError("the save has no valid 'story_path'")
    return data


def _validate(data: Any) -> dict[str, Any]:
    check_format(data)
    for key, kind in (("story", str), ("scene", str), ("timestamp", (int, float))):
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, kind):
            raise SaveError(f"the save has no valid '{key}'")
    ts = data["timestamp"]
    if not math.isfinite(ts) or not 0 <= ts < LATEST_TIME:
        raise SaveError("the save's date is not a real one")
    for key in ("scene_title", "player"):
        if not isinstance(data.get(key, ""), (str, type(None))):
            raise SaveError(f"the save has no valid '{key}'")
    if not isinstance(data.get("screen", {}), dict):
        raise SaveError("the save has no valid 'screen'")
    return data


def read_file(path: Path) -> Any:
    """A save file's JSON; SaveError with a reason for anything that is not a readable, sane JSON file.
    Opened without blocking (a FIFO named like a save must not hang the slot list) and read no
    further than MAX_SAVE_BYTES."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise SaveError("the slot is empty") from None
    except OSError as exc:
        raise SaveError(f"cannot read the file ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SaveError("it is not a regular file")
        if st.st_size > MAX_SAVE_BYTES:
            raise SaveError(f"the file is {st.st_size:,} bytes (a save is at most {MAX_SAVE_BYTES:,})")
        with os.fdopen(fd, "rb") as fh:
            fd = -1
            # In pieces: read(MAX_SAVE_BYTES) would allocate all 64 MB for a 20 kB save.
            chunks, total = [], 0
            while total <= MAX_SAVE_BYTES:
                chunk = fh.read(min(1 << 20, MAX_SAVE_BYTES + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
            raw = b"".join(chunks)
    except OSError as exc:
        raise SaveError(f"cannot read the file ({exc.strerror or exc})") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(raw) > MAX_SAVE_BYTES:
        raise SaveError(f"the file is over {MAX_SAVE_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SaveError(f"the file is damaged (not UTF-8 text at byte {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SaveError(f"the file is damaged (JSON error at line {exc.lineno})") from None
    except RecursionError:
        raise SaveError("the file is damaged (nested too deeply)") from None
    except ValueError as exc:  # an integer past Python's digit limit, say
        raise SaveError(f"the file is damaged ({clean_line(str(exc), 120)})") from None


def read(slot: str) -> dict[str, Any]:
    """The save's data; SaveError with a reason when missing, corrupt or foreign."""
    return _validate(read_file(slot_path(slot)))


def read_text_save(name: str) -> dict[str, Any]:
    """The terminal's save `name`: format and version checked (SaveError saying why)."""
    return check_format(read_file(text_save_path(name)))


def info(slot: str) -> SlotInfo:
    path = slot_path(slot)
    if not os.path.lexists(path):
        return SlotInfo(slot, path, exists=False)
    try:
        data = read(slot)
    except SaveError as exc:
        return SlotInfo(slot, path, exists=True, ok=False, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - the promise is that one bad file never breaks the list
        return SlotInfo(slot, path, exists=True, ok=False, error=f"the file is damaged ({type(exc).__name__})")
    thumb = None
    if isinstance(data.get("thumbnail_png_base64"), str):
        try:
            thumb = base64.b64decode(data["thumbnail_png_base64"], validate=True)
        except (ValueError, TypeError):
            thumb = None  # a bad thumbnail does not make the save unloadable
    return SlotInfo(
        slot,
        path,
        exists=True,
        ok=True,
        timestamp=float(data["timestamp"]),
        scene=clean_line(data["scene"], MAX_SHOWN),
        scene_title=clean_line(data.get("scene_title") or "", MAX_SHOWN),
        player=clean_line(data.get("player") or "", MAX_SHOWN),
        story=data["story"],
        thumbnail_png=thumb,
    )


def list_slots(slots: list[str] | None = None) -> list[SlotInfo]:
    return [info(s) for s in (slots or SLOTS)]


def latest(story_id: str | None = None) -> SlotInfo | None:
    """The most recent readable save (for "Continue"), optionally of one story."""
    found = [i for i in list_slots() if i.ok and (story_id is None or i.story == story_id)]
    return max(found, key=lambda i: i.timestamp) if found else None


def delete(slot: str) -> None:
    slot_path(slot).unlink(missing_ok=True)


def remove_stale_temp(folder: Path | None = None, older_than: float = STALE_TEMP_S) -> list[Path]:
    """Remove the temp files of writes that were killed (`.NAME.XXXX.tmp`, see game.paths); called
    at start. A temp file younger than `older_than` seconds may belong to another running game's
    write, and is left. Returns what was removed; never raises."""
    folder = Path(folder) if folder is not None else saves_dir()
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(".tmp")):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and now - entry.stat(follow_symlinks=False).st_mtime >= older_than:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def clean_at_start() -> int:
    """What a front end calls once at start: stale temp files gone from the saves folder, the data
    folder (read_lines.json, scores) and the settings folder."""
    from game.paths import config_dir, data_dir

    return sum(len(remove_stale_temp(d)) for d in (saves_dir(), data_dir(), config_dir()))
