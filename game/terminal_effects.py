"""How the terminal shows an `effect:` step (game/story/steps/effect.py): in characters.

glitch: the lines come out corrupted, then whole; takeover: the game's words are replaced
before the player's eyes; crawl: the lines drift off in ever narrower columns (wrapped,
never cut) into a field of stars; static, shake, blackout: a band of noise, a jolt, a
dark pause. All of it is deterministic (seeded by the text), so transcripts of piped play
are the same every run; on a terminal the lines are paced over the effect's seconds, on a
pipe they are not.
"""

from __future__ import annotations

import random
import sys
import textwrap
import time

NOISE = "▓▒░█▚▞"


def _corrupt(text: str, rng: random.Random, amount: float) -> str:
    return "".join(rng.choice(NOISE) if c != " " and rng.random() < amount else c for c in text)


def show(prompt, pace: bool = False, width: int = 78, out=None) -> None:
    out = out or sys.stdout
    rng = random.Random("\n".join(prompt.lines) + prompt.effect)
    lines = list(prompt.lines)
    if prompt.effect != "crawl":  # the crawl narrows its own columns; the rest fit the width
        lines = [
            piece
            for line in lines
            for piece in textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False) or [""]
        ]
    rows: list[str] = []
    if prompt.effect == "glitch":
        for line in lines:
            rows += [_corrupt(line, rng, 0.45), _corrupt(line, rng, 0.15), line]
    elif prompt.effect == "takeover":
        rows += lines
        for old, new in prompt.labels.items():
            rows.append(f"  {_corrupt(old, rng, 0.3)}  ->  {new}")
    elif prompt.effect == "crawl":
        for i, line in enumerate(lines):
            shrink = min(0.85, i / max(1, len(lines)) * 0.85)
            span = max(12, int(width * (1 - shrink)))
            # Narrower as it recedes, but every word of the credits still printed, none split.
            for text in textwrap.wrap(line, span, break_long_words=False, break_on_hyphens=False) or [""]:
                rows.append(text.center(span).center(width).rstrip())
        rows += ["", " ".join("·" if rng.random() < 0.5 else "*" for _ in range(width // 2)).center(width).rstrip()]
    elif prompt.effect == "static":
        rows += ["".join(rng.choice(NOISE + "  ") for _ in range(width)) for _ in range(2)] + lines
    elif prompt.effect == "shake":
        rows += [("  " if i % 2 else "") + line for i, line in enumerate(lines or ["(the screen shakes)"])]
    else:  # blackout
        rows += ["", ""] + lines + [""]
    delay = (prompt.seconds / max(1, len(rows))) if pace else 0.0
    for row in rows:
        print(row, file=out)
        out.flush()
        if delay:
            time.sleep(min(delay, 1.5))
