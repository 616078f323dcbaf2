"""`- goto: scene`, with an optional `if:`: a jump, decided by the level's machine.

Each jump is a transition whose condition is its `if:`. Consecutive jumps form one
machine event (`go@<index of the first>`), tried in the order written, so

    - if: defense.training >= 1.0
      goto: drawing
    - if: defense.weights_kept
      goto: debrief
    - goto: breach

is one event with three transitions: the machine takes the first whose condition holds.
When none holds the scene goes on after the last of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from game.story.steps import Edge, Step, register

if TYPE_CHECKING:
    import yaml

    from game.story.cache import _Decoder as Decoder
    from game.story.cache import _Encoder as Encoder
    from game.story.loader import StepContext
    from game.story.prompts import Prompt
    from game.story.runtime import Runtime
    from game.story.steps import Keys


@register
@dataclass(slots=True, eq=False)
class Goto(Step):
    target: str = ""
    trigger: str = ""  # the machine event fired here (set when the scene is built)
    block_end: int = 0  # the index after the last jump of this run of jumps

    name: ClassVar[str] = "goto"
    description: ClassVar[str] = "jump to another scene; with `if:`, only when the condition holds"
    head_schema: ClassVar[dict[str, Any]] = {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"}

    @classmethod
    def read(cls, ctx: StepContext, head: str, node: yaml.Node, keys: Keys, pos: Any, guard: Any) -> Step | None:
        target = ctx.text(node, "'goto'")
        if target is None:
            return None
        ctx.goto(node, target)
        return cls(pos, guard, target)

    def placed(self, scene: str, index: int, steps: tuple[Step, ...]) -> None:
        self.trigger = f"go@{index}"
        end = index
        while end < len(steps) and isinstance(steps[end], Goto):
            end += 1
        self.block_end = end

    def exits(self, scene: str, index: int, steps: tuple[Step, ...]) -> list[Edge]:
        label = self.guard.source if self.guard is not None else ""
        return [
            Edge(
                f"{scene}:{index}",
                f"go@{index}",
                scene,
                self.target,
                index,
                None,
                self.guard,
                (),
                label,
                "jump",
                self.pos,
            )
        ]

    def transitions(self, scene: str, index: int, steps: tuple[Step, ...]) -> list[Edge]:
        edges = []
        for i in range(index, len(steps)):
            step = steps[i]
            if not isinstance(step, Goto):
                break
            edge = step.exits(scene, i, steps)[0]
            edges.append(
                Edge(edge.id, f"go@{index}", scene, edge.dest, i, None, edge.guard, (), edge.label, edge.kind, edge.pos)
            )
        return edges

    def pack(self, enc: Encoder) -> list[Any]:
        return [self.target]

    @classmethod
    def unpack(cls, dec: Decoder, pos: Any, guard: Any, fields: list[Any]) -> Step:
        return cls(pos, guard, fields[0])

    def leaves(self) -> bool:
        return self.guard is None

    def run(self, rt: Runtime) -> Prompt | None:
        # The machine evaluates the conditions: the runtime only asks it to move.
        if not rt.fire(self.trigger, None):
            rt._pc = self.block_end
        return None
