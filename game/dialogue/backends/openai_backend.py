"""`openai`: the official `openai` SDK, against OpenAI or any OpenAI-compatible server.

Ollama, llama.cpp's server, vLLM and LM Studio all speak the same chat-completions
protocol, so `base_url` alone selects them; local servers accept any key, so a
placeholder is sent when none is configured for a non-OpenAI base_url.

We do not trust the SDK's defaults for a game: its timeout is 600 s and it retries
twice with back-off. Here the SDK gets max_retries=0 and an httpx timeout built from the
request (connect, and a read timeout equal to the first-token budget), the deadline for
the whole reply is checked between pieces, and we retry at most once ourselves, only
before any text arrived and only when the budget allows. Stop strings and the token cap
are also enforced here, because some servers ignore them.

Structured output (value scoring asks for a JSON object): `structured: auto` (the default)
sends `response_format` with the request's JSON schema; a server that answers 400 to that
is asked again at once with `{"type": "json_object"}`, and one that refuses that too gets
no `response_format` at all (the prompt asks for JSON and the reply is parsed from text).
What worked is remembered for the session. `structured: json_schema | json_object | text`
fixes the choice.

A server other than OpenAI's may be cold on its first request (a model to load, a prompt not
yet cached): `cold_start` (default: true except for api.openai.com) lets the service give
that request its cold-start budget.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

from game.dialogue.base import (
    AuthFailed,
    BadRequest,
    Cancelled,
    Capabilities,
    DialogueError,
    DialogueRequest,
    Health,
    RateLimited,
    Refused,
    TimedOut,
    Timeouts,
    Unavailable,
    log,
    redact,
    register_secret,
)

OPENAI_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"
PLACEHOLDER_KEY = "sk-no-key-needed"  # local servers want *a* key header, any value
STRUCTURED = ("json_schema", "json_object", "text")  # best first; `auto` steps down on a 400
CHARS_PER_TOKEN = 4  # rough, for the client-side cap when the server ignores max_tokens


class OpenAIBackend:
    name = "openai"

    def __init__(
        self,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        max_retries: int = 1,
        json: bool | None = None,
        structured: str = "auto",
        cold_start: bool | None = None,
        **_settings: Any,
    ) -> None:
        self.base_url = (base_url or OPENAI_URL).rstrip("/")
        self.is_openai = "api.openai.com" in self.base_url
        self.model = model or (DEFAULT_MODEL if self.is_openai else None)
        self._key = api_key or (None if self.is_openai else PLACEHOLDER_KEY)
        register_secret(api_key)
        self.max_retries = max(0, min(1, int(max_retries)))  # at most one retry: a player is waiting
        # JSON mode is an OpenAI feature; most local servers accept it too, but not all. A designer may say.
        self.capabilities = Capabilities(
            streaming=True, json=self.is_openai if json is None else bool(json), images=self.is_openai, offline=False
        )
        self._client_obj: Any = None
        self._lock = threading.Lock()
        structured = str(structured or "auto").lower()
        if structured not in STRUCTURED + ("auto",):
            raise ValueError(f"structured: expected one of auto, {', '.join(STRUCTURED)}; got {structured!r}")
        self.structured_auto = structured == "auto"
        self.structured = "json_schema" if self.structured_auto else structured
        self.cold_start = (not self.is_openai) if cold_start is None else bool(cold_start)

    def __repr__(self) -> str:  # never show the key
        return f"OpenAIBackend(base_url={self.base_url!r}, model={self.model!r})"

    # ------------------------------------------------------------------ client
    def _client(self) -> Any:
        if not self._key:
            raise AuthFailed("no API key: set OPENAI_API_KEY, or point base_url at a local server")
        with self._lock:
            if self._client_obj is None:
                import openai  # lazy: the game starts without paying for the SDK

                t = Timeouts()
                self._client_obj = openai.OpenAI(
                    api_key=self._key, base_url=self.base_url, max_retries=0, timeout=_timeout(t.connect, t.first_token)
                )
            return self._client_obj

    def prepare(self) -> None:
        """Import the SDK and build the client ahead of the first reply (the service calls this off-thread)."""
        if self._key:
            self._client()

    def health(self) -> Health:
        try:
            client = self._client()
            models = [m.id for m in client.models.list(timeout=_timeout(2.0, 3.0))]
        except DialogueError as exc:
            return Health(False, f"{exc.kind}: {exc.message}")
        except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
            err = _map_error(exc)
            return Health(False, f"{err.kind}: {err.message} ({self.base_url})")
        if self.model and models and self.model not in models:
            return Health(
                False,
                f"server at {self.base_url} is up but has no model '{self.model}' (it has: {', '.join(models[:8])})",
            )
        return Health(True, f"{self.base_url} answers; model {self.model or '(server default)'}")

    # ------------------------------------------------------------------ streaming
    def stream(self, request: DialogueRequest, cancel: threading.Event) -> Iterator[str]:
        start = time.monotonic()
        deadline = start + request.timeouts.total
        attempts = 0
        while True:
            produced = False
            try:
                for piece in self._attempt(request, cancel, deadline):
                    produced = True
                    yield piece
                return
            except DialogueError as exc:
                retryable = exc.kind in ("unavailable", "timeout", "rate_limited")
                wait = exc.retry_after if exc.retry_after is not None else 0.5
                if (
                    produced
                    or not retryable
                    or attempts >= self.max_retries
                    or cancel.is_set()
                    or time.monotonic() + wait + 1.0 > deadline
                ):
                    raise
                attempts += 1
                log.info("openai backend: %s (%s); retrying once in %.1f s", exc.kind, exc.message, wait)
                if cancel.wait(wait):
                    raise Cancelled("cancelled") from None

    def _attempt(self, request: DialogueRequest, cancel: threading.Event, deadline: float) -> Iterator[str]:
        while True:
            mode = self.structured
            try:
                yield from self._attempt_once(request, cancel, deadline, mode)
                return
            except BadRequest as exc:
                if request.json_schema is None or not self.structured_auto or mode == "text":
                    raise
                lower = STRUCTURED[STRUCTURED.index(mode) + 1]
                with self._lock:
                    if self.structured == mode:
                        self.structured = lower
                log.info(
                    "openai backend: %s refused response_format %s (%s); asking with %s from now on",
                    self.base_url,
                    mode,
                    exc.message,
                    lower if lower != "text" else "JSON in the text",
                )

    def response_format(self, schema: dict[str, Any], mode: str | None = None) -> dict[str, Any] | None:
        """The `response_format` to send for a JSON request in `mode` (None: the text asks for JSON)."""
        mode = mode or self.structured
        if mode == "json_schema":
            return {"type": "json_schema", "json_schema": {"name": "reply", "schema": schema, "strict": True}}
        if mode == "json_object":
            return {"type": "json_object"}
        return None

    def _attempt_once(
        self, request: DialogueRequest, cancel: threading.Event, deadline: float, mode: str
    ) -> Iterator[str]:
        t = request.timeouts
        client = self._client()
        kwargs = dict(
            model=request.model or self.model or "default",
            messages=request.messages,
            stream=True,
            # read = the longest silence allowed between pieces; the service also watches the clock.
            timeout=_timeout(t.connect, t.first_token),
            max_tokens=request.max_tokens,
            temperature=request.temperature,
        )
        if request.stop:
            kwargs["stop"] = list(request.stop)[:4]  # the API takes at most four
        if request.seed is not None:
            kwargs["seed"] = request.seed
        if request.json_schema is not None:
            fmt = self.response_format(request.json_schema, mode)
            if fmt is not None:
                kwargs["response_format"] = fmt
        try:
            stream = client.chat.completions.create(**kwargs)
        except Exception as exc:  # noqa: BLE001 - every SDK failure becomes one of our kinds
            raise _map_error(exc) from None
        text = ""
        cap_chars = request.max_tokens * CHARS_PER_TOKEN
        finished = False
        try:
            for chunk in stream:
                if cancel.is_set():
                    raise Cancelled("cancelled")
                if time.monotonic() > deadline:
                    raise TimedOut(f"reply took longer than {t.total:.0f} s")
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                if choice.finish_reason == "content_filter":
                    raise Refused("the provider's content filter stopped the reply")
                finished = finished or choice.finish_reason is not None
                piece = getattr(choice.delta, "content", None) or ""
                if not piece:
                    continue
                # Stop strings, client-side: some servers ignore `stop`, and a stop may straddle two pieces.
                combined = text + piece
                cut = min((i for i in (combined.find(s) for s in request.stop) if i >= 0), default=-1)
                if cut >= 0:
                    if cut > len(text):
                        yield combined[len(text) : cut]
                    return
                if len(combined) >= cap_chars:
                    yield combined[len(text) : cap_chars]
                    return
                text = combined
                yield piece
            if not finished:
                # The SDK ends quietly when the connection drops; without a finish_reason the reply is cut.
                raise Unavailable("the connection dropped in the middle of the reply")
        except DialogueError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise _map_error(exc) from None
        finally:
            try:
                stream.close()
            except Exception:  # noqa: BLE001 - closing a broken stream may fail again; it is already over
                pass


def _timeout(connect: float, read: float) -> Any:
    import httpx2

    return httpx2.Timeout(read, connect=connect, write=connect, pool=connect)


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    for header, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(header)
        if value:
            try:
                return float(value) * scale
            except ValueError:
                continue
    return None


def _map_error(exc: BaseException) -> DialogueError:
    """One of our kinds for any SDK / transport failure, with a message that holds no secret."""
    try:
        import openai
    except ImportError:  # pragma: no cover - the SDK is a core dependency
        return Unavailable(f"{type(exc).__name__}: {exc}")
    status = getattr(exc, "status_code", None)
    detail = redact(getattr(exc, "message", None) or str(exc))[:300]
    if isinstance(exc, openai.APITimeoutError):
        return TimedOut("the server did not answer in time")
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc.__context__
        return Unavailable(f"cannot connect ({type(cause).__name__ if cause else 'connection error'})")
    if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
        return AuthFailed(f"the server refused the API key (HTTP {status})")
    if isinstance(exc, openai.RateLimitError):
        ra = _retry_after(exc)
        return RateLimited(
            f"rate limited (HTTP 429{f', retry after {ra:g} s' if ra is not None else ''})", retry_after=ra
        )
    if isinstance(exc, (openai.BadRequestError, openai.NotFoundError, openai.UnprocessableEntityError)):
        return BadRequest(f"HTTP {status}: {detail}")
    if isinstance(exc, openai.APIStatusError):
        return Unavailable(f"server error (HTTP {status})")
    if isinstance(exc, openai.APIError):
        return Unavailable(f"bad response from the server: {detail}")
    if isinstance(exc, ValueError):  # json.JSONDecodeError: a malformed event stream
        return Unavailable("malformed response from the server (not valid JSON)")
    return Unavailable(f"{type(exc).__name__}: {detail}")
