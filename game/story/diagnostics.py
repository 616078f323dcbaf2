"""Diagnostics: every problem a writer can make, with a stable code, a place and a hint.

Codes are stable (tests, docs and CI filters rely on them). Each code has a page in
docs/diagnostics/<code>.md with a wrong and a right example.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from game.textsafe import clean

# code -> (severity, title). Errors stop a level from loading; warnings are lint.
CODES: dict[str, tuple[str, str]] = {
    "TT0001": ("error", "YAML syntax error"),
    "TT0002": ("error", "duplicate key"),
    "TT0003": ("error", "unknown key"),
    "TT0004": ("error", "wrong type"),
    "TT0005": ("error", "missing required key"),
    "TT0006": ("error", "file cannot be read or included"),
    "TT0007": ("error", "ambiguous step"),
    "TT0101": ("error", "unknown scene"),
    "TT0102": ("error", "unknown speaker or character"),
    "TT0103": ("error", "duplicate scene id"),
    "TT0104": ("error", "unknown minigame"),
    "TT0105": ("error", "invalid name"),
    "TT0201": ("error", "expression syntax error"),
    "TT0202": ("error", "forbidden in expressions"),
    "TT0203": ("error", "undefined variable"),
    "TT0204": ("error", "unknown function"),
    "TT0205": ("error", "unknown field of a result"),
    "TT0206": ("error", "minigame parameter not accepted"),
    # Lint (static analysis of a level that loads).
    "TT1001": ("warning", "scene unreachable from the start"),
    "TT1002": ("error", "ending unreachable"),
    "TT1003": ("error", "dead end: a scene can stop without an end"),
    "TT1004": ("warning", "variable read but never set"),
    "TT1005": ("warning", "variable set but never read"),
    "TT1006": ("warning", "condition can never hold"),
    "TT1007": ("warning", "choice can leave the player with no option"),
    "TT1008": ("warning", "conversation character has no fallback lines"),
    "TT1009": ("warning", "minigame result never read"),
    "TT1010": ("warning", "condition always holds"),
    "TT1011": ("warning", "steps after a goto or end never run"),
    "TT1012": ("info", "analysis bound reached"),
}


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int
    column: int
    code: str
    message: str
    hint: str = field(default="", compare=False)

    @property
    def severity(self) -> str:
        return CODES.get(self.code, ("error", ""))[0]

    def format(self, strict: bool = False) -> str:
        severity = "error" if strict and self.severity == "warning" else self.severity
        text = f"{self.file}:{self.line}:{self.column}: {severity} {self.code}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        # A message quotes the file (a key, a value): a hostile one must not drive the terminal.
        return clean(text)


class LevelError(Exception):
    """Raised by the strict loaders: carries every diagnostic of the failed load."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.format() for d in diagnostics))
