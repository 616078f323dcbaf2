"""The vision-model guesser: a vision-capable chat model through the openai SDK.

Used when the designer configures a backend with `base_url`, `api_key` and `model`
(OpenAI itself or any OpenAI-compatible server that takes image input). What is sent:
one PNG of the drawing and the list of allowed answers, nothing else (no player name, no
story). Any failure (no server, timeout, bad key, an answer that is not JSON or names
nothing allowed) falls back to the embedded recognizer, and `last_error` says why with
the API key scrubbed out.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import struct
import zlib
from collections.abc import Iterable
from typing import Any

import numpy as np

from game.minigames.drawing.strokes import SIDE, simplify, validate_drawing

log = logging.getLogger(__name__)

PROMPT = (
    "This is a quick sketch from a drawing-guessing game. Which of the allowed answers does it "
    'show? Reply with JSON only: {"guesses": [{"label": <an allowed answer>, "prob": <0..1>}]}, '
    "at most three, best first.\nAllowed answers: "
)


def configured(problems: list[str] | None = None) -> dict | None:
    """The vision-model guesser as the designer configured it, for either front end.

    settings.yaml `vision: {model, base_url, api_key, timeout}` (the key is better left to
    the OPENAI_API_KEY environment variable), else TT_VISION_MODEL with OPENAI_BASE_URL
    and OPENAI_API_KEY. None when no vision model is configured: the embedded recognizer
    guesses. A field of the wrong kind is left out (a bad timeout: the default one; a bad
    model: no vision model) and `problems`, when given, gets a line naming it."""
    import os

    from game.settings import _read_raw, settings_path

    path = settings_path()
    raw, _problem = _read_raw(path)
    found = raw.get("vision") if isinstance(raw, dict) else None
    cfg: dict[str, Any] = {}
    said: list[str] = []
    if found is not None and not isinstance(found, dict):
        said.append(f"{path}: vision: expected a mapping (model, base_url, timeout), got {type(found).__name__}")
    for field, value in found.items() if isinstance(found, dict) else ():
        if field in ("model", "base_url", "api_key"):
            if isinstance(value, str) and value.strip():
                cfg[field] = value.strip()
            else:  # never echo what was written there: it may be a key
                said.append(f"{path}: vision.{field}: expected text, got {type(value).__name__}")
        elif field == "timeout":
            if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= 600:
                cfg[field] = value
            else:
                shown = (
                    repr(value)
                    if isinstance(value, (int, float, str)) and len(str(value)) < 40
                    else type(value).__name__
                )
                said.append(f"{path}: vision.timeout: expected seconds (above 0, at most 600), got {shown}; using 8")
        else:
            said.append(f"{path}: vision.{field}: not a vision setting (model, base_url, api_key, timeout)")
    if problems is not None:
        problems.extend(said)
    if not cfg.get("model") and os.environ.get("TT_VISION_MODEL"):
        cfg["model"] = os.environ["TT_VISION_MODEL"]
    if not cfg.get("model"):
        return None
    cfg.setdefault("base_url", os.environ.get("OPENAI_BASE_URL"))
    cfg.setdefault("api_key", os.environ.get("OPENAI_API_KEY"))
    return {k: cfg[k] for k in ("model", "base_url", "api_key", "timeout") if cfg.get(k) is not None}


# ---------------------------------------------------------------- PNG


def png_bytes(gray: np.ndarray) -> bytes:
    """A tiny PNG writer (8-bit greyscale) with zlib, so no imaging library is needed."""
    img = np.ascontiguousarray(gray, dtype=np.uint8)
    h, w = img.shape
    raw = b"".join(b"\x00" + img[r].tobytes() for r in range(h))  # filter type 0 per row

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def drawing_image(drawing: Any, size: int = 256, pen: float = 3.0) -> np.ndarray:
    """Black ink on white paper at `size` px: what a person would see, for the vision model."""
    if isinstance(drawing, np.ndarray) and drawing.size == SIDE * SIDE:
        big = np.kron(drawing.reshape(SIDE, SIDE).astype(np.float32), np.ones((size // SIDE + 1,) * 2))[:size, :size]
        return (255 - big).astype(np.uint8)
    strokes = simplify(validate_drawing(drawing))
    img = np.ones((size, size), np.float32)
    margin = size * 0.08
    scale = (size - 2 * margin) / 255.0
    ys, xs = np.mgrid[0:size, 0:size]
    for s in strokes:
        pts = np.asarray(s, dtype=np.float32).T * scale + margin
        segs = zip(pts[:-1], pts[1:]) if len(pts) > 1 else [(pts[0], pts[0])]
        for a, b in segs:
            # only the pixels around this segment
            x0, y0 = np.floor(np.minimum(a, b) - pen - 1).clip(0, size).astype(int)
            x1, y1 = np.ceil(np.maximum(a, b) + pen + 2).clip(0, size).astype(int)
            px = xs[y0:y1, x0:x1] + 0.5
            py = ys[y0:y1, x0:x1] + 0.5
            d = b - a
            l2 = float(d @ d)
            t = np.clip(((px - a[0]) * d[0] + (py - a[1]) * d[1]) / l2, 0, 1) if l2 > 0 else 0.0
            dist = np.hypot(px - a[0] - t * d[0], py - a[1] - t * d[1])
            img[y0:y1, x0:x1] = np.minimum(img[y0:y1, x0:x1], np.clip(dist - pen + 0.5, 0, 1))
    return (img * 255).astype(np.uint8)


# ---------------------------------------------------------------- the guesser


def _scrub(text: str, secret: str | None) -> str:
    if secret:
        text = text.replace(secret, "***")
    # an Authorization header or key-looking token echoed back by a server
    return re.sub(r"(sk-[A-Za-z0-9_\-]{6})[A-Za-z0-9_\-]+", r"\1***", text)


def parse_answer(text: str, allowed: Iterable[str]) -> list[tuple[str, float]]:
    """The model's reply -> [(label, prob)] over allowed labels; ValueError if it has none."""
    lookup = {a.lower().strip(): a for a in allowed}
    body = text.strip()
    fence = re.search(r"\{.*\}", body, re.S)  # models like to wrap JSON in ``` fences
    if not fence:
        raise ValueError("the reply has no JSON object")
    try:
        data = json.loads(fence.group(0))
    except json.JSONDecodeError as exc:
        raise ValueError(f"the reply is not valid JSON ({exc.msg})") from None
    items = data.get("guesses") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ValueError('the reply has no "guesses" list')
    out: dict[str, float] = {}
    for item in items:
        if isinstance(item, str):
            label, prob = item, None
        elif isinstance(item, dict):
            label, prob = str(item.get("label") or ""), item.get("prob")
        else:
            continue
        key = str(label).lower().strip() if label is not None else ""
        if key not in lookup or lookup[key] in out:
            continue  # answers outside the list are ignored, never shown to the player
        try:
            p = float(prob) if prob is not None else 0.0
        except (TypeError, ValueError):
            p = 0.0
        out[lookup[key]] = min(max(p, 0.0), 1.0)
    if not out:
        raise ValueError("the reply names none of the allowed answers")
    if sum(out.values()) <= 0:  # no probabilities given: rank order is all we know
        n = len(out)
        out = {k: (n - i) / (n * (n + 1) / 2) for i, k in enumerate(out)}
    total = sum(out.values())
    if total > 1:
        out = {k: v / total for k, v in out.items()}
    return sorted(out.items(), key=lambda kv: -kv[1])


class VisionRecognizer:
    """Guesses with a vision model; falls back to `fallback` (the embedded one) on any error."""

    name = "vision"

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        model: str | None = None,
        timeout: float = 8.0,
        answers: Iterable[str] | None = None,
        fallback=None,
        **_ignored,
    ) -> None:
        if not model:
            from game.minigames.drawing.recognizer import RecognizerError

            raise RecognizerError("the vision recognizer needs a model name (model=...)")
        self.base_url = base_url
        self._api_key = api_key
        self.model = model
        self.timeout = float(timeout)
        self._fallback = fallback
        self._client = None
        self.last_error: str | None = None
        self.last_source: str | None = None
        self.extra_answers = [a for a in (answers or [])]

    def __repr__(self) -> str:  # never show the key
        return f"VisionRecognizer(model={self.model!r}, base_url={self.base_url!r})"

    @property
    def fallback(self):
        if self._fallback is None:
            from game.minigames.drawing.recognizer import embedded

            self._fallback = embedded()
        return self._fallback

    @property
    def classes(self) -> list[str]:
        base = list(self.fallback.classes)
        return base + [a for a in self.extra_answers if a not in base]

    def _get_client(self):
        if self._client is None:
            import openai

            self._client = openai.OpenAI(
                api_key=self._api_key or "none", base_url=self.base_url, timeout=self.timeout, max_retries=0
            )
        return self._client

    def ask(self, drawing: Any, answers: list[str]) -> list[tuple[str, float]]:
        """One request to the model; raises on any failure (guess() catches and falls back)."""
        png = png_bytes(drawing_image(drawing))
        url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        reply = self._get_client().chat.completions.create(
            model=self.model,
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": PROMPT + ", ".join(answers)},
                        {"type": "image_url", "image_url": {"url": url}},
                    ],
                }
            ],
            max_tokens=120,
            temperature=0,
            timeout=self.timeout,
        )
        text = reply.choices[0].message.content or ""
        return parse_answer(text, answers)

    def guess(self, drawing: Any, answers: Iterable[str] | None = None) -> list[tuple[str, float]]:
        allowed = sorted(set(self.classes) | set(answers or []))  # sorted: order says nothing
        try:
            result = self.ask(drawing, allowed)
            self.last_error = None
            self.last_source = "vision"
            return result
        except Exception as exc:  # noqa: BLE001 - any failure of a remote model means: fall back
            error = _scrub(f"{type(exc).__name__}: {exc}", self._api_key)
            # Said once, not at every guess: a model that is down fails each stroke the same
            # way, and in the terminal each warning would be a line across the drawing.
            repeat = error == self.last_error
            self.last_error = error
            self.last_source = "embedded"
            (log.debug if repeat else log.warning)("vision guesser failed, using the embedded recognizer: %s", error)
            return self.fallback.guess(drawing)
