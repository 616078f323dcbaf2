"""The compiled level cache: a loaded level kept as plain JSON, so the next load skips YAML.

Each level file (with its includes) has one entry in the user cache dir
(`platformdirs.user_cache_dir("treacherous-turn")/levels/`, or $TT_CACHE_DIR), named by
the file's path. An entry records the SHA-256 of every file the level was read from and
the engine's version (the package version, this format's number, and a fingerprint of the
code that reads levels and of every registered step type); it is used only when all of them
still match, so an edit, an upgrade or a plugin step type rebuilds it. A damaged or foreign
entry is rebuilt silently: the body carries its own SHA-256 in the header line, so damage
is found when the entry is read, not when a scene is first played. The format is data only
(JSON; no pickle, no code); expressions and texts are stored as their source and compiled
again when read (each distinct text once). Levels with errors are never cached: their
diagnostics come from the loader every time.

Scenes are kept packed (their rows) until first needed (model.Scene.steps), and the level's
machine gives a packed scene its transitions when it is first reached (StoryMachine.ensure):
reading an entry costs little more than parsing its JSON.

    line 1: {"format": "tt-level-cache", "engine": "...", "digest": sha256 of the body}
    body:   {"sources": [[path, sha256], ...], "files": [path, ...], "texts": "...",
             "lengths": [...], "body": {"level": [...], "scenes": [...]}}   (see below)
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
from game.story.steps import Step

FORMAT = "tt-level-cache"
FORMAT_VERSION = 2


def enabled(flag: bool | None) -> bool:
    """An explicit True/False wins; otherwise the cache is on unless TT_LEVEL_CACHE is "0"."""
    if flag is not None:
        return flag
    return os.environ.get("TT_LEVEL_CACHE", "1") != "0"


_ENGINE: list[str] = []


def engine_version() -> str:
    """The package version, this format, and a fingerprint of the code that reads levels: the
    story package's modules and every registered step type's (size and modification time), so
    an edited engine or a plugin step type never reads an entry written by another."""
    import game

    kinds = sorted({t.__module__ for t in step_registry.types()} | {"game.story.loader", "game.story.expressions"})
    parts = [game.__version__, str(FORMAT_VERSION)]
    for name in kinds:
        module = __import__("sys").modules.get(name)
        path = getattr(module, "__file__", None)
        try:
            st = os.stat(path) if path else None
        except OSError:
            st = None
        parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}" if st else f"{name}:?")
    for path in sorted(Path(__file__).parent.glob("*.py")) + sorted((Path(__file__).parent / "steps").glob("*.py")):
        st = path.stat()
        parts.append(f"{path.name}:{st.st_size}:{st.st_mtime_ns}")
    key = "|".join(parts)
    if not _ENGINE or _ENGINE[0] != key:
        _ENGINE[:] = [key, f"{game.__version__}/{FORMAT_VERSION}/{hashlib.sha256(key.encode()).hexdigest()[:16]}"]
    return _ENGINE[1]


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
        return loader.load_level(path)  # no cache dir to be had: load from the source
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
            raw = fh.read()
        head, _, body = raw.partition(b"\n")
        header = json.loads(head)
        if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("engine") != engine_version():
            return None
        # Scenes are unpacked only when first played: a damaged body must be caught now, not then.
        if hashlib.sha256(body).hexdigest() != header.get("digest"):
            return None
        data = json.loads(body)
        for source, digest in data["sources"]:
            with open(source, "rb") as fh:
                if hashlib.sha256(fh.read()).hexdigest() != digest:
                    return None
        from game.story import collector

        with collector.paused():
            level = _Decoder(data["files"], data["texts"], data["lengths"]).level(data["body"])
        return dataclasses.replace(level, sources=tuple(tuple(s) for s in data["sources"]))
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, ex.ExpressionError, RecursionError):
        return None  # missing, stale, damaged or foreign: rebuilt by the caller


def write_entry(target: Path, level: Level) -> None:
    encoder = _Encoder()
    try:
        body: dict[str, Any] = {"sources": [list(s) for s in level.sources], "body": encoder.level(level)}
        body["files"] = encoder.files
        body["texts"] = "".join(encoder.texts)
        body["lengths"] = [len(t) for t in encoder.texts]
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        header = json.dumps({"format": FORMAT, "engine": engine_version(), "digest": hashlib.sha256(data).hexdigest()})
        from game.paths import atomic_write_bytes

        atomic_write_bytes(target, header.encode("utf-8") + b"\n" + data)
    except (OSError, TypeError, ValueError):
        pass  # a cache that cannot be written is only slower next time


# ---------------------------------------------------------------- the format
#
# {"format", "engine", "sources", "files": [path...], "texts": "all texts, one after another",
#  "lengths": [length of each text...], "level": [id, title, start, file index, vars, values,
#  characters, var_pos, header pos], "scenes": [[id, pos..., background, title, [step rows]]...]}
# A step row is [type, file, line, column, guard, draws, fields...]; texts, expressions and templates
# are indexes of the string table (-1 for none); each step type packs its own fields (Step.pack).


def _type_names() -> dict[type, str]:
    return {t: f"{t.__module__}.{t.__qualname__}" for t in step_registry.types()}


class _Encoder:
    def __init__(self) -> None:
        self.files: list[str] = []
        self._file_index: dict[str, int] = {}
        self.texts: list[str] = []
        self._text_index: dict[str, int] = {}
        self.types = _type_names()

    def file(self, name: str) -> int:
        i = self._file_index.get(name)
        if i is None:
            i = self._file_index[name] = len(self.files)
            self.files.append(os.path.abspath(name))
        return i

    def pos(self, p: Pos | None) -> tuple[Any, ...]:
        return (self.file(p.file), p.line, p.column) if p is not None else (-1, 0, 0)

    def text(self, t: str) -> int:
        i = self._text_index.get(t)
        if i is None:
            i = self._text_index[t] = len(self.texts)
            self.texts.append(t)
        return i

    def expr(self, e: ex.Expression | None) -> int:
        return -1 if e is None else self.text(e.source)

    def template(self, t: ex.Template | None) -> int:
        return -1 if t is None else self.text(t.source)

    def value(self, v: Any) -> Any:
        """Anything else a step holds, tagged (plugin step types' default `pack`)."""
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, Pos):
            return {"$p": list(self.pos(v))}
        if isinstance(v, ex.Template):
            return {"$t": self.template(v)}
        if isinstance(v, ex.Expression):
            return {"$e": self.expr(v)}
        if isinstance(v, tuple):
            return [self.value(x) for x in v]
        if isinstance(v, list):
            return {"$l": [self.value(x) for x in v]}
        if isinstance(v, dict):
            return {"$d": [[self.value(k), self.value(x)] for k, x in v.items()]}
        if dataclasses.is_dataclass(v) and type(v) in (Character, Intent):
            return {"$c": type(v).__name__, "f": [self.value(getattr(v, f.name)) for f in dataclasses.fields(v)]}
        raise TypeError(f"cannot cache a {type(v).__name__}")

    def step(self, st: Step) -> list[Any]:
        return [self.types[type(st)], *self.pos(st.pos), self.expr(st.guard), 1 if st.draws else 0, *st.pack(self)]

    def level(self, level: Level) -> dict[str, Any]:
        scenes = [
            [sid, *self.pos(sc.pos), sc.background, sc.title, [self.step(st) for st in sc.steps]]
            for sid, sc in level.scenes.items()
        ]
        head = [
            level.id,
            level.title,
            level.start,
            self.file(level.file),
            self.value(level.vars),
            list(level.values),
            self.value(level.characters),
            self.value(level.var_pos),
            list(self.pos(level.pos)),
            [self.file(f) for f in level.files],
        ]
        return {"level": head, "scenes": scenes}


class _Decoder:
    def __init__(self, files: list[str], texts: str, lengths: list[int]) -> None:
        self.files = [loader._display_path(Path(f)) for f in files]
        out = []
        at = 0
        for n in lengths:
            out.append(texts[at : at + n])
            at += n
        if at != len(texts):
            raise ValueError("the string table does not add up")
        self.texts = out
        self.classes = {f"{t.__module__}.{t.__qualname__}": t for t in step_registry.types()}
        self.data_classes = {"Character": Character, "Intent": Intent}

    def pos(self, f: int, line: int, column: int) -> Pos | None:
        return Pos(self.files[f], line, column) if f >= 0 else None

    def text(self, i: int) -> str:
        return self.texts[i]

    def expr(self, i: int) -> ex.Expression | None:
        return ex.parse(self.texts[i]) if i >= 0 else None

    def template(self, i: int) -> ex.Template | None:
        return ex.template(self.texts[i]) if i >= 0 else None

    def value(self, v: Any) -> Any:
        if isinstance(v, list):
            return tuple(self.value(x) for x in v)
        if not isinstance(v, dict):
            return v
        if "$t" in v:
            return self.template(v["$t"])
        if "$e" in v:
            return self.expr(v["$e"])
        if "$p" in v:
            return self.pos(*v["$p"])
        if "$l" in v:
            return [self.value(x) for x in v["$l"]]
        if "$d" in v:
            return {self.value(k): self.value(x) for k, x in v["$d"]}
        if "$c" in v:
            return self.data_classes[v["$c"]](*[self.value(x) for x in v["f"]])
        raise ValueError(f"unknown tag in {sorted(v)[:3]}")

    def steps(self, sid: str, rows: list[Any]) -> tuple[Any, ...]:
        classes, texts, files_ = self.classes, self.texts, self.files
        parse = ex.parse
        built: list[Step] = []
        for row in rows:
            kind, sf, sl, sc, guard, draws = row[:6]
            step = classes[kind].unpack(
                self, Pos(files_[sf], sl, sc), parse(texts[guard]) if guard >= 0 else None, row[6:]
            )
            if draws:
                step.draws = True
            built.append(step)
        steps = tuple(built)
        loader.finish_scene(sid, steps, draws=False)
        return steps

    def level(self, data: dict[str, Any]) -> Level:
        lid, title, start, file, vars_, values, characters, var_pos, pos, files = data["level"]
        files_ = self.files
        unpack = self.steps
        scenes = {}
        for sid, f, line, col, background, title_, rows in data["scenes"]:
            scenes[sid] = Scene(sid, None, Pos(files_[f], line, col), background, title_, (unpack, rows))
        return Level(
            lid,
            title,
            start,
            self.files[file],
            self.value(vars_),
            tuple(values),
            self.value(characters),
            scenes,
            tuple(self.files[i] for i in files),
            self.pos(*pos),
            self.value(var_pos),
            (),
        )
