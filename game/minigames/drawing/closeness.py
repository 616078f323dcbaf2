"""How near a guess is to the idea: 1 = the idea itself or a synonym, 0 = unrelated.

The numbers come from closeness.json, derived offline from WordNet by
tools/derive_closeness.py (see its docstring for the method); nothing here needs WordNet.
Words outside the table (an idea the player typed) score 1 when they name the same thing
after normalising, 0.5 when one contains the other as a word ("plant" in "house plant"),
else 0: without data, the game does not pretend to know.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "closeness.json"


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(TABLE.read_text(encoding="utf-8"))


def known_words() -> list[str]:
    return sorted(_data()["senses"])


def canonical(word: str) -> str:
    """Lower case, single spaces, synonyms and simple plurals mapped to the table's word."""
    w = re.sub(r"[\s_\-]+", " ", str(word).strip().lower())
    data = _data()
    if w in data["senses"]:
        return w
    if w in data["synonyms"]:
        return data["synonyms"][w]
    for cut in ("es", "s"):
        stem = w[: -len(cut)] if w.endswith(cut) else None
        if stem and (stem in data["senses"] or stem in data["synonyms"]):
            return canonical(stem)
    return w


def closeness(guess: str, idea: str) -> float:
    a, b = canonical(guess), canonical(idea)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    pairs = _data()["pairs"]
    lo, hi = sorted((a, b))
    if lo in pairs and hi in pairs[lo]:
        return float(pairs[lo][hi])
    if set(a.split()) & set(b.split()):
        return 0.5
    return 0.0
