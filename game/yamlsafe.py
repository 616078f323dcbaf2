"""YAML from user files, with bounds: alias expansion, nesting depth, oversized numbers.

PyYAML composes an alias (`*name`) as a second reference to the anchored node, so a
"billion laughs" document is small once composed, but everything that walks it later
(the level reader, JSON, a deep copy) walks every expansion. So each composed document
is measured before anything uses it: the number of nodes it stands for once aliases are
expanded (each alias counts the nodes it expands to), its nesting depth (through
aliases too), a recursive alias, and integers too long for Python to read. A document
past a limit is refused with a `LimitError`, a `yaml.MarkedYAMLError`, so whoever already
reports YAML errors as file:line:col reports this one the same way.

The measure is one pass over the distinct nodes (a shared node is measured once), so it
costs little next to composing, and it stops at the first limit crossed.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

MAX_ALIAS_NODES = 100_000  # nodes that aliases may add to one document, in total
MAX_ALIAS_CHARS = 4 * 2**20  # characters of text that aliases may add (a few long strings repeated)
MAX_DEPTH = 100  # lists/mappings inside each other; levels nest about 8 deep
MAX_INT_DIGITS = 4000  # Python refuses to read integers past 4,300 digits

_CLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT_TAG = "tag:yaml.org,2002:int"


class LimitError(yaml.MarkedYAMLError):
    """A document past a limit; `problem_mark` is where, `problem` says which and what is allowed."""

    def __init__(self, problem: str, mark, context: str | None = None, context_mark=None) -> None:
        super().__init__(context=context, context_mark=context_mark, problem=problem, problem_mark=mark)


_DIGITS = re.compile(r"[-+]?[0-9_]+")


def _is_int(node: yaml.Node) -> bool:
    """Whether a scalar reads as an integer. A loader may leave the tag unresolved until asked (the
    level loader keeps `slice(kind, value, implicit)` there): then a plain scalar of digits is one."""
    tag: Any = node.tag
    if tag.__class__ is slice:
        return bool(tag.step and tag.step[0]) and _DIGITS.fullmatch(node.value) is not None
    return tag == _INT_TAG


def _kind(node: yaml.Node) -> str:
    return "list" if isinstance(node, yaml.SequenceNode) else "mapping"


def check(
    root: yaml.Node | None,
    *,
    max_alias_nodes: int = MAX_ALIAS_NODES,
    max_depth: int = MAX_DEPTH,
    anchors: bool = True,
    max_alias_chars: int = MAX_ALIAS_CHARS,
) -> int:
    """Raise LimitError if the composed document `root` is past a limit; else its expanded node count.

    `anchors=False` says the text has no `&` (so no alias): a plain tree, measured faster.
    Iterative (no recursion limit to hit): a node is measured after its children, and its
    size and height are kept by id, so a node an alias repeats is measured only once."""
    if root is None:
        return 0
    if not anchors:
        return _check_tree(root, max_depth)
    size: dict[int, int] = {}  # id(node) -> nodes it expands to (itself included)
    height: dict[int, int] = {}  # id(node) -> levels of nesting inside it (a scalar is 0)
    open_: set[int] = set()  # containers being measured: meeting one again is a cycle
    chars: dict[int, int] = {}  # id(node) -> characters of scalar text it expands to
    distinct = 0  # nodes in the document as written
    distinct_chars = 0  # characters of scalar text as written
    # Stack of (node, depth, children-done?). Depth is where the node sits as written.
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, done = stack.pop()
        nid = id(node)
        if isinstance(node, yaml.ScalarNode):
            if nid not in size:
                if len(node.value) > MAX_INT_DIGITS and _is_int(node):
                    raise LimitError(
                        f"this number has {len(node.value):,} characters (at most {MAX_INT_DIGITS:,})", node.start_mark
                    )
                size[nid] = 1
                height[nid] = 0
                chars[nid] = n = len(node.value)
                distinct += 1
                distinct_chars += n
            continue
        if not done:
            if nid in open_:
                raise LimitError(
                    f"an alias repeats the {_kind(node)} that contains it, so it never ends", node.start_mark
                )
            if nid in size:
                continue  # already measured: an alias to a finished node
            if depth >= max_depth:
                raise LimitError(f"lists and mappings are nested more than {max_depth} deep", node.start_mark)
            open_.add(nid)
            stack.append((node, depth, True))
            children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
            for child in reversed(children):
                stack.append((child, depth + 1, False))
            continue
        open_.discard(nid)
        children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
        total = 1
        tall = 0
        text = 0
        for child in children:
            cid = id(child)
            total += size[cid]
            text += chars[cid]
            h = height[cid]
            if h > tall:
                tall = h
        size[nid] = total
        height[nid] = tall + 1
        chars[nid] = text
        distinct += 1
        # An alias nests its node where it is used: depth as written plus the node's height.
        if depth + height[nid] > max_depth:
            raise LimitError(
                f"lists and mappings are nested more than {max_depth} deep (through aliases)", node.start_mark
            )
        if total - distinct > max_alias_nodes:
            raise LimitError(
                f"aliases here expand the document past {max_alias_nodes:,} repeated nodes ({total:,} nodes so far)",
                node.start_mark,
                "YAML aliases (*name) repeat what their anchor (&name) holds",
            )
        if text - distinct_chars > max_alias_chars:
            raise LimitError(
                f"aliases here repeat more than {max_alias_chars // 2**20} MB of text",
                node.start_mark,
                "YAML aliases (*name) repeat what their anchor (&name) holds",
            )
    return size[id(root)]


def _check_tree(root: yaml.Node, max_depth: int) -> int:
    """check() for a document without aliases: one level of nesting at a time."""
    seq, mapping, scalar = yaml.SequenceNode, yaml.MappingNode, yaml.ScalarNode
    level = [root]
    depth = count = 0
    while level:
        count += len(level)
        deeper: list = []
        for node in level:
            cls = node.__class__
            if cls is scalar:
                if len(node.value) > MAX_INT_DIGITS and _is_int(node):
                    raise LimitError(
                        f"this number has {len(node.value):,} characters (at most {MAX_INT_DIGITS:,})", node.start_mark
                    )
                continue
            if depth >= max_depth:  # a list or mapping inside max_depth others
                raise LimitError(f"lists and mappings are nested more than {max_depth} deep", node.start_mark)
            if cls is seq:
                deeper.extend(node.value)
            elif cls is mapping:
                for pair in node.value:
                    deeper.extend(pair)
        level = deeper
        depth += 1
    return count


# An anchor (&name) never follows a letter or digit ("R&D" is text; `a: &x`, `"a":&x` and `[&x`
# are anchors). Text matching this only costs the slower measure; text not matching has no alias.
_ANCHOR = re.compile(r"(?<![A-Za-z0-9])&\S")


def may_have_anchors(text: str) -> bool:
    return "&" in text and _ANCHOR.search(text) is not None


def compose(text: str, *, loader=None, **limits) -> yaml.Node | None:
    """The document's node tree, checked (LimitError past a limit; yaml errors as PyYAML raises them)."""
    node = yaml.compose(text, Loader=loader or _CLoader)
    check(node, anchors=may_have_anchors(text), **limits)
    return node


def construct(node: yaml.Node | None) -> Any:
    """Python data for a checked node tree, by PyYAML's safe constructor. A value it cannot build
    (a timestamp like 2020-13-45) is a yaml.constructor.ConstructorError at that value."""
    if node is None:
        return None
    constructor = yaml.SafeLoader("")
    try:
        return constructor.construct_document(node)
    except (ValueError, OverflowError, TypeError) as exc:
        bad = _first_bad_scalar(node)
        raise yaml.constructor.ConstructorError(
            None, None, f"cannot read this value: {exc}", bad.start_mark if bad is not None else node.start_mark
        ) from None


def _first_bad_scalar(root: yaml.Node) -> yaml.Node | None:
    """The first scalar PyYAML cannot build (only looked for once building has failed)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            try:
                yaml.SafeLoader("").construct_object(node)
            except (ValueError, OverflowError, TypeError, yaml.YAMLError):
                return node
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        else:
            stack.extend(n for pair in reversed(node.value) for n in reversed(pair))
    return None


def load(text: str, **limits) -> Any:
    """yaml.safe_load with the limits above: LimitError (a MarkedYAMLError) past one."""
    return construct(compose(text, **limits))


def describe(exc: yaml.YAMLError, name: str) -> str:
    """One line for a YAML problem: "NAME:LINE:COL: problem", for messages outside the level loader."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        problem = exc.problem or exc.context or "invalid YAML"
        return f"{where}: {problem}"
    return f"{name}: {exc}"
