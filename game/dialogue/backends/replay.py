"""`replay`: cassettes. Record what any backend said, play it back deterministically.

A cassette is a JSON file of exchanges. Each is keyed by a hash of the request's
messages, limits and seed, so replaying the same conversation gives the same replies in
the same pieces, with no network and no model; for demos and tests. Recording wraps a
real backend (`record:` in settings, or `chat --record FILE`) and writes atomically
after every exchange. A request the cassette does not hold fails as `unavailable` (the
chain falls back), unless `sequential: true`, which plays exchanges in recorded order.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from game.dialogue import streamsafe
from game.dialogue.base import Capabilities, DialogueError, DialogueRequest, Health, Unavailable, check_cancel, redact

VERSION = 1


def request_key(request: DialogueRequest) -> str:
    body = {
        "messages": request.messages,
        "max_tokens": request.max_tokens,
        "stop": list(request.stop),
        "seed": request.seed,
        "json": request.json_schema is not None,
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


class Cassette:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self.exchanges: list[dict[str, Any]] = []
        if self.path.is_file():
            self.exchanges = self._read()

    def _read(self) -> list[dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise Unavailable(f"cannot read cassette {self.path}: {exc}") from None
        except RecursionError:
            raise Unavailable(f"cannot read cassette {self.path}: nested too deeply") from None
        if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("exchanges"), list):
            raise Unavailable(f"{self.path} is not a version-{VERSION} cassette")
        exchanges: list[dict[str, Any]] = data["exchanges"]
        return exchanges

    def add(
        self, request: DialogueRequest, pieces: list[str], backend: str, model: str | None, generated: bool = True
    ) -> None:
        from game.paths import atomic_write_json

        entry = {
            "key": request_key(request),
            "backend": backend,
            "model": model,
            "generated": generated,
            # Requests are kept for people reading the cassette; keys never appear in them, but redact anyway.
            "messages": [{"role": m["role"], "content": redact(m["content"])} for m in request.messages],
            "pieces": streamsafe.clean_pieces(pieces),
        }  # a key split across pieces is caught whole
        with self._lock:
            self.exchanges.append(entry)
            atomic_write_json(self.path, {"version": VERSION, "exchanges": self.exchanges})

    def find(self, key: str, used: set[int]) -> tuple[int, dict[str, Any]] | None:
        for i, ex in enumerate(self.exchanges):
            if ex.get("key") == key and i not in used:
                return i, ex
        for i, ex in enumerate(self.exchanges):  # the same request asked again: replay it again
            if ex.get("key") == key:
                return i, ex
        return None


class RecordingBackend:
    """Wraps any backend; records each completed exchange to a cassette."""

    def __init__(self, inner: Any, cassette: Cassette) -> None:
        self.inner = inner
        self.cassette = cassette
        self.name = inner.name
        self.model = getattr(inner, "model", None)
        self.capabilities = inner.capabilities
        self.cold_start = getattr(inner, "cold_start", False)  # a recorded server may still start cold

    def prepare(self) -> None:
        prepare = getattr(self.inner, "prepare", None)
        if prepare is not None:
            prepare()

    def health(self) -> Health:
        h = self.inner.health()
        return Health(h.ok, f"{h.detail} (recording to {self.cassette.path})")

    def stream(self, request: DialogueRequest, cancel: threading.Event) -> Iterator[str]:
        pieces: list[str] = []
        for piece in self.inner.stream(request, cancel):
            pieces.append(piece)
            yield piece
        # A warm-up is not part of any conversation: a replay never asks it.
        if not cancel.is_set() and request.hints.get("kind") != "warm_up":
            self.cassette.add(request, pieces, self.name, request.model or self.model)


class ReplayBackend:
    name = "replay"

    def __init__(
        self,
        model: str | None = None,
        cassette: str | None = None,
        sequential: bool = False,
        base_url: str | None = None,
        **_settings: Any,
    ) -> None:
        self.model = model
        self.path = Path(cassette or base_url or "dialogue-cassette.json")
        self.sequential = bool(sequential)
        self._cassette: Cassette | None = None
        self._used: set[int] = set()
        self._next = 0
        self._lock = threading.Lock()
        self.capabilities = Capabilities(streaming=True, json=True, images=False, offline=True)

    def _load(self) -> Cassette:
        if self._cassette is None:
            if not self.path.is_file():
                raise Unavailable(f"no cassette at {self.path}")
            self._cassette = Cassette(self.path)
        return self._cassette

    def health(self) -> Health:
        try:
            n = len(self._load().exchanges)
        except DialogueError as exc:
            return Health(False, exc.message)
        return Health(True, f"{n} recorded exchanges in {self.path}")

    def stream(self, request: DialogueRequest, cancel: threading.Event) -> Iterator[str]:
        cassette = self._load()
        found: tuple[int, dict[str, Any]] | None
        with self._lock:
            if self.sequential:
                if self._next >= len(cassette.exchanges):
                    raise Unavailable(f"the cassette {self.path.name} has no more exchanges", cooldown=0)
                found = self._next, cassette.exchanges[self._next]
                self._next += 1
            else:
                found = cassette.find(request_key(request), self._used)
                if found is None:
                    # Other requests may still be on the tape: no back-off.
                    raise Unavailable(f"the cassette {self.path.name} holds no reply to this request", cooldown=0)
            self._used.add(found[0])
        exchange = found[1]
        request.hints["_generated"] = bool(exchange.get("generated", True))
        self.model = exchange.get("model") or self.model
        for piece in exchange.get("pieces", []):
            check_cancel(cancel)
            yield str(piece)
