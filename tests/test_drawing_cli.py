"""`treacherous-turn recognize FILE.ndjson`."""

import json
import subprocess
import sys

from game.minigames.drawing.game import load_examples
from tests.conftest import REPO, quickdraw_dir


def _run(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "main.py", "recognize", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        input=stdin,
    )


def test_prints_top_three_per_drawing_for_simplified_and_raw(tmp_path):
    examples = load_examples()
    f = tmp_path / "d.ndjson"
    lines = [
        {"word": "cat", "key_id": "1", "drawing": examples["cat"][0]},
        {"word": "rainbow", "key_id": "2", "drawing": examples["rainbow"][0]},
        # raw format: screen pixels and times
        {
            "key_id": "3",
            "drawing": [
                [[400 + x * 2 for x in s[0]], [300 + y * 2 for y in s[1]], list(range(len(s[0])))]
                for s in examples["house"][0]
            ],
        },
    ]
    f.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    out = _run(str(f))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3]
    for r in rows:
        assert len(r["guesses"]) == 3
        scores = [g["score"] for g in r["guesses"]]
        assert scores == sorted(scores, reverse=True) and 0 <= scores[-1] <= scores[0] <= 1
    assert rows[0]["key_id"] == "1" and rows[0]["word"] == "cat"


def test_real_dataset_file():
    d = quickdraw_dir()
    path = sorted((d / "strokes" / "raw").glob("*.ndjson"))[0]
    head = "".join(path.open().readlines()[:3])
    out = _run("-", stdin=head)
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) == 3


def test_bad_lines_are_named_and_skipped_without_a_traceback(tmp_path):
    f = tmp_path / "bad.ndjson"
    good = json.dumps({"drawing": [[[0, 100], [0, 100]]]})
    f.write_text(good + "\nnot json\n" + json.dumps({"drawing": [[[1, 2], [3]]]}) + "\n\n" + good + "\n")
    out = _run(str(f))
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert f"{f}:2: not JSON" in out.stderr and f"{f}:3: stroke 0" in out.stderr
    assert [json.loads(x)["line"] for x in out.stdout.splitlines()] == [1, 5]


def test_missing_file_and_binary_file(tmp_path):
    out = _run(str(tmp_path / "nope.ndjson"))
    assert out.returncode == 2 and "cannot read" in out.stderr and "Traceback" not in out.stderr
    b = tmp_path / "b.ndjson"
    b.write_bytes(b"\xff\xfe\x00garbage")
    out = _run(str(b))
    assert out.returncode == 1 and "not UTF-8" in out.stderr and "Traceback" not in out.stderr
