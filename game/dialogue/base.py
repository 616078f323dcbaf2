"""The backend protocol: what every dialogue backend implements, and the errors it may raise.

A backend turns a `DialogueRequest` into text pieces. It knows nothing about scenes,
the story or the frame loop: the service runs it on a worker thread, enforces the
timeouts and falls back when it fails. Backends report failure by raising one of the
`DialogueError` kinds below, so the service can log one clear reason and choose a
fallback without knowing which library a backend wraps.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

log = logging.getLogger("game.dialogue")


# ------------------------------------------------------------------ requests


@dataclass(frozen=True)
class Timeouts:
    """Seconds. `first_token` is how long we wait for the first piece, `total` for the whole reply.

    `cold_start` replaces `first_token` for a backend's first request of a session when the backend
    may be cold (a local server still loading its model or reading a long prompt for the first
    time): a llama.cpp server on a busy 2-core machine took 9-20 s to its first token there, and the
    steady budget would have given the whole conversation to the authored lines. 0 turns it off."""

    connect: float = 3.0
    first_token: float = 8.0
    total: float = 20.0
    cold_start: float = 60.0

    def cold(self) -> Timeouts:
        """The budget of a cold backend's request: the first token may take `cold_start`, the rest as usual."""
        extra = max(0.0, self.cold_start - self.first_token)
        if not extra:
            return self
        return Timeouts(self.connect, self.first_token + extra, self.total + extra, self.cold_start)


@dataclass
class DialogueRequest:
    messages: list[dict[str, str]]  # OpenAI-style [{"role": "system"|"user"|"assistant", "content": ...}]
    max_tokens: int = 160
    stop: tuple[str, ...] = ()
    seed: int | None = None
    temperature: float = 0.8
    timeouts: Timeouts = field(default_factory=Timeouts)
    model: str | None = None
    json_schema: dict[str, Any] | None = None  # ask for a JSON object (backends with `json` capability)
    # What an offline backend needs in place of understanding: the character (for its authored
    # intents) and hints such as the question to ask next. Model backends ignore these.
    character: Any = None
    hints: dict[str, Any] = field(default_factory=dict)

    @property
    def last_user_text(self) -> str:
        for m in reversed(self.messages):
            if m.get("role") == "user":
                return m.get("content", "")
        return ""


@dataclass(frozen=True)
class Capabilities:
    streaming: bool = True
    json: bool = False  # can be asked for a JSON object (value scoring uses it)
    images: bool = False
    offline: bool = False  # needs no network


@dataclass(frozen=True)
class Health:
    ok: bool
    detail: str

    def __str__(self) -> str:
        return f"{'ok' if self.ok else 'FAIL'}: {self.detail}"


@runtime_checkable
class DialogueBackend(Protocol):
    name: str
    model: str | None
    capabilities: Capabilities

    def stream(self, request: DialogueRequest, cancel: threading.Event) -> Iterator[str]:
        """Yield text pieces; stop early (raising Cancelled) when `cancel` is set."""
        ...

    def health(self) -> Health: ...


# ------------------------------------------------------------------ errors


class DialogueError(Exception):
    """A backend could not answer. `kind` is one of KINDS; the message never holds a secret."""

    kind = "unavailable"

    def __init__(self, message: str, *, retry_after: float | None = None, cooldown: float | None = None) -> None:
        super().__init__(redact(message))
        self.retry_after = retry_after
        self.cooldown = cooldown  # seconds the service should leave this backend alone; None: its default

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.kind


class Unavailable(DialogueError):
    kind = "unavailable"  # not running, connection refused, 5xx, garbage on the wire


class TimedOut(DialogueError):
    kind = "timeout"


class AuthFailed(DialogueError):
    kind = "auth"


class RateLimited(DialogueError):
    kind = "rate_limited"


class BadRequest(DialogueError):
    kind = "bad_request"  # unknown model, bad parameters: retrying will not help


class Refused(DialogueError):
    kind = "refused"  # the model declined (content filter) or said nothing usable


class Cancelled(DialogueError):
    kind = "cancelled"


class Skipped(DialogueError):
    kind = "skipped"  # the player chose the authored line instead of waiting


class OutOfVoice(Refused):
    kind = "out_of_voice"  # the reply drifted out of the character (see voice.py)


KINDS = {
    c.kind: c
    for c in (Unavailable, TimedOut, AuthFailed, RateLimited, BadRequest, Refused, Cancelled, Skipped, OutOfVoice)
}


def check_cancel(cancel: threading.Event) -> None:
    if cancel.is_set():
        raise Cancelled("cancelled")


# ------------------------------------------------------------------ secrets

_secrets: set[str] = set()
_secrets_lock = threading.Lock()
# Key-shaped tokens as providers echo them back ("Incorrect API key provided: sk-proj-ab**...").
_KEY_RE = re.compile(r"\b(?:sk|pk|rk|key|gsk|xai)[-_][A-Za-z0-9_\-*.]{6,}")


MIN_SECRET_PART = 16  # a key's tail shorter than this is not told apart from ordinary text


# A credential's value after a label that names it, whatever its shape: a header or a
# setting echoed back ("Authorization: Bearer abc...", "api_key=abc...", '"api_key": "abc"').
_LABEL = (
    r"(?i)(\b(?:authorization|proxy-authorization|api[-_ ]?key|x-api-key|access[-_ ]?token)\b[\"']?\s*[:=]\s*[\"']?"
    r"(?:(?:bearer|basic|token)\s+)?)(?!(?:bearer|basic|token)\b)"  # a scheme is not the value
)
_LABELLED_RE = re.compile(_LABEL + r"([^\s\"',;]{6,})")


def _encoded_forms(value: str) -> set[str]:
    """How a credential may be written where it is echoed: URL-quoted (a query string, a
    redirect), JSON-escaped, and base64 (a Basic authorization header encodes "user:key",
    so the key's bytes may start at any of three offsets: each alignment's stable middle)."""
    import base64
    import json
    from urllib.parse import quote

    forms = {quote(value, safe=""), json.dumps(value)[1:-1]}
    raw = value.encode()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw).decode()
        # the first characters mix the padding bytes, the last ones what follows the key
        inner = encoded[(shift * 4 + 2) // 3 + 1 : -4]
        if len(inner) >= MIN_SECRET_PART:
            forms.add(inner)
    forms.discard(value)
    return forms


def register_secret(value: str | None) -> None:
    """Remember a credential so that `redact` removes it from every message and log line: as
    it is, without its prefix ("sk-proj-XYZ..." echoed as "proj-XYZ..." or "XYZ..."), and
    URL-quoted, JSON-escaped or base64-encoded (_encoded_forms)."""
    if value and len(value) >= 4:
        parts = {value}
        for m in re.finditer(r"[-_]", value[:16]):
            tail = value[m.end() :]
            if len(tail) >= MIN_SECRET_PART:
                parts.add(tail)
        if len(value) >= MIN_SECRET_PART:
            parts |= _encoded_forms(value)
        with _secrets_lock:
            _secrets.update(parts)


def known_secrets() -> list[str]:
    """The registered credentials (and their prefix-less forms), longest first."""
    with _secrets_lock:
        return sorted(_secrets, key=len, reverse=True)


def redact(text: Any) -> str:
    text = str(text)
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for s in secrets:
        if s in text:
            text = text.replace(s, "[redacted]")
    text = _LABELLED_RE.sub(lambda m: m.group(1) + "[redacted]", text)
    return _KEY_RE.sub("[redacted]", text)


class RedactingFilter(logging.Filter):
    """Rewrites records so a key can never reach a log handler, whoever logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is not ours to fix; let logging report it
            return True
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return True


_FILTER = RedactingFilter()
for _name in ("game.dialogue", "openai", "openai._base_client", "httpx", "httpx2", "httpcore", "httpcore2"):
    _logger = logging.getLogger(_name)
    if _FILTER not in _logger.filters:
        _logger.addFilter(_FILTER)
