"""Bounded operations and functions of the level expression language.

Every operation an expression can perform is one of these, so one evaluation is bounded
in time and memory by construction: no value a level can build grows past the limits
below, and each operation on values within them is linear at worst. Python's own
operators would let `'x' * 10**9`, `round(5, -10**9)` or `'%999999999d' % 1` take minutes
or gigabytes; here each is refused at once with a message saying what was too large.

The limits, and why:
- MAX_TEXT (100,000 characters): longer than any line or variable a story needs, and a
  copy of it costs microseconds.
- MAX_ITEMS (10,000 list items, nested lists counted through): lists exist for `in [...]`
  tests and small tallies, never for data.
- MAX_INT_BITS (4,096 bits, about 1,233 digits): far past any score, and well inside
  Python's 4,300-digit limit for turning integers into text.
- MAX_FORMAT (100): the widest field or precision a `%` format may ask for.
- MAX_ROUND_DIGITS (100): how many digits `round` may keep or drop.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

_T = TypeVar("_T")

MAX_TEXT = 100_000
MAX_ITEMS = 10_000
MAX_INT_BITS = 4_096
MAX_FORMAT = 100
MAX_ROUND_DIGITS = 100


class Refused(Exception):
    """An operation the language will not perform: its message says why, in a writer's words."""


def _type(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "a record"
    if value is None:
        return "none"
    return type(value).__name__


def weight(value: Any, budget: int = MAX_ITEMS + 1) -> int:
    """Items in a list, counting nested lists through, stopping early once past `budget`."""
    if not isinstance(value, (list, tuple)):
        return 0
    total = 0
    stack = [value]
    while stack:
        seq = stack.pop()
        total += len(seq)
        if total >= budget:
            return total
        stack.extend(v for v in seq if isinstance(v, (list, tuple)))
    return total


def check(value: _T) -> _T:
    """`value`, if it is within the limits; Refused otherwise."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise Refused(f"the text would be {len(value):,} characters long (the limit is {MAX_TEXT:,})")
    elif isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            raise Refused(
                f"the number would have about {int(value.bit_length() * 0.30103):,} digits "
                f"(the limit is about {int(MAX_INT_BITS * 0.30103):,})"
            )
    elif isinstance(value, (list, tuple)):
        if weight(value) > MAX_ITEMS:
            raise Refused(f"the list would hold more than {MAX_ITEMS:,} items")
    return value


# ------------------------------------------------------------------ operators


def add(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:  # the common case: counters
        r = a + b
        if -(1 << 62) < r < (1 << 62):
            return r
        return check(r)
    if isinstance(a, str) and isinstance(b, str):
        if len(a) + len(b) > MAX_TEXT:
            raise Refused(f"the text would be {len(a) + len(b):,} characters long (the limit is {MAX_TEXT:,})")
        return a + b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return check(list(a) + list(b))
    _numbers("+", a, b)
    return check(a + b)


def sub(a: Any, b: Any) -> Any:
    _numbers("-", a, b)
    return check(a - b)


def mul(a: Any, b: Any) -> Any:
    if isinstance(a, (str, list, tuple)) and _is_int(b):
        return _repeat(a, b)
    if isinstance(b, (str, list, tuple)) and _is_int(a):
        return _repeat(b, a)
    _numbers("*", a, b)
    if isinstance(a, int) and isinstance(b, int) and a.bit_length() + b.bit_length() > MAX_INT_BITS + 1:
        raise Refused(f"the number would have more than about {int(MAX_INT_BITS * 0.30103):,} digits")
    return check(a * b)


def div(a: Any, b: Any) -> Any:
    _numbers("/", a, b)
    return a / b


def floordiv(a: Any, b: Any) -> Any:
    _numbers("//", a, b)
    return check(a // b)


def mod(a: Any, b: Any) -> Any:
    if isinstance(a, str):
        return _format(a, b)
    _numbers("%", a, b)
    return a % b


def neg(a: Any) -> Any:
    _numbers("-", a, 0)
    return -a


def pos(a: Any) -> Any:
    _numbers("+", a, 0)
    return +a


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _numbers(op: str, a: Any, b: Any) -> None:
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        raise Refused(f"'{op}' needs numbers, not {_type(a)} and {_type(b)}")


def _repeat(seq: Any, n: int) -> Any:
    n = max(0, n)
    if isinstance(seq, str):
        if len(seq) * n > MAX_TEXT:
            raise Refused(f"the text would be {len(seq) * n:,} characters long (the limit is {MAX_TEXT:,})")
        return seq * n
    if max(1, weight(seq)) * n > MAX_ITEMS:
        raise Refused(f"the list would hold more than {MAX_ITEMS:,} items")
    return list(seq) * n


_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.)", re.S)


def _format(fmt: str, args: Any) -> str:
    """`text % values`, with every field's width and precision checked first."""
    for m in _SPEC.finditer(fmt):
        width, precision, conv = m.groups()
        if "*" in (width, precision):
            raise Refused("'%' formats may not take their width from the values ('*')")
        for part in (width, precision):
            if part and (len(part) > 3 or int(part) > MAX_FORMAT):
                raise Refused(f"a '%' format field may be at most {MAX_FORMAT} wide")
        if conv not in "diouxXeEfFgGcrsa%":
            raise Refused(f"'%{conv}' is not a format")
    if isinstance(args, list):
        args = tuple(args)
    try:
        out: str = fmt % args
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        raise Refused(f"cannot format the text: {exc}") from None
    return check(out)


# ------------------------------------------------------------------ functions


def _round(x: Any, digits: Any = None) -> Any:
    if not isinstance(x, (int, float)):
        raise Refused(f"round() takes a number, not {_type(x)}")
    if digits is None:
        return round(x)
    if not _is_int(digits):
        raise Refused("round()'s second argument is a whole number of digits")
    if abs(digits) > MAX_ROUND_DIGITS:
        raise Refused(f"round() keeps at most {MAX_ROUND_DIGITS} digits either side of the point")
    return round(x, digits)


def _int(x: Any) -> int:
    if isinstance(x, str) and len(x.strip()) > 400:
        raise Refused("int() reads at most 400 characters of text")
    if isinstance(x, float) and not math.isfinite(x):
        raise Refused(f"int() cannot turn {x} into a whole number")
    if not isinstance(x, (int, float, str)):
        raise Refused(f"int() takes a number or text, not {_type(x)}")
    return check(int(x))


def _float(x: Any) -> float:
    if isinstance(x, str) and len(x.strip()) > 400:
        raise Refused("float() reads at most 400 characters of text")
    if not isinstance(x, (int, float, str)):
        raise Refused(f"float() takes a number or text, not {_type(x)}")
    return float(x)


def _str(x: Any) -> str:
    return check(str(x))


def _len(x: Any) -> int:
    if not isinstance(x, (str, list, tuple, Mapping)):
        raise Refused(f"len() takes text or a list, not {_type(x)}")
    return len(x)


def _extreme(fn: Callable[[Sequence[Any]], Any], name: str) -> Callable[..., Any]:
    def pick(*args: Any) -> Any:
        items = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
        if not items:
            raise Refused(f"{name}() needs at least one value")
        return fn(items)

    return pick


def _abs(x: Any) -> Any:
    _numbers("abs", x, 0)
    return abs(x)


def _clamp(x: Any, lo: Any, hi: Any) -> Any:
    for v in (x, lo, hi):
        if not isinstance(v, (int, float)):
            raise Refused(f"clamp() takes numbers, not {_type(v)}")
    return max(lo, min(hi, x))


def _lower(s: Any) -> str:
    return check(str(s).lower())


def _upper(s: Any) -> str:
    return check(str(s).upper())


PURE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "min": _extreme(min, "min"),
    "max": _extreme(max, "max"),
    "abs": _abs,
    "round": _round,
    "int": _int,
    "float": _float,
    "str": _str,
    "len": _len,
    "clamp": _clamp,
    "lower": _lower,
    "upper": _upper,
}


def chance(rng: random.Random, p: Any) -> bool:
    if not isinstance(p, (int, float)) or isinstance(p, bool):
        raise Refused(f"chance() takes a probability from 0 to 1, not {_type(p)}")
    return rng.random() < p


def roll(rng: random.Random, n: Any) -> int:
    if not _is_int(n) or n < 1:
        raise Refused(f"roll() takes a whole number of sides, at least 1 (got {n!r})")
    if n.bit_length() > 64:
        raise Refused("roll() takes at most a 64-bit number of sides")
    return rng.randint(1, n)


RANDOM_FUNCTIONS: dict[str, Callable[..., Any]] = {"chance": chance, "roll": roll}


# ------------------------------------------------------------------ what the player did


def _recall(items: Any, n: Any, what: str) -> str:
    if not _is_int(n):
        raise Refused(f"{what}() takes a whole number: 1 for the first, -1 for the last")
    if not isinstance(items, (list, tuple)) or not items or n == 0 or abs(n) > len(items):
        return ""
    return str(items[n - 1] if n > 0 else items[n])


def said(names: Any, n: Any = -1) -> str:
    """The nth thing the player typed in a conversation (1 the first, -1 the last), "" if none."""
    return _recall(names["_said"], n, "said")


def drew(names: Any, n: Any = -1) -> str:
    """The nth idea the player drew in a minigame (1 the first, -1 the last), "" if none."""
    return _recall(names["_drew"], n, "drew")


# Functions that read what the player did this run (kept in the world, saved with it).
RECALL_FUNCTIONS: dict[str, Callable[..., Any]] = {"said": said, "drew": drew}
