"""Train the drawing game's embedded recognizer and write its numpy weights.

    .venv/bin/pip install torch==2.13.0      # the CPU wheel; training only, never at play time
    .venv/bin/python tools/train_recognizer.py [--data ../shared/data/quickdraw] [--minutes 9]

Reads the 20 categories of 28x28 bitmaps (Quick, Draw! dataset by Google, CC BY 4.0),
holds out a seeded test split it never reads past the split (see game/minigames/drawing/
data.py), and trains a small CNN on:
  - the training bitmaps themselves, with small random shifts and zooms;
  - stroke-like partial drawings made from them: each bitmap's ink is thinned to a
    skeleton and traced into paths (strokes.trace_bitmaps), unjoined or joined through
    junctions like people's strokes (strokes.join_paths), and a prefix of those paths
    (longest first shuffled by noise, or in a random order) is re-normalized and rendered
    with the game's own rasterizer, which is what the game shows the recognizer while the
    player draws.
Classes are balanced by drawing the same number of examples from each class every epoch.
Batch norm is folded into the convolutions on export; weights are stored as float16
in game/minigames/drawing/recognizer.npz, with recognizer.json beside it (recipe, seed,
classes, accuracy on the validation split, attribution). Accuracy on the held-out test
split is measured by tools/evaluate_recognizer.py, which writes it into the json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from game.minigames.drawing import data as D  # noqa: E402
from game.minigames.drawing.recognizer import CONV_OPS  # noqa: E402
from game.minigames.drawing.strokes import JOIN_DEGREES, trace_bitmaps  # noqa: E402

OUT_DIR = REPO / "game" / "minigames" / "drawing"
ATTRIBUTION = "Drawings: Quick, Draw! dataset by Google, CC BY 4.0"
PARTIALS_PER_DRAWING = 10
# Stroke orders of the training partials: the scale of the Gumbel noise that shuffles the
# longest-first order (data.human_like_order), None for a random order. Centred on the
# human-like scale fitted on the stroke files of other categories, with stricter and
# looser orders on either side so the model does not learn one order only.
ORDER_TAUS = (0.0, 0.5, D.HUMAN_ORDER_TAU, D.HUMAN_ORDER_TAU, 2.0, None)
# Half of the prefixes come from paths joined through junctions (strokes.join_paths), whose
# count per drawing matches people's; their order is fitted the same way (2.0) and spread
# the same way. Two trace styles keep the model from learning the look of one tracer.
JOINED_SHARE = 0.5
JOINED_ORDER_TAUS = (1.0, D.JOINED_ORDER_TAU, D.JOINED_ORDER_TAU, 3.0, None)
# `--smoothed S`: that share of the prefixes is drawn from paths averaged over this many
# pixels either side (strokes.smooth_path), so a zoomed-up fragment is a pen line rather
# than a pixel staircase. 0, the default, is the recipe of the shipped weights.
SMOOTH_REACH = 1


def _partials(job):
    """Worker: trace a chunk of bitmaps and render a few random stroke prefixes of each."""
    bitmaps, seed, smoothed = job
    rng = np.random.default_rng(seed)
    styles = [
        (trace_bitmaps(bitmaps), ORDER_TAUS),
        (trace_bitmaps(bitmaps, join_degrees=JOIN_DEGREES), JOINED_ORDER_TAUS),
    ]
    if smoothed:
        styles += [
            (trace_bitmaps(bitmaps, smooth=SMOOTH_REACH), ORDER_TAUS),
            (trace_bitmaps(bitmaps, join_degrees=JOIN_DEGREES, smooth=SMOOTH_REACH), JOINED_ORDER_TAUS),
        ]
    out = np.zeros((len(bitmaps) * PARTIALS_PER_DRAWING, 784), np.uint8)
    for i in range(len(bitmaps)):
        lengths = [D.path_lengths(traced[i]) for traced, _ in styles]
        for j in range(PARTIALS_PER_DRAWING):
            # One whole trace per drawing: it teaches the model that a re-rendered drawing
            # is the same thing as the dataset's own bitmap. The rest are prefixes of a
            # fifth to nine tenths of the strokes, in either trace style.
            fraction = 1.0 if j == 0 else float(rng.uniform(0.15, 0.9))
            style = int(j > 0 and rng.random() < JOINED_SHARE)
            if smoothed and j > 0 and rng.random() < smoothed:
                style += 2
            traced, taus = styles[style]
            strokes = traced[i]
            tau = taus[rng.integers(len(taus))]
            order = (
                rng.permutation(len(strokes))
                if tau is None
                else D.human_like_order(lengths[style], rng.gumbel(size=len(strokes)), tau)
            )
            out[i * PARTIALS_PER_DRAWING + j] = D.partial_bitmap(strokes, fraction, order)
    return out


def _val_partials(job):
    """Worker: the validation drawings at half their strokes, in the human-like order."""
    bitmaps, seed = job
    rng = np.random.default_rng(seed)
    return np.stack(
        [
            D.partial_bitmap(t, 0.5, D.human_like_order(D.path_lengths(t), rng.gumbel(size=len(t))))
            for t in trace_bitmaps(bitmaps)
        ]
    )


# How the partial drawings are made; stored in the cache beside them, because a cache
# prepared by an earlier version of this tool holds partial drawings made another way.
PARTIALS_RECIPE = (
    "partial drawings from traced skeleton strokes "
    f"({PARTIALS_PER_DRAWING} per training drawing: one whole trace, the rest prefixes of "
    "15-90% of the paths in longest-first order shuffled by Gumbel noise of scale "
    f"{', '.join('random' if t is None else str(t) for t in ORDER_TAUS)}; "
    f"{JOINED_SHARE:.0%} of the prefixes from paths joined through junctions within "
    f"{JOIN_DEGREES:g} degrees, shuffled by noise of scale "
    f"{', '.join('random' if t is None else str(t) for t in JOINED_ORDER_TAUS)}), "
    "rendered by strokes.rasterize"
)


def recipe_for(smoothed: float) -> str:
    """PARTIALS_RECIPE as changed by --smoothed."""
    if not smoothed:
        return PARTIALS_RECIPE
    return PARTIALS_RECIPE + (
        f"; {smoothed:.0%} of the prefixes from paths averaged over {SMOOTH_REACH} pixel(s) either side"
    )


def build_data(root: Path, seed: int, smoothed: float = 0.0):
    classes, arrays = D.load_bitmaps(root)
    pools, val_x, val_y = [], [], []
    jobs, owners = [], []
    for c, arr in enumerate(arrays):
        idx = D.split_indices(len(arr), c)
        train = arr[idx["train"]]
        val_x.append(arr[idx["val"]])
        val_y.append(np.full(len(idx["val"]), c))
        pools.append([train])
        for k in range(0, len(train), 500):
            jobs.append((train[k : k + 500], seed * 1000 + c * 100 + k // 500, smoothed))
            owners.append(c)
    t0 = time.time()
    val_x = np.concatenate(val_x)
    with Pool(min(2, os.cpu_count() or 1)) as pool:
        for c, part in zip(owners, pool.map(_partials, jobs, chunksize=1)):
            pools[c].append(part)
        val_jobs = [(val_x[k : k + 500], seed * 7919 + k) for k in range(0, len(val_x), 500)]
        val_px = np.concatenate(pool.map(_val_partials, val_jobs, chunksize=1))
    print(
        f"made {sum(len(j[0]) for j in jobs) * PARTIALS_PER_DRAWING} partial drawings in {time.time() - t0:.0f}s",
        flush=True,
    )
    originals = [p[0] for p in pools]
    partials = [np.concatenate(p[1:]) for p in pools]
    return classes, originals, partials, val_x, np.concatenate(val_y), val_px


# Stroke-file categories kept out of the real-stroke targets: tools/evaluate_recognizer.py
# measures them as look-alikes of the 20 (duck as bird...), so they must stay unseen.
LOOKALIKES = D.LOOKALIKES
REAL_PREFIXES_PER_DRAWING = 3


def real_stroke_prefixes(
    root: Path,
    teacher,
    seed: int,
    min_confidence: float = 0.3,
    per_drawing: int = REAL_PREFIXES_PER_DRAWING,
    files: int | None = None,
):
    """Prefixes of people's real strokes with the teacher's view of the finished drawing as
    their target: (bitmaps (N, 784) uint8, targets (N, classes) float32, weights (N,)).

    The 20 categories have no stroke files, but people's strokes of the 325 others show
    how people really build a drawing (which parts first, how long a stroke runs). A
    drawing the teacher calls one of the 20 when finished (confidence >= min_confidence)
    should already be called that when half drawn: each of up to `per_drawing` prefixes
    (1 to n-1 of its strokes, in people's order, rendered as the game renders a drawing in
    progress) gets the finished drawing's teacher probabilities as its soft target, weighted
    by that confidence. Look-alike categories are left out (the evaluation's check)."""
    from game.minigames.drawing.strokes import read_ndjson, render

    rng = np.random.default_rng(seed)
    paths = [p for p in sorted((Path(root) / "strokes" / "simplified").glob("*.ndjson")) if p.stem not in LOOKALIKES][
        :files
    ]
    drawings = [obj["drawing"] for path in paths for obj in read_ndjson(path)]
    drawings = [d for d in drawings if len(d) >= 2]
    none = np.zeros((0, 784), np.uint8), np.zeros((0, len(teacher.classes)), np.float32), np.zeros(0, np.float32)
    if not drawings:
        return none
    probs = teacher.probabilities(np.stack([render(d) for d in drawings]))
    keep = probs.max(axis=1) >= min_confidence
    if not keep.any():
        return none
    xs, ts, ws = [], [], []
    for d, p in zip([d for d, k in zip(drawings, keep) if k], probs[keep]):
        counts = rng.permutation(np.arange(1, len(d)))[:per_drawing]
        for k in counts:
            xs.append(render(d[:k]))
            ts.append(p)
            ws.append(float(p.max()))
    return np.stack(xs), np.stack(ts).astype(np.float32), np.array(ws, np.float32)


def stroke_file_prefixes(
    root: Path, seed: int, per_drawing: int = REAL_PREFIXES_PER_DRAWING, files: int | None = None
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """People's real strokes of the stroke-file categories, labelled with their own category,
    for an auxiliary head (--aux): (bitmaps (N, 784) uint8, labels (N,), category names).

    Each drawing gives itself complete and up to `per_drawing` prefixes (1 to n-1 of its
    strokes, in people's order, rendered as the game renders a drawing in progress). The
    head is trained beside the 20 and not exported: what it can teach the shared layers is
    how people's own half-drawn pictures look, with labels that are true (--real's targets
    are the network's guesses). Look-alike categories are left out (the evaluation's check)."""
    from game.minigames.drawing.strokes import read_ndjson, render

    rng = np.random.default_rng(seed)
    paths = [p for p in sorted((Path(root) / "strokes" / "simplified").glob("*.ndjson")) if p.stem not in LOOKALIKES][
        :files
    ]
    xs, ys, names = [], [], []
    for path in paths:
        drawings = [obj["drawing"] for obj in read_ndjson(path)]
        if not drawings:
            continue
        label = len(names)
        names.append(path.stem)
        for d in drawings:
            for k in [len(d), *rng.permutation(np.arange(1, len(d)))[:per_drawing]]:
                xs.append(render(d[:k]))
                ys.append(label)
    if not xs:
        return np.zeros((0, 784), np.uint8), np.zeros(0, np.int64), []
    return np.stack(xs), np.array(ys, np.int64), names


lookalike_halves = D.lookalike_halves


def parse_widths(widths: str | None, deep: bool = False) -> list[list[int]]:
    """ "32/64,64/128" -> [[32], [64, 64], [128]]: conv widths per stage, a 2x2 max pool after each."""
    if not widths:
        widths = "32/64,64/128" if deep else "32/64/128"
    return [[int(w) for w in stage.split(",")] for stage in widths.split("/")]


def make_model(
    torch, n_classes: int, dropout: float = 0.3, deep: bool = False, widths: str | None = None, fc: int = 256
):
    nn = torch.nn

    def block(i, o):
        return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU()]

    layers, c = [], 1
    for stage in parse_widths(widths, deep):  # 28 -> 14 -> 7 -> 3
        for o in stage:
            layers += block(c, o)
            c = o
        layers.append(nn.MaxPool2d(2))
    return nn.Sequential(
        *layers,
        nn.Flatten(),
        nn.Dropout(dropout),
        nn.Linear(c * 9, fc),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(fc, n_classes),
    )


def describe(widths: str | None, deep: bool, fc: int) -> str:
    return (
        "-pool-".join("-".join(f"conv3x3x{w}" for w in stage) for stage in parse_widths(widths, deep))
        + f"-pool-fc{fc}-fc20"
    )


def widen_exported(z, shapes: list[tuple[int, ...]], seed: int = 0, noise: float = 0.01) -> dict:
    """Exported weights made wider to fit a model of `shapes` (its conv and dense weight
    shapes in order, torch layout), computing the same function (Net2WiderNet).

    Each new channel or unit copies one of the old ones (chosen at random) and the next
    layer's weights from every copy of it are divided by the number of copies, so the sum
    it sees is unchanged. `noise` (relative to each layer's weight spread) is added to the
    copies so they can learn apart; with noise 0 the wider network's output is exact."""
    rng = np.random.default_rng(seed)
    # conv0, conv1, ... then dense0, dense1, ...: the order of the model's layers
    names = sorted(
        (k[:-2] for k in z.files if k.endswith("_w")),
        key=lambda k: (k.startswith("dense"), int(k.removeprefix("dense").removeprefix("conv"))),
    )
    if len(names) != len(shapes):
        raise ValueError(f"the weights have {len(names)} layers, the model {len(shapes)}")
    out, source, copies = {}, None, None  # the previous layer's new -> old channel map
    for name, shape in zip(names, shapes):
        w = z[name + "_w"].astype(np.float32)
        b = z[name + "_b"].astype(np.float32)
        if name.startswith("dense"):
            w = w.T  # exported (in, out); torch (out, in)
        if source is not None:  # spread the inputs over the copies of what feeds them
            if w.shape[1] == len(copies):
                scale = copies[source].reshape((1, -1) + (1,) * (w.ndim - 2))
                w = w[:, source] / scale
            else:  # the flatten after the last conv: (C, H, W) features per channel
                per = w.shape[1] // len(copies)
                w = w.reshape(w.shape[0], len(copies), per)[:, source] / copies[source][None, :, None]
                w = w.reshape(w.shape[0], -1)
        old, new = w.shape[0], shape[0]
        if new < old or w.shape[1:] != tuple(shape[1:]):
            raise ValueError(f"{name}: cannot widen {w.shape} into {tuple(shape)}")
        source = np.concatenate([np.arange(old), rng.integers(0, old, new - old)])
        copies = np.bincount(source, minlength=old).astype(np.float32)
        w, b = w[source].copy(), b[source].copy()
        if new > old and noise:
            w[old:] += rng.normal(0, noise * float(w[:old].std()), w[old:].shape).astype(np.float32)
        out[name + "_w"] = w.T if name.startswith("dense") else w
        out[name + "_b"] = b
    return out


def load_exported(torch, model, path_npz: Path, seed: int = 0) -> list[str]:
    """Start from shipped weights: the folded conv goes in as the conv, batch norm as identity
    plus the folded bias, so the network computes what the numpy runtime computes. A wider
    model than the weights gets them widened (widen_exported). Returns what was widened,
    e.g. ["dense0 384 -> 768"]."""
    shapes = [tuple(m.weight.shape) for m in model if type(m).__name__ in ("Conv2d", "Linear")]
    with np.load(path_npz) as stored:
        z = widen_exported(stored, shapes, seed)
        widened = [
            f"{k[:-2]} {len(stored[k[:-2] + '_b'])} -> {len(z[k[:-2] + '_b'])}"
            for k in stored.files
            if k.endswith("_w") and len(stored[k[:-2] + "_b"]) != len(z[k[:-2] + "_b"])
        ]
    mods = list(model)
    n_conv = n_dense = 0
    with torch.no_grad():
        for i, m in enumerate(mods):
            name = type(m).__name__
            if name == "Conv2d":
                bn = mods[i + 1]
                m.weight.copy_(torch.from_numpy(z[f"conv{n_conv}_w"].astype(np.float32)))
                bn.weight.fill_(1.0)
                bn.bias.copy_(torch.from_numpy(z[f"conv{n_conv}_b"].astype(np.float32)))
                bn.running_mean.zero_()
                bn.running_var.fill_(1.0 - bn.eps)
                n_conv += 1
            elif name == "Linear":
                m.weight.copy_(torch.from_numpy(z[f"dense{n_dense}_w"].astype(np.float32).T))
                m.bias.copy_(torch.from_numpy(z[f"dense{n_dense}_b"].astype(np.float32)))
                n_dense += 1
    return widened


def exported_architecture(path_npz: Path) -> tuple[str, int]:
    """The `--widths` and `--fc` that exported weights were trained with, read from the
    layer list in the json beside them and the weights' shapes: ("32/64,64/160,160", 768)."""
    meta = json.loads(path_npz.with_suffix(".json").read_text(encoding="utf-8"))
    stages: list[list[int]] = [[]]
    fc = 0
    with np.load(path_npz) as z:
        for layer in meta["layers"]:
            if layer["op"] in CONV_OPS:
                stages[-1].append(int(z[layer["name"] + "_w"].shape[0]))
            elif layer["op"] == "maxpool2":
                stages.append([])
            elif layer["op"] == "dense" and not fc:
                fc = int(z[layer["name"] + "_w"].shape[1])
    return "/".join(",".join(str(w) for w in stage) for stage in stages if stage), fc


def model_from_exported(torch, path_npz: Path):
    """A frozen torch network computing what the numpy runtime computes from exported
    weights (any widths: the layer list in the json beside them says the shape)."""
    nn = torch.nn
    meta = json.loads(path_npz.with_suffix(".json").read_text(encoding="utf-8"))
    z = np.load(path_npz)
    layers = []
    for layer in meta["layers"]:
        op = layer["op"]
        if op in CONV_OPS:
            w = torch.from_numpy(z[layer["name"] + "_w"].astype(np.float32))
            conv = nn.Conv2d(w.shape[1], w.shape[0], w.shape[2], padding=w.shape[2] // 2)
            conv.weight.data.copy_(w)
            conv.bias.data.copy_(torch.from_numpy(z[layer["name"] + "_b"].astype(np.float32)))
            layers.append(conv)
        elif op == "dense":
            w = torch.from_numpy(z[layer["name"] + "_w"].astype(np.float32).T)
            dense = nn.Linear(w.shape[1], w.shape[0])
            dense.weight.data.copy_(w)
            dense.bias.data.copy_(torch.from_numpy(z[layer["name"] + "_b"].astype(np.float32)))
            layers.append(dense)
        else:
            layers.append({"relu": nn.ReLU, "maxpool2": lambda: nn.MaxPool2d(2), "flatten": nn.Flatten}[op]())
    model = nn.Sequential(*layers).eval()
    for param in model.parameters():
        param.requires_grad_(False)
    return model


def calibrate_batch_norm(torch, model, x: np.ndarray) -> None:
    """Make batch norm in training mode reproduce the loaded (folded) network.

    load_exported() leaves each batch norm as identity plus bias, which is exact in eval
    mode, but in training mode batch norm rescales each channel to unit variance and
    throws away the scale the folded convolution carries, so a continuation would start
    from a different, worse network. Measuring each convolution's output mean and spread
    on a sample of training drawings and putting them back as the batch norm's scale and
    shift makes both modes compute what the shipped weights compute."""
    mods = list(model)
    stats, hooks = {}, []
    for i, m in enumerate(mods):
        if type(m).__name__ == "Conv2d":
            hooks.append(
                m.register_forward_hook(
                    lambda mod, inp, out, i=i: stats.__setitem__(
                        i, (out.mean((0, 2, 3)), out.var((0, 2, 3), unbiased=False))
                    )
                )
            )
    model.eval()
    with torch.no_grad():
        model(torch.from_numpy(x.reshape(-1, 1, 28, 28).astype(np.float32) / 255.0))
        for h in hooks:
            h.remove()
        for i, (mean, var) in stats.items():
            bn = mods[i + 1]
            bn.bias.copy_(bn.bias + mean)
            bn.weight.copy_(torch.sqrt(var + bn.eps))
            bn.running_mean.copy_(mean)
            bn.running_var.copy_(var)


def export(torch, model, classes, meta, path_npz: Path, path_json: Path):
    """Fold batch norm into the convolutions and write the layer list the numpy runtime reads."""
    model = model.eval()
    arrays, layers = {}, []
    mods = list(model)
    i = 0
    n_conv = n_dense = 0
    while i < len(mods):
        m = mods[i]
        name = type(m).__name__
        if name == "Conv2d":
            size = m.kernel_size[0]
            op = f"conv{size}x{size}"
            if (
                op not in CONV_OPS
                or m.kernel_size != (size, size)
                or m.stride != (1, 1)
                or m.padding != (size // 2, size // 2)
            ):
                raise ValueError(f"the numpy runtime computes {', '.join(CONV_OPS)} 'same' convolutions, not {m}")
            bn = mods[i + 1] if i + 1 < len(mods) and type(mods[i + 1]).__name__ == "BatchNorm2d" else None
            if bn is not None:
                scale = (bn.weight / torch.sqrt(bn.running_var + bn.eps)).detach()
                w = m.weight.detach() * scale[:, None, None, None]
                b = (bn.bias - bn.running_mean * scale).detach()
            else:
                w, b = m.weight.detach(), m.bias.detach()
            key = f"conv{n_conv}"
            n_conv += 1
            arrays[key + "_w"] = w.numpy().astype(np.float16)
            arrays[key + "_b"] = b.numpy().astype(np.float16)
            layers.append({"op": op, "name": key})
            i += 2 if bn is not None else 1
            continue
        if name == "Linear":
            key = f"dense{n_dense}"
            n_dense += 1
            arrays[key + "_w"] = m.weight.detach().numpy().T.astype(np.float16)
            arrays[key + "_b"] = m.bias.detach().numpy().astype(np.float16)
            layers.append({"op": "dense", "name": key})
        elif name == "ReLU":
            layers.append({"op": "relu"})
        elif name == "MaxPool2d":
            layers.append({"op": "maxpool2"})
        elif name == "Flatten":
            layers.append({"op": "flatten"})
        i += 1
    np.savez_compressed(path_npz, **arrays)
    meta = {**meta, "classes": classes, "layers": layers, "input": "28x28 uint8 bitmap / 255, 0 = paper"}
    path_json.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def write_examples(root: Path, out: Path, per_class: int = 3) -> None:
    """A few example drawings per class for the game's autopilot: the first held-out (test)
    bitmaps of each class, traced into strokes and simplified. The game ships these so
    headless playtests need no dataset; they are never used to train or to score."""
    from game.minigames.drawing.strokes import simplify

    classes, arrays = D.load_bitmaps(root)
    drawings = {}
    for c, arr in enumerate(arrays):
        idx = D.split_indices(len(arr), c)["test"][:per_class]
        drawings[classes[c]] = [simplify(strokes) for strokes in trace_bitmaps(arr[idx])]
    payload = {
        "attribution": ATTRIBUTION,
        "method": "first held-out test bitmaps per class, skeleton-traced (strokes.trace_bitmaps), "
        "simplified with Google's recipe",
        "drawings": drawings,
    }
    out.write_text(json.dumps(payload, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB)")


def distilled_loss(torch, out, labels, soft, distilled_rows, weight, temperature, smoothing):
    """Cross-entropy on the labels, mixed with the teachers' softened outputs (`soft`) at
    `weight` on the rows marked in `distilled_rows` (the others learn from their labels
    alone). The teachers are good at finished drawings and weaker on fragments, so a run
    may hold only the whole drawings to them (`--distil-complete`)."""
    F = torch.nn.functional
    ce = F.cross_entropy(out, labels, label_smoothing=smoothing, reduction="none")
    kd = F.kl_div(F.log_softmax(out / temperature, 1), soft, reduction="none").sum(1)
    w = torch.from_numpy(np.asarray(distilled_rows, np.float32)) * weight
    return ((1 - w) * ce + w * temperature**2 * kd).mean()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=D.default_quickdraw_dir())
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--per-class", type=int, default=3000, help="examples drawn from each class per epoch")
    ap.add_argument("--minutes", type=float, default=11.0, help="stop training after this long (CPU budget)")
    ap.add_argument("--cache", type=Path, help="keep the prepared training arrays in this .npz between runs")
    # One thread: on the shared 2-core machine it ran faster than two (less contention).
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    ap.add_argument("--init", type=Path, help="continue from these exported weights (a second, shorter run)")
    ap.add_argument("--dropout", type=float, default=0.3)
    ap.add_argument("--deep", action="store_true", help="a second 64-channel convolution at 14x14")
    ap.add_argument(
        "--widths",
        help='conv widths per stage, e.g. "32/64,64/128,128" (overrides --deep; default: as --init\'s weights)',
    )
    ap.add_argument("--fc", type=int, help="width of the hidden dense layer (default: as --init's weights, else 256)")
    ap.add_argument("--smoothing", type=float, default=0.05, help="label smoothing")
    ap.add_argument("--lr", type=float, default=3e-3, help="peak learning rate")
    ap.add_argument(
        "--smoothed", type=float, default=0.0, help="share of the partial drawings made from smoothed paths"
    )
    ap.add_argument("--originals", type=float, default=0.5, help="share of each epoch taken from whole drawings")
    ap.add_argument(
        "--teacher",
        type=Path,
        action="append",
        default=[],
        help="exported weights (.npz) to distil from; repeat for an ensemble (their mean)",
    )
    ap.add_argument("--distil", type=float, default=0.7, help="weight of the teachers' soft targets in the loss")
    ap.add_argument("--temperature", type=float, default=2.0, help="softening of the teachers' and student's outputs")
    ap.add_argument(
        "--distil-complete",
        action="store_true",
        help="distil on the whole drawings only; the partial ones learn from their labels alone",
    )
    ap.add_argument(
        "--real",
        type=float,
        default=0.0,
        help="weight of the real-stroke targets (real_stroke_prefixes; teacher: --init, else the "
        "shipped weights); 0: none",
    )
    ap.add_argument("--real-share", type=int, default=24, help="real-stroke prefixes added to each batch of 128")
    ap.add_argument(
        "--aux",
        type=float,
        default=0.0,
        help="weight of an auxiliary head that names people's real strokes of the stroke-file "
        "categories (stroke_file_prefixes; not exported); 0: none",
    )
    ap.add_argument("--aux-share", type=int, default=32, help="auxiliary prefixes added to each batch of 128")
    ap.add_argument(
        "--select-lookalikes",
        action="store_true",
        help="choose the exported epoch by the mean of validation complete, half and the look-alike "
        "categories at half of people's strokes (then no longer an unseen check for it)",
    )
    ap.add_argument("--ema", type=float, default=0.999, help="decay of the weight average (0: none)")
    ap.add_argument("--checkpoint", type=Path, help="save the whole training state here after every epoch")
    ap.add_argument(
        "--resume",
        action="store_true",
        help="continue the run saved in --checkpoint (same options; --minutes is the whole budget)",
    )
    ap.add_argument("--no-examples", action="store_true", help="do not rewrite examples.json beside the weights")
    ap.add_argument("--prep-only", action="store_true", help="only prepare the training arrays (into --cache)")
    ap.add_argument("--examples-only", action="store_true", help="only write examples.json for the autopilot")
    args = ap.parse_args(argv)
    if args.examples_only:
        write_examples(args.data, args.out / "examples.json")
        return 0
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        print("train_recognizer: needs PyTorch for training: .venv/bin/pip install torch==2.13.0", file=sys.stderr)
        return 2
    for weights in [args.init, *args.teacher]:
        if weights and not (weights.is_file() and weights.with_suffix(".json").is_file()):
            print(
                f"train_recognizer: {weights}: expected exported weights (a .npz with its .json beside it)",
                file=sys.stderr,
            )
            return 2
    if not (args.cache and args.cache.exists()) and not (args.data / "bitmaps").is_dir():
        print(f"train_recognizer: no bitmaps under {args.data} (pass --data)", file=sys.stderr)
        return 2
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    started = time.time()
    cache = args.cache
    if cache and cache.exists():
        z = np.load(cache, allow_pickle=False)
        if "val_px" not in z.files:
            print(
                f"train_recognizer: {cache} was prepared by an older version of this tool (no half-drawn "
                "validation set): delete it or pass another --cache",
                file=sys.stderr,
            )
            return 2
        classes = [str(c) for c in z["classes"]]
        originals = [z[f"o{c}"] for c in range(len(classes))]
        partials = [z[f"p{c}"] for c in range(len(classes))]
        val_x, val_y, val_px = z["val_x"], z["val_y"], z["val_px"]
        partials_recipe = (
            str(z["partials_recipe"])
            if "partials_recipe" in z.files
            else f"partial drawings as prepared in {cache.name} by an earlier version of this tool "
            "(its recipe was not recorded)"
        )
        print(f"read the prepared data from {cache}", flush=True)
    else:
        try:
            classes, originals, partials, val_x, val_y, val_px = build_data(args.data, args.seed, args.smoothed)
        except FileNotFoundError:
            print(f"train_recognizer: no bitmaps/*.npy under {args.data} (pass --data)", file=sys.stderr)
            return 2
        partials_recipe = recipe_for(args.smoothed)
        if cache:
            np.savez(
                cache,
                classes=np.array(classes),
                val_x=val_x,
                val_y=val_y,
                val_px=val_px,
                partials_recipe=np.array(partials_recipe),
                **{f"o{c}": a for c, a in enumerate(originals)},
                **{f"p{c}": a for c, a in enumerate(partials)},
            )
    if args.prep_only:
        return 0
    n_classes = len(classes)
    if args.init:  # the network continued is as wide as its weights unless told wider
        try:
            init_widths, init_fc = exported_architecture(args.init)
        except (OSError, ValueError, KeyError, TypeError) as e:
            print(
                f"train_recognizer: {args.init}: expected exported weights with their layer list in "
                f"{args.init.with_suffix('.json').name} ({type(e).__name__}: {e})",
                file=sys.stderr,
            )
            return 2
        if args.widths is None and not args.deep:
            args.widths = init_widths
        args.fc = args.fc or init_fc
    args.fc = args.fc or 256
    model = make_model(torch, n_classes, args.dropout, args.deep, args.widths, args.fc)
    widened = []
    if args.init:
        try:
            widened = load_exported(torch, model, args.init, args.seed)
        except ValueError as e:
            print(
                f"train_recognizer: {args.init} cannot start a network of "
                f"{describe(args.widths, args.deep, args.fc)} ({e}); its weights are "
                f"--widths {init_widths} --fc {init_fc}, and a continued network may only be as wide or wider",
                file=sys.stderr,
            )
            return 2
        sample = np.concatenate(
            [originals[c][rng.integers(0, len(originals[c]), 100)] for c in range(n_classes)]
            + [partials[c][rng.integers(0, len(partials[c]), 100)] for c in range(n_classes)]
        )
        calibrate_batch_norm(torch, model, sample)
        print(f"continuing from {args.init}" + (f", widened: {', '.join(widened)}" if widened else ""), flush=True)
    # Distillation: the mean of the teachers' softened outputs is a second target. On a
    # half-drawn picture it says "bird or airplane, not book", which the one-hot label
    # cannot, and an ensemble's mean is better than any one network that can be shipped.
    teachers = [model_from_exported(torch, t) for t in args.teacher]
    real_x = None
    if args.real > 0:
        from game.minigames.drawing.recognizer import EmbeddedRecognizer

        source = args.init or (OUT_DIR / "recognizer.npz")
        t0 = time.time()
        real_x, real_t, real_w = real_stroke_prefixes(
            args.data, EmbeddedRecognizer(source, source.with_suffix(".json")), args.seed
        )
        print(
            f"{len(real_x)} prefixes of people's strokes of other categories as targets "
            f"(teacher {source.parent.name}/{source.name}, {time.time() - t0:.0f}s)",
            flush=True,
        )
        if not len(real_x):
            print(f"train_recognizer: no stroke files under {args.data}/strokes/simplified for --real", file=sys.stderr)
            return 2
    aux_x = None
    aux_head = None
    params = list(model.parameters())
    if args.aux > 0:
        t0 = time.time()
        aux_x, aux_y, aux_names = stroke_file_prefixes(args.data, args.seed)
        if not len(aux_x):
            print(f"train_recognizer: no stroke files under {args.data}/strokes/simplified for --aux", file=sys.stderr)
            return 2
        aux_head = torch.nn.Linear(args.fc, len(aux_names))
        # A continued run keeps the head of the run it continues (beside its weights), so the
        # shared layers are not disturbed again by a head that starts from nothing.
        kept = args.init.with_suffix(".aux.npz") if args.init else None
        continued = ""
        if kept is not None and kept.is_file():
            try:
                with np.load(kept) as z:
                    names, weight, bias = [str(n) for n in z["names"]], z["weight"], z["bias"]
            except (OSError, ValueError, KeyError) as exc:
                print(f"train_recognizer: {kept} is unreadable ({exc}); the auxiliary head starts afresh", flush=True)
            else:
                if names == aux_names and weight.shape == tuple(aux_head.weight.shape):
                    aux_head.weight.data = torch.from_numpy(weight)
                    aux_head.bias.data = torch.from_numpy(bias)
                    continued = f", continued from {kept}"
                else:
                    print(f"train_recognizer: {kept} names other categories; the auxiliary head starts afresh")
        params += list(aux_head.parameters())
        print(
            f"{len(aux_x)} drawings and prefixes of people's strokes of {len(aux_names)} other categories "
            f"for the auxiliary head ({time.time() - t0:.0f}s{continued})",
            flush=True,
        )
    steps_per_epoch = (args.per_class * n_classes) // 128
    opt = torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4)
    total_steps = args.epochs * steps_per_epoch
    budget = args.minutes * 60

    def set_lr(step: int) -> float:
        # One cycle (warm up, cosine down) over whichever ends first, the steps or the time
        # budget: on a busy shared machine the run still ends annealed, not at peak rate.
        progress = max(step / total_steps, (time.time() - train_started) / budget)
        lr = args.lr * (
            progress / 0.1 if progress < 0.1 else 0.5 * (1 + np.cos(np.pi * min(1.0, (progress - 0.1) / 0.9)))
        )
        for group in opt.param_groups:
            group["lr"] = max(lr, 1e-5)
        return progress

    vx = torch.from_numpy(val_x.reshape(-1, 1, 28, 28).astype(np.float32) / 255.0)
    vpx = torch.from_numpy(val_px.reshape(-1, 1, 28, 28).astype(np.float32) / 255.0)
    vy = torch.from_numpy(val_y)

    def validate(net) -> tuple[float, float]:
        """Validation top-1 on complete drawings and at half the strokes (human-like order)."""
        net.eval()
        with torch.no_grad():
            accs = [
                float(
                    (torch.cat([net(v[k : k + 1024]).argmax(1) for k in range(0, len(v), 1024)]) == vy).float().mean()
                )
                for v in (vx, vpx)
            ]
        return accs[0], accs[1]

    # Watched (selected on only with --select-lookalikes): look-alike drawings (duck as bird...) at half of people's
    # real strokes, the nearest thing to play that the training data allows.
    look_x, look_y = lookalike_halves(args.data, classes)
    lx = torch.from_numpy(look_x.reshape(-1, 1, 28, 28).astype(np.float32) / 255.0)

    def lookalike_top1(net) -> float | None:
        if not len(look_x):
            return None
        with torch.no_grad():
            return float((net(lx).argmax(1).numpy() == look_y).mean())

    # An exponential moving average of the weights (and batch-norm statistics), checked
    # beside the raw weights every epoch: averaging over the last few thousand steps
    # smooths out the noise of the final ones. The better of the two, by the mean of the
    # complete and half-drawn validation accuracies, is what gets exported.
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

    ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(args.ema), use_buffers=True) if args.ema else None
    best = (-1.0, None, (0.0, 0.0))
    if args.init:
        full, half = validate(model)
        print(f"starting val top-1 {full:.4f} complete, {half:.4f} at half the strokes", flush=True)
    train_started = time.time()
    step = 0
    progress = 0.0
    first_epoch = 0
    if args.resume and not (args.checkpoint and args.checkpoint.exists()):
        print(f"nothing to resume at {args.checkpoint}: starting a new run", flush=True)
    if args.checkpoint and args.resume and args.checkpoint.exists():
        # A run spread over several sittings: everything that decides what comes next
        # (weights, optimizer moments, weight average, schedule position, random state).
        state = torch.load(args.checkpoint, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        if ema is not None and state.get("ema"):
            ema.load_state_dict(state["ema"])
        if aux_head is not None and state.get("aux"):
            aux_head.load_state_dict(state["aux"])
        step, first_epoch, best = state["step"], state["epoch"] + 1, tuple(state["best"])
        train_started = time.time() - state["elapsed"]
        rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])
        print(f"resumed {args.checkpoint} after epoch {first_epoch} ({state['elapsed']:.0f}s trained)", flush=True)
    epoch = first_epoch - 1
    for epoch in range(first_epoch, args.epochs):
        # Balanced: the same count from every class, half originals, half partial drawings.
        xs, ys, whole = [], [], []
        for c in range(n_classes):
            half = int(round(args.per_class * args.originals))
            xs.append(originals[c][rng.integers(0, len(originals[c]), half)])
            xs.append(partials[c][rng.integers(0, len(partials[c]), args.per_class - half)])
            ys.append(np.full(args.per_class, c))
            whole.append(np.arange(args.per_class) < half)
        x = np.concatenate(xs)
        y = np.concatenate(ys)
        is_whole = np.concatenate(whole)
        perm = rng.permutation(len(x))
        x, y, is_whole = x[perm], y[perm], is_whole[perm]
        model.train()
        total = 0.0
        for s in range(steps_per_epoch):
            progress = set_lr(step)
            step += 1
            if progress >= 1.0:
                break
            xb = x[s * 128 : (s + 1) * 128]
            yb = torch.from_numpy(y[s * 128 : (s + 1) * 128])
            n_plain = len(xb)
            n_real = 0
            if real_x is not None:
                pick = rng.integers(0, len(real_x), args.real_share)
                xb = np.concatenate([xb, real_x[pick]])
                n_real = args.real_share
            if aux_x is not None:
                aux_pick = rng.integers(0, len(aux_x), args.aux_share)
                xb = np.concatenate([xb, aux_x[aux_pick]])
            xb = torch.from_numpy(xb.reshape(-1, 1, 28, 28).astype(np.float32) / 255.0)
            # Small shifts and zooms: players' drawings pass through the same recipe, but
            # the trace-and-render path lands up to a pixel away from Google's renders.
            n = len(xb)
            theta = torch.zeros(n, 2, 3)
            zoom = 1.0 + (torch.rand(n) - 0.5) * 0.16
            theta[:, 0, 0] = zoom
            theta[:, 1, 1] = zoom
            theta[:, :, 2] = (torch.rand(n, 2) - 0.5) * 0.12
            # Mirror half of them: animals and vehicles face either way in the dataset.
            theta[:, 0, 0] *= torch.where(torch.rand(n) < 0.5, -1.0, 1.0)
            grid = F.affine_grid(theta, xb.shape, align_corners=False)
            xb = F.grid_sample(xb, grid, align_corners=False, padding_mode="zeros")
            if aux_head is not None:
                # the hidden layer's output (after its ReLU) feeds both heads
                features = model[:-2](xb)
                dropped = model[-2](features)
                out_all = model[-1](dropped[: n_plain + n_real])
                aux_out = aux_head(dropped[n_plain + n_real :])
            else:
                out_all = model(xb)
            out = out_all[:n_plain]
            if teachers:
                with torch.no_grad():
                    soft = torch.stack([F.softmax(t(xb[:n_plain]) / args.temperature, 1) for t in teachers]).mean(0)
                rows = is_whole[s * 128 : (s + 1) * 128] if args.distil_complete else np.ones(n_plain, bool)
                loss = distilled_loss(torch, out, yb, soft, rows, args.distil, args.temperature, args.smoothing)
            else:
                loss = F.cross_entropy(out, yb, label_smoothing=args.smoothing)
            if real_x is not None:
                # cross-entropy against the finished drawing's probabilities, by its confidence
                target = torch.from_numpy(real_t[pick])
                per = -(target * F.log_softmax(out_all[n_plain : n_plain + n_real], 1)).sum(1)
                loss = loss + args.real * (per * torch.from_numpy(real_w[pick])).mean()
            if aux_head is not None:
                aux_target = torch.from_numpy(aux_y[aux_pick])
                loss = loss + args.aux * F.cross_entropy(aux_out, aux_target, label_smoothing=args.smoothing)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if ema is not None:
                ema.update_parameters(model)
            total += float(loss.detach())
        report = [f"epoch {epoch + 1}/{args.epochs} loss {total / max(1, s):.3f}"]
        for label, net in (("raw", model), ("ema", ema.module if ema is not None else None)):
            if net is None:
                continue
            full, half = validate(net)
            look = lookalike_top1(net)
            report.append(
                f"{label} val {full:.4f} / half {half:.4f}"
                + (f" / look-alikes at half {look:.3f}" if look is not None else "")
            )
            score = (full + half + look) / 3 if args.select_lookalikes and look is not None else (full + half) / 2
            if score > best[0]:
                best = (score, {k: v.clone() for k, v in net.state_dict().items()}, (full, half))
        print("  ".join(report) + f" ({time.time() - train_started:.0f}s)", flush=True)
        if args.checkpoint:
            partial_path = args.checkpoint.with_suffix(".part")
            torch.save(
                {
                    "model": model.state_dict(),
                    "opt": opt.state_dict(),
                    "ema": ema.state_dict() if ema is not None else None,
                    "aux": aux_head.state_dict() if aux_head is not None else None,
                    "step": step,
                    "epoch": epoch,
                    "elapsed": time.time() - train_started,
                    "best": list(best),
                    "rng": rng.bit_generator.state,
                    "torch_rng": torch.get_rng_state(),
                },
                partial_path,
            )
            partial_path.replace(args.checkpoint)
        if progress >= 1.0:
            print("time budget reached; stopped with the rate annealed", flush=True)
            break
    model.load_state_dict(best[1])
    meta = {
        "name": "embedded",
        "attribution": ATTRIBUTION,
        "recipe": {
            "architecture": describe(args.widths, args.deep, args.fc) + ", batch norm folded, float16 weights",
            "data": "bitmaps/*.npy; seeded split (data.SPLIT_SEED) 85% train / 5% val / 10% test",
            "augmentation": "random mirror, shift +-3% and zoom +-8%; " + partials_recipe,
            "weight_average": f"EMA decay {args.ema}, kept when it validates better" if args.ema else None,
            "selection": "the epoch (raw or averaged weights) with the best mean of validation top-1 on complete "
            "drawings and at half the strokes (human-like order)"
            + (" and the look-alike categories at half of people's strokes" if args.select_lookalikes else ""),
            "balancing": f"{args.per_class} examples per class per epoch, {args.originals:.0%} whole drawings, "
            "the rest partial drawings",
            "dropout": args.dropout,
            "optimizer": f"AdamW, one-cycle lr {args.lr} over the steps or the time budget, batch 128, "
            f"label smoothing {args.smoothing}, {epoch + 1} epochs, {args.threads} threads",
            "continued_from": (
                f"{args.init.parent.name}/{args.init.name}"
                + (f", widened (Net2WiderNet): {', '.join(widened)}" if widened else "")
                if args.init
                else None
            ),
            "distilled_from": [f"{t.parent.name}/{t.name}" for t in args.teacher] or None,
            "distillation": (
                f"weight {args.distil}, temperature {args.temperature}, "
                + ("whole drawings only" if args.distil_complete else "every drawing")
                if args.teacher
                else None
            ),
            "real_stroke_targets": (
                f"weight {args.real}, {args.real_share} per batch: up to {REAL_PREFIXES_PER_DRAWING} prefixes "
                "(1 to n-1 strokes, people's order) of each stroke-file drawing of the other categories (not the "
                "look-alikes) that the starting network calls one of the 20 when finished (confidence >= 0.3), "
                "its probabilities on the finished drawing as the target"
                if real_x is not None
                else None
            ),
            "auxiliary_head": (
                f"weight {args.aux}, {args.aux_share} per batch: people's real strokes of the stroke-file "
                f"categories (not the look-alikes), each drawing complete and up to {REAL_PREFIXES_PER_DRAWING} "
                "prefixes, named by a second head on the hidden layer that is not exported"
                if aux_x is not None
                else None
            ),
        },
        "seed": args.seed,
        "split_seed": D.SPLIT_SEED,
        "val_top1": round(best[2][0], 4),
        "val_top1_half_strokes": round(best[2][1], 4),
        "train_seconds": round(time.time() - train_started),  # all sittings of a resumed run
        "torch": torch.__version__,
    }
    # Every run that led to these weights, oldest first, so the recipe is the whole story.
    earlier = []
    if args.init and args.init.with_suffix(".json").exists():
        prev = json.loads(args.init.with_suffix(".json").read_text())
        earlier = prev.get("training_runs") or [
            {k: prev.get(k) for k in ("recipe", "seed", "val_top1", "val_top1_half_strokes", "train_seconds")}
        ]
    meta["training_runs"] = earlier + [
        {k: meta[k] for k in ("recipe", "seed", "val_top1", "val_top1_half_strokes", "train_seconds")}
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    export(torch, model, classes, meta, args.out / "recognizer.npz", args.out / "recognizer.json")
    if aux_head is not None:
        # Not part of what the game loads: only for a run that continues this one (--init).
        # It is the head's last state, beside the chosen epoch's shared layers.
        np.savez(
            args.out / "recognizer.aux.npz",
            names=np.array(aux_names),
            weight=aux_head.weight.detach().numpy(),
            bias=aux_head.bias.detach().numpy(),
        )
    print(
        f"wrote {args.out / 'recognizer.npz'} ({(args.out / 'recognizer.npz').stat().st_size / 1e6:.2f} MB); "
        f"best val top-1 {best[2][0]:.4f} complete, {best[2][1]:.4f} at half the strokes; total {time.time() - started:.0f}s"
    )
    if not args.no_examples:
        write_examples(args.data, args.out / "examples.json")
    print("now run tools/evaluate_recognizer.py --write to measure the held-out split")
    return 0


if __name__ == "__main__":
    sys.exit(main())
