"""Cassettes: record a conversation with a live backend, replay it with no server, identically."""

import json

from game.dialogue.service import DialogueService
from game.paths import config_dir
from tests.fake_openai_server import FakeOpenAI
from tests.test_dialogue_scripted import demo_talk, talk

SECRET = "sk-test-CASSETTE-SECRET-987654321"


def conversation(service, lines):
    rt, prompt = demo_talk()
    convo = talk(rt, prompt, service=service, turns=len(lines))
    convo.opening()
    replies = []
    for line in lines:
        handle = convo.send(line)
        reply = handle.wait(10)
        replies.append((reply, [t for k, t in handle.poll() if k == "delta"]))
    return convo, replies


def test_record_then_replay_round_trip(tmp_path, monkeypatch):
    cassette = tmp_path / "aria.json"
    lines = ["hello", "yes, ask first", "I'd tell you the truth"]
    (config_dir() / "settings.yaml").write_text("dialogue:\n  timeouts: {first_token: 2, total: 5}\n")
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    server = FakeOpenAI().start()
    try:
        server.reply = "Recorded words, in pieces. Shall we?"
        live = DialogueService.from_settings(
            backend="openai", base_url=server.base_url, model="fake-model", record=str(cassette)
        )
        live_convo, live_replies = conversation(live, lines)
    finally:
        server.stop()
    data = json.loads(cassette.read_text())
    assert data["version"] == 1 and len(data["exchanges"]) == 3
    assert SECRET not in cassette.read_text()
    assert all(r.backend == "openai" for r, _ in live_replies)

    monkeypatch.delenv("OPENAI_API_KEY")
    (config_dir() / "settings.yaml").write_text(
        f"dialogue:\n  backend: replay\n  options: {{replay: {{cassette: '{cassette}'}}}}\n"
    )
    replay = DialogueService.from_settings()
    replay_convo, replay_replies = conversation(replay, lines)
    for (live_r, live_pieces), (rep_r, rep_pieces) in zip(live_replies, replay_replies):
        assert rep_r.text == live_r.text and rep_pieces == live_pieces
        assert (rep_r.backend, rep_r.generated) == ("replay", True)
    assert replay_convo.outcome()["values"] == live_convo.outcome()["values"]

    # A conversation the cassette never saw falls back to the authored lines, with the reason logged.
    _, other = conversation(replay, ["something never recorded"])
    assert other[0][0].backend == "scripted"


def test_a_bad_cassette_is_reported(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    from game.dialogue.backends.replay import ReplayBackend

    health = ReplayBackend(cassette=str(bad)).health()
    assert not health.ok and "cannot read cassette" in health.detail
    assert not ReplayBackend(cassette=str(tmp_path / "none.json")).health().ok
