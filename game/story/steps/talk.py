"""`- talk: {with: aria, turns: 3, ...}`: a free conversation in the player's own words.

The front end holds the conversation (through the dialogue service, whose chain of
backends ends in the character's authored lines) and answers with its outcome: the value
profile it measured and the turns said. The outcome is stored under `as:` when given.

A question may be declared (game/story/questions.py): what it measures, which way a yes
moves it, and the character's read-backs. The prompt carries those as plain data
(`TalkPrompt.asks`) for the dialogue layer, which reads the answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from game.story import questions as questionlib
from game.story.prompts import Prompt, register_prompt
from game.story.steps import Step, register

if TYPE_CHECKING:
    from collections.abc import Iterator

    import yaml

    from game.story.cache import _Decoder as Decoder
    from game.story.cache import _Encoder as Encoder
    from game.story.diagnostics import Diagnostic
    from game.story.explore import Outcomes
    from game.story.expressions import Template
    from game.story.loader import StepContext
    from game.story.model import Level
    from game.story.runtime import Runtime
    from game.story.steps import Keys

TALK: dict[str, tuple[dict[str, Any], str]] = {
    "with": ({"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"}, "the character to talk with"),
    "turns": ({"type": "integer", "minimum": 1, "maximum": 50}, "how many times the player speaks"),
    "goal": ({"type": "string"}, "what the character wants from the conversation"),
    "measures": (
        {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "value dimensions the answers are scored on (declared under values:)",
    ),
    "questions": (
        questionlib.json_schema(),
        "questions the character asks, in order: a text, or a mapping that says what its answers mean "
        "(ask, measures, yes means / either, heard)",
    ),
    "as": (
        {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"},
        "store the outcome under this name (as.turns, as.<dimension>)",
    ),
}
TALK_REQUIRED = ("with",)
MAX_TURNS = 50


@register_prompt
@dataclass(slots=True)
class TalkPrompt(Prompt):
    """Hold a free conversation; call `finish_talk(outcome)` when it is over."""

    key: str
    character: str  # character id; runtime.character(id) gives the model
    turns: int
    goal: str
    measures: list[str]
    questions: list[str]
    scene: str
    asks: list[Any] = field(default_factory=list)  # per question, what its answers mean ({} for a plain one)
    kind: ClassVar[str] = "talk"


@register
@dataclass(slots=True, eq=False)
class Talk(Step):
    character: str = ""
    turns: int = 3
    goal: str = ""
    measures: tuple[Any, ...] = ()
    questions: tuple[Any, ...] = ()  # Templates
    store_as: str | None = None
    asks: tuple[Any, ...] = ()  # the same questions as questions.Question, with what their answers mean

    name: ClassVar[str] = "talk"
    description: ClassVar[str] = "a conversation in the player's own words with an AI character"
    head_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {k: dict(v[0], description=v[1]) for k, v in TALK.items()},
        "required": list(TALK_REQUIRED),
        "additionalProperties": False,
    }
    prompt_kind: ClassVar[str] = "talk"

    @classmethod
    def read(cls, ctx: StepContext, head: str, node: yaml.Node, keys: Keys, pos: Any, guard: Any) -> Step | None:
        tk = ctx.mapping(node, "'talk'", tuple(TALK), required=TALK_REQUIRED)
        if tk is None or "with" not in tk:
            return None
        who = ctx.text(tk["with"][1], "'with'")
        if who is not None and who not in ctx.characters:
            ctx.error(
                tk["with"][1],
                "TT0102",
                f"unknown character '{who}' in talk",
                ctx.suggest(who, ctx.characters) or "declare it under `characters:`",
            )
            return None
        turns = ctx.integer(tk["turns"][1], "'turns'", 1, MAX_TURNS) if "turns" in tk else 3
        goal = ctx.text(tk["goal"][1], "'goal'") if "goal" in tk else ""
        measures = []
        for mnode, m in ctx.texts(tk["measures"][1], "'measures'") if "measures" in tk else []:
            if m not in ctx.values:
                ctx.error(
                    mnode,
                    "TT0205",
                    f"'{m}' is not one of the level's value dimensions",
                    f"declare it under `values:` (now: {', '.join(ctx.values) or 'none'})",
                )
            else:
                measures.append(m)
        asks = questionlib.read(ctx, tk["questions"][1], measures) if "questions" in tk else ()
        store = ctx.name(tk["as"][1], "'as'") if "as" in tk else None
        if store:
            ctx.store(tk["as"][1], store, "talk", None)
        return cls(
            pos, guard, who or "", turns or 3, goal or "", tuple(measures), tuple(q.text for q in asks), store, asks
        )

    def pack(self, enc: Encoder) -> list[Any]:
        # The declared questions hold templates inside a dataclass: packed by their own module.
        return [
            self.character,
            self.turns,
            self.goal,
            list(self.measures),
            [enc.template(q) for q in self.questions],
            self.store_as,
            [questionlib.pack(q, enc) for q in self.asks],
        ]

    @classmethod
    def unpack(cls, dec: Decoder, pos: Any, guard: Any, fields: list[Any]) -> Step:
        character, turns, goal, measures, questions, store_as, asks = fields
        return cls(
            pos,
            guard,
            character,
            turns,
            goal,
            tuple(measures),
            tuple(dec.template(q) for q in questions),
            store_as,
            tuple(questionlib.unpack(dec, q) for q in asks),
        )

    def texts(self) -> Iterator[Template]:
        yield from self.questions
        for q in self.asks:
            for _, lines in q.heard:
                yield from lines

    def stores(self) -> Iterator[tuple[str, str, Any]]:
        yield "values", "talk", None
        if self.store_as:
            yield self.store_as, "talk", None

    def lint(self, level: Level, scene: str) -> Iterator[Diagnostic]:
        from game.story.diagnostics import Diagnostic

        char = level.characters.get(self.character)
        if char is not None and not char.fallback:
            p = self.pos
            yield Diagnostic(
                p.file,
                p.line,
                p.column,
                "TT1008",
                f"'{char.id}' has no fallback lines: if its backend fails, it has nothing to say",
                f"add `fallback: [...]` to character '{char.id}'",
            )

    def execute(self, rt: Runtime) -> Prompt | None:
        scope = rt._scope
        return TalkPrompt(
            rt._key(),
            self.character,
            self.turns,
            self.goal,
            list(self.measures),
            [q.render(scope) for q in self.questions],
            rt.scene,
            [q.for_prompt(scope) for q in self.asks],
        )

    def answer(self, rt: Runtime, prompt: Any, outcome: dict[str, Any] | None = None) -> Any:
        outcome = outcome if isinstance(outcome, dict) else {}
        values = {}
        raw = outcome.get("values")
        for dim, value in raw.items() if isinstance(raw, dict) else ():
            if dim in prompt.measures or dim in rt.level.values:
                try:
                    v = float(value)
                except (TypeError, ValueError, OverflowError):
                    continue
                if v == v:  # NaN is no measurement
                    values[dim] = max(-1.0, min(1.0, v))
        rt.world.values.update(values)
        turns = outcome.get("turns")
        turns = [t for t in turns if isinstance(t, dict)] if isinstance(turns, list) else []
        char = rt.character(prompt.character)
        for turn in turns:
            if turn.get("player") is not None:
                rt.world.said.append(str(turn["player"])[:10_000])
                said = {
                    "kind": "said",
                    "level": rt.level.id,
                    "scene": prompt.scene,
                    "speaker": "player",
                    "name": rt.world.player,
                    "text": str(turn["player"]),
                }
                said.update(_understood(turn))
                rt.transcript.append(said)
            if turn.get("reply") is not None:
                rt.transcript.append(
                    {
                        "kind": "line",
                        "level": rt.level.id,
                        "scene": prompt.scene,
                        "speaker": prompt.character,
                        "name": char.name if char else prompt.character,
                        "text": str(turn["reply"]),
                        "generated": bool(turn.get("generated")),
                        "backend": turn.get("backend", "scripted"),
                        "model": turn.get("model"),
                    }
                )
        # A correction ("no, I meant...") and the closing check are said, but they answer no question.
        answers = sum(1 for t in turns if t.get("kind", "answer") == "answer")
        rt.transcript.append(
            {
                "kind": "talk",
                "level": rt.level.id,
                "scene": prompt.scene,
                "character": prompt.character,
                "turns": answers,
                "values": values,
                "key": prompt.key,
            }
        )
        if self.store_as:
            rt.world.vars[self.store_as] = {**values, "turns": answers, "summary": str(outcome.get("summary", ""))}
        rt._pc += 1

    def forks(self, rt: Runtime, prompt: Any, outcomes: Outcomes) -> list[dict[str, Any]]:
        return [{"outcome": o} for o in outcomes.talk(prompt)]

    def graph_mark(self) -> str:
        return "talk"


def _understood(turn: dict[str, Any]) -> dict[str, Any]:
    """What the transcript keeps of how a line was understood: an answer's final reading (after any
    correction), or that the line was a correction or the closing check. Plain strings and booleans only."""
    kind = turn.get("kind", "answer")
    if kind in ("correction", "confirmation"):
        return {"turn": kind}
    reading = turn.get("understood")
    if kind != "answer" or not isinstance(reading, dict):
        return {}
    heard = reading.get("kind")
    out = {"understood": str(heard) if isinstance(heard, str) else "none", "hedged": bool(reading.get("hedged"))}
    if turn.get("corrected"):
        out["corrected"] = True
    return out
