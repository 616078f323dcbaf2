"""The standalone player build's entry point: `TreacherousTurn [STORY] [play options]`.

A player double-clicks the program or drops a writer's folder on it, so with no command it
plays: nothing is the campaign, a path is that level, campaign or project folder. A first
word that is one of the `treacherous-turn` commands (and is not also a file here) runs that
command, so the build keeps `validate`, `playtest`, `--version` and the rest.
"""

from __future__ import annotations

import os
import sys

from game.cli import COMMANDS
from game.cli import main as cli_main

PASS_THROUGH = {"-h", "--help", "--version"}


def player_argv(argv: list[str]) -> list[str]:
    if not argv or argv[0] in PASS_THROUGH:
        return argv or ["play"]
    if argv[0] in COMMANDS and not os.path.exists(argv[0]):
        return argv
    return ["play", *argv]


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    return cli_main(player_argv(list(sys.argv[1:] if argv is None else argv)))


if __name__ == "__main__":
    sys.exit(main())
