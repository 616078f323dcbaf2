"""The story engine: levels in YAML, a `transitions` machine that decides every move, and a
runtime a front end drives. The names below are the public API (docs/api.md); they are
imported on first use, so `import game.story.expressions` stays cheap.
"""

from __future__ import annotations

from typing import Any

_API = {
    "load_story": "game.story.loader",
    "load_story_or_raise": "game.story.loader",
    "load_level": "game.story.loader",
    "Story": "game.story.model",
    "Level": "game.story.model",
    "Scene": "game.story.model",
    "Pos": "game.story.model",
    "Runtime": "game.story.runtime",
    "StoryStateError": "game.story.runtime",
    "SNAPSHOT_VERSION": "game.story.runtime",
    "Diagnostic": "game.story.diagnostics",
    "LevelError": "game.story.diagnostics",
    "LinePrompt": "game.story.prompts",
    "ChoicePrompt": "game.story.prompts",
    "TalkPrompt": "game.story.prompts",
    "MinigamePrompt": "game.story.prompts",
    "LevelPrompt": "game.story.prompts",
    "EndPrompt": "game.story.prompts",
    "Step": "game.story.steps",
    "register": "game.story.steps",
    "unregister": "game.story.steps",
    "require_kinds": "game.story.steps",
    "MissingPromptKinds": "game.story.steps",
    "lint_story": "game.story.lint",
    "explore": "game.story.explore",
    "carry_over": "game.story.reload",
    "ScoreCard": "game.story.score",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'game.story' has no attribute '{name}'")
    import importlib

    return getattr(importlib.import_module(module), name)
