"""The bake-off's report: a terminal table, and one self-contained HTML page with inline SVG charts.

The page has no scripts, fonts or links to fetch: a designer can mail it or open it offline.
Every text from a backend or a turns file is escaped.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from game.dialogue.bakeoff import BackendResult

COLUMNS = [  # (key, heading, format)
    ("generated", "model spoke", "pct"),
    ("first_token_first", "1st reply: first token", "s"),
    ("first_token_median", "first token (median)", "s"),
    ("tokens_per_s", "tokens/s", "num"),
    ("fallbacks", "fallbacks", "int"),
    ("guard_hits", "guard hits", "int"),
    ("words", "words/reply", "num"),
    ("in_voice", "in voice", "pct"),
    ("agreement", "agrees with labels", "pct"),
]
# Which figures get a bar chart, and whether more is better.
CHARTS = [
    ("first_token_median", "First token, median (s)", False),
    ("tokens_per_s", "Tokens per second", True),
    ("fallback_rate", "Replies that fell back", False),
    ("in_voice", "Replies in voice", True),
    ("agreement", "Agreement with labelled answers", True),
]
COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f"]


def fmt(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "pct":
        return f"{value * 100:.0f} %"
    if kind == "s":
        return f"{value:.2f} s"
    if kind == "int":
        return str(int(value))
    return f"{value:.1f}"


def table(summaries: list[dict[str, Any]]) -> str:
    """The terminal table, then each backend's fallbacks and guard hits by kind."""
    heads = ["backend"] + [h for _, h, _ in COLUMNS]
    rows = [[s["label"]] + [fmt(s.get(k), f) for k, _, f in COLUMNS] for s in summaries]
    widths = [max(len(r[i]) for r in [heads] + rows) for i in range(len(heads))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    out = [line(heads), line(["-" * w for w in widths])] + [line(r) for r in rows]
    for s in summaries:
        notes = []
        if s["problems"]:
            notes += [f"cannot be used: {p}" for p in s["problems"]]
        for kind, count in sorted(s["fallback_kinds"].items()):
            notes.append(f"fell back {count}x: {kind} ({s['fallback_why'][kind]})")
        if s["guard_kinds"]:
            notes.append("guard cut: " + ", ".join(f"{k} {v}x" for k, v in sorted(s["guard_kinds"].items())))
        if notes:
            out.append(f"\n{s['label']} (chain {s['chain']}):")
            out += [f"  {n}" for n in notes]
    return "\n".join(out)


def bar_chart(title: str, values: list[tuple[str, float | None]], *, pct: bool, higher_better: bool) -> str:
    """One horizontal bar chart as inline SVG; a missing value is drawn as "n/a"."""
    row_h, label_w, bar_w, pad = 26, 260, 360, 8
    height = 34 + row_h * len(values) + pad
    known = [v for _, v in values if v is not None]
    top = 1.0 if pct else (max(known) if known else 1.0) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 90}" height="{height}" '
        f'role="img" aria-label="{html.escape(title)}">',
        f'<text x="0" y="18" font-weight="bold">{html.escape(title)}: '
        f"{'higher' if higher_better else 'lower'} is better</text>",
    ]
    for i, (label, value) in enumerate(values):
        y = 30 + i * row_h
        parts.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{html.escape(label[:40])}</text>')
        if value is None:
            parts.append(f'<text x="{label_w}" y="{y + 16}" fill="#888">n/a</text>')
            continue
        w = max(1.0, bar_w * min(1.0, value / top))
        colour = COLOURS[i % len(COLOURS)]
        shown = f"{value * 100:.0f} %" if pct else f"{value:.2f}"
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="{colour}"/>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 16}">{shown}</text>')
    parts.append("</svg>")
    return "".join(parts)


def html_page(title: str, summaries: list[dict[str, Any]], results: list[BackendResult], meta: dict[str, str]) -> str:
    e = html.escape
    charts = []
    for key, heading, higher in CHARTS:
        values = [(s["label"], s.get(key)) for s in summaries]
        if any(v is not None for _, v in values):
            charts.append(
                bar_chart(heading, values, pct=key in ("fallback_rate", "in_voice", "agreement"), higher_better=higher)
            )
    head = "".join(f"<th>{e(h)}</th>" for _, h, _ in COLUMNS)
    body = "".join(
        f"<tr><th>{e(s['label'])}<br><small>{e(s['chain'])}</small></th>"
        + "".join(f"<td>{e(fmt(s.get(k), f))}</td>" for k, _, f in COLUMNS)
        + "</tr>"
        for s in summaries
    )
    notes = []
    for s in summaries:
        items = [f"cannot be used: {p}" for p in s["problems"]]
        items += [f"fell back {c}×: {k} — {s['fallback_why'][k]}" for k, c in sorted(s["fallback_kinds"].items())]
        items += [f"guard cut {k} {c}×" for k, c in sorted(s["guard_kinds"].items())]
        if items:
            notes.append(f"<h3>{e(s['label'])}</h3><ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>")
    replies = []
    for res in results:
        rows = "".join(
            f"<tr><td>{e(r.run)} #{r.turn}</td><td>{e(r.said)}</td><td>{e(r.text)}</td><td>{e(r.backend)}</td>"
            f"<td>{e(fmt(r.first_token, 's'))}</td><td>{e(', '.join(f['kind'] for f in r.fallbacks) or '—')}</td>"
            f"<td>{'—' if r.agrees is None else ('yes' if r.agrees else 'no')}</td></tr>"
            for r in res.replies
        )
        replies.append(
            f"<details><summary>{e(res.spec.label)}: every reply</summary><table class='replies'><tr><th>turn</th>"
            f"<th>player</th><th>reply</th><th>by</th><th>first token</th><th>fallback</th>"
            f"<th>agrees</th></tr>{rows}</table></details>"
        )
    info = "".join(f"<li>{e(k)}: {e(v)}</li>" for k, v in meta.items())
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 2em; color: #222; max-width: 1100px; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: right; vertical-align: top; }}
th:first-child, table.replies td:nth-child(2), table.replies td:nth-child(3) {{ text-align: left; }}
small {{ color: #666; font-weight: normal; }}
svg {{ display: block; margin: 1em 0; font: 13px system-ui, sans-serif; }}
</style></head><body>
<h1>{e(title)}</h1>
<ul>{info}<li>made: {e(stamp)}</li></ul>
<table><tr><th>backend</th>{head}</tr>{body}</table>
<p><small>First token: seconds from sending the player's line to the model's first words (the first reply
includes any cold start). Tokens/s: streamed pieces per second after the first (one piece per token on
llama.cpp's and OpenAI's streams). In voice: of the replies where the model said something, the share the
in-voice check let through. Agrees with labels: labelled answers whose score moved each dimension the
labelled way.</small></p>
{"".join(charts)}
{"".join(notes)}
{"".join(replies)}
</body></html>
"""
