"""Where the game finds what it ships (levels, assets) and keeps the player's files.

The top-level `levels/` and `assets/` folders of a checkout are the one source of both. A
wheel (and the standalone build) carries them as `game/_data/levels` and `game/_data/assets`
(pyproject.toml maps them there); a checkout or an editable install has no `game/_data`
and reads the top-level folders directly. Everything else asks `levels_dir()` and
`assets_dir()`, never a path relative to its own module.
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path

import platformdirs

APP = "treacherous-turn"
PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


@cache
def _shipped(name: str) -> Path:
    packaged = resources.files("game") / "_data" / name
    # An installed wheel or a PyInstaller build unpacks package data to real files, so the
    # Traversable is a Path; the loader needs one for its file:line:col messages and mtimes.
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    checkout = REPO_DIR / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"the game's {name}/ folder is missing: neither {packaged} (an installed game) nor {checkout} "
        "(a checkout) exists; reinstall treacherous-turn"
    )


def levels_dir() -> Path:
    """The shipped levels: the campaign, its levels, the examples."""
    return _shipped("levels")


def assets_dir() -> Path:
    """The shipped fonts, art, sounds and their credits."""
    return _shipped("assets")


def campaign_file() -> Path:
    """What `play` plays when no level is named."""
    return levels_dir() / "campaign.yaml"


def _dir(env: str, default: str) -> Path:
    # TT_DATA_DIR / TT_CONFIG_DIR let tests and portable installs keep everything in one place.
    path = Path(os.environ.get(env) or default)
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """Saves, scores, transcripts, the read-lines record."""
    return _dir("TT_DATA_DIR", platformdirs.user_data_dir(APP, appauthor=False))


def config_dir() -> Path:
    """settings.yaml and backend choices."""
    return _dir("TT_CONFIG_DIR", platformdirs.user_config_dir(APP, appauthor=False))


def cache_dir() -> Path:
    """Files the game can always rebuild (the compiled level cache)."""
    return _dir("TT_CACHE_DIR", platformdirs.user_cache_dir(APP, appauthor=False))


def saves_dir() -> Path:
    d = data_dir() / "saves"
    d.mkdir(parents=True, exist_ok=True)
    return d


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temp file in the same folder and os.replace, so a crash never leaves half a file."""
    atomic_write_bytes(path, text.encode("utf-8"))


def _fsync_dir(folder: Path) -> None:
    # The rename is only durable once the folder's entry is on disk too: without this, a power cut
    # just after a save can bring back the old file (or none). Windows cannot open a folder: skipped.
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Temp file (`.NAME.XXXX.tmp`, which game.saves.remove_stale_temp knows) fsynced, renamed over
    `path`, then the folder fsynced. A killed write leaves the old file whole and at most a temp file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)


def atomic_write_json(path: Path, obj) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
