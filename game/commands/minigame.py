"""`treacherous-turn minigame NAME`: run a minigame on its own."""

from __future__ import annotations

import argparse
import json
import sys

HELP = "run a minigame on its own (e.g. with --autopilot)"
OWN_HELP = True  # `minigame NAME --help` adds NAME's params


class _Help(argparse.Action):
    """`minigame NAME --help`: the command's options, then the params NAME accepts."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, help="show this help (with NAME: its params) and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        parser.print_help()
        name = getattr(namespace, "name", None)
        if name:
            print(params_help(name))
        parser.exit()


def params_help(name: str) -> str:
    from game import minigames

    info = minigames.info(name)
    if info is None:
        return f"\nminigame '{name}' is not known (known: {', '.join(minigames.names())})"
    lines = [f"\nparams of {name} ({info.title}), as a level's `params:` or --param KEY=VALUE:"]
    for key, param in info.params.items():
        lines.append(f"  {key:12} {param.kind:8} {param.describe()}")
    lines.append("result fields (read as <as>.<field>):")
    for key, meaning in info.result_fields.items():
        lines.append(f"  {key:18} {meaning}")
    return "\n".join(lines)


def add_arguments(p) -> None:
    p.add_argument("-h", "--help", action=_Help)
    p.add_argument("name", nargs="?", help="the minigame (omit to list them)")
    p.add_argument("--seed", type=int, default=1, help="random seed (same seed, same game)")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a parameter as a level would pass it; VALUE is read as JSON when it can be",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--autopilot", action="store_true", help="let the minigame's autopilot play, print the result")
    mode.add_argument("--window", action="store_true", help="play it in a window (the default)")
    mode.add_argument(
        "--text",
        action="store_true",
        help="play it in this terminal (lab_defense in turns; drawing with the mouse or typed strokes)",
    )
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.add_argument("--log", metavar="FILE", help="append a JSON event log (for tests) when playing in a window")


def _params(pairs: list[str]) -> dict:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"minigame: --param expects KEY=VALUE, got '{pair}'")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def run(args) -> int:
    from game import minigames

    if not args.name:
        for name in minigames.names():
            info = minigames.info(name)
            print(f"{name:14} {info.title if info else '(cannot be imported)'}")
        return 0
    try:
        cls = minigames.get(args.name)
    except KeyError as exc:
        print(f"minigame: {exc.args[0]}", file=sys.stderr)
        return 2
    params = _params(args.param)
    from game.minigames.base import check_params

    problems = check_params(args.name, cls.info().params, params)
    if problems:
        for _key, message in problems:
            print(f"minigame: {message}", file=sys.stderr)
        print(params_help(args.name), file=sys.stderr)
        return 2
    if args.autopilot:
        game = cls()
        game.reset(args.seed, params)
        policy = game.autopilot()
        while not game.done:
            game.step(game.DT, policy(game))
        result = game.result()
        if args.json:
            print(json.dumps(result, sort_keys=True))
        else:
            report = getattr(game, "report", None)
            print(report() if report else "\n".join(f"{k}: {v}" for k, v in result.items()))
        return 0
    if args.text:
        from game.terminal import text_minigame

        played = text_minigame(args.name, args.seed, params)
        if played is None:
            print(f"minigame: '{args.name}' has no terminal version; try --autopilot or --window", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps(played, sort_keys=True))
        return 0
    from game.ui.app import NoWindow
    from game.ui.standalone_host import run_window

    try:
        played = run_window(args.name, args.seed, params, log_path=args.log)
    except NoWindow as exc:
        import pygame

        pygame.quit()
        from game.terminal import TEXT_MINIGAMES

        way = "--text" if args.name in TEXT_MINIGAMES else "--autopilot"
        print(exc.advice(f"treacherous-turn minigame {args.name} {way}"), file=sys.stderr)
        return 1
    if played is not None:
        print(json.dumps(played, sort_keys=True) if args.json else "\n".join(f"{k}: {v}" for k, v in played.items()))
    return 0
