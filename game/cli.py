"""The `treacherous-turn` command: one entry point, a subcommand per job.

Each subcommand lives in its own module under `game.commands` exposing
`HELP` (one line), `add_arguments(parser)` and `run(args) -> int`. Modules are
imported only to build the parser of the command being run, so `play` does not
pay for `graph` or the recognizer.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> (module, one-line help). The one-line help lives here so `--help`
# imports nothing but this file.
COMMANDS: dict[str, tuple[str, str]] = {
    "play": ("game.commands.play", "play the game (desktop window, or --text in the terminal)"),
    "validate": ("game.commands.validate", "check level files and report every problem with file:line:col"),
    "playtest": ("game.commands.playtest", "play a level automatically: every path, or N seeded random runs"),
    "graph": ("game.commands.graph", "draw a level's story graph as SVG, PNG, DOT or Mermaid"),
    "schema": ("game.commands.schema", "print the JSON Schema for level files (for editors)"),
    "chat": ("game.commands.chat", "talk to a level's character in the terminal"),
    "backends": ("game.commands.backends", "list dialogue backends, which one each character uses, and their health"),
    "compare-backends": (
        "game.commands.compare",
        "play the same turns against several dialogue backends and compare them (table + HTML report)",
    ),
    "minigame": ("game.commands.minigame", "run a minigame on its own (e.g. with --autopilot)"),
    "recognize": ("game.commands.recognize", "guess what Quick, Draw! ndjson drawings show"),
    "new": ("game.commands.new", "start a new story project in a folder (a level, a cast, settings, a test)"),
}


def installed_version() -> str:
    """The version of the installed distribution (its metadata), or the source tree's."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("treacherous-turn")
    except PackageNotFoundError:
        from game import __version__

        return f"{__version__} (source)"


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="treacherous-turn",
        description="Treacherous Turn: an interactive-fiction game about an AI lab, and the tools to write it.",
    )
    parser.add_argument("--version", action="version", version=f"treacherous-turn {installed_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_line) in COMMANDS.items():
        module = None
        if only is None or name == only:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                sub.add_parser(name, help=help_line, description=help_line).set_defaults(_missing=module_name)
                continue
        # A command may bring its own --help (`minigame NAME --help` lists NAME's params).
        p = sub.add_parser(name, help=help_line, description=help_line, add_help=not getattr(module, "OWN_HELP", False))
        if module is not None:
            module.add_arguments(p)
            p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        argv = ["play"]
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(only=command if command in COMMANDS else None)
    args = parser.parse_args(argv)
    if getattr(args, "_missing", None):
        print(f"treacherous-turn: the '{args.command}' command is not part of this build yet.", file=sys.stderr)
        return 2
    if not getattr(args, "_run", None):
        parser.print_help()
        return 0
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("\ninterrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
