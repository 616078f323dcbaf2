"""The vision-model guesser through the real openai SDK against a local fake server."""

import base64
import json
import logging
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from game.minigames.drawing import recognizer as R
from game.minigames.drawing.game import DrawingGame
from game.minigames.drawing.vision import drawing_image, parse_answer, png_bytes

KEY = "sk-test-SECRET-0123456789abcdef"
CIRCLE = [
    [[128 + 100 * np.cos(a) for a in np.linspace(0, 6.3, 30)], [128 + 100 * np.sin(a) for a in np.linspace(0, 6.3, 30)]]
]


class FakeServer:
    """An OpenAI-compatible /v1/chat/completions on 127.0.0.1 with a scripted behaviour."""

    def __init__(self):
        self.requests = []
        self.mode = "ok"
        self.release = threading.Event()  # lets a "slow" request go
        self.reply = json.dumps({"guesses": [{"label": "lollipop", "prob": 0.7}, {"label": "apple", "prob": 0.2}]})
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                if outer.mode == "slow":  # holds the request until the test ends (or 10 s)
                    outer.release.wait(10)
                if outer.mode == "error":
                    payload, code = {"error": {"message": "boom", "type": "server_error"}}, 500
                else:
                    content = "certainly! ```not json" if outer.mode == "garbage" else outer.reply
                    payload, code = (
                        {
                            "id": "x",
                            "object": "chat.completion",
                            "created": 0,
                            "model": body["model"],
                            "choices": [
                                {
                                    "index": 0,
                                    "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": content},
                                }
                            ],
                        },
                        200,
                    )
                data = json.dumps(payload).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = FakeServer()
    yield s
    s.close()


def _vision(server, **kw):
    return R.create("vision", base_url=server.url, api_key=KEY, model="fake-vision", **kw)


def test_png_writer_makes_a_valid_png():
    img = drawing_image(CIRCLE)
    assert img.shape == (256, 256) and img.min() < 50 and img.max() == 255
    data = png_bytes(img)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # decode IDAT back and compare (filter type 0 per row)
    idat = data[data.index(b"IDAT") + 4 : data.index(b"IEND") - 8]
    raw = zlib.decompress(idat)
    rows = np.frombuffer(raw, np.uint8).reshape(256, 257)
    assert (rows[:, 0] == 0).all() and np.array_equal(rows[:, 1:], img)


def test_sends_only_the_image_and_the_allowed_answers(server):
    vis = _vision(server)
    out = vis.guess(CIRCLE, answers=["umbrella"])
    assert out[0] == ("lollipop", pytest.approx(0.7)) and vis.last_source == "vision"
    req = server.requests[-1]
    assert req["path"] == "/v1/chat/completions" and req["auth"] == f"Bearer {KEY}"
    msgs = req["body"]["messages"]
    assert len(msgs) == 1
    parts = msgs[0]["content"]
    assert [p["type"] for p in parts] == ["text", "image_url"]
    url = parts[1]["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1])[:4] == b"\x89PNG"
    text = parts[0]["text"]
    assert "umbrella" in text and "cat" in text and "house plant" in text
    assert req["body"]["model"] == "fake-vision"


def test_falls_back_on_server_error_and_hides_the_key(server, caplog):
    server.mode = "error"
    vis = _vision(server)
    with caplog.at_level(logging.WARNING):
        out = vis.guess(CIRCLE)
    assert out == R.embedded().guess(CIRCLE)
    assert vis.last_source == "embedded" and "500" in vis.last_error
    assert KEY not in vis.last_error and KEY not in caplog.text and KEY not in repr(vis)


def test_a_model_that_stays_down_is_reported_once_not_at_every_stroke(server, caplog):
    server.mode = "error"
    vis = _vision(server)
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            vis.guess(CIRCLE)
        assert len([r for r in caplog.records if "vision guesser failed" in r.getMessage()]) == 1
        server.mode = "ok"
        assert vis.guess(CIRCLE)[0][0] == "lollipop" and vis.last_error is None
        server.mode = "error"  # down again after it came back: said again
        vis.guess(CIRCLE)
        vis.guess(CIRCLE)
    assert len([r for r in caplog.records if "vision guesser failed" in r.getMessage()]) == 2


def test_falls_back_on_timeout(server):
    server.mode = "slow"
    vis = _vision(server, timeout=0.5)
    out = vis.guess(CIRCLE)  # the server holds it for 10 s: only the guesser's own timeout ends it
    assert vis.last_source == "embedded" and "Timeout" in vis.last_error
    assert len(server.requests) >= 1  # it asked, and gave up on the answer
    assert out and out[0][0] in R.embedded().classes


def test_falls_back_on_garbage_and_on_no_server():
    vis = R.create("vision", base_url="http://127.0.0.1:9/v1", api_key=KEY, model="m", timeout=1)
    out = vis.guess(CIRCLE)
    assert out and vis.last_source == "embedded" and KEY not in vis.last_error


def test_garbage_reply_falls_back(server):
    server.mode = "garbage"
    vis = _vision(server)
    vis.guess(CIRCLE)
    assert vis.last_source == "embedded" and "JSON" in vis.last_error


def test_parse_answer_keeps_only_allowed_labels():
    allowed = ["cat", "dog", "house plant"]
    assert parse_answer('{"guesses": [{"label": "Cat", "prob": 0.9}, {"label": "unicorn", "prob": 0.1}]}', allowed) == [
        ("cat", 0.9)
    ]
    ranked = parse_answer('```json\n{"guesses": ["dog", "cat"]}\n```', allowed)
    assert [label for label, _ in ranked] == ["dog", "cat"] and ranked[0][1] > ranked[1][1]
    with pytest.raises(ValueError, match="none of the allowed"):
        parse_answer('{"guesses": [{"label": "unicorn"}]}', allowed)


def test_the_game_takes_own_ideas_with_a_vision_guesser(server):
    server.reply = json.dumps({"guesses": [{"label": "my grandmother", "prob": 0.95}]})
    g = DrawingGame()
    g.reset(1, {"voice": "plain"})
    g.use_recognizer(_vision(server))
    assert g.takes_custom_ideas
    g.step(1 / 30, {"pick_custom": "my grandmother"})
    assert g.state["phase"] == "draw" and g.state["custom"]
    g.step(1 / 30, {"pen_down": [100, 100]})
    for i in range(20):
        g.step(1 / 30, {"pen_move": [100 + 10 * i, 100 + 4 * i]})
    g.step(1 / 30, {"pen_up": True})
    deadline = time.monotonic() + 10
    while g.state["phase"] == "draw" and time.monotonic() < deadline:
        g.step(1 / 30)  # the worker thread answers; the frame loop never blocked
        time.sleep(0.01)
    assert g.state["phase"] == "reveal"
    h = g.state["history"][0]
    assert h["guess"] == "my grandmother" and h["reward"] == 1.0
    assert g.result()["guesser"] == "vision"
    sent = server.requests[-1]["body"]["messages"][0]["content"][0]["text"]
    assert "my grandmother" in sent


def test_a_guesser_asked_on_the_frame_thread_also_gets_the_allowed_answers(server):
    """background=False (no worker): the player's own idea still reaches the vision model."""
    server.reply = json.dumps({"guesses": [{"label": "a kite", "prob": 0.8}]})
    g = DrawingGame()
    g.reset(2, {"voice": "plain"})
    g.use_recognizer(_vision(server), background=False)
    g.step(1 / 30, {"pick_custom": "a kite"})
    g.step(1 / 30, {"pen_down": [100, 100]})
    for i in range(20):
        g.step(1 / 30, {"pen_move": [100 + 10 * i, 100 + 4 * i]})
    g.step(1 / 30, {"pen_up": True})
    assert g.state["top"][0][0] == "a kite"
    assert g.recognizer.last_error is None


def test_a_plug_in_without_the_answers_keyword_is_asked_without_it():
    class Plain:
        name = "plain"
        classes = ["cat"]

        def guess(self, drawing):
            return [("cat", 0.9)]

    class Open:
        name = "open"
        classes = ["cat"]

        def guess(self, drawing, **options):
            self.options = options
            return [("cat", 0.9)]

    g = DrawingGame()
    for rec in (Plain(), Open()):
        g.reset(1, {"voice": "plain"})
        g.use_recognizer(rec, background=False)
        g.step(1 / 30, {"pick": 0})
        g.step(1 / 30, {"pen_down": [100, 100]})
        g.step(1 / 30, {"pen_move": [300, 300]})
        g.step(1 / 30, {"pen_up": True})
        assert g.state["top"][0][0] == "cat"
    assert "answers" in rec.options, "a recognizer taking any keyword gets the answers"
