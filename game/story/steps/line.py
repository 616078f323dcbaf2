"""A line: `- narrator: text` or `- character_id: text`. The front end shows it; the player reads on."""

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

NARRATOR = "narrator"
NARRATOR_COLOR = "#c8c8d0"
# The expressions a portrait has. A line without `face:` shows the speaker's usual one.
FACES = ("neutral", "happy", "worried", "sad", "angry", "surprised", "thinking", "smug")


@register_prompt
@dataclass(slots=True)
class LinePrompt(Prompt):
    """Show a line; call `advance()` when the player has read it."""

    key: str  # stable id of the line (level/scene/index): read-tracking, skip
    speaker: str  # character id or "narrator"
    name: str  # display name ("" for the narrator)
    color: str
    text: str  # interpolated; for generated lines, the authored fallback
    scene: str
    generate: bool = False  # the front end may ask the character's backend for this line
    face: str = ""  # the speaker's expression for this line (a portrait's face), "" for their usual one
    kind: ClassVar[str] = "line"


@register
@dataclass(slots=True, eq=False)
class Line(Step):
    speaker: str  # a character id or "narrator"
    text: Template
    generate: bool = False  # ask the character's backend for the line, with `text` as fallback
    face: str = ""  # the speaker's expression: one of FACES
    pool: tuple[Any, ...] = ()  # Templates: a line written as a list says one of them, no repeats per run

    name: ClassVar[str] = "line"
    description: ClassVar[str] = "a line of text: `- narrator: ...` or `- <character id>: ...`"
    head_schema: ClassVar[dict[str, Any]] = {
        "oneOf": [
            {"type": ["string", "number"]},
            {
                "type": "array",
                "minItems": 1,
                "items": {"type": ["string", "number"]},
                "description": "one of these lines, a different one each time "
                "until all were said (in an order of its own each run)",
            },
        ]
    }
    modifiers: ClassVar[dict[str, Any]] = {
        **GUARD,
        "generate": (
            {"type": "boolean"},
            "ask the character's dialogue backend for the line; the text is the authored fallback",
        ),
        "face": (
            {"enum": list(FACES)},
            "the speaker's expression for this line (their portrait's face): " + ", ".join(FACES),
        ),
    }
    prompt_kind: ClassVar[str] = "line"

    @classmethod
    def read(cls, ctx: StepContext, head: str, node: yaml.Node, keys: Keys, pos: Any, guard: Any) -> Step | None:
        if head != NARRATOR and head not in ctx.characters:
            hint = (
                ctx.suggest(head, [*ctx.characters, NARRATOR, *ctx.step_heads])
                or "declare the speaker under `characters:` (or use `narrator`)"
            )
            ctx.error(keys[head][0], "TT0102", f"unknown speaker '{head}'", hint)
            return None
        pool: tuple[Template, ...] = ()
        if ctx.is_sequence(node):
            items = ctx.texts(node, f"what {head} says")
            pool = tuple(t for n, v in items if (t := ctx.template(n, v)))
            if not items:
                ctx.error(node, "TT0005", f"a line for {head} needs at least one text")
            if not pool:
                return None
            tpl: Template | None = pool[0]
        else:
            value = ctx.text(node, f"what {head} says")
            if value is None:
                return None
            tpl = ctx.template(node, value)
        generate = False
        if "generate" in keys:
            flag = ctx.data(keys["generate"][1])
            if not isinstance(flag, bool):
                ctx.error(keys["generate"][1], "TT0004", f"'generate' should be true or false, found {flag!r}")
            generate = flag is True
        face = ""
        if "face" in keys:
            face = ctx.text(keys["face"][1], "'face'") or ""
            if face and face not in FACES:
                ctx.error(
                    keys["face"][1],
                    "TT0004",
                    f"'face' should be one of {', '.join(FACES)}, found '{face}'",
                    ctx.suggest(face, FACES),
                )
                face = ""
        if head == NARRATOR and face:
            ctx.error(keys["face"][0], "TT0003", "the narrator has no face", "give `face:` to a character's line")
        return cls(pos, guard, head, tpl, generate, face, pool if len(pool) > 1 else ()) if tpl else None

    def texts(self) -> Iterator[Template]:
        if self.pool:
            yield from self.pool
        else:
            yield self.text

    def run(self, rt: Runtime) -> Prompt | None:
        # Lines are most of what a story runs: the guard and the prompt without a second call.
        if self.guard is not None and not rt.holds(self.guard, self.pos):
            rt._pc += 1
            return None
        tpl = self.text if not self.pool else self.pool[rt.world.pick(rt._key(), len(self.pool))]
        text = tpl.literal
        if text is None:
            text = tpl.render(rt._scope)
        scene = rt.scene
        key = f"{rt._level.id}/{scene}/{rt._pc}"
        if self.speaker == NARRATOR:
            return LinePrompt(key, NARRATOR, "", NARRATOR_COLOR, text, scene)
        char = rt._level.characters[self.speaker]
        return LinePrompt(key, self.speaker, char.name, char.color, text, scene, self.generate, self.face)

    execute = run

    skimmable: ClassVar[bool] = True

    def skim(self, rt: Runtime) -> bool:
        shown = self.guard is None or rt.holds(self.guard, self.pos)
        rt._pc += 1
        return shown

    def answer(
        self, rt: Runtime, prompt: Any, text: str | None = None, backend: str | None = None, model: str | None = None
    ) -> Any:
        entry = {
            "kind": "line",
            "level": rt._level.id,
            "scene": prompt.scene,
            "speaker": prompt.speaker,
            "name": prompt.name,
            "text": prompt.text if text is None else text,
            "key": prompt.key,
        }
        if text is not None and backend:
            entry.update(generated=True, backend=backend, model=model)
        elif prompt.generate:
            entry.update(generated=False, backend="authored")
        rt.transcript.append(entry)
        if self.pool:
            rt.world.picked(prompt.key)
        rt._pc += 1

    def coverage(self, key: str) -> dict[str, list[str]]:
        return {"lines": [key]}

    def pack(self, enc: Encoder) -> list[Any]:
        return [
            self.speaker,
            enc.template(self.text),
            1 if self.generate else 0,
            self.face,
            [enc.template(t) for t in self.pool],
        ]

    @classmethod
    def unpack(cls, dec: Decoder, pos: Any, guard: Any, fields: list[Any]) -> Step:
        speaker, text, generate, face, pool = fields
        tpl = dec.template(text)
        assert tpl is not None  # a line always has its text
        return cls(pos, guard, speaker, tpl, bool(generate), face, tuple(dec.template(t) for t in pool))
