"""The desktop game's bridge to the dialogue layer: conversations and generated lines.

Every conversation is a `game.dialogue.conversation.Conversation` on the dialogue
service, whose chain of backends always ends in `scripted` (the character's authored
lines): a failing backend falls back inside the service, with the reason logged. When the
designer's settings cannot even build a service, the game says so (`note`) and uses a
service with the built-in defaults, which is the scripted backend alone; there is no
second, separate copy of the authored-lines logic here.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any


@dataclass
class Reply:
    text: str
    backend: str = "authored"
    model: str | None = None
    generated: bool = False


_services: dict[tuple, tuple[Any, str]] = {}
_services_lock = threading.Lock()


def _key(options: dict[str, Any]) -> tuple:
    # The settings file (which one, and its version) and the environment are part of the key: a designer
    # who edits the settings mid-game gets the new backend, and tests with their own dirs get their own.
    from game.settings import settings_path

    path = settings_path()
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        stamp = None
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(("OPENAI_", "TT_"))))
    opts = tuple(sorted((k, v) for k, v in options.items() if k in ("backend", "model", "base_url") and v))
    return opts, str(path), stamp, env


def _build(options: dict[str, Any]):
    from game.dialogue.service import DialogueService
    from game.dialogue.settings import Settings

    note = ""
    # Only command-line choices are passed: the settings file's `dialogue:` is read by the service itself.
    try:
        service = DialogueService.from_settings(
            **{k: v for k, v in options.items() if k in ("backend", "model", "base_url") and v}
        )
    except Exception as exc:  # noqa: BLE001 - bad settings mean the authored lines, not a crash
        service = DialogueService(Settings())
        note = f"the dialogue settings could not be used ({exc}); the characters speak their authored lines"
    # Start the service's worker threads now, from this thread: the pool creates them lazily on the
    # first submit, and a thread started from the frame loop makes that frame wait for the OS to
    # schedule it (10-40 ms on a busy 2-core machine, measured by benchmarks/frames.py).
    gate = threading.Barrier(2)
    for _ in range(2):
        service._submit(gate.wait, 5.0)
    return service, note


def _service(options: dict[str, Any]):
    """The dialogue service for these settings, or (None, reason). One per settings for the whole
    process, so a conversation or a generated line never builds a service (and its threads) on the frame."""
    key = _key(options)
    with _services_lock:
        got = _services.get(key)
        if got is None:
            got = _services[key] = _build(options)
        return got


def _prepare(options: dict[str, Any]) -> None:
    _service(options)
    try:
        # Imported here rather than by the first talk step: importing them (the value lexicon's
        # patterns are compiled at import) would cost that frame several milliseconds.
        import game.dialogue.conversation  # noqa: F401
        import game.dialogue.lines  # noqa: F401
    except ImportError:
        pass  # open_conversation / start_line say so when they are needed


def prepare_service(options: dict[str, Any]) -> threading.Thread:
    """Build (and warm) the dialogue layer on a background thread, so the first talk does not pay for it."""
    t = threading.Thread(target=_prepare, args=(dict(options),), daemon=True, name="dialogue-prepare")
    t.start()
    return t


def warm_level(runtime, options: dict[str, Any]) -> None:
    """A level starts: warm up the backend of each of its model-voiced characters, off the frame loop.

    Called on the frame loop, so it only looks: a service still being built (prepare_service) or a
    level voiced by authored lines alone costs nothing; otherwise one short-lived thread asks the
    service, whose warm-ups run on its own thread. A talk that opens later warms up what is left."""
    level = getattr(runtime, "level", None)
    characters = list(getattr(level, "characters", {}).values()) if level is not None else []
    if not characters:
        return
    with _services_lock:
        got = _services.get(_key(options))
    if got is None:
        return
    service = got[0]
    try:
        voiced = [c for c in characters if service.choice_for(c).type != "scripted"]
    except Exception:  # noqa: BLE001 - a warm-up is a courtesy; the talk reports real problems
        return
    if voiced:
        threading.Thread(
            target=service.warm_up,
            args=(voiced, getattr(runtime.world, "player", "")),
            daemon=True,
            name="dialogue-warm-level",
        ).start()


def open_conversation(runtime, prompt, options: dict[str, Any], snapshot: dict | None = None):
    """(conversation, note). `snapshot` restores a saved or rolled-back one without asking the model again."""
    from game.dialogue.conversation import Conversation

    character = runtime.character(prompt.character)
    service, note = _service(options)
    if snapshot:
        try:
            return Conversation.restore(snapshot, character, prompt, service, runtime.scope()), note
        except Exception as exc:  # noqa: BLE001 - a damaged conversation in a save starts afresh
            note = f"the saved conversation could not be restored ({exc}); it starts again"
    return Conversation(
        character,
        prompt,
        player=runtime.world.player,
        values=runtime.world.values,
        service=service,
        scope=runtime.scope(),
    ), note


def start_line(runtime, prompt, options: dict[str, Any]):
    """A handle streaming a generated line, or (None, reason) to show the authored text."""
    from game.dialogue.lines import generate_line

    service, _note = _service(options)
    try:
        return generate_line(
            service,
            runtime.character(prompt.speaker),
            prompt.text,
            player=runtime.world.player,
            context=runtime.level.title,
        ), ""
    except Exception as exc:  # noqa: BLE001
        return None, f"line generation failed: {exc}"


def outcome_of(conv) -> dict[str, Any]:
    """The conversation's outcome (a property on Conversation, a method in older drafts)."""
    out = conv.outcome
    return out() if callable(out) else out


def reply_info(handle) -> dict[str, Any]:
    """backend / model / generated of a finished handle, from its Reply when it has one."""
    reply = getattr(handle, "reply", None)
    if reply is not None:
        return {
            "backend": getattr(reply, "backend", None),
            "model": getattr(reply, "model", None),
            "generated": bool(getattr(reply, "generated", False)),
        }
    return {
        "backend": getattr(handle, "backend", None),
        "model": getattr(handle, "model", None),
        "generated": bool(getattr(handle, "generated", False)),
    }


def backend_names() -> list[str]:
    try:
        from game.dialogue import registry

        return sorted(registry.available())
    except Exception:  # noqa: BLE001
        return ["scripted", "openai", "local", "replay"]
