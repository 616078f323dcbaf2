"""The player's settings: `config_dir()/settings.yaml`, shared with the dialogue layer.

The file holds the UI's keys at the top level and the dialogue backend's under
`dialogue:` (read by game.dialogue). Writing keeps every key this module does not know,
so the two layers (and hand edits) never erase each other's settings.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from game.paths import atomic_write_text, config_dir

# Every UI setting, its default and what it accepts. The settings screen is built from this.
DEFAULTS: dict[str, Any] = {
    "text_speed": 45,          # characters per second; 0 shows each line at once
    "auto_advance": False,     # advance lines by themselves after auto_delay
    "auto_delay": 2.0,         # seconds to wait after a line has fully appeared
    "master_volume": 0.6,
    "ambient_volume": 0.5,
    "sound": True,             # ambient hum on / off
    "fullscreen": False,
    "text_size": "medium",     # small / medium / large / huge
    "high_contrast": False,
    "skip_minigames": False,   # accessibility: minigames use their default result
    "timers": True,            # False: no timed pressure anywhere (minigames get timed=False)
    "skip_unread": False,      # skip mode also skips lines never read before
}
# Empty means "not chosen here": the dialogue layer then uses the level's choice or its own default
# (scripted). Writing "scripted" by default would override every level's per-character backend.
DIALOGUE_DEFAULTS: dict[str, Any] = {"backend": "", "model": ""}

TEXT_SIZES = {"small": 22, "medium": 26, "large": 32, "huge": 38}
CHOICES: dict[str, list[Any]] = {
    "text_speed": [0, 20, 30, 45, 60, 90, 150],
    "auto_delay": [0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0],
    "master_volume": [round(i / 10, 1) for i in range(11)],
    "ambient_volume": [round(i / 10, 1) for i in range(11)],
    "text_size": list(TEXT_SIZES),
}


def settings_path() -> Path:
    return config_dir() / "settings.yaml"


def _read_raw(path: Path) -> tuple[dict[str, Any], str]:
    """The file's mapping, and a problem if it could not be read (never raises)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, ""
    except OSError as exc:
        return {}, f"could not read {path}: {exc}"
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        return {}, f"{path} is not valid YAML ({exc.__class__.__name__}); defaults are used"
    if data is None:
        return {}, ""
    if not isinstance(data, dict):
        return {}, f"{path} does not hold a mapping; defaults are used"
    return data, ""


def _coerce(key: str, value: Any) -> Any:
    """The value if it has the default's type (ints accepted for floats), else the default."""
    default = DEFAULTS[key]
    if isinstance(default, bool):
        return value if isinstance(value, bool) else default
    if isinstance(default, (int, float)) and not isinstance(value, bool) and isinstance(value, (int, float)):
        if key.endswith("volume"):
            return max(0.0, min(1.0, float(value)))
        return max(0, value) if isinstance(default, int) and isinstance(value, int) else max(0.0, float(value))
    if key == "text_size":
        return value if value in TEXT_SIZES else default
    return default


@dataclass
class Settings:
    values: dict[str, Any] = field(default_factory=lambda: dict(DEFAULTS))
    dialogue: dict[str, Any] = field(default_factory=lambda: dict(DIALOGUE_DEFAULTS))
    problem: str = ""          # shown by the UI when the file was unreadable

    def __getattr__(self, key: str) -> Any:
        values = self.__dict__.get("values", {})
        if key in values:
            return values[key]
        raise AttributeError(key)

    def set(self, key: str, value: Any) -> None:
        if key not in DEFAULTS:
            raise KeyError(f"unknown setting '{key}'")
        self.values[key] = _coerce(key, value)

    @property
    def font_size(self) -> int:
        return TEXT_SIZES[self.values["text_size"]]

    def copy(self) -> Settings:
        return Settings(dict(self.values), dict(self.dialogue), self.problem)


def load(path: Path | None = None) -> Settings:
    path = path or settings_path()
    raw, problem = _read_raw(path)
    values = {k: _coerce(k, raw[k]) if k in raw else v for k, v in DEFAULTS.items()}
    dialogue = dict(DIALOGUE_DEFAULTS)
    if isinstance(raw.get("dialogue"), dict):
        dialogue.update(raw["dialogue"])
    return Settings(values, dialogue, problem)


def save(settings: Settings, path: Path | None = None) -> None:
    """Write our keys over whatever the file holds now, keeping all others (dialogue ones included)."""
    path = path or settings_path()
    raw, problem = _read_raw(path)
    if problem:
        raw = {}    # an unreadable file is replaced rather than kept broken
    data = copy.deepcopy(raw)
    data.update(settings.values)
    dialogue = data.get("dialogue") if isinstance(data.get("dialogue"), dict) else {}
    for key in ("backend", "model"):
        if settings.dialogue.get(key) not in (None, ""):
            dialogue[key] = settings.dialogue[key]
        elif key in dialogue and settings.dialogue.get(key) == "":
            dialogue.pop(key)
    if dialogue:
        data["dialogue"] = dialogue
    atomic_write_text(path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
