"""Which backend voices each character, and why: settings layers, later overriding earlier.

    1. level      the character's `backend:` / `model:` in the level file
    2. settings   `dialogue:` in config_dir()/settings.yaml (then its `characters: {id: ...}`)
    3. env        OPENAI_API_KEY, OPENAI_BASE_URL, TT_BACKEND, TT_MODEL
    4. cli        --backend, --model, --base-url

Nobody choosing anything means `scripted` (offline). A key or a base_url configured
without a backend named means `openai`. Every field remembers the layer that decided it,
so `treacherous-turn backends` can say why.

A settings file may also name backend profiles, and a character may use one by name:

    dialogue:
      backends:
        house-llama: {type: openai, base_url: "http://localhost:11434/v1", model: "llama3.2"}
      characters:
        aria: {backend: house-llama}
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game.dialogue.base import Timeouts, log, redact, register_secret

if TYPE_CHECKING:
    from game.story.model import Character

LAYERS = ("default", "level", "settings", "settings (character)", "env", "cli")
FIELDS = ("backend", "model", "base_url", "api_key")


@dataclass
class BackendChoice:
    """The resolved backend for one character. `api_key` is never printed (see `describe`)."""

    backend: str = "scripted"
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    options: dict[str, Any] = field(default_factory=dict)  # extra settings passed to the backend
    type: str = "scripted"  # the registry name (differs from `backend` for a named profile)
    decided_by: dict[str, str] = field(default_factory=dict)

    def config(self) -> dict[str, Any]:
        cfg = dict(self.options)
        cfg.update(model=self.model, base_url=self.base_url, api_key=self.api_key)
        return cfg

    def describe(self) -> str:
        """Why this backend: e.g. "openai (model gpt-4o-mini) — backend from env, model from settings"."""
        source = self.decided_by.get("backend", "default")
        if source == "default":
            source = "default (no backend, API key or server configured: offline)"
        parts = [f"backend from {source}"]
        for f in ("model", "base_url"):
            if getattr(self, f) is not None:
                parts.append(f"{f} from {self.decided_by.get(f, 'default')}")
        if self.api_key:
            parts.append(f"API key from {self.decided_by.get('api_key')}")
        return "; ".join(parts)


# What each key of `dialogue:` holds; a value of another kind is reported and left out.
_TEXT = (str, int, float)
_SHAPES: dict[str, tuple[tuple[type, ...], str]] = {
    "backend": (_TEXT, "text"),
    "model": (_TEXT, "text"),
    "base_url": (_TEXT, "text"),
    "api_key": (_TEXT, "text"),
    "record": (_TEXT, "text (a file path)"),
    "backends": ((dict,), "a mapping of profile names to settings"),
    "characters": ((dict,), "a mapping of character ids to settings"),
    "options": ((dict,), "a mapping"),
    "timeouts": ((dict,), "a mapping (connect, first_token, total, cold_start)"),
    "fallback": ((str, list), "a line or a list of lines"),
    "voice": ((dict,), "a mapping (check, examples, max_words, forbidden, characters)"),
}


def _shown(value: Any) -> str:
    text = type(value).__name__ if isinstance(value, (dict, list)) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _read_section(path: Path, problems: list[str]) -> dict[str, Any]:
    """settings.yaml's `dialogue:` mapping with every badly typed value left out (and reported)."""
    import yaml

    from game import yamlsafe

    try:
        raw = yamlsafe.load(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        problems.append(f"{path}: cannot read settings: not UTF-8 text (byte {exc.start}); using defaults")
        return {}
    except OSError as exc:
        problems.append(f"{path}: cannot read settings ({redact(exc.strerror or exc)}); using defaults")
        return {}
    except yaml.YAMLError as exc:
        problems.append(f"cannot read settings: {redact(yamlsafe.describe(exc, str(path)))}; using defaults")
        return {}
    if raw is not None and not isinstance(raw, dict):
        problems.append(f"{path}: settings should be a mapping; using defaults")
        return {}
    section = (raw or {}).get("dialogue")
    if section is None:
        return {}
    if not isinstance(section, dict):
        problems.append(f"{path}: 'dialogue' should be a mapping; ignored")
        return {}
    clean: dict[str, Any] = {}
    for key, value in section.items():
        shape = _SHAPES.get(key)
        if key == "warm_up" and not isinstance(value, bool):
            problems.append(f"{path}: 'dialogue.warm_up' should be true or false, found {_shown(value)}; ignored")
            continue
        if value is None or shape is None:
            clean[key] = value
            continue
        kinds, expected = shape
        if isinstance(value, bool) or not isinstance(value, kinds):
            shown = "a value" if key == "api_key" else _shown(value)  # never print a key, even a mistyped one
            problems.append(f"{path}: 'dialogue.{key}' should be {expected}, found {shown}; ignored")
            continue
        if key in ("backends", "characters", "options") and isinstance(value, dict):
            for name, item in list(value.items()):
                if not isinstance(item, dict):
                    problems.append(
                        f"{path}: 'dialogue.{key}.{name}' should be a mapping, found {_shown(item)}; ignored"
                    )
            value = {k: v for k, v in value.items() if isinstance(v, dict)}
        elif key == "timeouts" and isinstance(value, dict):
            for name, v in value.items():
                low = 0 if name == "cold_start" else 1e-300  # cold_start: 0 turns the budget off
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < low:
                    problems.append(
                        f"{path}: 'dialogue.timeouts.{name}' should be a number of seconds above 0, "
                        f"found {_shown(v)}; the default is used"
                    )
        clean[key] = value
    return clean


_warned: set[str] = set()


def _warn_once(problem: str) -> None:
    # Settings are read by every service the game builds: each problem reaches the log once.
    if problem not in _warned:
        _warned.add(problem)
        log.warning("%s", problem)


@dataclass
class Settings:
    """The `dialogue:` section of settings.yaml plus the environment and CLI overrides."""

    file: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    cli: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    problems: list[str] = field(default_factory=list)

    @classmethod
    def load(
        cls,
        *,
        backend: str | None = None,
        model: str | None = None,
        base_url: str | None = None,
        path: Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        if environ is None:
            environ = os.environ
        problems: list[str] = []
        if path is None:
            from game.paths import config_dir

            path = config_dir() / "settings.yaml"
        data: dict[str, Any] = {}
        if path.is_file():
            data = _read_section(path, problems)
        env = {k: environ[k] for k in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "TT_BACKEND", "TT_MODEL") if environ.get(k)}
        cli = {k: v for k, v in (("backend", backend), ("model", model), ("base_url", base_url)) if v}
        for key in (env.get("OPENAI_API_KEY"), data.get("api_key")):
            register_secret(key if isinstance(key, str) else None)
        for p in problems:
            _warn_once(p)
        return cls(data, env, cli, path, problems)

    # ------------------------------------------------------------------ parts of the file
    def _mapping(self, key: str) -> dict[str, Any]:
        value = self.file.get(key) or {}
        return value if isinstance(value, dict) else {}

    def profiles(self) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self._mapping("backends").items() if isinstance(v, dict)}

    def fallbacks(self) -> list[str]:
        value = self.file.get("fallback") or []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]

    def timeouts(self) -> Timeouts:
        t = self._mapping("timeouts")
        base = Timeouts()
        values = {}
        for name in ("connect", "first_token", "total", "cold_start"):
            try:
                v = float(t.get(name, getattr(base, name)))
            except (TypeError, ValueError):
                v = getattr(base, name)
            ok = v >= 0 if name == "cold_start" else v > 0  # cold_start: 0 means no cold-start budget
            values[name] = v if math.isfinite(v) and ok else getattr(base, name)
        return Timeouts(**values)

    def record_path(self) -> str | None:
        value = self.file.get("record")
        return str(value) if value else None

    # ------------------------------------------------------------------ resolution
    def resolve(self, character: Character | None = None) -> BackendChoice:
        values: dict[str, Any] = {"backend": "scripted"}
        by: dict[str, str] = {"backend": "default"}

        def apply(layer: str, layer_values: dict[str, Any]) -> None:
            new_backend = layer_values.get("backend")
            if new_backend and new_backend != "default" and new_backend != values["backend"]:
                # A model belongs to its backend: one named by an earlier layer means nothing to the new one.
                values.pop("model", None)
                by.pop("model", None)
            for f in FIELDS:
                v = layer_values.get(f)
                if v in (None, "") or (f == "backend" and v == "default"):
                    continue
                values[f] = str(v)
                by[f] = layer

        if character is not None:
            apply("level", {"backend": getattr(character, "backend", None), "model": getattr(character, "model", None)})
        apply("settings", {f: self.file.get(f) for f in FIELDS})
        per_char = self._mapping("characters").get(getattr(character, "id", None) or "", {})
        if isinstance(per_char, dict):
            apply("settings (character)", {f: per_char.get(f) for f in FIELDS})
        apply(
            "env",
            {
                "backend": self.env.get("TT_BACKEND"),
                "model": self.env.get("TT_MODEL"),
                "base_url": self.env.get("OPENAI_BASE_URL"),
                "api_key": self.env.get("OPENAI_API_KEY"),
            },
        )
        apply("cli", self.cli)

        if by["backend"] == "default" and (values.get("api_key") or values.get("base_url")):
            values["backend"] = "openai"
            by["backend"] = f"{by.get('api_key') or by.get('base_url')} (a key or server is configured)"

        name = values["backend"]
        profile = self.profiles().get(name)
        options: dict[str, Any] = {}
        btype = name
        if profile is not None:
            btype = str(profile.get("type") or name)
            rank = LAYERS.index(by["backend"]) if by["backend"] in LAYERS else 0
            for f in ("model", "base_url", "api_key"):
                # Profile values fill what no later, more specific layer has decided.
                if profile.get(f) and (f not in values or LAYERS.index(by.get(f, "default")) <= rank):
                    values[f] = str(profile[f])
                    by[f] = f"settings profile '{name}'"
            options = {k: v for k, v in profile.items() if k not in ("type", "model", "base_url", "api_key")}
        else:
            options = dict(self._mapping("options").get(name) or {})
        api_key_env = options.pop("api_key_env", None)
        if api_key_env and os.environ.get(str(api_key_env)):
            values["api_key"] = os.environ[str(api_key_env)]
            by["api_key"] = f"env {api_key_env}"
        register_secret(values.get("api_key"))
        return BackendChoice(
            name, values.get("model"), values.get("base_url"), values.get("api_key"), options, btype, by
        )
