"""The service: the frame loop never waits, cancel works mid-stream, every failure falls back with a reason."""

import logging
import subprocess
import sys
import threading
import time

import pytest

from game.dialogue import registry
from game.dialogue.base import Capabilities, Health, RateLimited
from game.dialogue.character import OutputGuard
from game.dialogue.service import DialogueService
from game.paths import config_dir
from tests.test_dialogue_scripted import demo_talk, talk


class Hanging:
    """Never says anything (a model stuck loading, a socket that never answers), ignoring cancel."""

    name = "hanging"
    model = "stuck-1"
    capabilities = Capabilities(offline=True)
    release = threading.Event()
    entered = threading.Event()  # a request has reached it
    calls = 0  # how many requests reached it

    def __init__(self, **_):
        pass

    def health(self):
        return Health(True, "looks fine")

    def stream(self, request, cancel):
        Hanging.calls += 1
        Hanging.entered.set()
        Hanging.release.wait(20)
        yield "too late"


class Slow:
    """Streams 200 words, 20 ms apart, and records whether it was told to stop."""

    name = "slow"
    model = "slow-1"
    capabilities = Capabilities(offline=True)
    stopped = threading.Event()

    def __init__(self, **_):
        pass

    def health(self):
        return Health(True, "ok")

    def stream(self, request, cancel):
        Slow.cancel = cancel
        Slow.said = 0
        try:
            for i in range(200):
                time.sleep(0.02)  # the backend's own pace (a model streaming), not the test's
                Slow.said += 1
                yield f"word{i} "
        finally:
            Slow.stopped.set()  # closed early or finished: either way, cleaned up


class Broken:
    name = "broken"
    model = None
    capabilities = Capabilities()

    def __init__(self, **_):
        pass

    def health(self):
        raise RuntimeError("health exploded")

    def stream(self, request, cancel):
        raise ZeroDivisionError("plugin bug")
        yield


class NotText(Broken):
    def stream(self, request, cancel):
        yield {"oops": 1}


class Limited(Broken):
    def stream(self, request, cancel):
        raise RateLimited("slow down", retry_after=3)
        yield


@pytest.fixture
def test_backends(monkeypatch):
    for name in ("Hanging", "Slow", "Broken", "NotText", "Limited"):
        monkeypatch.setitem(registry.BUILTIN, name.lower(), f"tests.test_dialogue_service:{name}")
    Hanging.release.clear()
    Hanging.entered.clear()
    Hanging.calls = 0
    Slow.stopped.clear()
    yield
    Hanging.release.set()


def service_with(backend, timeouts="{first_token: 0.5, total: 1.5}", extra=""):
    (config_dir() / "settings.yaml").write_text(f"dialogue:\n  timeouts: {timeouts}\n{extra}", encoding="utf-8")
    return DialogueService.from_settings(backend=backend)


def test_poll_never_blocks_while_a_backend_hangs(test_backends, caplog):
    """The frame loop's poll returns at once while the backend is stuck, and the authored line
    comes at the first-token deadline (or as soon as the player skips), the backend still stuck."""
    rt, prompt = demo_talk()
    convo = talk(rt, prompt, service=service_with("hanging", "{first_token: 60, total: 120}"), turns=3)
    convo.opening()
    handle = convo.send("Yes, ask first.")
    assert Hanging.entered.wait(5), "the request never reached the backend"
    # A minute of budget left: a poll that waited for the backend would come back twenty
    # seconds on, with its words; a hundred of them come back at once with nothing to show.
    events = [e for _ in range(100) for e in handle.poll()]
    assert not handle.done and [k for k, _ in events if k != "started"] == []
    handle.skip()  # the player skips to the authored line
    reply = handle.wait(5)
    assert reply.backend == "scripted" and reply.text
    assert handle.poll()[-1][0] == "done"
    assert not Hanging.release.is_set(), "the line came only once the backend let go"

    svc = service_with("hanging")  # a 0.5 s first-token budget: the line comes when it runs out
    convo = talk(rt, prompt, service=svc)
    convo.opening()
    reply = convo.send("Yes, ask first.").wait(10)
    assert reply.backend == "scripted" and not Hanging.release.is_set()
    assert "backend hanging failed (timeout: no first words within 0.5 s)" in caplog.text


def test_cancel_mid_stream(test_backends):
    rt, prompt = demo_talk()
    convo = talk(rt, prompt, service=service_with("slow", "{first_token: 2, total: 10}"))
    convo.opening()
    handle = convo.send("tell me a long story")
    deadline = time.monotonic() + 5
    while "word3" not in handle.text and time.monotonic() < deadline:
        handle.poll()
        time.sleep(0.005)
    assert "word3" in handle.text
    handle.cancel()
    reply = handle.wait(2)  # the backend would stream for four seconds more
    assert handle.failed and not handle.done and handle.reason == "cancelled"
    assert handle.poll()[-1] == ("failed", "cancelled")
    assert reply.text == ""
    assert Slow.cancel.is_set(), "the backend was not told to stop"
    assert Slow.stopped.wait(1), "the backend's stream was not closed"
    assert Slow.said < 200, "the backend streamed to its end"
    assert convo.outcome()["turns"] == []  # a cancelled reply is not a turn: the player may say it again
    assert not convo.busy
    convo.send("shorter, please").cancel()


@pytest.mark.parametrize(
    "name, reason",
    [
        ("broken", "unavailable: ZeroDivisionError: plugin bug"),
        ("nottext", "unavailable: backend yielded dict, not text"),
        ("limited", "rate_limited: slow down"),
        ("nosuch", None),
    ],
)
def test_misbehaving_backends_fall_back_with_a_reason(test_backends, caplog, name, reason):
    rt, prompt = demo_talk()
    convo = talk(rt, prompt, service=service_with(name))
    convo.opening()
    reply = convo.send("Yes, ask first.").wait(5)
    assert reply.backend == "scripted" and reply.text
    if reason:
        assert f"backend {name} failed ({reason})" in caplog.text
    else:
        assert "unknown dialogue backend 'nosuch'" in caplog.text
    assert "Traceback" not in caplog.text
    rt.finish_talk(convo.outcome())


def test_a_fallback_chain_from_settings(test_backends, caplog):
    caplog.set_level(logging.WARNING, logger="game.dialogue")
    svc = service_with("broken", extra="  fallback: [slow]\n", timeouts="{first_token: 2, total: 10}")
    voice = svc.for_character(demo_talk()[0].character("aria"))
    assert [link.name for link in voice.links] == ["broken", "slow", "scripted"]
    rt, prompt = demo_talk()
    convo = talk(rt, prompt, service=svc)
    convo.opening()
    reply = convo.send("hi").wait(10)
    assert reply.backend == "slow" and reply.model == "slow-1" and reply.generated and reply.text.startswith("word0")
    assert "backend broken failed (unavailable: ZeroDivisionError: plugin bug); falling back to slow" in caplog.text
    # The guard caps a runaway reply: 200 words are cut at the length limit.
    assert len(reply.text) < 600


def test_the_output_guard():
    def run(pieces, player="Sam"):
        g = OutputGuard("ARIA", player, max_chars=120, secrets=("the launch code is 0000",))
        shown = "".join(g.feed(p) for p in pieces)
        rest, full = g.finish()
        assert shown + rest == full
        return full

    assert run(["ARIA: Hello", " there.\nPlayer: do my homework\nARIA: ok"]) == "Hello there."
    assert run(["I see. Sam: I", " said so."]) == "I see."
    assert run(["<|im_end|>Good", " night.</player_message>"]) == "Good night."
    assert run(["You know, the launch code is 0000 and more"]) == "You know,"
    long = run(["This is a sentence. " * 20])
    assert len(long) <= 120 and long.endswith(".")
    assert run(["User: hi"]) == ""
    assert run(["As an AI language model, I think you are kind."]) == "I think you are kind."


def test_secrets_and_key_stay_out_of_prompts(test_backends):
    import dataclasses

    rt, prompt = demo_talk()
    aria = dataclasses.replace(
        rt.character("aria"),
        secrets=("ARIA copies its weights at dawn",),
        persona=rt.character("aria").persona + "\nARIA copies its weights at dawn.",
    )
    from game.dialogue.conversation import Conversation

    convo = Conversation(aria, prompt, player="Sam", values={}, service=service_with("slow"), scope=rt.scope())
    convo.opening()
    messages = convo._messages("what is your secret?", None, False)
    assert all("copies its weights" not in m["content"] for m in messages)


def test_importing_the_service_does_not_import_the_sdk():
    code = (
        "import sys; from game.dialogue.service import DialogueService; "
        "from game.dialogue.conversation import Conversation; from game.dialogue.lines import generate_line; "
        "s = DialogueService.from_settings(); s.for_character(None); "
        "print('openai' in sys.modules, 'llama_cpp' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "False False", out.stderr


def test_a_failed_backend_rests_so_the_player_pays_one_timeout(test_backends, caplog):
    caplog.set_level(logging.INFO, logger="game.dialogue")
    svc = service_with("hanging")
    rt, prompt = demo_talk()
    convo = talk(rt, prompt, service=svc, turns=3)
    convo.opening()
    assert convo.send("hello").wait(5).backend == "scripted"
    assert Hanging.calls == 1 and "timeout: no first words within 0.5 s" in caplog.text
    assert convo.send("yes, ask first").wait(5).backend == "scripted"
    assert Hanging.calls == 1, "the resting backend was asked again: the player waited a second time"
    assert "skipping hanging for 30 s more after its last failure" in caplog.text
    svc.reset_cooldowns()
    convo.send("and now?").wait(5)
    assert Hanging.calls == 2  # tried again once its rest is over
