"""A choice: the player picks one of the options on offer.

Every option is a transition of the level's machine (trigger `pick@<step>.<option>`): its
`if:` is the transition's condition, its `set:` runs before the move, its `goto:` is the
destination; an option without `goto:` is an internal transition (the scene goes on).
The options offered are the machine's answer to "which of these may fire now", and
choosing one fires it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from game.story.prompts import Prompt, register_prompt
from game.story.steps import EXPR, GUARD, Edge, Step, register

if TYPE_CHECKING:
    from collections.abc import Iterator

    import yaml

    from game.story.cache import _Decoder as Decoder
    from game.story.cache import _Encoder as Encoder
    from game.story.explore import Outcomes
    from game.story.expressions import Expression, Template
    from game.story.loader import StepContext
    from game.story.runtime import Runtime
    from game.story.steps import Keys

OPTION = {
    "text": ({"type": "string"}, "what the option says; {expr} is interpolated"),
    "if": (EXPR, "offered only when this holds"),
    "set": (
        {
            "type": "object",
            "propertyNames": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"},
            "additionalProperties": EXPR,
            "description": "variable: expression (quote text inside: '\"calm\"')",
        },
        "variables to change when taken",
    ),
    "goto": (
        {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"},
        "scene to jump to (otherwise the scene goes on)",
    ),
}
OPTION_REQUIRED = ("text",)


@register_prompt
@dataclass(slots=True)
class ChoicePrompt(Prompt):
    key: str
    options: list[dict[str, Any]]  # [{"index": i, "text": ...}] in display order, only those available
    scene: str
    prompt: str = ""
    kind: ClassVar[str] = "choice"


class Option(NamedTuple):
    text: Any  # Template
    guard: Any  # Expression | None
    effects: tuple[Any, ...]  # ((variable, Expression), ...)
    goto: str | None
    pos: Any
    guard_pos: Any = None  # where its `if:` is written (diagnostics point there)


def trigger(index: int, option: int) -> str:
    return f"pick@{index}.{option}"


@register
@dataclass(slots=True, eq=False)
class Choice(Step):
    options: tuple[Any, ...] = ()
    prompt: Any = None  # Template | None: a line shown above the options
    triggers: tuple[Any, ...] = ()  # the machine event of each option (set when the scene is built)

    name: ClassVar[str] = "choice"
    description: ClassVar[str] = "options for the player; each may have `if:`, `set:` and `goto:`"
    head_schema: ClassVar[dict[str, Any]] = {"type": "array", "minItems": 1}  # items: the option schema (see schema.py)
    modifiers: ClassVar[dict[str, Any]] = {**GUARD, "prompt": ({"type": "string"}, "a line shown above the options")}
    prompt_kind: ClassVar[str] = "choice"

    @classmethod
    def read(cls, ctx: StepContext, head: str, node: yaml.Node, keys: Keys, pos: Any, guard: Any) -> Step | None:
        options = []
        items = ctx.sequence(node, "'choice'")
        for onode in items or []:
            ok = ctx.mapping(onode, "a choice option", tuple(OPTION), required=OPTION_REQUIRED)
            if not ok or "text" not in ok:
                continue
            text = ctx.text(ok["text"][1], "option text")
            tpl = ctx.template(ok["text"][1], text) if text is not None else None
            oguard = ctx.expression(ok["if"][1]) if "if" in ok else None
            effects = ctx.effects(ok["set"][1]) if "set" in ok else ()
            target = None
            if "goto" in ok:
                target = ctx.text(ok["goto"][1], "'goto'")
                if target is not None:
                    ctx.goto(ok["goto"][1], target)
            if tpl:
                options.append(
                    Option(tpl, oguard, effects, target, ctx.pos(onode), ctx.pos(ok["if"][1]) if "if" in ok else None)
                )
        if items is not None and not items:
            ctx.error(node, "TT0005", "a choice needs at least one option")
        prompt = None
        if "prompt" in keys:
            ptext = ctx.text(keys["prompt"][1], "'prompt'")
            prompt = ctx.template(keys["prompt"][1], ptext) if ptext is not None else None
        return cls(pos, guard, tuple(options), prompt)

    # ---------------------------------------------------------------- lint facts
    def conditions(self) -> Iterator[tuple[Expression, Any]]:
        yield from Step.conditions(self)
        for opt in self.options:
            if opt.guard is not None:
                yield opt.guard, opt.pos

    def effects(self) -> Iterator[tuple[str, Expression]]:
        for opt in self.options:
            yield from opt.effects

    def texts(self) -> Iterator[Template]:
        if self.prompt is not None:
            yield self.prompt
        for opt in self.options:
            yield opt.text

    def placed(self, scene: str, index: int, steps: tuple[Step, ...]) -> None:
        self.triggers = tuple(trigger(index, j) for j in range(len(self.options)))

    def exits(self, scene: str, index: int, steps: tuple[Step, ...]) -> list[Edge]:
        edges = []
        for j, opt in enumerate(self.options):
            source = opt.text.source
            label = source if len(source) <= 40 else source[:37] + "..."
            edges.append(
                Edge(
                    f"{scene}:{index}:{j}",
                    trigger(index, j),
                    scene,
                    opt.goto,
                    index,
                    j,
                    opt.guard,
                    opt.effects,
                    label,
                    "choice",
                    opt.pos,
                )
            )
        return edges

    def transitions(self, scene: str, index: int, steps: tuple[Step, ...]) -> list[Edge]:
        # The machine needs no labels (exits() makes those for the story graph).
        triggers = self.triggers
        return [
            Edge(
                f"{scene}:{index}:{j}",
                triggers[j],
                scene,
                opt.goto,
                index,
                j,
                opt.guard,
                opt.effects,
                "",
                "choice",
                opt.pos,
            )
            for j, opt in enumerate(self.options)
        ]

    def leaves(self) -> bool:
        # Every option jumps and one is always offered: the player cannot stay in the scene.
        return self.guard is None and all(o.goto for o in self.options) and any(o.guard is None for o in self.options)

    # ---------------------------------------------------------------- running
    def execute(self, rt: Runtime) -> Prompt | None:
        scope = rt._scope
        offered = rt._machine.offered(rt, self.triggers)
        options = []
        j = 0
        for opt in self.options:
            if offered[j]:
                text = opt.text.literal
                options.append({"index": j, "text": opt.text.render(scope) if text is None else text})
            j += 1
        if not options:
            if rt.trace:
                rt.trace("empty_choice", rt.level.id, rt.scene, self.pos)
            rt.note("a choice had no available option and was passed over")
            rt._pc += 1
            return None
        scene = rt.scene
        return ChoicePrompt(
            f"{rt._level.id}/{scene}/{rt._pc}", options, scene, self.prompt.render(scope) if self.prompt else ""
        )

    def answer(self, rt: Runtime, prompt: Any, index: int = -1) -> Any:
        chosen = None
        for option in prompt.options:
            if option["index"] == index:
                chosen = option["text"]
                break
        else:
            from game.story.runtime import StoryStateError

            raise StoryStateError(
                f"option {index} is not on offer (offered: {sorted(o['index'] for o in prompt.options)})"
            )
        rt.transcript.append(
            {
                "kind": "choice",
                "level": rt._level.id,
                "scene": prompt.scene,
                "options": [o["text"] for o in prompt.options],
                "chosen": chosen,
                "index": index,
                "key": prompt.key,
            }
        )
        rt.fire(self.triggers[index], f"option {index}")
        if self.options[index].goto is None:
            rt._pc += 1

    def forks(self, rt: Runtime, prompt: Any, outcomes: Outcomes) -> list[dict[str, Any]]:
        return [{"index": o["index"]} for o in prompt.options]

    def coverage(self, key: str) -> dict[str, list[str]]:
        return {"choices": [f"{key}#{j}" for j in range(len(self.options))]}

    def pack(self, enc: Encoder) -> list[Any]:
        options = []
        for o in self.options:
            options.append(
                [
                    enc.template(o.text),
                    enc.expr(o.guard),
                    [[n, enc.expr(e)] for n, e in o.effects],
                    o.goto,
                    *enc.pos(o.pos),
                    *(enc.pos(o.guard_pos) if o.guard_pos else (-1, 0, 0)),
                ]
            )
        return [options, enc.template(self.prompt) if self.prompt is not None else -1]

    @classmethod
    def unpack(cls, dec: Decoder, pos: Any, guard: Any, fields: list[Any]) -> Step:
        rows, prompt = fields
        options = []
        for text, oguard, effects, goto, f, ln, col, gf, gl, gc in rows:
            options.append(
                Option(
                    dec.template(text),
                    dec.expr(oguard),
                    tuple((n, dec.expr(e)) for n, e in effects),
                    goto,
                    dec.pos(f, ln, col),
                    dec.pos(gf, gl, gc) if gf >= 0 else None,
                )
            )
        return cls(pos, guard, tuple(options), dec.template(prompt) if prompt >= 0 else None)
