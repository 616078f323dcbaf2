"""Strokes -> Quick, Draw! formats: simplification, rasterization, tracing, validation."""

import json

import numpy as np
import pytest

from game.minigames.drawing import data as D
from game.minigames.drawing import strokes as S
from tests.conftest import quickdraw_dir


def _stats(bitmaps):
    b = np.asarray(bitmaps).reshape(-1, 28, 28).astype(float)
    ink = b > 0
    rows, cols = b.max(2) > 0, b.max(1) > 0
    return {
        "ink_area": ink.mean(),
        "mean_ink": b[ink].mean(),
        "saturated": (b == 255).sum() / ink.sum(),
        # Google centres each drawing: top margin ~ bottom margin, left ~ right
        "v_asym": np.mean(rows.argmax(1) - rows[:, ::-1].argmax(1)),
        "h_asym": np.mean(cols.argmax(1) - cols[:, ::-1].argmax(1)),
        "longer_side_span": np.mean(
            np.maximum(27 - rows[:, ::-1].argmax(1) - rows.argmax(1), 27 - cols[:, ::-1].argmax(1) - cols.argmax(1))
        ),
    }


def test_simplify_follows_googles_recipe():
    raw = [[[100, 150, 200, 300], [50, 50.5, 51, 50], [0, 10, 20, 30]], [[100, 100], [50, 250], [40, 50]]]
    out = S.simplify(raw)
    xs = [x for st in out for x in st[0]]
    ys = [y for st in out for y in st[1]]
    assert min(xs) == 0 and min(ys) == 0, "aligned to the top-left"
    assert max(max(xs), max(ys)) == 255, "larger side scaled to 255"
    assert len(out[0][0]) == 2, "RDP (epsilon 2) drops the nearly collinear middle points"
    assert all(len(st) == 2 for st in out), "timing dropped, as in the simplified files"


def test_rdp_keeps_corners_and_stroke_ends():
    square = [[[0, 100, 100, 0, 0], [0, 0, 100, 100, 0]]]
    out = S.simplify(square, resample=True)
    assert len(out[0][0]) == 5
    two = S.simplify([[[0, 50, 100], [0, 0, 0]], [[0, 100], [100, 100]]])
    assert [len(s[0]) for s in two] == [2, 2]


def test_fast_simplify_matches_the_resampled_recipe():
    d = quickdraw_dir()
    raws = [o["drawing"] for o in S.read_ndjson(sorted((d / "strokes" / "raw").glob("*.ndjson"))[3], limit=25)]
    full = np.stack([S.render(r, resample=True) for r in raws]).astype(int)
    fast = np.stack([S.render(r, resample=False) for r in raws]).astype(int)
    assert np.abs(full - fast).mean() < 2.0  # grey levels of 255


def test_simplify_of_raw_matches_the_simplified_files():
    """Raw drawings (with timing) and the simplified files share key_ids. Some simplified
    files are Google's, some were computed with the same recipe by whoever gathered the
    data (see SOURCES.md), so this checks agreement, not independent ground truth."""
    d = quickdraw_dir()
    counts_mine, counts_theirs, diffs = [], [], []
    for path in sorted((d / "strokes" / "raw").glob("*.ndjson"))[:40:4]:
        simp = {o["key_id"]: o["drawing"] for o in S.read_ndjson(d / "strokes" / "simplified" / path.name)}
        for obj in S.read_ndjson(path, limit=10):
            theirs = simp.get(obj["key_id"])
            if theirs is None:
                continue
            mine = S.simplify(obj["drawing"])
            counts_mine.append(sum(len(s[0]) for s in mine))
            counts_theirs.append(sum(len(s[0]) for s in theirs))
            diffs.append(np.abs(S.rasterize(mine).astype(int) - S.rasterize(theirs)).mean())
    assert len(diffs) >= 30
    assert np.corrcoef(counts_mine, counts_theirs)[0, 1] > 0.95
    assert np.median(diffs) < 3.0, "the same drawing renders to (nearly) the same bitmap"


def test_rasterized_strokes_look_like_the_dataset_bitmaps():
    """The stroke files are other categories than the bitmaps, so no drawing exists in both
    forms: compare the statistics Google's renderer fixes (pen width, antialiasing,
    padding, centring) over many drawings of each kind."""
    d = quickdraw_dir()
    dataset = np.concatenate([np.load(f)[:150] for f in sorted((d / "bitmaps").glob("*.npy"))])
    ours = np.stack(
        [
            S.rasterize(o["drawing"])
            for f in sorted((d / "strokes" / "simplified").glob("*.ndjson"))[::6]
            for o in S.read_ndjson(f, limit=20)
        ]
    )
    a, b = _stats(dataset), _stats(ours)
    assert abs(a["ink_area"] - b["ink_area"]) / a["ink_area"] < 0.08
    assert abs(a["mean_ink"] - b["mean_ink"]) / a["mean_ink"] < 0.08
    assert abs(a["saturated"] - b["saturated"]) < 0.06
    assert abs(b["v_asym"]) < 0.5 and abs(b["h_asym"]) < 0.5 and abs(a["v_asym"]) < 0.5
    assert abs(a["longer_side_span"] - b["longer_side_span"]) < 1.0


def test_fast_rasterizer_agrees_with_the_exact_one():
    d = quickdraw_dir()
    drawings = [
        o["drawing"]
        for f in sorted((d / "strokes" / "simplified").glob("*.ndjson"))[::25]
        for o in S.read_ndjson(f, limit=8)
    ]
    fast = np.stack([S.rasterize(x) for x in drawings]).astype(int)
    exact = np.stack([S.rasterize_exact(x) for x in drawings]).astype(int)
    assert np.abs(fast - exact).max() <= 8
    assert np.abs(fast - exact).mean() < 0.5


def test_rasterize_draws_a_dot_and_an_empty_drawing():
    assert S.rasterize([]).sum() == 0
    dot = S.rasterize([[[10], [10]]]).reshape(28, 28)
    assert dot.max() > 100 and (dot > 0).sum() < 12


def test_traced_bitmaps_render_back_close_to_the_original():
    d = quickdraw_dir()
    classes, arrays = D.load_bitmaps(d)
    x = np.concatenate([a[D.split_indices(len(a), c)["test"][:10]] for c, a in enumerate(arrays)])
    traced = S.trace_bitmaps(x)
    assert all(len(t) >= 1 for t in traced)
    back = np.stack([S.render(t) for t in traced]).astype(float)
    corr = [np.corrcoef(a, b)[0, 1] for a, b in zip(back, x.astype(float))]
    # sub-pixel shifts from re-centring keep this well below 1; a wrong trace is near 0
    assert np.median(corr) > 0.5


def _cross_bitmap(horizontal=True, vertical=True, diagonal=False):
    """A 28x28 bitmap with thick lines through the middle: the shapes a tracer meets."""
    img = np.zeros((28, 28), np.uint8)
    if horizontal:
        img[13:15, 3:25] = 255
    if vertical:
        img[3:25, 13:15] = 255
    if diagonal:
        for i in range(4, 24):
            img[i, max(0, i - 1) : i + 1] = 255
    return img.reshape(1, 784)


def test_joining_runs_a_stroke_on_through_a_crossing():
    # A plus sign is two pen strokes; the skeleton breaks it into four arms at the crossing.
    plus = _cross_bitmap()
    assert len(S.trace_bitmaps(plus)[0]) == 4
    joined = S.trace_bitmaps(plus, join_degrees=S.JOIN_DEGREES)[0]
    assert len(joined) == 2
    # each joined stroke runs straight across the drawing, one across, one down
    spans = sorted((np.ptp(xs) > 100, np.ptp(ys) > 100) for xs, ys in joined)
    assert spans == [(False, True), (True, False)]


def test_joining_keeps_a_corner_where_the_line_turns_sharply():
    # A T: the bar runs on through the junction, the stem turns 90 degrees and stays apart.
    tee = _cross_bitmap()
    tee.reshape(28, 28)[3:13, 13:15] = 0
    assert len(S.trace_bitmaps(tee)[0]) == 3
    assert len(S.trace_bitmaps(tee, join_degrees=S.JOIN_DEGREES)[0]) == 2
    # a turn of more than the limit is never joined, whatever the limit elsewhere
    assert len(S.trace_bitmaps(tee, join_degrees=10.0)[0]) == 2
    assert len(S.join_paths([[(0, 0), (0, 1), (0, 2), (0, 3)], [(0, 3), (1, 3), (2, 3), (3, 3)]])) == 2


def test_joined_traces_draw_the_same_ink():
    d = quickdraw_dir()
    classes, arrays = D.load_bitmaps(d)
    x = np.concatenate([a[D.split_indices(len(a), c)["test"][:5]] for c, a in enumerate(arrays)])
    plain, joined = S.trace_bitmaps(x), S.trace_bitmaps(x, join_degrees=S.JOIN_DEGREES)
    assert sum(map(len, joined)) < 0.8 * sum(map(len, plain))
    # the whole drawing renders exactly as before: joining only regroups the same pixels
    for a, b in zip(plain, joined):
        assert np.array_equal(D.partial_bitmap(a, 1.0), D.partial_bitmap(b, 1.0))


def test_smoothing_turns_a_pixel_staircase_into_a_line():
    # A diagonal traced as 4-connected steps: each corner is a right angle.
    stairs = np.array([(i // 2 + i % 2, i // 2) for i in range(13)], dtype=float)
    smooth = S.smooth_path(stairs, 1)
    assert (smooth[0] == stairs[0]).all() and (smooth[-1] == stairs[-1]).all()  # ends stay put
    # the inner points lie nearly on the diagonal; the steps sat half a pixel off it
    off = lambda p: np.abs(p[1:-1, 0] - p[1:-1, 1] - 0.5).max()  # noqa: E731
    assert off(stairs) == 0.5
    assert off(smooth) < 0.2
    assert (S.smooth_path(stairs, 0) == stairs).all()
    # a closed loop stays closed and is averaged all round
    ring = np.array([(0, 0), (0, 1), (0, 2), (1, 2), (2, 2), (2, 1), (2, 0), (1, 0), (0, 0)], dtype=float)
    round_ring = S.smooth_path(ring, 1)
    assert (round_ring[0] == round_ring[-1]).all()
    assert np.allclose(round_ring[:-1].mean(axis=0), ring[:-1].mean(axis=0))
    assert not (round_ring[0] == ring[0]).all()  # the corner was rounded too


def test_smoothed_traces_keep_their_paths_and_their_place():
    d = quickdraw_dir()
    classes, arrays = D.load_bitmaps(d)
    x = np.concatenate([a[D.split_indices(len(a), c)["test"][:3]] for c, a in enumerate(arrays)])
    for plain, smooth in zip(S.trace_bitmaps(x), S.trace_bitmaps(x, smooth=1)):
        assert [len(s[0]) for s in plain] == [len(s[0]) for s in smooth]
        a, b = D.partial_bitmap(plain, 1.0).astype(float), D.partial_bitmap(smooth, 1.0).astype(float)
        assert np.corrcoef(a, b)[0, 1] > 0.8


def test_partial_drawings_grow_with_the_strokes():
    strokes = [[[0, 100], [0, 0]], [[0, 0], [0, 100]], [[0, 100], [100, 100]], [[100, 100], [0, 100]]]
    inks = [D.partial_bitmap(strokes, f).astype(bool).sum() for f in (0.25, 0.5, 0.75, 1.0)]
    assert D.partial_count(4, 0.25) == 1 and D.partial_count(4, 0.5) == 2 and D.partial_count(9, 0.5) == 5
    assert inks[0] < inks[-1]


@pytest.mark.parametrize(
    "line, message",
    [
        ("not json", "not JSON"),
        ('{"word": "cat"}', '"drawing"'),
        ('{"drawing": [[[1, 2], [3]]]}', "same length"),
        ('{"drawing": [[[1, "a"], [3, 4]]]}', "not a number"),
        ('{"drawing": []}', "no points"),
        ('{"drawing": [[[1, 2]]]}', "[xs, ys]"),
    ],
)
def test_bad_ndjson_lines_say_what_is_wrong(line, message):
    with pytest.raises(S.StrokeError, match=message.replace("[", r"\[").replace("]", r"\]")):
        S.parse_ndjson_line(line)


def test_read_ndjson_names_the_line(tmp_path):
    f = tmp_path / "x.ndjson"
    f.write_text(json.dumps({"drawing": [[[1, 2], [3, 4]]]}) + "\n{oops\n")
    with pytest.raises(S.StrokeError, match=r"x.ndjson:2: not JSON"):
        list(S.read_ndjson(f))


def test_the_fused_render_matches_simplify_then_rasterize(monkeypatch):
    """render() (what a guess runs) keeps the points in arrays and RDPs short inputs in a
    plain loop; both shortcuts must give the very bitmaps of the general path."""
    d = quickdraw_dir()
    raws = [o["drawing"] for o in S.read_ndjson(sorted((d / "strokes" / "raw").glob("*.ndjson"))[5], limit=20)]
    for raw in raws:
        for resample in (True, False):
            assert np.array_equal(S.render(raw, resample=resample), S.rasterize(S.simplify(raw, resample=resample)))
    rng = np.random.default_rng(0)
    walks = [rng.normal(0, 6, (n, 2)).cumsum(axis=0) for n in (3, 12, 60, 150)]
    walks.append(np.repeat(walks[1], 2, axis=0))  # repeated points: zero-length chords
    for pts in walks:
        fixed = np.zeros(len(pts), dtype=bool)
        fixed[len(pts) // 3] = True
        loop = S._rdp(pts, 2.0, fixed)
        monkeypatch.setattr(S, "_SMALL_RDP", 0)
        rounds = S._rdp(pts, 2.0, fixed)
        monkeypatch.undo()
        assert np.array_equal(loop, rounds)


def test_rasterize_clips_a_drawing_outside_the_box():
    big = [[[0, 500, -40], [0, 600, 300]], [[7], [9]]]
    fast = S.rasterize(big).astype(int)
    exact = S.rasterize_exact(big).astype(int)
    assert fast.max() == 255 and np.abs(fast - exact).max() <= 8
