"""Static analysis of a loaded story: what a writer would want to know before players find it.

Reachability comes from exploring the story's states with the real runtime (see
explore.py), so it accounts for variables and conditions, not just edges: a scene behind
`if: trust > 5` where trust can never pass 2 is reported unreachable. What each step reads,
writes, stores and whether it always leaves its scene comes from its step type
(game/story/steps/), so a new step type is linted like the built-in ones.
"""

from __future__ import annotations

from game.story.diagnostics import Diagnostic
from game.story.explore import character_text_names, explore
from game.story.model import Pos, Story
from game.story.steps.end import End
from game.story.steps.goto import Goto

DEFAULT_BOUND = 20_000


def _d(pos: Pos, code: str, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic(pos.file, pos.line, pos.column, code, message, hint)


def _reads(story: Story) -> set[str]:
    """Names whose value something depends on. `set: {gold: gold + 1}` alone does not read gold:
    a counter nothing looks at is still unused."""
    names: set[str] = set()
    for level in story.levels:
        for _sid, _i, step in level.steps():
            for cond, _pos in step.conditions():
                names |= cond.names
            for target, expr in step.effects():
                names |= expr.names - {target}
            for tpl in step.texts():
                for e in tpl.expressions:
                    names |= e.names
        names |= character_text_names(level)
    return names


def _sets(story: Story) -> set[str]:
    return {name for level in story.levels for _sid, _i, step in level.steps() for name in step.writes()}


def lint_story(story: Story, *, max_states: int = DEFAULT_BOUND) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    # ---- static checks, per scene
    for level in story.levels:
        for sid, scene in level.scenes.items():
            steps = scene.steps
            for i, step in enumerate(steps):
                if step.leaves() and i + 1 < len(steps):
                    out.append(
                        _d(
                            steps[i + 1].pos,
                            "TT1011",
                            f"steps after line {step.pos.line} never run: that step always leaves the scene",
                            "move these steps before it, or into another scene",
                        )
                    )
                    break
            for step in steps:
                out.extend(step.lint(level, sid))
    # ---- variables
    reads = _reads(story)
    sets = _sets(story)
    for level in story.levels:
        for name, pos in level.var_pos.items():
            if name not in reads:
                out.append(
                    _d(
                        pos,
                        "TT1005",
                        f"variable '{name}' is never read",
                        "use it in an `if:` or a `{...}` in text, or remove it",
                    )
                )
            elif name not in sets:
                out.append(
                    _d(
                        pos,
                        "TT1004",
                        f"variable '{name}' is read but never set: it is always {level.vars[name]!r}",
                        "set it with `set:` somewhere, or write the value itself",
                    )
                )
        for _sid, _i, step in level.steps():
            for name, kind, detail in step.stores():
                if kind == "minigame" and name not in reads:
                    out.append(
                        _d(
                            step.pos,
                            "TT1009",
                            f"the result of minigame '{detail}' (stored as '{name}') is never read",
                            f"branch on it, e.g. `if: {name}.score > 0`, or mention it in text",
                        )
                    )
    # ---- reachability over states
    ex = explore(story, max_states=max_states)
    if ex.truncated:
        out.append(
            Diagnostic(
                story.file,
                1,
                1,
                "TT1012",
                f"explored {ex.states} states and stopped: the reachability checks below are partial",
                "raise the bound with --max-states, or simplify loops that grow variables",
            )
        )
    reached = set(ex.scenes)
    for level in story.levels:
        for sid, scene in level.scenes.items():
            steps = scene.steps
            if any(s.leaves() for s in steps):
                continue
            # The static check finds candidates; exploration confirms the ones players can hit.
            if ex.truncated or (level.id, sid) not in reached or (level.id, sid) in ex.dead_ends:
                last = steps[-1].pos if steps else scene.pos
                out.append(
                    _d(
                        scene.pos,
                        "TT1003",
                        f"scene '{sid}' can run out of steps without an `end` or `goto`",
                        f"end it with `- goto: <scene>` or `- end: <ending>` (last step at line {last.line})",
                    )
                )
    for level in story.levels:
        for sid, scene in level.scenes.items():
            if (level.id, sid) not in reached and not ex.truncated:
                out.append(
                    _d(
                        scene.pos,
                        "TT1001",
                        f"scene '{sid}' can never be reached from '{level.start}'",
                        "nothing jumps here, or every jump here has a condition that never holds",
                    )
                )
            for step in scene.steps:
                if isinstance(step, End) and step.pos not in ex.end_steps and not ex.truncated:
                    out.append(
                        _d(
                            step.pos,
                            "TT1002",
                            f"ending '{step.ending}' can never be reached",
                            "check the conditions and choices on the way to it",
                        )
                    )
    if not ex.truncated:
        for level in story.levels:
            for scene in level.scenes.values():
                if (level.id, scene.id) not in reached:
                    continue
                for step in scene.steps:
                    where = {}
                    for opt in getattr(step, "options", ()):
                        if opt.guard is not None:
                            where[opt.pos] = opt.guard_pos
                    for guard, key in step.conditions():
                        if guard.uses_random or key not in ex.guards:
                            continue
                        seen = ex.guards[key]
                        pos = where.get(key) or key
                        if seen == {False}:
                            out.append(
                                _d(
                                    pos,
                                    "TT1006",
                                    f"condition '{guard.source}' never holds in any reachable state",
                                    "check the values it compares with what the story can set",
                                )
                            )
                        elif seen == {True} and not (isinstance(step, Goto) and key == step.pos):
                            out.append(
                                _d(
                                    pos,
                                    "TT1010",
                                    f"condition '{guard.source}' always holds",
                                    "it can be removed, or it compares the wrong variable",
                                )
                            )
        for pos in sorted(ex.empty_choices, key=lambda p: (p.file, p.line)):
            out.append(
                _d(
                    pos,
                    "TT1007",
                    "this choice can leave the player with no option",
                    "add an option without `if:`, or make sure one condition always holds",
                )
            )
    return sorted(set(out))
