"""Recognizers: what the AI "sees" in a drawing. Pluggable like the dialogue backends.

    class Recognizer(Protocol):
        name: str
        classes: list[str]                    # the answers it can give
        def guess(self, drawing) -> list[tuple[str, float]]   # best first, probs sum <= 1

`drawing` is a list of strokes (raw ``[xs, ys, ts]`` or simplified ``[xs, ys]``) or a
28x28 bitmap (784 values, 0 = paper, 255 = ink). Built-ins: "embedded" (a small CNN run
with numpy, trained by tools/train_recognizer.py) and "vision" (a vision-capable chat
model through the openai SDK, see vision.py). Third parties register more through the
`game.recognizers` entry-point group, whose targets are ``module:factory`` callables
taking keyword options and returning a recognizer.
"""

from __future__ import annotations

import importlib
import json
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from game.minigames.drawing.strokes import SIDE, render

HERE = Path(__file__).resolve().parent
WEIGHTS = HERE / "recognizer.npz"
META = HERE / "recognizer.json"


# Convolutions the runtime computes (same padding, stride 1): op name -> kernel side.
CONV_OPS = {"conv3x3": 3, "conv5x5": 5}


@runtime_checkable
class Recognizer(Protocol):
    name: str
    classes: list[str]

    def guess(self, drawing: Any) -> list[tuple[str, float]]: ...


class RecognizerError(RuntimeError):
    """A recognizer could not be built or could not answer; the message says why."""


def to_bitmap(drawing: Any, fast: bool = True) -> np.ndarray:
    """Strokes or a bitmap -> a (784,) uint8 bitmap in the dataset's format.

    fast skips the resampling step of the simplification (see strokes.simplify)."""
    if isinstance(drawing, np.ndarray) and drawing.size == SIDE * SIDE and drawing.dtype != object:
        arr = drawing.reshape(-1)
        if arr.dtype != np.uint8:
            arr = np.clip(arr, 0, 255).astype(np.uint8)
        return arr
    return render(drawing, resample=not fast)


class EmbeddedRecognizer:
    """The shipped CNN, run with numpy alone: a few ms per guess, no framework at play time."""

    name = "embedded"

    def __init__(self, weights: Path = WEIGHTS, meta: Path = META) -> None:
        reading = Path(meta)  # named in the message when it cannot be read
        try:
            self.meta = json.loads(reading.read_text(encoding="utf-8"))
            reading = Path(weights)
            with np.load(weights) as z:
                # float16 on disk for size, float32 to compute
                self.params = {k: z[k].astype(np.float32) for k in z.files}
        except FileNotFoundError as exc:
            raise RecognizerError(
                f"recognizer weights missing: {exc.filename} (run tools/train_recognizer.py)"
            ) from None
        except (OSError, ValueError, json.JSONDecodeError) as exc:
            raise RecognizerError(f"recognizer weights unreadable: {reading}: {exc}") from None
        _check_meta(self.meta, self.params, Path(meta))
        self.classes = list(self.meta["classes"])
        self.layers = self.meta["layers"]
        # conv weights (out, in, k, k) reshaped once for the channels-last im2col matmul:
        # rows ordered (dy, dx, in), as logits() concatenates the shifted views
        self.kernel = {}
        for key in [k for k in self.params if k.startswith("conv") and k.endswith("_w")]:
            w = self.params[key]
            self.kernel[key[:-2]] = w.shape[2]
            self.params[key] = np.ascontiguousarray(w.transpose(2, 3, 1, 0).reshape(-1, w.shape[0]))
        for layer in self.layers:
            if layer["op"] in CONV_OPS and CONV_OPS[layer["op"]] != self.kernel.get(layer["name"]):
                raise RecognizerError(
                    f"recognizer weights unreadable: {weights}: layer {layer['name']} is "
                    f"{layer['op']} but its weights are missing or of another size"
                )

    def logits(self, bitmaps: np.ndarray) -> np.ndarray:
        """(N, 784) uint8 -> (N, classes) logits.

        Channels-last im2col: the nine shifted views of the padded input are concatenated
        along the channel axis, so each convolution is one contiguous matmul with no
        transposes; a whole conv layer costs about what its multiply-adds cost."""
        x = np.asarray(bitmaps, dtype=np.float32).reshape(-1, SIDE, SIDE, 1) * (1.0 / 255.0)
        layers = self.layers
        with _single_thread_blas():
            i = 0
            while i < len(layers):
                layer = layers[i]
                op = layer["op"]
                if op in CONV_OPS:
                    n, h, w, c = x.shape
                    k = CONV_OPS[op]
                    r = k // 2
                    padded = np.zeros((n, h + 2 * r, w + 2 * r, c), np.float32)
                    padded[:, r : r + h, r : r + w] = x
                    cols = np.concatenate(
                        [padded[:, dy : dy + h, dx : dx + w] for dy in range(k) for dx in range(k)], axis=3
                    )
                    x = cols.reshape(n * h * w, k * k * c) @ self.params[layer["name"] + "_w"]
                    x += self.params[layer["name"] + "_b"]
                    x = x.reshape(n, h, w, -1)
                elif op == "relu" and i + 1 < len(layers) and layers[i + 1]["op"] == "maxpool2":
                    # relu(max) == max(relu): pool first, on a quarter of the values
                    x = np.maximum(_pool2(x), 0.0)
                    i += 1
                elif op == "relu":
                    np.maximum(x, 0.0, out=x)
                elif op == "maxpool2":
                    x = _pool2(x)
                elif op == "flatten":
                    x = x.transpose(0, 3, 1, 2).reshape(len(x), -1)  # the trainer flattened (C, H, W)
                elif op == "dense":
                    x = x @ self.params[layer["name"] + "_w"] + self.params[layer["name"] + "_b"]
                else:
                    raise RecognizerError(f"recognizer.json names an unknown layer op '{op}'")
                i += 1
        return x

    def probabilities(self, bitmaps: np.ndarray, batch: int = 512) -> np.ndarray:
        out = []
        bitmaps = np.asarray(bitmaps).reshape(-1, SIDE * SIDE)
        for k in range(0, len(bitmaps), batch):
            z = self.logits(bitmaps[k : k + batch])
            z = np.exp(z - z.max(axis=1, keepdims=True))
            out.append(z / z.sum(axis=1, keepdims=True))
        return np.concatenate(out) if out else np.zeros((0, len(self.classes)), np.float32)

    def guess(self, drawing: Any, top: int = 5) -> list[tuple[str, float]]:
        bitmap = to_bitmap(drawing)
        if not bitmap.any():
            return []  # nothing drawn yet: no guess rather than a confident one about paper
        p = self.probabilities(bitmap[None])[0]
        order = np.argsort(-p)[:top]
        return [(self.classes[i], float(p[i])) for i in order]


_OPS = set(CONV_OPS) | {"relu", "maxpool2", "flatten", "dense"}


def _check_meta(meta: Any, params: dict, path: Path) -> None:
    """The json's classes and layer list, checked before any guess: a candidate from the
    tools (--weights DIR) or a hand-edited file is refused with the field that is wrong."""

    def bad(field: str, expected: str):
        raise RecognizerError(f"recognizer weights unreadable: {path}: {field}: expected {expected}")

    if not isinstance(meta, dict):
        bad("the file", "an object with classes and layers")
    classes = meta.get("classes")
    if not isinstance(classes, list) or not classes or not all(isinstance(c, str) for c in classes):
        bad("classes", "a non-empty list of names")
    layers = meta.get("layers")
    if not isinstance(layers, list) or not layers:
        bad("layers", "a non-empty list of layers")
    for i, layer in enumerate(layers):
        op = layer.get("op") if isinstance(layer, dict) else None
        if op not in _OPS:
            bad(f"layers[{i}].op", "one of " + ", ".join(sorted(_OPS)))
        if (op in CONV_OPS or op == "dense") and not all(
            f"{layer.get('name')}_{part}" in params for part in ("w", "b")
        ):
            bad(f"layers[{i}].name", "the name of a weight pair in the .npz (name_w, name_b)")


def _pool2(x: np.ndarray) -> np.ndarray:
    """2x2 max pooling, stride 2, of (N, H, W, C); an odd last row or column is dropped."""
    h2, w2 = x.shape[1] // 2 * 2, x.shape[2] // 2 * 2
    return np.maximum(
        np.maximum(x[:, 0:h2:2, 0:w2:2], x[:, 0:h2:2, 1:w2:2]), np.maximum(x[:, 1:h2:2, 0:w2:2], x[:, 1:h2:2, 1:w2:2])
    )


class _single_thread_blas:
    """Run this thread's matmuls on one BLAS thread.

    A guess is a few small matmuls; OpenBLAS splits them over every core, and on a busy
    machine the hand-offs cost 10-50x the arithmetic (65 ms instead of under 2). OpenBLAS
    0.3.27+ has a per-thread setting; without it (another BLAS) this does nothing."""

    _fn = None
    _looked = False

    @classmethod
    def _find(cls):
        if not cls._looked:
            cls._looked = True
            import ctypes
            import glob
            import os

            libs = glob.glob(os.path.join(os.path.dirname(np.__file__) + ".libs", "*openblas*"))
            libs += glob.glob(os.path.join(os.path.dirname(np.__file__), ".dylibs", "*openblas*"))
            for path in libs:
                try:
                    fn = ctypes.CDLL(path).openblas_set_num_threads_local
                except (OSError, AttributeError):
                    continue
                fn.argtypes = [ctypes.c_int]
                fn.restype = ctypes.c_int
                cls._fn = fn
                break
        return cls._fn

    def __enter__(self):
        fn = self._find()
        self._old = fn(1) if fn else None
        return self

    def __exit__(self, *exc):
        if self._old is not None and self._old > 0:
            self._find()(self._old)
        return False


@lru_cache(maxsize=1)
def embedded() -> EmbeddedRecognizer:
    """The shipped recognizer, loaded once per process."""
    return EmbeddedRecognizer()


BUILTIN: dict[str, str] = {
    "embedded": "game.minigames.drawing.recognizer:_make_embedded",
    "vision": "game.minigames.drawing.vision:VisionRecognizer",
}


def _make_embedded(**_options) -> EmbeddedRecognizer:
    return embedded()


def available() -> dict[str, str]:
    """name -> import target of every recognizer this install knows."""
    found = dict(BUILTIN)
    for ep in entry_points(group="game.recognizers"):
        found.setdefault(ep.name, ep.value)
    return found


def create(name: str = "embedded", **options) -> Recognizer:
    """Build recognizer `name` with keyword `options` (e.g. base_url, api_key, model)."""
    table = available()
    if name not in table:
        raise RecognizerError(f"unknown recognizer '{name}' (known: {', '.join(sorted(table))})")
    module_name, _, attr = table[name].partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise RecognizerError(f"recognizer '{name}' cannot be loaded: {exc}") from None
    rec = factory(**options)
    if not isinstance(rec, Recognizer):
        raise RecognizerError(f"recognizer '{name}' does not have name, classes and guess()")
    return rec
