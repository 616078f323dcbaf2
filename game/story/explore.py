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
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from game.story.model import Choice, Level, Line, Set, Story
from game.story.expressions import CONSTANTS
from game.story.runtime import Runtime

MAX_COMBOS = 64


@dataclass
class Exploration:
    scenes: Counter = field(default_factory=Counter)          # (level, scene) -> times entered
    lines: Counter = field(default_factory=Counter)           # line key -> times shown
    choices: Counter = field(default_factory=Counter)         # "key#index" -> times taken
    endings: Counter = field(default_factory=Counter)         # (level, ending) -> times reached
    end_steps: set = field(default_factory=set)               # positions of End steps reached
    guards: dict = field(default_factory=dict)                # pos -> {True, False} seen
    empty_choices: set = field(default_factory=set)           # positions of choices that offered nothing
    dead_ends: Counter = field(default_factory=Counter)       # (level, scene) that ran out of steps
    states: int = 0
    paths: int = 0
    truncated: bool = False
    all_lines: set = field(default_factory=set)               # every line key in the story
    all_options: set = field(default_factory=set)


def _expressions(level: Level):
    for scene in level.scenes.values():
        for step in scene.steps:
            if step.guard is not None:
                yield step.guard
            if isinstance(step, Choice):
                for opt in step.options:
                    if opt.guard is not None:
                        yield opt.guard
                    for _, e in opt.effects:
                        yield e
            elif isinstance(step, Set):
                for _, e in step.effects:
                    yield e


def _all_expressions(level: Level):
    """Conditions and effects, plus the expressions inside text (`{'x' if c else 'y'}`)."""
    yield from _expressions(level)
    for scene in level.scenes.values():
        for step in scene.steps:
            for tpl in (getattr(step, "text", None), getattr(step, "title", None), getattr(step, "prompt", None)):
                if tpl is not None and hasattr(tpl, "expressions"):
                    yield from tpl.expressions
            if isinstance(step, Choice):
                for opt in step.options:
                    yield from opt.text.expressions


def _truth_tested(tree: ast.AST, is_condition: bool):
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


def boundaries(levels) -> dict[tuple[str, str], set]:
    """(record, field) -> the constants conditions compare it with (True/False for bare tests)."""
    out: dict[tuple[str, str], set] = {}
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
                attrs = [s for s in sides if isinstance(s, ast.Attribute) and isinstance(s.value, ast.Name)]
                consts = [s.value for s in sides if isinstance(s, ast.Constant)]
                consts += [CONSTANTS[s.id] for s in sides if isinstance(s, ast.Name) and s.id in CONSTANTS]
                for a in attrs:
                    bucket = out.setdefault((a.value.id, a.attr), set())
                    for c in consts:
                        if isinstance(c, bool) or not isinstance(c, (int, float)):
                            bucket.add(c)
                        else:
                            # the profile is continuous in [-1, 1]: step just past the constant
                            step = 0.01 if isinstance(c, float) or a.value.id == "values" else 1
                            bucket.update({c - step, c, c + step})
    return out


def _combos(fields: dict[str, list]) -> list[dict]:
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
        self._cache: dict[str, list] = {}

    def talk(self, prompt) -> list[dict]:
        key = "talk:" + ",".join(prompt.measures)
        if key not in self._cache:
            fields = {}
            for dim in prompt.measures:
                if ("values", dim) not in self.bounds:
                    continue
                vals = {-1.0, 0.0, 1.0} | {float(v) for v in self.bounds.get(("values", dim), set())
                                           if isinstance(v, (int, float))}
                fields[dim] = sorted(v for v in vals if -1.0 <= v <= 1.0)
            self._cache[key] = [{"values": c, "turns": []} for c in _combos(fields)]
        return self._cache[key]

    def minigame(self, prompt) -> list[dict]:
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
            self._cache[key] = [dict(prompt.default, **combo) for combo in _combos(fields)]
        return self._cache[key]


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


def _state_key(rt: Runtime, reads_visits: bool, read: set[str] | None = None) -> str:
    """Two states that differ only in variables nothing reads lead to the same story."""
    w = rt.world
    vars_ = w.vars if read is None else {k: v for k, v in w.vars.items() if k in read}
    key = [rt.level_index, rt.scene, rt._pc, vars_, w.values]
    if reads_visits:
        key.append(w.visits)
    return json.dumps(key, sort_keys=True, default=str)


def _all_keys(story: Story, result: Exploration) -> None:
    for level in story.levels:
        for sid, scene in level.scenes.items():
            for i, step in enumerate(scene.steps):
                key = f"{level.id}/{sid}/{i}"
                if isinstance(step, Line):
                    result.all_lines.add(key)
                elif isinstance(step, Choice):
                    for j in range(len(step.options)):
                        result.all_options.add(f"{key}#{j}")


def explore(story: Story, *, max_states: int = 20_000, progress: Callable[[int], None] | None = None,
            minigame_results: Callable | None = None, talk_outcomes: Callable | None = None) -> Exploration:
    result = Exploration()
    _all_keys(story, result)
    outcomes = Outcomes(story)
    reads_visits = any("visits" in e.names for lv in story.levels for e in _all_expressions(lv))
    read = _read_names(story)

    def trace(event, level, scene, detail):
        if event == "scene":
            result.scenes[(level, scene)] += 1
        elif event == "guard":
            pos, value = detail
            result.guards.setdefault(pos, set()).add(bool(value))
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

    def fresh(snap):
        rt = Runtime.restore(story, snap)
        rt.trace = trace
        return rt

    root = Runtime(story, "Player 1", 0)
    root.trace = trace
    trace("scene", root.level.id, root.scene, None)
    root.transcript = []
    stack = [root.snapshot()]
    seen: set[str] = set()
    while stack:
        if result.states >= max_states:
            result.truncated = True
            break
        rt = fresh(stack.pop())
        while True:
            prompt = rt.current()
            if prompt.kind in ("line", "level"):
                if prompt.kind == "line":
                    result.lines[prompt.key] += 1
                rt.advance()
                rt.transcript.clear()   # the explorer needs no transcript; keeping it would make forks O(n)
                continue
            if prompt.kind == "end":
                result.paths += 1
                break
            key = _state_key(rt, reads_visits, read) + prompt.kind
            if key in seen:
                break
            seen.add(key)
            result.states += 1
            if progress and result.states % 200 == 0:
                progress(result.states)
            base = rt.snapshot()
            if prompt.kind == "choice":
                for option in prompt.options:
                    child = fresh(base)
                    child.choose(option["index"])
                    result.choices[f"{prompt.key}#{option['index']}"] += 1
                    child.transcript.clear()
                    stack.append(child.snapshot())
            elif prompt.kind == "talk":
                for outcome in (talk_outcomes(prompt) if talk_outcomes else outcomes.talk(prompt)):
                    child = fresh(base)
                    child.finish_talk(outcome)
                    child.transcript.clear()
                    stack.append(child.snapshot())
            elif prompt.kind == "minigame":
                results = minigame_results(prompt) if minigame_results else outcomes.minigame(prompt)
                for res in results:
                    child = fresh(base)
                    child.finish_minigame(res)
                    child.transcript.clear()
                    stack.append(child.snapshot())
            break
    return result

