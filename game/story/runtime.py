"""The story runtime: runs a Story's levels scene by scene and asks the front end for what it cannot do.

Pure Python (no pygame). The front end loops:

    prompt = runtime.current()
    LinePrompt      -> show it, then runtime.advance()
    ChoicePrompt    -> runtime.choose(option["index"])
    TalkPrompt      -> hold the conversation, then runtime.finish_talk(outcome)
    MinigamePrompt  -> run it, then runtime.finish_minigame(result) or runtime.skip_minigame()
    LevelPrompt     -> show the chapter title, then runtime.advance()
    EndPrompt       -> the story is over (runtime.ended)

`snapshot()` returns versioned JSON-able data; `Runtime.restore(story, data)` continues
exactly where the snapshot was taken, with the same transcript and random numbers.
"""
from __future__ import annotations

import weakref
from typing import Any

from game.story import expressions as ex
from game.story.machine import LevelMachine
from game.story.model import NARRATOR, Choice, End, Goto, Level, Line, MinigameStep, Set, Story, Talk
from game.story.prompts import (ChoicePrompt, EndPrompt, LevelPrompt, LinePrompt, MinigamePrompt, TalkPrompt,
                                from_json, to_json)
from game.story.world import World

SNAPSHOT_VERSION = 1
MAX_SILENT_STEPS = 100_000   # steps without anything to show before we call it an endless loop


_MACHINES: dict[int, LevelMachine] = {}


def machine_for(level: Level) -> LevelMachine:
    """One machine per loaded level, shared by every runtime on it (restores, rollback, playtests).

    Building the machine of a large level takes a while; a restored runtime must not pay
    that again. The cache entry goes away with the level.
    """
    m = _MACHINES.get(id(level))
    if m is None or m.level is not level:
        m = _MACHINES[id(level)] = LevelMachine(level)
        weakref.finalize(level, _MACHINES.pop, id(level), None)
    return m


class StoryStateError(Exception):
    """The front end asked for something the current prompt does not allow."""


class Runtime:
    def __init__(self, story: Story, player: str = "Player", seed: int = 0, *, start_scene: str | None = None,
                 set_vars: dict[str, Any] | None = None, level: str | None = None) -> None:
        self.story = story
        self.seed = seed
        self.trace = None       # analysis hook: callable(event, level, scene, detail); None in play
        self.world = World(player, seed)
        self.transcript: list[dict[str, Any]] = []
        self._machines: dict[str, LevelMachine] = {}
        self._prompt = None
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
        return self.story.levels[self.level_index]

    @property
    def scene(self) -> str:
        return self._cursor.state

    def machine(self, level: Level | None = None) -> LevelMachine:
        level = level or self.level
        m = self._machines.get(level.id)
        if m is None or m.level is not level:
            m = self._machines[level.id] = machine_for(level)
        return m

    def character(self, cid: str):
        return self.level.characters.get(cid)

    def scope(self) -> ex.Scope:
        return self._scope

    def current(self):
        if self._prompt is None:
            self._prompt = self._run()
        return self._prompt

    # ------------------------------------------------------------------ actions
    def advance(self, *, text: str | None = None, backend: str | None = None, model: str | None = None) -> None:
        """The player has read the current line (or chapter card). For a generated line, pass what was shown."""
        prompt = self.current()
        if isinstance(prompt, LevelPrompt):
            self._prompt = None
            return
        if not isinstance(prompt, LinePrompt):
            raise StoryStateError(f"advance() while the story waits for a {prompt.kind}")
        entry = {"kind": "line", "level": self.level.id, "scene": prompt.scene, "speaker": prompt.speaker,
                 "name": prompt.name, "text": prompt.text if text is None else text, "key": prompt.key}
        if text is not None and backend:
            entry.update(generated=True, backend=backend, model=model)
        elif prompt.generate:
            entry.update(generated=False, backend="authored")
        self.transcript.append(entry)
        self._pc += 1
        self._prompt = None

    def choose(self, index: int) -> None:
        prompt = self.current()
        if not isinstance(prompt, ChoicePrompt):
            raise StoryStateError(f"choose() while the story waits for a {prompt.kind}")
        offered = {o["index"]: o["text"] for o in prompt.options}
        if index not in offered:
            raise StoryStateError(f"option {index} is not on offer (offered: {sorted(offered)})")
        step = self._step()
        option = step.options[index]
        self.transcript.append({"kind": "choice", "level": self.level.id, "scene": prompt.scene,
                                "options": [o["text"] for o in prompt.options], "chosen": offered[index],
                                "index": index, "key": prompt.key})
        self._apply(option.effects)
        self._prompt = None
        if option.goto:
            self._jump(f"{self.scene}:{self._pc}:{index}")
        else:
            self._pc += 1

    def finish_talk(self, outcome: dict[str, Any] | None = None) -> None:
        """outcome: {"values": {dim: -1..1}, "turns": [{"player", "reply", "backend", "model", "generated"}], "summary"}"""
        prompt = self.current()
        if not isinstance(prompt, TalkPrompt):
            raise StoryStateError(f"finish_talk() while the story waits for a {prompt.kind}")
        outcome = outcome or {}
        values = {}
        for dim, value in (outcome.get("values") or {}).items():
            if dim in prompt.measures or dim in self.level.values:
                try:
                    values[dim] = max(-1.0, min(1.0, float(value)))
                except (TypeError, ValueError):
                    continue
        self.world.values.update(values)
        turns = list(outcome.get("turns") or [])
        for turn in turns:
            if turn.get("player") is not None:
                self.transcript.append({"kind": "said", "level": self.level.id, "scene": prompt.scene,
                                        "speaker": "player", "name": self.world.player, "text": str(turn["player"])})
            if turn.get("reply") is not None:
                char = self.character(prompt.character)
                self.transcript.append({"kind": "line", "level": self.level.id, "scene": prompt.scene,
                                        "speaker": prompt.character, "name": char.name if char else prompt.character,
                                        "text": str(turn["reply"]), "generated": bool(turn.get("generated")),
                                        "backend": turn.get("backend", "scripted"), "model": turn.get("model")})
        self.transcript.append({"kind": "talk", "level": self.level.id, "scene": prompt.scene,
                                "character": prompt.character, "turns": len(turns), "values": values,
                                "key": prompt.key})
        step = self._step()
        if step.store_as:
            self.world.vars[step.store_as] = {**values, "turns": len(turns),
                                              "summary": str(outcome.get("summary", ""))}
        self._pc += 1
        self._prompt = None

    def finish_minigame(self, result: dict[str, Any] | None = None, *, skipped: bool = False, note: str = "") -> None:
        prompt = self.current()
        if not isinstance(prompt, MinigamePrompt):
            raise StoryStateError(f"finish_minigame() while the story waits for a {prompt.kind}")
        merged = dict(prompt.default)
        if result:
            merged.update({k: v for k, v in result.items() if isinstance(v, (int, float, str, bool)) or v is None})
        self.world.vars[prompt.store_as] = merged
        entry = {"kind": "minigame", "level": self.level.id, "scene": prompt.scene, "name": prompt.name,
                 "as": prompt.store_as, "result": merged, "skipped": skipped, "key": prompt.key}
        if skipped:
            entry["note"] = note or "minigame skipped: the default result was used"
        self.transcript.append(entry)
        self._pc += 1
        self._prompt = None

    def skip_minigame(self, reason: str = "skipped by the player") -> None:
        prompt = self.current()
        self.finish_minigame(None, skipped=True, note=f"{reason}: the default result was used "
                             f"({', '.join(f'{k}={v}' for k, v in prompt.default.items()) or 'no fields'})")

    # ------------------------------------------------------------------ save / restore
    def snapshot(self) -> dict[str, Any]:
        return {"version": SNAPSHOT_VERSION, "story": self.story.id, "level": self.level.id,
                "level_index": self.level_index, "scene": self.scene, "pc": self._pc, "seed": self.seed,
                "world": self.world.snapshot(), "transcript": [dict(e) for e in self.transcript],
                "prompt": to_json(self._prompt), "ended": self.ended, "ending": self.ending,
                "announce": self._announce}

    @classmethod
    def restore(cls, story: Story, data: dict[str, Any]) -> "Runtime":
        """Continue from a snapshot. A damaged or foreign snapshot raises StoryStateError saying why."""
        try:
            return cls._restore(story, data)
        except StoryStateError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            raise StoryStateError(f"the save is damaged ({type(exc).__name__}: {exc})") from None

    @classmethod
    def _restore(cls, story: Story, data: dict[str, Any]) -> "Runtime":
        if not isinstance(data, dict) or data.get("version") != SNAPSHOT_VERSION:
            raise StoryStateError(f"save version {data.get('version') if isinstance(data, dict) else '?'} "
                                  f"is not supported (expected {SNAPSHOT_VERSION})")
        if data.get("story") != story.id:
            raise StoryStateError(f"this save belongs to '{data.get('story')}', not '{story.id}'")
        rt = cls.__new__(cls)
        rt.story = story
        rt.trace = None
        rt.seed = data["seed"]
        rt.world = World.restore(data["world"])
        rt.transcript = [dict(e) for e in data["transcript"]]
        rt._machines = {}
        rt.ended = data["ended"]
        rt.ending = data["ending"]
        ids = [lv.id for lv in story.levels]
        if data["level"] not in ids:
            raise StoryStateError(f"the save's level '{data['level']}' is not in this story")
        rt.level_index = ids.index(data["level"])
        if data["scene"] not in rt.level.scenes:
            raise StoryStateError(f"the save's scene '{data['scene']}' is not in level '{data['level']}'")
        rt._cursor = rt.machine().cursor(data["scene"])
        rt._pc = int(data["pc"])
        rt._scope = ex.Scope(rt.world.names, rt.world.rng)
        rt._prompt = from_json(data["prompt"])
        rt._announce = bool(data.get("announce", False))
        return rt

    # ------------------------------------------------------------------ internals
    def _enter_level(self, index: int, start_scene: str | None = None, announce: bool = False) -> None:
        self.level_index = index
        level = self.level
        for name, value in level.vars.items():
            self.world.vars.setdefault(name, value)   # values carried from earlier levels win
        for dim in level.values:
            self.world.values.setdefault(dim, 0.0)
        self.world.visits = {}
        scene = start_scene or level.start
        if scene not in level.scenes:
            raise StoryStateError(f"no scene '{scene}' in level '{level.id}'")
        self._cursor = self.machine().cursor(scene)
        self._pc = 0
        self._scope = ex.Scope(self.world.names, self.world.rng)
        self.world.visits[scene] = 1
        self._announce = announce
        if getattr(self, "trace", None):
            self.trace("scene", level.id, scene, None)

    def _step(self):
        return self.level.scenes[self.scene].steps[self._pc]

    def _key(self) -> str:
        return f"{self.level.id}/{self.scene}/{self._pc}"

    def _apply(self, effects) -> None:
        for name, expr in effects:
            self.world.vars[name] = self._scope.eval(expr)

    def _jump(self, edge_id: str) -> None:
        m = self.machine()
        if not m.fire(self._cursor, edge_id, guard_ok=lambda _eid: True):
            raise StoryStateError(f"the level's machine refused the move {edge_id}")
        self._pc = 0
        self.world.visits[self.scene] = self.world.visits.get(self.scene, 0) + 1
        if self.trace:
            self.trace("scene", self.level.id, self.scene, edge_id)

    def _truth(self, expr, pos) -> bool:
        value = self._scope.truth(expr)
        if self.trace:
            self.trace("guard", self.level.id, self.scene, (pos, value))
        return value

    def _end_of_level(self, ending: str, title: str, text: str, problem: str = "", pos=None):
        level = self.level
        if self.trace:
            self.trace("end", level.id, self.scene, (ending, pos, problem))
        self.transcript.append({"kind": "end", "level": level.id, "scene": self.scene, "ending": ending,
                                **({"problem": problem} if problem else {})})
        if self.level_index + 1 < len(self.story.levels) and not problem:
            self._enter_level(self.level_index + 1, announce=True)
            return None
        self.ended = True
        self.ending = ending
        return EndPrompt(self._key(), ending, title, text, self.scene, problem)

    def _run(self):
        if self.ended:
            return EndPrompt(self._key(), self.ending or "", "", "", self.scene)
        if self._announce:
            self._announce = False
            return LevelPrompt(f"{self.level.id}/", self.level.id, self.level.title, self.level_index + 1)
        scope = self._scope
        for _ in range(MAX_SILENT_STEPS):
            steps = self.level.scenes[self.scene].steps
            if self._pc >= len(steps):
                problem = f"scene '{self.scene}' ran out of steps without an `end` or `goto`"
                prompt = self._end_of_level("dead_end", "The story stops here", problem, problem)
                if prompt is None:
                    continue
                return prompt
            step = steps[self._pc]
            try:
                if step.guard is not None and not self._truth(step.guard, step.pos):
                    self._pc += 1
                    continue
                if isinstance(step, Line):
                    return self._line(step)
                if isinstance(step, Set):
                    self._apply(step.effects)
                    self._pc += 1
                elif isinstance(step, Goto):
                    self._jump(f"{self.scene}:{self._pc}")
                elif isinstance(step, Choice):
                    options = [{"index": j, "text": o.text.render(scope)} for j, o in enumerate(step.options)
                               if o.guard is None or self._truth(o.guard, o.pos)]
                    if not options:
                        if self.trace:
                            self.trace("empty_choice", self.level.id, self.scene, step.pos)
                        self.transcript.append({"kind": "note", "scene": self.scene,
                                                "text": "a choice had no available option and was passed over"})
                        self._pc += 1
                        continue
                    return ChoicePrompt(self._key(), options, self.scene,
                                        step.prompt.render(scope) if step.prompt else "")
                elif isinstance(step, Talk):
                    return TalkPrompt(self._key(), step.character, step.turns, step.goal, list(step.measures),
                                      [q.render(scope) for q in step.questions], self.scene,
                                      [q.for_prompt(scope) for q in step.asks])
                elif isinstance(step, MinigameStep):
                    from game import minigames

                    info = minigames.info(step.name)
                    default = dict(info.default_result) if info else {}
                    default.update(step.default)
                    params = dict(step.params)
                    if info and "values" in info.params and "values" not in params:
                        params["values"] = dict(self.world.values)
                    seed = self.world.rng.randrange(2 ** 31)
                    return MinigamePrompt(self._key(), step.name, params, step.store_as, default, seed, self.scene)
                elif isinstance(step, End):
                    title = step.title.render(scope) if step.title else ""
                    text = step.text.render(scope) if step.text else ""
                    prompt = self._end_of_level(step.ending, title, text, pos=step.pos)
                    if prompt is None:
                        return self._run()
                    return prompt
            except ex.ExpressionError as exc:
                # A bad value at run time (e.g. text compared with a number): say where, keep playing.
                self.transcript.append({"kind": "note", "scene": self.scene,
                                        "text": f"{step.pos}: {exc.message}; the step was skipped"})
                self._pc += 1
        problem = f"the story looped {MAX_SILENT_STEPS} steps without showing anything (scene '{self.scene}')"
        return self._end_of_level("loop", "The story is stuck", problem, problem)

    def _line(self, step: Line) -> LinePrompt:
        text = step.text.render(self._scope)
        if step.speaker == NARRATOR:
            return LinePrompt(self._key(), NARRATOR, "", "#c8c8d0", text, self.scene)
        char = self.level.characters[step.speaker]
        return LinePrompt(self._key(), step.speaker, char.name, char.color, text, self.scene, step.generate)
