"""Every kind of mistake gets one precise file:line:col diagnostic with its code."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from game.story.loader import load_story

FIXTURES = Path(__file__).parent / "fixtures" / "invalid"
EXPECT = re.compile(r"#\s*expect:\s*(TT\d{4})\s+(\d+):(\d+)")


def expected(files):
    out = set()
    for f in files:
        rel = f.relative_to(Path.cwd()) if f.is_absolute() else f
        for m in EXPECT.finditer(f.read_text()):
            out.add((str(rel), int(m.group(2)), int(m.group(3)), m.group(1)))
    return out


CASES = [
    ("invalid/mistakes.yaml", ["invalid/mistakes.yaml"]),
    ("invalid/syntax.yaml", ["invalid/syntax.yaml"]),
    ("invalid/params.yaml", ["invalid/params.yaml"]),
    ("invalid/include_main.yaml", ["invalid/include_main.yaml", "invalid/include_part.yaml"]),
    ("invalid/questions.yaml", ["invalid/questions.yaml"]),
]
CASES += [(f"schema/{p.name}", [f"schema/{p.name}"]) for p in sorted((FIXTURES.parent / "schema").glob("*.yaml"))]


@pytest.mark.parametrize("name,files", CASES)
def test_each_mistake_is_reported_once_at_its_place(name, files, monkeypatch):
    monkeypatch.chdir(Path(__file__).parent.parent)
    story, diags = load_story(f"tests/fixtures/{name}")
    got = {(d.file, d.line, d.column, d.code) for d in diags}
    want = expected([Path("tests/fixtures") / f for f in files])
    assert got == want
    assert (story is None) == bool(want)
    assert all(d.message for d in diags)


def test_validate_cli_prints_one_line_per_mistake_and_exits_1():
    out = subprocess.run(
        [sys.executable, "-m", "game", "validate", "tests/fixtures/invalid/mistakes.yaml"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    assert out.returncode == 1
    assert "Traceback" not in out.stdout + out.stderr
    lines = [
        ln
        for ln in out.stdout.splitlines()
        if re.match(r"^tests/fixtures/invalid/mistakes\.yaml:\d+:\d+: error TT\d{4}: ", ln)
    ]
    assert len(lines) == len(expected([FIXTURES / "mistakes.yaml"]))


def test_validate_shipped_levels_is_clean():
    out = subprocess.run(
        [sys.executable, "-m", "game", "validate", "levels/"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_unreadable_and_missing_files_are_reported_not_raised(tmp_path):
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"level: x\nstart: a\nscenes:\n  a:\n    - narrator: caf\xe9\n")
    story, diags = load_story(bad)
    assert story is None and diags[0].code == "TT0006"
    story, diags = load_story(tmp_path / "nope.yaml")
    assert story is None and diags[0].code == "TT0006"


def test_empty_and_non_mapping_files(tmp_path):
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    for name, code in (("empty.yaml", "TT0005"), ("list.yaml", "TT0004")):
        story, diags = load_story(tmp_path / name)
        assert story is None
        assert [d.code for d in diags] == [code]


def test_hints_suggest_close_names(tmp_path):
    f = tmp_path / "typo.yaml"
    f.write_text("level: t\nstart: intro\nscenes:\n  intro:\n    - goto: outor\n  outro:\n    - end: done\n")
    _, diags = load_story(f)
    assert [d.code for d in diags] == ["TT0101"]
    assert "outro" in diags[0].hint
