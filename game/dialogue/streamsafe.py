"""A model's text made safe before it is shown, recorded, saved or written to a cassette.

Three things, in this order, on the whole text received so far (so a secret split across
streamed pieces is seen whole):

1. `redact`: registered API keys (whole, or without their `sk-` style prefix) and key-shaped
   tokens become "[redacted]" (game.dialogue.base).
2. `game.textsafe.clean`: escape sequences and control characters go.
3. `held_back`: while the end of the text could still be the start of a secret (an API key,
   its prefix-less form, or one of the character's secret lines), that end is not shown yet.
   A streamed reply is shown up to there; the next piece decides.

The service's output guard (game.dialogue.character.OutputGuard) calls these for every reply
piece; cassettes call `clean` on what they record.
"""

from __future__ import annotations

from collections.abc import Iterable

from game import textsafe
from game.dialogue.base import known_secrets, redact

MIN_PARTIAL = 8  # at the very end of a reply, this much of a secret's start is dropped too


def clean(text: str) -> str:
    """Secrets redacted, then escape sequences and control characters removed."""
    return textsafe.clean(redact(text))


def held_back(text: str, secrets: Iterable[str] = ()) -> int:
    """How many characters at the end of `text` could be the beginning of a secret (0: none).

    `secrets` are the character's secret lines; registered API keys are always included. For each
    secret only the places in the last len(secret)-1 characters where its first character occurs
    are tried, so this stays cheap for long texts."""
    longest = 0
    n = len(text)
    for secret in (*known_secrets(), *secrets):
        if not secret:
            continue
        first = secret[0]
        start = max(0, n - len(secret) + 1)
        i = text.find(first, start)
        while i != -1:
            tail = n - i
            if tail <= longest:
                break  # later places only give shorter tails
            if secret.startswith(text[i:]):
                longest = tail
                break
            i = text.find(first, i + 1)
    return longest


def drop_partial(text: str, secrets: Iterable[str] = (), shown: int = 0) -> str:
    """A finished reply whose end is the beginning of a secret (the model stopped mid-key): that end
    goes, when it is long enough to be more than chance (MIN_PARTIAL characters). The first `shown`
    characters are on screen already and stay (a held-back tail never is; text that only looks like
    a secret's start once trailing spaces are trimmed may be)."""
    k = held_back(text, secrets)
    if k < MIN_PARTIAL:
        return text
    cut = max(len(text) - k, min(shown, len(text)))
    if cut >= len(text):
        return text
    return text[:cut].rstrip() + (" [redacted]" if _is_key_start(text[-k:]) else "")


def _is_key_start(tail: str) -> bool:
    return any(s.startswith(tail) for s in known_secrets())


def clean_pieces(pieces: list[str]) -> list[str]:
    """Recorded stream pieces, cleaned as one text: unchanged pieces when nothing was removed, one
    cleaned piece otherwise (a secret split across pieces is caught whole)."""
    whole = "".join(pieces)
    cleaned = clean(whole)
    return list(pieces) if cleaned == whole else [cleaned]
