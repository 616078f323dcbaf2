"""Step types: each kind of step a scene can hold lives in one module of this package.

A step type is a class deriving from `Step`, registered with `@register`. It owns
everything the engine knows about it, so adding a step is one module (plus, when it
asks the player something, one handler per front end):

    name, description        the YAML key that starts it (`choice:`) and a line for docs
    head_schema, modifiers    JSON Schema of its value and of the other keys allowed beside it
    read(ctx, ...)            build it from YAML nodes, reporting problems at their file:line:col
    reads/writes/stores       what it reads and writes (lint: unused and undefined variables)
    conditions/effects/texts  its expressions (exploration picks outcome values from these)
    exits(scene, index)       the machine's transitions it contributes (jumps, options)
    leaves()                  whether it always leaves its scene (lint: steps after it never run)
    lint(level, scene)        its own checks (e.g. a conversation partner without fallback lines)
    execute(rt)               run it: change the world and return None (a silent step), or
                              return the prompt the front end must answer
    answer(rt, prompt, ...)   take the front end's answer and move on
    forks(rt, prompt, oc)     the answers exploration tries (lint, exhaustive playtests)
    coverage(key)             the lines, options and endings it adds to a coverage report
    graph_mark()              how the story graph marks a scene that holds it

The registry is iterated by the loader, the runtime, lint, exploration, the story graph,
coverage, autoplay and the JSON Schema; a front end declares the prompt kinds it can show
(`require_kinds`) and refuses to start when one is missing. This is Ren'Py's
`statements.register(name, parse=, lint=, execute=, next=)`, as classes.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

if TYPE_CHECKING:
    import yaml

    from game.story.cache import _Decoder as Decoder
    from game.story.cache import _Encoder as Encoder
    from game.story.diagnostics import Diagnostic
    from game.story.explore import Outcomes
    from game.story.expressions import Expression, Template
    from game.story.loader import StepContext
    from game.story.model import Level
    from game.story.prompts import Prompt
    from game.story.runtime import Runtime

    Keys = dict[str, tuple[yaml.Node, yaml.Node]]  # a step's other keys: name -> (key node, value node)

EXPR = {"type": ["string", "number", "boolean"], "description": "an expression, e.g. trust > 2 and values.caution > 0"}
GUARD = {"if": (EXPR, "the step runs only when this holds; otherwise it is passed over")}


class Edge(NamedTuple):
    """A transition of the level's machine, contributed by a step (a jump or a choice option)."""

    id: str  # "scene:step" or "scene:step:option": stable, for graphs and tests
    trigger: str  # the machine event that carries it
    source: str
    dest: str | None  # None: an internal transition (an option that stays in the scene)
    step: int
    option: int | None
    guard: Any  # Expression | None: the transition's condition
    effects: tuple[Any, ...] = ()  # ((variable, Expression), ...): run before the move
    label: str = ""  # what the story graph prints on the arrow
    kind: str = "jump"  # jump | choice | outcome (a jump decided by a conversation or minigame)
    pos: Any = None  # where its condition is written (lint and exploration key on it)


@dataclass(slots=True, eq=False)
class Step:
    """Base of every step type. `pos` is where the step is written; `guard` its `if:` (or None)."""

    pos: Any
    guard: Any
    draws: bool = field(default=False, init=False, repr=False)  # may draw on the RNG (set by the loader)

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    head_schema: ClassVar[dict[str, Any] | None] = None
    modifiers: ClassVar[dict[str, tuple[dict[str, Any], str]]] = GUARD
    prompt_kind: ClassVar[str | None] = None  # the kind of prompt it yields; None for a silent step
    uses_random: ClassVar[bool] = False  # whether running it may draw on the story's RNG

    # ---------------------------------------------------------------- reading
    @classmethod
    def read(cls, ctx: StepContext, head: str, node: yaml.Node, keys: Keys, pos: Any, guard: Any) -> Step | None:
        """Build the step from its head node (`node`) and the other keys (`keys`: name -> (key, value) nodes)."""
        raise NotImplementedError

    # ---------------------------------------------------------------- lint facts
    def conditions(self) -> Iterator[tuple[Expression, Any]]:
        """(condition, where it is written) for every condition of the step, its `if:` first."""
        if self.guard is not None:
            yield self.guard, self.pos

    def effects(self) -> Iterator[tuple[str, Expression]]:
        """(variable, expression) for every assignment the step can make."""
        return iter(())

    def writes(self) -> builtins.set[str]:
        """Variables the step assigns (by default, those of its `effects`)."""
        return {name for name, _ in self.effects()}

    def texts(self) -> Iterator[Template]:
        """Every text with `{...}` holes the step shows."""
        return iter(())

    def stores(self) -> Iterator[tuple[str, str, Any]]:
        """(name, kind, detail) of results the step stores in the world (a minigame's `as:`)."""
        return iter(())

    def placed(self, scene: str, index: int, steps: tuple[Step, ...]) -> None:
        """Called once the step's scene is assembled, with the step's place in it."""

    def exits(self, scene: str, index: int, steps: tuple[Step, ...]) -> list[Edge]:
        """The moves this step can make (the story graph draws one arrow each)."""
        return []

    def transitions(self, scene: str, index: int, steps: tuple[Step, ...]) -> list[Edge]:
        """The transitions of the machine event this step fires, in the order the machine tries them."""
        return self.exits(scene, index, steps)

    def leaves(self) -> bool:
        """True when running the step always leaves the scene."""
        return False

    def lint(self, level: Level, scene: str) -> Iterator[Diagnostic]:
        return iter(())

    # ---------------------------------------------------------------- running
    def run(self, rt: Runtime) -> Prompt | None:
        """Run the step: the runtime calls this with the program counter on it."""
        if self.guard is not None and not rt.holds(self.guard, self.pos):
            rt._pc += 1
            return None
        return self.execute(rt)

    def execute(self, rt: Runtime) -> Prompt | None:
        raise NotImplementedError

    def answer(self, rt: Runtime, prompt: Any, *args: Any, **payload: Any) -> Any:
        """The front end's answer to this step's prompt."""
        raise NotImplementedError(f"'{self.name}' steps take no answer")

    # Exploration may pass a step without making its prompt when nothing the player does there
    # can change what follows (a line: the player only reads on). `skim` does that and returns
    # whether the step was shown (its `if:` held); steps that are not `skimmable` are prompted.
    skimmable: ClassVar[bool] = False

    def skim(self, rt: Runtime) -> bool:
        raise NotImplementedError

    def forks(self, rt: Runtime, prompt: Any, outcomes: Outcomes) -> list[dict[str, Any]]:
        """Answers (keyword payloads for `answer`) that exploration tries at this step's prompt."""
        return [{}]

    # ---------------------------------------------------------------- the compiled cache
    def pack(self, enc: Encoder) -> list[Any]:
        """The step's own fields as plain JSON values for the compiled level cache (game/story/cache.py).
        `enc.text/expr/template(...)` turn texts, expressions and templates into indexes of the cache's
        string table; `enc.value(...)` encodes anything else. The default covers every dataclass field."""
        import dataclasses

        return [enc.value(getattr(self, f.name)) for f in dataclasses.fields(self) if f.init][2:]

    @classmethod
    def unpack(cls, dec: Decoder, pos: Any, guard: Any, fields: list[Any]) -> Step:
        """The inverse of `pack`: `pos` and `guard` are already decoded."""
        return cls(pos, guard, *[dec.value(v) for v in fields])

    # ---------------------------------------------------------------- reports
    def coverage(self, key: str) -> dict[str, list[str]]:
        return {}

    def graph_mark(self) -> str:
        return ""


_REGISTRY: dict[str, type[Step]] = {}
_ORDER: list[str] = []


def register(cls: type[Step]) -> type[Step]:
    """Class decorator: make `cls` a step type the whole engine knows."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no `name` (the YAML key that starts the step)")
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"a step type called '{cls.name}' is already registered ({_REGISTRY[cls.name].__module__})")
    _REGISTRY[cls.name] = cls
    if cls.name not in _ORDER:
        _ORDER.append(cls.name)
    _bump()
    return cls


def unregister(name: str) -> None:
    """Forget a step type (tests that register their own use this to clean up)."""
    _REGISTRY.pop(name, None)
    if name in _ORDER:
        _ORDER.remove(name)
    _bump()


_GENERATION = [0]


def _bump() -> None:
    _GENERATION[0] += 1


def generation() -> int:
    """Changes whenever the registry does (caches of derived tables key on it)."""
    return _GENERATION[0]


def types() -> list[type[Step]]:
    _load_builtins()
    return [_REGISTRY[n] for n in _ORDER]


def get(name: str) -> type[Step] | None:
    _load_builtins()
    return _REGISTRY.get(name)


def heads() -> tuple[str, ...]:
    """Keys that start a step (a line is started by a speaker id instead)."""
    return tuple(n for n in (t.name for t in types()) if n != "line")


def prompt_kinds() -> builtins.set[str]:
    """Every prompt kind the registered steps can yield, plus the runtime's own chapter card."""
    return {t.prompt_kind for t in types() if t.prompt_kind} | {"level"}


def modifier_names() -> builtins.set[str]:
    return {m for t in types() for m in t.modifiers}


_BUILTINS = ("line", "choice", "set", "goto", "talk", "minigame", "effect", "end")
_loaded = [False]


def _load_builtins() -> None:
    if _loaded[0]:
        return
    _loaded[0] = True
    import importlib

    for mod in _BUILTINS:
        importlib.import_module(f"game.story.steps.{mod}")


class MissingPromptKinds(Exception):
    """A front end cannot show every kind of prompt the registered steps yield."""


def require_kinds(front_end: str, handled: Iterable[str]) -> None:
    """Refuse to start a front end that has no handler for some prompt kind, naming it."""
    # (`set` here is the set step's module once it is imported: the builtin is named in full)
    missing = sorted(prompt_kinds() - builtins.set(handled))
    if missing:
        owners = {t.prompt_kind: t for t in types()}
        named = ", ".join(
            f"'{k}' (the `{owners[k].name}:` step, {owners[k].__module__})" if k in owners else f"'{k}'"
            for k in missing
        )
        raise MissingPromptKinds(
            f"the {front_end} cannot show {named}: it has no handler for "
            f"{'that prompt kind' if len(missing) == 1 else 'those prompt kinds'}"
        )
