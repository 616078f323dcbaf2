"""The arguments `play --text` gets, parsed by the real command line (game.cli), so tests that
call terminal.play_text directly see every field and default a player's command would give."""

from __future__ import annotations

import argparse

from game.cli import build_parser


def play_args(*options: str) -> argparse.Namespace:
    """`play --text STORY --no-reload --backend scripted OPTIONS...` as the CLI parses it."""
    return build_parser().parse_args(["play", "--text", "story.yaml", "--no-reload", "--backend", "scripted", *options])
