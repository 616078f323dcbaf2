"""The contract between the story runtime, the front ends and each minigame."""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

PARAM_KINDS = ("int", "number", "bool", "text", "words", "profile", "choice")

_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring, _SHORT.maxother = 2, 4, 4, 40, 40


def shown(value: Any) -> str:
    """A value as a message shows it: short, whatever its size (reprlib stops early)."""
    return _SHORT.repr(value)


@dataclass(frozen=True)
class Param:
    """One parameter a minigame accepts from a level's `params:`: its kind, range and default.

    kinds: int and number (with minimum/maximum), bool, text, choice (one of `choices`),
    words (a list of at least `minimum` distinct words), profile (dimension -> number in [-1, 1]).
    The loader checks every level's params against these at load (TT0206), and the
    minigame's own reset() normalises through `normalise`, so the two cannot disagree.
    """

    kind: str
    doc: str
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    def problem(self, value: Any) -> str | None:
        """None if `value` is acceptable, else what was expected, in a writer's words."""
        k = self.kind
        if k in ("int", "number"):
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or (k == "int" and not float(value).is_integer())
                or value != value
            ):
                return f"expects {'a whole number' if k == 'int' else 'a number'}{self._range()}, found {shown(value)}"
            if (self.minimum is not None and value < self.minimum) or (
                self.maximum is not None and value > self.maximum
            ):
                return f"expects a value{self._range()}, found {shown(value)}"
            return None
        if k == "bool":
            return None if isinstance(value, bool) else f"expects true or false, found {shown(value)}"
        if k == "text":
            return None if isinstance(value, str) else f"expects text, found {shown(value)}"
        if k == "choice":
            if isinstance(value, str) and value.lower() in self.choices:
                return None
            return f"expects one of {', '.join(self.choices)}, found {shown(value)}"
        if k == "words":
            if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
                return f"expects a list of words, found {shown(value)}"
            if self.minimum is not None and len({w.strip() for w in value}) < self.minimum:
                return f"expects at least {int(self.minimum)} different words, found {len({w.strip() for w in value})}"
            return None
        if k == "profile":
            if not isinstance(value, dict):
                return f"expects a mapping of value dimension -> number in [-1, 1], found {shown(value)}"
            for dim, v in value.items():
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not -1.0 <= v <= 1.0:
                    return f"expects each value in [-1, 1]; '{dim}' is {shown(v)}"
            return None
        return f"has an unknown kind '{k}'"

    def _range(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f" from {_num(self.minimum)} to {_num(self.maximum)}"
        if self.minimum is not None:
            return f" of at least {_num(self.minimum)}"
        if self.maximum is not None:
            return f" of at most {_num(self.maximum)}"
        return ""

    def describe(self) -> str:
        """One line for `minigame NAME --help` and the docs."""
        default = "" if self.default is None else f"; default {self.default!r}"
        allowed = self._range().strip() if self.kind in ("int", "number") else ""
        if self.kind == "choice":
            allowed = "one of " + ", ".join(self.choices)
        elif self.kind == "words" and self.minimum:
            allowed = f"at least {int(self.minimum)} words"
        return f"{self.doc}{' (' + allowed + ')' if allowed else ''}{default}"


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def check_params(name: str, declared: dict[str, Param], params: Any) -> list[tuple[str | None, str]]:
    """Problems of a level's `params:` for minigame `name`: [(param or None, message)], empty when all is well."""
    if not isinstance(params, dict):
        return [(None, f"'params' of minigame '{name}' should be a mapping")]
    out: list[tuple[str | None, str]] = []
    for key, value in params.items():
        if key not in declared:
            close = difflib.get_close_matches(str(key), list(declared), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"it accepts: {', '.join(declared) or 'none'}"
            out.append((key, f"minigame '{name}' has no param '{key}' ({hint})"))
            continue
        problem = declared[key].problem(value)
        if problem:
            out.append((key, f"minigame '{name}': param '{key}' {problem}"))
    return out


def normalise(name: str, declared: dict[str, Param], params: Any) -> dict[str, Any]:
    """Params with defaults filled in; ValueError naming the first problem."""
    problems = check_params(name, declared, params or {})
    if problems:
        raise ValueError(problems[0][1])
    out = {k: p.default for k, p in declared.items()}
    out.update(params or {})
    return out


@dataclass(frozen=True)
class MinigameInfo:
    name: str
    title: str
    # The fields `result()` returns, name -> one-line meaning. Level conditions may read
    # `<as>.<field>`; the linter checks reads against this list.
    result_fields: dict[str, str]
    # What the level gets when the front end cannot show the minigame, or the player
    # uses "skip minigame". A level may override it with `default:`.
    default_result: dict[str, Any]
    params: dict[str, Param] = field(default_factory=dict)  # accepted params, checked at load
    # Whether a result could come out of the game at all. Exploration (lint, playtest
    # --exhaustive) tries the combinations of the values a level's conditions test; this
    # drops the ones the game never gives (a verdict of "none" with `understood` true),
    # which would be states no player can reach. None: every combination is possible.
    possible: Callable[[dict[str, Any]], bool] | None = None


class Minigame:
    """Base class. Subclasses keep all state in plain data so snapshot() is JSON."""

    NAME = "minigame"

    @classmethod
    def info(cls) -> MinigameInfo:
        raise NotImplementedError

    def reset(self, seed: int, params: dict[str, Any] | None = None) -> None:
        raise NotImplementedError

    def step(self, dt: float, inputs: Any = None) -> None:
        raise NotImplementedError

    @property
    def done(self) -> bool:
        raise NotImplementedError

    def result(self) -> dict[str, Any]:
        raise NotImplementedError

    def snapshot(self) -> dict[str, Any]:
        raise NotImplementedError

    def restore(self, snap: dict[str, Any]) -> None:
        raise NotImplementedError

    def autopilot(self) -> Callable[[Self], Any]:
        """A policy: called with the game, returns the inputs for the next step."""
        raise NotImplementedError

    # Fixed time step the autopilot and headless runs use.
    DT = 1 / 30


def run_autopilot(
    name: str, seed: int, params: dict[str, Any] | None = None, max_steps: int = 1_000_000
) -> dict[str, Any]:
    """Play a minigame to its end with its own autopilot: for playtests and the CLI."""
    from game import minigames

    game = minigames.get(name)()
    game.reset(seed, params or {})
    policy = game.autopilot()
    steps = 0
    while not game.done and steps < max_steps:
        game.step(game.DT, policy(game))
        steps += 1
    return game.result()
