"""`treacherous-turn new PATH` makes a story project that validates clean, explores to every
ending, plays to an ending in the terminal, and that every tool takes by its folder."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def game(*args, cwd=REPO, stdin=None):
    return subprocess.run([sys.executable, "-m", "game", *args], capture_output=True, text=True, cwd=cwd, input=stdin)


def test_a_new_project_validates_plays_and_draws(tmp_path):
    project = tmp_path / "rain_story"
    made = game("new", str(project))
    assert made.returncode == 0, made.stderr
    names = {p.name for p in project.iterdir()}
    assert {
        "story.yaml",
        "characters.yaml",
        "settings.yaml",
        "level.schema.json",
        "README.md",
        "test_story.py",
    } <= names
    assert "title: Rain Story" in (project / "story.yaml").read_text()
    check = game("validate", str(project), "--strict")
    assert check.returncode == 0, check.stdout + check.stderr
    explored = game("playtest", str(project), "--exhaustive", "--no-progress")
    assert explored.returncode == 0 and "endings      2/2" in explored.stdout, explored.stdout
    played = game("play", "--text", str(project), stdin="Tess\n1\nplease be careful\nnothing\n" + "1\n" * 20)
    assert played.returncode == 0 and "THE END" in played.stdout, played.stdout[-1500:] + played.stderr
    drawn = game("graph", str(project), "-o", str(tmp_path / "g.svg"))
    assert drawn.returncode == 0 and (tmp_path / "g.svg").stat().st_size > 0


def test_new_refuses_a_folder_in_use_and_a_folder_without_a_story_is_named(tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine")
    refused = game("new", str(tmp_path / "used"))
    assert refused.returncode == 2 and "already exists" in refused.stderr
    assert (tmp_path / "used" / "notes.txt").read_text() == "mine"
    (tmp_path / "empty").mkdir()
    nothing = game("play", "--text", str(tmp_path / "empty"), stdin="")
    assert nothing.returncode == 1 and "TT0006" in nothing.stderr and "treacherous-turn new" in nothing.stderr
