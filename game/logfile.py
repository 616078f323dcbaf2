"""Where the game's warnings go while a front end plays: a bounded log file in the cache
folder, not the player's terminal. The library code logs (`game.dialogue`, the vision
guesser) and never prints; each front end says a failure in its own words (the terminal's
note, the window's toast), and the details are kept here for whoever asks."""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Callable

LOG_BYTES = 1_000_000  # a backend that stays down for a long game must not fill the disk


def log_to_file(filename: str) -> Callable[[], None]:
    """Send the `game` logger to `logs/<filename>` in the cache folder (rotating, one old file
    kept) and stop it propagating to stderr. Returns what puts things back. Nowhere to write:
    the records are dropped; the in-game notes still say what happened."""
    from game.paths import cache_dir

    logger = logging.getLogger("game")
    try:
        folder = cache_dir() / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            folder / filename, maxBytes=LOG_BYTES, backupCount=1, encoding="utf-8"
        )
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    was = logger.propagate, logger.level
    logger.addHandler(handler)
    logger.propagate = False
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)

    def restore() -> None:
        logger.removeHandler(handler)
        handler.close()
        logger.propagate, level = was
        logger.setLevel(level)

    return restore
