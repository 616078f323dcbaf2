"""The desktop game's bridge to the dialogue layer: conversations and generated lines.

Uses `game.dialogue.conversation.Conversation` and `game.dialogue.lines.generate_line`
when they are installed. Until then (or if building the dialogue service fails) it falls
back to the character's authored lines — greeting, the talk step's questions, keyword
intents, fallback lines — behind the same interface, so the screens never know the
difference and a broken backend never stops the game. `note` says which path was taken.
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
    try:
        from game.dialogue.service import DialogueService
    except ImportError as exc:
        return None, f"dialogue service not installed ({exc.name})"
    # Only command-line choices are passed: the settings file's `dialogue:` is read by the service itself.
    try:
        service = DialogueService.from_settings(**{k: v for k, v in options.items()
                                                   if k in ("backend", "model", "base_url") and v})
    except Exception as exc:       # noqa: BLE001 - any failure means authored lines, not a crash
        return None, f"dialogue service failed: {exc}"
    # Start the service's worker threads now, from this thread: the pool creates them lazily on the
    # first submit, and a thread started from the frame loop makes that frame wait for the OS to
    # schedule it (10-40 ms on a busy 2-core machine, measured by benchmarks/frames.py).
    gate = threading.Barrier(2)
    for _ in range(2):
        service._submit(gate.wait, 5.0)
    return service, ""


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
        pass     # open_conversation / start_line say so when they are needed


def prepare_service(options: dict[str, Any]) -> threading.Thread:
    """Build (and warm) the dialogue layer on a background thread, so the first talk does not pay for it."""
    t = threading.Thread(target=_prepare, args=(dict(options),), daemon=True, name="dialogue-prepare")
    t.start()
    return t


def open_conversation(runtime, prompt, options: dict[str, Any], snapshot: dict | None = None):
    """(conversation, note). `snapshot` restores a saved or rolled-back one without asking the model again."""
    character = runtime.character(prompt.character)
    note = ""
    try:
        from game.dialogue.conversation import Conversation
    except ImportError as exc:
        Conversation, note = None, f"conversation module not installed ({exc.name}); authored lines are used"
    if Conversation is not None:
        service, why = _service(options)
        if service is not None:
            try:
                if snapshot and snapshot.get("kind") != "fallback":
                    return Conversation.restore(snapshot, character, prompt, service, runtime.scope()), ""
                if not snapshot:
                    return Conversation(character, prompt, player=runtime.world.player, values=runtime.world.values,
                                        service=service, scope=runtime.scope()), ""
            except Exception as exc:   # noqa: BLE001
                note = f"conversation failed to start: {exc}; authored lines are used"
        else:
            note = why + "; authored lines are used"
    conv = FallbackConversation(character, prompt, runtime.scope(), runtime.world.player)
    if snapshot and snapshot.get("kind") == "fallback":
        conv.load(snapshot)
    return conv, note


def start_line(runtime, prompt, options: dict[str, Any]):
    """A handle streaming a generated line, or (None, reason) to show the authored text."""
    try:
        from game.dialogue.lines import generate_line
    except ImportError as exc:
        return None, f"line generation not installed ({exc.name})"
    service, why = _service(options)
    if service is None:
        return None, why
    try:
        return generate_line(service, runtime.character(prompt.speaker), prompt.text, player=runtime.world.player,
                             context=runtime.level.title), ""
    except Exception as exc:   # noqa: BLE001
        return None, f"line generation failed: {exc}"


class _FallbackHandle:
    """Streams an authored reply a few words per poll, like a model would, and can be cancelled."""

    def __init__(self, text: str, words_per_poll: int = 2) -> None:
        self._words = text.split(" ")
        self._text = text
        self._i = 0
        self._started = False
        self._n = words_per_poll
        self.cancelled = False
        self.finished = False

    def poll(self) -> list[tuple[str, str]]:
        if self.finished:
            return []
        if self.cancelled:
            self.finished = True
            return [("failed", "cancelled")]
        out = []
        if not self._started:
            self._started = True
            out.append(("started", ""))
        chunk = self._words[self._i:self._i + self._n]
        if chunk:
            out.append(("delta", ("" if self._i == 0 else " ") + " ".join(chunk)))
            self._i += len(chunk)
        if self._i >= len(self._words):
            out.append(("done", self._text))
            self.finished = True
        return out

    def cancel(self) -> None:
        self.cancelled = True


class FallbackConversation:
    """The talk step played with the character's authored lines only (no dialogue service)."""

    def __init__(self, character, prompt, scope, player: str) -> None:
        self.character, self.prompt, self.scope, self.player = character, prompt, scope, player
        self.turns: list[dict[str, Any]] = []
        self.values: dict[str, float] = {}
        self._fallback_i = 0
        self._pending: str | None = None

    def _render(self, templates) -> list[str]:
        out = []
        for t in templates or ():
            try:
                out.append(t.render(self.scope))
            except Exception:   # noqa: BLE001 - a line that cannot be filled in is skipped
                continue
        return out

    def opening(self) -> Reply:
        greeting = self._render(getattr(self.character, "greeting", ()))
        parts = greeting[:1] + list(self.prompt.questions[:1])
        return Reply(" ".join(parts) or "Hello.")

    def _answer(self, text: str) -> str:
        low = text.lower()
        for intent in getattr(self.character, "intents", ()):
            words = [p for p in intent.patterns if not p.startswith("re:")]
            if any(w.lower() in low for w in words):
                for dim, delta in intent.values:
                    self.values[dim] = max(-1.0, min(1.0, self.values.get(dim, 0.0) + delta))
                replies = self._render(intent.replies)
                if replies:
                    return replies[len(self.turns) % len(replies)]
        lines = self._render(getattr(self.character, "fallback", ())) or ["I see."]
        line = lines[self._fallback_i % len(lines)]
        self._fallback_i += 1
        return line

    def send(self, text: str) -> _FallbackHandle:
        reply = self._answer(text)
        nxt = len(self.turns) + 1
        if nxt < self.prompt.turns and nxt < len(self.prompt.questions):
            reply = f"{reply} {self.prompt.questions[nxt]}"
        self.turns.append({"player": text, "reply": reply, "backend": "authored", "model": None, "generated": False})
        return _FallbackHandle(reply)

    @property
    def finished(self) -> bool:
        return len(self.turns) >= self.prompt.turns

    @property
    def outcome(self) -> dict[str, Any]:
        return {"values": dict(self.values), "turns": [dict(t) for t in self.turns],
                "summary": f"{len(self.turns)} turns with authored lines"}

    def snapshot(self) -> dict[str, Any]:
        return {"kind": "fallback", "turns": [dict(t) for t in self.turns], "values": dict(self.values),
                "fallback_i": self._fallback_i}

    def load(self, data: dict[str, Any]) -> None:
        self.turns = [dict(t) for t in data.get("turns", [])]
        self.values = {k: float(v) for k, v in data.get("values", {}).items()}
        self._fallback_i = int(data.get("fallback_i", 0))


def outcome_of(conv) -> dict[str, Any]:
    """The conversation's outcome (a property on Conversation, a method in older drafts)."""
    out = conv.outcome
    return out() if callable(out) else out


def reply_info(handle) -> dict[str, Any]:
    """backend / model / generated of a finished handle, from its Reply when it has one."""
    reply = getattr(handle, "reply", None)
    if reply is not None:
        return {"backend": getattr(reply, "backend", None), "model": getattr(reply, "model", None),
                "generated": bool(getattr(reply, "generated", False))}
    return {"backend": getattr(handle, "backend", None), "model": getattr(handle, "model", None),
            "generated": bool(getattr(handle, "generated", False))}


def backend_names() -> list[str]:
    try:
        from game.dialogue import registry

        return sorted(registry.available())
    except Exception:   # noqa: BLE001
        return ["scripted", "openai", "local", "replay"]


