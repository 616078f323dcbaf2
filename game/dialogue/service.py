"""The dialogue service: generation off the frame loop, with timeouts and a fallback chain.

The front end never waits on a model. `CharacterVoice.start` returns a `ReplyHandle` at
once; a worker thread walks the character's chain of backends (the one chosen in
settings, any configured fallbacks, and finally `scripted`, the authored lines), and the
front end polls the handle each frame:

    ("started", "")      a backend began; a second "started" means: discard what was shown,
                         the reply restarts from another backend (one failed mid-stream)
    ("delta", text)      more text to show
    ("done", full_text)  the reply is complete; full_text is authoritative
    ("failed", reason)   no reply (only when cancelled: the chain always ends in authored lines)

While a backend has said nothing yet, `handle.thinking` is true (the front ends show that the AI
is thinking) and `handle.skip()` gives up on it: the reply becomes the authored line at once.

A backend that may start cold (a local server loading its model, a first prompt not yet cached)
gets `timeouts.cold_start` for its first token until it has answered once in this session; a
cold-start timeout does not rest it, so the next turn tries it again (up to COLD_TRIES times).
`DialogueService.warm_up` sends such a backend a tiny request off the frame thread when a level
with a generated character starts, so the player's first line rarely finds it cold.

Each backend attempt runs in its own daemon thread feeding a queue, so a backend that
hangs inside a C call or a socket read is abandoned at its deadline, not waited for.
Every fallback is logged on the "game.dialogue" logger with the reason.
"""

from __future__ import annotations

import collections
import itertools
import queue
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game.dialogue import streamsafe
from game.dialogue import voice as voicelib
from game.dialogue.base import (
    Cancelled,
    DialogueError,
    DialogueRequest,
    Refused,
    Skipped,
    TimedOut,
    Timeouts,
    Unavailable,
    log,
    redact,
)
from game.dialogue.character import OutputGuard
from game.dialogue.settings import BackendChoice, Settings

if TYPE_CHECKING:
    from game.dialogue.base import Capabilities
    from game.story.model import Character

WAKE_INTERVAL = 0.05  # how often the runner looks up from a silent backend to notice a cancel
# After a failure, a backend is skipped for a while, so a server that is down costs the player one
# timeout, not one per line. Seconds, by kind; a RateLimited's retry_after wins when it says more.
COOLDOWN = {
    "timeout": 30.0,
    "unavailable": 15.0,
    "auth": 300.0,
    "rate_limited": 20.0,
    "bad_request": 300.0,
    "refused": 0.0,
    "cancelled": 0.0,
    "skipped": 0.0,
    "out_of_voice": 0.0,
}
COLD_TRIES = 3  # cold-start timeouts in a row before a backend is rested like any other failure


@dataclass
class Reply:
    text: str
    backend: str
    model: str | None
    generated: bool
    # How it went, for benchmarks and compare-backends: first_token / elapsed (s), pieces, cold,
    # guard (the output guard's cuts), fallbacks ([{"backend", "kind", "why"}]).
    stats: dict[str, Any] = field(default_factory=dict)


class ReplyHandle:
    """What the front end holds while a reply is being made. Every method returns at once except `wait`."""

    def __init__(self) -> None:
        # A deque: append and popleft are atomic, so neither side ever takes a lock the other holds long.
        self._events: collections.deque[tuple[str, str]] = collections.deque()
        self._finished = threading.Event()
        self._cancel = threading.Event()
        self.text = ""
        self.done = False
        self.failed = False
        self.reason = ""
        self.reply: Reply | None = None
        self.backend: str | None = None
        self._skip = threading.Event()
        self._waiting = False  # a backend has started and said nothing yet
        self.started_at = time.monotonic()
        self.stats: dict[str, Any] = {"fallbacks": [], "guard": []}

    def poll(self) -> list[tuple[str, str]]:
        out = []
        pop = self._events.popleft
        while True:
            try:
                out.append(pop())
            except IndexError:
                return out

    def wait(self, timeout: float | None = None) -> Reply:
        """Block until the reply is complete (terminal front end). TimeoutError if `timeout` passes first."""
        if not self._finished.wait(timeout):
            raise TimeoutError("the reply is still being generated")
        if self.reply is None:
            return Reply("", "none", None, False)
        return self.reply

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def skip(self) -> None:
        """Stop waiting for the model: the reply becomes the authored line (the turn still counts)."""
        self._skip.set()

    @property
    def skipped(self) -> bool:
        return self._skip.is_set()

    @property
    def thinking(self) -> bool:
        """A model is working on the reply and has not said anything yet (show it, offer skip())."""
        return self._waiting and not self._finished.is_set()

    # ------------------------------------------------------------------ worker side
    def _emit(self, kind: str, text: str = "") -> None:
        if kind == "delta":
            self.text += text
            self._waiting = False
        elif kind == "started":
            self.text = ""
        self._events.append((kind, text))

    def _finish(self, reply: Reply | None, reason: str = "") -> None:
        self._waiting = False
        if reply is not None:
            reply.stats = {**self.stats, **reply.stats, "elapsed": time.monotonic() - self.started_at}
            self.reply = reply
            self.text = reply.text
            self.done = True
            self._events.append(("done", reply.text))
        else:
            self.failed = True
            self.reason = reason
            self._events.append(("failed", reason))
        self._finished.set()


@dataclass
class Link:
    backend: Any  # an object with the DialogueBackend shape
    choice: BackendChoice

    @property
    def name(self) -> str:
        return self.choice.backend

    @property
    def model(self) -> str | None:
        return getattr(self.backend, "model", None) or self.choice.model


class CharacterVoice:
    """The resolved chain of backends for one character, and the way to ask it for a reply."""

    def __init__(
        self, service: DialogueService, character: Character | None, links: list[Link], problems: list[str]
    ) -> None:
        self.service = service
        self.character = character
        self.links = links
        self.problems = problems  # backends that could not even be built, and why

    @property
    def primary(self) -> Link:
        return self.links[0]

    @property
    def capabilities(self) -> Capabilities:
        capabilities: Capabilities = self.primary.backend.capabilities
        return capabilities

    def start(
        self,
        request: DialogueRequest,
        *,
        fallback: Callable[[], str] | str,
        player: str = "",
        after: Callable[[Reply, ReplyHandle], None] | None = None,
    ) -> ReplyHandle:
        """Begin a reply on the worker; returns at once. `after` runs on the worker before "done" is posted."""
        handle = ReplyHandle()
        self.service._submit(self._run, request, handle, fallback, player, after)
        return handle

    def complete(self, request: DialogueRequest, timeouts: Timeouts | None = None) -> tuple[str, Link] | None:
        """Blocking, on the worker: the primary backend's whole answer (for JSON scoring), or None on failure."""
        link = self.primary
        if link.choice.type == "scripted":
            return None
        if timeouts is not None:
            request.timeouts = timeouts
        try:
            text = self._run_link(
                link, request, ReplyHandle(), None, time.monotonic() + request.timeouts.total, guard=False
            )
        except DialogueError as exc:
            log.info(
                "%s: %s could not score the answer (%s: %s); using the offline lexicon",
                self._who(),
                link.name,
                exc.kind,
                exc.message,
            )
            return None
        return text, link

    def _who(self) -> str:
        return getattr(self.character, "id", None) or "line"

    # ------------------------------------------------------------------ worker
    def _run(
        self,
        request: DialogueRequest,
        handle: ReplyHandle,
        fallback: Callable[[], str] | str,
        player: str,
        after: Callable[[Reply, ReplyHandle], None] | None,
    ) -> None:
        try:
            reply = self._chain(request, handle, fallback, player)
        except Cancelled:
            handle._finish(None, "cancelled")
            return
        except Exception as exc:  # noqa: BLE001 - the worker must always finish the handle
            log.error(
                "%s: dialogue failed unexpectedly (%s: %s); saying the authored fallback",
                self._who(),
                type(exc).__name__,
                redact(exc),
            )
            text = fallback() if callable(fallback) else fallback
            reply = Reply(text or "...", "scripted", None, False)
        if after is not None:
            try:
                after(reply, handle)
            except Exception as exc:  # noqa: BLE001
                log.error("%s: bookkeeping after a reply failed (%s: %s)", self._who(), type(exc).__name__, redact(exc))
        if handle.cancelled:
            handle._finish(None, "cancelled")
        else:
            handle._finish(reply)

    def _chain(
        self, request: DialogueRequest, handle: ReplyHandle, fallback: Callable[[], str] | str, player: str
    ) -> Reply:
        deadline = time.monotonic() + request.timeouts.total
        for i, link in enumerate(self.links):
            is_last = i == len(self.links) - 1
            if handle.cancelled:
                raise Cancelled("cancelled")
            if handle.skipped:
                break
            # The authored lines are instant; a model gets what is left of the budget.
            if link.choice.type != "scripted" and time.monotonic() >= deadline:
                log.warning("%s: no time left for %s; falling back", self._who(), link.name)
                continue
            resting = self.service._resting(link)
            if resting and not is_last:
                log.info("%s: skipping %s for %.0f s more after its last failure", self._who(), link.name, resting)
                handle.stats["fallbacks"].append(
                    {"backend": link.name, "kind": "resting", "why": "left alone for a while after a failure"}
                )
                continue
            cold = self.service.is_cold(link)
            req = request
            link_deadline = max(deadline, time.monotonic() + 1.0) if is_last else deadline
            if cold:
                # The first token may take the cold-start budget; the rest of the reply keeps its own.
                req = _with_timeouts(request, request.timeouts.cold())
                link_deadline = max(link_deadline, time.monotonic() + req.timeouts.total)
                handle.stats["cold"] = True
            handle._emit("started")
            handle.backend = link.name
            handle._waiting = link.choice.type != "scripted"
            try:
                text = self._run_link(link, req, handle, player, link_deadline)
            except Cancelled:
                raise
            except Skipped:
                log.info("%s: the player skipped %s's reply; saying the authored line", self._who(), link.name)
                handle.stats["fallbacks"].append(
                    {"backend": link.name, "kind": "skipped", "why": "the player chose the authored line"}
                )
                break
            except DialogueError as exc:
                nxt = self.links[i + 1].name if not is_last else "the authored fallback line"
                log.warning(
                    "%s: backend %s failed (%s: %s); falling back to %s",
                    self._who(),
                    link.name,
                    exc.kind,
                    exc.message,
                    nxt,
                )
                handle.stats["fallbacks"].append({"backend": link.name, "kind": exc.kind, "why": exc.message})
                if cold and isinstance(exc, TimedOut) and self.service._cold_miss(link):
                    log.info(
                        "%s: %s did not answer within its cold-start budget; it is tried again next turn",
                        self._who(),
                        link.name,
                    )
                    continue
                self.service._rest(link, exc)
                continue
            finally:
                handle._waiting = False
            # A backend may say per request whether its text was generated (replay knows what it recorded).
            generated = bool(request.hints.pop("_generated", link.choice.type != "scripted"))
            return Reply(text, link.name, link.model, generated)
        text = fallback() if callable(fallback) else fallback
        handle._emit("started")
        handle._emit("delta", text)
        return Reply(text, "scripted", None, False)

    def _run_link(
        self,
        link: Link,
        request: DialogueRequest,
        handle: ReplyHandle,
        player: str | None,
        deadline: float,
        guard: bool = True,
    ) -> str:
        backend = link.backend
        t = request.timeouts
        name = getattr(self.character, "name", "")
        secrets = getattr(self.character, "secrets", ()) or ()
        max_words = self.service.voice_settings.max_words if link.choice.type != "scripted" else 0
        out_guard = OutputGuard(name, player or "", secrets=secrets, max_words=max_words) if guard else None
        req = request if request.model or link.choice.model is None else _with_model(request, link.choice.model)
        parts: list[str] = []

        # The in-voice check reads the cleaned text as it grows, so a drift ("I'm a detective") is
        # caught while the guard still holds it back, before the player reads it.
        check = (
            voicelib.VoiceCheck(
                self.character, player or "", self.service.voice_settings, voicelib.writer_text(request.hints)
            )
            if guard and link.choice.type != "scripted" and self.character is not None
            else None
        )

        def take(piece: str) -> bool:
            handle.stats["pieces"] = handle.stats.get("pieces", 0) + 1
            if out_guard is None:
                parts.append(piece)
                return False
            shown = out_guard.feed(piece)
            if check is not None:
                check.feed(out_guard.current)  # raises OutOfVoice before `shown` reaches the player
            if shown:
                handle._emit("delta", shown)
            return out_guard.stopped

        if getattr(backend, "inline", False):
            # Trusted in-process backends that cannot block (scripted) skip the producer thread.
            for piece in backend.stream(req, handle._cancel):
                if take(piece):
                    break
        else:
            self._pump(backend, req, handle, t, deadline, take)
        if out_guard is None:
            return streamsafe.clean("".join(parts))  # unshown (JSON scoring), still never a key
        if check is not None:
            check.finish(out_guard.preview())  # raises OutOfVoice before the held-back rest is shown
        rest, text = out_guard.finish()
        handle.stats["guard"] = list(out_guard.hits)
        if rest:
            handle._emit("delta", rest)
        if not text.strip():
            raise Refused("the backend produced no usable text")
        return text

    def _pump(
        self,
        backend: Any,
        req: DialogueRequest,
        handle: ReplyHandle,
        t: Timeouts,
        deadline: float,
        take: Callable[[str], bool],
    ) -> None:
        q: queue.SimpleQueue[Any] = queue.SimpleQueue()
        stop = threading.Event()

        prepare = getattr(backend, "prepare", None)

        def produce() -> None:
            try:
                if prepare is not None:
                    prepare()  # importing an SDK or loading a model is not the model being slow
                q.put(("ready", None))
                pieces = backend.stream(req, stop)
                try:
                    for piece in pieces:
                        q.put(("piece", piece))
                        if stop.is_set():
                            break
                finally:
                    close = getattr(pieces, "close", None)
                    if close is not None:
                        close()  # runs the backend's cleanup now (closing an HTTP stream), not at GC
                q.put(("end", None))
            except DialogueError as exc:
                q.put(("error", exc))
            except Exception as exc:  # noqa: BLE001 - a plugin's own exception still becomes one of our kinds
                q.put(("error", Unavailable(f"{type(exc).__name__}: {exc}")))

        threading.Thread(target=produce, daemon=True, name=f"dialogue-{backend.name}").start()
        start = time.monotonic()
        # The first-token clock starts once the backend is ready; until then only the total budget runs.
        first_deadline = deadline
        got_any = False
        try:
            while True:
                if handle.cancelled:
                    raise Cancelled("cancelled")
                if handle.skipped and not got_any:
                    raise Skipped("skipped by the player")
                now = time.monotonic()
                limit = deadline if got_any else first_deadline
                if now >= limit:
                    if got_any or limit == deadline:
                        raise TimedOut(f"the reply took longer than {limit - start:.1f} s")
                    raise TimedOut(f"no first words within {t.first_token:.1f} s")
                try:
                    kind, value = q.get(timeout=min(WAKE_INTERVAL, limit - now))
                except queue.Empty:
                    continue
                if kind == "ready":
                    first_deadline = min(time.monotonic() + t.first_token, deadline)
                elif kind == "piece":
                    if not isinstance(value, str):
                        raise Unavailable(f"backend yielded {type(value).__name__}, not text")
                    if not got_any:
                        got_any = True
                        handle.stats["first_token"] = time.monotonic() - handle.started_at
                        self.service._mark_warm(backend)
                    if take(value):
                        return
                elif kind == "end":
                    return
                else:
                    raise value
        finally:
            stop.set()  # the producer notices at its next piece; a hung one dies with its timeout


def _quietly(fn: Callable[[], object]) -> None:
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the real request will report the same problem, with context
        log.debug("warm-up failed: %s", redact(exc))


def _with_model(request: DialogueRequest, model: str) -> DialogueRequest:
    import dataclasses

    return dataclasses.replace(request, model=model)


def _with_timeouts(request: DialogueRequest, timeouts: Timeouts) -> DialogueRequest:
    import dataclasses

    # hints stay the same dict: a backend's note in it ("_generated") must reach the chain.
    return dataclasses.replace(request, timeouts=timeouts)


class DialogueService:
    """Builds each character's chain from settings, and runs replies on a small worker pool."""

    def __init__(self, settings: Settings | None = None, *, workers: int = 2) -> None:
        self.settings = settings or Settings()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dialogue")
        self._backends: dict[tuple[Any, ...], Any] = {}
        self._lock = threading.Lock()
        self._seq = itertools.count()
        self._cooldown: dict[int, float] = {}
        self._warm: set[int] = set()  # backends that have answered in this session
        self._cold_misses: dict[int, int] = {}
        self._warming: dict[int, threading.Event] = {}  # backend -> set when its warm-up is over
        self._warm_queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._warm_thread: threading.Thread | None = None
        self.timeouts = self.settings.timeouts()
        self.voice_settings = voicelib.VoiceSettings.from_settings(self.settings)
        self.recorder: Any = None
        record_path = self.settings.record_path()
        if record_path:
            from game.dialogue.backends.replay import Cassette

            self.recorder = Cassette(record_path)

    @classmethod
    def from_settings(
        cls,
        *,
        backend: str | None = None,
        model: str | None = None,
        base_url: str | None = None,
        record: str | None = None,
        settings_path: Path | None = None,
    ) -> DialogueService:
        settings = Settings.load(backend=backend, model=model, base_url=base_url, path=settings_path)
        if record:
            settings.file["record"] = record
        return cls(settings)

    # ------------------------------------------------------------------ chains
    def choice_for(self, character: Character | None) -> BackendChoice:
        return self.settings.resolve(character)

    def for_character(self, character: Character | None) -> CharacterVoice:
        first = self.choice_for(character)
        choices = [first]
        for name in self.settings.fallbacks():
            # A fallback is named in settings; it keeps the environment's key and server but not TT_BACKEND.
            env = {k: v for k, v in self.settings.env.items() if k not in ("TT_BACKEND", "TT_MODEL")}
            choices.append(
                Settings(
                    dict(self.settings.file, backend=name, model=None, characters={}), env, {"backend": name}
                ).resolve(None)
            )
        if not any(c.type == "scripted" for c in choices):
            choices.append(BackendChoice("scripted", decided_by={"backend": "the final fallback"}))
        links, problems = [], []
        for choice in choices:
            try:
                backend = self._backend(choice)
            except Exception as exc:  # noqa: BLE001 - unknown name, missing extra, bad options: say so, fall back
                problem = f"backend '{choice.backend}' cannot be used: {type(exc).__name__}: {redact(exc)}"
                log.warning("%s: %s", getattr(character, "id", "?"), problem)
                problems.append(problem)
                continue
            links.append(Link(backend, choice))
        return CharacterVoice(self, character, links, problems)

    def _backend(self, choice: BackendChoice) -> Any:
        from game.dialogue import registry

        key = (
            choice.backend,
            choice.type,
            choice.model,
            choice.base_url,
            choice.api_key,
            repr(sorted(choice.options.items())),
        )
        with self._lock:
            backend = self._backends.get(key)
            if backend is None:
                backend = registry.create(choice.type, **choice.config())
                if choice.type == "scripted":
                    backend.inline = True
                prepare = getattr(backend, "prepare", None)
                if prepare is not None:
                    # Warm up off the frame loop (SDK import, model load) so the first reply is not late.
                    threading.Thread(target=_quietly, args=(prepare,), daemon=True, name="dialogue-warmup").start()
                if self.recorder is not None and choice.type not in ("scripted", "replay"):
                    from game.dialogue.backends.replay import RecordingBackend

                    backend = RecordingBackend(backend, self.recorder)
                self._backends[key] = backend
            return backend

    def _rest(self, link: Link, exc: DialogueError) -> None:
        seconds = exc.cooldown if exc.cooldown is not None else COOLDOWN.get(exc.kind, 0.0)
        if exc.retry_after is not None and exc.cooldown is None:
            seconds = max(seconds, exc.retry_after)
        if seconds > 0:
            with self._lock:
                self._cooldown[id(link.backend)] = time.monotonic() + seconds

    def _resting(self, link: Link) -> float:
        until = self._cooldown.get(id(link.backend), 0.0)
        return max(0.0, until - time.monotonic())

    # ------------------------------------------------------------------ cold start
    def is_cold(self, link: Link) -> bool:
        """Whether this link's next request gets the cold-start budget."""
        if link.choice.type == "scripted" or self.timeouts.cold_start <= self.timeouts.first_token:
            return False
        if not getattr(link.backend, "cold_start", False):
            return False  # a hosted API (or a plugin that says nothing) is never cold
        return id(link.backend) not in self._warm

    def _mark_warm(self, backend: Any) -> None:
        with self._lock:
            self._warm.add(id(backend))
            self._cold_misses.pop(id(backend), None)

    def _cold_miss(self, link: Link) -> bool:
        """Count a cold-start timeout; True while the backend should simply be tried again next turn."""
        with self._lock:
            n = self._cold_misses[id(link.backend)] = self._cold_misses.get(id(link.backend), 0) + 1
        return n < COLD_TRIES

    def warm_up(self, characters: Iterable[Character], player: str = "") -> list[threading.Event]:
        """Send each model-voiced character's backend a tiny request, off the calling thread.

        Called when a level with such a character starts: the SDK is imported, the connection made,
        the model loaded and the persona (the start of every prompt) read into the server's cache
        while the player is still reading, not inside the first reply's budget. Returns an event per
        warm-up queued, set when it is over (none for characters on authored lines or on backends
        already warm or warming). The warm-ups run one after another on one thread of the service,
        started by the first call: a later call (a talk opening on the frame loop) only queues."""
        started: list[threading.Event] = []
        if self.settings.file.get("warm_up", True) is False:
            return started
        for character in characters:
            try:
                voice = self.for_character(character)
            except Exception as exc:  # noqa: BLE001 - a warm-up is a courtesy; the reply will report it
                log.debug("warm-up of %s skipped: %s", getattr(character, "id", "?"), redact(exc))
                continue
            link = voice.primary
            if not self.is_cold(link):
                continue
            with self._lock:
                running = self._warming.get(id(link.backend))
                if running is not None and not running.is_set():
                    continue
                done = self._warming[id(link.backend)] = threading.Event()
                thread = self._warm_thread
                start = thread is None or not thread.is_alive()
                if start:
                    thread = self._warm_thread = threading.Thread(
                        target=self._warm_loop, daemon=True, name="dialogue-warmup"
                    )
                # Queued under the lock: the idle loop decides to end under it too, so nothing is stranded.
                self._warm_queue.put((voice, link, player, done))
            if start and thread is not None:
                thread.start()
            started.append(done)
        return started

    def _warm_loop(self) -> None:
        while True:
            try:
                voice, link, player, done = self._warm_queue.get(timeout=30.0)
            except queue.Empty:
                with self._lock:
                    if self._warm_queue.empty():
                        self._warm_thread = None  # idle: the next warm_up starts a new one
                        return
                continue
            try:
                if self.is_cold(link):
                    self._warm_one(voice, link, player)
            except Exception as exc:  # noqa: BLE001 - a warm-up is a courtesy; never let it kill the loop
                log.debug("warm-up failed: %s", redact(exc))
            finally:
                done.set()

    def _warm_one(self, voice: CharacterVoice, link: Link, player: str) -> None:
        from game.dialogue.character import system_prompt

        t0 = time.monotonic()
        character = voice.character
        if character is None:
            return
        messages = [
            {"role": "system", "content": system_prompt(character, player=player or "the player")},
            {"role": "user", "content": "Hello."},
        ]
        request = DialogueRequest(
            messages,
            max_tokens=1,
            temperature=0.0,
            seed=0,
            timeouts=self.timeouts.cold(),
            character=character,
            hints={"kind": "warm_up"},
        )
        handle = ReplyHandle()
        try:
            voice._run_link(link, request, handle, None, time.monotonic() + request.timeouts.total, guard=False)
        except DialogueError as exc:
            log.info(
                "%s: warming up %s did not finish (%s: %s); the first reply gets the cold-start budget",
                voice._who(),
                link.name,
                exc.kind,
                exc.message,
            )
            return
        self._mark_warm(link.backend)
        log.info("%s: %s is warm (%.1f s)", voice._who(), link.name, time.monotonic() - t0)

    def reset_cooldowns(self) -> None:
        """Try every backend again at once (e.g. after the player changed settings)."""
        with self._lock:
            self._cooldown.clear()

    def next_seed(self) -> int:
        return next(self._seq)

    # ------------------------------------------------------------------ worker pool
    def _submit(self, fn: Callable[..., object], *args: Any) -> None:
        self._pool.submit(fn, *args)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
