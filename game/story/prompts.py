"""What the runtime asks a front end to do next: typed, plain-data prompts.

Each step type that asks the player something defines its prompt class in its own
module (`LinePrompt` in steps/line.py, ...) and registers it here; the runtime's own
chapter card (`LevelPrompt`) is defined below. Every prompt has a `kind`, the `key` of
the step that made it (level/scene/index: read-tracking, skip) and the `scene`.
`to_json`/`from_json` turn them into plain data for logs and tools.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar, TypeVar

PROMPTS: dict[str, type[Prompt]] = {}
_P = TypeVar("_P", bound="type[Prompt]")


def register_prompt(cls: _P) -> _P:
    PROMPTS[cls.kind] = cls
    return cls


@dataclass(slots=True, eq=True)
class Prompt:
    kind: ClassVar[str] = ""


@register_prompt
@dataclass(slots=True)
class LevelPrompt(Prompt):
    """A new level (chapter) begins; call `advance()`."""

    key: str
    level: str
    title: str
    number: int
    scene: str = ""
    kind: ClassVar[str] = "level"


def to_json(prompt: Any) -> dict[str, Any] | None:
    if prompt is None:
        return None
    data = {f.name: getattr(prompt, f.name) for f in fields(prompt)}
    data["kind"] = prompt.kind
    return data


def from_json(data: dict[str, Any] | None) -> Any:
    if data is None:
        return None
    _load()
    cls = PROMPTS[data["kind"]]
    return cls(**{k: v for k, v in data.items() if k != "kind"})


def _load() -> None:
    from game.story import steps

    steps.types()


def __getattr__(name: str) -> Any:
    # LinePrompt, ChoicePrompt, TalkPrompt, MinigamePrompt, EndPrompt live with their steps.
    _load()
    for cls in PROMPTS.values():
        if cls.__name__ == name:
            return cls
    raise AttributeError(name)
