"""The story's own tests: it loads clean, every ending can be reached, and a playthrough ends."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(*args):
    return subprocess.run([sys.executable, "-m", "game", *args], capture_output=True, text=True, cwd=HERE)


def test_validates_clean():
    out = run("validate", ".", "--strict")
    assert out.returncode == 0, out.stdout + out.stderr


def test_every_ending_is_reached():
    out = run("playtest", ".", "--exhaustive", "--no-progress")
    assert out.returncode == 0, out.stderr
    assert "endings" in out.stdout and "0/" not in out.stdout.split("endings", 1)[1].split("\n", 1)[0]


def test_a_playthrough_in_the_terminal_ends():
    answers = "Tester\n1\nplease be careful\nnothing else\n" + "1\n" * 20
    out = subprocess.run(
        [sys.executable, "-m", "game", "play", "--text", "."], input=answers, capture_output=True, text=True, cwd=HERE
    )
    assert out.returncode == 0 and "THE END" in out.stdout, out.stdout[-2000:] + out.stderr
