"""tools/blend_recognizer.py: a point between two exported recognizers, chosen by the
validation-and-look-alikes rule, written as weights the game reads."""

import json
import shutil

import numpy as np
import pytest

from game.minigames.drawing import data as D
from game.minigames.drawing import recognizer as R
from tests.conftest import load_tool, quickdraw_dir


@pytest.fixture(scope="module")
def blender():
    return load_tool("blend_recognizer")


def _weights(folder, change=None):
    """The shipped weights copied to `folder`, with `change(params)` applied."""
    folder.mkdir()
    shutil.copy(R.META, folder / "recognizer.json")
    with np.load(R.WEIGHTS) as z:
        params = {k: z[k].copy() for k in z.files}
    if change:
        change(params)
    np.savez(folder / "recognizer.npz", **params)
    return folder


def _cache_and_data(tmp_path):
    """Validation bitmaps (a few per class, from the validation split) and one look-alike stroke file."""
    root = quickdraw_dir()
    classes, arrays = D.load_bitmaps(root)
    x, y = D.split_rows(arrays, "val", 8)
    cache = tmp_path / "prep.npz"
    np.savez(cache, classes=np.array(classes), val_x=x, val_y=y, val_px=x)
    data = tmp_path / "data"
    (data / "strokes" / "simplified").mkdir(parents=True)
    lines = (root / "strokes" / "simplified" / "duck.ndjson").read_text().splitlines()[:20]
    (data / "strokes" / "simplified" / "duck.ndjson").write_text("\n".join(lines) + "\n")
    return cache, data


def _push_to_book(params):
    # a network that says "book" to everything: clearly worse than the shipped one
    params["dense1_b"][R.embedded().classes.index("book")] += 1000


def test_blends_are_the_weighted_mean_and_the_ends_are_the_networks(blender, tmp_path):
    a = _weights(tmp_path / "a")
    b = _weights(tmp_path / "b", _push_to_book)
    base, _ = blender.read_weights(a)
    cand, _ = blender.read_weights(b)
    for k in base:
        assert np.array_equal(blender.blend(base, cand, 0.0)[k], base[k])
        assert np.array_equal(blender.blend(base, cand, 1.0)[k], cand[k])
    mid = blender.blend(base, cand, 0.25)["dense1_b"].astype(np.float32)
    expected = 0.75 * base["dense1_b"].astype(np.float32) + 0.25 * cand["dense1_b"].astype(np.float32)
    assert np.allclose(mid, expected, atol=0.5)  # float16 on disk


@pytest.mark.parametrize("broken", ["candidate", "base"])
def test_the_better_end_is_chosen_by_the_rule_and_written_for_the_game(blender, tmp_path, broken, capsys):
    cache, data = _cache_and_data(tmp_path)
    good = _weights(tmp_path / "good")
    bad = _weights(tmp_path / "bad", _push_to_book)
    base, candidate = (good, bad) if broken == "candidate" else (bad, good)
    out = tmp_path / "out"
    args = [str(base), str(candidate), "--out", str(out), "--cache", str(cache), "--data", str(data)]
    assert blender.main(args + ["--shares", "0,0.5,1"]) == 0
    meta = json.loads((out / "recognizer.json").read_text())
    assert meta["blended"]["candidate_share"] == (0.0 if broken == "candidate" else 1.0)
    assert set(meta["blended"]["tried"]) == {"0", "0.5", "1"}
    assert "chose share" in capsys.readouterr().out
    # what was written is the good network, read by the game's own runtime
    rec = R.EmbeddedRecognizer(out / "recognizer.npz", out / "recognizer.json")
    x = np.load(cache)["val_x"]
    assert (rec.probabilities(x).argmax(1) == R.embedded().probabilities(x).argmax(1)).all()


def test_networks_of_other_shapes_or_bad_shares_are_refused_with_a_message(blender, tmp_path, capsys):
    a = _weights(tmp_path / "a")
    meta = json.loads((a / "recognizer.json").read_text())
    narrow = _weights(tmp_path / "narrow")
    meta["layers"] = meta["layers"][:-1]
    (narrow / "recognizer.json").write_text(json.dumps(meta))
    out = tmp_path / "out"
    assert blender.main([str(a), str(narrow), "--out", str(out), "--cache", str(tmp_path / "none.npz")]) == 2
    assert "other classes or layers" in capsys.readouterr().err
    cache = ["--cache", str(tmp_path / "none.npz")]
    assert blender.main([str(a), str(a), "--out", str(out), "--shares", "0,2", *cache]) == 2
    assert "between 0 and 1" in capsys.readouterr().err
    assert blender.main([str(a), str(tmp_path / "missing"), "--out", str(out), *cache]) == 2
    assert "missing" in capsys.readouterr().err
    assert not out.exists()
