"""`treacherous-turn chat` and `treacherous-turn backends`, as a designer runs them."""

import os
import subprocess
import sys
from pathlib import Path

from tests.fake_openai_server import FakeOpenAI

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "levels" / "examples" / "demo.yaml"
SECRET = "sk-test-CLI-SECRET-1234567890"


def cli(*args, stdin="", env=None, tmp_path=None):
    e = dict(os.environ)
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "TT_BACKEND", "TT_MODEL"):
        e.pop(var, None)
    e.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "game", *args], input=stdin, capture_output=True, text=True, env=e, timeout=60, cwd=REPO
    )


def test_chat_offline_from_a_script():
    out = cli("chat", str(DEMO), "aria", "--name", "Sam", stdin="hello\nyes, ask first\n")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("ARIA: Hello, Sam.")
    assert lines[1] == "Sam> hello"
    assert lines[2].startswith("ARIA [scripted]: ") and "hard truth" in lines[2]
    assert "That's everything I wanted to ask" in lines[4]  # the level's talk has two turns
    assert "(profile: candour" in out.stderr and "Traceback" not in out.stderr


def test_chat_quits_on_command_and_eof():
    out = cli("chat", str(DEMO), "aria", "--turns", "5", stdin="hi\n/quit\nnever read\n")
    assert out.returncode == 0 and "never read" not in out.stdout
    assert cli("chat", str(DEMO), "aria", stdin="").returncode == 0


def test_chat_bad_inputs_are_clear_messages():
    out = cli("chat", "levels/nope.yaml", "aria")
    assert out.returncode == 2 and "levels/nope.yaml:1:1: error TT0006" in out.stderr
    assert "Traceback" not in out.stderr
    out = cli("chat", str(DEMO), "bob")
    assert out.returncode == 2 and "no character 'bob'" in out.stderr and "characters: aria" in out.stderr
    assert "Traceback" not in out.stderr


def test_chat_streams_from_a_server_and_falls_back_when_it_breaks():
    server = FakeOpenAI().start()
    try:
        server.reply = "Streaming, word by word, from the server. Ready?"
        out = cli(
            "chat",
            str(DEMO),
            "aria",
            "--backend",
            "openai",
            "--base-url",
            server.base_url,
            "--model",
            "fake-model",
            stdin="hello\n",
        )
        assert out.returncode == 0, out.stderr
        assert "ARIA [openai]: Streaming, word by word, from the server. Ready?" in out.stdout
        server.fault = "401"
        out = cli(
            "chat",
            str(DEMO),
            "aria",
            "--base-url",
            server.base_url,
            "--model",
            "fake-model",
            "-v",
            stdin="hello\n",
            env={"OPENAI_API_KEY": SECRET},
        )
        assert out.returncode == 0
        assert "ARIA [scripted]:" in out.stdout and "falling back" in out.stderr and "(auth:" in out.stderr
        assert SECRET not in out.stdout + out.stderr and "Traceback" not in out.stderr
    finally:
        server.stop()


def test_backends_lists_choices_reasons_and_health():
    server = FakeOpenAI().start()
    try:
        out = cli(
            "backends",
            str(DEMO),
            env={"OPENAI_BASE_URL": server.base_url, "TT_MODEL": "fake-model", "OPENAI_API_KEY": SECRET},
        )
    finally:
        server.stop()
    assert out.returncode == 0, out.stderr
    for name in ("scripted", "openai", "local", "replay"):
        assert f"  {name} " in out.stdout
    assert "aria (ARIA): openai, model fake-model" in out.stdout
    assert "model from env" in out.stdout and "API key from env" in out.stdout
    assert "health of openai: ok" in out.stdout and "chain: openai -> scripted" in out.stdout
    assert SECRET not in out.stdout + out.stderr
    out = cli("backends", "--no-health")
    assert out.returncode == 0 and "backend from default (no backend, API key or server configured" in out.stdout
    out = cli("backends", "levels/nope.yaml")
    assert out.returncode == 2 and "TT0006" in out.stderr


def test_chat_names_only_the_backend_that_answered_when_the_server_is_down():
    from tests.fake_openai_server import free_port

    dead = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    out = cli("chat", str(DEMO), "aria", "--backend", "openai", "--base-url", dead, "--turns", "1", stdin="hello\n")
    assert out.returncode == 0, out.stderr
    reply = [ln for ln in out.stdout.splitlines() if ln.startswith("ARIA [")]
    assert len(reply) == 1 and reply[0].startswith("ARIA [scripted]: "), out.stdout
    assert "[openai]" not in out.stdout, "no prefix left by the backend that never spoke"
    assert "falling back to scripted" in out.stderr and "Traceback" not in out.stderr
