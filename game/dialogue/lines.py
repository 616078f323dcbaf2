"""Generated lines: a `generate: true` line asks the character's backend, the authored text is the fallback."""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from game.dialogue.base import DialogueRequest
from game.dialogue.character import system_prompt, untrusted
from game.dialogue.service import DialogueService, ReplyHandle

if TYPE_CHECKING:
    from game.story.model import Character


def generate_line(
    service: DialogueService, character: Character, fallback_text: str, *, player: str, context: str = ""
) -> ReplyHandle:
    """Start generating `character`'s next line; the handle ends with `fallback_text` if no backend delivers."""
    extra = (
        "Say only your next line in this scene, in your own voice, one or two sentences. "
        f'The writer\'s version of the line is: "{fallback_text}". Keep its meaning; make it yours.'
    )
    from game.dialogue.character import render
    from game.dialogue.voice import examples

    lines = examples(character, lambda t: render(t, None, player), service.voice_settings.examples)
    system = system_prompt(character, player=player, extra=extra, examples=lines)
    user = f"Scene: {context}" if context else "Your line, please."
    messages = [
        {"role": "system", "content": system},
        {"role": "user", "content": untrusted(user) if context else user},
    ]
    request = DialogueRequest(
        messages,
        max_tokens=90,
        stop=("\nPlayer:", "\nUser:"),
        seed=zlib.crc32(fallback_text.encode()) % 2**31,
        timeouts=service.timeouts,
        character=character,
        hints={"kind": "line", "fallback": fallback_text, "player": player},
    )
    return service.for_character(character).start(request, fallback=fallback_text, player=player)
