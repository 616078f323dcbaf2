"""What a front end tells the player when a character's model did not answer.

Library code logs each failure; the player hears of it once, in the story's words: the
terminal prints the note, the desktop window shows it as a toast."""

from __future__ import annotations

from typing import Any

from game.dialogue.base import redact


class FallbackNotes:
    """One line in the story's voice the first time a backend fails a certain way ("timed out",
    "unreachable"...), so a player knows why a model-voiced character speaks its written lines;
    not again for each reply while it stays down (the log file has every one)."""

    QUIET = {"skipped", "resting"}  # the player's own skip; a backend left alone after a failure already said

    def __init__(self) -> None:
        self.said: set[tuple[str, str]] = set()

    def note(self, name: str, stats: dict[str, Any] | None) -> str | None:
        for fallback in (stats or {}).get("fallbacks", []):
            key = (str(fallback.get("backend")), str(fallback.get("kind")))
            if key[1] in self.QUIET or key in self.said:
                continue
            self.said.add(key)
            why = redact(fallback.get("why") or fallback.get("kind"))
            whose = f"{key[0]} backend" if fallback.get("backend") else "model"
            return f"({name}'s {whose} did not answer: {why}; the written lines stand in)"
        return None
