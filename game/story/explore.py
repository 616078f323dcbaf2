"""Explore every distinct state a story can reach: the engine behind lint and `playtest --exhaustive`.

The explorer plays the real runtime. At each decision it forks: every available choice
option, a set of representative conversation outcomes and minigame results. Those
representatives come from the level itself: for every condition such as
`defense.training >= 1.0` or `values.caution > 0.2`, the explorer tries values just
below, at and just above the constant, plus the extremes, so every branch the writer
wrote can be taken. States (level, scene, step, variables, profile) already seen are not
explored twice, so loops terminate; a bound stops runaway stories and says so.
"""

from __future__ import annotations

import ast
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from game.story.expressions import CONSTANTS, Expression
from game.story.model import Level, Story
from game.story.runtime import Runtime
from game.story.world import World

# How exploration keys a record: field -> the constants it is compared with (None: kept exactly).
_Plan = dict[str, tuple[Any, ...] | None]

MAX_COMBOS = 64
MAX_SILENT = 10_000  # steps run without a decision before the runtime's own loop check takes over


@dataclass
class Exploration:
    scenes: Counter[Any] = field(default_factory=Counter)  # (level, scene) -> times entered
    lines: Counter[Any] = field(default_factory=Counter)  # line key -> times shown
    choices: Counter[Any] = field(default_factory=Counter)  # "key#index" -> times taken
    endings: Counter[Any] = field(default_factory=Counter)  # (level, ending) -> times reached
    end_steps: set[Any] = field(default_factory=set)  # positions of End steps reached
    guards: dict[str, Any] = field(default_factory=dict)  # pos -> {True, False} seen
    empty_choices: set[Any] = field(default_factory=set)  # positions of choices that offered nothing
    dead_ends: Counter[Any] = field(default_factory=Counter)  # (level, scene) that ran out of steps
    states: int = 0
    paths: int = 0
    truncated: bool = False
    all_lines: set[Any] = field(default_factory=set)  # every line key in the story
    all_options: set[Any] = field(default_factory=set)


def _expressions(level: Level) -> Iterator[Expression]:
    """Conditions and effects: what steers the story."""
    for _sid, _i, step in level.steps():
        for cond, _pos in step.conditions():
            yield cond
        for _name, expr in step.effects():
            yield expr


def _all_expressions(level: Level) -> Iterator[Expression]:
    """Conditions and effects, plus the expressions inside text (`{'x' if c else 'y'}`)."""
    yield from _expressions(level)
    for _sid, _i, step in level.steps():
        for tpl in step.texts():
            yield from tpl.expressions


def _truth_tested(tree: ast.AST, is_condition: bool) -> Iterator[ast.expr]:
    """Sub-expressions used directly as true/false: `if: defense.weights_kept`, `not x`, `a and b`.
    A `{field}` shown in text is not a test; a whole `if:` is."""
    if is_condition and isinstance(tree, ast.Expression):
        yield tree.body
    for node in ast.walk(tree):
        if isinstance(node, ast.BoolOp):
            yield from node.values
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield node.operand
        elif isinstance(node, ast.IfExp):
            yield node.test


def boundaries(levels: Iterable[Level]) -> dict[tuple[str, str], set[Any]]:
    """(record, field) -> the constants conditions compare it with (True/False for bare tests)."""
    out: dict[tuple[str, str], set[Any]] = {}
    # Only conditions and effects steer the story; a condition inside `{...}` text changes words,
    # not paths, and varying results for it would multiply the states for no new scene or line.
    for level in levels:
        for expr in _expressions(level):
            for node in _truth_tested(expr.tree, True):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                    out.setdefault((node.value.id, node.attr), set()).update({True, False})
                if not isinstance(node, ast.Compare):
                    continue
                sides = [node.left, *node.comparators]
                attrs = [
                    (s.value.id, s.attr)
                    for s in sides
                    if isinstance(s, ast.Attribute) and isinstance(s.value, ast.Name)
                ]
                consts = [s.value for s in sides if isinstance(s, ast.Constant)]
                consts += [CONSTANTS[s.id] for s in sides if isinstance(s, ast.Name) and s.id in CONSTANTS]
                for rec, attr in attrs:
                    bucket = out.setdefault((rec, attr), set())
                    for c in consts:
                        if isinstance(c, bool) or not isinstance(c, (int, float)):
                            bucket.add(c)
                        else:
                            # the profile is continuous in [-1, 1]: step just past the constant
                            step = 0.01 if isinstance(c, float) or rec == "values" else 1
                            bucket.update({c - step, c, c + step})
    return out


def _uses(story: Story) -> Iterator[tuple[Expression, bool, bool]]:
    """(expression, is_condition, is_shown_text) for every expression the story evaluates."""
    for level in story.levels:
        for _sid, _i, step in level.steps():
            for cond, _pos in step.conditions():
                yield cond, True, False
            for _name, expr in step.effects():
                yield expr, False, False
            for tpl in step.texts():
                for e in tpl.expressions:
                    yield e, False, True
        for char in level.characters.values():
            for t in (*char.fallback, *char.greeting, *(r for i in char.intents for r in i.replies)):
                for e in t.expressions:
                    yield e, False, True


def record_plans(story: Story, records: set[str]) -> dict[str, _Plan | None]:
    """How exploration may key each record (a stored result, the value profile) on what matters.

    For a field every use of which is a comparison with constants, a truth test, or shown as
    it is in text, what can follow depends only on which side of each constant the value lies:
    the key holds that (a tuple of signs) instead of the value, so a profile of 0.6 and one of
    0.9 are one state when no condition tells them apart. A field used any other way (in
    arithmetic, passed to a function) is kept exactly; a record used whole is kept exactly.
    Returns record -> {field: constants} (an empty tuple: only its truth counts), or None to keep
    the record exactly; fields nothing reads are left out of the key.
    """
    plans: dict[str, _Plan | None] = {r: {} for r in records}
    consts: dict[tuple[str, str], set[Any] | None] = {}
    truth: set[tuple[str, str]] = set()
    for expr, is_condition, shown in _uses(story):
        tree = expr.tree
        tested = {id(n) for n in _truth_tested(tree, is_condition)}
        parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in plans and not isinstance(parents.get(id(node)), ast.Attribute):
                plans[node.id] = None  # the whole record is read: keep it exactly
                continue
            if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in plans):
                continue
            record, fld = node.value.id, node.attr
            if plans[record] is None:
                continue
            key = (record, fld)
            consts.setdefault(key, set())
            parent = parents.get(id(node))
            if id(node) in tested:
                truth.add(key)
            if isinstance(parent, ast.Compare):
                others = [n for n in (parent.left, *parent.comparators) if n is not node]
                found: list[Any] = []
                values: list[Any] | None = found
                for other in others:
                    if isinstance(other, ast.Constant):
                        found.append(other.value)
                    elif isinstance(other, ast.Name) and other.id in CONSTANTS:
                        found.append(CONSTANTS[other.id])
                    else:
                        values = None
                        break
                if values is not None and all(not isinstance(op, (ast.In, ast.NotIn)) for op in parent.ops):
                    bucket = consts[key]
                    if bucket is not None:
                        bucket.update(values)
                    continue
            elif (
                id(node) in tested
                or (shown and isinstance(tree, ast.Expression) and tree.body is node)
                or (isinstance(parent, ast.IfExp) and parent.test is node)
            ):
                continue
            consts[key] = None  # used some other way: keep the field exactly
    for (record, fld), seen in consts.items():
        plan = plans[record]
        if plan is None:
            continue
        if seen is None:
            plan[fld] = None
        else:
            plan[fld] = tuple(sorted(seen, key=lambda v: (str(type(v)), v)))
    return plans


def _sign(value: Any, constants: Iterable[Any]) -> tuple[Any, ...]:
    out = [bool(value)]
    for c in constants:
        try:
            out.append((value > c) - (value < c))
        except TypeError:
            out.append(value == c)
    return tuple(out)


def _record_key(record: Any, plan: _Plan) -> tuple[Any, ...]:
    if not isinstance(record, dict):
        return (record,) if record.__class__ in _PLAIN else (_frozen(record),)
    out = []
    for fld, constants in plan.items():
        v = record.get(fld, 0)
        out.append(v if constants is None else _sign(v, constants))
    return tuple(out)


def _combos(fields: dict[str, list[Any]]) -> list[dict[str, Any]]:
    names = list(fields)
    if not names:
        return [{}]
    product = 1
    for n in names:
        product *= len(fields[n])
    if product <= MAX_COMBOS:
        return [dict(zip(names, vals)) for vals in itertools.product(*(fields[n] for n in names))]
    # Too many: every value of each field against the others' middle values, plus all-low and all-high.
    mid = {n: fields[n][len(fields[n]) // 2] for n in names}
    out = [dict(mid, **{n: v}) for n in names for v in fields[n]]
    out.append({n: fields[n][0] for n in names})
    out.append({n: fields[n][-1] for n in names})
    return out


class Outcomes:
    """Representative conversation outcomes and minigame results for a story."""

    def __init__(self, story: Story) -> None:
        self.bounds = boundaries(story.levels)
        self._cache: dict[str, list[Any]] = {}

    def talk(self, prompt: Any) -> list[dict[str, Any]]:
        key = "talk:" + ",".join(prompt.measures)
        if key not in self._cache:
            fields = {}
            for dim in prompt.measures:
                if ("values", dim) not in self.bounds:
                    continue
                vals = {-1.0, 0.0, 1.0} | {
                    float(v) for v in self.bounds.get(("values", dim), set()) if isinstance(v, (int, float))
                }
                fields[dim] = sorted(v for v in vals if -1.0 <= v <= 1.0)
            self._cache[key] = [{"values": c, "turns": []} for c in _combos(fields)]
        return self._cache[key]

    def minigame(self, prompt: Any) -> list[dict[str, Any]]:
        """Vary only the fields some condition reads; the rest keep the default result's value."""
        key = f"mg:{prompt.name}:{prompt.store_as}"
        if key not in self._cache:
            fields = {}
            for (record, name), vals in self.bounds.items():
                if record != prompt.store_as:
                    continue
                vals = set(vals)
                default = prompt.default.get(name)
                if default is not None:
                    vals.add(default)
                if isinstance(default, str):
                    # a text field tested for truth: empty or the default text, never True/False
                    vals = {v for v in vals if not isinstance(v, bool)} | {"", default or "something"}
                elif isinstance(default, bool) or any(isinstance(v, bool) for v in vals):
                    vals |= {True, False}
                try:
                    fields[name] = sorted(vals, key=lambda v: (str(type(v)), v))
                except TypeError:
                    fields[name] = list(vals)
            results = [dict(prompt.default, **combo) for combo in _combos(fields)]
            possible = _possible(prompt.name)
            if possible is not None:
                # Only results the game can give; should none be (a level's default: that says
                # more than the game), keep them all rather than explore nothing.
                kept = [r for r in results if possible(r)]
                # The default result is what a skipped minigame gives: reachable whatever it says.
                default = dict(prompt.default)
                results = (kept + ([default] if default not in kept and default in results else [])) or results
            self._cache[key] = results
        return self._cache[key]


def _possible(name: str) -> Callable[[dict[str, Any]], bool] | None:
    from game.minigames import info

    found = info(name)
    return found.possible if found is not None else None


def character_text_names(level: Level) -> set[str]:
    """Names read by the characters' authored lines (fallback, greeting, intent replies)."""
    names: set[str] = set()
    for char in level.characters.values():
        for t in (*char.fallback, *char.greeting, *(r for i in char.intents for r in i.replies)):
            for e in t.expressions:
                names |= e.names
    return names


def _read_names(story: Story) -> set[str]:
    names: set[str] = set()
    for level in story.levels:
        for expr in _all_expressions(level):
            names |= expr.names
        names |= character_text_names(level)
    return names


class _NoTranscript(list[Any]):
    """Exploration needs no transcript: appending to this keeps nothing."""

    def append(self, _entry: Any) -> None:
        pass


_PLAIN = (str, int, float, bool, type(None))


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def _key_of(vars_: dict[str, Any], read: list[str], memo: dict[Any, Any]) -> tuple[Any, ...]:
    """The read variables' values, hashable. A record (a minigame's result, a conversation's outcome)
    becomes its items in stored order: records built by the same step have the same order, and two
    equal records in different orders only cost a state explored twice, never one missed."""
    values = tuple(map(vars_.get, read))
    try:
        hash(values)
        return values
    except TypeError:
        pass
    out = []
    for v in values:
        if v.__class__ is dict:
            items = tuple(v.items())
            try:
                hash(items)
                v = items
            except TypeError:
                v = _frozen(v)
        elif v.__class__ not in _PLAIN:
            v = _frozen(v)
        out.append(v)
    return tuple(out)


def _all_keys(story: Story, result: Exploration) -> None:
    for level in story.levels:
        for sid, i, step in level.steps():
            cov = step.coverage(f"{level.id}/{sid}/{i}")
            result.all_lines.update(cov.get("lines", ()))
            result.all_options.update(cov.get("choices", ()))


def explore(
    story: Story,
    *,
    max_states: int = 20_000,
    progress: Callable[[int], None] | None = None,
    minigame_results: Callable[..., Any] | None = None,
    talk_outcomes: Callable[..., Any] | None = None,
) -> Exploration:
    """Play every distinct state once. A state is where the story waits for a decision (a choice,
    a conversation, a minigame, or any step type whose `forks` offer more than one answer), with
    the variables, profile and (when read) visit counts that can change what follows."""
    result = Exploration()
    _all_keys(story, result)
    outcomes = Outcomes(story)
    if talk_outcomes is not None:
        outcomes.talk = talk_outcomes  # type: ignore[method-assign]  # a caller's outcomes, for this run
    if minigame_results is not None:
        outcomes.minigame = minigame_results  # type: ignore[method-assign]
    reads_visits = any("visits" in e.names for lv in story.levels for e in _all_expressions(lv))
    stores = {name for lv in story.levels for _s, _i, st in lv.steps() for name, _k, _d in st.stores()}
    plans = record_plans(story, stores | {"values"})
    keyed = [
        (n, kept)
        for n in sorted(_read_names(story) - {"values", "player", "visits"})
        if n in plans and (kept := plans[n]) is not None
    ]
    read = sorted(n for n in _read_names(story) - {"values", "player", "visits"} if n not in dict(keyed))
    values_plan = plans.get("values")

    def record(value: Any, plan: _Plan) -> Any:
        # A stored record is replaced, never changed, and forks share it: its key is made once.
        got = memo.get(id(value))
        if got is None or got[0] is not value:
            got = memo[id(value)] = (value, _record_key(value, plan))
        return got[1]

    profiles: dict[tuple[tuple[str, Any], ...], Any] = {}

    def profile(values: dict[str, Any]) -> Any:
        # The profile changes in place (a conversation updates it), so it is keyed by its items.
        items = tuple(values.items())
        got = profiles.get(items)
        if got is None:
            got = profiles[items] = tuple(sorted(items)) if values_plan is None else _record_key(values, values_plan)
        return got

    def world_key(w: World) -> tuple[Any, ...]:
        vars_ = w.vars
        return (
            _key_of(vars_, read, memo),
            tuple(record(vars_.get(n), plan) for n, plan in keyed),
            profile(w.values),
            tuple(sorted(w.visits.items())) if reads_visits else (),
        )

    scenes, lines, choices, guards = result.scenes, result.lines, result.choices, result.guards

    def trace(event: str, level: str, scene: str, detail: Any) -> None:
        if event == "scene":
            scenes[(level, scene)] += 1
        elif event == "guard":
            pos, value = detail
            seen_values = guards.get(pos)
            if seen_values is None:
                guards[pos] = {bool(value)}
            else:
                seen_values.add(bool(value))
        elif event == "empty_choice":
            result.empty_choices.add(detail)
        elif event == "end":
            ending, pos, problem = detail
            if problem:
                result.dead_ends[(level, scene)] += 1
            else:
                result.endings[(level, ending)] += 1
                if pos is not None:
                    result.end_steps.add(pos)

    root = Runtime(story, "Player 1", 0)
    root.trace = trace
    trace("scene", root.level.id, root.scene, None)
    root.transcript = _NoTranscript()
    stack = [root]
    seen: set[Any] = set()
    seen_entries: set[Any] = set()
    memo: dict[Any, Any] = {}
    while stack:
        if result.states >= max_states:
            result.truncated = True
            break
        rt = stack.pop()
        silent = 0
        entered = None
        while True:
            if rt._pc == 0 and entered != (rt.level_index, rt.scene) and not rt.ended:
                # At a scene's first step: a state entered before (same variables, profile, visits)
                # plays out exactly as it did, so it is not run again.
                entered = (rt.level_index, rt.scene)
                entry = (entered, world_key(rt.world), rt._announce)
                if entry in seen_entries:
                    break
                seen_entries.add(entry)
            # Lines are skimmed and silent steps run directly; only decisions make prompts. A run of
            # silent steps too long to be a story goes through the runtime, which names the loop.
            if silent < MAX_SILENT and not (rt.ended or rt._announce) and rt._pc < len(rt._steps):
                step = rt._steps[rt._pc]
                if not step.draws:
                    if step.skimmable:
                        pc = rt._pc
                        if step.skim(rt):
                            lines[f"{rt._level.id}/{rt.scene}/{pc}"] += 1
                        silent += 1
                        continue
                    if step.prompt_kind is None:
                        rt._run_step(step)
                        silent += 1
                        continue
            silent = 0
            prompt = rt.current()
            kind = prompt.kind
            if kind == "line":
                lines[prompt.key] += 1
                rt.advance()
                continue
            if kind == "level":
                rt.advance()
                continue
            if kind == "end":
                result.paths += 1
                break
            key = (rt.level_index, rt.scene, rt._pc, kind, world_key(rt.world))
            if key in seen:
                break
            seen.add(key)
            result.states += 1
            if progress and result.states % 200 == 0:
                progress(result.states)
            step = rt._steps[rt._pc]
            answers = step.forks(rt, prompt, outcomes)
            for payload in answers:
                child = rt.fork()
                child.trace = trace
                child.transcript = _NoTranscript()
                child.answer(**payload)
                if "index" in payload:
                    choices[f"{prompt.key}#{payload['index']}"] += 1
                stack.append(child)
            break
    return result
