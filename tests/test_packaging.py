"""The game as a player installs it: the wheel carries the levels and assets, `play` with no
level plays the whole campaign from any folder, and nothing is read from a checkout."""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHAPTERS = ("The Villain Demo", "The Design Brief", "AI Takeoff", "The Release")
ANSWERS = "Ada\n" + "1\n" * 120


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(extra)
    return env


def assert_played_the_campaign(out):
    assert out.returncode == 0, out.stdout[-1500:] + out.stderr
    for chapter in CHAPTERS:
        assert f"Chapter {CHAPTERS.index(chapter) + 1}: {chapter}" in out.stdout, f"{chapter} was not played"
    assert re.search(r"\*\*\* THE END: \w.+ \*\*\*", out.stdout)


def test_play_with_no_level_plays_the_campaign_from_another_folder(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "game",
            "play",
            "--text",
            "--seed",
            "5",
            "--backend",
            "scripted",
            "--minigames",
            "default",
        ],
        input=ANSWERS,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(TT_DATA_DIR=str(tmp_path / "data"), TT_CACHE_DIR=str(tmp_path / "cache")),
    )
    assert_played_the_campaign(out)


def tracked(folder):
    files = subprocess.run(["git", "ls-files", folder], capture_output=True, text=True, cwd=REPO).stdout.split()
    if not files:  # not a git checkout (an sdist): every file on disk
        files = [str(p.relative_to(REPO)) for p in (REPO / folder).rglob("*") if p.is_file()]
    return sorted(f[len(folder) + 1 :] for f in files)


@pytest.mark.slow
def test_the_built_wheel_installed_in_a_fresh_venv_plays_the_campaign_from_tmp(tmp_path):
    # Built from a copy: setuptools reuses a checkout's build/ folder, whose stale files could
    # hide a file the configuration no longer packs.
    source = tmp_path / "source"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "test-artifacts", ".pytest_cache"
        ),
    )
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(dist)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = dist.glob("treacherous_turn-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for source in ("levels", "assets"):
        missing = [f for f in tracked(source) if f"game/_data/{source}/{f}" not in names]
        assert not missing, f"the wheel lacks {source}/ files: {missing}"

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    # The dependencies come from this test's own environment (a path line in a .pth file), so the
    # test needs no network; the game itself comes only from the wheel.
    site = Path(
        subprocess.run(
            [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "zz_test_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    installed = subprocess.run(
        [py, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stderr[-3000:]

    player = tmp_path / "elsewhere"
    player.mkdir()
    env = clean_env(
        TT_DATA_DIR=str(tmp_path / "data"), TT_CACHE_DIR=str(tmp_path / "cache"), TT_CONFIG_DIR=str(tmp_path / "config")
    )
    where = subprocess.run(
        [py, "-c", "import game.paths as p; print(p.levels_dir()); print(p.assets_dir())"],
        capture_output=True,
        text=True,
        cwd=player,
        env=env,
    )
    assert where.returncode == 0, where.stderr
    for line in where.stdout.split():
        assert Path(line).is_relative_to(site), f"{line} is not the installed copy"

    script = venv / "bin" / "treacherous-turn"
    version = subprocess.run([script, "--version"], capture_output=True, text=True, cwd=player, env=env)
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert version.returncode == 0 and declared in version.stdout + version.stderr
    out = subprocess.run(
        [script, "play", "--text", "--seed", "5", "--backend", "scripted", "--minigames", "default"],
        input=ANSWERS,
        capture_output=True,
        text=True,
        cwd=player,
        env=env,
    )
    assert_played_the_campaign(out)


def test_the_player_builds_entry_plays_by_default_and_keeps_the_commands(tmp_path, monkeypatch):
    from game.player import player_argv

    assert player_argv([]) == ["play"]
    assert player_argv(["path/to/project"]) == ["play", "path/to/project"]
    assert player_argv(["--text", "--seed", "3"]) == ["play", "--text", "--seed", "3"]
    assert player_argv(["validate", "levels/"]) == ["validate", "levels/"]
    assert player_argv(["--version"]) == ["--version"]
    # A writer's folder that happens to share a command's name is still a story to play.
    (tmp_path / "graph").mkdir()
    monkeypatch.chdir(tmp_path)
    assert player_argv(["graph"]) == ["play", "graph"]
