"""Counted nouns for players: "1 breach", "2 breaches", "1 star", "5,231 points".

One helper so every screen and the terminal agree; the irregular words the game uses are
listed, the rest follow English spelling rules.
"""

from __future__ import annotations

IRREGULAR = {
    "person": "people",
    "child": "children",
    "mouse": "mice",
    "is": "are",
    "was": "were",
    "has": "have",
    "this": "these",
    "that": "those",
}
_VOWELS = "aeiou"


def plural_of(word: str) -> str:
    """The plural form of one English noun (or of the verbs "is", "was", "has")."""
    lower = word.lower()
    if lower in IRREGULAR:
        out = IRREGULAR[lower]
        return out.capitalize() if word[:1].isupper() else out
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in _VOWELS:
        return word[:-1] + "ies"
    return word + "s"


def count(n: float) -> str:
    """A number as a player reads it: whole numbers with thousands separators, else one decimal."""
    if isinstance(n, bool):
        n = int(n)
    if float(n).is_integer():
        return f"{int(n):,}"
    return f"{n:,.1f}"


def plural(n: float, word: str, many: str | None = None, *, show: bool = True) -> str:
    """`n` and the right form of `word`: plural(1, "breach") == "1 breach", plural(3, "star") == "3 stars".

    `many`: the plural when it is irregular and not listed; `show=False`: the word alone."""
    one = isinstance(n, (int, float)) and not isinstance(n, bool) and abs(n) == 1
    form = word if one else (many or plural_of(word))
    return f"{count(n)} {form}" if show else form
