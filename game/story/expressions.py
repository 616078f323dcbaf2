"""The level expression language: conditions (`if:`), effects (`set:`) and `{...}` in text.

A small, safe subset of Python expression syntax, checked when a level loads and run by
`simpleeval` (never Python's eval): names, numbers, strings, true/false, comparisons,
and/or/not, arithmetic, `x if c else y`, `a in [..]`, `record.field` (minigame results,
the value profile, visit counts) and a few functions. Anything else (imports, calls to
unknown functions, attributes that start with `_`, subscripts, lambdas, comprehensions)
is refused with a message naming the construct.
"""
from __future__ import annotations

import ast
import functools
import random
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping

import simpleeval


class ExpressionError(Exception):
    """A problem in an expression: `column` is 0-based within the expression text."""

    def __init__(self, message: str, column: int = 0, code: str = "TT0201", hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.code = code
        self.hint = hint


def _clamp(x, lo, hi):
    return max(lo, min(hi, x))


# Pure functions; `chance` and `roll` are bound per runtime to its seeded RNG.
PURE_FUNCTIONS: dict[str, Callable] = {
    "min": min, "max": max, "abs": abs, "round": round, "int": int, "float": float,
    "str": str, "len": len, "clamp": _clamp, "lower": lambda s: str(s).lower(),
    "upper": lambda s: str(s).upper(),
}
RANDOM_FUNCTIONS = ("chance", "roll")
FUNCTIONS = tuple(sorted([*PURE_FUNCTIONS, *RANDOM_FUNCTIONS]))
CONSTANTS = {"true": True, "false": False, "none": None, "True": True, "False": False, "None": None}

_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div,
    ast.FloorDiv, ast.Mod, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Compare, ast.Eq, ast.NotEq,
    ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.IfExp, ast.Call, ast.Name, ast.Load,
    ast.Constant, ast.Attribute, ast.List, ast.Tuple,
)
_FRIENDLY = {
    "Subscript": "indexing with [...]", "Lambda": "lambda", "ListComp": "comprehensions",
    "GeneratorExp": "comprehensions", "DictComp": "comprehensions", "SetComp": "comprehensions",
    "Dict": "dict literals", "Set": "set literals", "Pow": "the power operator **",
    "NamedExpr": "assignment (:=)", "JoinedStr": "f-strings", "Starred": "*unpacking",
    "Await": "await", "Yield": "yield", "BitAnd": "bitwise &", "BitOr": "bitwise |",
    "BitXor": "bitwise ^", "LShift": "<<", "RShift": ">>", "Invert": "~", "Is": "'is' (use ==)",
    "IsNot": "'is not' (use !=)", "MatMult": "@",
}


@dataclass(frozen=True)
class Expression:
    """A checked expression: its source, parsed tree, and the names it reads."""

    source: str
    tree: ast.AST
    names: frozenset[str]              # top-level variable names read
    fields: tuple[tuple[str, str, int], ...]  # (record, field, column) for record.field reads
    uses_random: bool
    name_cols: tuple[tuple[str, int], ...] = ()   # (name, column) of each name's first read
    offset: int = 0                                  # where the expression starts in its text (templates)

    def column_of(self, name: str) -> int:
        return self.offset + next((c for n, c in self.name_cols if n == name), 0)

    def __str__(self) -> str:
        return self.source


def parse(source: Any) -> Expression:
    """Check an expression and return it parsed; raises ExpressionError with a column.

    Levels repeat the same conditions many times; Expressions are immutable, so each
    distinct text is checked once.
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
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        col = max(0, (exc.offset or 1) - 1)
        msg = exc.msg.replace("invalid syntax. ", "")
        hint = ""
        if "=" in text and "==" not in text and not any(op in text for op in ("<=", ">=", "!=")):
            hint = "compare with == (a single = is not an expression; use `set:` to change a variable)"
        raise ExpressionError(f"cannot read expression '{text}': {msg}", col, "TT0201", hint) from None
    names: set[str] = set()
    name_cols: list[tuple[str, int]] = []
    fields: list[tuple[str, str, int]] = []
    uses_random = False
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            kind = type(node).__name__
            raise ExpressionError(f"not allowed in level expressions: {_FRIENDLY.get(kind, kind)}",
                                  getattr(node, "col_offset", 0), "TT0202",
                                  "expressions use names, numbers, text, comparisons, and/or/not, arithmetic and a few functions")
        if isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                raise ExpressionError(f"'.{node.attr}' is not allowed: names starting with _ are private",
                                      node.col_offset, "TT0202")
            if not isinstance(node.value, ast.Name):
                raise ExpressionError("only one level of fields is allowed, like defense.score",
                                      node.col_offset, "TT0202")
            fields.append((node.value.id, node.attr, node.col_offset))
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise ExpressionError("only the built-in functions can be called", node.col_offset, "TT0202",
                                      f"functions: {', '.join(FUNCTIONS)}")
            if node.func.id.startswith("_"):
                raise ExpressionError(f"'{node.func.id}' is not allowed: names starting with _ are private",
                                      node.col_offset, "TT0202")
            if node.func.id not in FUNCTIONS:
                raise ExpressionError(f"unknown function '{node.func.id}'", node.col_offset, "TT0204",
                                      f"functions: {', '.join(FUNCTIONS)}")
            if node.keywords:
                raise ExpressionError("functions take plain arguments, not name=value", node.col_offset, "TT0202")
            uses_random |= node.func.id in RANDOM_FUNCTIONS
        elif isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise ExpressionError(f"'{node.id}' is not allowed: names starting with _ are private",
                                      node.col_offset, "TT0202")
            if node.id not in CONSTANTS and node.id not in FUNCTIONS:
                if node.id not in names:
                    name_cols.append((node.id, node.col_offset))
                names.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, (bytes, complex)) :
            raise ExpressionError("only numbers, text and true/false are allowed as literals", node.col_offset, "TT0202")
    # Function names used as values (not calls) are still names to check.
    lead = len(source) - len(source.lstrip())
    name_cols.sort(key=lambda nc: nc[1])
    return Expression(text, tree, frozenset(names), tuple(fields), uses_random,
                      tuple((n, c + lead) for n, c in name_cols), 0)


class _Evaluator(simpleeval.EvalWithCompoundTypes):
    """simpleeval with record fields: `defense.score` reads a key of a dict, nothing else."""

    def _eval_attribute(self, node):
        if node.attr.startswith("_"):
            raise simpleeval.FeatureNotAvailable(f"'.{node.attr}' is not allowed")
        base = self._eval(node.value)
        if isinstance(base, Mapping):
            if node.attr in base:
                return base[node.attr]
            # A field a minigame or profile has not produced yet reads as 0, like an unset score.
            return 0
        raise simpleeval.FeatureNotAvailable(f"'{ast.unparse(node.value)}' has no fields")


class Scope:
    """Evaluates checked expressions against a world's variables."""

    def __init__(self, names: Mapping[str, Any], rng: random.Random) -> None:
        functions = dict(PURE_FUNCTIONS)
        functions["chance"] = lambda p: rng.random() < float(p)
        functions["roll"] = lambda n: rng.randint(1, int(n))
        self._names = names
        self._eval = _Evaluator(functions=functions, names=self._lookup)

    def _lookup(self, node):
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        try:
            return self._names[node.id]
        except KeyError:
            raise simpleeval.NameNotDefined(node.id, self._eval.expr) from None

    def eval(self, expr: Expression) -> Any:
        try:
            return self._eval.eval(expr.source, previously_parsed=expr.tree.body)
        except simpleeval.NameNotDefined as exc:
            raise ExpressionError(f"'{exc.name}' is not defined", 0, "TT0203") from None
        except (simpleeval.InvalidExpression, TypeError, ValueError, ZeroDivisionError) as exc:
            raise ExpressionError(f"cannot evaluate '{expr.source}': {exc}", 0, "TT0201") from None

    def truth(self, expr: Expression) -> bool:
        return bool(self.eval(expr))


# ---------------------------------------------------------------- text interpolation

@dataclass(frozen=True)
class Template:
    """Text with `{expr}` holes; `{{` and `}}` are literal braces."""

    source: str
    parts: tuple[str | Expression, ...]

    @property
    def expressions(self) -> tuple[Expression, ...]:
        return tuple(p for p in self.parts if isinstance(p, Expression))

    def render(self, scope: Scope) -> str:
        if len(self.parts) == 1 and isinstance(self.parts[0], str):
            return self.parts[0]
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                value = scope.eval(part)
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                elif isinstance(value, float):
                    value = round(value, 2)
                out.append("" if value is None else str(value))
        return "".join(out)


def template(text: str) -> Template:
    """Split text into literal parts and expressions; ExpressionError has the column in the text."""
    if "{" not in text and "}" not in text:
        return Template(text, (text,))     # most lines have no holes: skip the scanner
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
                parts.append(replace(parse(text[i + 1:end]), offset=i + 1))
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
    return Template(text, tuple(parts))
