"""Subcommands of the treacherous-turn CLI, one module each, and what they share."""

from __future__ import annotations

import sys
from typing import Any


def load_or_report(path: str, prog: str) -> Any:
    """The story at `path`, or None after printing its diagnostics (file:line:col) to stderr."""
    from game.story.loader import load_story

    story, diags = load_story(path)
    if story is None:
        for d in diags:
            print(d.format(), file=sys.stderr)
        if not diags:
            print(f"{prog}: cannot load '{path}'", file=sys.stderr)
    return story
