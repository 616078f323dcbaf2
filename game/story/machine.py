"""One `transitions` Machine per level: scenes are states, jumps are guarded transitions.

Three triggers carry every move: `goto` (a plain or conditional jump), `choose` (a choice
option that jumps) and `outcome` (a jump whose guard reads a conversation or minigame
result). Each edge has an id; the trigger passes the id of the edge the runtime wants to
take and the edge's condition checks it, so the machine, not the runtime, decides whether
the move is legal. The machine has no model of its own (`model=[]`): the runtime moves a
tiny cursor object through it, so no per-state methods are generated anywhere
(with the default `auto_transitions`, 1,000 states would also build 1M `to_*` transitions).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from transitions import Machine

from game.story.expressions import Expression
from game.story.model import Choice, Goto, Level, MinigameStep, Talk

logging.getLogger("transitions").setLevel(logging.WARNING)

TRIGGERS = ("goto", "choose", "outcome")


@dataclass(frozen=True)
class Edge:
    id: str              # "scene:step" or "scene:step:option"
    trigger: str         # goto | choose | outcome
    source: str
    dest: str
    step: int
    option: int | None
    guard: Expression | None
    label: str           # what the graph prints on the edge


def result_names(level: Level) -> set[str]:
    """Names under which conversations and minigames store their results."""
    names = set()
    for scene in level.scenes.values():
        for step in scene.steps:
            if isinstance(step, MinigameStep):
                names.add(step.store_as)
            elif isinstance(step, Talk):
                names.add("values")
                if step.store_as:
                    names.add(step.store_as)
    return names


def level_edges(level: Level) -> list[Edge]:
    decided_by = result_names(level)
    edges = []
    for sid, scene in level.scenes.items():
        for i, step in enumerate(scene.steps):
            if isinstance(step, Goto):
                reads = set(step.guard.names) if step.guard else set()
                trigger = "outcome" if reads & decided_by else "goto"
                label = step.guard.source if step.guard else ""
                edges.append(Edge(f"{sid}:{i}", trigger, sid, step.target, i, None, step.guard, label))
            elif isinstance(step, Choice):
                for j, opt in enumerate(step.options):
                    if opt.goto:
                        label = opt.text.source if len(opt.text.source) <= 40 else opt.text.source[:37] + "..."
                        guard = opt.guard
                        if step.guard is not None and guard is None:
                            guard = step.guard
                        edges.append(Edge(f"{sid}:{i}:{j}", "choose", sid, opt.goto, i, j, guard, label))
    return edges


class _Cursor:
    """The only object the machine moves: it holds the current scene and nothing else."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


class LevelMachine:
    def __init__(self, level: Level) -> None:
        import gc

        # Building ~15,000 Transition objects and their conditions allocates heavily and frees
        # nothing; the cyclic collector would rescan the growing heap (see loader._gc_paused).
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            self.level = level
            self.edges = level_edges(level)
            self.by_id = {e.id: e for e in self.edges}
            transitions = [
                {"trigger": e.trigger, "source": e.source, "dest": e.dest, "conditions": [self._condition(e.id)]}
                for e in self.edges
            ]
            self.machine = Machine(model=[], states=list(level.scenes), transitions=transitions,
                                   initial=level.start, auto_transitions=False, send_event=True,
                                   ignore_invalid_triggers=False)
        finally:
            if was_enabled:
                gc.enable()
        self._events = {t: self.machine.events[t] for t in TRIGGERS if t in self.machine.events}

    @staticmethod
    def _condition(edge_id: str):
        def check(event) -> bool:
            if event.kwargs.get("edge") != edge_id:
                return False
            guard_ok = event.kwargs.get("guard_ok")
            return guard_ok is None or guard_ok(edge_id)
        return check

    def cursor(self, scene: str) -> _Cursor:
        return _Cursor(scene)

    def fire(self, cursor: _Cursor, edge_id: str, guard_ok=None) -> bool:
        """Take edge `edge_id` from the cursor's scene; False if the machine refuses it."""
        edge = self.by_id[edge_id]
        if cursor.state != edge.source:
            return False
        return bool(self._events[edge.trigger].trigger(cursor, edge=edge_id, guard_ok=guard_ok))
