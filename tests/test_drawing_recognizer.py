"""The shipped recognizer: loads with numpy alone, classifies held-out drawings, improves
as strokes are added; the registry finds built-ins and plug-ins."""

import json
import subprocess
import sys

import numpy as np
import pytest

from game.minigames.drawing import data as D
from game.minigames.drawing import recognizer as R
from game.minigames.drawing.strokes import trace_bitmaps
from tests.conftest import REPO, quickdraw_dir


@pytest.fixture(scope="module")
def held_out():
    d = quickdraw_dir()
    classes, arrays = D.load_bitmaps(d)
    return classes, *D.split_rows(arrays, "test", 40)


def test_weights_are_small_attributed_and_describe_their_recipe():
    meta = json.loads(R.META.read_text())
    # small enough to ship in the repository and load in a blink (2.8 MB of float16 since
    # the hidden layer grew to 768 units)
    assert R.WEIGHTS.stat().st_size < 3_000_000
    assert meta["attribution"] == "Drawings: Quick, Draw! dataset by Google, CC BY 4.0"
    assert len(meta["classes"]) == 20 and "house plant" in meta["classes"]
    for key in ("recipe", "seed", "split_seed", "measured"):
        assert key in meta
    assert meta["split_seed"] == D.SPLIT_SEED


def test_split_is_seeded_and_disjoint():
    a = D.split_indices(1000, 3)
    b = D.split_indices(1000, 3)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not set(a["test"]) & set(a["train"]) and not set(a["val"]) & set(a["train"])
    assert len(a["test"]) == 100 and len(a["train"]) + len(a["val"]) + len(a["test"]) == 1000
    assert not np.array_equal(D.split_indices(1000, 4)["test"], a["test"])


def test_classifies_held_out_bitmaps(held_out):
    classes, x, y = held_out
    rec = R.embedded()
    assert rec.classes == classes
    p = rec.probabilities(x)
    top = np.argsort(-p, axis=1)
    assert (top[:, 0] == y).mean() > 0.88
    assert (top[:, :3] == y[:, None]).any(axis=1).mean() > 0.96
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-4)


def test_guessing_improves_as_strokes_are_added(held_out):
    classes, x, y = held_out
    rec = R.embedded()
    traced = trace_bitmaps(x[::2])
    yy = y[::2]
    acc, true_prob = [], []
    for f in (0.25, 0.5, 1.0):
        p = rec.probabilities(np.stack([D.partial_bitmap(t, f) for t in traced]))
        acc.append((p.argmax(1) == yy).mean())
        true_prob.append(p[np.arange(len(yy)), yy].mean())
    assert acc[0] < acc[1] < acc[2]
    assert true_prob[0] < true_prob[1] < true_prob[2]
    assert acc[1] > 0.6


def test_guess_accepts_strokes_and_bitmaps_and_nothing():
    rec = R.embedded()
    circle = [
        [
            [128 + 100 * np.cos(a) for a in np.linspace(0, 6.3, 30)],
            [128 + 100 * np.sin(a) for a in np.linspace(0, 6.3, 30)],
        ]
    ]
    g = rec.guess(circle)
    assert len(g) == 5 and all(lbl in rec.classes for lbl, _ in g)
    assert g == sorted(g, key=lambda t: -t[1])
    assert rec.guess(np.zeros(784, np.uint8)) == []
    assert rec.guess([]) == []


def test_runs_without_a_deep_learning_framework():
    code = (
        "import sys, numpy as np; from game.minigames.drawing.recognizer import embedded; "
        "embedded().guess(np.full(784, 255, np.uint8)); "
        "bad = [m for m in ('torch', 'tensorflow', 'jax', 'pygame') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr


def test_registry_knows_the_built_ins_and_rejects_unknown_names():
    assert {"embedded", "vision"} <= set(R.available())
    assert R.create("embedded") is R.embedded()
    with pytest.raises(R.RecognizerError, match="unknown recognizer 'nope'.*embedded"):
        R.create("nope")
    with pytest.raises(R.RecognizerError, match="model"):
        R.create("vision")


def test_plugins_come_from_the_entry_point_group(monkeypatch):
    class EP:
        name = "fake"
        value = "tests.test_drawing_recognizer:_fake_factory"

    monkeypatch.setattr(R, "entry_points", lambda group: [EP()] if group == "game.recognizers" else [])
    rec = R.create("fake", answer="cat")
    assert rec.guess([[[0, 1], [0, 1]]]) == [("cat", 1.0)]


class _Fake:
    name = "fake"

    def __init__(self, answer):
        self.classes = [answer]

    def guess(self, drawing):
        return [(self.classes[0], 1.0)]


def _fake_factory(**options):
    return _Fake(**options)


def test_broken_weights_give_a_clear_error(tmp_path):
    with pytest.raises(R.RecognizerError, match="missing"):
        R.EmbeddedRecognizer(tmp_path / "none.npz", R.META)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(R.RecognizerError, match="unreadable: .*bad.npz"):
        R.EmbeddedRecognizer(bad, R.META)
    broken_meta = tmp_path / "recognizer.json"
    broken_meta.write_text("{", encoding="utf-8")
    with pytest.raises(R.RecognizerError, match="unreadable: .*recognizer.json: .*line 1 column 2"):
        R.EmbeddedRecognizer(R.WEIGHTS, broken_meta)


def _conv_same(x, w, b):
    """A direct 'same' convolution (N, C, H, W) * (O, C, k, k), the definition the runtime's
    im2col must agree with."""
    k = w.shape[2]
    r = k // 2
    padded = np.pad(x, ((0, 0), (0, 0), (r, r), (r, r)))
    out = np.zeros((x.shape[0], w.shape[0], x.shape[2], x.shape[3]), np.float64)
    for dy in range(k):
        for dx in range(k):
            window = padded[:, :, dy : dy + x.shape[2], dx : dx + x.shape[3]]
            out += np.einsum("nchw,oc->nohw", window, w[:, :, dy, dx])
    return out + b[None, :, None, None]


def test_runtime_computes_5x5_and_3x3_convolutions_as_defined(tmp_path):
    """Weights with a 5x5 first layer (the shape of the issue's baseline network) run in the
    numpy runtime and give what a direct convolution gives."""
    rng = np.random.default_rng(0)
    w0, b0 = rng.normal(0, 0.3, (4, 1, 5, 5)), rng.normal(0, 0.1, 4)
    w1, b1 = rng.normal(0, 0.3, (6, 4, 3, 3)), rng.normal(0, 0.1, 6)
    d0, e0 = rng.normal(0, 0.1, (6 * 49, 20)), rng.normal(0, 0.1, 20)
    np.savez(tmp_path / "r.npz", conv0_w=w0, conv0_b=b0, conv1_w=w1, conv1_b=b1, dense0_w=d0, dense0_b=e0)
    layers = [
        {"op": "conv5x5", "name": "conv0"},
        {"op": "relu"},
        {"op": "maxpool2"},
        {"op": "conv3x3", "name": "conv1"},
        {"op": "relu"},
        {"op": "maxpool2"},
        {"op": "flatten"},
        {"op": "dense", "name": "dense0"},
    ]
    meta = {"classes": [f"c{i}" for i in range(20)], "layers": layers}
    (tmp_path / "r.json").write_text(json.dumps(meta), encoding="utf-8")
    rec = R.EmbeddedRecognizer(tmp_path / "r.npz", tmp_path / "r.json")
    x = rng.integers(0, 256, (3, 784)).astype(np.uint8)
    h = np.maximum(_conv_same(x.reshape(3, 1, 28, 28) / 255.0, w0, b0), 0)
    h = h.reshape(3, 4, 14, 2, 14, 2).max(axis=(3, 5))
    h = np.maximum(_conv_same(h, w1, b1), 0).reshape(3, 6, 7, 2, 7, 2).max(axis=(3, 5))
    want = h.reshape(3, -1) @ d0 + e0
    assert np.abs(rec.logits(x) - want).max() < 1e-4
    # a layer list that names a 5x5 convolution for 3x3 weights is refused, naming the layer
    layers[3]["op"] = "conv5x5"
    (tmp_path / "r.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(R.RecognizerError, match="r.npz: layer conv1 is conv5x5"):
        R.EmbeddedRecognizer(tmp_path / "r.npz", tmp_path / "r.json")


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda m: m.pop("layers"), "layers: expected a non-empty list"),
        (lambda m: m.update(classes="cat"), "classes: expected a non-empty list of names"),
        (lambda m: m["layers"][0].update(op="conv7x7"), r"layers\[0\].op: expected one of conv3x3, conv5x5, dense"),
        (lambda m: m["layers"][0].update(name="conv9"), r"layers\[0\].name: expected the name of a weight pair"),
    ],
)
def test_a_malformed_layer_list_names_the_field(tmp_path, change, field):
    """A candidate's json (tools' --weights DIR) with a wrong field is refused at load with
    the field named, not a KeyError in the middle of a guess."""
    meta = json.loads(R.META.read_text())
    change(meta)
    path = tmp_path / "recognizer.json"
    path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(R.RecognizerError, match=f"recognizer.json: {field}"):
        R.EmbeddedRecognizer(R.WEIGHTS, path)


def test_peoples_own_strokes_are_named_as_recorded():
    """People's own drawings of the 20 categories (strokes20_dev/, for measuring only):
    named far more often whole than at half their strokes, and the figures stored beside
    the weights are what the shipped network scores on them, not numbers typed in."""
    folder = quickdraw_dir() / "strokes20_dev"
    if not folder.is_dir():
        pytest.skip("needs ../shared/data/quickdraw/strokes20_dev (people's strokes of the 20 categories)")
    from tests.conftest import load_tool

    E = load_tool("evaluate_recognizer")
    own = E.own_strokes_check(R.embedded(), folder)
    assert own["categories"] == 20
    assert own["25%"][0] < own["50%"][0] < own["75%"][0] <= own["complete"][0]
    assert own["complete"][0] >= 0.9 and own["50%"][0] >= 0.7
    recorded = json.loads(R.META.read_text())["measured"]["own_categories_people_strokes_top1_top3"]
    assert recorded["drawings"] == own["drawings"]
    for k in ("complete", "25%", "50%", "75%"):
        assert recorded[k] == pytest.approx(list(own[k]), abs=1e-4)


def test_split_rows_stack_one_split_of_every_class_with_its_labels():
    arrays = [np.arange(200 * c, 200 * c + 200, dtype=np.int64).reshape(-1, 1) for c in range(3)]
    x, y = D.split_rows(arrays, "test")
    assert len(x) == 3 * 20 and list(np.bincount(y)) == [20, 20, 20]
    assert all(200 * c <= v < 200 * (c + 1) for v, c in zip(x[:, 0], y)), "each row keeps its class"
    val, _ = D.split_rows(arrays, "val", limit=4)
    assert len(val) == 12 and not set(val[:, 0]) & set(x[:, 0]), "the splits never share a drawing"
