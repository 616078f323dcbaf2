"""The story graph of a level, drawn from its state machine's edges.

A layered layout (scenes in columns by distance from the start, ordered to reduce
crossings, tall columns wrapped) keeps 1,000-scene levels legible and takes
milliseconds, where Graphviz's `dot` stalls past ~100 states. Writes SVG (by hand),
PNG (drawn with pygame, headless), DOT and Mermaid text.
"""

from __future__ import annotations

import html
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from game.story.machine import level_edges
from game.story.model import Level, Story

NODE_W, NODE_H = 170, 40
COL_GAP, ROW_GAP = 90, 22
MAX_ROWS = 24  # a column taller than this wraps into sub-columns
MARGIN = 40

STYLE = {  # trigger -> (colour, dash, legend text)
    "goto": ("#8a93a6", "", "jump"),
    "choose": ("#5aa9e6", "", "player choice"),
    "outcome": ("#f0a04b", "7 4", "decided by a conversation or minigame"),
}


@dataclass
class GNode:
    id: str
    label: str
    kind: str  # scene | ending
    start: bool = False
    unreachable: bool = False
    decides: str = ""  # "talk" / "minigame" when the scene holds one
    hits: int | None = None


@dataclass
class GEdge:
    source: str
    dest: str
    trigger: str
    label: str
    back: bool = False


@dataclass
class Graph:
    level: Level
    nodes: dict[str, GNode] = field(default_factory=dict)
    edges: list[GEdge] = field(default_factory=list)
    reachability: str = "states"
    pos: dict[str, tuple[int, int]] = field(default_factory=dict)
    size: tuple[int, int] = (0, 0)
    title: str = ""  # what the picture is headed with ("" : the level's title and size)
    clusters: list[Any] = field(default_factory=list)  # (label, x, y, w, h): a campaign's levels, boxed

    def heading(self) -> str:
        return (
            self.title or f"{self.level.title} ({len(self.level.scenes)} scenes; reachability by {self.reachability})"
        )


CLUSTER_GAP = 120


def build_story(
    story: Story,
    *,
    coverage: dict[str, Any] | None = None,
    reachable: dict[str, Any] | None = None,
    reachability: str = "states",
) -> Graph:
    """Every level of a campaign in one picture: each level boxed (clustered) with its own layout,
    left to right in playing order, and an arrow from each ending of a level to the next level's start."""
    parts = [
        build(lv, coverage=coverage, reachable=(reachable or {}).get(lv.id), reachability=reachability)
        for lv in story.levels
    ]
    g = Graph(
        story.levels[0],
        reachability=reachability,
        title=f"{story.title} ({len(story.levels)} levels, "
        f"{sum(len(lv.scenes) for lv in story.levels)} scenes; reachability by {reachability})",
    )
    x0 = 0
    height = max(p.size[1] for p in parts)
    for lv, part in zip(story.levels, parts):
        for nid, node in part.nodes.items():
            key = f"{lv.id}/{nid}"
            g.nodes[key] = GNode(
                key,
                node.label,
                node.kind,
                node.start and lv is story.levels[0],
                node.unreachable,
                node.decides,
                node.hits,
            )
            px, py = part.pos[nid]
            g.pos[key] = (px + x0, py + 30)
        for e in part.edges:
            g.edges.append(GEdge(f"{lv.id}/{e.source}", f"{lv.id}/{e.dest}", e.trigger, e.label, e.back))
        g.clusters.append(
            (
                f"Level {story.levels.index(lv) + 1}: {lv.title}",
                x0 + MARGIN // 2,
                MARGIN + 20,
                part.size[0] - MARGIN,
                height - 40,
            )
        )
        x0 += part.size[0] + CLUSTER_GAP
    for lv, nxt in zip(story.levels, story.levels[1:]):
        for nid in list(g.nodes):
            if nid.startswith(f"{lv.id}/end:"):
                g.edges.append(GEdge(nid, f"{nxt.id}/{nxt.start}", "goto", "next level"))
    g.size = (x0 - CLUSTER_GAP + MARGIN, height + 40)
    return g


def build(
    level: Level,
    *,
    coverage: dict[str, Any] | None = None,
    reachable: set[str] | None = None,
    reachability: str = "states",
) -> Graph:
    g = Graph(level, reachability=reachability)
    for sid, scene in level.scenes.items():
        marks = [m for m in dict.fromkeys(s.graph_mark() for s in scene.steps) if m]
        decides = "+".join(marks)
        label = scene.title or sid
        hits = None
        if coverage is not None:
            hits = coverage.get("scenes", {}).get(f"{level.id}/{sid}", 0)
        g.nodes[sid] = GNode(
            sid,
            label,
            "scene",
            start=sid == level.start,
            unreachable=reachable is not None and sid not in reachable,
            decides=decides,
            hits=hits,
        )
        for i, step in enumerate(scene.steps):
            for ending in step.coverage(f"{level.id}/{sid}/{i}").get("endings", ()):
                eid = f"end:{ending}"
                if eid not in g.nodes:
                    ehits = coverage.get("endings", {}).get(f"{level.id}/{ending}", 0) if coverage else None
                    g.nodes[eid] = GNode(
                        eid, ending, "ending", hits=ehits, unreachable=reachable is not None and eid not in reachable
                    )
                g.edges.append(GEdge(sid, eid, "goto", step.guard.source if step.guard else ""))
    for e in level_edges(level):
        if e.dest is None:
            continue  # an option that stays in its scene draws no arrow
        trigger = {"jump": "goto", "choice": "choose", "outcome": "outcome"}[e.kind]
        g.edges.append(
            GEdge(e.source, e.dest, trigger, e.label if trigger == "choose" else (e.guard.source if e.guard else ""))
        )
    layout(g)
    return g


def static_reachable(level: Level) -> set[str]:
    """Scenes and endings reachable along edges alone (conditions ignored)."""
    out_edges = defaultdict(list)
    for e in level_edges(level):
        if e.dest is not None:
            out_edges[e.source].append(e.dest)
    for sid, i, s in level.steps():
        for ending in s.coverage(f"{level.id}/{sid}/{i}").get("endings", ()):
            out_edges[sid].append(f"end:{ending}")
    seen, todo = {level.start}, deque([level.start])
    while todo:
        for d in out_edges[todo.popleft()]:
            if d not in seen:
                seen.add(d)
                todo.append(d)
    return seen


def layout(g: Graph) -> None:
    succ = defaultdict(list)
    pred = defaultdict(list)
    for e in g.edges:
        succ[e.source].append(e.dest)
        pred[e.dest].append(e.source)
    start = g.level.start
    depth = {start: 0}
    todo = deque([start])
    while todo:
        n = todo.popleft()
        for nxt in succ[n]:
            if nxt not in depth:
                depth[nxt] = depth[n] + 1
                todo.append(nxt)
    last = max(depth.values(), default=0) + 1
    for n in g.nodes:  # never reached along edges: a column of their own at the end
        depth.setdefault(n, last)
    layers: dict[int, list[str]] = defaultdict(list)
    for n in g.nodes:  # insertion order = source order: a stable first guess
        layers[depth[n]].append(n)
    order: dict[str, float] = {}
    for d in sorted(layers):
        for i, n in enumerate(layers[d]):
            order[n] = i
    for _ in range(2):  # barycenter sweeps: place each node near its predecessors
        for d in sorted(layers)[1:]:

            def bary(n: str) -> float:
                ps = [order[p] for p in pred[n] if depth.get(p, 0) < d]  # noqa: B023 (used within its iteration)
                return sum(ps) / len(ps) if ps else order[n]

            layers[d].sort(key=bary)
            for i, n in enumerate(layers[d]):
                order[n] = i
    x = MARGIN
    height = 0
    for d in sorted(layers):
        col = layers[d]
        for chunk_start in range(0, len(col), MAX_ROWS):
            chunk = col[chunk_start : chunk_start + MAX_ROWS]
            for row, n in enumerate(chunk):
                g.pos[n] = (x, MARGIN + 30 + row * (NODE_H + ROW_GAP))
            height = max(height, MARGIN + 30 + len(chunk) * (NODE_H + ROW_GAP))
            x += NODE_W + COL_GAP
    for e in g.edges:
        e.back = g.pos[e.dest][0] <= g.pos[e.source][0]
    g.size = (x - COL_GAP + MARGIN, height + MARGIN + 70)


STUB_ABOVE = 300  # edges: past this, loops back are drawn as labelled stubs, not arcs across the graph


def _stubs(g: Graph) -> dict[int, tuple[float, float, str]]:
    """In big graphs, edge index -> (x, y, text) of a short 'back to <scene>' stub at its source."""
    if len(g.edges) <= STUB_ABOVE:
        return {}
    per_source: dict[str, int] = defaultdict(int)
    out: dict[int, tuple[float, float, str]] = {}
    for i, e in enumerate(g.edges):
        if e.back:
            k = per_source[e.source]
            per_source[e.source] += 1
            x, y = g.pos[e.source]
            out[i] = (x + NODE_W - 4 - 46 * (k % 3), y + NODE_H + 1 + 9 * (k // 3), f"↩{_short(e.dest, 6)}")
    return out


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _node_text(n: GNode) -> tuple[str, str]:
    if n.kind == "ending":
        top = f"■ END {n.label}"
    elif n.start:
        top = f"▶ START {n.label}"
    else:
        top = n.label
    sub = []
    if n.decides:
        sub.append({"talk": "💬 talk", "minigame": "◆ minigame"}.get(n.decides, "💬◆ talk+minigame"))
    if n.unreachable:
        sub.append("unreachable")
    if n.hits is not None:
        sub.append(f"hit ×{n.hits}" if n.hits else "never hit")
    return _short(top, 26), _short(" · ".join(sub), 30)


def _fill(n: GNode) -> tuple[str, str, str]:
    """fill, stroke, dash"""
    if n.unreachable:
        return "#3a2020", "#ff6b6b", "5 3"
    if n.kind == "ending":
        return "#4a3c12", "#ffd166", ""
    if n.start:
        return "#173a2a", "#6be59a", ""
    if n.hits == 0:
        return "#242633", "#6b7084", "2 2"
    return "#1f2a3d", "#9fb3d9", ""


def _edge_path(g: Graph, e: GEdge) -> tuple[float, float, float, float, float, float, float, float]:
    sx, sy = g.pos[e.source]
    dx, dy = g.pos[e.dest]
    x1: float
    x2: float
    if not e.back:
        x1, y1, x2, y2 = sx + NODE_W, sy + NODE_H / 2, dx, dy + NODE_H / 2
        mid = (x1 + x2) / 2
        return x1, y1, mid, y1, mid, y2, x2, y2
    # back edges loop over the top of the boxes so they do not cross the forward flow
    x1, y1, x2, y2 = sx + NODE_W / 2, sy, dx + NODE_W / 2, dy
    lift = 30 + abs(x1 - x2) * 0.08
    return x1, y1, x1, min(y1, y2) - lift, x2, min(y1, y2) - lift, x2, y2


def to_svg(g: Graph) -> str:
    w, h = g.size
    labels = len(g.edges) <= 400
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        'font-family="DejaVu Sans, sans-serif">',
        "<defs>"
        + "".join(
            f'<marker id="arrow-{t}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
            f'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="{c}"/></marker>'
            for t, (c, _, _) in STYLE.items()
        )
        + "</defs>",
        f'<rect width="{w}" height="{h}" fill="#11131a"/>',
        f'<text x="{MARGIN}" y="{MARGIN}" fill="#e8e8f0" font-size="18">{html.escape(g.heading())}</text>',
    ]
    for label, cx, cy, cw, ch in g.clusters:
        out.append(
            f'<rect x="{cx}" y="{cy}" width="{cw}" height="{ch}" rx="10" fill="#161a24" stroke="#3b4257" '
            f'stroke-width="1.5"/><text x="{cx + 12}" y="{cy + 20}" fill="#ffd166" font-size="14">'
            f"{html.escape(label)}</text>"
        )
    stubs = _stubs(g)
    for i, e in enumerate(g.edges):
        colour, dash, _ = STYLE[e.trigger]
        if i in stubs:
            sx, sy, text = stubs[i]
            out.append(
                f'<text x="{sx:.0f}" y="{sy + 8:.0f}" fill="{colour}" font-size="8" text-anchor="end">'
                f"<title>{html.escape(e.source)} → {html.escape(e.dest)}</title>{html.escape(text)}</text>"
            )
            continue
        x1, y1, c1x, c1y, c2x, c2y, x2, y2 = _edge_path(g, e)
        opacity = 0.45 if e.back else 0.85
        dash_attr = f' stroke-dasharray="{dash}"' if dash else (' stroke-dasharray="2 3"' if e.back else "")
        out.append(
            f'<path d="M {x1:.0f} {y1:.0f} C {c1x:.0f} {c1y:.0f} {c2x:.0f} {c2y:.0f} {x2:.0f} {y2:.0f}" '
            f'fill="none" stroke="{colour}" stroke-width="1.4" opacity="{opacity}"{dash_attr} '
            f'marker-end="url(#arrow-{e.trigger})"><title>{html.escape(e.source)} → {html.escape(e.dest)}'
            f"{': ' + html.escape(e.label) if e.label else ''}</title></path>"
        )
        if labels and e.label and e.trigger != "choose" or (labels and e.trigger == "choose" and len(g.edges) <= 120):
            lx, ly = (x1 + x2) / 2, (c1y + c2y) / 2 - 4
            prefix = "⚑ " if e.trigger == "outcome" else ("if " if e.trigger == "goto" else "» ")
            out.append(
                f'<text x="{lx:.0f}" y="{ly:.0f}" fill="{colour}" font-size="10" text-anchor="middle">'
                f"{html.escape(prefix + _short(e.label, 28))}</text>"
            )
    for n in g.nodes.values():
        x, y = g.pos[n.id]
        fill, stroke, dash = _fill(n)
        rx = 18 if n.kind == "ending" else 6
        width = 3 if n.start or n.kind == "ending" else 1.5
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        top, sub = _node_text(n)
        out.append(
            f'<g><title>{html.escape(n.id)}</title><rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" '
            f'rx="{rx}" fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash_attr}/>'
            f'<text x="{x + 8}" y="{y + 16}" fill="#f0f0f5" font-size="12">{html.escape(top)}</text>'
            f'<text x="{x + 8}" y="{y + 32}" fill="#b8bdd0" font-size="10">{html.escape(sub)}</text></g>'
        )
    ly = h - 40
    lx = MARGIN
    for _t, (colour, dash, text) in STYLE.items():
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{lx}" y1="{ly}" x2="{lx + 40}" y2="{ly}" stroke="{colour}" stroke-width="2"{dash_attr}/>'
            f'<text x="{lx + 48}" y="{ly + 4}" fill="#d0d4e0" font-size="12">{html.escape(text)}</text>'
        )
        lx += 90 + len(text) * 7
    out.append(
        f'<text x="{lx}" y="{ly + 4}" fill="#d0d4e0" font-size="12">▶ start · ■ ending · dashed red: '
        "unreachable · dotted or ↩: loops back</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def to_png(g: Graph, path: str) -> None:
    import os

    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    pygame.font.init()
    w, h = g.size
    surf = pygame.Surface((w, h))
    surf.fill((17, 19, 26))
    font = pygame.font.Font(None, 18)
    small = pygame.font.Font(None, 15)
    title = pygame.font.Font(None, 24)
    surf.blit(title.render(g.heading(), True, (232, 232, 240)), (MARGIN, MARGIN - 18))
    for label, cx, cy, cw, ch in g.clusters:
        pygame.draw.rect(surf, (22, 26, 36), pygame.Rect(cx, cy, cw, ch), border_radius=10)
        pygame.draw.rect(surf, (59, 66, 87), pygame.Rect(cx, cy, cw, ch), width=1, border_radius=10)
        surf.blit(font.render(label, True, (255, 209, 102)), (cx + 12, cy + 6))

    def rgb(hexcol: str) -> tuple[int, ...]:
        return tuple(int(hexcol[i : i + 2], 16) for i in (1, 3, 5))

    stubs = _stubs(g)
    tiny = pygame.font.Font(None, 12)
    for i, e in enumerate(g.edges):
        colour = rgb(STYLE[e.trigger][0])
        if e.back:
            colour = tuple(int(c * 0.5) for c in colour)
        if i in stubs:
            sx, sy, text = stubs[i]
            label = tiny.render(text.replace("↩", "<"), True, colour)
            surf.blit(label, (sx - label.get_width(), sy))
            continue
        x1, y1, c1x, c1y, c2x, c2y, x2, y2 = _edge_path(g, e)
        pts = []
        for i in range(17):
            t = i / 16
            a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
            pts.append((a * x1 + b * c1x + c * c2x + d * x2, a * y1 + b * c1y + c * c2y + d * y2))
        if STYLE[e.trigger][1] or e.back:  # dashed: draw every other segment
            for i in range(0, len(pts) - 1, 2):
                pygame.draw.aaline(surf, colour, pts[i], pts[i + 1])
        else:
            pygame.draw.aalines(surf, colour, False, pts)
        pygame.draw.circle(surf, colour, (int(x2), int(y2)), 3)
        if e.label and e.trigger != "choose" and len(g.edges) <= 400:
            prefix = "! " if e.trigger == "outcome" else "if "
            tag = small.render(prefix + _short(e.label, 28).replace("…", "..."), True, colour)
            surf.blit(tag, ((x1 + x2) / 2 - tag.get_width() / 2, (c1y + c2y) / 2 - 14))
    for n in g.nodes.values():
        x, y = g.pos[n.id]
        fill, stroke, _dash = _fill(n)
        rect = pygame.Rect(x, y, NODE_W, NODE_H)
        pygame.draw.rect(surf, rgb(fill), rect, border_radius=14 if n.kind == "ending" else 5)
        pygame.draw.rect(
            surf,
            rgb(stroke),
            rect,
            width=3 if n.start or n.kind == "ending" else 1,
            border_radius=14 if n.kind == "ending" else 5,
        )
        top, sub = _node_text(n)
        top = top.replace("▶", ">").replace("■", "#")
        sub = sub.replace("💬", "").replace("◆", "*").replace("×", "x").replace("·", "-")
        surf.blit(font.render(top, True, (240, 240, 245)), (x + 7, y + 5))
        surf.blit(small.render(sub, True, (184, 189, 208)), (x + 7, y + 23))
    lx, ly = MARGIN, h - 40
    for hexcol, dash, text in STYLE.values():
        line_rgb = rgb(hexcol)
        if dash:
            for k in range(0, 40, 10):
                pygame.draw.line(surf, line_rgb, (lx + k, ly), (lx + k + 6, ly), 2)
        else:
            pygame.draw.line(surf, line_rgb, (lx, ly), (lx + 40, ly), 2)
        label = font.render(text, True, (208, 212, 224))
        surf.blit(label, (lx + 48, ly - 7))
        lx += 60 + label.get_width()
    surf.blit(
        font.render("> start   # ending   red border: unreachable   grey: loops back", True, (208, 212, 224)),
        (lx, ly - 7),
    )
    pygame.image.save(surf, path)


def to_dot(g: Graph) -> str:
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"digraph {q(g.level.id)} {{", "  rankdir=LR; node [shape=box, style=rounded];"]
    clustered = bool(g.clusters)
    groups: dict[str, list[Any]] = defaultdict(list)
    for n in g.nodes.values():
        groups[n.id.split("/", 1)[0] if clustered else ""].append(n)
    for i, (_group, members) in enumerate(groups.items()):
        if clustered:
            lines.append(f"  subgraph cluster_{i} {{ label={q(g.clusters[i][0])};")
        for n in members:
            lines.append(_dot_node(n, q))
        if clustered:
            lines.append("  }")
    for e in g.edges:
        attrs = []
        if e.label:
            attrs.append(f"label={q(_short(e.label, 40))}")
        if e.trigger == "outcome":
            attrs.append("style=dashed, color=orange")
        elif e.trigger == "choose":
            attrs.append("color=blue")
        lines.append(f"  {q(e.source)} -> {q(e.dest)}{' [' + ', '.join(attrs) + ']' if attrs else ''};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_node(n: GNode, q: Callable[[str], str]) -> str:
    attrs = [f"label={q(' / '.join(x for x in _node_text(n) if x))}"]
    if n.start:
        attrs.append("penwidth=3")
    if n.kind == "ending":
        attrs.append("shape=doubleoctagon")
    if n.unreachable:
        attrs.append("style=dashed, color=red")
    return f"  {q(n.id)} [{', '.join(attrs)}];"


def to_mermaid(g: Graph) -> str:
    ids = {n: f"n{i}" for i, n in enumerate(g.nodes)}

    def esc(s: str) -> str:
        return s.replace('"', "'")

    lines = ["flowchart LR"]
    groups: dict[str, list[Any]] = defaultdict(list)
    for n in g.nodes.values():
        groups[n.id.split("/", 1)[0] if g.clusters else ""].append(n)
    for i, (_group, members) in enumerate(groups.items()):
        if g.clusters:
            lines.append(f'  subgraph c{i}["{esc(g.clusters[i][0])}"]')
        for n in members:
            text = esc(" / ".join(x for x in _node_text(n) if x))
            shape = f'(["{text}"])' if n.kind == "ending" else f'["{text}"]'
            lines.append(f"  {ids[n.id]}{shape}")
            if n.unreachable:
                lines.append(f"  style {ids[n.id]} stroke:#f66,stroke-dasharray: 5 5")
        if g.clusters:
            lines.append("  end")
    for e in g.edges:
        arrow = "-.->" if e.trigger == "outcome" else "-->"
        label = f'|"{esc(_short(e.label, 40))}"|' if e.label else ""
        lines.append(f"  {ids[e.source]} {arrow}{label} {ids[e.dest]}")
    return "\n".join(lines) + "\n"
