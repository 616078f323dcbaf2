"""Two step types a writer's project might add, registered from outside the engine.

`ask:` is player-facing: it asks the player to type something and stores it in a
variable. It is one module plus one handler per front end (the terminal's is below;
the desktop's too). `bump:` is silent: it adds one to a counter, and is this module alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from game.story.prompts import Prompt, register_prompt
from game.story.steps import GUARD, Step, register, unregister


@register_prompt
@dataclass(slots=True)
class AskPrompt(Prompt):
    key: str
    question: str
    into: str
    scene: str
    kind: ClassVar[str] = "ask"


@dataclass(slots=True, eq=False)
class Ask(Step):
    into: str = ""
    question: object = None  # Template

    name: ClassVar[str] = "ask"
    description: ClassVar[str] = "ask the player to type an answer, stored in a variable"
    head_schema: ClassVar[dict] = {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"}
    modifiers: ClassVar[dict] = {**GUARD, "question": ({"type": "string"}, "what is asked")}
    prompt_kind: ClassVar[str] = "ask"

    @classmethod
    def read(cls, ctx, head, node, keys, pos, guard):
        into = ctx.name(node, "'ask'")
        if into is None:
            return None
        ctx.assigns(node, into)
        question = None
        if "question" in keys:
            text = ctx.text(keys["question"][1], "'question'")
            question = ctx.template(keys["question"][1], text) if text is not None else None
        return cls(pos, guard, into, question)

    def writes(self):
        return {self.into}

    def texts(self):
        if self.question is not None:
            yield self.question

    def execute(self, rt):
        question = self.question.render(rt._scope) if self.question else ""
        return AskPrompt(rt._key(), question, self.into, rt.scene)

    def answer(self, rt, prompt, text: str = ""):
        rt.world.vars[self.into] = str(text)
        rt.transcript.append(
            {
                "kind": "said",
                "level": rt.level.id,
                "scene": prompt.scene,
                "speaker": "player",
                "name": rt.world.player,
                "text": str(text),
                "key": prompt.key,
            }
        )
        rt._pc += 1

    def forks(self, rt, prompt, outcomes):
        # What exploration tries: the answers the level's conditions can tell apart.
        return [{"text": "yes"}, {"text": "no"}]


@dataclass(slots=True, eq=False)
class Bump(Step):
    counter: str = ""

    name: ClassVar[str] = "bump"
    description: ClassVar[str] = "add one to a counter"
    head_schema: ClassVar[dict] = {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"}

    @classmethod
    def read(cls, ctx, head, node, keys, pos, guard):
        counter = ctx.name(node, "'bump'")
        if counter is None:
            return None
        ctx.assigns(node, counter)
        return cls(pos, guard, counter)

    def writes(self):
        return {self.counter}

    def execute(self, rt):
        rt.world.vars[self.counter] = rt.world.vars.get(self.counter, 0) + 1
        rt._pc += 1
        return None


def install() -> None:
    register(Ask)
    register(Bump)


def uninstall() -> None:
    unregister("ask")
    unregister("bump")


def terminal_ask(session, prompt):
    """The terminal's handler for `ask` prompts."""
    from game.terminal import _say

    _say("", prompt.question)
    answer = session.inp.ask("you> ")
    if answer is None:
        return 0
    session.rt.answer(text=answer)
    return None
