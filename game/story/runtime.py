"""The story runtime: runs a Story's levels scene by scene and asks the front end for what it cannot do.

Pure Python (no pygame). The front end loops:

    prompt = runtime.current()
    LinePrompt      -> show it, then runtime.advance()
    ChoicePrompt    -> runtime.choose(option["index"])
    TalkPrompt      -> hold the conversation, then runtime.finish_talk(outcome)
    MinigamePrompt  -> run it, then runtime.finish_minigame(result) or runtime.skip_minigame()
    LevelPrompt     -> show the chapter title, then runtime.advance()
    EndPrompt       -> the story is over (runtime.ended)
    (a step type of a plugin) -> runtime.answer(**what its prompt asks for)

Each kind of step runs itself (`game/story/steps/`); the runtime holds the place (level,
scene, step index), the world, and the transcript. The level's `transitions` machine
decides every move between scenes: the runtime is its model (`runtime.scene` is the
machine's state) and steps fire its events. Entering a scene is the machine's callback
(`_scene_entered`): the step counter restarts, visits are counted, and listeners in
`on_scene` (a front end's autosave, background) are told.

`snapshot()` returns versioned JSON-able data; `Runtime.restore(story, data)` checks it
against the story and continues exactly where it was taken, with the same transcript and
random numbers: the prompt is recomputed from the step (with the random state from
before it, when the step draws on it), so a save can never show something its story
would not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from game.story import expressions as ex
from game.story.machine import StoryMachine, machine_for
from game.story.model import Character, Level, Pos, Story
from game.story.prompts import LevelPrompt
from game.story.snapshot import SnapshotError, check_snapshot
from game.story.world import World
from game.textsafe import clean_line

if TYPE_CHECKING:
    from game.story.score import ScoreCard
    from game.story.steps import Step
    from game.story.steps.end import End, EndPrompt

SNAPSHOT_VERSION = 2
MAX_SILENT_STEPS = 100_000  # steps without anything to show before we call it an endless loop


class StoryStateError(Exception):
    """The front end asked for something the current prompt does not allow, or a save does not fit."""


class Runtime:
    scene: str  # the current scene, written by the level's machine (model_attribute="scene")

    def __init__(
        self,
        story: Story,
        player: str = "Player",
        seed: int = 0,
        *,
        start_scene: str | None = None,
        set_vars: dict[str, Any] | None = None,
        level: str | None = None,
    ) -> None:
        self.story = story
        self.seed = seed
        self.trace: Callable[..., Any] | None = (
            None  # analysis hook: callable(event, level, scene, detail); None in play
        )
        self.on_scene: list[Callable[[Runtime], None]] = []  # told after every scene entry
        # The name is shown everywhere (terminal, window, saves): no escape sequence or control character.
        self.world = World(clean_line(player, 200) if isinstance(player, str) else player, seed)
        self.transcript: list[dict[str, Any]] = []
        self._prompt: Any = None  # the prompt being shown (one of game.story.prompts' kinds)
        self._rng_before: list[Any] | None = None
        self._end: EndPrompt | None = None
        self.ended = False
        self.ending: str | None = None
        self.level_index = 0
        if level is not None:
            ids = [lv.id for lv in story.levels]
            if level not in ids:
                raise StoryStateError(f"no level '{level}' in {story.file} (levels: {', '.join(ids)})")
            self.level_index = ids.index(level)
        self.world.vars.update(story.vars)
        self._enter_level(self.level_index, start_scene, announce=len(story.levels) > 1 and start_scene is None)
        for name, value in (set_vars or {}).items():
            self.world.vars[name] = value

    # ------------------------------------------------------------------ queries
    @property
    def level(self) -> Level:
        return self._level

    def machine(self, level: Level | None = None) -> StoryMachine:
        return self._machine if level is None or level is self._level else machine_for(level)

    def character(self, cid: str) -> Character:
        """The level's character `cid` (the loader checks that every talk and line names one)."""
        char = self._level.characters.get(cid)
        if char is None:
            raise StoryStateError(f"level '{self._level.id}' has no character '{cid}'")
        return char

    def scope(self) -> ex.Scope:
        return self._scope

    def current(self) -> Any:
        return self._prompt or self._next_prompt()

    def _next_prompt(self) -> Any:
        # The common case first: the step under the counter asks the player something at once.
        if not (self.ended or self._announce):
            steps = self._steps
            pc = self._pc
            if pc < len(steps):
                step = steps[pc]
                if not step.draws:
                    prompt = self._run_step(step)
                    if prompt is not None:
                        self._prompt = prompt
                        return prompt
        prompt = self._prompt = self._run()
        return prompt

    def score(self) -> ScoreCard:
        """The score card of the story so far (game/story/score.py)."""
        from game.story.score import card

        return card(self)

    # ------------------------------------------------------------------ actions
    def advance(self, *, text: str | None = None, backend: str | None = None, model: str | None = None) -> None:
        """The player has read the current line (or chapter card). For a generated line, pass what was shown."""
        prompt = self._prompt or self.current()
        kind = prompt.kind
        if kind == "line":
            self._steps[self._pc].answer(self, prompt, text, backend, model)
            self._prompt = self._rng_before = None
            return
        if kind != "level":
            raise StoryStateError(f"advance() while the story waits for a {kind}")
        self._prompt = None

    def choose(self, index: int) -> None:
        prompt = self._prompt or self.current()
        if prompt.kind != "choice":
            raise StoryStateError(f"choose() while the story waits for a {prompt.kind}")
        self._steps[self._pc].answer(self, prompt, index)
        self._prompt = self._rng_before = None

    def finish_talk(self, outcome: dict[str, Any] | None = None) -> None:
        """outcome: {"values": {dim: -1..1}, "turns": [{"player", "reply", "backend", "model", "generated"}], "summary"}"""
        prompt = self.current()
        if prompt.kind != "talk":
            raise StoryStateError(f"finish_talk() while the story waits for a {prompt.kind}")
        self._answer(prompt, outcome=outcome)

    def finish_minigame(self, result: dict[str, Any] | None = None, *, skipped: bool = False, note: str = "") -> None:
        prompt = self.current()
        if prompt.kind != "minigame":
            raise StoryStateError(f"finish_minigame() while the story waits for a {prompt.kind}")
        self._answer(prompt, result=result, skipped=skipped, note=note)

    def skip_minigame(self, reason: str = "skipped by the player") -> None:
        prompt = self.current()
        if prompt.kind != "minigame":
            raise StoryStateError(f"skip_minigame() while the story waits for a {prompt.kind}")
        self.finish_minigame(
            None,
            skipped=True,
            note=f"{reason}: the default result was used "
            f"({', '.join(f'{k}={v}' for k, v in prompt.default.items()) or 'no fields'})",
        )

    def answer(self, **payload: Any) -> None:
        """Answer the current prompt, whatever its kind (for step types that bring their own prompts)."""
        prompt = self.current()
        if prompt.kind in ("level", "end"):
            if prompt.kind == "level":
                self._prompt = None
                return
            raise StoryStateError("the story is over")
        self._answer(prompt, **payload)

    def _answer(self, prompt: Any, **payload: Any) -> None:
        step = self._steps[self._pc]
        step.answer(self, prompt, **payload)
        self._prompt = None
        self._rng_before = None

    # ------------------------------------------------------------------ what steps use
    def _key(self) -> str:
        return f"{self._level.id}/{self.scene}/{self._pc}"

    def holds(self, expr: ex.Expression, pos: Pos | None = None) -> bool:
        """Does a condition hold? A condition that cannot be evaluated is noted and taken as false."""
        try:
            value = bool(self._scope.eval(expr))
        except ex.ExpressionError as exc:
            self.note(f"{pos}: {exc.message}; the step was skipped" if pos else f"{exc.message}; taken as false")
            value = False
        if self.trace:
            self.trace("guard", self._level.id, self.scene, (pos, value))
        return value

    def apply(self, assignments: Iterable[tuple[str, ex.Expression]]) -> None:
        """Run `set:` assignments in order. One that cannot be evaluated is noted; its variable keeps its value."""
        scope = self._scope
        vars_ = self.world.vars
        for name, expr in assignments:
            try:
                vars_[name] = scope.eval(expr)
            except ex.ExpressionError as exc:
                self.note(f"`{name}: {expr.source}`: {exc.message}; '{name}' kept its value")

    def fire(self, trigger: str, refused: str | None = None) -> bool:
        """Ask the level's machine to fire `trigger`. With `refused`, a refusal is a StoryStateError saying so."""
        moved = self._machine.fire(self, trigger)
        if not moved and refused:
            raise StoryStateError(f"the level's machine refused {refused} here (its condition no longer holds)")
        return moved

    def note(self, text: str) -> None:
        """An authoring problem met at run time: into the transcript, and the game goes on."""
        self.transcript.append({"kind": "note", "scene": self.scene, "text": text})

    def end_level(self, step: End | None = None, problem: str = "") -> EndPrompt | None:
        """Leave the level at an `end:` step (or a dead end). Returns the story's EndPrompt, or None
        when the next level of a campaign begins."""
        level = self._level
        ending = step.ending if step is not None else ("loop" if "looped" in problem else "dead_end")
        if self.trace:
            self.trace("end", level.id, self.scene, (ending, step.pos if step is not None else None, problem))
        self.transcript.append(
            {
                "kind": "end",
                "level": level.id,
                "scene": self.scene,
                "ending": ending,
                **({"problem": problem} if problem else {}),
            }
        )
        if self.level_index + 1 < len(self.story.levels) and not problem:
            self._enter_level(self.level_index + 1, announce=True)
            return None
        from game.story.steps.end import EndPrompt

        if step is not None:
            prompt = step.prompt(self)
        else:
            title = "The story is stuck" if ending == "loop" else "The story stops here"
            prompt = EndPrompt(self._key(), ending, title, problem, self.scene, problem)
        self.ended = True
        self.ending = ending
        self._end = prompt
        return prompt

    # ------------------------------------------------------------------ machine callbacks
    def _scene_entered(self) -> None:
        scene = self.scene
        sc = self._level.scenes[scene]
        self._steps = sc.steps
        self._pc = 0
        visits = self.world.visits
        visits[scene] = visits.get(scene, 0) + 1
        if self.trace:
            self.trace("scene", self._level.id, scene, None)
        for listener in self.on_scene:
            listener(self)

    # ------------------------------------------------------------------ save / restore
    def snapshot(self) -> dict[str, Any]:
        from game.story.prompts import to_json

        return {
            "version": SNAPSHOT_VERSION,
            "story": self.story.id,
            "level": self._level.id,
            "level_index": self.level_index,
            "scene": self.scene,
            "pc": self._pc,
            "seed": self.seed,
            "world": self.world.snapshot(),
            "transcript": [dict(e) for e in self.transcript],
            "rng_before": self._rng_before,
            "ended": self.ended,
            "ending": self.ending,
            "end": to_json(self._end) if self.ended else None,
            "announce": self._announce,
        }

    @classmethod
    def restore(cls, story: Story, data: dict[str, Any]) -> Runtime:
        """Continue from a snapshot. A damaged or foreign snapshot raises StoryStateError saying why."""
        try:
            return cls._restore(story, data)
        except StoryStateError:
            raise
        except SnapshotError as exc:
            raise StoryStateError(f"the save does not fit this story: {exc}") from None
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError) as exc:
            raise StoryStateError(f"the save is damaged ({type(exc).__name__}: {exc})") from None

    @classmethod
    def _restore(cls, story: Story, data: dict[str, Any]) -> Runtime:
        if not isinstance(data, dict) or data.get("version") not in (1, SNAPSHOT_VERSION):
            raise StoryStateError(
                f"save version {data.get('version') if isinstance(data, dict) else '?'} "
                f"is not supported (expected {SNAPSHOT_VERSION})"
            )
        if data.get("story") != story.id:
            raise StoryStateError(f"this save belongs to '{data.get('story')}', not '{story.id}'")
        checked = check_snapshot(story, data)
        rt = cls.__new__(cls)
        rt.story = story
        rt.trace = None
        rt.on_scene = []
        rt.seed = checked.seed
        rt.world = World.restore(checked.world)
        rt.transcript = checked.transcript
        rt.ended = checked.ended
        rt.ending = checked.ending
        rt._end = checked.end
        rt._prompt = None
        rt._rng_before = None
        rt.level_index = checked.level_index
        rt._level = story.levels[rt.level_index]
        rt._machine = machine_for(rt._level)
        rt._machine.place(rt, checked.scene)
        rt._steps = rt._level.scenes[checked.scene].steps
        rt._pc = checked.pc
        rt._scope = ex.Scope(rt.world.names, rt.world.rng)
        rt._announce = checked.announce
        if checked.rng_before is not None:
            rt.world.set_rng(checked.rng_before)
        return rt

    def fork(self) -> Runtime:
        """A copy to explore from: the world is copied, the transcript and listeners are not."""
        rt = Runtime.__new__(Runtime)
        rt.__dict__.update(self.__dict__)
        rt.world = self.world.fork()
        rt._scope = ex.Scope(rt.world.names, rt.world.rng)
        rt.transcript = []
        rt.on_scene = []
        return rt

    # ------------------------------------------------------------------ internals
    def _enter_level(self, index: int, start_scene: str | None = None, announce: bool = False) -> None:
        self.level_index = index
        level = self._level = self.story.levels[index]
        for name, value in level.vars.items():
            self.world.vars.setdefault(name, value)  # values carried from earlier levels win
        for dim in level.values:
            self.world.values.setdefault(dim, 0.0)
        self.world.visits.clear()
        scene = start_scene or level.start
        if scene not in level.scenes:
            raise StoryStateError(f"no scene '{scene}' in level '{level.id}'")
        self._scope = ex.Scope(self.world.names, self.world.rng)
        self._announce = announce
        self._machine = machine_for(level)
        self._machine.enter(self, scene)

    def _run_step(self, step: Step) -> Any:
        """Run one step. A value the level cannot compute while playing (text that cannot be
        filled in, say) is noted with its place and the step passed over: the game goes on."""
        try:
            return step.run(self)
        except ex.ExpressionError as exc:
            self.note(f"{step.pos}: {exc.message}; the step was skipped")
            self._pc += 1
            return None

    def _run(self) -> Any:
        for _ in range(MAX_SILENT_STEPS):
            if self.ended:
                return self._end
            if self._announce:
                self._announce = False
                level = self._level
                return LevelPrompt(f"{level.id}/", level.id, level.title, self.level_index + 1)
            steps = self._steps
            pc = self._pc
            if pc >= len(steps):
                problem = f"scene '{self.scene}' ran out of steps without an `end` or `goto`"
                self.end_level(None, problem)
                continue
            step = steps[pc]
            if step.draws:
                self._rng_before = self.world.rng_state()
            prompt = self._run_step(step)
            if prompt is not None:
                return prompt
            self._rng_before = None
        problem = f"the story looped {MAX_SILENT_STEPS} steps without showing anything (scene '{self.scene}')"
        return self.end_level(None, problem)
