"""Strokes in the Quick, Draw! formats: simplify, rasterize, parse ndjson, trace bitmaps.

numpy only, no pygame: the recognizer, the CLI and the tests share this code, and the
game's drawings go through exactly the path the dataset's drawings went through, so that
what the player draws looks to the recognizer like what it was trained on.

Formats (Google's):
- raw stroke: ``[[x0, x1, ...], [y0, y1, ...], [t0, t1, ...]]`` in screen pixels, t in ms
- simplified stroke: ``[[x...], [y...]]`` integers in a 0..255 box
- bitmap: 28x28 uint8, 0 = paper, 255 = ink
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence

import numpy as np

Stroke = Sequence[Sequence[float]]  # [xs, ys] or [xs, ys, ts]

SIDE = 28
# Google's vector_to_raster: the 256-unit drawing box, a 16-unit round pen and 16 units of
# padding on each side, all mapped onto 28 pixels.
_ORIGINAL_SIDE = 256.0
_LINE_DIAMETER = 16.0
_PADDING = 16.0
_TOTAL_PADDING = 2 * _PADDING + _LINE_DIAMETER
_SCALE = SIDE / (_ORIGINAL_SIDE + _TOTAL_PADDING)
_RADIUS_PX = _LINE_DIAMETER / 2 * _SCALE
_SUPERSAMPLE = 2
_CENTRES = np.arange(SIDE, dtype=np.float32) + 0.5
_PX, _PY = np.meshgrid(_CENTRES, _CENTRES)  # pixel centres, row-major (y, x)
_PX = _PX.ravel()
_PY = _PY.ravel()


class StrokeError(ValueError):
    """A drawing that is not in a Quick, Draw! stroke format; the message says why."""


def validate_drawing(drawing) -> list[list[np.ndarray]]:
    """Check a drawing's shape; return its strokes as float arrays. StrokeError if malformed."""
    if not isinstance(drawing, (list, tuple)):
        raise StrokeError("a drawing must be a list of strokes")
    out = []
    for i, stroke in enumerate(drawing):
        if not isinstance(stroke, (list, tuple)) or len(stroke) not in (2, 3):
            raise StrokeError(f"stroke {i} must be [xs, ys] or [xs, ys, ts]")
        try:
            arrays = [np.asarray(axis, dtype=np.float64) for axis in stroke]
        except (TypeError, ValueError):
            raise StrokeError(f"stroke {i} has a coordinate that is not a number") from None
        if any(a.ndim != 1 for a in arrays):
            raise StrokeError(f"stroke {i}: xs, ys (and ts) must be flat lists of numbers")
        if len({len(a) for a in arrays}) != 1:
            raise StrokeError(f"stroke {i}: xs, ys (and ts) must have the same length")
        if not len(arrays[0]):
            continue  # an empty stroke draws nothing; skip it rather than fail
        if not (np.isfinite(arrays[0]).all() and np.isfinite(arrays[1]).all()):
            raise StrokeError(f"stroke {i} has a coordinate that is not finite")
        out.append(arrays)
    return out


# ---------------------------------------------------------------- simplification


def _rdp(points: np.ndarray, epsilon: float, fixed: np.ndarray | None = None) -> np.ndarray:
    """Ramer-Douglas-Peucker on an (n, 2) array: which points to keep (bool mask).

    Vectorized by depth: every segment is split at its farthest point in the same round,
    which keeps the same points as the recursive version (each segment's split does not
    depend on the others), in a handful of numpy passes. `fixed` marks points that must
    stay (the ends of each stroke when several are simplified at once)."""
    n = len(points)
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    if fixed is not None:
        keep |= fixed
    if n < 3:
        return keep
    if n <= _SMALL_RDP:
        return _rdp_small(points, epsilon, keep)
    x = points[:, 0]
    y = points[:, 1]
    while True:
        idx = np.flatnonzero(keep)
        if len(idx) == n:
            return keep
        # index of the segment (between kept points) each point lies in
        seg = np.cumsum(keep) - 1
        np.minimum(seg, len(idx) - 2, out=seg)
        # per segment, then spread to its points
        ax, ay = x[idx[:-1]], y[idx[:-1]]
        sdx, sdy = x[idx[1:]] - ax, y[idx[1:]] - ay
        snorm = np.hypot(sdx, sdy)
        ax, ay, dx, dy, norm = ax[seg], ay[seg], sdx[seg], sdy[seg], snorm[seg]
        rx = x - ax
        ry = y - ay
        cross = np.abs(dx * ry - dy * rx)
        dist = np.where(norm > 0, cross / np.where(norm > 0, norm, 1.0), np.hypot(rx, ry))
        dist[keep] = 0.0
        seg_max = np.maximum.reduceat(dist, idx[:-1])
        cand = np.flatnonzero((dist > epsilon) & (dist == seg_max[seg]))
        if not len(cand):
            return keep
        # first farthest point of each segment, as np.argmax would pick (seg is sorted)
        owner = seg[cand]
        first = np.ones(len(cand), dtype=bool)
        first[1:] = owner[1:] != owner[:-1]
        keep[cand[first]] = True


# Below this many points a plain loop beats the numpy rounds (each costs ~30 small calls).
_SMALL_RDP = 160


def _rdp_small(points: np.ndarray, epsilon: float, keep: np.ndarray) -> np.ndarray:
    """_rdp() for a few points: the same distances and the same choice (the first farthest
    point of a segment), one segment at a time in plain Python."""
    xs = points[:, 0].tolist()
    ys = points[:, 1].tolist()
    kept = np.flatnonzero(keep).tolist()
    out = keep.tolist()
    stack = list(zip(kept[:-1], kept[1:]))
    hypot = math.hypot
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        ax, ay = xs[i], ys[i]
        dx, dy = xs[j] - ax, ys[j] - ay
        norm = hypot(dx, dy)
        best, at = -1.0, -1
        if norm > 0:
            for m in range(i + 1, j):
                d = abs(dx * (ys[m] - ay) - dy * (xs[m] - ax)) / norm
                if d > best:
                    best, at = d, m
        else:
            for m in range(i + 1, j):
                d = hypot(xs[m] - ax, ys[m] - ay)
                if d > best:
                    best, at = d, m
        if best > epsilon:
            out[at] = True
            stack.append((i, at))
            stack.append((at, j))
    return np.array(out, dtype=bool)


def _resample(points: np.ndarray, spacing: float = 1.0) -> np.ndarray:
    """Points every `spacing` units along the polyline (ends kept)."""
    if len(points) < 2:
        return points
    d = np.hypot(*np.diff(points, axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(d)])
    total = cum[-1]
    if total == 0.0:
        return points[:1]
    at = np.arange(0.0, total, spacing)
    if at[-1] != total:
        at = np.append(at, total)
    return np.stack([np.interp(at, cum, points[:, 0]), np.interp(at, cum, points[:, 1])], axis=1)


def _points(drawing) -> tuple[np.ndarray, np.ndarray]:
    """A drawing's points as one (n, 2) float64 array and each stroke's point count.

    The common case (lists or arrays of finite numbers, no empty strokes) is converted in
    one call; anything else goes through validate_drawing, which says what is wrong."""
    if isinstance(drawing, (list, tuple)) and drawing:
        try:
            lengths = np.fromiter((len(s[0]) for s in drawing), dtype=np.int64, count=len(drawing))
            if (
                all(
                    len(s) in (2, 3) and len(s[1]) == len(s[0]) and (len(s) == 2 or len(s[2]) == len(s[0]))
                    for s in drawing
                )
                and lengths.all()
            ):
                xs = np.concatenate([np.asarray(s[0], dtype=np.float64) for s in drawing])
                ys = np.concatenate([np.asarray(s[1], dtype=np.float64) for s in drawing])
                timed = [s[2] for s in drawing if len(s) == 3]
                ts = np.concatenate([np.asarray(t, dtype=np.float64) for t in timed]) if timed else xs[:0]
                if (
                    xs.ndim == 1
                    and ys.ndim == 1
                    and ts.ndim == 1
                    and len(xs) == lengths.sum() == len(ys)
                    and np.isfinite(xs).all()
                    and np.isfinite(ys).all()
                ):
                    return np.stack([xs, ys], axis=1), lengths
        except (TypeError, ValueError, IndexError):
            pass  # validate_drawing says what is wrong
    strokes = validate_drawing(drawing)
    if not strokes:
        return np.zeros((0, 2)), np.zeros(0, np.int64)
    return (
        np.concatenate([np.stack(s[:2], axis=1) for s in strokes]),
        np.array([len(s[0]) for s in strokes], dtype=np.int64),
    )


def _simplify_points(drawing, epsilon: float = 2.0, resample: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """simplify() as arrays: the kept points, rounded, (m, 2) int64, and each stroke's count."""
    cat, lengths = _points(drawing)
    if not len(cat):
        return np.zeros((0, 2), np.int64), lengths
    lo = cat.min(axis=0)
    extent = float((cat.max(axis=0) - lo).max())
    scale = 255.0 / extent if extent > 0 else 1.0
    cat = (cat - lo) * scale
    bounds = np.cumsum(lengths)
    if resample:
        pts = [_resample(p) for p in np.split(cat, bounds[:-1])]
        lengths = np.array([len(p) for p in pts], dtype=np.int64)
        cat = np.concatenate(pts)
        bounds = np.cumsum(lengths)
    # All strokes in one RDP pass, each stroke's ends held fixed.
    ends = np.zeros(len(cat), dtype=bool)
    ends[bounds - 1] = True
    ends[bounds - lengths] = True
    keep = _rdp(cat, epsilon, ends)
    kept_counts = np.add.reduceat(keep.astype(np.int64), bounds - lengths)
    return np.round(cat[keep]).astype(np.int64), kept_counts


def simplify(drawing, epsilon: float = 2.0, resample: bool = True) -> list[list[list[int]]]:
    """Google's simplification: align top-left, scale the larger side to 255, resample at
    1-unit spacing, RDP with epsilon 2. Timing is dropped, as in the simplified files.

    resample=False skips the resampling, for guesses while the player draws: the point
    farthest from a chord always lies at a vertex of the polyline, so RDP keeps the same
    corners either way, only up to one unit (a tenth of a 28x28 pixel) from the grid
    points the resampled version keeps, at a fraction of the cost (tests compare them)."""
    pts, counts = _simplify_points(drawing, epsilon, resample)
    if not len(pts):
        return []
    xs, ys = pts[:, 0].tolist(), pts[:, 1].tolist()
    out, start = [], 0
    for c in counts.tolist():
        out.append([xs[start : start + c], ys[start : start + c]])
        start += c
    return out


# ---------------------------------------------------------------- rasterization


def _segments(strokes: list) -> tuple[np.ndarray, np.ndarray]:
    """Start and end points of every segment; a one-point stroke is a zero-length segment (a dot)."""
    starts, ends = [], []
    for s in strokes:
        pts = np.asarray(s[:2], dtype=np.float32).T
        if len(pts) == 0:
            continue
        if len(pts) == 1:
            starts.append(pts)
            ends.append(pts)
        else:
            starts.append(pts[:-1])
            ends.append(pts[1:])
    if not starts:
        return np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32)
    return np.concatenate(starts), np.concatenate(ends)


def _segments_of_points(pts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """_segments() for points concatenated stroke after stroke, `counts` points each."""
    pts = pts.astype(np.float32)
    counts = counts[counts > 0]
    if len(counts) == len(pts):  # only dots
        return pts, pts
    last = np.cumsum(counts) - 1
    # a segment starts at every point but a stroke's last; a one-point stroke is a dot
    start = np.ones(len(pts), dtype=bool)
    start[last] = False
    start[last[counts == 1]] = True
    i = np.flatnonzero(start)
    j = np.minimum(i + 1, len(pts) - 1)
    dot = np.zeros(len(pts), dtype=bool)
    dot[last[counts == 1]] = True
    j = np.where(dot[i], i, j)
    return pts[i], pts[j]


def _place(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segment ends in sub-pixel units of the 28*k grid, placed as Google places them."""
    offset = (_ORIGINAL_SIDE - np.maximum(a.max(axis=0), b.max(axis=0))) / 2.0  # Google centres by the far corner
    k = _SUPERSAMPLE
    a = (a + offset + _TOTAL_PADDING / 2) * (_SCALE * k)
    b = (b + offset + _TOTAL_PADDING / 2) * (_SCALE * k)
    return a, b


def _transform(simplified) -> tuple[np.ndarray, np.ndarray] | None:
    """Segment ends in sub-pixel units of the 28*k grid, placed as Google places them."""
    a, b = _segments(simplified)
    if len(a) == 0:
        return None
    return _place(a, b)


_STEP = 0.5  # sub-pixels between sample points along a segment (tests: within 8 grey levels of exact)
_REACH = np.arange(-2, 3)
_OFF_X, _OFF_Y = (v.ravel() for v in np.meshgrid(_REACH, _REACH))
# The 5x5 corners are at least 1.5*sqrt(2) = 2.1 sub-pixels from any point in the centre
# cell, beyond the pen's reach (radius + half a sub-pixel = 1.97): skip them.
_NEAR = ~((np.abs(_OFF_X) == 2) & (np.abs(_OFF_Y) == 2))
_OFF_X, _OFF_Y = _OFF_X[_NEAR], _OFF_Y[_NEAR]
# Sub-pixel centres relative to a point's cell, and the cells' offsets in the image padded
# by the reach (2) on every side, so that no index needs a bounds check.
_CELL_X = (_OFF_X + 0.5)[None, :]
_CELL_Y = (_OFF_Y + 0.5)[None, :]
_PADDED = SIDE * _SUPERSAMPLE + 4
_CELL_OFF = (_OFF_Y * _PADDED + _OFF_X)[None, :]


def rasterize(simplified, side: int = SIDE) -> np.ndarray:
    """A simplified drawing (0..255 box) as a (784,) uint8 bitmap, Google's recipe.

    Same picture as rasterize_exact() (tests check they agree within a few grey levels),
    computed from points every half sub-pixel along each segment: each point inks the
    5x5 sub-pixels around it (less the corners), so the cost follows the line's length, not the number of
    segments times the area, and a guess stays within its few-millisecond budget."""
    if side != SIDE:
        raise ValueError("only 28x28 bitmaps are supported (the dataset's size)")
    return _rasterize_segments(*_segments_of_points(*_points(simplified)))


def _rasterize_segments(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """rasterize() from float32 segment ends in the 0..255 box."""
    if len(a) == 0:
        return np.zeros(SIDE * SIDE, np.uint8)
    a, b = _place(a, b)
    a = a.astype(np.float32, copy=False)
    b = b.astype(np.float32, copy=False)
    k = _SUPERSAMPLE
    n = SIDE * k
    d = b - a
    seg_len = np.sqrt(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1])
    counts = np.ceil(seg_len / _STEP).astype(np.int64) + 1
    seg = np.repeat(np.arange(len(a)), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    t = ((np.arange(len(seg)) - first) / np.maximum(counts[seg] - 1, 1)).astype(np.float32)
    pts = a[seg] + d[seg] * t[:, None]
    cell = np.floor(pts)
    # distance from each point to the sub-pixel centres around it, in float64 as exact as
    # (cell + offset + 0.5) - point: the cell and the point are float32, the rest exact
    fx = (pts[:, 0] - cell[:, 0]).astype(np.float64)[:, None]
    fy = (pts[:, 1] - cell[:, 1]).astype(np.float64)[:, None]
    ex = _CELL_X - fx
    ey = _CELL_Y - fy
    cover = _RADIUS_PX * k + 0.5 - np.sqrt(ex * ex + ey * ey)
    ci = cell.astype(np.int64)
    img = np.zeros(_PADDED * _PADDED, np.float64)
    if ci.min() >= 0 and ci.max() < n:
        idx = ((ci[:, 1] + 2) * _PADDED + (ci[:, 0] + 2))[:, None] + _CELL_OFF
        np.maximum.at(img, idx.ravel(), cover.ravel())
    else:  # a drawing outside the 0..255 box: drop what falls off the image
        cx = ci[:, 0:1] + _OFF_X[None, :]
        cy = ci[:, 1:2] + _OFF_Y[None, :]
        ok = (cx >= 0) & (cx < n) & (cy >= 0) & (cy < n)
        np.maximum.at(img, (cy[ok] + 2) * _PADDED + cx[ok] + 2, cover[ok])
    img = np.clip(img.reshape(_PADDED, _PADDED)[2:-2, 2:-2], 0.0, 1.0).astype(np.float32)
    img = img.reshape(SIDE, k, SIDE, k).mean(axis=(1, 3))
    return np.round(img * 255.0).astype(np.uint8).ravel()


def rasterize_exact(simplified, side: int = SIDE) -> np.ndarray:
    """A simplified drawing (0..255 box) as a (side*side,) uint8 bitmap, Google's recipe.

    Google centres the drawing in the 256 box, pads it by 16 + the pen, and draws it with
    cairo (round caps and joins, antialiased) at 28x28. Here the pixel is split 2x2; each
    sub-pixel's ink is the share of its span that the pen's band covers across the nearest
    segment (box-filtered coverage of a straight edge), and the four are averaged. Against
    the dataset's bitmaps that matches ink area, mean ink and saturated share closely
    (tests compare those statistics; 2x2 is as close as 4x4 at a quarter of the cost).
    """
    if side != SIDE:
        raise ValueError("only 28x28 bitmaps are supported (the dataset's size)")
    a, b = _segments(simplified)
    if len(a) == 0:
        return np.zeros(SIDE * SIDE, np.uint8)
    both = np.concatenate([a, b])
    offset = (_ORIGINAL_SIDE - both.max(axis=0)) / 2.0  # Google centres by the far corner
    k = _SUPERSAMPLE
    n = SIDE * k
    a = (a + offset + _TOTAL_PADDING / 2) * (_SCALE * k)
    b = (b + offset + _TOTAL_PADDING / 2) * (_SCALE * k)
    # Only sub-pixels near the drawing's box can get ink: measure distances there only,
    # on whole pixels so the sub-pixel blocks stay aligned.
    lo = (np.floor((np.minimum(a.min(0), b.min(0)) / k) - 1).clip(0, SIDE).astype(int)) * k
    hi = (np.ceil((np.maximum(a.max(0), b.max(0)) / k) + 1).clip(0, SIDE).astype(int)) * k
    ys, xs = np.mgrid[lo[1] : hi[1], lo[0] : hi[0]]
    px = (xs.ravel() + 0.5).astype(np.float32)[:, None]
    py = (ys.ravel() + 0.5).astype(np.float32)[:, None]
    dx = (b[:, 0] - a[:, 0])[None, :]
    dy = (b[:, 1] - a[:, 1])[None, :]
    len2 = dx * dx + dy * dy
    safe = np.where(len2 > 0, len2, 1.0)
    rx = px - a[:, 0][None, :]
    ry = py - a[:, 1][None, :]
    t = np.where(len2 > 0, (rx * dx + ry * dy) / safe, 0.0).clip(0.0, 1.0)
    ex = rx - t * dx
    ey = ry - t * dy
    dist = np.sqrt((ex * ex + ey * ey).min(axis=1))
    cover = np.clip(_RADIUS_PX * k + 0.5 - dist, 0.0, 1.0)
    img = np.zeros((n, n), np.float32)
    img[lo[1] : hi[1], lo[0] : hi[0]] = cover.reshape(ys.shape)
    img = img.reshape(SIDE, k, SIDE, k).mean(axis=(1, 3))
    return np.round(img * 255.0).astype(np.uint8).ravel()


def render(drawing, resample: bool = True) -> np.ndarray:
    """Any drawing (raw or simplified strokes) -> the dataset's 28x28 bitmap, (784,) uint8."""
    pts, counts = _simplify_points(drawing, resample=resample)
    return _rasterize_segments(*_segments_of_points(pts, counts))


# ---------------------------------------------------------------- ndjson


def parse_ndjson_line(line: str) -> dict:
    """One Quick, Draw! ndjson line -> its dict with a validated `drawing`; StrokeError if bad."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise StrokeError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict) or "drawing" not in obj:
        raise StrokeError('expected an object with a "drawing" key')
    obj["drawing"] = validate_drawing(obj["drawing"])
    if not obj["drawing"]:
        raise StrokeError("the drawing has no points")
    return obj


def read_ndjson(path, limit: int | None = None) -> Iterable[dict]:
    """Drawings of an ndjson file, skipping nothing silently: a bad line raises with its number."""
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if limit is not None and n > limit:
                return
            if line.strip():
                try:
                    yield parse_ndjson_line(line)
                except StrokeError as exc:
                    raise StrokeError(f"{path}:{n}: {exc}") from None


# ---------------------------------------------------------------- bitmaps -> strokes


def _thin(ink: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a batch of boolean images (N, H, W) to 1-pixel skeletons."""
    img = np.pad(ink.astype(bool), ((0, 0), (1, 1), (1, 1)))
    while True:
        changed = False
        for step in (0, 1):
            p = img
            n_, ne, e, se = p[:, :-2, 1:-1], p[:, :-2, 2:], p[:, 1:-1, 2:], p[:, 2:, 2:]
            s, sw, w, nw = p[:, 2:, 1:-1], p[:, 2:, :-2], p[:, 1:-1, :-2], p[:, :-2, :-2]
            ring = [n_, ne, e, se, s, sw, w, nw, n_]
            b = sum(r.astype(np.int8) for r in ring[:8])
            a = sum(((~ring[i]) & ring[i + 1]).astype(np.int8) for i in range(8))
            if step == 0:
                c1 = ~(n_ & e & s)
                c2 = ~(e & s & w)
            else:
                c1 = ~(n_ & e & w)
                c2 = ~(n_ & s & w)
            centre = p[:, 1:-1, 1:-1]
            remove = centre & (b >= 2) & (b <= 6) & (a == 1) & c1 & c2
            if remove.any():
                changed = True
                img = img.copy()
                img[:, 1:-1, 1:-1] = centre & ~remove
        if not changed:
            return img[:, 1:-1, 1:-1]


_NEIGH = [(-1, 0), (0, 1), (1, 0), (0, -1), (-1, 1), (1, 1), (1, -1), (-1, -1)]


def _trace(skel: np.ndarray) -> list[list[tuple[int, int]]]:
    """Split a skeleton (H, W bool) into pixel paths between endpoints and junctions, and loops."""
    h, w = skel.shape
    on = {(int(r), int(c)) for r, c in zip(*np.nonzero(skel))}

    def neighbours(p):
        r, c = p
        out = []
        for dr, dc in _NEIGH:
            q = (r + dr, c + dc)
            if q not in on:
                continue
            # A diagonal step is redundant when a 4-neighbour joins the two pixels already:
            # dropping it keeps staircase corners from looking like junctions.
            if dr and dc and ((r + dr, c) in on or (r, c + dc) in on):
                continue
            out.append(q)
        return out

    adj = {p: neighbours(p) for p in on}
    used: set[frozenset] = set()
    paths = []

    def walk(start, nxt):
        path = [start, nxt]
        used.add(frozenset((start, nxt)))
        prev, cur = start, nxt
        while len(adj[cur]) == 2:
            step = [q for q in adj[cur] if q != prev and frozenset((cur, q)) not in used]
            if not step:
                break
            prev, cur = cur, step[0]
            used.add(frozenset((prev, cur)))
            path.append(cur)
        return path

    nodes = sorted(p for p in on if len(adj[p]) != 2)
    for p in nodes:
        if not adj[p]:
            paths.append([p])  # an isolated dot
        for q in adj[p]:
            if frozenset((p, q)) not in used:
                paths.append(walk(p, q))
    for p in sorted(on):  # what is left is closed loops with no junction
        for q in adj[p]:
            if frozenset((p, q)) not in used:
                paths.append(walk(p, q))
    return paths


# Joining traced paths through a junction where the line runs on within this angle gives
# as many strokes per drawing as people draw: on the stroke files of the 325 categories
# that are not among the 20, people drew 5.0 strokes a drawing (median 4); tracing the
# renders of the same drawings gave 8.8 paths (median 6) unjoined, and joined within
# 20/30/40/50 degrees 6.2/4.9/4.6/4.0 (median 4/4/3/3). tools/evaluate_recognizer.py
# prints the same comparison on every run.
JOIN_DEGREES = 30.0


def _end_direction(path: list, at_start: bool, k: int = 3) -> np.ndarray:
    """Unit vector pointing from a path's end into the path, over its last k pixels."""
    a = np.asarray(path[0] if at_start else path[-1], dtype=np.float64)
    b = np.asarray(path[min(k, len(path) - 1)] if at_start else path[max(-k - 1, -len(path))], dtype=np.float64)
    d = b - a
    n = float(np.hypot(*d))
    return d / n if n else d


def join_paths(paths: list, max_turn_degrees: float = JOIN_DEGREES) -> list:
    """Join pixel paths that meet at a junction and run on through it (turning less than
    `max_turn_degrees`), straightest pair first, as one pen stroke would have drawn them.

    Skeleton tracing breaks a stroke wherever another crosses it; people's strokes run
    through crossings. Closed paths and single dots are left alone."""
    paths = [list(p) for p in paths]
    # Two ends continue each other when their inward directions are nearly opposite.
    limit = -float(np.cos(np.radians(max_turn_degrees)))
    while True:
        ends: dict = {}
        for i, p in enumerate(paths):
            if len(p) >= 2 and p[0] != p[-1]:
                ends.setdefault(p[0], []).append((i, True))
                ends.setdefault(p[-1], []).append((i, False))
        best = None
        for meeting in ends.values():
            for x in range(len(meeting)):
                for y in range(x + 1, len(meeting)):
                    (i, i_start), (j, j_start) = meeting[x], meeting[y]
                    if i == j:
                        continue
                    c = float(_end_direction(paths[i], i_start) @ _end_direction(paths[j], j_start))
                    if c <= limit and (best is None or c < best[0]):
                        best = (c, i, i_start, j, j_start)
        if best is None:
            return paths
        _, i, i_start, j, j_start = best
        into = paths[i][::-1] if i_start else paths[i]  # ends at the junction
        onwards = paths[j] if j_start else paths[j][::-1]  # starts there
        paths[i] = into + onwards[1:]
        del paths[j]


def smooth_path(arr: np.ndarray, reach: int) -> np.ndarray:
    """A pixel path (P, 2) averaged over `reach` pixels either side, its ends kept.

    A skeleton path steps from pixel to pixel; a pen stroke does not. A closed path wraps
    round. Near the ends the window shrinks so the path still starts and ends where it did."""
    n = len(arr)
    if reach <= 0 or n < 3:
        return arr
    closed = n > 3 and tuple(arr[0]) == tuple(arr[-1])
    if closed:
        ring = arr[:-1]
        m = len(ring)
        idx = (np.arange(m)[:, None] + np.arange(-reach, reach + 1)[None, :]) % m
        out = ring[idx].mean(axis=1)
        return np.vstack([out, out[:1]])
    k = np.minimum(np.minimum(np.arange(n), np.arange(n)[::-1]), reach)
    csum = np.vstack([np.zeros((1, 2)), np.cumsum(arr, axis=0)])
    i = np.arange(n)
    return (csum[i + k + 1] - csum[i - k]) / (2 * k + 1)[:, None]


def trace_bitmaps(
    bitmaps: np.ndarray,
    threshold: int = 100,
    min_len: int = 2,
    join_degrees: float | None = None,
    smooth: int = 0,
) -> list[list]:
    """Bitmaps (N, 784) -> for each, a list of strokes ``[[xs], [ys]]`` in the 256 box,
    longest first.

    The 20 bitmap categories come without strokes; tracing the ink's skeleton gives
    stroke-like paths so partial drawings can be made and measured the way the game sees
    them (a prefix of the strokes, re-simplified and rendered). Paths run between ends and
    junctions, so a stroke that crosses another becomes several paths, unless
    `join_degrees` joins those that run on through a junction (join_paths); `smooth`
    averages each path over that many pixels either side (smooth_path). Ordering
    longest first follows the dataset's tendency to draw the main outline first (the
    evaluation also reports a random order).
    """
    ink = np.asarray(bitmaps).reshape(-1, SIDE, SIDE) >= threshold
    skels = _thin(ink)
    out = []
    for skel in skels:
        paths = [p for p in _trace(skel) if len(p) >= min_len] or [p for p in _trace(skel)]
        if join_degrees is not None:
            paths = join_paths(paths, join_degrees)
        paths.sort(key=lambda p: (-len(p), p[0]))
        strokes = []
        for p in paths:
            arr = smooth_path(np.asarray(p, dtype=np.float64), smooth)
            # pixel centre -> the 256 box of the render (up to the offset simplify() removes)
            xs = (arr[:, 1] + 0.5) / _SCALE
            ys = (arr[:, 0] + 0.5) / _SCALE
            strokes.append([xs.round(1).tolist(), ys.round(1).tolist()])
        out.append(strokes)
    return out
