"""Load level and campaign YAML into the model, reporting every problem with file:line:col.

The YAML is composed into nodes (which keep their source marks) and read node by node,
so each diagnostic points at the exact key or value. All problems of a file are
collected; nothing here raises on bad input except `load_story_or_raise`.
"""
from __future__ import annotations

import contextlib
import difflib
import gc
import re
from pathlib import Path
from typing import Any, Callable

import yaml

from game.story import expressions as ex
from game.story import questions, spec
from game.story.diagnostics import Diagnostic, LevelError
from game.story.model import (NARRATOR, Character, Choice, End, Goto, Intent, Level, Line, MinigameStep, Option,
                              Pos, Scene, Set, Story, Talk)

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALAR_TAGS: dict[tuple[str, bool], str] = {}


class Loader(_BaseLoader):
    """The C loader, with the implicit-tag lookup memoised for short scalars.

    Level files repeat the same keys (`text`, `goto`, `narrator`...) thousands of times,
    and resolving a tag is a Python call per scalar: the cache makes a 5,000-scene level
    load measurably faster (see benchmarks/load_levels.py). Only plain scalars go through
    the cache; the answer depends on nothing but the value.
    """

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and len(value) < 48:
            key = (value, implicit[0])
            tag = _SCALAR_TAGS.get(key)
            if tag is None:
                tag = _SCALAR_TAGS[key] = super().resolve(kind, value, implicit)
            return tag
        return super().resolve(kind, value, implicit)

    def descend_resolver(self, current_node, current_index):
        pass   # no path resolvers are registered: skip two Python calls per node

    def ascend_resolver(self):
        pass

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
BUILTIN_NAMES = {"player": "the player's name", "values": "the value profile (values.<dimension>)",
                 "visits": "how often each scene was entered (visits.<scene>)"}
STEP_HEADS = spec.STEP_HEADS
STEP_MODIFIERS = spec.STEP_MODIFIERS
ALL_MODIFIERS = sorted({m for ms in STEP_MODIFIERS.values() for m in ms})
LEVEL_KEYS = tuple(spec.LEVEL)
INCLUDE_KEYS = spec.INCLUDE_KEYS
CAMPAIGN_KEYS = tuple(spec.CAMPAIGN)
CHARACTER_KEYS = tuple(spec.CHARACTER)
INTENT_KEYS = tuple(spec.INTENT)
OPTION_KEYS = tuple(spec.OPTION)
TALK_KEYS = tuple(spec.TALK)
SCENE_KEYS = tuple(spec.SCENE)


def _type_name(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"'{node.value}'" if node.value != "" else "nothing"


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _construct(node: yaml.Node) -> Any:
    """Python data for a composed node, built by PyYAML's safe constructor (no re-parsing)."""
    constructor = yaml.SafeLoader("")
    return constructor.construct_document(node)


class _FileReader:
    """Reads one YAML file's nodes, collecting diagnostics."""

    def __init__(self, path: Path, display: str, diags: list[Diagnostic]) -> None:
        self.path = path
        self.file = display
        self.diags = diags

    # -------------------------------------------------------------- reporting
    def pos(self, node: yaml.Node) -> Pos:
        return Pos(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def error(self, node: yaml.Node, code: str, message: str, hint: str = "", column_shift: int = 0) -> None:
        p = self.pos(node)
        self.diags.append(Diagnostic(self.file, p.line, p.column + column_shift, code, message, hint))

    # -------------------------------------------------------------- structure
    def mapping(self, node: yaml.Node, what: str, allowed, required=(), hints: dict | None = None):
        """A mapping's keys -> (key_node, value_node); reports type, duplicate, unknown and missing keys."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, "TT0004", f"{what} should be a mapping of keys to values, found {_type_name(node)}")
            return None
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, "TT0004", f"keys in {what} should be plain names")
                continue
            key = key_node.value
            if key in out:
                first = out[key][0].start_mark.line + 1
                self.error(key_node, "TT0002", f"duplicate key '{key}' in {what} (first on line {first})",
                           "YAML keeps only the last of duplicate keys; rename or merge them")
                continue
            if allowed is not None and key not in allowed:
                hint = (hints or {}).get(key) or _suggest(key, allowed) or f"expected one of: {', '.join(allowed)}"
                self.error(key_node, "TT0003", f"unknown key '{key}' in {what}", hint)
                continue
            out[key] = (key_node, value_node)
        for key in required:
            if key not in out:
                self.error(node, "TT0005", f"{what} is missing '{key}'")
        return out

    def sequence(self, node: yaml.Node, what: str):
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, "TT0004", f"{what} should be a list, found {_type_name(node)}")
            return None
        return node.value

    def text(self, node: yaml.Node, what: str, allow_number: bool = True) -> str | None:
        if isinstance(node, yaml.ScalarNode) and (node.tag == "tag:yaml.org,2002:str" or node.style or allow_number):
            if node.value == "" and node.tag == "tag:yaml.org,2002:null":
                self.error(node, "TT0004", f"{what} should be text, found nothing")
                return None
            return node.value
        self.error(node, "TT0004", f"{what} should be text, found {_type_name(node)}")
        return None

    def name(self, node: yaml.Node, what: str) -> str | None:
        value = self.text(node, what)
        if value is not None and not NAME_RE.match(value):
            self.error(node, "TT0105", f"{what} '{value}' is not a valid name",
                       "names start with a letter and use letters, digits and _")
            return None
        return value

    def integer(self, node: yaml.Node, what: str, minimum: int = 0) -> int | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:int":
            value = _construct(node)
            if isinstance(value, int) and value >= minimum:
                return value
        self.error(node, "TT0004", f"{what} should be a whole number of at least {minimum}, found {_type_name(node)}")
        return None

    def data(self, node: yaml.Node) -> Any:
        """Plain YAML data (params, defaults, variable values); None, with a diagnostic, if it cannot be built."""
        try:
            return _construct(node)
        except (yaml.YAMLError, TypeError, ValueError) as exc:
            self.error(node, "TT0004", f"cannot read this value: {exc}")
            return None

    def texts(self, node: yaml.Node, what: str) -> list[tuple[yaml.Node, str]]:
        """A text or a list of texts."""
        if isinstance(node, yaml.ScalarNode):
            value = self.text(node, what)
            return [] if value is None else [(node, value)]
        items = self.sequence(node, f"{what} (text or a list of texts)") or []
        out = []
        for item in items:
            value = self.text(item, what)
            if value is not None:
                out.append((item, value))
        return out

    # -------------------------------------------------------------- expressions
    def _value_offset(self, node: yaml.Node) -> tuple[int, int]:
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            return 1, 0
        return 0, (1 if isinstance(node, yaml.ScalarNode) and node.style in ("'", '"') else 0)

    def _expr_error(self, node: yaml.Node, exc: ex.ExpressionError) -> None:
        dl, dc = self._value_offset(node)
        p = self.pos(node)
        self.diags.append(Diagnostic(self.file, p.line + dl, p.column + dc + exc.column, exc.code, exc.message, exc.hint))

    def expression(self, node: yaml.Node, refs: list) -> ex.Expression | None:
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, "TT0004", f"expected an expression, found {_type_name(node)}")
            return None
        raw: Any = node.value
        if node.tag == "tag:yaml.org,2002:bool":
            raw = node.value.lower() in ("true", "yes", "on")
        try:
            expr = ex.parse(raw)
        except ex.ExpressionError as exc:
            self._expr_error(node, exc)
            return None
        refs.append((self, node, expr))
        return expr

    def template(self, node: yaml.Node, value: str, refs: list) -> ex.Template | None:
        try:
            tpl = ex.template(value)
        except ex.ExpressionError as exc:
            self._expr_error(node, exc)
            return None
        for e in tpl.expressions:
            refs.append((self, node, e))
        return tpl


class _LevelBuilder:
    """Collects a level's parts across its included files, then checks references."""

    def __init__(self, root: Path, display: Callable[[Path], str], minigame_names: set[str] | None) -> None:
        self.root = root
        self.display = display
        self.diags: list[Diagnostic] = []
        self.files: list[str] = []
        self.vars: dict[str, Any] = {}
        self.var_pos: dict[str, Pos] = {}
        self.values: list[str] = []
        self.characters: dict[str, Character] = {}
        self.char_nodes: dict[str, tuple[_FileReader, yaml.Node]] = {}
        self.scene_nodes: list[tuple[_FileReader, yaml.Node, yaml.Node]] = []
        self.header: dict[str, Any] = {}
        self.minigame_names = minigame_names
        self.seen_files: set[Path] = set()

    # -------------------------------------------------------------- files
    def read_file(self, path: Path, *, top: bool, from_reader: _FileReader | None = None, from_node=None) -> None:
        path = path.resolve()
        display = self.display(path)
        if path in self.seen_files:
            if from_reader:
                from_reader.error(from_node, "TT0006", f"'{display}' is included twice (or includes itself)")
            return
        self.seen_files.add(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            if from_reader:
                from_reader.error(from_node, "TT0006", f"cannot include '{display}': {reason}")
            else:
                self.diags.append(Diagnostic(display, 1, 1, "TT0006", f"cannot read level file: {reason}"))
            return
        self.files.append(display)
        reader = _FileReader(path, display, self.diags)
        root = compose(text, display, self.diags)
        if root is None:
            return
        allowed = LEVEL_KEYS if top else INCLUDE_KEYS
        keys = reader.mapping(root, "a level file" if top else "an included file", allowed,
                              required=("level", "start") if top else (),
                              hints={"campaign": "this looks like a campaign file; load it as one"})
        if keys is None:
            return
        if top:
            self.header["pos"] = reader.pos(root)
            for key in ("level", "title", "start"):
                if key in keys:
                    self.header[key] = (reader, keys[key][1],
                                        reader.name(keys[key][1], f"'{key}'") if key != "title"
                                        else reader.text(keys[key][1], "'title'"))
        if "vars" in keys:
            self.read_vars(reader, keys["vars"][1])
        if "values" in keys:
            for node, value in reader.texts(keys["values"][1], "'values'"):
                if reader.name(node, "value dimension") and value not in self.values:
                    self.values.append(value)
        if "characters" in keys:
            self.read_characters(reader, keys["characters"][1])
        if "scenes" in keys:
            scenes = reader.mapping(keys["scenes"][1], "'scenes'", None)
            for sid, (knode, vnode) in (scenes or {}).items():
                self.scene_nodes.append((reader, knode, vnode))
        if "include" in keys:
            for node, rel in reader.texts(keys["include"][1], "'include'"):
                self.read_file(path.parent / rel, top=False, from_reader=reader, from_node=node)

    def read_vars(self, reader: _FileReader, node: yaml.Node) -> None:
        entries = reader.mapping(node, "'vars'", None)
        for name, (knode, vnode) in (entries or {}).items():
            if not NAME_RE.match(name):
                reader.error(knode, "TT0105", f"variable '{name}' is not a valid name",
                             "names start with a letter and use letters, digits and _")
                continue
            if name in BUILTIN_NAMES or name in ex.CONSTANTS or name in ex.FUNCTIONS:
                reader.error(knode, "TT0105", f"'{name}' is a built-in name and cannot be a variable")
                continue
            if name in self.vars:
                reader.error(knode, "TT0002", f"variable '{name}' is declared twice (first at {self.var_pos[name]})")
                continue
            value = reader.data(vnode)
            if not isinstance(value, (bool, int, float, str)) and value is not None:
                reader.error(vnode, "TT0004", f"variable '{name}' should start as a number, text or true/false")
                continue
            self.vars[name] = value
            self.var_pos[name] = reader.pos(knode)

    def read_characters(self, reader: _FileReader, node: yaml.Node) -> None:
        entries = reader.mapping(node, "'characters'", None)
        for cid, (knode, vnode) in (entries or {}).items():
            if not NAME_RE.match(cid) or cid == NARRATOR or cid in STEP_HEADS or cid in ALL_MODIFIERS:
                reader.error(knode, "TT0105", f"'{cid}' cannot be a character id",
                             "ids start with a letter; 'narrator' and step keywords are reserved")
                continue
            if cid in self.characters or cid in self.char_nodes:
                reader.error(knode, "TT0002", f"character '{cid}' is defined twice")
                continue
            self.char_nodes[cid] = (reader, vnode)

    def build_characters(self, refs: list) -> None:
        for cid, (reader, vnode) in self.char_nodes.items():
            keys = reader.mapping(vnode, f"character '{cid}'", CHARACTER_KEYS, required=("name",))
            if keys is None:
                continue
            get = lambda k: keys[k][1] if k in keys else None  # noqa: E731
            name = reader.text(get("name"), "'name'") if "name" in keys else cid
            color = "#d8d8e0"
            if "color" in keys:
                color = reader.text(get("color"), "'color'") or color
                if not re.match(r"^#[0-9a-fA-F]{6}$", color):
                    reader.error(get("color"), "TT0004", f"'color' should be like \"#7fd1ff\", found '{color}'")
                    color = "#d8d8e0"
            persona = reader.text(get("persona"), "'persona'") if "persona" in keys else ""
            backend = reader.text(get("backend"), "'backend'") if "backend" in keys else None
            model = reader.text(get("model"), "'model'") if "model" in keys else None
            fallback = tuple(t for n, v in (reader.texts(get("fallback"), "'fallback'") if "fallback" in keys else [])
                             if (t := reader.template(n, v, refs)))
            greeting = tuple(t for n, v in (reader.texts(get("greeting"), "'greeting'") if "greeting" in keys else [])
                             if (t := reader.template(n, v, refs)))
            secrets = tuple(v for _, v in (reader.texts(get("secrets"), "'secrets'") if "secrets" in keys else []))
            generated = False
            if "generated" in keys:
                generated = reader.data(get("generated")) is True
            intents = []
            for i, inode in enumerate(reader.sequence(get("intents"), "'intents'") or [] if "intents" in keys else []):
                ik = reader.mapping(inode, f"intent {i + 1} of '{cid}'", INTENT_KEYS, required=("match", "replies"))
                if not ik:
                    continue
                patterns = []
                for pnode, pat in reader.texts(ik["match"][1], "'match'") if "match" in ik else []:
                    if pat.startswith("re:"):
                        try:
                            re.compile(pat[3:], re.IGNORECASE)
                        except re.error as exc:
                            reader.error(pnode, "TT0201", f"bad regular expression: {exc}")
                            continue
                    patterns.append(pat)
                replies = tuple(t for n, v in (reader.texts(ik["replies"][1], "'replies'") if "replies" in ik else [])
                                if (t := reader.template(n, v, refs)))
                nudges = []
                if "values" in ik:
                    vmap = reader.mapping(ik["values"][1], "intent 'values'", None) or {}
                    for dim, (dk, dv) in vmap.items():
                        if not NAME_RE.match(dim):
                            reader.error(dk, "TT0105", f"'{dim}' is not a valid value dimension name")
                            continue
                        val = reader.data(dv)
                        if not isinstance(val, (int, float)) or isinstance(val, bool) or not -1 <= val <= 1:
                            reader.error(dv, "TT0004", f"value nudge for '{dim}' should be a number from -1 to 1")
                            continue
                        nudges.append((dim, float(val)))
                        refs.append((reader, dk, ex.parse(f"values.{dim}")))
                iname = reader.text(ik["name"][1], "'name'") if "name" in ik else f"intent{i + 1}"
                intents.append(Intent(iname or f"intent{i + 1}", tuple(patterns), replies, tuple(nudges),
                                      reader.pos(inode)))
            self.characters[cid] = Character(cid, name or cid, color, persona or "", backend, model, fallback,
                                             greeting, tuple(intents), secrets, generated, reader.pos(vnode))

    # -------------------------------------------------------------- steps
    def read_effects(self, reader: _FileReader, node: yaml.Node, refs: list, sets: list) -> tuple:
        entries = reader.mapping(node, "'set'", None)
        out = []
        for name, (knode, vnode) in (entries or {}).items():
            expr = reader.expression(vnode, refs)
            sets.append((reader, knode, name))
            if expr is not None:
                out.append((name, expr))
        return tuple(out)

    def read_step(self, reader: _FileReader, node: yaml.Node, refs, gotos, sets, stores):
        if not isinstance(node, yaml.MappingNode):
            hint = "a line is written `- narrator: text` or `- character_id: text`"
            reader.error(node, "TT0004", f"a step should be a mapping, found {_type_name(node)}", hint)
            return None
        keys = reader.mapping(node, "a step", None)
        if keys is None:
            return None
        heads = [k for k in keys if k not in ALL_MODIFIERS]
        if not heads:
            if "if" in keys:
                reader.error(node, "TT0005", "an `if:` step needs a `goto:` (or guard a line, choice or other step)")
            else:
                reader.error(node, "TT0005", "empty step")
            return None
        if len(heads) > 1:
            reader.error(keys[heads[1]][0], "TT0007",
                         f"one step per list item: '{heads[0]}' and '{heads[1]}' are both here",
                         "start a new item with '- ' for each step")
            return None
        head = heads[0]
        kind = head if head in STEP_HEADS else "line"
        allowed = STEP_MODIFIERS[kind]
        for k, (knode, _) in keys.items():
            if k != head and k not in allowed:
                reader.error(knode, "TT0003", f"'{k}' does not belong on a {kind} step",
                             f"a {kind} step takes: {', '.join(allowed) or 'nothing else'}")
        pos = reader.pos(node)
        guard = reader.expression(keys["if"][1], refs) if "if" in keys else None
        hnode = keys[head][1]
        if kind == "line":
            if head != NARRATOR and head not in self.characters and head not in self.char_nodes:
                hint = _suggest(head, [*self.char_nodes, NARRATOR, *STEP_HEADS]) or \
                    "declare the speaker under `characters:` (or use `narrator`)"
                reader.error(keys[head][0], "TT0102", f"unknown speaker '{head}'", hint)
                return None
            value = reader.text(hnode, f"what {head} says")
            if value is None:
                return None
            tpl = reader.template(hnode, value, refs)
            generate = bool(reader.data(keys["generate"][1])) if "generate" in keys else False
            return Line(pos, guard, head, tpl, generate) if tpl else None
        if kind == "goto":
            target = reader.text(hnode, "'goto'")
            if target is None:
                return None
            gotos.append((reader, hnode, target))
            return Goto(pos, guard, target)
        if kind == "set":
            return Set(pos, guard, self.read_effects(reader, hnode, refs, sets))
        if kind == "choice":
            options = []
            for onode in reader.sequence(hnode, "'choice'") or []:
                ok = reader.mapping(onode, "a choice option", OPTION_KEYS, required=("text",))
                if not ok or "text" not in ok:
                    continue
                text = reader.text(ok["text"][1], "option text")
                tpl = reader.template(ok["text"][1], text, refs) if text is not None else None
                oguard = reader.expression(ok["if"][1], refs) if "if" in ok else None
                effects = self.read_effects(reader, ok["set"][1], refs, sets) if "set" in ok else ()
                target = None
                if "goto" in ok:
                    target = reader.text(ok["goto"][1], "'goto'")
                    if target is not None:
                        gotos.append((reader, ok["goto"][1], target))
                if tpl:
                    options.append(Option(tpl, oguard, effects, target, reader.pos(onode),
                                          reader.pos(ok["if"][1]) if "if" in ok else None))
            if isinstance(hnode, yaml.SequenceNode) and not hnode.value:
                reader.error(hnode, "TT0005", "a choice needs at least one option")
            prompt = None
            if "prompt" in keys:
                ptext = reader.text(keys["prompt"][1], "'prompt'")
                prompt = reader.template(keys["prompt"][1], ptext, refs) if ptext is not None else None
            return Choice(pos, guard, tuple(options), prompt)
        if kind == "talk":
            tk = reader.mapping(hnode, "'talk'", TALK_KEYS, required=("with",))
            if tk is None or "with" not in tk:
                return None
            who = reader.text(tk["with"][1], "'with'")
            if who is not None and who not in self.char_nodes:
                reader.error(tk["with"][1], "TT0102", f"unknown character '{who}' in talk",
                             _suggest(who, self.char_nodes) or "declare it under `characters:`")
                return None
            turns = reader.integer(tk["turns"][1], "'turns'", 1) if "turns" in tk else 3
            goal = reader.text(tk["goal"][1], "'goal'") if "goal" in tk else ""
            measures = []
            for mnode, m in reader.texts(tk["measures"][1], "'measures'") if "measures" in tk else []:
                if m not in self.values:
                    reader.error(mnode, "TT0205", f"'{m}' is not one of the level's value dimensions",
                                 f"declare it under `values:` (now: {', '.join(self.values) or 'none'})")
                else:
                    measures.append(m)
            asks = questions.read(reader, tk["questions"][1], measures, refs) if "questions" in tk else ()
            store = reader.name(tk["as"][1], "'as'") if "as" in tk else None
            if store:
                stores.append((reader, tk["as"][1], store, "talk", None))
            return Talk(pos, guard, who, turns or 3, goal or "", tuple(measures), tuple(q.text for q in asks), store,
                        asks)
        if kind == "minigame":
            name = reader.text(hnode, "'minigame'")
            if name is None:
                return None
            if self.minigame_names is not None and name not in self.minigame_names:
                reader.error(hnode, "TT0104", f"unknown minigame '{name}'",
                             _suggest(name, self.minigame_names) or f"known: {', '.join(sorted(self.minigame_names))}")
            params = reader.data(keys["params"][1]) if "params" in keys else {}
            if not isinstance(params, dict):
                reader.error(keys["params"][1], "TT0004", "'params' should be a mapping")
                params = {}
            default = reader.data(keys["default"][1]) if "default" in keys else {}
            if not isinstance(default, dict):
                reader.error(keys["default"][1], "TT0004", "'default' should be a mapping of result fields")
                default = {}
            store = reader.name(keys["as"][1], "'as'") if "as" in keys else name
            if store:
                stores.append((reader, keys["as"][1] if "as" in keys else hnode, store, "minigame", name))
            return MinigameStep(pos, guard, name, params, store or name, default)
        if kind == "end":
            ending = reader.name(hnode, "ending id")
            title = text = None
            if "title" in keys:
                t = reader.text(keys["title"][1], "'title'")
                title = reader.template(keys["title"][1], t, refs) if t is not None else None
            if "text" in keys:
                t = reader.text(keys["text"][1], "'text'")
                text = reader.template(keys["text"][1], t, refs) if t is not None else None
            return End(pos, guard, ending, title, text) if ending else None
        return None

    # -------------------------------------------------------------- assemble
    def build(self) -> Level | None:
        refs: list = []       # (reader, node, Expression) for every expression read
        gotos: list = []      # (reader, node, target)
        sets: list = []       # (reader, key node, variable)
        stores: list = []     # (reader, node, name, kind, minigame name)
        self.build_characters(refs)
        scenes: dict[str, Scene] = {}
        for reader, knode, vnode in self.scene_nodes:
            sid = knode.value
            if not NAME_RE.match(sid):
                reader.error(knode, "TT0105", f"scene id '{sid}' is not a valid name",
                             "names start with a letter and use letters, digits and _")
                continue
            if sid in scenes:
                reader.error(knode, "TT0103", f"scene '{sid}' is defined twice (first at {scenes[sid].pos})")
                continue
            background = title = None
            steps_node = vnode
            if isinstance(vnode, yaml.MappingNode):
                sk = reader.mapping(vnode, f"scene '{sid}'", SCENE_KEYS, required=("steps",))
                if not sk or "steps" not in sk:
                    continue
                steps_node = sk["steps"][1]
                if "background" in sk:
                    background = reader.text(sk["background"][1], "'background'")
                if "title" in sk:
                    title = reader.text(sk["title"][1], "'title'")
            items = reader.sequence(steps_node, f"scene '{sid}' (a list of steps)")
            if items is None:
                continue
            steps = tuple(s for item in items if (s := self.read_step(reader, item, refs, gotos, sets, stores)))
            scenes[sid] = Scene(sid, steps, reader.pos(knode), background, title)
        # references
        level_id = start = title = None
        if "level" in self.header:
            level_id = self.header["level"][2]
        if "title" in self.header:
            title = self.header["title"][2]
        if "start" in self.header:
            reader, node, start = self.header["start"]
            if start and start not in scenes and self.scene_nodes:
                reader.error(node, "TT0101", f"start scene '{start}' does not exist",
                             _suggest(start, scenes) or f"scenes: {', '.join(list(scenes)[:8])}")
        if not self.scene_nodes and self.header:
            self.diags.append(Diagnostic(self.files[0], 1, 1, "TT0005", "the level has no scenes",
                                         "add a `scenes:` mapping"))
        for reader, node, target in gotos:
            if target not in scenes:
                reader.error(node, "TT0101", f"goto to unknown scene '{target}'",
                             _suggest(target, scenes) or "check the scene ids under `scenes:`")
        known = set(self.vars) | set(BUILTIN_NAMES)
        store_kinds: dict[str, tuple[str, str | None]] = {}
        for reader, node, name, kind, mg in stores:
            if name in self.vars or name in BUILTIN_NAMES:
                reader.error(node, "TT0105", f"'{name}' is already a variable; store the result under another name")
                continue
            store_kinds.setdefault(name, (kind, mg))
        known |= set(store_kinds)
        for reader, knode, name in sets:
            if name not in self.vars:
                hint = _suggest(name, self.vars) or f"declare it under `vars:`, e.g. `vars: {{{name}: 0}}`"
                reader.error(knode, "TT0203", f"'{name}' is set but not declared", hint)
        field_cache: dict[str, set[str] | None] = {}
        for reader, node, expr in refs:
            for name in sorted(expr.names):
                if name not in known:
                    hint = _suggest(name, known)
                    if not hint:
                        hint = (f"declare it under `vars:`; for text, quote it: '\"{name}\"'")
                    dl, dc = reader._value_offset(node)
                    p = reader.pos(node)
                    reader.diags.append(Diagnostic(reader.file, p.line + dl, p.column + dc + expr.column_of(name),
                                                   "TT0203", f"undefined variable '{name}' in '{expr.source}'", hint))
            for record, fld, _col in expr.fields:
                allowed = None
                if record == "values":
                    allowed = set(self.values)
                elif record == "visits":
                    allowed = set(scenes)
                elif record in store_kinds and store_kinds[record][0] == "minigame":
                    mg = store_kinds[record][1]
                    if mg not in field_cache:
                        from game import minigames
                        info = minigames.info(mg) if self.minigame_names is None or mg in self.minigame_names else None
                        field_cache[mg] = set(info.result_fields) if info else None
                    allowed = field_cache[mg]
                elif record in store_kinds and store_kinds[record][0] == "talk":
                    allowed = set(self.values) | {"turns", "summary"}
                elif record in self.vars:
                    reader.error(node, "TT0205", f"'{record}' is a plain variable and has no field '{fld}'")
                    continue
                if allowed is not None and fld not in allowed:
                    reader.error(node, "TT0205", f"'{record}' has no field '{fld}'",
                                 _suggest(fld, allowed) or f"fields: {', '.join(sorted(allowed)) or 'none'}")
        if any(d.severity == "error" for d in self.diags) or not level_id or not start:
            return None
        return Level(level_id, title or level_id, start, self.files[0], dict(self.vars), tuple(self.values),
                     dict(self.characters), scenes, tuple(self.files), self.header.get("pos"), dict(self.var_pos))


def compose(text: str, display: str, diags: list[Diagnostic]) -> yaml.Node | None:
    """YAML text -> node tree, or a TT0001 diagnostic at the place the parser stopped."""
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        ctx = f" ({exc.context})" if exc.context else ""
        hint = "check indentation and that text containing ': ' or '#' is quoted"
        diags.append(Diagnostic(display, line, col, "TT0001", f"{problem}{ctx}", hint))
        return None
    except yaml.YAMLError as exc:
        diags.append(Diagnostic(display, 1, 1, "TT0001", str(exc)))
        return None
    if node is None:
        diags.append(Diagnostic(display, 1, 1, "TT0005", "the file is empty"))
    return node


def _display_path(path: Path) -> str:
    """Paths in messages are relative to the working directory when they can be."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _minigame_names() -> set[str]:
    from game import minigames

    return set(minigames.available())


@contextlib.contextmanager
def _gc_paused():
    """Loading builds ~30 objects per scene and drops almost none of them; the cyclic
    collector would rescan the growing heap again and again (a third of a large level's
    load time), so it waits until the load is over."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_level(path: str | Path) -> tuple[Level | None, list[Diagnostic]]:
    """Load one level file (with its includes). Returns the level (None on errors) and all diagnostics."""
    with _gc_paused():
        return _load_level(path)


def _load_level(path: str | Path) -> tuple[Level | None, list[Diagnostic]]:
    path = Path(path)
    builder = _LevelBuilder(path.parent, _display_path, _minigame_names())
    builder.read_file(path, top=True)
    level = builder.build() if builder.files else None
    return level, sorted(set(builder.diags))


def is_campaign(path: str | Path) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return re.search(r"^campaign\s*:", head, re.MULTILINE) is not None


def load_campaign(path: str | Path) -> tuple[Story | None, list[Diagnostic]]:
    path = Path(path)
    display = _display_path(path)
    diags: list[Diagnostic] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Diagnostic(display, 1, 1, "TT0006", f"cannot read campaign file: {exc}")]
    root = compose(text, display, diags)
    if root is None:
        return None, diags
    reader = _FileReader(path, display, diags)
    keys = reader.mapping(root, "a campaign file", CAMPAIGN_KEYS, required=("campaign", "levels"))
    if not keys or "campaign" not in keys or "levels" not in keys:
        return None, sorted(set(diags))
    cid = reader.name(keys["campaign"][1], "'campaign'")
    title = reader.text(keys["title"][1], "'title'") if "title" in keys else cid
    cvars = {}
    if "vars" in keys:
        cvars = reader.data(keys["vars"][1]) or {}
        if not isinstance(cvars, dict):
            reader.error(keys["vars"][1], "TT0004", "'vars' should be a mapping")
            cvars = {}
    levels = []
    ids = set()
    for node, rel in reader.texts(keys["levels"][1], "'levels'"):
        level_path = path.parent / rel
        if not level_path.is_file():
            reader.error(node, "TT0006", f"level file '{rel}' does not exist")
            continue
        level, level_diags = load_level(level_path)
        diags.extend(level_diags)
        if level:
            if level.id in ids:
                reader.error(node, "TT0103", f"level id '{level.id}' appears twice in the campaign")
            ids.add(level.id)
            levels.append(level)
    diags = sorted(set(diags))
    if any(d.severity == "error" for d in diags) or not cid:
        return None, diags
    return Story(cid, title or cid, tuple(levels), display, cvars), diags


def load_story(path: str | Path) -> tuple[Story | None, list[Diagnostic]]:
    """A campaign file, or a single level file wrapped as a one-level story."""
    if is_campaign(path):
        return load_campaign(path)
    level, diags = load_level(path)
    if level is None:
        return None, diags
    return Story(level.id, level.title, (level,), level.file), diags


def load_story_or_raise(path: str | Path) -> Story:
    story, diags = load_story(path)
    if story is None:
        raise LevelError([d for d in diags if d.severity == "error"] or diags)
    return story
