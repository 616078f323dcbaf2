"""Lint proves endings reachable (with variables and conditions); the graph draws what the machine holds."""

import subprocess
import sys
from pathlib import Path

import pytest

from game.story.lint import lint_story
from game.story.loader import load_story, load_story_or_raise

REPO = Path(__file__).parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

LINT_LEVEL = """\
level: lintbad
start: a
vars: {trust: 0, unused: 1, never_set: 2}
values: [caution]
characters:
  aria: {name: ARIA}
scenes:
  a:
    - narrator: "{never_set}"
    - choice:
        - text: go on
          set: {trust: trust + 1}
          goto: b
        - text: never
          if: trust > 5
          goto: c
  b:
    - talk: {with: aria, measures: [caution]}
    - minigame: lab_defense
      as: defense
    - narrator: this scene just stops
  c:
    - end: good
  island:
    - end: lost
"""


def codes_at(diags):
    return {(d.code, d.line) for d in diags}


def test_each_problem_gets_one_diagnostic_with_the_right_line(tmp_path):
    f = tmp_path / "lintbad.yaml"
    f.write_text(LINT_LEVEL)
    story = load_story_or_raise(f)
    got = codes_at(lint_story(story))
    assert got == {
        ("TT1005", 3),  # unused is never read
        ("TT1004", 3),  # never_set is read but never set
        ("TT1006", 15),  # trust > 5 never holds (trust is at most 1)
        ("TT1003", 17),  # scene b stops without an end
        ("TT1008", 18),  # aria has no fallback lines
        ("TT1009", 19),  # the defense result is never read
        ("TT1001", 22),  # c: only reachable through the impossible condition
        ("TT1002", 23),  # ending good
        ("TT1001", 24),  # island: nothing jumps here
        ("TT1002", 25),  # ending lost
    }


def test_validate_exits_1_and_strict_fails_on_warnings(tmp_path):
    f = tmp_path / "lintbad.yaml"
    f.write_text(LINT_LEVEL)
    out = subprocess.run([sys.executable, "-m", "game", "validate", str(f)], capture_output=True, text=True)
    assert out.returncode == 1 and "error TT1002" in out.stdout and "warning TT1001" in out.stdout
    ok = tmp_path / "ok.yaml"
    ok.write_text("level: ok\nstart: a\nvars: {x: 0}\nscenes:\n  a:\n    - narrator: hi\n    - end: done\n")
    assert subprocess.run([sys.executable, "-m", "game", "validate", str(ok)]).returncode == 0
    strict = subprocess.run(
        [sys.executable, "-m", "game", "validate", "--strict", str(ok)], capture_output=True, text=True
    )
    assert strict.returncode == 1 and "error TT1005" in strict.stdout


def test_reachability_follows_variables_not_just_edges(tmp_path):
    f = tmp_path / "gate.yaml"
    f.write_text(
        "level: gate\nstart: a\nvars: {keys: 0}\nscenes:\n  a:\n    - set: {keys: keys + 1}\n"
        "    - if: keys >= 3\n      goto: vault\n    - if: keys < 2\n      goto: a\n    - end: out\n"
        "  vault:\n    - end: treasure\n"
    )
    diags = lint_story(load_story_or_raise(f))
    # Looping through `a` raises keys to 2 at most before `end: out`: the vault stays shut.
    assert ("TT1002", 13) in codes_at(diags) and ("TT1001", 12) in codes_at(diags)


def test_every_code_has_a_page_with_wrong_and_right_examples():
    from game.story.diagnostics import CODES

    for code in CODES:
        page = REPO / "docs" / "diagnostics" / f"{code}.md"
        assert page.exists(), code
        text = page.read_text()
        assert "## Wrong" in text and "## Right" in text, code


def test_diagnostic_pages_examples_behave_as_they_say(tmp_path):
    """The Wrong example of each page produces its code; the Right one does not."""
    import re

    from game.story.diagnostics import CODES

    for code in CODES:
        text = (REPO / "docs" / "diagnostics" / f"{code}.md").read_text()
        blocks = dict(re.findall(r"## (Wrong|Right)\n+```yaml\n(.*?)```", text, re.S))
        if not blocks:
            continue
        for kind, body in blocks.items():
            f = tmp_path / f"{code}-{kind}.yaml"
            f.write_text(body)
            story, diags = load_story(f)
            if story is not None:
                diags = diags + lint_story(story)
            found = {d.code for d in diags}
            assert (code in found) == (kind == "Wrong"), (code, kind, [d.format() for d in diags])


def _signature(path: Path) -> bytes:
    return path.read_bytes()[:8]


@pytest.mark.parametrize("fmt", ["svg", "png", "dot", "mmd"])
def test_graph_of_the_example(tmp_path, fmt):
    out = tmp_path / f"demo.{fmt}"
    cov = tmp_path / "cov.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "game",
            "playtest",
            "levels/examples/demo.yaml",
            "--coverage",
            str(cov),
            "--no-progress",
        ],
        check=True,
        capture_output=True,
        cwd=REPO,
    )
    r = subprocess.run(
        [sys.executable, "-m", "game", "graph", "levels/examples/demo.yaml", "-o", str(out), "--coverage", str(cov)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert r.returncode == 0, r.stderr
    data = out.read_bytes()
    if fmt == "svg":
        import xml.etree.ElementTree as ET

        root = ET.fromstring(data)
        assert root.tag.endswith("svg")
        assert b"START lab_door" in data and b"END careful" in data and b"hit" in data
        assert b'stroke-dasharray="7 4"' in data  # a minigame-decided edge is styled apart
    elif fmt == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
    elif fmt == "dot":
        assert data.startswith(b"digraph") and b"->" in data
    else:
        assert data.startswith(b"flowchart LR") and b"-.->" in data


def test_graph_marks_unreachable_and_refuses_unknown_formats(tmp_path):
    f = tmp_path / "lintbad.yaml"
    f.write_text(LINT_LEVEL)
    out = tmp_path / "g.svg"
    subprocess.run([sys.executable, "-m", "game", "graph", str(f), "-o", str(out)], check=True, capture_output=True)
    assert out.read_text().count("unreachable") >= 4
    bad = subprocess.run(
        [sys.executable, "-m", "game", "graph", str(f), "-o", str(tmp_path / "g.jpg")], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "cannot tell the format" in bad.stderr
    assert not (tmp_path / "g.jpg").exists()


def test_graph_of_a_1000_scene_level(tmp_path):
    from load_levels import generate

    f = tmp_path / "big.yaml"
    f.write_text(generate(1000))
    for fmt in ("svg", "png"):
        out = tmp_path / f"big.{fmt}"
        r = subprocess.run(
            [sys.executable, "-m", "game", "graph", str(f), "-o", str(out)], capture_output=True, text=True
        )
        assert r.returncode == 0, r.stderr
        head = out.read_bytes()[:200]
        assert head.startswith(b"\x89PNG") if fmt == "png" else b"<svg" in head


def test_graph_of_a_campaign_draws_every_level(tmp_path):
    """Each level boxed with its own scenes; every ending of a level leads to the next level's start."""
    for fmt in ("svg", "dot", "mmd"):
        out = tmp_path / f"campaign.{fmt}"
        r = subprocess.run(
            [sys.executable, "-m", "game", "graph", "levels/campaign.yaml", "-o", str(out)],
            capture_output=True,
            text=True,
            cwd=REPO,
        )
        assert r.returncode == 0, r.stderr
        text = out.read_text()
        for title in ("The Villain Demo", "The Design Brief", "AI Takeoff", "The Release"):
            assert title in text, (fmt, title)
    dot = (tmp_path / "campaign.dot").read_text()
    assert dot.count("subgraph cluster_") == 4
    assert '"villain_demo/end:demo_over" -> "design_brief/' in dot
    assert '"ai_takeoff/end:run_complete" -> "release/last_question"' in dot
