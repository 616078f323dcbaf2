"""`- set: {trust: trust + 1}`: change variables. A silent step: the player sees nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from game.story.steps import EXPR, Step, register

if TYPE_CHECKING:
    from collections.abc import Iterator

    import yaml

    from game.story.cache import _Decoder as Decoder
    from game.story.cache import _Encoder as Encoder
    from game.story.expressions import Expression
    from game.story.loader import StepContext
    from game.story.prompts import Prompt
    from game.story.runtime import Runtime
    from game.story.steps import Keys


@register
@dataclass(slots=True, eq=False)
class Set(Step):
    assignments: tuple[Any, ...] = ()  # ((variable, Expression), ...) in the order written

    name: ClassVar[str] = "set"
    description: ClassVar[str] = "change variables: `set: {trust: trust + 1}`"
    head_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "propertyNames": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"},
        "additionalProperties": EXPR,
        "description": "variable: expression (quote text inside: '\"calm\"')",
    }

    @classmethod
    def read(cls, ctx: StepContext, head: str, node: yaml.Node, keys: Keys, pos: Any, guard: Any) -> Step | None:
        return cls(pos, guard, ctx.effects(node))

    def effects(self) -> Iterator[tuple[str, Expression]]:
        return iter(self.assignments)

    def pack(self, enc: Encoder) -> list[Any]:
        return [[[n, enc.expr(e)] for n, e in self.assignments]]

    @classmethod
    def unpack(cls, dec: Decoder, pos: Any, guard: Any, fields: list[Any]) -> Step:
        return cls(pos, guard, tuple((n, dec.expr(e)) for n, e in fields[0]))

    def execute(self, rt: Runtime) -> Prompt | None:
        rt.apply(self.assignments)
        rt._pc += 1
        return None
