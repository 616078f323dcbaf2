"""The recognizer's training tool: a run continued from shipped weights, or distilled from
them, starts from exactly what the game computes; a run spread over sittings resumes.

Needs PyTorch (the `train` extra), which neither the game nor CI installs."""
import copy
import importlib.util
import json
import sys

import numpy as np
import pytest

from game.minigames.drawing import data as D
from game.minigames.drawing import recognizer as R
from game.minigames.drawing.strokes import trace_bitmaps
from tests.conftest import REPO, quickdraw_dir

torch = pytest.importorskip("torch", reason="training needs PyTorch: pip install -e '.[train]'")


@pytest.fixture(scope="module")
def trainer():
    spec = importlib.util.spec_from_file_location("train_recognizer", REPO / "tools" / "train_recognizer.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["train_recognizer"] = module
    spec.loader.exec_module(module)
    return module


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
    out = trainer._partials((bitmap, 3))
    assert out.shape == (4 * trainer.PARTIALS_PER_DRAWING, 784)
    full = [D.partial_bitmap(t, 1.0) for t in trace_bitmaps(bitmap)]
    for i in range(4):
        first = out[i * trainer.PARTIALS_PER_DRAWING]
        assert (first == full[i]).all()  # one whole trace per drawing
        rest = out[i * trainer.PARTIALS_PER_DRAWING + 1:(i + 1) * trainer.PARTIALS_PER_DRAWING]
        assert all(r.any() for r in rest)


def test_a_run_resumes_from_its_checkpoint(trainer, tmp_path):
    cache = tmp_path / "prep.npz"
    rng = np.random.default_rng(0)
    arrays = {f"o{c}": _drawings(20, seed=c) for c in range(20)}
    arrays.update({f"p{c}": _drawings(20, seed=100 + c) for c in range(20)})
    np.savez(cache, classes=np.array([f"c{c}" for c in range(20)]), val_x=_drawings(40, 7),
             val_y=rng.integers(0, 20, 40), val_px=_drawings(40, 8), **arrays)
    common = ["--cache", str(cache), "--widths", "4/8/8", "--fc", "16", "--per-class", "8", "--minutes", "5",
              "--checkpoint", str(tmp_path / "run.pt"), "--out", str(tmp_path / "out"), "--no-examples"]
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
