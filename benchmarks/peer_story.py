"""The peer benchmark's story (`story.json`, format `peer-bench-story/1`) as a Treacherous Turn level.

`../shared/peer_bench/gen_story.py` writes the same random branching story as ink source
and as neutral JSON; this turns the JSON into our YAML so our engine walks the very graph
the ink runtimes walk. Every knot is a scene; its lines are narrator lines; a choice option
with a condition gets `if:`, its effects `set:`, its target `goto:`; an ending knot ends
with `- end:` after its lines. A choice shows no text when taken, in ink and here.
"""

from __future__ import annotations

import json
from pathlib import Path


def _q(text: str) -> str:
    """A YAML double-quoted scalar (json's escaping is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def to_yaml(story: dict) -> str:
    if story.get("format") != "peer-bench-story/1":
        raise ValueError(f"not a peer-bench story (format {story.get('format')!r})")
    out = [
        "level: peer_story",
        f"title: {_q('Peer benchmark, N=' + str(story['n_scenes']))}",
        f"start: {story['start']}",
        "vars: {" + ", ".join(f"{k}: {v}" for k, v in story["variables"].items()) + "}",
        "scenes:",
    ]
    for scene in story["scenes"]:
        out.append(f"  {scene['id']}:")
        for line in scene["lines"]:
            out.append(f"    - narrator: {_q(line)}")
        if scene["ending"]:
            out.append(f"    - end: {scene['id']}")
            continue
        out.append("    - choice:")
        for ch in scene["choices"]:
            out.append(f"        - text: {_q(ch['text'])}")
            cond = ch.get("condition")
            if cond:
                out.append(f"          if: {_q(cond['expr'])}")
            if ch["effects"]:
                sets = ", ".join(
                    f"{e['var']}: {_q(e['var'] + (' + ' if e['delta'] >= 0 else ' - ') + str(abs(e['delta'])))}"
                    for e in ch["effects"]
                )
                out.append(f"          set: {{{sets}}}")
            out.append(f"          goto: {ch['target']}")
    return "\n".join(out) + "\n"


def convert(story_json: Path, out: Path) -> Path:
    story = json.loads(Path(story_json).read_text(encoding="utf-8"))
    out.write_text(to_yaml(story), encoding="utf-8")
    return out
