"""`- end: ending_id`: the level ends here (in a campaign, the next level begins).

The last level's ending is the story's: its `title`, `text`, `epilogue` (lines shown after
the ending card) and `inscription` (what the gold bar at the very end reads, e.g.
["{player}", "Player 1", "Score: 0"]) are authored here, with `{...}` interpolated, and
every front end shows them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from game.story.prompts import Prompt, register_prompt
from game.story.steps import GUARD, Step, register

if TYPE_CHECKING:
    from collections.abc import Iterator

    import yaml

    from game.story.explore import Outcomes
    from game.story.expressions import Template
    from game.story.loader import StepContext
    from game.story.runtime import Runtime
    from game.story.steps import Keys

TEXTS = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}


@register_prompt
@dataclass(slots=True)
class EndPrompt(Prompt):
    """The story is over: `ending` is the ending id."""

    key: str
    ending: str
    title: str
    text: str
    scene: str
    problem: str = ""  # set when the story stopped because of an authoring problem
    epilogue: list[Any] = field(default_factory=list)  # lines shown after the ending card
    inscription: list[Any] = field(
        default_factory=list
    )  # the lines the last screen carries (the gold bar), [] when none
    kind: ClassVar[str] = "end"

    def __post_init__(self) -> None:
        self.epilogue = list(self.epilogue or [])
        self.inscription = list(self.inscription or [])


@register
@dataclass(slots=True, eq=False)
class End(Step):
    ending: str = ""
    title: Template | None = None
    text: Template | None = None
    epilogue: tuple[Any, ...] = ()  # Templates
    inscription: tuple[Any, ...] = ()  # Templates

    name: ClassVar[str] = "end"
    description: ClassVar[str] = "end the level with an ending id (the story's ending, in its last level)"
    head_schema: ClassVar[dict[str, Any]] = {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"}
    modifiers: ClassVar[dict[str, Any]] = {
        **GUARD,
        "title": ({"type": "string"}, "the ending's title, shown on the ending card"),
        "text": ({"type": "string"}, "a paragraph under the title"),
        "epilogue": (TEXTS, "lines shown after the ending card, in order"),
        "inscription": (TEXTS, "what the last screen (the gold bar) reads, one line each"),
    }
    prompt_kind: ClassVar[str] = "end"

    @classmethod
    def read(cls, ctx: StepContext, head: str, node: yaml.Node, keys: Keys, pos: Any, guard: Any) -> Step | None:
        ending = ctx.name(node, "ending id")
        parts = {}
        for key in ("title", "text"):
            if key in keys:
                t = ctx.text(keys[key][1], f"'{key}'")
                parts[key] = ctx.template(keys[key][1], t) if t is not None else None
        lists = {}
        for key in ("epilogue", "inscription"):
            if key in keys:
                lists[key] = tuple(tpl for n, v in ctx.texts(keys[key][1], f"'{key}'") if (tpl := ctx.template(n, v)))
        if not ending:
            return None
        return cls(
            pos,
            guard,
            ending,
            parts.get("title"),
            parts.get("text"),
            lists.get("epilogue", ()),
            lists.get("inscription", ()),
        )

    def texts(self) -> Iterator[Template]:
        for t in (self.title, self.text, *self.epilogue, *self.inscription):
            if t is not None:
                yield t

    def leaves(self) -> bool:
        return self.guard is None

    def execute(self, rt: Runtime) -> Prompt | None:
        return rt.end_level(self)

    def prompt(self, rt: Runtime, problem: str = "") -> EndPrompt:
        scope = rt._scope
        return EndPrompt(
            rt._key(),
            self.ending,
            self.title.render(scope) if self.title else "",
            self.text.render(scope) if self.text else "",
            rt.scene,
            problem,
            [t.render(scope) for t in self.epilogue],
            [t.render(scope) for t in self.inscription],
        )

    def forks(self, rt: Runtime, prompt: Any, outcomes: Outcomes) -> list[dict[str, Any]]:
        return []

    def coverage(self, key: str) -> dict[str, list[str]]:
        return {"endings": [self.ending]}
