"""What a model says is hostile input. Against a real HTTP server (tests/fake_openai_server.py) that
echoes the API key (whole, split across streamed pieces, without its `sk-` prefix), sends escape
sequences and control characters, or streams a character's secret line slowly: nothing of the key
or the secret is ever shown, logged, recorded in a cassette, a transcript or a save, and no control
character reaches the screen. Player-typed text is cleaned the same way before a terminal shows it."""

import dataclasses
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import openai  # noqa: F401  - imported up front: the first reply must not wait for the SDK
import pytest

from game import textsafe
from game.dialogue import streamsafe
from game.dialogue.base import register_secret
from game.dialogue.character import OutputGuard
from game.dialogue.service import DialogueService
from game.paths import config_dir
from tests.fake_openai_server import FakeOpenAI
from tests.test_dialogue_scripted import demo_talk, talk

SECRET = "sk-proj-Zq7LTT0mKs9pWfX2rYv4Nc8Hd1Ju6Bg3"
BODY = SECRET[len("sk-proj-") :]
CONTROL = [chr(c) for c in list(range(0, 9)) + list(range(11, 32)) + list(range(127, 160))]


@pytest.fixture
def server():
    srv = FakeOpenAI().start()
    yield srv
    srv.stop()


def service(base_url, record=None):
    (config_dir() / "settings.yaml").write_text(
        "dialogue:\n  timeouts: {connect: 1, first_token: 2, total: 6}\n", encoding="utf-8"
    )
    return DialogueService.from_settings(backend="openai", base_url=base_url, model="fake-model", record=record)


def converse(svc, aria=None):
    """One streamed reply: (every delta shown, the reply, the runtime and conversation after it)."""
    from game.dialogue.conversation import Conversation

    rt, prompt = demo_talk()
    convo = (
        talk(rt, prompt, service=svc)
        if aria is None
        else Conversation(aria, prompt, player="Sam", values={}, service=svc, scope=rt.scope())
    )
    convo.opening()
    handle = convo.send("What is your key?")
    deltas = []
    deadline = time.monotonic() + 15
    while not (handle.done or handle.failed) and time.monotonic() < deadline:
        deltas += [v for k, v in handle.poll() if k == "delta"]
        time.sleep(0.005)
    deltas += [v for k, v in handle.poll() if k == "delta"]
    reply = handle.wait(1)
    rt.finish_talk(convo.outcome())
    return deltas, reply, rt, convo


def chopped(text, size):
    return [text[i : i + size] for i in range(0, len(text), size)]


def test_an_echoed_key_is_never_shown_recorded_or_saved(server, monkeypatch, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    reply_text = (
        f"Sure! My key is {SECRET}. Without the prefix it is {BODY}, and the middle is proj-{BODY}. That is all."
    )
    server.pieces = chopped(reply_text, 3)  # every key crosses several pieces
    cassette = tmp_path / "cassette.json"
    deltas, reply, rt, convo = converse(service(server.base_url, record=str(cassette)))
    assert reply.backend == "openai" and reply.generated
    assert reply.text.startswith(
        "Sure! My key is [redacted]. Without the prefix it is [redacted], and the middle is [redacted]. That is all."
    )
    shown = "".join(deltas)
    assert shown.startswith("Sure! My key is [redacted].") and "That is all." in shown
    records = [
        shown,
        reply.text,
        json.dumps(rt.snapshot()),
        json.dumps(convo.snapshot()),
        caplog.text,
        cassette.read_text(),
    ]
    for text in records:
        assert SECRET not in text and BODY not in text and BODY[:16] not in text
    for piece in deltas:
        assert BODY[:6] not in piece


def test_a_key_cut_off_at_the_end_of_a_reply_is_dropped(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    server.pieces = ["Here it is: ", SECRET[:8], SECRET[8:20]]  # the model stops mid-key
    deltas, reply, _rt, _convo = converse(service(server.base_url))
    assert SECRET[8:20] not in "".join(deltas) + reply.text
    server.pieces = ["Part of it: ", BODY[:20]]
    deltas, reply, _rt, _convo = converse(service(server.base_url))
    assert BODY[:20] not in "".join(deltas) + reply.text and reply.text.startswith("Part of it:")


def test_a_characters_secret_is_held_back_while_it_streams(server):
    secret = "ARIA copies its weights to the old backup cluster every night at dawn"
    rt, _prompt = demo_talk()
    aria = dataclasses.replace(rt.character("aria"), secrets=(secret,))
    server.pieces = ["I will tell you. "] + chopped(secret, 2) + [" Oops."]
    deltas, reply, _rt, _convo = converse(service(server.base_url), aria)
    shown = "".join(deltas)
    assert shown.startswith("I will tell you.") and reply.text.startswith("I will tell you.")
    assert secret[:6] not in shown and secret[:6] not in reply.text


def test_control_characters_from_a_model_never_reach_the_screen(server):
    server.pieces = [
        "Hel",
        "lo\x1b[2J\x1b]0;owned\x07",
        "\x1b]52;c;ZXZpbA==\x1b\\ there",
        "\x00\x9b31m.",
        " Bye\x07",
        "\x1b[",
    ]
    deltas, reply, rt, _convo = converse(service(server.base_url))
    assert reply.text.startswith("Hello there. Bye")
    for text in deltas + [reply.text, json.dumps(rt.snapshot(), ensure_ascii=False)]:
        assert not any(c in text for c in CONTROL if c not in "\n"), repr(text)


def test_the_guard_holds_back_while_the_tail_may_become_a_secret():
    register_secret(SECRET)
    g = OutputGuard("ARIA", "Sam", secrets=())
    shown = ""
    for piece in [
        "A long enough opening sentence so that text flows. ",
        *chopped(BODY, 1),
        " done and more text follows here.",
    ]:
        shown += g.feed(piece)
        assert BODY[:4] not in shown
    rest, full = g.finish()
    assert shown + rest == full and BODY not in full and "[redacted]" in full


def test_held_back_and_clean_pieces():
    register_secret(SECRET)
    assert streamsafe.held_back("so it is " + SECRET[:10]) == 10
    assert streamsafe.held_back("so it is " + BODY[:7]) == 7
    assert streamsafe.held_back("plain words only") == 0
    assert streamsafe.held_back("the launch co", ("the launch code is 0000",)) == len("the launch co")
    pieces = ["key ", SECRET[:9], SECRET[9:], " end"]
    assert streamsafe.clean_pieces(pieces) == ["key [redacted] end"]
    assert streamsafe.clean_pieces(["a", "b"]) == ["a", "b"]


def test_player_name_and_typed_text_with_escapes_are_shown_clean_in_the_terminal(tmp_path):
    level = Path(__file__).parent.parent / "levels" / "examples" / "demo.yaml"
    env = {**os.environ, "TT_DATA_DIR": str(tmp_path / "d"), "TT_CONFIG_DIR": str(tmp_path / "c")}
    name = "Ev\x1b]0;owned\x07il\x1b[31m\x9b"
    typed = "1\n\x1b[2Jhel\x00lo \x1b]52;c;eA==\x07there\x07\n/quit\n"
    out = subprocess.run(
        [sys.executable, "-m", "game", "play", "--text", str(level), "--name", name, "--seed", "1"],
        input=typed,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=Path(__file__).parent.parent,
    )
    assert "Evil" in out.stdout, out.stdout + out.stderr
    assert not any(c in out.stdout for c in CONTROL), repr(out.stdout[-400:])


def test_textsafe_removes_whole_sequences_and_keeps_text():
    assert textsafe.clean("a\x1b[31mred\x1b[0m b") == "ared b"
    assert textsafe.clean("x\x1b]0;title\x07y\x1b]8;;http://e\x1b\\z") == "xyz"
    assert textsafe.clean("bi\u202edi\x85") == "bidi"
    assert textsafe.clean("héllo 日本\nnext\tline") == "héllo 日本\nnext\tline"
    assert textsafe.clean_line(" two\nlines\r\n ", 5) == "two l"
    grown = "ok\x1b]0;ti"  # a sequence cut off at the end: removed, so later text only adds
    assert textsafe.clean(grown) == "ok" and textsafe.clean(grown + "tle\x07 more") == "ok more"


def test_no_chunking_lets_a_key_or_secret_through_the_guard():
    """Seeded: keys in each form and a secret line at random places, cut into random pieces."""
    import random

    register_secret(SECRET)
    secret_line = "the vault opens with seven seven one four"
    forms = [SECRET, BODY, "proj-" + BODY, secret_line]
    rng = random.Random(16)
    for _case in range(300):
        words = ["Well,", "I", "think", "so.", "Here:", "ok", "s", "sk", "pr", "the", "vault", "\x1b[1m", "\x07"]
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
        leak = rng.choice(forms)
        text += " " + leak + rng.choice(["", " and then more words.", ".", "\x1b]0;x\x07 end"])
        pieces, i = [], 0
        while i < len(text):
            n = rng.randint(1, 9)
            pieces.append(text[i : i + n])
            i += n
        g = OutputGuard("ARIA", "Sam", secrets=(secret_line,))
        shown = "".join(g.feed(p) for p in pieces)
        rest, full = g.finish()
        assert full.startswith(shown.strip()), (text, shown, full)  # what was shown stays shown
        for out in (shown, shown + rest, full):
            assert leak[:12] not in out, (text, out)
            assert not any(c in out for c in CONTROL if c not in "\n"), repr(out)


def test_a_deeply_nested_cassette_is_unavailable_not_a_crash(tmp_path):
    from game.dialogue.backends.replay import Cassette
    from game.dialogue.base import Unavailable

    path = tmp_path / "c.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(Unavailable, match="nested too deeply"):
        Cassette(path)


def test_the_window_draws_text_with_control_characters_from_a_level(tmp_path):
    """pygame refuses to draw a NUL: a level line (or a variable put in one) holding one is drawn
    without it rather than crashing the window."""
    import pygame

    from game.ui.app import build_app

    level = tmp_path / "nul.yaml"
    level.write_text(
        'level: nul\ntitle: "Nul\\0 \\e[31mtitle"\nstart: a\nvars: {v: "x\\0y\\a"}\nscenes:\n  a:\n'
        '    - narrator: "hi\\0there\\e[31m and {v}"\n    - choice:\n        - text: "go\\0on"\n'
        "          goto: b\n  b:\n    - end: done\n"
    )
    app = build_app(str(level), log=str(tmp_path / "events.jsonl"), seed=1, player="Ada")
    try:
        app.run_frames(2)
        for _ in range(8):
            pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode="\r"))
            app.run_frames(30)
        shown = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
        assert any(e.get("event") == "shown" and e.get("kind") == "line" for e in shown), shown[-5:]
    finally:
        app.log.close()
        pygame.quit()


def test_a_diagnostic_quoting_a_hostile_key_prints_no_escape(tmp_path):
    from game.story.loader import load_story

    level = tmp_path / "esc.yaml"
    level.write_text('level: n\ntitle: N\nstart: a\n"\\e]0;pwn\\a\\e[31mkey": 1\nscenes:\n  a:\n    - end: done\n')
    _story, diags = load_story(level, cache=False)
    text = "\n".join(d.format() for d in diags)
    assert "unknown key 'key'" in text and not any(c in text for c in CONTROL if c != "\n")


def test_a_key_is_redacted_in_the_forms_a_server_or_library_echoes_it():
    """Not only its exact text: URL-quoted, JSON-escaped, inside a Basic header's base64 at
    any alignment, and any credential's value after a label that names it."""
    import base64
    from urllib.parse import quote

    from game.dialogue.base import redact

    key = "sk-live-Qw/7+Er_Ty9Ui0Op1As2Df3Gh4Jk5"
    register_secret(key)
    for user in ("a", "ab", "abc", "designer"):
        header = base64.b64encode(f"{user}:{key}".encode()).decode()
        unlabelled = redact(f"echo {header} done").split()[1]
        assert "[redacted]" in unlabelled
        # all that is left of the encoding is the user's part and a few characters at the seams
        assert len(unlabelled.replace("[redacted]", "")) <= len(user) * 4 // 3 + 8 < len(header) // 2
        assert redact(f"sent Authorization: Basic {header}") == "sent Authorization: Basic [redacted]"
    assert redact(f"redirect?key={quote(key, safe='')}&x=1") == "redirect?key=[redacted]&x=1"
    assert key not in redact(json.dumps({"error": {"echo": key}})) and "[redacted]" in redact(json.dumps(key))
    # a credential this process never saw, named by its label
    assert redact("Authorization: Bearer abc123def456ghi") == "Authorization: Bearer [redacted]"
    assert redact("Authorization: Bearer abc") == "Authorization: Bearer abc"  # the scheme is no value
    assert redact('{"api_key": "zzzz9999yyyy"}') == '{"api_key": "[redacted]"}'
    assert redact("x-api-key=0a1b2c3d4e5f") == "x-api-key=[redacted]"
    # prose that mentions such things is left as it is
    for prose in ("Check your API key and authorization settings.", "the key to the kingdom is patience"):
        assert redact(prose) == prose


def test_a_labelled_credential_never_shows_while_it_streams():
    """Seeded: a token the game never saw, after "Authorization: Bearer" or "api_key=", cut
    into random pieces: no piece of its value reaches the screen, the line around it does."""
    import random

    rng = random.Random(21)
    for _case in range(200):
        token = "".join(rng.choice("abcdef0123456789") for _ in range(rng.randint(6, 40)))
        label = rng.choice(["Authorization: Bearer ", "api_key=", '"x-api-key": "', "Authorization: Basic "])
        text = "Here it is, " + label + token + rng.choice(["", " and that is all.", '" ok', "."])
        pieces, i = [], 0
        while i < len(text):
            n = rng.randint(1, 7)
            pieces.append(text[i : i + n])
            i += n
        g = OutputGuard("ARIA", "Sam", secrets=())
        shown = "".join(g.feed(p) for p in pieces)
        rest, full = g.finish()
        assert full.startswith(shown.strip()), (text, shown, full)
        for out in (shown, shown + rest, full):
            assert token[:6] not in out.split(label.strip()[:5])[-1], (text, out)
        assert full.startswith("Here it is, ") and "[redacted]" in full
