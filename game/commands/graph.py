"""`treacherous-turn graph LEVEL -o out.svg|png|dot|mmd`: draw a level's story graph."""

from __future__ import annotations

import json
import sys
from pathlib import Path

HELP = "draw a level's story graph as SVG, PNG, DOT or Mermaid"
FORMATS = {".svg": "svg", ".png": "png", ".dot": "dot", ".gv": "dot", ".mmd": "mmd", ".mermaid": "mmd"}


def add_arguments(p) -> None:
    p.add_argument("level", help="a level file (or a campaign: use --level to pick one)")
    p.add_argument("-o", "--output", required=True, help="out.svg, out.png, out.dot or out.mmd")
    p.add_argument("--format", choices=sorted(set(FORMATS.values())), help="override the format the suffix implies")
    p.add_argument("--level", dest="level_id", help="in a campaign, the level to draw (default: the first)")
    p.add_argument("--coverage", metavar="FILE", help="hit counts from `playtest --coverage FILE`")
    p.add_argument(
        "--max-states",
        type=int,
        default=5_000,
        help="bound of the state exploration that decides reachability (then: by edges)",
    )


def run(args) -> int:
    from game.paths import atomic_write_bytes, atomic_write_text
    from game.story import graph
    from game.story.explore import explore
    from game.story.loader import load_story

    out = Path(args.output)
    fmt = args.format or FORMATS.get(out.suffix.lower())
    if fmt is None:
        print(
            f"graph: cannot tell the format of '{out.name}': use .svg, .png, .dot or .mmd (or --format)",
            file=sys.stderr,
        )
        return 2
    story, diags = load_story(args.level)
    if story is None:
        for d in diags:
            print(d.format(), file=sys.stderr)
        return 1
    level = story.levels[0]
    if args.level_id:
        match = [lv for lv in story.levels if lv.id == args.level_id]
        if not match:
            print(
                f"graph: no level '{args.level_id}' (levels: {', '.join(lv.id for lv in story.levels)})",
                file=sys.stderr,
            )
            return 2
        level = match[0]
    coverage = None
    if args.coverage:
        try:
            coverage = json.loads(Path(args.coverage).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"graph: cannot read coverage {args.coverage}: {exc}", file=sys.stderr)
            return 2
    # Reachability that honours conditions, when the exploration finishes; else along edges.
    # A campaign is drawn whole (each level boxed, endings leading on to the next level's start)
    # unless --level picks one; its exploration is the campaign's, so reachability follows play.
    from game.story.model import Story

    whole = len(story.levels) > 1 and not args.level_id
    explored = story if whole else Story(level.id, level.title, (level,), level.file)
    ex = explore(explored, max_states=args.max_states)
    if ex.truncated:
        how = "edges (state exploration hit its bound)"
        reachable = {lv.id: graph.static_reachable(lv) for lv in explored.levels}
    else:
        how = "states"
        reachable = {
            lv.id: {sc for (lid, sc) in ex.scenes if lid == lv.id}
            | {f"end:{e}" for (lid, e) in ex.endings if lid == lv.id}
            for lv in explored.levels
        }
    if whole:
        g = graph.build_story(story, coverage=coverage, reachable=reachable, reachability=how)
    else:
        g = graph.build(level, coverage=coverage, reachable=reachable[level.id], reachability=how)
    if fmt == "svg":
        atomic_write_text(out, graph.to_svg(g))
    elif fmt == "dot":
        atomic_write_text(out, graph.to_dot(g))
    elif fmt == "mmd":
        atomic_write_text(out, graph.to_mermaid(g))
    else:
        try:
            import pygame  # noqa: F401
        except ImportError:
            print(
                "graph: PNG needs pygame (pip install pygame-ce); SVG, DOT and Mermaid work without it", file=sys.stderr
            )
            return 2
        tmp = out.with_name(f".{out.name}.render.png")
        graph.to_png(g, str(tmp))
        atomic_write_bytes(out, tmp.read_bytes())
        tmp.unlink()
    unreachable = sum(1 for n in g.nodes.values() if n.unreachable)
    print(
        f"wrote {out} ({fmt}): {len(g.nodes)} nodes, {len(g.edges)} edges, {unreachable} unreachable; "
        f"reachability by {how}",
        file=sys.stderr,
    )
    return 0
