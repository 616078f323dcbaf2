"""Load level and campaign YAML into the model, reporting every problem with file:line:col.

The YAML is composed into nodes (which keep their source marks) and read node by node,
so each diagnostic points at the exact key or value. All problems of a file are
collected; nothing here raises on bad input except `load_story_or_raise`.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import stat
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import yaml

from game import yamlsafe
from game.story import expressions as ex
from game.story import spec
from game.story import steps as step_registry
from game.story.diagnostics import Diagnostic, LevelError
from game.story.model import NARRATOR, Character, Intent, Level, Pos, Scene, Story

if TYPE_CHECKING:
    from game.story.steps import Step

MAX_FILE_BYTES = 32 * 2**20  # a level file (or include) larger than this is refused: 5,000 scenes are 3 MB
MAX_LEVELS = 200  # levels in one campaign

if TYPE_CHECKING:
    _BaseLoader = yaml.SafeLoader
else:
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALAR_TAGS: dict[str, str] = {}  # plain scalar -> its implicit tag


class Loader(_BaseLoader):
    """The C loader, with each node's tag resolved only when the reader asks for it.

    The C composer asks the loader for every node's tag, a Python call per node (145,000 for
    a 5,000-scene level), though the reader looks at the tag of few of them (a value read as
    text, a number, a flag). Bound to the builtin `slice`, the question costs no Python frame:
    the node keeps its arguments as `slice(kind, value, implicit)` and `tag_of` answers it the
    first time it is needed (a third of compose time on a large level: benchmarks/load_levels.py).
    """

    def __init__(self, stream: str | bytes) -> None:
        super().__init__(stream)
        self.resolve = slice  # type: ignore[method-assign]  # see above: the C composer calls it
        # No path resolvers are registered, yet the C composer calls these two for every node.
        # Builtins that ignore their arguments spare it two more Python calls per node.
        self.descend_resolver = {}.get  # type: ignore[method-assign,assignment]
        self.ascend_resolver = tuple  # type: ignore[assignment,method-assign]


_RESOLVER = yaml.resolver.Resolver()


def _resolve_tag(asked: slice) -> str:
    kind, value, implicit = asked.start, asked.stop, asked.step
    if kind is yaml.ScalarNode:
        if not implicit[0]:
            return "tag:yaml.org,2002:str"  # a quoted scalar is text, whatever it says
        if len(value) < 48:  # level files repeat short values: memoise them
            tag = _SCALAR_TAGS.get(value)
            if tag is None:
                tag = _SCALAR_TAGS[value] = str(_RESOLVER.resolve(kind, value, implicit))  # type: ignore[no-untyped-call]
            return tag
    return str(_RESOLVER.resolve(kind, value, implicit))  # type: ignore[no-untyped-call]


def tag_of(node: yaml.Node) -> str:
    """A composed node's tag (resolved on first use, see Loader)."""
    tag: Any = node.tag
    if tag.__class__ is slice:
        tag = node.tag = _resolve_tag(tag)
    return str(tag)


def _resolve_tags(node: yaml.Node) -> None:
    """Give every node under `node` its tag, before PyYAML's constructor reads them."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        tag_of(n)
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.append(k)
                stack.append(v)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)


NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
BUILTIN_NAMES = {
    "player": "the player's name",
    "values": "the value profile (values.<dimension>)",
    "visits": "how often each scene was entered (visits.<scene>)",
}
LEVEL_KEYS = tuple(spec.LEVEL)
INCLUDE_KEYS = spec.INCLUDE_KEYS
CAMPAIGN_KEYS = tuple(spec.CAMPAIGN)
CHARACTER_KEYS = tuple(spec.CHARACTER)
INTENT_KEYS = tuple(spec.INTENT)
SCENE_KEYS = tuple(spec.SCENE)


def _type_name(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.value == "":
        return "nothing"
    value = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    return f"'{value}'"


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def _construct(node: yaml.Node) -> Any:
    """Python data for a composed node, built by PyYAML's safe constructor (no re-parsing)."""
    _resolve_tags(node)
    constructor = yaml.SafeLoader("")
    return constructor.construct_document(node)


class Spot(NamedTuple):
    """Where a node was, kept after its node is gone: its line and column, and where its value's
    text starts within it (a quoted value one column on, a block scalar one line down)."""

    line: int
    column: int
    dline: int = 0
    dcol: int = 0


class _FileReader:
    """Reads one YAML file's nodes, collecting diagnostics.

    `line_offset` is the line a piece of the file composed on its own starts at (a large
    level's scenes are composed in batches, see _split_scenes)."""

    def __init__(self, path: Path, display: str, diags: list[Diagnostic], line_offset: int = 0) -> None:
        self.path = path
        self.file = display
        self.diags = diags
        self.line_offset = line_offset

    # -------------------------------------------------------------- reporting
    def pos(self, node: yaml.Node) -> Pos:
        return Pos(self.file, node.start_mark.line + 1 + self.line_offset, node.start_mark.column + 1)

    def spot(self, node: yaml.Node) -> Spot:
        dl, dc = self._value_offset(node)
        return Spot(node.start_mark.line + 1 + self.line_offset, node.start_mark.column + 1, dl, dc)

    def error(self, node: yaml.Node, code: str, message: str, hint: str = "", column_shift: int = 0) -> None:
        p = self.pos(node)
        self.diags.append(Diagnostic(self.file, p.line, p.column + column_shift, code, message, hint))

    def error_at(self, spot: Spot, code: str, message: str, hint: str = "") -> None:
        self.diags.append(Diagnostic(self.file, spot.line, spot.column, code, message, hint))

    # -------------------------------------------------------------- structure
    def mapping(
        self,
        node: yaml.Node,
        what: str,
        allowed: Collection[str] | None,
        required: Iterable[str] = (),
        hints: dict[str, Any] | None = None,
    ) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
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
                first = out[key][0].start_mark.line + 1 + self.line_offset
                self.error(
                    key_node,
                    "TT0002",
                    f"duplicate key '{key}' in {what} (first on line {first})",
                    "YAML keeps only the last of duplicate keys; rename or merge them",
                )
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

    def is_sequence(self, node: yaml.Node) -> bool:
        return isinstance(node, yaml.SequenceNode)

    def sequence(self, node: yaml.Node, what: str) -> list[Any] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, "TT0004", f"{what} should be a list, found {_type_name(node)}")
            return None
        items: list[Any] = node.value
        return items

    def text(self, node: yaml.Node, what: str, allow_number: bool = True) -> str | None:
        if isinstance(node, yaml.ScalarNode) and (
            node.style or allow_number or tag_of(node) == "tag:yaml.org,2002:str"
        ):
            if node.value == "" and tag_of(node) == "tag:yaml.org,2002:null":
                self.error(node, "TT0004", f"{what} should be text, found nothing")
                return None
            return str(node.value)
        self.error(node, "TT0004", f"{what} should be text, found {_type_name(node)}")
        return None

    def name(self, node: yaml.Node, what: str) -> str | None:
        value = self.text(node, what)
        if value is not None and not NAME_RE.match(value):
            self.error(
                node,
                "TT0105",
                f"{what} '{value}' is not a valid name",
                "names start with a letter and use letters, digits and _",
            )
            return None
        return value

    def integer(self, node: yaml.Node, what: str, minimum: int = 0, maximum: int | None = None) -> int | None:
        if isinstance(node, yaml.ScalarNode) and tag_of(node) == "tag:yaml.org,2002:int" and len(node.value) <= 20:
            value = _construct(node)
            if isinstance(value, int) and value >= minimum and (maximum is None or value <= maximum):
                return value
        shown = _type_name(node)
        limits = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        self.error(node, "TT0004", f"{what} should be a whole number {limits}, found {shown}")
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
        self.diags.append(
            Diagnostic(self.file, p.line + dl, p.column + dc + exc.column, exc.code, exc.message, exc.hint)
        )

    def expression_into(self, node: yaml.Node, refs: list[Any]) -> ex.Expression | None:
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, "TT0004", f"expected an expression, found {_type_name(node)}")
            return None
        raw: Any = node.value
        if tag_of(node) == "tag:yaml.org,2002:bool":
            raw = node.value.lower() in ("true", "yes", "on")
        try:
            expr = ex.parse(raw)
        except ex.ExpressionError as exc:
            self._expr_error(node, exc)
            return None
        refs.append((self, self.spot(node), expr))
        return expr

    def template_into(self, node: yaml.Node, value: str, refs: list[Any]) -> ex.Template | None:
        try:
            tpl = ex.template(value)
        except ex.ExpressionError as exc:
            self._expr_error(node, exc)
            return None
        if tpl.literal is None:
            spot = self.spot(node)
            for e in tpl.expressions:
                refs.append((self, spot, e))
        return tpl


class _LevelBuilder:
    """Collects a level's parts across its included files, then checks references."""

    def __init__(self, root: Path, display: Callable[[Path], str], minigame_names: Iterable[str] | None) -> None:
        self.root = root
        self.display = display
        self.diags: list[Diagnostic] = []
        self.files: list[str] = []
        self.vars: dict[str, Any] = {}
        self.var_pos: dict[str, Pos] = {}
        self.values: list[str] = []
        self.characters: dict[str, Character] = {}
        self.char_nodes: dict[str, tuple[_FileReader, yaml.Node]] = {}
        # ("nodes", reader, [(key node, value node)...], None) or ("batches", reader, _Split, text)
        self.scene_sources: list[tuple[Any, ...]] = []
        self.header: dict[str, Any] = {}
        self.minigame_names = minigame_names
        self.seen_files: set[Path] = set()
        self.sources: list[tuple[str, str]] = []  # (absolute path, sha256) of every file read, for the cache
        self._lists: tuple[Any, ...] = ()

    # -------------------------------------------------------------- files
    def read_file(
        self, path: Path, *, top: bool, from_reader: _FileReader | None = None, from_node: yaml.Node | None = None
    ) -> None:
        path = path.resolve()
        display = self.display(path)
        if path in self.seen_files:
            if from_reader is not None and from_node is not None:
                from_reader.error(from_node, "TT0006", f"'{display}' is included twice (or includes itself)")
            return
        self.seen_files.add(path)
        text, reason = read_source(path, None if top else self.root)
        if text is None:
            if from_reader is not None and from_node is not None:
                from_reader.error(from_node, "TT0006", f"cannot include '{display}': {reason}")
            else:
                self.diags.append(Diagnostic(display, 1, 1, "TT0006", f"cannot read level file: {reason}"))
            return
        self.files.append(display)
        self.sources.append((str(path), hashlib.sha256(text.encode("utf-8")).hexdigest()))
        reader = StepContext(path, display, self.diags)
        split = _split_scenes(text) if len(text) >= SPLIT_AT_BYTES else None
        root = compose(split.head if split else text, display, self.diags)
        if root is None:
            return
        allowed = LEVEL_KEYS if top else INCLUDE_KEYS
        keys = reader.mapping(
            root,
            "a level file" if top else "an included file",
            allowed,
            required=("level", "start") if top else (),
            hints={"campaign": "this looks like a campaign file; load it as one"},
        )
        if keys is None:
            return
        if top:
            self.header["pos"] = reader.pos(root)
            for key in ("level", "title", "start"):
                if key in keys:
                    self.header[key] = (
                        reader,
                        keys[key][1],
                        reader.name(keys[key][1], f"'{key}'")
                        if key != "title"
                        else reader.text(keys[key][1], "'title'"),
                    )
        if "vars" in keys:
            self.read_vars(reader, keys["vars"][1])
        if "values" in keys:
            for node, value in reader.texts(keys["values"][1], "'values'"):
                if reader.name(node, "value dimension") and value not in self.values:
                    self.values.append(value)
        if "characters" in keys:
            self.read_characters(reader, keys["characters"][1])
        if "scenes" in keys:
            if split is not None:
                self.scene_sources.append(("batches", reader, split, text))
            else:
                scenes = reader.mapping(keys["scenes"][1], "'scenes'", None)
                self.scene_sources.append(("nodes", reader, list((scenes or {}).values()), None))
        if "include" in keys:
            for node, rel in reader.texts(keys["include"][1], "'include'"):
                if "\x00" in rel:
                    reader.error(node, "TT0006", "an include's name cannot contain a NUL character")
                    continue
                self.read_file(path.parent / rel, top=False, from_reader=reader, from_node=node)

    def read_vars(self, reader: _FileReader, node: yaml.Node) -> None:
        entries = reader.mapping(node, "'vars'", None)
        for name, (knode, vnode) in (entries or {}).items():
            if not NAME_RE.match(name):
                reader.error(
                    knode,
                    "TT0105",
                    f"variable '{name}' is not a valid name",
                    "names start with a letter and use letters, digits and _",
                )
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
            if (
                not NAME_RE.match(cid)
                or cid == NARRATOR
                or cid in step_registry.heads()
                or cid in step_registry.modifier_names()
            ):
                reader.error(
                    knode,
                    "TT0105",
                    f"'{cid}' cannot be a character id",
                    "ids start with a letter; 'narrator' and step keywords are reserved",
                )
                continue
            if cid in self.characters or cid in self.char_nodes:
                reader.error(knode, "TT0002", f"character '{cid}' is defined twice")
                continue
            self.char_nodes[cid] = (reader, vnode)

    def build_characters(self, refs: list[Any]) -> None:
        for cid, (reader, vnode) in self.char_nodes.items():
            keys = reader.mapping(vnode, f"character '{cid}'", CHARACTER_KEYS, required=("name",))
            if keys is None:
                continue

            def get(k: str, keys: dict[str, tuple[yaml.Node, yaml.Node]] = keys) -> Any:
                return keys[k][1] if k in keys else None

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
            fallback = tuple(
                t
                for n, v in (reader.texts(get("fallback"), "'fallback'") if "fallback" in keys else [])
                if (t := reader.template_into(n, v, refs))
            )
            greeting = tuple(
                t
                for n, v in (reader.texts(get("greeting"), "'greeting'") if "greeting" in keys else [])
                if (t := reader.template_into(n, v, refs))
            )
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
                replies = tuple(
                    t
                    for n, v in (reader.texts(ik["replies"][1], "'replies'") if "replies" in ik else [])
                    if (t := reader.template_into(n, v, refs))
                )
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
                        refs.append((reader, reader.spot(dk), ex.parse(f"values.{dim}")))
                iname = reader.text(ik["name"][1], "'name'") if "name" in ik else f"intent{i + 1}"
                intents.append(
                    Intent(iname or f"intent{i + 1}", tuple(patterns), replies, tuple(nudges), reader.pos(inode))
                )
            self.characters[cid] = Character(
                cid,
                name or cid,
                color,
                persona or "",
                backend,
                model,
                fallback,
                greeting,
                tuple(intents),
                secrets,
                generated,
                reader.pos(vnode),
            )

    # -------------------------------------------------------------- steps
    def read_effects(self, reader: _FileReader, node: yaml.Node, refs: list[Any], sets: list[Any]) -> tuple[Any, ...]:
        entries = reader.mapping(node, "'set'", None)
        out = []
        for name, (knode, vnode) in (entries or {}).items():
            expr = reader.expression_into(vnode, refs)
            sets.append((reader, reader.spot(knode), name))
            if expr is not None:
                out.append((name, expr))
        return tuple(out)

    def read_step(self, ctx: StepContext, node: yaml.Node) -> Step | None:
        reader = ctx
        if not isinstance(node, yaml.MappingNode):
            hint = "a line is written `- narrator: text` or `- character_id: text`"
            reader.error(node, "TT0004", f"a step should be a mapping, found {_type_name(node)}", hint)
            return None
        pairs = node.value
        if len(pairs) == 1 and isinstance(pairs[0][0], yaml.ScalarNode) and pairs[0][0].value not in ctx.modifiers:
            # One key, not a modifier: most steps (lines above all). No mapping to check.
            knode, vnode = pairs[0]
            head = knode.value
            kind = ctx.kinds.get(head) or ctx.line_kind
            one = {head: (knode, vnode)}
            refs = ctx.refs
            start = len(refs)
            step = kind.read(ctx, head, vnode, one, reader.pos(node), None)
            if step is not None:
                step.draws = step.uses_random or (len(refs) > start and any(r[2].uses_random for r in refs[start:]))
            return step
        keys = reader.mapping(node, "a step", None)
        if keys is None:
            return None
        modifiers = ctx.modifiers
        heads = [k for k in keys if k not in modifiers]
        if not heads:
            if "if" in keys:
                reader.error(node, "TT0005", "an `if:` step needs a `goto:` (or guard a line, choice or other step)")
            else:
                reader.error(node, "TT0005", "empty step")
            return None
        if len(heads) > 1:
            known = [h for h in heads if h in ctx.step_heads or h in ctx.characters or h == NARRATOR]
            if len(known) == 1:
                # One real step and a misspelt key beside it: say that, not "two steps".
                head = known[0]
                kind = ctx.kinds.get(head) or ctx.line_kind
                for k in heads:
                    if k != head:
                        reader.error(
                            keys[k][0],
                            "TT0003",
                            f"'{k}' does not belong on a {kind.name} step",
                            _suggest(k, kind.modifiers)
                            or f"a {kind.name} step takes: {', '.join(kind.modifiers) or 'nothing else'}",
                        )
                return None
            reader.error(
                keys[heads[1]][0],
                "TT0007",
                f"one step per list item: '{heads[0]}' and '{heads[1]}' are both here",
                "start a new item with '- ' for each step",
            )
            return None
        head = heads[0]
        kind = ctx.kinds.get(head) or ctx.line_kind
        if len(keys) > 1:
            allowed = kind.modifiers
            for k, (knode, _) in keys.items():
                if k != head and k not in allowed:
                    reader.error(
                        knode,
                        "TT0003",
                        f"'{k}' does not belong on a {kind.name} step",
                        f"a {kind.name} step takes: {', '.join(allowed) or 'nothing else'}",
                    )
        refs = ctx.refs
        start = len(refs)
        guard = ctx.expression_into(keys["if"][1], refs) if "if" in keys else None
        step = kind.read(ctx, head, keys[head][1], keys, reader.pos(node), guard)
        if step is not None:
            # whether running it may draw on the RNG: saves keep the random state from before such steps
            step.draws = step.uses_random or (len(refs) > start and any(r[2].uses_random for r in refs[start:]))
        return step

    def close(self) -> None:
        """Drop what reading needed: the records of references point back at their readers, and
        left as cycles they would wait for the collector (and be frozen with the level)."""
        for lst in self._lists:
            lst.clear()
        self.scene_sources.clear()
        self.char_nodes.clear()
        self.header.clear()

    # -------------------------------------------------------------- assemble
    def _scene(
        self, reader: StepContext, knode: yaml.Node, vnode: yaml.Node, scenes: dict[str, Any], lists: Any
    ) -> None:
        sid = knode.value
        if not NAME_RE.match(sid):
            reader.error(
                knode,
                "TT0105",
                f"scene id '{sid}' is not a valid name",
                "names start with a letter and use letters, digits and _",
            )
            return
        if sid in scenes:
            reader.error(knode, "TT0103", f"scene '{sid}' is defined twice (first at {scenes[sid].pos})")
            return
        background = title = None
        steps_node = vnode
        if isinstance(vnode, yaml.MappingNode):
            sk = reader.mapping(vnode, f"scene '{sid}'", SCENE_KEYS, required=("steps",))
            if not sk or "steps" not in sk:
                return
            steps_node = sk["steps"][1]
            if "background" in sk:
                background = reader.text(sk["background"][1], "'background'")
            if "title" in sk:
                title = reader.text(sk["title"][1], "'title'")
        items = reader.sequence(steps_node, f"scene '{sid}' (a list of steps)")
        if items is None:
            return
        if not hasattr(reader, "refs"):
            reader.begin_steps(self, *lists)
        steps = tuple(s for item in items if (s := self.read_step(reader, item)))
        finish_scene(sid, steps, draws=False)
        scenes[sid] = Scene(sid, steps, reader.pos(knode), background, title)

    def _scene_batches(self, reader: StepContext, split: _Split, scenes: dict[str, Any], lists: Any) -> bool:
        """Build a large file's scenes a batch at a time, each batch composed on its own and its
        nodes dropped once read (the whole file's nodes would be most of a load's memory).
        False, with everything of this file undone, when a batch does not compose by itself."""
        marks = [len(x) for x in lists] + [len(self.diags)]
        before = set(scenes)
        first: dict[str, int] = {}
        for offset, chunk in split.batches:
            problems: list[Diagnostic] = []
            root = compose(chunk, reader.file, problems)
            if problems or not isinstance(root, yaml.MappingNode):
                for x, n in zip(lists, marks):
                    del x[n:]
                del self.diags[marks[-1] :]
                for sid in set(scenes) - before:
                    del scenes[sid]
                return False
            part = StepContext(reader.path, reader.file, self.diags, offset)
            part.begin_steps(self, *lists)
            for key, (knode, vnode) in (part.mapping(root, "'scenes'", None) or {}).items():
                if key in first:
                    part.error(
                        knode,
                        "TT0002",
                        f"duplicate key '{key}' in 'scenes' (first on line {first[key]})",
                        "YAML keeps only the last of duplicate keys; rename or merge them",
                    )
                    continue
                first[key] = knode.start_mark.line + 1 + offset
                self._scene(part, knode, vnode, scenes, lists)
        return True

    def build(self) -> Level | None:
        refs: list[Any] = []  # (reader, node, Expression) for every expression read
        gotos: list[Any] = []  # (reader, node, target)
        sets: list[Any] = []  # (reader, key node, variable)
        stores: list[Any] = []  # (reader, node, name, kind, minigame name)
        self.build_characters(refs)
        scenes: dict[str, Scene] = {}
        lists = self._lists = (refs, gotos, sets, stores)
        for how, reader, items, text in self.scene_sources:
            if how == "batches" and self._scene_batches(reader, items, scenes, lists):
                continue
            if how == "batches":
                # A batch did not compose on its own: read the whole file as one document,
                # so every diagnostic is exactly what a whole-file read gives.
                root = compose(text, reader.file, self.diags)
                keys = reader.mapping(root, "a level file", None) if root is not None else None
                mapping = reader.mapping(keys["scenes"][1], "'scenes'", None) if keys and "scenes" in keys else None
                items = list((mapping or {}).values())
            for knode, vnode in items:
                self._scene(reader, knode, vnode, scenes, lists)
        # references
        level_id = start = title = None
        if "level" in self.header:
            level_id = self.header["level"][2]
        if "title" in self.header:
            title = self.header["title"][2]
        if "start" in self.header:
            reader, node, start = self.header["start"]
            if start and start not in scenes and self.scene_sources:
                reader.error(
                    node,
                    "TT0101",
                    f"start scene '{start}' does not exist",
                    _suggest(start, scenes) or f"scenes: {', '.join(list(scenes)[:8])}",
                )
        if not self.scene_sources and self.header:
            self.diags.append(
                Diagnostic(self.files[0], 1, 1, "TT0005", "the level has no scenes", "add a `scenes:` mapping")
            )
        for reader, node, target in gotos:
            if target not in scenes:
                reader.error_at(
                    node,
                    "TT0101",
                    f"goto to unknown scene '{target}'",
                    _suggest(target, scenes) or "check the scene ids under `scenes:`",
                )
        known = set(self.vars) | set(BUILTIN_NAMES)
        store_kinds: dict[str, tuple[str, str | None]] = {}
        for reader, node, name, kind, mg in stores:
            if name in self.vars or name in BUILTIN_NAMES:
                reader.error_at(node, "TT0105", f"'{name}' is already a variable; store the result under another name")
                continue
            store_kinds.setdefault(name, (kind, mg))
        known |= set(store_kinds)
        for reader, knode, name in sets:
            if name not in self.vars:
                hint = _suggest(name, self.vars) or f"declare it under `vars:`, e.g. `vars: {{{name}: 0}}`"
                reader.error_at(knode, "TT0203", f"'{name}' is set but not declared", hint)
        field_cache: dict[str, set[str] | None] = {}
        for reader, node, expr in refs:
            for name in sorted(expr.names):
                if name not in known:
                    hint = _suggest(name, known)
                    if not hint:
                        hint = f"declare it under `vars:`; for text, quote it: '\"{name}\"'"
                    reader.diags.append(
                        Diagnostic(
                            reader.file,
                            node.line + node.dline,
                            node.column + node.dcol + expr.column_of(name),
                            "TT0203",
                            f"undefined variable '{name}' in '{expr.source}'",
                            hint,
                        )
                    )
            for record, fld, _col in expr.fields:
                allowed = None
                if record == "values":
                    allowed = set(self.values)
                elif record == "visits":
                    allowed = set(scenes)
                elif record in store_kinds and store_kinds[record][0] == "minigame":
                    mg = store_kinds[record][1]
                    assert mg is not None  # a minigame's `as:` is stored with the minigame's name
                    if mg not in field_cache:
                        from game import minigames

                        info = minigames.info(mg) if self.minigame_names is None or mg in self.minigame_names else None
                        field_cache[mg] = set(info.result_fields) if info else None
                    allowed = field_cache[mg]
                elif record in store_kinds and store_kinds[record][0] == "talk":
                    allowed = set(self.values) | {"turns", "summary"}
                elif record in self.vars:
                    reader.error_at(node, "TT0205", f"'{record}' is a plain variable and has no field '{fld}'")
                    continue
                if allowed is not None and fld not in allowed:
                    reader.error_at(
                        node,
                        "TT0205",
                        f"'{record}' has no field '{fld}'",
                        _suggest(fld, allowed) or f"fields: {', '.join(sorted(allowed)) or 'none'}",
                    )
        if any(d.severity == "error" for d in self.diags) or not level_id or not start:
            return None
        return Level(
            level_id,
            title or level_id,
            start,
            self.files[0],
            dict(self.vars),
            tuple(self.values),
            dict(self.characters),
            scenes,
            tuple(self.files),
            self.header.get("pos"),
            dict(self.var_pos),
            tuple(self.sources),
        )


class StepContext(_FileReader):
    """What a step type's `read` gets: the file being read (all of _FileReader's helpers report
    problems at the node's file:line:col), the level's names, and methods that record what the
    level checks once everything is read (jump targets, assigned variables, expressions' names,
    stored results). It is the file's reader itself, so a step's reading costs no extra calls."""

    def begin_steps(
        self, builder: _LevelBuilder, refs: list[Any], gotos: list[Any], sets: list[Any], stores: list[Any]
    ) -> None:
        self.builder = builder
        self.reader = self
        self.refs, self._gotos, self._sets, self._stores = refs, gotos, sets, stores
        self.characters = set(builder.characters) | set(builder.char_nodes)
        self.values = list(builder.values)
        self.minigame_names = builder.minigame_names
        self.step_heads = step_registry.heads()
        self.modifiers = step_registry.modifier_names()
        self.kinds = {t.name: t for t in step_registry.types() if t.name != "line"}
        line_kind = step_registry.get("line")
        assert line_kind is not None, "the line step type is built in"
        self.line_kind = line_kind

    def suggest(self, word: str, choices: Iterable[str]) -> str:
        return _suggest(word, choices)

    def expression(self, node: yaml.Node) -> ex.Expression | None:
        return self.expression_into(node, self.refs)

    def template(self, node: yaml.Node, text: str) -> ex.Template | None:
        return self.template_into(node, text, self.refs)

    def effects(self, node: yaml.Node) -> tuple[Any, ...]:
        return self.builder.read_effects(self, node, self.refs, self._sets)

    def goto(self, node: yaml.Node, target: str) -> None:
        self._gotos.append((self, self.spot(node), target))

    def assigns(self, node: yaml.Node, name: str) -> None:
        """The step writes variable `name` (it must be declared under `vars:`)."""
        self._sets.append((self, self.spot(node), name))

    def store(self, node: yaml.Node, name: str, kind: str, detail: Any = None) -> None:
        self._stores.append((self, self.spot(node), name, kind, detail))


def finish_scene(scene: str, steps: tuple[Any, ...], draws: bool = True) -> None:
    """Tell each step its place, and which steps may draw on the RNG (saves keep the state before them).
    The compiled cache knows the latter already (`draws=False`)."""
    for i, step in enumerate(steps):
        step.placed(scene, i, steps)
        if not draws:
            continue
        step.draws = (
            step.uses_random
            or any(e.uses_random for cond, _ in step.conditions() for e in (cond,))
            or any(e.uses_random for t in step.texts() for e in t.expressions)
            or any(e.uses_random for _, e in step.effects())
        )


SPLIT_AT_BYTES = 256 * 1024  # files smaller than this are composed whole
SCENES_PER_BATCH = 200


class _Split(NamedTuple):
    head: str  # the file with its scenes' lines blanked (line numbers kept)
    batches: list[Any]  # [(line offset, text of some scenes)]


# Searched in the text with a newline put in front: a pattern that starts at a newline is much
# faster than ^ in multi-line mode, which is tried at every character of a 3 MB file.
_SCENES_LINE = re.compile(r"\nscenes:[ \t]*(#[^\n]*)?(?=\n|$)")
_BLOCK_END = re.compile(r"\n[^\s#]")


def _split_scenes(text: str) -> _Split | None:
    """A large level's `scenes:` block cut between scenes, or None when it cannot be cut safely.

    Only the plain layout is cut: a top-level `scenes:` line, then scene keys all at one
    indentation (spaces), nothing indented less inside the block, nothing else at the keys'
    indentation. Anything else (flow style, tabs, odd keys) is composed whole. A batch that
    still does not compose by itself (an alias to an anchor in another scene, say) makes the
    loader read the whole file as one document.
    """
    lined_text = "\n" + text  # positions in it are one past the text's
    found = list(_SCENES_LINE.finditer(lined_text))
    if len(found) != 1:
        return None
    begin = text.find("\n", found[0].end() - 1)
    if begin < 0:
        return None
    begin += 1
    stop = _BLOCK_END.search(lined_text, begin)  # the newline before a line at column 1
    end = stop.start() if stop else len(text)
    block = text[begin:end]
    lined = "\n" + block
    if "\t" in block and re.search(r"\n *\t", lined):
        return None
    first = re.search(r"\n( +)[^ #\n]", lined)
    if not first:
        return None
    k = len(first.group(1))
    # %-formatting: the patterns' own braces would need doubling in an f-string.
    if k > 1 and re.search(r"\n {0,%d}[^ #\n]" % (k - 1), lined):  # noqa: UP031
        return None  # something indented less than the scene keys
    at_k = len(re.findall(r"\n {%d}[^ #\n]" % k, lined))  # noqa: UP031
    keys = [m.start() for m in re.finditer(r"\n {%d}[A-Za-z][A-Za-z0-9_]*[ \t]*:(?=[ \t\n]|$)" % k, lined)]  # noqa: UP031
    if len(keys) != at_k or len(keys) < 2 * SCENES_PER_BATCH:
        return None  # a non-key at the keys' indentation: compose whole
    cuts = keys[::SCENES_PER_BATCH] + [len(block)]
    line0 = text.count("\n", 0, begin)
    batches = []
    lines_before = line0 + block.count("\n", 0, cuts[0])
    for a, b in zip(cuts, cuts[1:]):
        chunk = block[a:b]
        batches.append((lines_before, chunk))
        lines_before += chunk.count("\n")
    head = text[:begin] + "\n" * block.count("\n") + text[end:]
    # the head keeps `scenes:` with nothing under it: a null the builder knows to skip
    return _Split(head, batches)


def read_source(path: Path, root: Path | None = None) -> tuple[str | None, str]:
    """A level file's text, or (None, why not). Only regular files, under `root` when given
    (an include may not reach outside its level's folder), of at most MAX_FILE_BYTES, in UTF-8."""
    try:
        real = Path(os.path.realpath(path))
        if root is not None:
            base = Path(os.path.realpath(root))
            if real != base and base not in real.parents:
                return None, f"it is outside the level's folder ({base})"
        st = os.stat(real)
        if not stat.S_ISREG(st.st_mode):
            return None, "it is not a regular file"
        if st.st_size > MAX_FILE_BYTES:
            return None, f"it is {st.st_size:,} bytes (at most {MAX_FILE_BYTES:,})"
        with open(real, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            return None, f"it is over {MAX_FILE_BYTES:,} bytes"
        return data.decode("utf-8"), ""
    except UnicodeDecodeError as exc:
        return None, f"it is not UTF-8 text ({exc.reason} at byte {exc.start})"
    except (OSError, ValueError) as exc:
        return None, exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def compose(text: str, display: str, diags: list[Diagnostic]) -> yaml.Node | None:
    """YAML text -> node tree, or a TT0001 diagnostic at the place the parser stopped."""
    try:
        node = yamlsafe.compose(text, loader=Loader)  # bounded: aliases, nesting, huge numbers
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        ctx = f" ({exc.context})" if exc.context else ""
        hint = (
            ""
            if isinstance(exc, yamlsafe.LimitError)
            else "check indentation and that text containing ': ' or '#' is quoted"
        )
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


class _MinigameNames:
    """The minigames this install knows, as a set the loader asks `in` of. The built-ins are
    answered at once; installed plugins (entry points, slow to list) only when a name is not one."""

    def __contains__(self, name: object) -> bool:
        from game import minigames

        return name in minigames.BUILTIN or name in minigames.available()

    def __iter__(self) -> Iterator[str]:
        from game import minigames

        return iter(sorted(minigames.available()))


def _minigame_names() -> _MinigameNames:
    return _MinigameNames()


def load_level(path: str | Path) -> tuple[Level | None, list[Diagnostic]]:
    """Load one level file (with its includes). Returns the level (None on errors) and all diagnostics."""
    from game.story import collector

    with collector.paused():
        return _load_level(path)


def _load_level(path: str | Path) -> tuple[Level | None, list[Diagnostic]]:
    path = Path(path)
    builder = _LevelBuilder(path.parent, _display_path, _minigame_names())
    builder.read_file(path, top=True)
    try:
        level = builder.build() if builder.files else None
        return level, sorted(set(builder.diags))
    finally:
        builder.close()


def is_campaign(path: str | Path) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return re.search(r"^campaign\s*:", head, re.MULTILINE) is not None


def load_campaign(
    path: str | Path, level_loader: Callable[[Path], tuple[Level | None, list[Diagnostic]]] | None = None
) -> tuple[Story | None, list[Diagnostic]]:
    """A campaign and its levels; `level_loader` (default `load_level`) reads each level file."""
    path = Path(path)
    level_loader = level_loader or load_level
    display = _display_path(path)
    diags: list[Diagnostic] = []
    text, reason = read_source(path)
    if text is None:
        return None, [Diagnostic(display, 1, 1, "TT0006", f"cannot read campaign file: {reason}")]
    root = compose(text, display, diags)
    if root is None:
        return None, diags
    reader = _FileReader(path, display, diags)
    keys = reader.mapping(root, "a campaign file", CAMPAIGN_KEYS, required=("campaign", "levels"))
    if not keys or "campaign" not in keys or "levels" not in keys:
        return None, sorted(set(diags))
    cid = reader.name(keys["campaign"][1], "'campaign'")
    title = reader.text(keys["title"][1], "'title'") if "title" in keys else cid
    checker = _LevelBuilder(path.parent, _display_path, None)
    checker.diags = diags
    if "vars" in keys:
        checker.read_vars(reader, keys["vars"][1])  # checked like a level's
    cvars = dict(checker.vars)
    levels = []
    ids = set()
    files = [str(path.resolve())]
    entries = reader.texts(keys["levels"][1], "'levels'")
    if isinstance(keys["levels"][1], yaml.SequenceNode) and not keys["levels"][1].value:
        reader.error(keys["levels"][1], "TT0005", "a campaign needs at least one level")
    if len(entries) > MAX_LEVELS:
        reader.error(keys["levels"][1], "TT0004", f"a campaign has at most {MAX_LEVELS} levels ({len(entries)} here)")
        entries = entries[:MAX_LEVELS]
    for node, rel in entries:
        if "\x00" in rel:
            reader.error(node, "TT0006", "a level's file name cannot contain a NUL character")
            continue
        level_path = path.parent / rel
        _text, why = read_source(level_path, path.parent) if level_path.exists() else (None, "")
        if not level_path.exists():
            reader.error(node, "TT0006", f"level file '{rel}' does not exist")
            continue
        if _text is None:
            reader.error(node, "TT0006", f"cannot read level file '{rel}': {why}")
            continue
        level, level_diags = level_loader(level_path)
        diags.extend(level_diags)
        if level:
            if level.id in ids:
                reader.error(node, "TT0103", f"level id '{level.id}' appears twice in the campaign")
            ids.add(level.id)
            levels.append(level)
            files.extend(level.files)
    diags = sorted(set(diags))
    if any(d.severity == "error" for d in diags) or not cid or not levels:
        return None, diags
    return Story(cid, title or cid, tuple(levels), display, cvars, tuple(dict.fromkeys(files))), diags


def story_file(path: str | Path) -> Path:
    """The file to load for `path`: itself, or for a folder (a story project) its campaign.yaml,
    its story.yaml, or its only level file. A folder with none of them is returned as it is
    (loading it then says what is missing)."""
    path = Path(path)
    if not path.is_dir():
        return path
    for name in ("campaign.yaml", "story.yaml"):
        if (path / name).is_file():
            return path / name
    levels = []
    for f in sorted(path.glob("*.yaml")):
        try:
            head = f.read_text(encoding="utf-8", errors="replace")[:4096]
        except OSError:
            continue
        if re.search(r"^(level|campaign)\s*:", head, re.MULTILINE):
            levels.append(f)
    return levels[0] if len(levels) == 1 else path


def load_story(path: str | Path, *, cache: bool | None = None) -> tuple[Story | None, list[Diagnostic]]:
    """A campaign file, or a single level file wrapped as a one-level story; a story project's
    folder loads its campaign.yaml, story.yaml or only level (see story_file).

    `cache`: use the compiled level cache (game/story/cache.py); None follows the
    TT_LEVEL_CACHE setting (on unless it is "0").
    """
    from game.story import cache as level_cache

    path = story_file(path)
    if path.is_dir():
        return None, [
            Diagnostic(
                _display_path(path),
                1,
                1,
                "TT0006",
                "this folder has no story to play: no campaign.yaml, no story.yaml, and not exactly one level file",
                "`treacherous-turn new FOLDER` makes a story project to start from",
            )
        ]
    if level_cache.enabled(cache):
        return level_cache.load_story(path)
    return load_story_uncached(path)


def load_story_uncached(path: str | Path) -> tuple[Story | None, list[Diagnostic]]:
    if is_campaign(path):
        return load_campaign(path)
    level, diags = load_level(path)
    if level is None:
        return None, diags
    return Story(level.id, level.title, (level,), level.file, {}, level.files), diags


def load_story_or_raise(path: str | Path) -> Story:
    story, diags = load_story(path)
    if story is None:
        raise LevelError([d for d in diags if d.severity == "error"] or diags)
    return story
