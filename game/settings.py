"""The player's settings: `config_dir()/settings.yaml`, shared with the dialogue layer.

The file holds the UI's keys at the top level and the dialogue backend's under
`dialogue:` (read by game.dialogue). Writing keeps every key this module does not know,
so the two layers (and hand edits) never erase each other's settings.
"""

from __future__ import annotations

import copy
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from game import yamlsafe
from game.paths import atomic_write_text, config_dir

log = logging.getLogger("game.settings")

# Every UI setting, its default and what it accepts. The settings screen is built from this.
DEFAULTS: dict[str, Any] = {
    "text_speed": 45,  # characters per second; 0 shows each line at once
    "auto_advance": False,  # advance lines by themselves after auto_delay
    "auto_delay": 2.0,  # seconds to wait after a line has fully appeared
    "master_volume": 0.6,
    "ambient_volume": 0.5,
    "sound": True,  # ambient hum on / off
    "fullscreen": False,
    "text_size": "medium",  # small / medium / large / huge
    "high_contrast": False,
    "skip_minigames": False,  # accessibility: minigames use their default result
    "timers": True,  # False: no timed pressure anywhere (minigames get timed=False)
    "skip_unread": False,  # skip mode also skips lines never read before
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
        data = path.read_bytes()
    except FileNotFoundError:
        return {}, ""
    except OSError as exc:
        return {}, f"could not read {path}: {exc.strerror or exc}; defaults are used"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return {}, f"{path} is not UTF-8 text (byte {exc.start}); defaults are used"
    try:
        data = yamlsafe.load(text)
    except yaml.YAMLError as exc:
        return {}, f"settings are not valid YAML: {yamlsafe.describe(exc, str(path))}; defaults are used"
    if data is None:
        return {}, ""
    if not isinstance(data, dict):
        return {}, f"{path} does not hold a mapping; defaults are used"
    return data, ""


def _valid(key: str, value: Any) -> bool:
    """Whether the file's `value` is one the setting accepts as it is."""
    default = DEFAULTS[key]
    if isinstance(default, bool):
        return isinstance(value, bool)
    if key == "text_size":
        return isinstance(value, str) and value in TEXT_SIZES
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return value >= 0 and (not key.endswith("volume") or value <= 1)


def _expected(key: str) -> str:
    default = DEFAULTS[key]
    if key == "text_size":
        return "one of " + ", ".join(TEXT_SIZES)
    if isinstance(default, bool):
        return "true or false"
    if key.endswith("volume"):
        return "a number from 0 to 1"
    return "a number of at least 0"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _coerce(key: str, value: Any) -> Any:
    """The value if it has the default's type (ints accepted for floats), clamped into range; else the default."""
    default = DEFAULTS[key]
    if isinstance(default, bool):
        return value if isinstance(value, bool) else default
    if isinstance(default, (int, float)) and not isinstance(value, bool) and isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return default
        if key.endswith("volume"):
            return max(0.0, min(1.0, float(value)))
        if isinstance(default, int):
            return max(0, round(value))  # 45.0 characters per second is 45
        return max(0.0, float(value))
    if key == "text_size":
        return value if isinstance(value, str) and value in TEXT_SIZES else default
    return default


@dataclass
class Settings:
    values: dict[str, Any] = field(default_factory=lambda: dict(DEFAULTS))
    dialogue: dict[str, Any] = field(default_factory=lambda: dict(DIALOGUE_DEFAULTS))
    problem: str = ""  # shown by the UI when the file was unreadable or had bad values
    problems: list[str] = field(default_factory=list)  # each problem once: the file, then each bad field

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
        return Settings(dict(self.values), dict(self.dialogue), self.problem, list(self.problems))


def load(path: Path | None = None) -> Settings:
    """The settings; a value that is missing or wrong gets its default. Each problem (an unreadable
    file, or a field with what it expected) is logged once and kept in `problems` for the UI."""
    path = path or settings_path()
    raw, problem = _read_raw(path)
    problems = [problem] if problem else []
    values = dict(DEFAULTS)
    for key in DEFAULTS:
        if key not in raw:
            continue
        if not _valid(key, raw[key]):
            problems.append(
                f"{path.name}: '{key}' should be {_expected(key)}, found {_shown(raw[key])}; "
                f"the default ({_shown(DEFAULTS[key])}) is used"
            )
            continue
        values[key] = _coerce(key, raw[key])
    dialogue = dict(DIALOGUE_DEFAULTS)
    section = raw.get("dialogue")
    if isinstance(section, dict):
        for key in DIALOGUE_DEFAULTS:
            value = section.get(key)
            if value is None:
                continue
            if isinstance(value, str):
                dialogue[key] = value
            else:
                problems.append(f"{path.name}: 'dialogue.{key}' should be text, found {_shown(value)}; ignored")
    elif section is not None:
        problems.append(f"{path.name}: 'dialogue' should be a mapping, found {_shown(section)}; ignored")
    for p in problems:
        _report_once(p)
    return Settings(values, dialogue, "; ".join(problems), problems)


_reported: set[str] = set()


def _report_once(problem: str) -> None:
    # The game reads its settings more than once (start, settings screen): the log says each thing once.
    if problem not in _reported:
        _reported.add(problem)
        log.warning("%s", problem)


def save(settings: Settings, path: Path | None = None) -> None:
    """Write our keys over whatever the file holds now, keeping all others (dialogue ones included)."""
    path = path or settings_path()
    raw, problem = _read_raw(path)
    if problem:
        raw = {}  # an unreadable file is replaced rather than kept broken
    data = copy.deepcopy(raw)
    data.update(settings.values)
    found = data.get("dialogue")
    dialogue: dict[str, Any] = found if isinstance(found, dict) else {}
    for key in ("backend", "model"):
        if settings.dialogue.get(key) not in (None, ""):
            dialogue[key] = settings.dialogue[key]
        elif key in dialogue and settings.dialogue.get(key) == "":
            dialogue.pop(key)
    if dialogue:
        data["dialogue"] = dialogue
    atomic_write_text(path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
