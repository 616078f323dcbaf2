"""What the runtime asks a front end to do next. Plain, JSON-able data: saves store them."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class LinePrompt:
    """Show a line; call `advance()` when the player has read it."""

    key: str                 # stable id of the line (level/scene/index): read-tracking, skip
    speaker: str             # character id or "narrator"
    name: str                # display name ("" for the narrator)
    color: str
    text: str                # interpolated; for generated lines, the authored fallback
    scene: str
    generate: bool = False   # the front end may ask the character's backend for this line
    kind: str = "line"


@dataclass(frozen=True)
class ChoicePrompt:
    key: str
    options: list[dict[str, Any]]    # [{"index": i, "text": ...}] in display order, only those available
    scene: str
    prompt: str = ""
    kind: str = "choice"


@dataclass(frozen=True)
class TalkPrompt:
    """Hold a free conversation; call `finish_talk(outcome)` when it is over."""

    key: str
    character: str           # character id; runtime.story_character(id) gives the model
    turns: int
    goal: str
    measures: list[str]
    questions: list[str]
    scene: str
    asks: list[dict[str, Any]] = field(default_factory=list)   # per question, what its answers mean ({}: plain)
    kind: str = "talk"


@dataclass(frozen=True)
class MinigamePrompt:
    """Run a minigame; call `finish_minigame(result)` (or `skip_minigame()`)."""

    key: str
    name: str
    params: dict[str, Any]
    store_as: str
    default: dict[str, Any]
    seed: int
    scene: str
    kind: str = "minigame"


@dataclass(frozen=True)
class LevelPrompt:
    """A new level (chapter) begins; call `advance()`."""

    key: str
    level: str
    title: str
    number: int
    scene: str = ""
    kind: str = "level"


@dataclass(frozen=True)
class EndPrompt:
    """The story is over: `ending` is the ending id."""

    key: str
    ending: str
    title: str
    text: str
    scene: str
    problem: str = ""        # set when the story stopped because of an authoring problem
    kind: str = "end"


PROMPTS = {c.__dataclass_fields__["kind"].default: c for c in
           (LinePrompt, ChoicePrompt, TalkPrompt, MinigamePrompt, LevelPrompt, EndPrompt)}


def to_json(prompt) -> dict[str, Any] | None:
    return None if prompt is None else asdict(prompt)


def from_json(data: dict[str, Any] | None):
    if data is None:
        return None
    cls = PROMPTS[data["kind"]]
    return cls(**data)
