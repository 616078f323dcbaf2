"""The standalone player build (tools/build_player.py, PyInstaller): built once, then run the
way a player runs it, with no Python on PATH and from another folder. Under Xvfb it opens
its window on the campaign's title and reaches the first line after a real typed name
(checked through the game's JSON event log); in the terminal it plays a writer's project
folder to its ending. Skips, saying why, when PyInstaller (the build extra) or Xvfb are missing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.xvfb import XDisplay, require_tools, wait_for

pytestmark = [pytest.mark.slow]
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def player(tmp_path_factory):
    pytest.importorskip("PyInstaller", reason="the player build needs the build extra: pip install -e '.[build]'")
    out = tmp_path_factory.mktemp("player")
    built = subprocess.run(
        [
            sys.executable,
            str(REPO / "tools" / "build_player.py"),
            "--dist",
            str(out / "dist"),
            "--work",
            str(out / "work"),
        ],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-4000:]
    program = out / "dist" / "TreacherousTurn" / "TreacherousTurn"
    assert program.exists(), built.stdout
    return program


def first_line_of_the_campaign(player: str, seed: int) -> str:
    """What the checkout's engine says first, to compare with what the build showed."""
    from game.story.loader import load_story_or_raise
    from game.story.runtime import Runtime

    rt = Runtime(load_story_or_raise(REPO / "levels" / "campaign.yaml"), player, seed)
    while rt.current().kind != "line":
        rt.advance()
    return rt.current().text


def player_env(tmp_path: Path, base: dict) -> dict:
    """No Python to lean on: PATH holds an empty folder, and nothing points into a checkout."""
    empty = tmp_path / "no_python_here"
    empty.mkdir(exist_ok=True)
    env = {k: v for k, v in base.items() if not k.startswith("PYTHON") and k != "VIRTUAL_ENV"}
    env.update(PATH=str(empty), TT_DATA_DIR=str(tmp_path / "data"), TT_CACHE_DIR=str(tmp_path / "cache"))
    return env


@pytest.mark.xvfb
def test_the_player_build_opens_the_campaign_in_a_window_and_shows_the_first_line(player, tmp_path, artifacts_dir):
    require_tools()
    x = XDisplay()
    log = tmp_path / "events.jsonl"
    proc = subprocess.Popen(
        [str(player), "--log", str(log), "--seed", "1", "--backend", "scripted"],
        env=player_env(tmp_path, x.env),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wid = x.window_of(proc, timeout=60)
        wait_for(log, lambda e: e["event"] == "first_frame", timeout=60, what="the first frame")
        x.run("xdotool", "windowfocus", "--sync", wid, check=False)
        x.key("Return")
        wait_for(log, lambda e: e["event"] == "screen" and e["name"] == "name", what="the name screen")
        x.run("xdotool", "type", "--delay", "40", "Ada")
        x.key("Return")
        card = wait_for(log, lambda e: e["event"] == "shown" and e.get("kind") == "level", what="chapter 1's card")
        assert (card["number"], card["title"]) == (1, "The Villain Demo")
        x.shot(artifacts_dir / "player_build_chapter_1.png", log)
        x.key("Return")
        first = wait_for(log, lambda e: e["event"] == "shown" and e.get("kind") == "line", what="the first line")
        x.shot(artifacts_dir / "player_build_first_line.png", log)
        assert first["text"] == first_line_of_the_campaign("Ada", seed=1)
    finally:
        proc.kill()
        proc.wait(10)
        x.close()


def test_the_player_build_plays_a_writers_project_folder(player, tmp_path):
    project = tmp_path / "rain_story"
    made = subprocess.run([sys.executable, "-m", "game", "new", str(project)], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    out = subprocess.run(
        [str(player), str(project), "--text"],
        input="Tess\n1\nplease be careful\nnothing\n" + "1\n" * 20,
        env=player_env(tmp_path, dict(os.environ)),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout[-1500:] + out.stderr[-1500:]
    assert "The Guide: Hello, Tess." in out.stdout and "*** THE END:" in out.stdout, out.stdout[-1500:]
    version = subprocess.run(
        [str(player), "--version"], env=player_env(tmp_path, dict(os.environ)), capture_output=True, text=True
    )
    assert version.returncode == 0 and "treacherous-turn" in version.stdout and "(source)" not in version.stdout
