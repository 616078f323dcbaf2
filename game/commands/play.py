"""`treacherous-turn play`: the desktop game, or `--text` in the terminal."""

from __future__ import annotations

import sys
from pathlib import Path

from game.paths import campaign_file

HELP = "play the game (desktop window, or --text in the terminal)"


def default_story() -> Path:
    return campaign_file()


def add_arguments(p) -> None:
    p.add_argument("story", nargs="?", help="a level or campaign file (default: the Treacherous Turn campaign)")
    p.add_argument("--text", action="store_true", help="play in the terminal instead of a window")
    p.add_argument("--name", help="the player's name (asked for when omitted)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: a new one each game)")
    p.add_argument("--warp", metavar="SCENE", help="start at this scene (writers: test a scene directly)")
    p.add_argument("--level", help="in a campaign, start at this level id")
    p.add_argument(
        "--set",
        dest="set_vars",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a variable before starting (VALUE is read as YAML: 3, true, text)",
    )
    p.add_argument("--record", metavar="FILE", help="write the transcript as JSON when the game ends")
    p.add_argument(
        "--minigames",
        choices=("play", "default", "autopilot"),
        default="play",
        help="--text: play the minigames in the terminal (default), use their default result, "
        "or let their autopilot play",
    )
    p.add_argument("--log", metavar="FILE", help="write a JSON event log (desktop)")
    p.add_argument("--backend", help="dialogue backend for every AI character (e.g. scripted, openai)")
    p.add_argument("--model", help="model name for the dialogue backend")
    p.add_argument("--base-url", help="base URL of an OpenAI-compatible server")
    p.add_argument("--no-reload", action="store_true", help="do not reload level files when they change")


def parse_sets(pairs: list[str]) -> dict:
    import yaml

    from game import yamlsafe

    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ValueError(f"--set expects NAME=VALUE, got '{pair}'")
        try:
            out[name.strip()] = yamlsafe.load(value) if value.strip() else ""
        except yaml.YAMLError as exc:
            raise ValueError(
                f"--set {name.strip()}: {yamlsafe.describe(exc, 'the value').split(': ', 1)[-1]}"
            ) from None
    return out


def run(args) -> int:
    from game.story.loader import load_story

    path = Path(args.story) if args.story else default_story()
    story, diags = load_story(path)
    problems = [d for d in diags if d.severity == "error"]
    if story is None:
        for d in problems or diags:
            print(d.format(), file=sys.stderr)
        print(f"cannot play {path}: fix the problems above (treacherous-turn validate {path})", file=sys.stderr)
        return 1
    try:
        set_vars = parse_sets(args.set_vars)
    except ValueError as exc:
        print(f"play: {exc}", file=sys.stderr)
        return 2
    if args.text:
        from game.terminal import play_text

        return play_text(path, story, args, set_vars)
    if no_display():
        print(
            "No display to open the game window on (DISPLAY and WAYLAND_DISPLAY are not set).\n"
            f"Play in the terminal instead:  treacherous-turn play --text {path}",
            file=sys.stderr,
        )
        return 2
    try:
        from game.ui.app import run_desktop
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("game.ui"):
            print(
                "The desktop game is not part of this build yet; play in the terminal with:\n"
                f"  treacherous-turn play --text {path}",
                file=sys.stderr,
            )
            return 2
        raise
    return run_desktop(
        str(path),
        player=args.name,
        log=args.log,
        backend=args.backend,
        model=args.model,
        base_url=args.base_url,
        warp=args.warp,
        set_vars=set_vars,
        seed=args.seed,
        level=args.level,
        reload=not args.no_reload,
    )


def no_display() -> bool:
    """On Linux without X or Wayland, SDL would run the game in an invisible window."""
    import os

    if not sys.platform.startswith("linux") or os.environ.get("SDL_VIDEODRIVER"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def write_record(path: str, runtime) -> None:
    from game.paths import atomic_write_json

    atomic_write_json(
        Path(path),
        {
            "story": runtime.story.id,
            "player": runtime.world.player,
            "ending": runtime.ending,
            "transcript": runtime.transcript,
        },
    )
