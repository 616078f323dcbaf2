"""One `transitions` Machine per level: scenes are its states, and it decides every move.

Every jump and every choice option is a transition (steps contribute them: see
`Step.transitions`); each transition's condition is the level's own guard, compiled once
(`Guard`); an option's `set:` runs as the transition's `before` callback; entering and
leaving a scene are the states' `on_enter`/`on_exit` callbacks, which the runtime uses to
count visits, reset its step counter, and tell front ends (autosave, background).

Moving is asking the machine: the runtime fires an event (`go@3`: the run of jumps that
starts at step 3; `pick@2.1`: option 1 of the choice at step 2) and the machine takes the
first transition from the current scene whose conditions hold, or refuses. The choices
offered are the machine's answer to which option events may fire now (`offered`).

The runtime itself is the model (`model_attribute="scene"`): the machine writes the
current scene to `runtime.scene`. Models are not registered with the machine
(`model=[]`), so it generates no `is_<scene>`/trigger methods on them and holds no
reference to finished runtimes; events are fired with the model passed in, as
`transitions.Event.trigger(model)` allows.

Speed comes from transitions' own extension points: `state_cls`, `transition_cls`,
`event_cls` and `condition_cls` below keep the library's semantics (conditions all must
hold, before-callbacks, exit then enter, first passing transition wins, a trigger from a
scene without it is a MachineError) without its per-call logging, name resolution and
queue bookkeeping, and the machine is built by filling its tables directly.
"""

from __future__ import annotations

import weakref
from typing import Any

from transitions import Machine
from transitions.core import Condition, Event, EventData, MachineError, State, Transition

from game.story import collector
from game.story.expressions import Expression
from game.story.model import Level, Pos
from game.story.steps import Edge


def _runtime(event_data: EventData) -> Any:
    return event_data.model  # the model is the story's Runtime


def _entered(event_data: EventData) -> None:
    runtime: Any = event_data.model  # the model is the story's Runtime
    runtime._scene_entered()


class SceneState(State):
    """A scene. Its callbacks take the event data (the machine sends events)."""

    name = ""  # a plain attribute instead of State's Enum-aware property

    def __init__(self, name: str) -> None:
        self.name = self._name = name
        self.final = False
        self.ignore_invalid_triggers = None  # type: ignore[assignment]  # None: the machine's setting
        # Plain callables, called directly (transitions would also accept names to resolve).
        # Plain callables, called directly (not names for transitions to resolve).
        self.on_enter = [_entered]
        self.on_exit = []

    def enter(self, event_data: EventData) -> None:
        for callback in self.on_enter:
            callback(event_data)  # type: ignore[operator]  # callables only, never names

    def exit(self, event_data: EventData) -> None:
        for callback in self.on_exit:
            callback(event_data)  # type: ignore[operator]  # callables only, never names


class Guard(Condition):
    """A transition's condition: one of the level's expressions, evaluated on the model (the runtime)."""

    def __init__(self, expr: Expression, pos: Pos | None = None) -> None:
        super().__init__(expr)  # type: ignore[arg-type]  # a level Expression, which the model evaluates
        self.pos = pos

    def check(self, event_data: EventData) -> bool:
        runtime: Any = event_data.model
        return bool(runtime.holds(self.func, self.pos))


class SceneTransition(Transition):
    condition_cls = Guard

    def __init__(self, edge: Edge) -> None:
        self.source = edge.source
        self.dest = edge.dest
        self.edge = edge
        self.prepare = []
        self.conditions = [Guard(edge.guard, edge.pos)] if edge.guard is not None else []
        effects = edge.effects
        self.before = [lambda event_data: _runtime(event_data).apply(effects)] if effects else []
        self.after = []

    def execute(self, event_data: EventData) -> bool:
        for cond in self.conditions:
            if not cond.check(event_data):
                return False
        machine = event_data.machine
        for callback in self.before:
            callback(event_data)  # type: ignore[operator]  # callables only, never names
        if machine.before_state_change:
            machine.callbacks(machine.before_state_change, event_data)
        if self.dest is not None:  # None: an internal transition (the scene goes on)
            self._change_state(event_data)
        for callback in self.after:
            callback(event_data)  # type: ignore[operator]  # callables only, never names
        if machine.after_state_change:
            machine.callbacks(machine.after_state_change, event_data)
        return True

    def _change_state(self, event_data: EventData) -> None:
        machine = event_data.machine
        states = machine.states
        states[self.source].exit(event_data)
        setattr(event_data.model, machine.model_attribute, self.dest)
        dest = event_data.state = states[self.dest or self.source]  # only called with a dest
        dest.enter(event_data)


class SceneEvent(Event):
    def trigger(self, model: Any, *args: Any, **kwargs: Any) -> bool:
        machine = self.machine
        source = getattr(model, machine.model_attribute)
        candidates = self.transitions.get(source)
        if candidates is None:
            raise MachineError(f"{machine.name}Can't trigger event {self.name} from state {source}!")
        event_data = EventData(machine.states[source], self, machine, model, args, kwargs)
        for transition in candidates:
            event_data.transition = transition
            if transition.execute(event_data):
                event_data.result = True
                break
        return bool(event_data.result)


class StoryMachine(Machine):
    state_cls = SceneState
    transition_cls = SceneTransition
    event_cls = SceneEvent

    def __init__(self, level: Level) -> None:
        super().__init__(
            model=[],
            states=None,
            initial=None,
            auto_transitions=False,
            send_event=True,
            model_attribute="scene",
            ignore_invalid_triggers=False,
            name=level.id,
        )
        self.level = level
        self._edges: list[Edge] | None = None
        states = self.states
        for sid in level.scenes:
            states[sid] = SceneState(sid)
        self._initial = level.start
        self._offers: dict[
            tuple[Any, ...], tuple[Any, ...]
        ] = {}  # (scene, option triggers) -> which need their conditions asked
        self._built: set[str] = set()
        for sid, scene in level.scenes.items():
            if scene.unpacked:
                self._build(sid)
        # A scene still packed in the compiled cache gets its transitions when first reached
        # (`ensure`), so a large level starts without unpacking what it may never play.

    def _build(self, sid: str) -> None:
        self._built.add(sid)
        events = self.events
        steps = self.level.scenes[sid].steps
        for i, step in enumerate(steps):
            for edge in step.transitions(sid, i, steps):
                event = events.get(edge.trigger)
                if event is None:
                    event = events[edge.trigger] = SceneEvent(edge.trigger, self)
                event.transitions[sid].append(SceneTransition(edge))

    def ensure(self, sid: str) -> None:
        """Give scene `sid` its transitions, if it has not had them yet."""
        if sid not in self._built:
            with collector.paused():  # the transitions live as long as the level: frozen, not rescanned
                self._build(sid)

    def complete(self) -> StoryMachine:
        """Every scene's transitions (for inspection: the story graph, tests)."""
        for sid in self.level.scenes:
            self.ensure(sid)
        return self

    @property
    def edges(self) -> list[Edge]:
        """Every move of the level, one per jump and option (for the story graph and tests)."""
        if self._edges is None:
            self._edges = level_edges(self.level)
        return self._edges

    @property
    def by_id(self) -> dict[str, Edge]:
        return {e.id: e for e in self.edges}

    # ---------------------------------------------------------------- questions
    def _can_trigger(self, model: Any, trigger: str, *args: Any, **kwargs: Any) -> bool:
        """Would `trigger` fire now? (transitions' `may_<trigger>`): some transition's conditions all hold."""
        self.ensure(getattr(model, self.model_attribute))
        event = self.events.get(trigger)
        candidates = event.transitions.get(getattr(model, self.model_attribute)) if event else None
        if not candidates:
            return False
        event_data = EventData(None, event, self, model, args, kwargs)
        for transition in candidates:
            if all(c.check(event_data) for c in transition.conditions):
                return True
        return False

    may = _can_trigger

    def offered(self, model: Any, triggers: tuple[Any, ...]) -> list[bool]:
        """For each trigger (a choice's options), whether it may fire now."""
        source = getattr(model, self.model_attribute)
        plan = self._offers.get((source, triggers))
        if plan is None:
            self.ensure(source)
            plan = self._offers[(source, triggers)] = self._plan(source, triggers)
        out = []
        for trigger, always in plan:
            # an option without `if:` is always on offer; the others ask their conditions
            out.append(always if always is not None else self._can_trigger(model, trigger))
        return out

    def _plan(self, source: str, triggers: tuple[Any, ...]) -> tuple[Any, ...]:
        plan: list[tuple[str, bool | None]] = []
        for trigger in triggers:
            event = self.events.get(trigger)
            candidates = event.transitions.get(source) if event else None
            if not candidates:
                plan.append((trigger, False))
            elif len(candidates) == 1 and not candidates[0].conditions:
                plan.append((trigger, True))
            else:
                plan.append((trigger, None))
        return tuple(plan)

    def fire(self, model: Any, trigger: str) -> bool:
        """Ask the machine to move: True if a transition was taken."""
        source = getattr(model, self.model_attribute)
        if source not in self._built:
            self.ensure(source)
        event = self.events.get(trigger)
        if event is None:
            raise MachineError(f"{self.name}Can't trigger event {trigger} from state {source}!")
        return event.trigger(model)

    def enter(self, model: Any, scene: str) -> None:
        """Put `model` in `scene` and run its entry callbacks (a level's start, a warp)."""
        self.set_state(scene, model)
        state = self.states[scene]
        state.enter(EventData(state, None, self, model, (), {}))

    def place(self, model: Any, scene: str) -> None:
        """Put `model` in `scene` without callbacks (a restored save is already inside it)."""
        self.set_state(scene, model)


def result_names(level: Level) -> set[str]:
    """Names under which conversations and minigames store their results."""
    return {name for _sid, _i, step in level.steps() for name, _kind, _detail in step.stores()}


def level_edges(level: Level) -> list[Edge]:
    """Every move of the level (one per jump and option), for the story graph and lint.

    A jump whose condition reads a conversation's or minigame's result is an `outcome`.
    """
    decided_by = result_names(level)
    edges = []
    for sid, scene in level.scenes.items():
        steps = scene.steps
        for i, step in enumerate(steps):
            for edge in step.exits(sid, i, steps):
                if edge.kind == "jump" and edge.guard is not None and set(edge.guard.names) & decided_by:
                    edge = edge._replace(kind="outcome")
                edges.append(edge)
    return edges


_MACHINES: dict[int, StoryMachine] = {}


def machine_for(level: Level) -> StoryMachine:
    """One machine per loaded level, shared by every runtime on it (restores, rollback, playtests)."""
    m = _MACHINES.get(id(level))
    if m is None or m.level is not level:
        from game.story import collector

        with collector.paused():
            m = _MACHINES[id(level)] = StoryMachine(level)
        weakref.finalize(level, _forget, id(level))
    return m


def _forget(key: int) -> None:
    from game.story import collector

    _MACHINES.pop(key, None)
    collector.release()


# The name the machine had before it decided anything itself.
LevelMachine = StoryMachine
