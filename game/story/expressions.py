"""The level expression language: conditions (`if:`), effects (`set:`) and `{...}` in text.

A small, safe subset of Python expression syntax: names, numbers, strings, true/false,
comparisons, and/or/not, arithmetic, `x if c else y`, `a in [..]`, `record.field`
(minigame results, the value profile, visit counts) and a few functions. Python's `ast`
parses it; a whitelist refuses anything else (imports, calls to unknown functions,
attributes that start with `_`, subscripts, lambdas, comprehensions, `**`) with a message
naming the construct. The checked tree is then compiled once into a tree of small
closures (never Python's eval), whose every operation is one of `bounded.py`'s: an
evaluation cannot take long or grow large, whatever the level or the save says.

Checks at load: the source is at most MAX_SOURCE characters and MAX_DEPTH deep; every
part that reads no variable is computed then, so `1/0`, `len(5)` or `roll(0)` is a load
error with its column, not a failure on every run.
"""

from __future__ import annotations

import ast
import functools
import operator
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from game.story import bounded

if TYPE_CHECKING:
    _Fn = Callable[["Scope"], Any]  # a compiled part: evaluates against a Scope
    _Compiled = tuple[_Fn, Any]  # (the part, its value when it reads nothing, else _NOT_CONSTANT)

MAX_SOURCE = 2_000  # characters in one expression: ~650 operations at most, a few ms of bounded work
MAX_DEPTH = 64  # nesting of the parsed tree: deeper is a writing mistake, and Python's parser recurses


class ExpressionError(Exception):
    """A problem in an expression: `column` is 0-based within the expression text."""

    def __init__(self, message: str, column: int = 0, code: str = "TT0201", hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.code = code
        self.hint = hint


RANDOM_FUNCTIONS = tuple(bounded.RANDOM_FUNCTIONS)
PURE_FUNCTIONS: dict[str, Callable[..., Any]] = dict(bounded.PURE_FUNCTIONS)
RECALL_FUNCTIONS = tuple(bounded.RECALL_FUNCTIONS)
FUNCTIONS = tuple(sorted([*PURE_FUNCTIONS, *RANDOM_FUNCTIONS, *RECALL_FUNCTIONS]))
CONSTANTS = {"true": True, "false": False, "none": None, "True": True, "False": False, "None": None}

_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.IfExp,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Attribute,
    ast.List,
    ast.Tuple,
)
_FRIENDLY = {
    "Subscript": "indexing with [...]",
    "Lambda": "lambda",
    "ListComp": "comprehensions",
    "GeneratorExp": "comprehensions",
    "DictComp": "comprehensions",
    "SetComp": "comprehensions",
    "Dict": "dict literals",
    "Set": "set literals",
    "Pow": "the power operator **",
    "NamedExpr": "assignment (:=)",
    "JoinedStr": "f-strings",
    "Starred": "*unpacking",
    "Await": "await",
    "Yield": "yield",
    "BitAnd": "bitwise &",
    "BitOr": "bitwise |",
    "BitXor": "bitwise ^",
    "LShift": "<<",
    "RShift": ">>",
    "Invert": "~",
    "Is": "'is' (use ==)",
    "IsNot": "'is not' (use !=)",
    "MatMult": "@",
}


@dataclass(frozen=True, eq=False)
class Expression:
    """A checked expression: its source, parsed tree, the names it reads, and its compiled form."""

    source: str
    tree: ast.AST
    names: frozenset[str]  # top-level variable names read
    fields: tuple[tuple[str, str, int], ...]  # (record, field, column) for record.field reads
    uses_random: bool
    name_cols: tuple[tuple[str, int], ...] = ()  # (name, column) of each name's first read
    offset: int = 0  # where the expression starts in its text (templates)
    fn: Callable[[Scope], Any] | None = None  # the compiled evaluator
    constant: Any = None  # its value, when it reads nothing (is_constant)
    is_constant: bool = False

    def column_of(self, name: str) -> int:
        return self.offset + next((c for n, c in self.name_cols if n == name), 0)

    def at(self, offset: int) -> Expression:
        """The same expression, starting `offset` characters into its text (a `{...}` in a line).
        A copy of the fields, not dataclasses.replace: lines hold tens of thousands of these."""
        if offset == self.offset:
            return self
        copy = object.__new__(Expression)
        copy.__dict__.update(self.__dict__)
        copy.__dict__["offset"] = offset
        return copy

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and other.source == self.source and other.offset == self.offset

    def __hash__(self) -> int:
        return hash((self.source, self.offset))


def parse(source: Any) -> Expression:
    """Check an expression and return it compiled; raises ExpressionError with a column.

    Levels repeat the same conditions many times; Expressions are immutable, so each
    distinct text is checked and compiled once.
    """
    if isinstance(source, str):
        return _parse_text(source)
    return _parse(source)


@functools.lru_cache(maxsize=65536)
def _parse_text(source: str) -> Expression:
    return _parse(source)


def _parse(source: Any) -> Expression:
    if isinstance(source, bool):
        source = "true" if source else "false"
    elif isinstance(source, (int, float)):
        source = repr(source)
    elif source is None:
        source = "none"
    if not isinstance(source, str):
        raise ExpressionError(f"expected an expression (text), got {type(source).__name__}", 0, "TT0004")
    text = source.strip()
    if not text:
        raise ExpressionError("empty expression", 0)
    if len(text) > MAX_SOURCE:
        raise ExpressionError(
            f"the expression is {len(text):,} characters long (at most {MAX_SOURCE:,})",
            0,
            "TT0201",
            "split it: compute parts with `set:` into variables",
        )
    if "\x00" in text:
        raise ExpressionError("the expression contains a NUL character", text.index("\x00"), "TT0201")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        col = max(0, (exc.offset or 1) - 1)
        msg = exc.msg.replace("invalid syntax. ", "")
        hint = ""
        if "=" in text and "==" not in text and not any(op in text for op in ("<=", ">=", "!=")):
            hint = "compare with == (a single = is not an expression; use `set:` to change a variable)"
        raise ExpressionError(f"cannot read expression '{_short(text)}': {msg}", col, "TT0201", hint) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError(
            f"the expression is nested too deeply to read (at most {MAX_DEPTH} levels)",
            0,
            "TT0201",
            "split it: compute parts with `set:` into variables",
        ) from None
    _check_depth(tree)
    names: set[str] = set()
    name_cols: list[tuple[str, int]] = []
    fields: list[tuple[str, str, int]] = []
    uses_random = False
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            kind = type(node).__name__
            raise ExpressionError(
                f"not allowed in level expressions: {_FRIENDLY.get(kind, kind)}",
                getattr(node, "col_offset", 0),
                "TT0202",
                "expressions use names, numbers, text, comparisons, and/or/not, arithmetic and a few functions",
            )
        if isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                raise ExpressionError(
                    f"'.{node.attr}' is not allowed: names starting with _ are private", node.col_offset, "TT0202"
                )
            if not isinstance(node.value, ast.Name):
                raise ExpressionError(
                    "only one level of fields is allowed, like defense.score", node.col_offset, "TT0202"
                )
            fields.append((node.value.id, node.attr, node.col_offset))
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise ExpressionError(
                    "only the built-in functions can be called",
                    node.col_offset,
                    "TT0202",
                    f"functions: {', '.join(FUNCTIONS)}",
                )
            if node.func.id.startswith("_"):
                raise ExpressionError(
                    f"'{node.func.id}' is not allowed: names starting with _ are private", node.col_offset, "TT0202"
                )
            if node.func.id not in FUNCTIONS:
                raise ExpressionError(
                    f"unknown function '{node.func.id}'",
                    node.col_offset,
                    "TT0204",
                    f"functions: {', '.join(FUNCTIONS)}",
                )
            if node.keywords:
                raise ExpressionError("functions take plain arguments, not name=value", node.col_offset, "TT0202")
            uses_random |= node.func.id in RANDOM_FUNCTIONS
        elif isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise ExpressionError(
                    f"'{node.id}' is not allowed: names starting with _ are private", node.col_offset, "TT0202"
                )
            if node.id not in CONSTANTS and node.id not in FUNCTIONS:
                if node.id not in names:
                    name_cols.append((node.id, node.col_offset))
                names.add(node.id)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, (bytes, complex)) or node.value is Ellipsis:
                raise ExpressionError(
                    "only numbers, text and true/false are allowed as literals", node.col_offset, "TT0202"
                )
            try:
                bounded.check(node.value)
            except bounded.Refused as exc:
                raise ExpressionError(f"this literal is too large: {exc}", node.col_offset, "TT0201") from None
    lead = len(source) - len(source.lstrip())
    name_cols.sort(key=lambda nc: nc[1])
    fn, const = _Compiler().compile(tree.body)
    return Expression(
        text,
        tree,
        frozenset(names),
        tuple(fields),
        uses_random,
        tuple((n, c + lead) for n, c in name_cols),
        0,
        fn,
        None if const is _NOT_CONSTANT else const,
        const is not _NOT_CONSTANT,
    )


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def _check_depth(tree: ast.AST) -> None:
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(
                f"the expression is nested more than {MAX_DEPTH} levels deep",
                getattr(node, "col_offset", 0),
                "TT0201",
                "split it: compute parts with `set:` into variables",
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


# ---------------------------------------------------------------- compiling

_NOT_CONSTANT = object()


class _Undefined(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


class _NoFields(Exception):
    def __init__(self, name: str, value: Any) -> None:
        self.name = name
        self.value = value


_CMP: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: _contains(b, a),
    ast.NotIn: lambda a, b: not _contains(b, a),
}
_BIN: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: bounded.add,
    ast.Sub: bounded.sub,
    ast.Mult: bounded.mul,
    ast.Div: bounded.div,
    ast.FloorDiv: bounded.floordiv,
    ast.Mod: bounded.mod,
}


def _contains(container: Any, item: Any) -> bool:
    if isinstance(container, str):
        if not isinstance(item, str):
            raise bounded.Refused(f"'in' text needs text on its left, not {bounded._type(item)}")
        return item in container
    if isinstance(container, (list, tuple, Mapping)):
        return item in container
    raise bounded.Refused(f"'in' needs text or a list on its right, not {bounded._type(container)}")


def _field(base: Any, attr: str, record: str) -> Any:
    if type(base) is dict or isinstance(base, Mapping):
        # A field a minigame or profile has not produced yet reads as 0, like an unset score.
        return base.get(attr, 0)
    raise _NoFields(record, base)


class _Compiler:
    """Turns a checked tree into closures taking a Scope. Parts that read nothing are computed now."""

    def compile(self, node: ast.AST) -> _Compiled:
        method = getattr(self, "c_" + type(node).__name__)
        fn, const = method(node)
        return fn, const

    def _const(self, node: ast.AST, thunk: Callable[[], Any]) -> _Compiled:
        """Compute a part that reads nothing now; a failure is the writer's to fix at load."""
        try:
            value = thunk()
        except (bounded.Refused, TypeError, ValueError, ZeroDivisionError, OverflowError, KeyError) as exc:
            raise ExpressionError(
                f"'{_short(ast.unparse(node))}' fails on every run: {_reason(exc)}",
                getattr(node, "col_offset", 0),
                "TT0201",
            ) from None
        return (lambda s: value), value

    def c_Constant(self, node: ast.Constant) -> _Compiled:
        value = node.value
        return (lambda s: value), value

    def c_Name(self, node: ast.Name) -> _Compiled:
        name = node.id
        if name in CONSTANTS:
            value = CONSTANTS[name]
            return (lambda s: value), value
        if name in FUNCTIONS:
            raise ExpressionError(f"'{name}' is a function: call it, like {name}(...)", node.col_offset, "TT0202")

        def read(s: Scope) -> Any:
            try:
                return s.names[name]
            except KeyError:
                raise _Undefined(name) from None

        return read, _NOT_CONSTANT

    def c_Attribute(self, node: ast.Attribute) -> _Compiled:
        assert isinstance(node.value, ast.Name)  # the checker allows fields of names only
        record, attr = node.value.id, node.attr
        base, const = self.compile(node.value)
        if const is not _NOT_CONSTANT:
            raise ExpressionError(f"'{record}' has no fields", node.col_offset, "TT0205")
        return (lambda s: _field(base(s), attr, record)), _NOT_CONSTANT

    def c_List(self, node: ast.List | ast.Tuple) -> _Compiled:
        parts = [self.compile(e) for e in node.elts]
        fns = [f for f, _ in parts]
        if all(c is not _NOT_CONSTANT for _, c in parts):
            return self._const(node, lambda: bounded.check([c for _, c in parts]))
        return (lambda s: bounded.check([f(s) for f in fns])), _NOT_CONSTANT

    c_Tuple = c_List

    def c_UnaryOp(self, node: ast.UnaryOp) -> _Compiled:
        fn, const = self.compile(node.operand)
        if isinstance(node.op, ast.Not):
            op = operator.not_
        else:
            op = bounded.neg if isinstance(node.op, ast.USub) else bounded.pos
        if const is not _NOT_CONSTANT:
            return self._const(node, lambda: op(const))
        return (lambda s: op(fn(s))), _NOT_CONSTANT

    def c_BinOp(self, node: ast.BinOp) -> _Compiled:
        op = _BIN[type(node.op)]
        (lf, lc), (rf, rc) = self.compile(node.left), self.compile(node.right)
        if lc is not _NOT_CONSTANT and rc is not _NOT_CONSTANT:
            return self._const(node, lambda: op(lc, rc))
        if rc is not _NOT_CONSTANT:
            return (lambda s: op(lf(s), rc)), _NOT_CONSTANT
        return (lambda s: op(lf(s), rf(s))), _NOT_CONSTANT

    def c_BoolOp(self, node: ast.BoolOp) -> _Compiled:
        parts = [self.compile(v) for v in node.values]
        fns = tuple(f for f, _ in parts)
        if all(c is not _NOT_CONSTANT for _, c in parts):
            consts = [c for _, c in parts]
            return self._const(node, lambda: _boolop(isinstance(node.op, ast.And), consts))
        if isinstance(node.op, ast.And):

            def both(s: Scope) -> Any:
                value = True
                for f in fns:
                    value = f(s)
                    if not value:
                        return value
                return value

            return both, _NOT_CONSTANT

        def either(s: Scope) -> Any:
            value = False
            for f in fns:
                value = f(s)
                if value:
                    return value
            return value

        return either, _NOT_CONSTANT

    def c_Compare(self, node: ast.Compare) -> _Compiled:
        first = self.compile(node.left)
        rest = [self.compile(c) for c in node.comparators]
        ops = [_CMP[type(o)] for o in node.ops]
        everything = [first, *rest]
        if all(c is not _NOT_CONSTANT for _, c in everything):
            consts = [c for _, c in everything]
            return self._const(node, lambda: _compare(ops, consts))
        if len(ops) == 1:
            op = ops[0]
            (lf, _lc), (rf, rc) = first, rest[0]
            if rc is not _NOT_CONSTANT:
                return (lambda s: op(lf(s), rc)), _NOT_CONSTANT
            return (lambda s: op(lf(s), rf(s))), _NOT_CONSTANT
        fns = [f for f, _ in everything]

        def chain(s: Scope) -> bool:
            left = fns[0](s)
            for op, f in zip(ops, fns[1:]):
                right = f(s)
                if not op(left, right):
                    return False
                left = right
            return True

        return chain, _NOT_CONSTANT

    def c_IfExp(self, node: ast.IfExp) -> _Compiled:
        (tf, tc), (bf, _), (of, _) = self.compile(node.test), self.compile(node.body), self.compile(node.orelse)
        if tc is not _NOT_CONSTANT:
            return self.compile(node.body if tc else node.orelse)
        return (lambda s: bf(s) if tf(s) else of(s)), _NOT_CONSTANT

    def c_Call(self, node: ast.Call) -> _Compiled:
        assert isinstance(node.func, ast.Name)  # the checker allows calls of names only
        name = node.func.id
        args = [self.compile(a) for a in node.args]
        fns = [f for f, _ in args]
        constant = all(c is not _NOT_CONSTANT for _, c in args)
        if name in bounded.RECALL_FUNCTIONS:
            recall = bounded.RECALL_FUNCTIONS[name]
            if len(fns) > 1:
                raise ExpressionError(f"{name}() takes at most one number", node.col_offset, "TT0201")
            return (lambda s: recall(s.names, *[f(s) for f in fns])), _NOT_CONSTANT
        if name in bounded.RANDOM_FUNCTIONS:
            rand = bounded.RANDOM_FUNCTIONS[name]
            if constant:
                # Random, so not computed now; but arguments that fail on every run are caught now.
                consts = [c for _, c in args]
                self._const(node, lambda: rand(random.Random(0), *consts))
            return (lambda s: rand(s.rng, *[f(s) for f in fns])), _NOT_CONSTANT
        fn = PURE_FUNCTIONS[name]
        if constant:
            consts = [c for _, c in args]
            return self._const(node, lambda: fn(*consts))
        if len(fns) == 1:
            only = fns[0]
            return (lambda s: fn(only(s))), _NOT_CONSTANT
        return (lambda s: fn(*[f(s) for f in fns])), _NOT_CONSTANT


def _boolop(is_and: bool, values: list[Any]) -> Any:
    value = is_and
    for value in values:
        if bool(value) is not is_and:
            return value
    return value


def _compare(ops: list[Callable[[Any, Any], Any]], values: list[Any]) -> bool:
    for op, left, right in zip(ops, values, values[1:]):
        if not op(left, right):
            return False
    return True


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, TypeError):
        msg = str(exc)
        if "not supported between instances of" in msg:
            return "it compares values of different kinds (" + msg.split("instances of ", 1)[1].replace("'", "") + ")"
        return msg
    return str(exc)


# ---------------------------------------------------------------- evaluating


class Scope:
    """Evaluates checked expressions against a mapping of names (variables and the built-ins)."""

    __slots__ = ("names", "rng")

    def __init__(self, names: Mapping[str, Any], rng: random.Random) -> None:
        self.names = names
        self.rng = rng

    def eval(self, expr: Expression) -> Any:
        try:
            return expr.fn(self)  # type: ignore[misc]  # never None once parsed; None would be a TypeError below
        except _Undefined as exc:
            raise ExpressionError(f"'{exc.name}' is not defined", 0, "TT0203") from None
        except _NoFields as exc:
            raise ExpressionError(
                f"cannot evaluate '{_short(expr.source)}': '{exc.name}' is "
                f"{bounded._type(exc.value)} and has no fields",
                0,
                "TT0205",
            ) from None
        except (
            bounded.Refused,
            TypeError,
            ValueError,
            ZeroDivisionError,
            OverflowError,
            KeyError,
            RecursionError,
            MemoryError,
        ) as exc:
            raise ExpressionError(f"cannot evaluate '{_short(expr.source)}': {_reason(exc)}", 0, "TT0201") from None

    def truth(self, expr: Expression) -> bool:
        return bool(self.eval(expr))


# ---------------------------------------------------------------- text interpolation


class Template(NamedTuple):
    """Text with `{expr}` holes; `{{` and `}}` are literal braces. (A named tuple: levels hold
    tens of thousands of them, and they are built again each time a level is read.)"""

    source: str
    parts: tuple[Any, ...]
    literal: str | None = None  # the text itself when it has no holes (most lines), else None

    @property
    def expressions(self) -> tuple[Expression, ...]:
        return tuple(p for p in self.parts if isinstance(p, Expression))

    def render(self, scope: Scope) -> str:
        if self.literal is not None:
            return self.literal
        out = []
        size = 0
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                size += len(part)
                continue
            value = scope.eval(part)
            if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
                value = int(value)
            elif isinstance(value, float):
                value = round(value, 2)
            try:
                text = "" if value is None else str(value)
            except ValueError as exc:  # an integer past Python's digit limit for text
                raise ExpressionError(
                    f"cannot show '{_short(part.source)}' as text: {exc}", part.offset, "TT0201"
                ) from None
            size += len(text)
            if size > bounded.MAX_TEXT:
                raise ExpressionError(
                    f"the text would be over {bounded.MAX_TEXT:,} characters long", part.offset, "TT0201"
                )
            out.append(text)
        return "".join(out)

    def __repr__(self) -> str:
        return f"Template({self.source!r})"


def template(text: str) -> Template:
    """Split text into literal parts and expressions; ExpressionError has the column in the text."""
    if "{" not in text and "}" not in text:
        return Template(text, (text,), text)  # most lines have no holes: skip the scanner
    return _template(text)


@functools.lru_cache(maxsize=16384)
def _template(text: str) -> Template:
    parts: list[str | Expression] = []
    buf: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "{" and i + 1 < n and text[i + 1] == "{":
            buf.append("{")
            i += 2
        elif ch == "}" and i + 1 < n and text[i + 1] == "}":
            buf.append("}")
            i += 2
        elif ch == "{":
            end = text.find("}", i + 1)
            if end < 0:
                raise ExpressionError("'{' is never closed", i, "TT0201", "write {{ for a literal brace")
            if buf:
                parts.append("".join(buf))
                buf = []
            try:
                parts.append(parse(text[i + 1 : end]).at(i + 1))
            except ExpressionError as exc:
                exc.column += i + 1
                raise
            i = end + 1
        elif ch == "}":
            raise ExpressionError("'}' without an opening '{'", i, "TT0201", "write }} for a literal brace")
        else:
            buf.append(ch)
            i += 1
    if buf or not parts:
        parts.append("".join(buf))
    literal = parts[0] if len(parts) == 1 and isinstance(parts[0], str) else None
    return Template(text, tuple(parts), literal)
