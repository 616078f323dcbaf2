"""The recognizer's training tool: a run continued from shipped weights, or distilled from
them, starts from exactly what the game computes; a run spread over sittings resumes.

Needs PyTorch (the `train` extra), which neither the game nor CI installs."""

import copy
import importlib.util
import json

import numpy as np
import pytest

from game.minigames.drawing import data as D
from game.minigames.drawing import recognizer as R
from game.minigames.drawing.strokes import trace_bitmaps
from tests.conftest import REPO, load_tool, quickdraw_dir

torch = pytest.importorskip("torch", reason="training needs PyTorch: pip install -e '.[train]'")


@pytest.fixture(scope="module")
def trainer():
    return load_tool("train_recognizer")


def _drawings(n=120, seed=0):
    """Bitmaps with real ink in them: traced-and-rendered prefixes of synthetic strokes."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        strokes = [[rng.uniform(0, 255, 6).tolist(), rng.uniform(0, 255, 6).tolist()] for _ in range(3)]
        out.append(D.partial_bitmap(strokes, rng.choice([0.5, 1.0])))
    return np.stack(out)


def _architecture(trainer):
    stages = [[] for _ in range(3)]
    stage = 0
    for layer in R.embedded().layers:
        if layer["op"] == "conv3x3":
            stages[stage].append(R.embedded().params[layer["name"] + "_w"].shape[1])
        elif layer["op"] == "maxpool2":
            stage += 1
    widths = "/".join(",".join(str(w) for w in s) for s in stages)
    fc = R.embedded().params["dense0_w"].shape[1]
    return widths, fc


def test_a_teacher_from_shipped_weights_computes_what_the_game_computes(trainer):
    x = _drawings()
    teacher = trainer.model_from_exported(torch, R.WEIGHTS)
    with torch.no_grad():
        logits = teacher(torch.from_numpy(x.reshape(-1, 1, 28, 28).astype(np.float32) / 255.0)).numpy()
    assert np.abs(logits - R.embedded().logits(x)).max() < 1e-3
    assert (logits.argmax(1) == R.embedded().logits(x).argmax(1)).all()


def test_a_continued_run_starts_from_the_shipped_network_in_training_mode_too(trainer):
    """Batch norm in training mode normalizes each batch; after calibration it still
    reproduces the folded weights, so a continuation does not start from a worse network."""
    widths, fc = _architecture(trainer)
    model = trainer.make_model(torch, 20, 0.0, widths=widths, fc=fc)
    trainer.load_exported(torch, model, R.WEIGHTS)
    x = _drawings(seed=1)
    want = R.embedded().logits(x)
    inputs = torch.from_numpy(x.reshape(-1, 1, 28, 28).astype(np.float32) / 255.0)
    untouched = copy.deepcopy(model).train()
    with torch.no_grad():
        uncalibrated = untouched(inputs).numpy()
    trainer.calibrate_batch_norm(torch, model, x)
    model.train()
    with torch.no_grad():
        training_mode = model(inputs).numpy()
    model.eval()
    with torch.no_grad():
        eval_mode = model(inputs).numpy()
    assert np.abs(eval_mode - want).max() < 1e-3
    assert np.abs(training_mode - want).max() < 1e-3
    assert np.abs(uncalibrated - want).max() > 0.1  # what calibration is for


def test_training_partials_are_one_whole_trace_and_prefixes(trainer):
    """Each training drawing gives one whole trace and several non-empty stroke prefixes."""
    bitmap = np.load(quickdraw_dir() / "bitmaps" / "cat.npy")[:4]
    out = trainer._partials((bitmap, 3, 0.0))
    assert out.shape == (4 * trainer.PARTIALS_PER_DRAWING, 784)
    full = [D.partial_bitmap(t, 1.0) for t in trace_bitmaps(bitmap)]
    for i in range(4):
        first = out[i * trainer.PARTIALS_PER_DRAWING]
        assert (first == full[i]).all()  # one whole trace per drawing
        rest = out[i * trainer.PARTIALS_PER_DRAWING + 1 : (i + 1) * trainer.PARTIALS_PER_DRAWING]
        assert all(r.any() for r in rest)


def test_smoothed_partials_are_drawn_from_smoothed_paths(trainer):
    """--smoothed 1 makes every prefix from averaged paths; the whole trace stays the plain one."""
    bitmap = np.load(quickdraw_dir() / "bitmaps" / "cat.npy")[:4]
    plain, smooth = trainer._partials((bitmap, 3, 0.0)), trainer._partials((bitmap, 3, 1.0))
    n = trainer.PARTIALS_PER_DRAWING
    assert (plain[::n] == smooth[::n]).all()
    rest = [i for i in range(len(plain)) if i % n]
    assert sum(not np.array_equal(plain[i], smooth[i]) for i in rest) > len(rest) // 2
    assert "averaged over 1 pixel" in trainer.recipe_for(0.5) and trainer.recipe_for(0.0) == trainer.PARTIALS_RECIPE


def test_a_run_resumes_from_its_checkpoint(trainer, tmp_path):
    cache = tmp_path / "prep.npz"
    rng = np.random.default_rng(0)
    arrays = {f"o{c}": _drawings(20, seed=c) for c in range(20)}
    arrays.update({f"p{c}": _drawings(20, seed=100 + c) for c in range(20)})
    np.savez(
        cache,
        classes=np.array([f"c{c}" for c in range(20)]),
        val_x=_drawings(40, 7),
        val_y=rng.integers(0, 20, 40),
        val_px=_drawings(40, 8),
        **arrays,
    )
    common = [
        "--cache",
        str(cache),
        "--widths",
        "4/8/8",
        "--fc",
        "16",
        "--per-class",
        "8",
        "--minutes",
        "5",
        "--checkpoint",
        str(tmp_path / "run.pt"),
        "--out",
        str(tmp_path / "out"),
        "--no-examples",
    ]
    assert trainer.main(common + ["--epochs", "1"]) == 0
    assert (tmp_path / "run.pt").exists()
    first = torch.load(tmp_path / "run.pt", weights_only=False)
    assert trainer.main(common + ["--epochs", "2", "--resume"]) == 0
    second = torch.load(tmp_path / "run.pt", weights_only=False)
    assert (first["epoch"], second["epoch"]) == (0, 1)
    assert second["step"] > first["step"]
    assert (tmp_path / "out" / "recognizer.npz").exists()
    # a cache that does not record how its partial drawings were made is not credited
    # with this version's recipe
    recipe = json.loads((tmp_path / "out" / "recognizer.json").read_text())["recipe"]["augmentation"]
    assert "prep.npz" in recipe and "not recorded" in recipe and "joined" not in recipe


def test_a_wider_network_starts_from_the_shipped_one_computing_the_same(trainer, monkeypatch):
    """Net2WiderNet: more channels and hidden units, each a copy of an old one with the
    next layer's weights shared between the copies, so a longer run on a wider network
    starts where the shipped one is instead of from scratch."""
    widths, fc = _architecture(trainer)
    stages = [[int(w) for w in s.split(",")] for s in widths.split("/")]
    last = stages[-1][-1]
    stages[-1] = [w + 32 for w in stages[-1]]
    wider = "/".join(",".join(str(w) for w in s) for s in stages)
    x = _drawings(seed=2)
    inputs = torch.from_numpy(x.reshape(-1, 1, 28, 28).astype(np.float32) / 255.0)
    want = R.embedded().logits(x)

    def run(noise):
        model = trainer.make_model(torch, 20, 0.0, widths=wider, fc=fc * 2)
        widen = trainer.widen_exported
        monkeypatch.setattr(trainer, "widen_exported", lambda z, shapes, seed=0: widen(z, shapes, seed, noise))
        widened = trainer.load_exported(torch, model, R.WEIGHTS)
        monkeypatch.undo()
        with torch.no_grad():
            return widened, model.eval()(inputs).numpy()

    widened, exact = run(0.0)
    n_conv = sum(len(s) for s in stages)
    assert widened == [f"conv{n_conv - len(stages[-1]) + i} {last} -> {last + 32}" for i in range(len(stages[-1]))] + [
        f"dense0 {fc} -> {fc * 2}"
    ]
    assert np.abs(exact - want).max() < 1e-3
    # with the default noise the copies differ a little, but the answers stay the shipped ones
    _, noisy = run(0.01)
    assert np.abs(noisy - want).max() > 1e-4
    assert (noisy.argmax(1) == want.argmax(1)).mean() > 0.95
    narrower = [
        tuple(m.weight.shape)
        for m in trainer.make_model(torch, 20, 0.0, widths="8/8,8/8,8", fc=fc)
        if type(m).__name__ in ("Conv2d", "Linear")
    ]
    with np.load(R.WEIGHTS) as stored, pytest.raises(ValueError, match="cannot widen"):
        trainer.widen_exported(stored, narrower)


def test_the_issue_baseline_is_rebuilt_and_measured_by_the_numpy_runtime(trainer, tmp_path):
    """tools/issue_baseline.py trains the baseline network the targets were set beside
    (a 5x5 first layer, complete drawings only) and exports it in the shipped format."""
    spec = importlib.util.spec_from_file_location("issue_baseline", REPO / "tools" / "issue_baseline.py")
    baseline = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(baseline)
    (tmp_path / "bitmaps").mkdir()
    for c in range(3):
        np.save(tmp_path / "bitmaps" / f"c{c}.npy", _drawings(60, seed=10 + c))
    out = tmp_path / "out"
    assert baseline.main(["--data", str(tmp_path), "--out", str(out), "--epochs", "2", "--per-class", "16"]) == 0
    meta = json.loads((out / "recognizer.json").read_text())
    assert [layer["op"] for layer in meta["layers"]][:4] == ["conv5x5", "relu", "maxpool2", "conv3x3"]
    assert "complete drawings only" in meta["recipe"]["data"]
    rec = R.EmbeddedRecognizer(out / "recognizer.npz", out / "recognizer.json")
    model = trainer.model_from_exported(torch, out / "recognizer.npz")
    x = _drawings(20, seed=99)
    with torch.no_grad():
        want = model(torch.from_numpy(x.reshape(-1, 1, 28, 28).astype(np.float32) / 255.0)).numpy()
    assert rec.classes == ["c0", "c1", "c2"]
    assert np.abs(rec.logits(x) - want).max() < 1e-3
    # no data: said so, no traceback
    assert baseline.main(["--data", str(tmp_path / "none"), "--out", str(out)]) == 2


def test_the_baseline_tool_names_what_is_missing(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("issue_baseline", REPO / "tools" / "issue_baseline.py")
    baseline = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(baseline)
    (tmp_path / "bitmaps").mkdir()  # a folder, but no drawings in it
    assert baseline.main(["--data", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "no bitmaps/*.npy under" in capsys.readouterr().err
    assert baseline.main(["--data", str(tmp_path), "--epochs", "0"]) == 2
    assert "--epochs: expected at least 1" in capsys.readouterr().err


class _Teacher:
    """A stand-in teacher: the same probabilities for every drawing."""

    classes = [f"c{i}" for i in range(20)]

    def __init__(self, top: float):
        self.p = np.full(20, (1 - top) / 19, np.float32)
        self.p[3] = top

    def probabilities(self, bitmaps):
        return np.tile(self.p, (len(bitmaps), 1))


def test_real_stroke_targets_are_prefixes_of_peoples_strokes_not_lookalikes(trainer, tmp_path):
    src = quickdraw_dir() / "strokes" / "simplified"
    (tmp_path / "strokes" / "simplified").mkdir(parents=True)
    for name in ("bus", "duck"):  # duck is a look-alike of bird: the evaluation's, never a target
        lines = (src / f"{name}.ndjson").read_text().splitlines()[:8]
        (tmp_path / "strokes" / "simplified" / f"{name}.ndjson").write_text("\n".join(lines) + "\n")
    buses = [json.loads(line)["drawing"] for line in (src / "bus.ndjson").read_text().splitlines()[:8]]
    x, t, w = trainer.real_stroke_prefixes(tmp_path, _Teacher(0.8), seed=1, per_drawing=2)
    several = [d for d in buses if len(d) >= 2]
    assert len(x) == sum(min(2, len(d) - 1) for d in several)  # duck's lines are not among them
    assert x.dtype == np.uint8 and x.shape[1] == 784 and (x.max(axis=1) > 0).all()
    assert np.allclose(t.sum(axis=1), 1.0) and (t.argmax(axis=1) == 3).all()
    assert np.allclose(w, 0.8)
    # every target bitmap is a prefix: a render of the first k strokes of one of the drawings
    from game.minigames.drawing.strokes import render

    prefixes = {render(d[:k]).tobytes() for d in several for k in range(1, len(d))}
    assert all(row.tobytes() in prefixes for row in x)
    # a finished drawing the teacher does not call one of the classes gives no target
    x, t, w = trainer.real_stroke_prefixes(tmp_path, _Teacher(0.1), seed=1)
    assert len(x) == len(t) == len(w) == 0


def test_auxiliary_prefixes_name_peoples_strokes_by_their_own_category_not_lookalikes(trainer, tmp_path):
    from game.minigames.drawing.strokes import render

    src = quickdraw_dir() / "strokes" / "simplified"
    (tmp_path / "strokes" / "simplified").mkdir(parents=True)
    kept = {}
    for name in ("bus", "duck", "key"):  # duck is a look-alike of bird: the evaluation's, never trained on
        lines = (src / f"{name}.ndjson").read_text().splitlines()[:6]
        (tmp_path / "strokes" / "simplified" / f"{name}.ndjson").write_text("\n".join(lines) + "\n")
        kept[name] = [json.loads(line)["drawing"] for line in lines]
    x, y, names = trainer.stroke_file_prefixes(tmp_path, seed=1, per_drawing=2)
    assert names == ["bus", "key"]
    # each drawing complete, and up to two of its prefixes
    assert len(x) == sum(1 + min(2, len(d) - 1) for n in names for d in kept[n])
    assert x.dtype == np.uint8 and x.shape[1] == 784 and (x.max(axis=1) > 0).all()
    for label, name in enumerate(names):
        mine = {render(d[:k]).tobytes() for d in kept[name] for k in range(1, len(d) + 1)}
        assert all(row.tobytes() in mine for row in x[y == label])
        whole = {render(d).tobytes() for d in kept[name]}
        assert whole <= {row.tobytes() for row in x[y == label]}


def _small_cache(path):
    """Prepared arrays of 20 made-up classes, ten drawings each: enough for a run of seconds."""
    rng = np.random.default_rng(0)
    arrays = {f"o{c}": _drawings(10, seed=c) for c in range(20)}
    arrays.update({f"p{c}": _drawings(10, seed=100 + c) for c in range(20)})
    classes = [f"c{c}" for c in range(20)]
    np.savez(
        path,
        classes=np.array(classes),
        val_x=_drawings(20, 7),
        val_y=rng.integers(0, 20, 20),
        val_px=_drawings(20, 8),
        **arrays,
    )
    return classes


def test_a_continued_run_is_as_wide_as_its_weights_unless_told_and_never_narrower(trainer, tmp_path, capsys):
    assert trainer.exported_architecture(R.WEIGHTS) == _architecture(trainer)
    cache = tmp_path / "prep.npz"
    _small_cache(cache)
    base = ["--cache", str(cache), "--per-class", "8", "--epochs", "1", "--minutes", "5", "--no-examples"]
    small = tmp_path / "small"
    assert trainer.main(base + ["--widths", "4/8/8", "--fc", "16", "--out", str(small)]) == 0
    # no --widths or --fc: the continued network takes the weights' own
    assert trainer.main(base + ["--init", str(small / "recognizer.npz"), "--out", str(tmp_path / "again")]) == 0
    assert "widened" not in capsys.readouterr().out
    meta = json.loads((tmp_path / "again" / "recognizer.json").read_text())
    assert meta["recipe"]["architecture"].startswith("conv3x3x4-pool-conv3x3x8-pool-conv3x3x8-pool-fc16-fc20")
    # narrower than the weights: said, naming the file and the widths it was trained with
    narrower = base + ["--init", str(small / "recognizer.npz"), "--fc", "8", "--out", str(tmp_path / "narrow")]
    assert trainer.main(narrower) == 2
    err = capsys.readouterr().err
    assert str(small / "recognizer.npz") in err and "--widths 4/8/8 --fc 16" in err and "Traceback" not in err
    assert not (tmp_path / "narrow").exists()
    # weights whose json is not the layer list: said, naming the file
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "recognizer.npz").write_bytes((small / "recognizer.npz").read_bytes())
    (broken / "recognizer.json").write_text('{"classes": []}')
    assert trainer.main(base + ["--init", str(broken / "recognizer.npz"), "--out", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert "recognizer.json" in err and "layer list" in err and "Traceback" not in err


def test_a_run_with_the_auxiliary_head_trains_it_and_exports_only_the_20(trainer, tmp_path, capsys):
    cache = tmp_path / "prep.npz"
    classes = _small_cache(cache)
    data = tmp_path / "data"
    (data / "strokes" / "simplified").mkdir(parents=True)
    src = quickdraw_dir() / "strokes" / "simplified"
    for name in ("bus", "key"):
        lines = (src / f"{name}.ndjson").read_text().splitlines()[:5]
        (data / "strokes" / "simplified" / f"{name}.ndjson").write_text("\n".join(lines) + "\n")
    args = ["--cache", str(cache), "--data", str(data), "--widths", "4/8/8", "--fc", "16", "--per-class", "8"]
    args += ["--epochs", "2", "--minutes", "5", "--aux", "0.5", "--aux-share", "8", "--out", str(tmp_path / "out")]
    args += ["--checkpoint", str(tmp_path / "run.pt"), "--no-examples"]
    assert trainer.main(args) == 0
    state = torch.load(tmp_path / "run.pt", weights_only=False)
    assert state["aux"]["weight"].shape == (2, 16)  # the head names bus and key
    meta = json.loads((tmp_path / "out" / "recognizer.json").read_text())
    assert meta["classes"] == classes and "auxiliary_head" in json.dumps(meta)
    rec = R.EmbeddedRecognizer(tmp_path / "out" / "recognizer.npz", tmp_path / "out" / "recognizer.json")
    assert rec.probabilities(_drawings(3)).shape == (3, 20)
    # the head is kept beside the weights (not in them), and a continued run starts from it
    kept = np.load(tmp_path / "out" / "recognizer.aux.npz")
    assert list(kept["names"]) == ["bus", "key"] and np.allclose(kept["weight"], state["aux"]["weight"].numpy())
    again = [a for a in args if a not in ("--checkpoint", str(tmp_path / "run.pt"))]
    again[again.index(str(tmp_path / "out"))] = str(tmp_path / "out2")
    assert trainer.main(again + ["--init", str(tmp_path / "out" / "recognizer.npz")]) == 0
    assert "continued from" in capsys.readouterr().out
    (tmp_path / "out" / "recognizer.aux.npz").write_bytes(b"not an npz")  # a broken file: said, and trained anyway
    assert trainer.main(again + ["--init", str(tmp_path / "out" / "recognizer.npz")]) == 0
    out = capsys.readouterr().out
    assert "is unreadable" in out and "starts afresh" in out and "continued from" not in out


def test_distilling_on_whole_drawings_only_leaves_the_fragments_to_their_labels(trainer, tmp_path):
    F = torch.nn.functional
    gen = torch.Generator().manual_seed(3)
    out = torch.randn(6, 20, generator=gen)
    labels = torch.tensor([0, 3, 5, 7, 9, 11])
    soft = F.softmax(torch.randn(6, 20, generator=gen), 1)
    every = trainer.distilled_loss(torch, out, labels, soft, np.ones(6, bool), 0.5, 2.0, 0.03)
    # every row distilled: the usual mix of the two losses over the batch
    ce = F.cross_entropy(out, labels, label_smoothing=0.03)
    kd = F.kl_div(F.log_softmax(out / 2.0, 1), soft, reduction="batchmean")
    assert torch.isclose(every, 0.5 * ce + 0.5 * 4.0 * kd)
    # no row distilled: the labels alone
    none = trainer.distilled_loss(torch, out, labels, soft, np.zeros(6, bool), 0.5, 2.0, 0.03)
    assert torch.isclose(none, ce)
    # the whole drawings (first three) follow the teacher, the fragments their labels
    whole = np.array([True, True, True, False, False, False])
    mixed = trainer.distilled_loss(torch, out, labels, soft, whole, 0.5, 2.0, 0.03)
    per_ce = F.cross_entropy(out, labels, label_smoothing=0.03, reduction="none")
    per_kd = F.kl_div(F.log_softmax(out / 2.0, 1), soft, reduction="none").sum(1)
    expected = (torch.cat([0.5 * per_ce[:3] + 2.0 * per_kd[:3], per_ce[3:]])).mean()
    assert torch.isclose(mixed, expected)
    # a run says how it distilled, in the weights' recipe
    cache = tmp_path / "prep.npz"
    _small_cache(cache)
    small = tmp_path / "small"
    base = ["--cache", str(cache), "--per-class", "8", "--epochs", "1", "--minutes", "5", "--no-examples"]
    assert trainer.main(base + ["--widths", "4/8/8", "--fc", "16", "--out", str(small)]) == 0
    taught = base + ["--init", str(small / "recognizer.npz"), "--teacher", str(small / "recognizer.npz")]
    assert trainer.main(taught + ["--distil-complete", "--out", str(tmp_path / "whole")]) == 0
    recipe = json.loads((tmp_path / "whole" / "recognizer.json").read_text())["recipe"]
    assert recipe["distillation"] == "weight 0.7, temperature 2.0, whole drawings only"
