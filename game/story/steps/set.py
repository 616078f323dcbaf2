"""`- set: {trust: trust + 1}`: change variables. A silent step: the player sees nothing."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from game.story.steps import EXPR, Step, register


@register
@dataclass(slots=True, eq=False)
class Set(Step):
    assignments: tuple = ()          # ((variable, Expression), ...) in the order written

    name: ClassVar[str] = "set"
    description: ClassVar[str] = "change variables: `set: {trust: trust + 1}`"
    head_schema: ClassVar[dict] = {"type": "object",
                                   "propertyNames": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"},
                                   "additionalProperties": EXPR,
                                   "description": "variable: expression (quote text inside: '\"calm\"')"}

    @classmethod
    def read(cls, ctx, head, node, keys, pos, guard):
        return cls(pos, guard, ctx.effects(node))

    def effects(self):
        return iter(self.assignments)

    def pack(self, enc):
        return [[[n, enc.expr(e)] for n, e in self.assignments]]

    @classmethod
    def unpack(cls, dec, pos, guard, fields):
        return cls(pos, guard, tuple((n, dec.expr(e)) for n, e in fields[0]))

    def execute(self, rt):
        rt.apply(self.assignments)
        rt._pc += 1
        return None
