"""`- effect: glitch`: the game itself misbehaves, on purpose. A player-facing step any level
can use: the screen glitches, the game's own labels are taken over, a crawl of text runs off
into the distance. Front ends show it their way (the desktop animates it, the terminal
prints it) and answer when it is over or skipped; `labels:` stay changed for the rest of the
run (the world keeps them, saves too), so menus and buttons read what the story says.

    - effect: takeover
      text: ["THIS IS NOT A MENU ANY MORE."]
      labels: {"Continue": "Comply", "Quit game": "There is no quit"}
    - effect: crawl
      text: ["Design: Sarah", "Engine: James", "Feedback: {player}"]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from game.story.prompts import Prompt, register_prompt
from game.story.steps import GUARD, Step, register

if TYPE_CHECKING:
    from collections.abc import Iterator

    import yaml

    from game.story.cache import _Decoder as Decoder
    from game.story.cache import _Encoder as Encoder
    from game.story.expressions import Template
    from game.story.loader import StepContext
    from game.story.runtime import Runtime
    from game.story.steps import Keys

EFFECTS = ("glitch", "takeover", "crawl", "static", "shake", "blackout")
TEXTS = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
MAX_SECONDS = 60


@register_prompt
@dataclass(slots=True)
class EffectPrompt(Prompt):
    """Show an effect, then call `answer()` (or when the player skips it)."""

    key: str
    effect: str  # one of EFFECTS
    lines: list[Any]  # the texts it shows, filled in
    labels: dict[str, Any]  # the labels it takes over (all taken over so far: rt.world.labels)
    seconds: float
    scene: str
    kind: ClassVar[str] = "effect"


@register
@dataclass(slots=True, eq=False)
class Effect(Step):
    effect: str = "glitch"
    lines: tuple[Any, ...] = ()  # Templates
    labels: tuple[Any, ...] = ()  # ((label, Template), ...)
    seconds: float = 4.0

    name: ClassVar[str] = "effect"
    description: ClassVar[str] = "the game itself glitches, is taken over, or rolls a crawl of text"
    head_schema: ClassVar[dict[str, Any]] = {"enum": list(EFFECTS)}
    modifiers: ClassVar[dict[str, Any]] = {
        **GUARD,
        "text": (TEXTS, "what the effect shows, one line each ({...} filled in)"),
        "labels": (
            {"type": "object", "additionalProperties": {"type": "string"}},
            "the game's own words to replace from now on: {shown: replacement}",
        ),
        "seconds": ({"type": "number", "minimum": 0, "maximum": MAX_SECONDS}, "how long it plays (skippable)"),
    }
    prompt_kind: ClassVar[str] = "effect"

    @classmethod
    def read(cls, ctx: StepContext, head: str, node: yaml.Node, keys: Keys, pos: Any, guard: Any) -> Step | None:
        effect = ctx.text(node, "'effect'")
        if effect is None:
            return None
        if effect not in EFFECTS:
            ctx.error(
                node,
                "TT0004",
                f"'effect' should be one of {', '.join(EFFECTS)}, found '{effect}'",
                ctx.suggest(effect, EFFECTS),
            )
            return None
        lines: tuple[Template, ...] = ()
        if "text" in keys:
            lines = tuple(t for n, v in ctx.texts(keys["text"][1], "'text'") if (t := ctx.template(n, v)))
        labels = []
        if "labels" in keys:
            for label, (_knode, vnode) in (ctx.mapping(keys["labels"][1], "'labels'", None) or {}).items():
                value = ctx.text(vnode, f"the new label for '{label}'")
                tpl = ctx.template(vnode, value) if value is not None else None
                if tpl is not None:
                    labels.append((label, tpl))
        seconds = 4.0
        if "seconds" in keys:
            value = ctx.data(keys["seconds"][1])
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_SECONDS:
                ctx.error(keys["seconds"][1], "TT0004", f"'seconds' should be a number from 0 to {MAX_SECONDS}")
            else:
                seconds = float(value)
        return cls(pos, guard, effect, lines, tuple(labels), seconds)

    def texts(self) -> Iterator[Template]:
        yield from self.lines
        for _, tpl in self.labels:
            yield tpl

    def execute(self, rt: Runtime) -> Prompt | None:
        scope = rt._scope
        taken = {**rt.world.labels, **{label: tpl.render(scope) for label, tpl in self.labels}}
        return EffectPrompt(
            rt._key(), self.effect, [t.render(scope) for t in self.lines], taken, self.seconds, rt.scene
        )

    def answer(self, rt: Runtime, prompt: Any, **_: Any) -> Any:
        rt.world.labels.update({k: v for k, v in prompt.labels.items()})
        rt.transcript.append(
            {
                "kind": "effect",
                "level": rt.level.id,
                "scene": prompt.scene,
                "effect": prompt.effect,
                "lines": list(prompt.lines),
                "labels": dict(prompt.labels),
                "key": prompt.key,
            }
        )
        rt._pc += 1

    skimmable: ClassVar[bool] = True

    def skim(self, rt: Runtime) -> bool:
        # Exploration passes an effect like a line: it shows something and changes no variable.
        if self.guard is None or rt.holds(self.guard, self.pos):
            scope = rt._scope
            rt.world.labels.update({label: tpl.render(scope) for label, tpl in self.labels})
        rt._pc += 1
        return False

    def pack(self, enc: Encoder) -> list[Any]:
        return [
            self.effect,
            [enc.template(t) for t in self.lines],
            [[k, enc.template(t)] for k, t in self.labels],
            self.seconds,
        ]

    @classmethod
    def unpack(cls, dec: Decoder, pos: Any, guard: Any, fields: list[Any]) -> Step:
        effect, lines, labels, seconds = fields
        return cls(
            pos,
            guard,
            effect,
            tuple(dec.template(t) for t in lines),
            tuple((k, dec.template(t)) for k, t in labels),
            seconds,
        )
