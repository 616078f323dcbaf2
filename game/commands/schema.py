"""`treacherous-turn schema`: print (or write) the JSON Schema editors use to check levels."""

from __future__ import annotations

import sys
from pathlib import Path

HELP = "print the JSON Schema for level files (for editors)"


def add_arguments(p) -> None:
    p.add_argument("-o", "--output", help="write to this file instead of printing")
    p.add_argument(
        "--check", action="store_true", help="exit 1 if the shipped game/story/level.schema.json is out of date"
    )


def run(args) -> int:
    from game.paths import atomic_write_text
    from game.story import spec

    text = spec.schema_text()
    if args.check:
        shipped = spec.SCHEMA_PATH.read_text(encoding="utf-8") if spec.SCHEMA_PATH.exists() else ""
        if shipped != text:
            print(
                f"{spec.SCHEMA_PATH} is out of date: run `treacherous-turn schema -o {spec.SCHEMA_PATH}`",
                file=sys.stderr,
            )
            return 1
        print("level.schema.json is up to date")
        return 0
    if args.output:
        atomic_write_text(Path(args.output), text)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
