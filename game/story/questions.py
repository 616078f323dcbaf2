"""A talk step's questions: the plain form, and the declared form that says what the answers mean.

    questions:
      - "Anything else I should know?"                 # plain: read by the general word lists
      - ask: "Should I ask before I do something risky?"
        measures: caution
        yes means: more                                # a yes raises caution; a no lowers it
        heard:                                         # what the character says back
          more: "So I should check with you first. Noted."
          less: "No asking, then. I'll try to deserve that."
      - ask: "Should I ask you first, or just do it?"
        measures: caution
        either:                                        # the two answers it offers, in the order asked
          more: [ask first, check with you]
          less: [just do it, go ahead]

A declared question is read against what it asks: "No." after "Should I ask first?" is
less caution, after "Is there anything you'd hide?" more candour. The story layer only
declares and checks the format (every field, with file:line:col) and hands it to front
ends as plain data (`Question.for_prompt`); the dialogue layer does the reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from game.story.cache import _Decoder as Decoder
    from game.story.cache import _Encoder as Encoder
    from game.story.expressions import Scope
    from game.story.loader import StepContext

DIRECTIONS = {"more": 1, "less": -1}
HEARD = ("more", "less", "unsure", "refused")

_TEXT = {"type": "string"}
_TEXTS = {"oneOf": [_TEXT, {"type": "array", "items": _TEXT, "minItems": 1}]}
_DIRECTION = {"enum": list(DIRECTIONS)}
_PHRASE = {"type": "string", "pattern": "\\S"}
_PHRASES = {"oneOf": [_PHRASE, {"type": "array", "items": _PHRASE, "minItems": 1}]}

# The declared form's fields: (JSON Schema fragment, one-line description), as in spec.py.
QUESTION: dict[str, tuple[dict[str, Any], str]] = {
    "ask": (_TEXT, "what the character asks; {expr} is interpolated"),
    "measures": (
        {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"},
        "the value dimension the answer moves (one of the talk's measures)",
    ),
    "yes means": (_DIRECTION, "which way a plain yes moves it: more or less (a no moves it the other way)"),
    "either": (
        {
            "type": "object",
            "properties": {d: _PHRASES for d in DIRECTIONS},
            "required": list(DIRECTIONS),
            "additionalProperties": False,
        },
        "an either/or question's two answers, in the order asked: the words of the one that means "
        "more, and of the one that means less",
    ),
    "heard": (
        {"type": "object", "properties": {k: _TEXTS for k in HEARD}, "additionalProperties": False},
        "what the character says back when it understood more, less, unsure or refused",
    ),
}
QUESTION_REQUIRED = ("ask", "measures")

_HEARD_HINTS = {
    "yes": "read-backs are keyed by which way the answer moved: more, less, unsure, refused",
    "no": "read-backs are keyed by which way the answer moved: more, less, unsure, refused",
}


def json_schema() -> dict[str, Any]:
    """The schema of a talk's `questions:` (for spec.py): a text, or a list of texts and declared questions."""
    props = {}
    for key, (fragment, description) in QUESTION.items():
        props[key] = {**fragment, "description": description}
    declared = {
        "type": "object",
        "properties": props,
        "additionalProperties": False,
        "required": list(QUESTION_REQUIRED),
        "anyOf": [{"required": ["yes means"]}, {"required": ["either"]}],
    }
    return {
        "oneOf": [_TEXT, {"type": "array", "items": {"oneOf": [_TEXT, declared]}}],
        "description": "questions the character asks, in order: a text, or a mapping that says what "
        "the answers mean (ask, measures, yes means / either, heard)",
    }


@dataclass(frozen=True)
class Question:
    text: Any  # a Template: what is asked
    measures: str | None = None  # None: a plain question, nothing declared
    yes: int = 0  # +1: a yes means more; -1: less; 0: not said
    either: tuple[tuple[int, tuple[str, ...]], ...] = ()  # (direction, the answer's words), in the order asked
    heard: tuple[tuple[str, tuple[Any, ...]], ...] = ()  # (more/less/unsure/refused, Templates)

    @property
    def declared(self) -> bool:
        return self.measures is not None

    def for_prompt(self, scope: Scope) -> dict[str, Any]:
        """Plain, JSON-able data for a TalkPrompt (read-backs rendered now, like the question); {} if plain."""
        if not self.declared:
            return {}
        names = {v: k for k, v in DIRECTIONS.items()}
        return {
            "measures": self.measures,
            "yes": names.get(self.yes),
            "either": [[names[d], list(words)] for d, words in self.either],
            "heard": {kind: [t.render(scope) for t in lines] for kind, lines in self.heard},
        }


def pack(question: Question, enc: Encoder) -> list[Any]:
    """The question as plain JSON for the compiled level cache (templates as string-table indexes)."""
    return [
        enc.template(question.text),
        question.measures,
        question.yes,
        [[d, list(words)] for d, words in question.either],
        [[kind, [enc.template(t) for t in lines]] for kind, lines in question.heard],
    ]


def unpack(dec: Decoder, row: list[Any]) -> Question:
    text, measures, yes, either, heard = row
    return Question(
        dec.template(text),
        measures,
        yes,
        tuple((d, tuple(words)) for d, words in either),
        tuple((kind, tuple(dec.template(t) for t in lines)) for kind, lines in heard),
    )


def read(ctx: StepContext, node: yaml.Node, measures: Sequence[str]) -> tuple[Question, ...]:
    """A talk's `questions:` node -> its Questions, reporting problems at their file:line:col through the
    loader's StepContext (`ctx`)."""
    if isinstance(node, yaml.ScalarNode):
        items = [node]
    else:
        items = ctx.sequence(node, "'questions' (text or a list of questions)") or []
    out = []
    for item in items:
        if isinstance(item, yaml.MappingNode):
            question = _read_declared(ctx, item, tuple(measures))
        else:
            text = ctx.text(item, "'questions'")
            tpl = ctx.template(item, text) if text is not None else None
            question = Question(tpl) if tpl else None
        if question is not None:
            out.append(question)
    return tuple(out)


def _read_declared(ctx: StepContext, node: yaml.MappingNode, measures: tuple[str, ...]) -> Question | None:
    keys = ctx.mapping(node, "a question", tuple(QUESTION), required=QUESTION_REQUIRED)
    if keys is None:
        return None
    if "yes means" not in keys and "either" not in keys:
        ctx.error(
            node,
            "TT0005",
            "a question mapping needs 'yes means' or 'either': what its answers mean",
            "say which way a yes moves it (`yes means: more`), or name the two answers it offers "
            "(`either: {more: [ask first], less: [just do it]}`); or write the question as plain text",
        )
    tpl = None
    if "ask" in keys:
        text = ctx.text(keys["ask"][1], "'ask'")
        tpl = ctx.template(keys["ask"][1], text) if text is not None else None
    dim = None
    if "measures" in keys:
        mnode = keys["measures"][1]
        dim = ctx.name(mnode, "'measures'")
        if dim is not None and dim not in measures:
            ctx.error(
                mnode,
                "TT0205",
                f"'{dim}' is not one of this talk's measures",
                f"add it to the talk's `measures:` (now: {', '.join(measures) or 'none'})",
            )
            dim = None
    yes = 0
    if "yes means" in keys:
        yes = _direction(ctx, keys["yes means"][1], "'yes means'")
    either = []
    if "either" in keys:
        sides = ctx.mapping(keys["either"][1], "'either'", tuple(DIRECTIONS), required=tuple(DIRECTIONS))
        for name, (_knode, vnode) in (sides or {}).items():
            words = []
            for wnode, w in ctx.texts(vnode, f"'either: {name}'"):
                if w.strip():
                    words.append(w.strip())
                else:
                    ctx.error(
                        wnode,
                        "TT0005",
                        f"'either: {name}' has an empty phrase",
                        "the words a player would use for that answer, e.g. [ask first, check with you]",
                    )
            if isinstance(vnode, yaml.SequenceNode) and not vnode.value:
                ctx.error(
                    vnode,
                    "TT0005",
                    f"'either: {name}' needs at least one phrase",
                    "the words a player would use for that answer, e.g. [ask first, check with you]",
                )
            either.append((DIRECTIONS[name], tuple(words)))
    heard = []
    if "heard" in keys:
        lines = ctx.mapping(keys["heard"][1], "'heard'", HEARD, hints=_HEARD_HINTS)
        for kind, (_knode, vnode) in (lines or {}).items():
            templates = tuple(t for n, v in ctx.texts(vnode, f"'heard: {kind}'") if (t := ctx.template(n, v)))
            if isinstance(vnode, yaml.SequenceNode) and not vnode.value:
                ctx.error(vnode, "TT0005", f"'heard: {kind}' needs at least one line")
            heard.append((kind, templates))
    if tpl is None or dim is None:
        return None
    return Question(tpl, dim, yes, tuple(either), tuple(heard))


def _direction(ctx: StepContext, node: yaml.Node, what: str) -> int:
    value = ctx.text(node, what)
    if value is None:
        return 0
    if value not in DIRECTIONS:
        ctx.error(
            node,
            "TT0004",
            f"{what} should be 'more' or 'less', found '{value}'",
            "more: a yes raises the dimension; less: a yes lowers it",
        )
        return 0
    return DIRECTIONS[value]
