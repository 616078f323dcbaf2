"""Coverage of a story by playtests: which scenes, lines, options and endings were hit, how often."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from game.story.model import Story


@dataclass
class Coverage:
    scenes: Counter[str] = field(default_factory=Counter)  # "level/scene"
    lines: Counter[str] = field(default_factory=Counter)  # line key
    choices: Counter[str] = field(default_factory=Counter)  # "key#option"
    endings: Counter[str] = field(default_factory=Counter)  # "level/ending"

    def to_json(self) -> dict[str, Any]:
        return {k: dict(sorted(getattr(self, k).items())) for k in ("scenes", "lines", "choices", "endings")}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Coverage:
        return cls(*(Counter(data.get(k, {})) for k in ("scenes", "lines", "choices", "endings")))


def universe(story: Story) -> Coverage:
    """Every scene, line, option and ending the story has (counts 0), as each step type reports it."""
    u = Coverage()
    for level in story.levels:
        for sid in level.scenes:
            u.scenes[f"{level.id}/{sid}"] = 0
        for sid, i, step in level.steps():
            cov = step.coverage(f"{level.id}/{sid}/{i}")
            for key in cov.get("lines", ()):
                u.lines[key] = 0
            for key in cov.get("choices", ()):
                u.choices[key] = 0
            for ending in cov.get("endings", ()):
                u.endings[f"{level.id}/{ending}"] = 0
    return u


def report(story: Story, cov: Coverage, *, width: int = 78) -> str:
    u = universe(story)
    out = []
    for kind in ("endings", "scenes", "lines", "choices"):
        total = set(getattr(u, kind))
        hit = {k for k, n in getattr(cov, kind).items() if n and k in total}
        pct = 100.0 * len(hit) / len(total) if total else 100.0
        out.append(f"{kind:8} {len(hit):5}/{len(total):<5} {pct:5.1f}%")
        if kind == "endings":
            for k in sorted(total):
                out.append(f"    {k:40} {cov.endings.get(k, 0):7}")
        missed = sorted(total - hit)
        if missed and kind != "endings":
            shown = ", ".join(missed[:8]) + (f", ... ({len(missed) - 8} more)" if len(missed) > 8 else "")
            out.append(f"    never hit: {shown}")
    return "\n".join(out)
