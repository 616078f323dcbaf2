"""The compiled level cache: a loaded level kept as plain JSON, so the next load skips YAML.

Each level file (with its includes) has one entry in the user cache dir
(`platformdirs.user_cache_dir("treacherous-turn")/levels/`, or $TT_CACHE_DIR), named by
the file's path. An entry records the SHA-256 of every file the level was read from and
the engine's version (the package version, this format's number and the registered step
types); it is used only when all of them still match, so an edit, an upgrade or a plugin
step type rebuilds it. A damaged or foreign entry is rebuilt silently. The format is data
only: JSON with tagged objects (no pickle, no code); expressions and texts are stored as
their source and compiled again when read (each distinct text once). Levels with errors
are never cached: their diagnostics come from the loader every time.

    {"format": "tt-level-cache", "engine": "...", "sources": [[path, sha256], ...],
     "files": [path, ...], "level": <tagged level>}

Tags: {"$c": class, "f": [fields...], "r": 1 when the step draws on the RNG},
{"$p": [file index, line, column]}, {"$e": expression source}, {"$t": text source},
{"$l": [...]} a list, {"$d": [[key, value], ...]} a mapping; a JSON array is a tuple.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from game.story import expressions as ex
from game.story import loader
from game.story import steps as step_registry
from game.story.diagnostics import Diagnostic
from game.story.model import Character, Intent, Level, Pos, Scene, Story

FORMAT = "tt-level-cache"
FORMAT_VERSION = 1


def enabled(flag: bool | None) -> bool:
    """An explicit True/False wins; otherwise the cache is on unless TT_LEVEL_CACHE is "0"."""
    if flag is not None:
        return flag
    return os.environ.get("TT_LEVEL_CACHE", "1") != "0"


def engine_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = version("treacherous-turn")
    except PackageNotFoundError:
        package = "source"
    # A step type's fields are part of the key: a step that gains one (talk's `asks`) rebuilds old entries.
    kinds = ",".join(f"{t.name}={t.__module__}.{t.__qualname__}({','.join(f.name for f in dataclasses.fields(t))})"
                     for t in step_registry.types())
    return f"{package}/{FORMAT_VERSION}/{hashlib.sha256(kinds.encode()).hexdigest()[:12]}"


def cache_folder() -> Path:
    from game.paths import cache_dir

    folder = cache_dir() / "levels"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def entry_path(level_file: Path) -> Path:
    real = os.path.realpath(level_file)
    return cache_folder() / (hashlib.sha256(real.encode("utf-8")).hexdigest()[:32] + ".json")


# ---------------------------------------------------------------- loading through the cache

def load_story(path: str | Path) -> tuple[Story | None, list[Diagnostic]]:
    if loader.is_campaign(path):
        return loader.load_campaign(path, level_loader=load_level)
    level, diags = load_level(path)
    if level is None:
        return None, diags
    return Story(level.id, level.title, (level,), level.file, {}, level.files), diags


def load_level(path: str | Path) -> tuple[Level | None, list[Diagnostic]]:
    path = Path(path)
    try:
        target = entry_path(path)
    except OSError:
        return loader.load_level(path)         # no cache dir to be had: load from the source
    level = read_entry(target)
    if level is not None:
        return level, []
    level, diags = loader.load_level(path)
    if level is not None and not diags:
        write_entry(target, level)
    return level, diags


def read_entry(target: Path) -> Level | None:
    """The cached level, if the entry is sound and every source file still has its hash; else None."""
    try:
        with open(target, "rb") as fh:
            data = json.loads(fh.read())
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("engine") != engine_version():
            return None
        for source, digest in data["sources"]:
            with open(source, "rb") as fh:
                if hashlib.sha256(fh.read()).hexdigest() != digest:
                    return None
        return _Decoder(data["files"]).level(data["level"])
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, ex.ExpressionError,
            RecursionError):
        return None       # missing, stale, damaged or foreign: rebuilt by the caller


def write_entry(target: Path, level: Level) -> None:
    from game.paths import atomic_write_text

    encoder = _Encoder()
    try:
        body = {"format": FORMAT, "engine": engine_version(), "sources": [list(s) for s in level.sources],
                "level": encoder.value(level)}
        body["files"] = encoder.files
        atomic_write_text(target, json.dumps(body, ensure_ascii=False, separators=(",", ":")))
    except (OSError, TypeError, ValueError):
        pass              # a cache that cannot be written is only slower next time


# ---------------------------------------------------------------- the format

def _classes() -> dict[str, type]:
    out = {c.__name__: c for c in (Level, Scene, Character, Intent)}
    from game.story.steps.choice import Option
    from game.story.questions import Question

    out["Option"] = Option
    out[f"{Question.__module__}.{Question.__qualname__}"] = Question
    for t in step_registry.types():
        out[f"{t.__module__}.{t.__qualname__}"] = t
    return out


class _Encoder:
    def __init__(self) -> None:
        self.files: list[str] = []
        self._file_index: dict[str, int] = {}

    def _file(self, name: str) -> int:
        i = self._file_index.get(name)
        if i is None:
            i = self._file_index[name] = len(self.files)
            self.files.append(os.path.abspath(name))
        return i

    def value(self, v: Any) -> Any:
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, Pos):
            return {"$p": [self._file(v.file), v.line, v.column]}
        if isinstance(v, tuple):
            return [self.value(x) for x in v]
        if isinstance(v, list):
            return {"$l": [self.value(x) for x in v]}
        if isinstance(v, dict):
            return {"$d": [[self.value(k), self.value(x)] for k, x in v.items()]}
        if isinstance(v, ex.Expression):
            return {"$e": v.source}
        if isinstance(v, ex.Template):
            return {"$t": v.source}
        if dataclasses.is_dataclass(v):
            cls = type(v)
            name = cls.__name__ if cls in (Level, Scene, Character, Intent) or cls.__name__ == "Option" \
                else f"{cls.__module__}.{cls.__qualname__}"
            fields = [self.value(getattr(v, f.name)) for f in dataclasses.fields(v) if f.init]
            out = {"$c": name, "f": fields}
            if getattr(v, "draws", False):
                out["r"] = 1
            return out
        raise TypeError(f"cannot cache a {type(v).__name__}")


class _Decoder:
    def __init__(self, files: list[str]) -> None:
        self.files = [loader._display_path(Path(f)) for f in files]
        self.classes = _classes()

    def level(self, data) -> Level:
        level = self.value(data)
        if not isinstance(level, Level):
            raise TypeError("the entry holds no level")
        for sid, scene in level.scenes.items():
            loader.finish_scene(sid, scene.steps, draws=False)
        return level

    def value(self, v: Any) -> Any:
        if isinstance(v, list):
            return tuple(self.value(x) for x in v)
        if not isinstance(v, dict):
            return v
        if "$t" in v:
            return ex.template(v["$t"])
        if "$p" in v:
            f, line, col = v["$p"]
            return Pos(self.files[f], line, col)
        if "$c" in v:
            obj = self.classes[v["$c"]](*[self.value(x) for x in v["f"]])
            if "r" in v:
                obj.draws = True
            return obj
        if "$e" in v:
            return ex.parse(v["$e"])
        if "$l" in v:
            return [self.value(x) for x in v["$l"]]
        if "$d" in v:
            return {self.value(k): self.value(x) for k, x in v["$d"]}
        raise ValueError(f"unknown tag in {sorted(v)[:3]}")
