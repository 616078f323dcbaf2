"""The evaluation's checks against real people's strokes: stroke counts, the fitted order,
and the look-alike categories whose real stroke order can be compared with traced paths."""

import json

import numpy as np
import pytest

from game.minigames.drawing.recognizer import embedded
from game.minigames.drawing.strokes import read_ndjson
from tests.conftest import load_tool, quickdraw_dir

E = load_tool("evaluate_recognizer")


@pytest.fixture(scope="module")
def people():
    return E.human_drawings(quickdraw_dir(), per_file=2, files=120)


def test_joined_paths_count_like_peoples_strokes(people):
    counts = E.stroke_counts(people)
    assert counts["people"][0] == pytest.approx(np.mean([len(d) for d in people]))
    # unjoined tracing breaks strokes at every crossing; joining brings the count back
    # within a stroke of people's
    assert counts["traced"][0] > counts["people"][0] + 2
    assert abs(counts["joined"][0] - counts["people"][0]) < 1.0


def test_the_fitted_order_draws_peoples_share_of_the_line(people):
    human = E.length_share(people)
    traced = E.trace_bitmaps(np.stack([E.rasterize(d) for d in people]))
    rng = np.random.default_rng(1)
    lengths = [E.D.path_lengths(t) for t in traced]
    gumbel = [rng.gumbel(size=len(t)) for t in traced]
    tau, orders, share = E.fit_order(traced, lengths, gumbel, human)
    assert tau in E.TAUS and len(orders) == len(traced)
    assert all(sorted(o) == list(range(len(t))) for o, t in zip(orders, traced))
    # closer to people than either extreme it was chosen between
    err = sum((share[f] - human[f]) ** 2 for f in E.FRACTIONS[:3])
    for extreme in (0.0, 3.0):
        other = E.length_share(traced, [E.D.human_like_order(ln, g, extreme) for ln, g in zip(lengths, gumbel)])
        assert err <= sum((other[f] - human[f]) ** 2 for f in E.FRACTIONS[:3])


def test_lookalike_check_reads_real_strokes_in_peoples_order(tmp_path):
    src = quickdraw_dir() / "strokes" / "simplified"
    (tmp_path / "strokes" / "simplified").mkdir(parents=True)
    for name in ("duck", "swan"):  # birds; the other look-alike files are absent here
        lines = (src / f"{name}.ndjson").read_text().splitlines()[:12]
        (tmp_path / "strokes" / "simplified" / f"{name}.ndjson").write_text("\n".join(lines) + "\n")
    out = E.lookalike_check(embedded(), tmp_path, {"traced": 1.0, "joined": 2.0})
    assert out["drawings"] == 24
    assert out["complete"] >= 0.5  # drawn ducks and swans are mostly seen as birds
    for k in ("25%", "50%", "75%"):
        assert set(out[k]) == {"real strokes", "traced", "joined"}
        assert all(0.0 <= v <= 1.0 for v in out[k].values())
    # the first quarter of people's strokes is not yet the whole bird
    assert out["25%"]["real strokes"] <= out["complete"]
    assert json.dumps(out)  # what --write stores
    assert E.lookalike_check(embedded(), tmp_path / "nowhere", {"traced": 1.0, "joined": 2.0}) is None


def test_people_order_their_strokes_as_the_files_say():
    # the check rests on the stroke files keeping people's drawing order
    first = next(read_ndjson(quickdraw_dir() / "strokes" / "raw" / "duck.ndjson"))["drawing"]
    starts = [s[2][0] for s in first if len(s) > 2]
    assert starts == sorted(starts)


def test_a_broken_stroke_file_is_named_not_a_traceback(tmp_path, capsys):
    data = tmp_path / "quickdraw"
    (data / "bitmaps").mkdir(parents=True)
    (data / "strokes" / "simplified").mkdir(parents=True)
    src = quickdraw_dir() / "bitmaps"
    for f in src.glob("*.npy"):
        (data / "bitmaps" / f.name).symlink_to(f)
    (data / "strokes" / "simplified" / "duck.ndjson").write_text('{"drawing": [[[1, 2], [3]]]}\n')
    assert E.main(["--data", str(data), "--limit", "2"]) == 2
    err = capsys.readouterr().err
    assert "duck.ndjson:1:" in err and "same length" in err


def test_peoples_own_strokes_of_the_categories_are_measured_when_present(tmp_path):
    """Stroke files of the recognizer's own categories (none ship here; kept-aside ones
    would) are measured directly: k% of people's strokes in their order."""
    src = quickdraw_dir() / "strokes"
    (tmp_path / "strokes" / "simplified").mkdir(parents=True)
    (tmp_path / "strokes" / "raw").mkdir(parents=True)
    # ducks stand in for birds (simplified), sharks for fish (raw, with timings)
    ducks = (src / "simplified" / "duck.ndjson").read_text().splitlines()[:10]
    (tmp_path / "strokes" / "simplified" / "bird.ndjson").write_text("\n".join(ducks) + "\n")
    sharks = (src / "raw" / "shark.ndjson").read_text().splitlines()[:10]
    (tmp_path / "strokes" / "raw" / "fish.ndjson").write_text("\n".join(sharks) + "\n")
    out = E.own_strokes_check(embedded(), tmp_path)
    assert (out["drawings"], out["categories"]) == (20, 2)
    assert out["complete"][0] >= 0.5
    assert out["25%"][0] <= out["complete"][0]
    assert all(out[k][0] <= out[k][1] for k in ("complete", "25%", "50%", "75%"))  # top-1 within top-3
    assert json.dumps(E._rounded(out))
    assert E.own_strokes_check(embedded(), tmp_path / "nowhere") is None


def test_the_baseline_calibration_maps_the_baseline_onto_its_own_figure():
    """Measured against itself, a network's half-drawn figure maps exactly onto the figure
    the baseline was set beside; a network better at half maps above it."""
    rec = embedded()
    cats = np.load(quickdraw_dir() / "bitmaps" / "cat.npy")[:60]
    y = np.full(60, rec.classes.index("cat"))
    traced = E.trace_bitmaps(cats)
    half = np.stack([E.D.partial_bitmap(t, 0.5) for t in traced])
    own_half = E.topk(rec.probabilities(half), y)[0]
    same = E.baseline_calibration(rec, cats, y, half, own_half)
    assert same["half_top1_estimated_on_that_footing"] == pytest.approx(E.BASELINE_SET_BESIDE["half_top1"], abs=1e-6)
    better = E.baseline_calibration(rec, cats, y, half, min(1.0, own_half + 0.1))
    assert better["half_top1_estimated_on_that_footing"] > E.BASELINE_SET_BESIDE["half_top1"]
    assert better["log_odds_shift"] == same["log_odds_shift"]


def test_a_missing_baseline_is_named(tmp_path, capsys):
    (tmp_path / "data" / "bitmaps").mkdir(parents=True)  # needs no dataset: refused before reading one
    assert E.main(["--data", str(tmp_path / "data"), "--baseline", str(tmp_path / "nothing")]) == 2
    assert "nothing" in capsys.readouterr().err


def test_the_shipped_estimate_follows_from_the_shipped_figures():
    """The half-drawn estimate stored beside the shipped weights is the traced figure
    carried over by the rebuilt baseline's shift, not a number written in by hand."""
    measured = json.loads(E.META.read_text())["measured"]
    cal = measured["baseline_calibration"]
    traced_half = measured["partial_human_like_order"]["50%"]["top1"]
    shift = E._logit(cal["baseline_half_set_beside"]) - E._logit(cal["baseline_half_traced"][0])
    assert cal["log_odds_shift"] == pytest.approx(shift, abs=2e-3)
    assert cal["half_top1_estimated_on_that_footing"] == pytest.approx(
        1 / (1 + np.exp(-(E._logit(traced_half) + shift))), abs=2e-3
    )
    assert cal["baseline_half_traced"][0] < traced_half  # the baseline is behind on the same measure


def test_stroke_files_alone_are_measured(tmp_path, capsys):
    """A folder of stroke files of the 20 categories, without bitmaps (kept-aside drawings),
    is measured on its own."""
    src = quickdraw_dir() / "strokes" / "simplified"
    (tmp_path / "strokes" / "simplified").mkdir(parents=True)
    lines = (src / "duck.ndjson").read_text().splitlines()[:6]
    (tmp_path / "strokes" / "simplified" / "bird.ndjson").write_text("\n".join(lines) + "\n")
    assert E.main(["--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "6 drawings of 1" in out and "50% of strokes: top-1" in out
    (tmp_path / "strokes" / "simplified" / "bird.ndjson").rename(tmp_path / "strokes" / "simplified" / "duck.ndjson")
    assert E.main(["--data", str(tmp_path)]) == 2
    assert "no stroke files of airplane" in capsys.readouterr().err
    assert E.main(["--data", str(tmp_path / "empty")]) == 2


def test_an_empty_bitmaps_folder_is_named(tmp_path, capsys):
    (tmp_path / "bitmaps").mkdir()
    assert E.main(["--data", str(tmp_path)]) == 2
    assert "no bitmaps/*.npy under" in capsys.readouterr().err


def test_a_folder_of_peoples_strokes_named_by_word_is_measured(tmp_path, capsys):
    """strokes20_dev/'s layout: one ndjson of drawings of several categories, each line
    naming its category in "word", measured in the game's frame and the finished box."""
    src = quickdraw_dir() / "strokes" / "simplified"
    lines = []
    for name, word in (("duck", "bird"), ("shark", "fish")):
        for line in (src / f"{name}.ndjson").read_text().splitlines()[:5]:
            obj = json.loads(line)
            obj["word"] = word
            lines.append(json.dumps(obj))
    (tmp_path / "people_simplified.ndjson").write_text("\n".join(lines) + "\n")
    out = E.own_strokes_check(embedded(), tmp_path)
    assert (out["drawings"], out["categories"]) == (10, 2)
    assert set(out["in_final_frame"]) == {"25%", "50%", "75%"}
    assert all(a1 <= a3 for a1, a3 in out["in_final_frame"].values())
    assert E.main(["--data", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "10 drawings of 2" in printed and "ms per guess" in printed and "finished drawing's box" in printed
    # a drawing of a category the recognizer does not know is named, not a KeyError
    obj["word"] = "submarine"
    (tmp_path / "people_simplified.ndjson").write_text(json.dumps(obj) + "\n")
    assert E.main(["--data", str(tmp_path)]) == 2
    assert "submarine" in capsys.readouterr().err
