"""The score of a story so far: what each minigame stored, whether it was played, and the total.

Computed here, in the story layer, so every front end shows the same figures. A skipped
minigame is listed as skipped with its default result and adds nothing to the total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from game.story.runtime import Runtime


@dataclass(frozen=True)
class ScoreRow:
    name: str  # the minigame's name
    title: str  # its title for players
    store_as: str  # where the level stored its result
    skipped: bool
    result: dict[str, Any]
    score: float  # its `score` field, 0 when skipped or absent


@dataclass(frozen=True)
class ScoreCard:
    rows: tuple[ScoreRow, ...]
    total: float  # the scores of the minigames played
    values: dict[str, float] = field(default_factory=dict)  # the value profile the AI measured


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return 0.0
    return float(value)


def card(runtime: Runtime) -> ScoreCard:
    from game import minigames

    rows = []
    for entry in runtime.transcript:
        if entry.get("kind") != "minigame":
            continue
        key = entry.get("as")
        stored = entry.get("result") if key is None else runtime.world.vars.get(key, entry.get("result"))
        result = stored if isinstance(stored, dict) else (entry.get("result") or {})
        name = str(entry.get("name", "?"))
        info = minigames.info(name)
        skipped = bool(entry.get("skipped"))
        rows.append(
            ScoreRow(
                name,
                info.title if info else name.replace("_", " ").title(),
                str(entry.get("as")),
                skipped,
                dict(result),
                0.0 if skipped else _number(result.get("score", 0)),
            )
        )
    total = sum(r.score for r in rows)
    return ScoreCard(tuple(rows), total, dict(runtime.world.values))
