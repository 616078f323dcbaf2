"""A real OpenAI-compatible HTTP server on 127.0.0.1 for tests, with faults it can inject.

It speaks just enough of the protocol for the official SDK: GET /v1/models and
POST /v1/chat/completions (streamed as server-sent events, or one JSON body). Set
`server.fault` to one of FAULTS to make the next requests misbehave, and read
`server.requests` to see exactly what the client sent (bodies and headers).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = ("none", "hang", "hang_after_first", "401", "429", "500", "malformed", "disconnect", "ignore_stop")


class FakeOpenAI(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fault = "none"
        self.fault_times: int | None = None  # how many requests the fault applies to (None: all)
        self.reply = "Hello from the fake server. Would you like to go on?"
        self.pieces: list[str] | None = None  # stream exactly these pieces instead of the reply's words
        self.json_reply = '{"caution": 0.8, "candour": -0.2}'
        self.models = ["fake-model"]
        self.retry_after = "1"
        self.hang_seconds = 30.0
        self.piece_delay = 0.0
        # A model still loading or reading a long prompt: the first request(s) wait this long before
        # the response starts (cold_requests: how many; None: every request).
        self.cold_delay = 0.0
        self.cold_requests: int | None = 1
        # One request at a time, like llama.cpp's server with one slot: the next waits for the last.
        self.serial = False
        self._slot = threading.Lock()
        # response_format types this server accepts; others get a 400, as from servers without them.
        self.response_formats = {"json_schema", "json_object"}
        self.requests: list[dict] = []
        self.pieces_sent = 0  # stream pieces written, over every request
        self.client_gone = threading.Event()  # a client closed a stream before its end
        self._stop_hang = threading.Event()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop_hang.set()  # release hanging handlers so shutdown does not wait 30 s
        self.shutdown()
        self.server_close()

    def take_fault(self) -> str:
        fault = self.fault
        if self.fault_times is not None:
            if self.fault_times <= 0:
                return "none"
            self.fault_times -= 1
        return fault


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeOpenAI

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _json(self, code: int, obj, headers: dict | None = None) -> None:
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.requests.append(
            {"method": "GET", "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}}
        )
        if self.path.rstrip("/").endswith("/models"):
            self._json(
                200,
                {
                    "object": "list",
                    "data": [
                        {"id": m, "object": "model", "created": 0, "owned_by": "test"} for m in self.server.models
                    ],
                },
            )
        else:
            self._json(404, {"error": {"message": "not found", "type": "not_found"}})

    def do_POST(self) -> None:
        if self.server.serial:
            with self.server._slot:
                return self._post()
        return self._post()

    def _post(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self.server.requests.append(
            {
                "method": "POST",
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
            }
        )
        if not self.path.rstrip("/").endswith("/chat/completions"):
            return self._json(404, {"error": {"message": "not found"}})
        fault = self.server.take_fault()
        auth = self.headers.get("Authorization", "")
        fmt = (body.get("response_format") or {}).get("type")
        if fmt and fmt not in self.server.response_formats:
            return self._json(
                400,
                {
                    "error": {
                        "message": f"response_format type '{fmt}' is not supported",
                        "type": "invalid_request_error",
                    }
                },
            )
        srv = self.server
        if srv.cold_delay and (srv.cold_requests is None or srv.cold_requests > 0):
            if srv.cold_requests is not None:
                srv.cold_requests -= 1
            if srv._stop_hang.wait(srv.cold_delay):
                return self._close()
        if fault == "hang":
            self.server._stop_hang.wait(self.server.hang_seconds)
            return self._close()
        if fault == "401":
            # Like the real API, echo the key back: the client must never let this reach the player or a log.
            key = auth.removeprefix("Bearer ")
            return self._json(
                401,
                {
                    "error": {
                        "message": f"Incorrect API key provided: {key}.",
                        "type": "invalid_request_error",
                        "code": "invalid_api_key",
                    }
                },
            )
        if fault == "429":
            return self._json(
                429,
                {"error": {"message": "Rate limit reached", "type": "rate_limit"}},
                {"Retry-After": self.server.retry_after},
            )
        if fault == "500":
            return self._json(500, {"error": {"message": "internal error", "type": "server_error"}})
        is_json = fmt in ("json_object", "json_schema")
        text = self.server.json_reply if is_json else self.server.reply
        if not body.get("stream"):
            return self._json(200, _completion(text, body.get("model")))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        words = text.split(" ")
        pieces = [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]
        if self.server.pieces is not None and not is_json:
            pieces = list(self.server.pieces)
        try:
            for i, piece in enumerate(pieces):
                if fault == "malformed" and i == 1:
                    self.wfile.write(b"data: {this is not json\n\n")
                    self.wfile.flush()
                    return self._close()
                if fault == "disconnect" and i == 2:
                    return self._close(abrupt=True)
                if fault == "hang_after_first" and i == 1:
                    self.server._stop_hang.wait(self.server.hang_seconds)
                    return self._close()
                self._event(_chunk(piece, body.get("model")))
                self.server.pieces_sent += 1
                if self.server.piece_delay:
                    time.sleep(self.server.piece_delay)
            self._event(_chunk(None, body.get("model"), finish="stop"))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.server.client_gone.set()  # the client cancelled: fine, and tests may ask
        self.close_connection = True

    def _event(self, obj) -> None:
        self.wfile.write(b"data: " + json.dumps(obj).encode() + b"\n\n")
        self.wfile.flush()

    def _close(self, abrupt: bool = False) -> None:
        self.close_connection = True
        if abrupt:
            # RST instead of FIN: what a crashed server or a dropped connection looks like.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _chunk(content, model, finish=None) -> dict:
    delta = {} if content is None else {"role": "assistant", "content": content}
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model or "fake-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _completion(text, model) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": model or "fake-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def free_port() -> int:
    """A port nothing listens on (for 'connection refused')."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
