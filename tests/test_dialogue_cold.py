"""A model that gets to speak: the cold-start budget, the warm-up, skipping a slow reply, structured
output for scoring, and the in-voice check; through the real openai SDK against tests/fake_openai_server.py
(a real HTTP server on 127.0.0.1)."""

import json
import logging
import threading
import time

import openai  # noqa: F401  - imported up front: these tests time the protocol, not the SDK's import
import pytest

from game.dialogue import values as valuelib
from game.dialogue.backends.openai_backend import OpenAIBackend
from game.dialogue.base import DialogueRequest, Timeouts
from game.dialogue.service import DialogueService
from game.paths import config_dir
from tests.fake_openai_server import FakeOpenAI
from tests.test_dialogue_scripted import demo_talk, talk
from tests.test_ui import make_app  # noqa: F401  - the desktop app fixture


@pytest.fixture
def server():
    srv = FakeOpenAI().start()
    yield srv
    srv.stop()


def service(base_url, timeouts: str, extra: str = "") -> DialogueService:
    (config_dir() / "settings.yaml").write_text(f"dialogue:\n  timeouts: {timeouts}\n{extra}", encoding="utf-8")
    return DialogueService.from_settings(backend="openai", base_url=base_url, model="fake-model")


def posts(server):
    return [r["body"] for r in server.requests if r["method"] == "POST"]


def test_a_cold_server_speaks_from_the_first_turn(server):
    """The first request waits (model loading) beyond the steady first-token timeout but within the
    cold-start budget: the model, not the authored line, answers the first turn."""
    server.cold_delay, server.serial = 1.5, True
    rt, prompt = demo_talk()
    convo = talk(
        rt, prompt, service=service(server.base_url, "{connect: 1, first_token: 0.5, total: 3, cold_start: 6}")
    )
    convo.opening()
    reply = convo.send("Yes, ask me first.").wait(15)
    assert (reply.backend, reply.generated) == ("openai", True), reply
    assert reply.text.startswith("Hello from the fake server.")
    assert reply.stats["fallbacks"] == []
    # Later turns are steady: the server has answered once, so the short budget applies again.
    second = convo.send("I'd tell you the truth.").wait(10)
    assert second.backend == "openai" and not second.stats.get("cold")


def test_without_a_cold_start_budget_the_same_server_gets_no_chance(server):
    """The control for the test above: the steady first-token timeout alone falls back."""
    server.cold_delay, server.serial = 1.5, True
    rt, prompt = demo_talk()
    convo = talk(
        rt, prompt, service=service(server.base_url, "{connect: 1, first_token: 0.5, total: 3, cold_start: 0}")
    )
    convo.opening()
    reply = convo.send("Yes, ask me first.").wait(15)
    assert reply.backend == "scripted"
    assert reply.stats["fallbacks"][0]["kind"] == "timeout"


def test_a_cold_start_timeout_retries_next_turn_instead_of_resting(server, caplog):
    caplog.set_level(logging.INFO, logger="game.dialogue")
    server.cold_delay = 3.0  # longer than the cold budget: turn 1 falls back
    rt, prompt = demo_talk()
    svc = service(server.base_url, "{connect: 1, first_token: 0.3, total: 2, cold_start: 1}", "  warm_up: false\n")
    convo = talk(rt, prompt, service=svc)
    convo.opening()
    first = convo.send("Yes, ask me first.").wait(15)
    assert first.backend == "scripted" and first.stats["fallbacks"][0]["kind"] == "timeout"
    assert "tried again next turn" in caplog.text
    # The server has come up meanwhile; a rested backend would be skipped for 30 s, this one is asked.
    second = convo.send("I'd tell you the truth.").wait(10)
    assert (second.backend, second.generated) == ("openai", True)
    assert len(posts(server)) == 2


def test_a_level_start_warms_the_backend_with_a_tiny_request(server):
    rt, prompt = demo_talk()
    svc = service(server.base_url, "{connect: 1, first_token: 0.5, total: 3, cold_start: 5}")
    pending = svc.warm_up([rt.character("aria")], "Sam")
    assert len(pending) == 1
    assert pending[0].wait(10)
    warm = posts(server)
    assert len(warm) == 1 and warm[0]["max_tokens"] == 1
    assert "You are ARIA" in warm[0]["messages"][0]["content"]  # the persona is read into the cache
    assert svc.warm_up([rt.character("aria")], "Sam") == []  # warm now: nothing more to send
    convo = talk(rt, prompt, service=svc)
    convo.opening()
    reply = convo.send("Yes, ask first.").wait(10)
    assert reply.backend == "openai" and not reply.stats.get("cold")


def test_a_scripted_character_is_not_warmed(server):
    rt, _ = demo_talk()
    svc = DialogueService.from_settings(backend="scripted")
    assert svc.warm_up([rt.character("aria")]) == []


def test_the_player_can_skip_to_the_authored_line_while_the_ai_thinks(server):
    server.cold_delay = 20.0
    rt, prompt = demo_talk()
    convo = talk(
        rt,
        prompt,
        service=service(
            server.base_url, "{connect: 1, first_token: 0.5, total: 3, cold_start: 30}", "  warm_up: false\n"
        ),
    )
    convo.opening()
    handle = convo.send("Yes, ask me first.")
    deadline = time.monotonic() + 5
    while not handle.thinking and time.monotonic() < deadline:
        time.sleep(0.01)
    assert handle.thinking and handle.text == ""
    handle.skip()
    reply = handle.wait(5)
    assert reply.backend == "scripted" and prompt.questions[1] in reply.text  # the talk moves on
    assert reply.stats["fallbacks"] == [
        {"backend": "openai", "kind": "skipped", "why": "the player chose the authored line"}
    ]
    assert not handle.thinking
    assert convo.answered == 1
    # Skipping is not a failure: the backend is asked again on the next turn (no rest).
    server.cold_delay = 0.0
    assert convo.send("I'd tell you the truth.").wait(10).backend == "openai"


# ------------------------------------------------------------------ structured output for scoring


def scored_turn(server, options: dict):
    rt, prompt = demo_talk()
    extra = "  options: {openai: " + json.dumps(options) + "}\n"
    convo = talk(
        rt, prompt, service=service(server.base_url, "{connect: 1, first_token: 1, total: 4, cold_start: 0}", extra)
    )
    convo.opening()
    convo.send("Hmm, I suppose.").wait(10)
    return convo.outcome()["turns"][0]


def test_scoring_asks_for_a_json_schema(server):
    server.json_reply = '{"caution": -0.9, "candour": null}'
    turn = scored_turn(server, {"json": True})
    assert turn["scored_by"] == "openai (json)" and turn["scores"] == {"caution": -0.9}
    scoring = [b for b in posts(server) if "response_format" in b]
    assert len(scoring) == 1
    fmt = scoring[0]["response_format"]
    assert fmt["type"] == "json_schema"
    schema = fmt["json_schema"]["schema"]
    assert set(schema["properties"]) == {"caution", "candour"} and schema["additionalProperties"] is False


def test_a_server_without_json_schema_gets_json_mode_after_its_400(server, caplog):
    caplog.set_level(logging.INFO, logger="game.dialogue")
    server.response_formats = {"json_object"}
    server.json_reply = '{"caution": 0.7, "candour": 0}'
    turn = scored_turn(server, {"json": True})
    assert turn["scored_by"] == "openai (json)" and turn["scores"] == {"caution": 0.7}
    formats = [b["response_format"]["type"] for b in posts(server) if "response_format" in b]
    assert formats == ["json_schema", "json_object"]
    assert "refused response_format json_schema" in caplog.text


def test_a_server_without_any_response_format_is_asked_for_json_in_the_text(server):
    server.response_formats = set()
    server.reply = 'Sure: {"caution": 0.5}'
    backend = OpenAIBackend(model="fake-model", base_url=server.base_url)
    req = DialogueRequest(
        valuelib.scoring_messages("Ask first?", "yes", ["caution"], "ARIA"),
        max_tokens=40,
        json_schema=valuelib.scores_schema(["caution"]),
        timeouts=Timeouts(1, 2, 5),
    )
    text = "".join(backend.stream(req, threading.Event()))
    assert valuelib.parse_json_scores(text, ["caution"]) == {"caution": 0.5}
    assert [b.get("response_format", {}).get("type") for b in posts(server)] == ["json_schema", "json_object", None]
    # Remembered: the next request goes straight to JSON in the text.
    "".join(backend.stream(req, threading.Event()))
    assert len(posts(server)) == 4 and "response_format" not in posts(server)[-1]


def test_a_fixed_structured_setting_does_not_step_down(server):
    server.response_formats = {"json_object"}
    backend = OpenAIBackend(model="fake-model", base_url=server.base_url, structured="json_schema")
    req = DialogueRequest(
        [{"role": "user", "content": "hi"}], json_schema={"type": "object"}, timeouts=Timeouts(1, 2, 5)
    )
    with pytest.raises(Exception) as err:
        list(backend.stream(req, threading.Event()))
    assert getattr(err.value, "kind", None) == "bad_request"
    with pytest.raises(ValueError, match="structured: expected one of"):
        OpenAIBackend(base_url=server.base_url, structured="yaml")


# ------------------------------------------------------------------ in character


def test_authored_lines_are_examples_in_the_prompt(server):
    rt, prompt = demo_talk()
    convo = talk(rt, prompt, service=service(server.base_url, "{connect: 1, first_token: 1, total: 4, cold_start: 0}"))
    convo.opening()
    convo.send("hello").wait(10)
    system = posts(server)[0]["messages"][0]["content"]
    aria = rt.character("aria")
    authored = [" ".join(t.render(rt.scope()).split()) for i in aria.intents for t in i.replies[:1]]
    shown = [line for line in authored if line in system]
    assert 1 <= len(shown) <= 3, system
    assert "to show your voice" in system


def test_a_reply_that_drifts_out_of_character_falls_back_unseen(server):
    server.reply = "I'm a detective in the game. I've been doing this job for 20 years. What do you want?"
    rt, prompt = demo_talk()
    convo = talk(rt, prompt, service=service(server.base_url, "{connect: 1, first_token: 1, total: 4, cold_start: 0}"))
    convo.opening()
    handle = convo.send("Who are you?")
    reply = handle.wait(10)
    shown = "".join(t for k, t in handle.poll() if k == "delta")
    assert reply.backend == "scripted"
    assert "detective" not in shown and "detective" not in reply.text  # never reached the player
    fb = reply.stats["fallbacks"][0]
    assert fb["kind"] == "out_of_voice" and "detective" in fb["why"]


def test_the_in_voice_check_can_be_turned_off(server):
    server.reply = "I'm a detective. Would you like to go on?"
    rt, prompt = demo_talk()
    convo = talk(
        rt,
        prompt,
        service=service(
            server.base_url, "{connect: 1, first_token: 1, total: 4, cold_start: 0}", "  voice: {check: false}\n"
        ),
    )
    convo.opening()
    assert convo.send("Who are you?").wait(10).text.startswith("I'm a detective")


def test_the_terminal_shows_dots_while_the_ai_thinks_and_enter_skips(server):
    """game/terminal.py's reply loop on a real pseudo-terminal: dots and the hint while the model is
    silent, then Enter gives the authored line."""
    import os

    from game.terminal import SKIP_HINT, _stream_reply

    server.cold_delay = 20.0
    rt, prompt = demo_talk()
    convo = talk(
        rt,
        prompt,
        service=service(
            server.base_url, "{connect: 1, first_token: 0.5, total: 3, cold_start: 30}", "  warm_up: false\n"
        ),
    )
    convo.opening()
    out_master, out_slave = os.openpty()
    in_master, in_slave = os.openpty()
    with os.fdopen(out_slave, "w") as out, os.fdopen(in_slave, "r") as inp:
        handle = convo.send("Yes, ask me first.")
        done = threading.Event()
        t = threading.Thread(target=lambda: (_stream_reply(handle, out, inp), done.set()), daemon=True)
        t.start()
        seen = b""
        deadline = time.monotonic() + 10
        while SKIP_HINT.encode() not in seen and time.monotonic() < deadline:
            seen += os.read(out_master, 1024)
        assert b"..." in seen and SKIP_HINT.encode() in seen
        os.write(in_master, b"\n")
        assert done.wait(5)
        reply = handle.wait(1)
    assert reply.backend == "scripted" and reply.stats["fallbacks"][0]["kind"] == "skipped"
    os.close(out_master)
    os.close(in_master)


def test_the_desktop_talk_screen_shows_the_ai_thinking_and_tab_skips(server, make_app, artifacts_dir):  # noqa: F811
    """The real talk screen (headless pygame) on the real service and the fake server: while the
    model is silent the screen says it is thinking and offers Tab; Tab gives the authored line."""
    import pygame

    from tests.test_ui import _to_talk, key, shot, start, text

    server.cold_delay = 20.0
    (config_dir() / "settings.yaml").write_text(
        "dialogue:\n  timeouts: {connect: 1, first_token: 0.5, total: 3, cold_start: 30}\n  warm_up: false\n",
        encoding="utf-8",
    )
    app = start(make_app, options={"backend": "openai", "base_url": server.base_url, "model": "fake-model"})
    _to_talk(app)
    text("I think you should ask first")
    key(pygame.K_RETURN)
    for _ in range(300):
        app.run_frames(1)
        if app.top.describe().get("thinking"):
            break
    app.run_frames(2)  # drawn with the flag set
    assert app.top.describe()["thinking"] and app.top.describe()["streaming"]
    shot(app, artifacts_dir, "talk_thinking")
    key(pygame.K_TAB)
    for _ in range(300):
        app.run_frames(1)
        if not app.top.describe()["streaming"]:
            break
    d = app.top.describe()
    assert not d["streaming"] and d["turns"][-1]["backend"] == "scripted" and d["turns"][-1]["text"]
    assert "reply_skipped" in [e["event"] for e in app.log.recent]


def test_cold_start_settings_are_read_and_checked():
    from game.dialogue.settings import Settings

    path = config_dir() / "settings.yaml"
    path.write_text(
        "dialogue:\n  timeouts: {first_token: 5, cold_start: 0}\n  warm_up: false\n  voice: {max_words: 40}\n",
        encoding="utf-8",
    )
    s = Settings.load(path=path)
    assert s.problems == [] and s.timeouts().cold_start == 0 and s.timeouts().cold() == s.timeouts()
    path.write_text(
        "dialogue:\n  timeouts: {cold_start: -3}\n  warm_up: sometimes\n  voice: [loud]\n", encoding="utf-8"
    )
    s = Settings.load(path=path)
    said = " | ".join(s.problems)
    assert "dialogue.timeouts.cold_start" in said and "dialogue.warm_up' should be true or false" in said
    assert "dialogue.voice' should be a mapping" in said
    assert s.timeouts().cold_start == 60.0  # the default stands in for the bad value
    t = Settings.load(path=config_dir() / "none.yaml").timeouts()
    assert (t.first_token, t.cold_start, t.cold().first_token, t.cold().total) == (8.0, 60.0, 60.0, 72.0)


def test_a_level_start_on_the_desktop_warms_its_model_voiced_characters(server):
    """game/ui/talk.warm_level, as the play screen calls it on a level card: the service (built off the
    frame loop at start-up) sends the warm-up; a level voiced by authored lines sends nothing."""
    from game.ui import talk as uitalk

    (config_dir() / "settings.yaml").write_text(
        "dialogue:\n  timeouts: {connect: 1, first_token: 0.5, total: 3, cold_start: 5}\n", encoding="utf-8"
    )
    rt, _ = demo_talk()
    scripted = {"backend": "scripted"}
    uitalk._service(scripted)
    uitalk.warm_level(rt, scripted)
    options = {"backend": "openai", "base_url": server.base_url, "model": "fake-model"}
    uitalk.warm_level(rt, options)  # the service is not built yet: nothing happens, nothing waits
    service, _ = uitalk._service(options)
    assert posts(server) == []
    uitalk.warm_level(rt, options)
    deadline = time.monotonic() + 10
    while not posts(server) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [b["max_tokens"] for b in posts(server)] == [1]
    link = service.for_character(rt.character("aria")).primary
    deadline = time.monotonic() + 10
    while service.is_cold(link) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not service.is_cold(link)


def test_backends_says_what_budget_a_character_gets(server, capsys):
    from game.cli import main

    (config_dir() / "settings.yaml").write_text(
        "dialogue:\n  timeouts: {first_token: 8, cold_start: 45}\n", encoding="utf-8"
    )
    demo = str(__import__("pathlib").Path(__file__).resolve().parent.parent / "levels" / "examples" / "demo.yaml")
    assert main(["backends", demo, "--backend", "openai", "--base-url", server.base_url, "--no-health"]) == 0
    out = capsys.readouterr().out
    assert "budget: first words within 8 s; its first reply of a session up to 45 s (cold start, warmed up" in out
    assert main(["backends", demo, "--backend", "scripted", "--no-health"]) == 0
    assert "budget:" not in capsys.readouterr().out


def test_a_generated_line_on_a_cold_server_waits_for_it_or_is_skipped(server):
    """`generate: true` lines use the same budgets: a cold server's first line is waited for (the
    terminal's wait covers the cold-start budget), and a player who will not wait gets the writer's line."""
    from game.dialogue.lines import generate_line
    from game.terminal import _generated_line

    server.cold_delay, server.serial = 1.5, True
    svc = service(server.base_url, "{connect: 1, first_token: 0.5, total: 3, cold_start: 6}", "  warm_up: false\n")
    rt, _ = demo_talk()

    class LinePrompt:
        speaker, text = "aria", "The lab hums. I hum with it."

    text, backend, _model, stats = _generated_line(svc, rt, LinePrompt)
    assert backend == "openai" and text.startswith("Hello from the fake server.")
    assert not stats["fallbacks"], "waited for, so the terminal has no fallback to tell of"
    server.cold_delay, server.cold_requests = 20.0, 1
    svc2 = service(server.base_url, "{connect: 1, first_token: 0.5, total: 3, cold_start: 30}", "  warm_up: false\n")
    handle = generate_line(svc2, rt.character("aria"), LinePrompt.text, player="Sam")
    deadline = time.monotonic() + 5
    while not handle.thinking and time.monotonic() < deadline:
        time.sleep(0.01)
    handle.skip()
    reply = handle.wait(5)
    assert (reply.text, reply.backend) == (LinePrompt.text, "scripted")
