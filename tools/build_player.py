"""Build the standalone player: one folder that runs Treacherous Turn without Python.

    pip install -e '.[build]'          # PyInstaller, only for this
    python tools/build_player.py       # -> dist/TreacherousTurn/TreacherousTurn

The folder holds the program, the interpreter, the libraries and the game's data laid out
as in the wheel (levels/ and assets/ as game/_data/...), so game.paths finds them the same
way. Players run `TreacherousTurn` (the campaign) or `TreacherousTurn path/to/project` (a
writer's folder or level). PyInstaller builds for the system it runs on: build on each of
Linux, Windows and macOS for their players.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NAME = "TreacherousTurn"

# Imported by nothing the player runs, or only by tools and tests; leaving them out keeps the
# folder small. The local dialogue backend's llama_cpp is optional: a build made where it is
# installed would carry it, and that is the builder's choice (it is not left out here).
EXCLUDES = [
    "tkinter",
    "pytest",
    "_pytest",
    "pip",
    "setuptools",
    "pkg_resources",
    "PyInstaller",
    "jsonschema",
    "pygments",
    "IPython",
    "matplotlib",
    "torch",
    "nltk",
    "pydoc_data",
    # the dev extra's tools (a build made in the dev venv would otherwise sweep some of them in)
    "mypy",
    "ast_serialize",
    "ruff",
    "pre_commit",
    "build",
]


def pyinstaller_args(dist: Path, work: Path, windowed: bool = False) -> list[str]:
    sep = os.pathsep  # PyInstaller's SRC:DEST separator is the platform's path separator
    return [
        str(REPO / "game" / "player.py"),
        "--name",
        NAME,
        "--onedir",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        "--specpath",
        str(work),
        "--paths",
        str(REPO),
        # The commands and step types are imported by name at run time (game.cli, the step
        # registry), which PyInstaller's import scan cannot see.
        "--collect-submodules",
        "game",
        "--collect-data",
        "game",
        f"--add-data={REPO / 'game' / 'starter'}{sep}game/starter",  # its test_story.py is data too
        f"--add-data={REPO / 'levels'}{sep}game/_data/levels",
        f"--add-data={REPO / 'assets'}{sep}game/_data/assets",
        # --version reads the distribution's metadata.
        "--copy-metadata",
        "treacherous-turn",
        *[arg for mod in EXCLUDES for arg in ("--exclude-module", mod)],
        # Windowed: no console window beside the game (Windows, macOS); `--text` then has no terminal.
        *(["--windowed"] if windowed else []),
    ]


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python tools/build_player.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--dist", type=Path, default=REPO / "dist", help="where the folder goes (default: dist/)")
    p.add_argument("--work", type=Path, default=REPO / "build" / "player", help="PyInstaller's scratch folder")
    p.add_argument(
        "--windowed",
        action="store_true",
        help="no console window (for Windows and macOS players; the build then cannot play --text)",
    )
    a = p.parse_args(argv)
    try:
        import PyInstaller.__main__
    except ModuleNotFoundError:
        print(
            "build_player: PyInstaller is not installed; install the build extra: pip install -e '.[build]'",
            file=sys.stderr,
        )
        return 2
    start = time.process_time()
    PyInstaller.__main__.run(pyinstaller_args(a.dist.resolve(), a.work.resolve(), a.windowed))
    folder = a.dist.resolve() / NAME
    program = folder / (NAME + (".exe" if sys.platform == "win32" else ""))
    if not program.exists():
        print(f"build_player: PyInstaller finished but {program} is missing", file=sys.stderr)
        return 1
    shutil.rmtree(a.work.resolve(), ignore_errors=True)
    print(
        f"built {program}  ({folder_size(folder) / 1e6:.1f} MB in {folder}, "
        f"{time.process_time() - start:.0f} s CPU in this process)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
