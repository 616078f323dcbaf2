"""Rebuild the drawing recognizer's baseline, to see what this project's measures make of it.

    .venv/bin/python tools/issue_baseline.py [--out build/issue-baseline] [--epochs 14]
    .venv/bin/python tools/evaluate_recognizer.py --weights build/issue-baseline

The drawing game's targets (0.93 top-1 / 0.98 top-3 on complete drawings, 0.80 top-1 at
half the strokes) were set beside a baseline measured elsewhere: a small CNN
(conv5x5x16-pool-conv3x3x32-pool-fc128) trained on complete drawings only, which reached
about 0.89 / 0.97 complete and 0.71 at half the strokes. How "half the strokes" was made
there is not known: the 20 bitmap categories have no strokes here, so
tools/evaluate_recognizer.py traces them. Training that same network the plain way
(complete training bitmaps, classes balanced, no augmentation) and measuring it with the
same tool shows how the traced measure compares with the one the target was set on.

Needs PyTorch (the `train` extra). Writes recognizer.npz / recognizer.json into --out in
the shipped format; the game never loads it.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from game.minigames.drawing import data as D  # noqa: E402

ARCHITECTURE = "conv5x5x16-pool-conv3x3x32-pool-fc128-fc20"


def _trainer():
    """tools/train_recognizer.py, for its exporter (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location("train_recognizer", REPO / "tools" / "train_recognizer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_baseline(torch, n_classes: int):
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 7 * 7, 128),
        nn.ReLU(),
        nn.Linear(128, n_classes),
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=D.default_quickdraw_dir())
    ap.add_argument("--out", type=Path, default=REPO / "build" / "issue-baseline")
    ap.add_argument("--epochs", type=int, default=14)
    ap.add_argument("--per-class", type=int, default=3000, help="examples drawn from each class per epoch")
    ap.add_argument("--lr", type=float, default=2e-3, help="peak learning rate (one cycle)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("issue_baseline: needs PyTorch for training: .venv/bin/pip install -e '.[train]'", file=sys.stderr)
        return 2
    if args.epochs < 1:
        print("issue_baseline: --epochs: expected at least 1", file=sys.stderr)
        return 2
    try:
        classes, arrays = D.load_bitmaps(args.data)
    except FileNotFoundError:
        print(f"issue_baseline: no bitmaps/*.npy under {args.data} (pass --data)", file=sys.stderr)
        return 2
    trainer = _trainer()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    train, val_x, val_y = [], [], []
    for c, arr in enumerate(arrays):  # the same split as the shipped network: test never read
        split = D.split_indices(len(arr), c)
        train.append(arr[split["train"]])
        val_x.append(arr[split["val"]])
        val_y.append(np.full(len(split["val"]), c))
    vx = torch.from_numpy(np.concatenate(val_x).reshape(-1, 1, 28, 28).astype(np.float32) / 255.0)
    vy = np.concatenate(val_y)
    model = make_baseline(torch, len(classes))
    steps = args.epochs * -(-args.per_class * len(classes) // 128)
    opt = torch.optim.Adam(model.parameters(), args.lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(opt, args.lr, total_steps=steps)
    best = (-1.0, None)
    started = time.time()
    for epoch in range(args.epochs):
        # balanced: the same count from every class each epoch
        x = np.concatenate([a[rng.integers(0, len(a), args.per_class)] for a in train])
        y = np.repeat(np.arange(len(classes)), args.per_class)
        order = rng.permutation(len(x))
        x, y = x[order], y[order]
        model.train()
        for k in range(0, len(x), 128):
            xb = torch.from_numpy(x[k : k + 128].reshape(-1, 1, 28, 28).astype(np.float32) / 255.0)
            loss = torch.nn.functional.cross_entropy(model(xb), torch.from_numpy(y[k : k + 128]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            schedule.step()
        model.eval()
        with torch.no_grad():
            acc = float((model(vx).argmax(1).numpy() == vy).mean())
        print(f"epoch {epoch + 1}/{args.epochs} val top-1 {acc:.4f} ({time.time() - started:.0f}s)", flush=True)
        if acc > best[0]:
            best = (acc, {k: v.clone() for k, v in model.state_dict().items()})
    model.load_state_dict(best[1])
    meta = {
        "name": "issue-baseline",
        "attribution": trainer.ATTRIBUTION,
        "recipe": {
            "architecture": ARCHITECTURE + ", float16 weights",
            "data": "bitmaps/*.npy complete drawings only; seeded split (data.SPLIT_SEED) 85% train / 5% val / 10% test",
            "balancing": f"{args.per_class} examples per class per epoch",
            "optimizer": f"Adam, one-cycle lr {args.lr}, batch 128, {args.epochs} epochs, no augmentation",
            "selection": "the epoch with the best validation top-1 on complete drawings",
        },
        "seed": args.seed,
        "split_seed": D.SPLIT_SEED,
        "val_top1": round(best[0], 4),
        "train_seconds": round(time.time() - started),
        "torch": torch.__version__,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    trainer.export(torch, model, classes, meta, args.out / "recognizer.npz", args.out / "recognizer.json")
    print(f"wrote {args.out / 'recognizer.npz'}; best val top-1 {best[0]:.4f}")
    print(f"now run tools/evaluate_recognizer.py --weights {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
