"""Start Treacherous Turn: `python main.py` is `treacherous-turn play`."""

import sys

from game.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["play"]))
