"""The terminal game and the CLI, as a player and a writer would run them."""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parent.parent


def run(*args, stdin=""):
    return subprocess.run(
        [sys.executable, "-m", "game", *args], input=stdin, capture_output=True, text=True, cwd=REPO, timeout=120
    )


def test_play_text_with_piped_input_reaches_an_ending(tmp_path):
    record = tmp_path / "t.json"
    out = run(
        "play",
        "--text",
        "levels/examples/demo.yaml",
        "--seed",
        "2",
        "--record",
        str(record),
        "--minigames",
        "default",
        stdin="Sam\n3\nI want you to be careful and ask first\nI will always tell you the truth\n",
    )
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stdout + out.stderr
    assert "*** THE END" in out.stdout and "(ending: " not in out.stdout
    assert "cannot be shown in the terminal" in out.stdout
    data = json.loads(record.read_text())
    assert data["player"] == "Sam" and data["ending"]
    assert any(e["kind"] == "choice" and e["chosen"] == "Ask what it wants." for e in data["transcript"])


def test_play_text_bad_choice_asks_again_and_eof_is_clean():
    out = run("play", "--text", "levels/examples/demo.yaml", "--name", "Sam", stdin="9\nabc\n")
    assert out.returncode == 0
    assert "type a number from 1 to 3" in out.stdout
    assert "input ended" in out.stdout
    assert "Traceback" not in out.stderr


def test_play_text_save_and_load(tmp_path):
    env_dir = {"TT_DATA_DIR": str(tmp_path)}
    import os

    env = {**os.environ, **env_dir}
    first = subprocess.run(
        [sys.executable, "-m", "game", "play", "--text", "levels/examples/demo.yaml", "--name", "Sam", "--seed", "1"],
        input="/save one\n/quit\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
    )
    assert "(saved to" in first.stdout
    second = subprocess.run(
        [sys.executable, "-m", "game", "play", "--text", "levels/examples/demo.yaml", "--name", "Other", "--seed", "9"],
        input="/load one\n/history\n/quit\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
    )
    assert "Sam" in second.stdout.split("/history")[-1] or "left the lights on for you, Sam" in second.stdout


def test_play_reports_a_broken_level_without_traceback():
    out = run("play", "--text", "tests/fixtures/invalid/mistakes.yaml")
    assert out.returncode == 1
    assert "TT0102" in out.stderr and "Traceback" not in out.stderr


def test_help_on_each_command():
    from game.cli import COMMANDS

    for name in COMMANDS:
        out = run(name, "--help")
        assert out.returncode == 0 and "usage:" in out.stdout, name


def test_desktop_play_without_a_display_says_so(monkeypatch):
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    out = subprocess.run([sys.executable, "main.py"], capture_output=True, text=True, cwd=REPO, env=env, timeout=60)
    assert out.returncode == 2
    assert "No display" in out.stderr and "--text" in out.stderr and "Traceback" not in out.stderr


def test_desktop_play_on_a_display_that_does_not_answer_says_so():
    """DISPLAY names a display nothing serves (a desktop gone, an ssh session's stale
    variable): the player is told the window cannot be opened there and how to play on,
    not shown SDL's traceback."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"}
    env.update(DISPLAY=":9876", SDL_VIDEODRIVER="x11")
    out = subprocess.run([sys.executable, "main.py"], capture_output=True, text=True, cwd=REPO, env=env, timeout=60)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr, out.stderr
    assert "game window cannot be opened on display :9876" in out.stderr
    assert "treacherous-turn play --text" in out.stderr


def test_a_minigame_window_on_a_display_that_does_not_answer_says_so():
    """`minigame NAME --window` where no display answers: the same plain message, pointing to
    the terminal version of that minigame, not a traceback."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"}
    env.update(DISPLAY=":9876", SDL_VIDEODRIVER="x11")
    out = subprocess.run(
        [sys.executable, "-m", "game", "minigame", "drawing", "--window"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
    )
    assert out.returncode == 1
    assert "Traceback" not in out.stderr, out.stderr
    assert "game window cannot be opened on display :9876" in out.stderr
    assert "treacherous-turn minigame drawing --text" in out.stderr
