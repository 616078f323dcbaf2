"""The shared recipe for the recognizer's data: the seeded held-out split and the partial
drawings, used alike by tools/train_recognizer.py, tools/evaluate_recognizer.py and the
tests, so that training never sees what evaluation measures. numpy only; the game itself
never needs the dataset at run time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from game.minigames.drawing.strokes import rasterize, read_ndjson, render

SPLIT_SEED = 20240607
TEST_SHARE = 0.10  # held out: only evaluation and tests see it
VAL_SHARE = 0.05  # for choosing the training epoch; never trained on


# Stroke-file categories whose drawings are plainly one of the 20 (not merely near it):
# tools/evaluate_recognizer.py measures them at k% of people's real strokes, so training
# leaves them out of everything it reads from the stroke files.
LOOKALIKES = {
    "duck": "bird",
    "owl": "bird",
    "parrot": "bird",
    "swan": "bird",
    "flamingo": "bird",
    "tiger": "cat",
    "zebra": "horse",
    "shark": "fish",
    "whale": "fish",
    "dolphin": "fish",
    "clock": "alarm clock",
    "barn": "house",
    "motorbike": "bicycle",
}


def default_quickdraw_dir() -> Path:
    return Path(__file__).resolve().parents[3].parent / "shared" / "data" / "quickdraw"


def load_bitmaps(root: Path) -> tuple[list[str], list[np.ndarray]]:
    """Class names (sorted file names) and each class's (N, 784) uint8 bitmaps."""
    files = sorted((Path(root) / "bitmaps").glob("*.npy"))
    if not files:
        raise FileNotFoundError(f"no bitmaps/*.npy under {root}")
    return [f.stem for f in files], [np.load(f) for f in files]


def split_indices(n: int, class_index: int, seed: int = SPLIT_SEED) -> dict[str, np.ndarray]:
    """train / val / test row indices of one class, the same on every machine."""
    rng = np.random.default_rng([seed, class_index])
    order = rng.permutation(n)
    n_test = int(round(n * TEST_SHARE))
    n_val = int(round(n * VAL_SHARE))
    return {
        "test": np.sort(order[:n_test]),
        "val": np.sort(order[n_test : n_test + n_val]),
        "train": np.sort(order[n_test + n_val :]),
    }


def split_rows(arrays: list[np.ndarray], part: str, limit: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """One split ("train", "val" or "test") of every class, stacked: (bitmaps, class labels).
    `limit`: at most that many rows of each class (0: all)."""
    xs, ys = [], []
    for c, arr in enumerate(arrays):
        idx = split_indices(len(arr), c)[part]
        if limit:
            idx = idx[:limit]
        xs.append(arr[idx])
        ys.append(np.full(len(idx), c))
    return np.concatenate(xs), np.concatenate(ys)


def normalize(strokes: list) -> list:
    """Align top-left and scale the larger side to 255, as Google's simplification does.

    Traced strokes are already pixel-stepped, so the resampling and RDP steps of the full
    recipe change almost nothing; skipping them keeps making training partials cheap."""
    pts = [np.asarray(s[:2], dtype=np.float64) for s in strokes if len(s[0])]
    if not pts:
        return []
    allp = np.concatenate(pts, axis=1)
    lo = allp.min(axis=1, keepdims=True)
    extent = float((allp.max(axis=1, keepdims=True) - lo).max())
    scale = 255.0 / extent if extent > 0 else 1.0
    return [((p - lo) * scale).round().tolist() for p in pts]


def partial_count(n_strokes: int, fraction: float) -> int:
    """How many strokes "fraction of the strokes" means: at least one, rounded up."""
    return max(1, min(n_strokes, int(np.ceil(n_strokes * fraction - 1e-9))))


def partial_bitmap(strokes: list, fraction: float, order: np.ndarray | None = None) -> np.ndarray:
    """The bitmap of the first `fraction` of `strokes` (in `order` if given), re-normalized
    and rendered the way the game renders a drawing in progress."""
    if order is not None:
        strokes = [strokes[i] for i in order]
    return rasterize(normalize(strokes[: partial_count(len(strokes), fraction)]))


# The scale of the noise in the human-like order, fitted by tools/evaluate_recognizer.py
# so that traced prefixes draw the same share of the final line as people's first strokes
# do in the stroke files of the 325 categories that are not among the 20 (it found 1.0;
# the evaluation refits it on every run and prints it).
HUMAN_ORDER_TAU = 1.0
# The same fit for paths joined through junctions (strokes.join_paths): fewer, longer
# strokes need more shuffling to draw people's share of the line (it found 2.0).
JOINED_ORDER_TAU = 2.0


def path_lengths(strokes: list) -> np.ndarray:
    """The line length of each stroke."""
    out = np.zeros(len(strokes))
    for i, st in enumerate(strokes):
        p = np.asarray(st[:2], dtype=np.float64)
        if p.ndim == 2 and p.shape[1] > 1:
            out[i] = float(np.hypot(*np.diff(p, axis=1)).sum())
    return out


def human_like_order(lengths: np.ndarray, noise: np.ndarray, tau: float = HUMAN_ORDER_TAU) -> np.ndarray:
    """Longest stroke first, shuffled by Gumbel `noise` of scale `tau` (0: strictly longest
    first; large: random). People draw the main outline first, but not always."""
    return np.argsort(-np.log(np.asarray(lengths) + 1e-6) - tau * np.asarray(noise), kind="stable")


def lookalike_halves(root: Path, classes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Drawings of the look-alike stroke categories (duck as bird...) at half of people's
    strokes, rendered as the game renders them, and their labels among `classes`."""
    xs, ys = [], []
    for category, cls in LOOKALIKES.items():
        path = Path(root) / "strokes" / "simplified" / f"{category}.ndjson"
        if path.is_file() and cls in classes:
            for obj in read_ndjson(path):
                d = obj["drawing"]
                xs.append(render(d[: partial_count(len(d), 0.5)]))
                ys.append(classes.index(cls))
    return (np.stack(xs), np.array(ys)) if xs else (np.zeros((0, 784), np.uint8), np.zeros(0, np.int64))
