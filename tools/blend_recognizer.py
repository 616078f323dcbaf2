"""Blend two exported recognizers of the same shape, weight by weight, and keep the best blend.

    .venv/bin/python tools/blend_recognizer.py BASE_DIR CANDIDATE_DIR --out DIR \\
        --cache /tmp/qd_prep5.npz [--data ../shared/data/quickdraw] [--shares 0,0.1,...,1]

A candidate continued from the shipped weights (train_recognizer.py --init) lies near them:
a point on the line between the two often keeps most of what the continuation learned
(drawings at half their strokes) and most of what it gave up (complete drawings), as
fine-tuned networks do when interpolated back towards where they started. Each share s
gives the weights (1 - s) * BASE + s * CANDIDATE, batch norm already folded into both.

The share is chosen by the rule train_recognizer.py --select-lookalikes chooses epochs by,
declared before anything is measured: the mean of validation top-1 on complete drawings,
validation top-1 at half the strokes (both from the --cache that train_recognizer.py
prepared) and the look-alike stroke categories at half of people's strokes (read from
--data). People's strokes of the 20 categories (strokes20_dev/) are never read here: they
stay an unseen check for tools/evaluate_recognizer.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from game.minigames.drawing import data as D  # noqa: E402
from game.minigames.drawing.recognizer import EmbeddedRecognizer, RecognizerError  # noqa: E402

DEFAULT_SHARES = "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1"


def blend(base: dict[str, np.ndarray], candidate: dict[str, np.ndarray], share: float) -> dict[str, np.ndarray]:
    """(1 - share) * base + share * candidate for every array, computed in float32."""
    if base.keys() != candidate.keys() or any(base[k].shape != candidate[k].shape for k in base):
        raise ValueError("the two networks have different layers or widths")
    return {
        k: ((1.0 - share) * base[k].astype(np.float32) + share * candidate[k].astype(np.float32)).astype(base[k].dtype)
        for k in base
    }


def read_weights(folder: Path) -> tuple[dict[str, np.ndarray], dict]:
    with np.load(folder / "recognizer.npz") as z:
        weights = {k: z[k] for k in z.files}
    return weights, json.loads((folder / "recognizer.json").read_text(encoding="utf-8"))


def score(rec: EmbeddedRecognizer, checks: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
    """Top-1 on each check set, and their mean (the selection rule)."""
    out = {name: float((rec.probabilities(x).argmax(1) == y).mean()) for name, (x, y) in checks.items() if len(x)}
    out["mean"] = float(np.mean(list(out.values())))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("base", type=Path, help="a folder with recognizer.npz and .json (the shipped weights' folder)")
    ap.add_argument("candidate", type=Path, help="a folder with the candidate's recognizer.npz and .json")
    ap.add_argument("--out", type=Path, required=True, help="where the chosen blend is written")
    ap.add_argument("--cache", type=Path, required=True, help="train_recognizer.py's --cache (its validation drawings)")
    ap.add_argument("--data", type=Path, default=D.default_quickdraw_dir(), help="for the look-alike stroke files")
    ap.add_argument("--shares", default=DEFAULT_SHARES, help="the candidate's shares to try, comma-separated")
    args = ap.parse_args(argv)
    try:
        shares = sorted({float(s) for s in args.shares.split(",")})
    except ValueError:
        print(f"blend_recognizer: --shares {args.shares!r}: expected numbers such as 0,0.5,1", file=sys.stderr)
        return 2
    if not shares or min(shares) < 0 or max(shares) > 1:
        print(f"blend_recognizer: --shares {args.shares!r}: each share must be between 0 and 1", file=sys.stderr)
        return 2
    try:
        base, base_meta = read_weights(args.base)
        candidate, meta = read_weights(args.candidate)
    except (OSError, ValueError) as exc:
        print(f"blend_recognizer: {exc}", file=sys.stderr)
        return 2
    if base_meta.get("classes") != meta.get("classes") or base_meta.get("layers") != meta.get("layers"):
        print(f"blend_recognizer: {args.base} and {args.candidate} name other classes or layers", file=sys.stderr)
        return 2
    try:
        z = np.load(args.cache)
        checks = {"complete": (z["val_x"], z["val_y"]), "half": (z["val_px"], z["val_y"])}
    except (OSError, KeyError, ValueError) as exc:
        print(f"blend_recognizer: {args.cache}: expected train_recognizer.py's --cache ({exc})", file=sys.stderr)
        return 2
    checks["lookalikes_half"] = D.lookalike_halves(args.data, meta["classes"])
    if not len(checks["lookalikes_half"][0]):
        print(f"blend_recognizer: no look-alike stroke files under {args.data}/strokes/simplified", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    npz, js = args.out / "recognizer.npz", args.out / "recognizer.json"
    js.write_text(json.dumps(meta), encoding="utf-8")  # the layer list, for measuring each blend
    print(
        f"{len(checks['complete'][0])} validation drawings (complete and at half), "
        f"{len(checks['lookalikes_half'][0])} look-alikes at half of people's strokes"
    )
    print(f"{'share':>6}  {'complete':>8}  {'half':>6}  {'look-alikes':>11}  {'mean':>6}")
    results = {}
    try:
        for share in shares:
            np.savez(npz, **blend(base, candidate, share))
            results[share] = score(EmbeddedRecognizer(npz, js), checks)
            r = results[share]
            print(
                f"{share:6.2f}  {r['complete']:8.4f}  {r['half']:6.4f}  {r['lookalikes_half']:11.4f}  {r['mean']:6.4f}"
            )
    except (ValueError, RecognizerError) as exc:
        print(f"blend_recognizer: {exc}", file=sys.stderr)
        return 2
    chosen = max(shares, key=lambda s: (results[s]["mean"], -s))  # a tie keeps nearer the base
    np.savez(npz, **blend(base, candidate, chosen))
    meta["val_top1"] = results[chosen]["complete"]
    meta["val_top1_half_strokes"] = results[chosen]["half"]
    meta.pop("measured", None)  # measured again by tools/evaluate_recognizer.py --write
    meta["blended"] = {
        "base": f"{args.base.name}/recognizer.npz",
        "candidate": f"{args.candidate.name}/recognizer.npz",
        "candidate_share": chosen,
        "selection": "the share with the best mean of validation top-1 on complete drawings, at half the "
        "strokes and the look-alike categories at half of people's strokes",
        "tried": {f"{s:g}": {k: round(v, 4) for k, v in results[s].items()} for s in shares},
    }
    js.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"chose share {chosen:g}: wrote {npz} and {js.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
