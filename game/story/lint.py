"""Static analysis of a loaded story: what a writer would want to know before players find it.

Reachability comes from exploring the story's states with the real runtime (see
explore.py), so it accounts for variables and conditions, not just edges: a scene behind
`if: trust > 5` where trust can never pass 2 is reported unreachable.
"""
from __future__ import annotations

from game.story.diagnostics import Diagnostic
from game.story.explore import character_text_names, explore
from game.story.model import Choice, End, Goto, MinigameStep, Story, Talk
from game.story.model import Set as SetStep

DEFAULT_BOUND = 20_000


def _d(pos, code, message, hint="") -> Diagnostic:
    return Diagnostic(pos.file, pos.line, pos.column, code, message, hint)


def _reads(story: Story) -> set[str]:
    """Names whose value something depends on. `set: {gold: gold + 1}` alone does not read gold:
    a counter nothing looks at is still unused."""
    names: set[str] = set()
    for level in story.levels:
        for scene in level.scenes.values():
            for step in scene.steps:
                if step.guard is not None:
                    names |= step.guard.names
                effects = list(step.effects) if isinstance(step, SetStep) else []
                if isinstance(step, Choice):
                    for o in step.options:
                        if o.guard is not None:
                            names |= o.guard.names
                        effects += list(o.effects)
                for target, expr in effects:
                    names |= expr.names - {target}
        for scene in level.scenes.values():
            for step in scene.steps:
                texts = []
                if hasattr(step, "text") and step.text is not None and hasattr(step.text, "expressions"):
                    texts.append(step.text)
                if isinstance(step, Choice):
                    texts.extend(o.text for o in step.options)
                    if step.prompt:
                        texts.append(step.prompt)
                if isinstance(step, End) and step.title:
                    texts.append(step.title)
                for t in texts:
                    for e in t.expressions:
                        names |= e.names
        names |= character_text_names(level)
    return names


def _sets(story: Story) -> set[str]:
    out = set()
    for level in story.levels:
        for scene in level.scenes.values():
            for step in scene.steps:
                if isinstance(step, SetStep):
                    out |= {n for n, _ in step.effects}
                elif isinstance(step, Choice):
                    for o in step.options:
                        out |= {n for n, _ in o.effects}
    return out


def _terminal(step) -> bool:
    """Does this step always leave the scene (unconditional goto or end, or a choice whose options all jump)?"""
    if step.guard is not None:
        return False
    if isinstance(step, (Goto, End)):
        return True
    if isinstance(step, Choice):
        # Every option jumps and one is always offered: the player cannot stay in the scene.
        return all(o.goto for o in step.options) and any(o.guard is None for o in step.options)
    return False


def lint_story(story: Story, *, max_states: int = DEFAULT_BOUND) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    # ---- static checks, per scene
    for level in story.levels:
        for sid, scene in level.scenes.items():
            steps = scene.steps
            for i, step in enumerate(steps):
                if _terminal(step) and i + 1 < len(steps):
                    out.append(_d(steps[i + 1].pos, "TT1011",
                                  f"steps after line {step.pos.line} never run: that step always leaves the scene",
                                  "move these steps before it, or into another scene"))
                    break
            for step in steps:
                if isinstance(step, Talk):
                    char = level.characters.get(step.character)
                    if char is not None and not char.fallback:
                        out.append(_d(step.pos, "TT1008",
                                      f"'{char.id}' has no fallback lines: if its backend fails, it has nothing to say",
                                      f"add `fallback: [...]` to character '{char.id}'"))
    # ---- variables
    reads = _reads(story)
    sets = _sets(story)
    for level in story.levels:
        for name, pos in level.var_pos.items():
            if name not in reads:
                out.append(_d(pos, "TT1005", f"variable '{name}' is never read",
                              "use it in an `if:` or a `{...}` in text, or remove it"))
            elif name not in sets:
                out.append(_d(pos, "TT1004", f"variable '{name}' is read but never set: it is always "
                              f"{level.vars[name]!r}", "set it with `set:` somewhere, or write the value itself"))
        for scene in level.scenes.values():
            for step in scene.steps:
                if isinstance(step, MinigameStep) and step.store_as not in reads:
                    out.append(_d(step.pos, "TT1009", f"the result of minigame '{step.name}' "
                                  f"(stored as '{step.store_as}') is never read",
                                  f"branch on it, e.g. `if: {step.store_as}.score > 0`, or mention it in text"))
    # ---- reachability over states
    ex = explore(story, max_states=max_states)
    if ex.truncated:
        out.append(Diagnostic(story.file, 1, 1, "TT1012",
                              f"explored {ex.states} states and stopped: the reachability checks below are partial",
                              "raise the bound with --max-states, or simplify loops that grow variables"))
    reached = set(ex.scenes)
    for level in story.levels:
        for sid, scene in level.scenes.items():
            steps = scene.steps
            if any(_terminal(s) for s in steps):
                continue
            # The static check finds candidates; exploration confirms the ones players can hit.
            if ex.truncated or (level.id, sid) not in reached or (level.id, sid) in ex.dead_ends:
                last = steps[-1].pos if steps else scene.pos
                out.append(_d(scene.pos, "TT1003", f"scene '{sid}' can run out of steps without an `end` or `goto`",
                              f"end it with `- goto: <scene>` or `- end: <ending>` (last step at line {last.line})"))
    for level in story.levels:
        for sid, scene in level.scenes.items():
            if (level.id, sid) not in reached and not ex.truncated:
                out.append(_d(scene.pos, "TT1001", f"scene '{sid}' can never be reached from '{level.start}'",
                              "nothing jumps here, or every jump here has a condition that never holds"))
            for step in scene.steps:
                if isinstance(step, End) and step.pos not in ex.end_steps and not ex.truncated:
                    out.append(_d(step.pos, "TT1002", f"ending '{step.ending}' can never be reached",
                                  "check the conditions and choices on the way to it"))
    if not ex.truncated:
        for level in story.levels:
            for scene in level.scenes.values():
                if (level.id, scene.id) not in reached:
                    continue
                for step in scene.steps:
                    guards = [(step.guard, step.pos)] if step.guard is not None else []
                    if isinstance(step, Choice):
                        guards += [(o.guard, o.pos, o.guard_pos) for o in step.options if o.guard is not None]
                    for guard, key, *where in guards:
                        if guard.uses_random or key not in ex.guards:
                            continue
                        seen = ex.guards[key]
                        pos = (where[0] if where else None) or key
                        if seen == {False}:
                            out.append(_d(pos, "TT1006", f"condition '{guard.source}' never holds in any reachable "
                                          "state", "check the values it compares with what the story can set"))
                        elif seen == {True} and not isinstance(step, Goto):
                            out.append(_d(pos, "TT1010", f"condition '{guard.source}' always holds",
                                          "it can be removed, or it compares the wrong variable"))
        for pos in sorted(ex.empty_choices, key=lambda p: (p.file, p.line)):
            out.append(_d(pos, "TT1007", "this choice can leave the player with no option",
                          "add an option without `if:`, or make sure one condition always holds"))
    return sorted(set(out))
