"""Text from outside (a model's reply, a player's name or chat line, a save) made safe to show.

A terminal obeys escape sequences: ESC [ ... recolours or moves the cursor, ESC ] ... (OSC)
retitles the window or writes the clipboard, BEL rings, NUL and C1 codes confuse some
terminals, and pygame refuses to draw a NUL. So before any front end shows such text, whole
escape sequences are removed (not just their ESC, which would leave "[31m" on screen), then
every remaining control character and the invisible bidirectional overrides that can make
text read backwards. Newlines and tabs stay in `clean`; `clean_line` makes one line of it.

An escape sequence cut off at the end of the text is removed to the end, so a stream cleaned
again as it grows only ever adds text after what was shown.
"""

from __future__ import annotations

import re

# ESC ] ... terminated by BEL or ESC \ (or the C1 forms), or running to the end of the text.
_OSC = r"(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c|$)"
# ESC [ parameters intermediates final, or C1 CSI; unfinished at the end of the text too.
_CSI = r"(?:\x1b\[|\x9b)[0-?]*[ -/]*(?:[@-~]|$)"
# DCS, SOS, PM, APC strings: ESC P / X / ^ / _ ... ESC \.
_STRING = r"(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c|$)"
# Any other escape: ESC and one more character (ESC alone at the end goes too).
_ESC = r"\x1b[ -~]?"
_SEQUENCE = re.compile("|".join((_OSC, _CSI, _STRING, _ESC)))
# C0 controls but tab and newline, DEL, C1; bidi embeddings/overrides/isolates; BOM / zero-width no-break.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
_LINE_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]+")


def clean(text: str) -> str:
    """`text` without escape sequences or control characters (newlines and tabs kept)."""
    if not isinstance(text, str):
        text = str(text)
    if text.isprintable():
        return text  # the common case: nothing to look for
    text = text.replace("\r\n", "\n")
    return _CONTROL.sub("", _SEQUENCE.sub("", text))


def clean_line(text: str, limit: int | None = None) -> str:
    """One line: `clean`, with every run of line breaks and tabs made one space, trimmed, at most `limit` long."""
    text = clean(_LINE_BREAKS.sub(" ", text if isinstance(text, str) else str(text))).strip()
    return text[:limit] if limit is not None else text


class SafeStream:
    """A text stream (stdout) that cleans everything written to it: the terminal front ends print
    through one, so no printed text, whoever made it, can carry an escape sequence."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(clean(text))
        return len(text)

    @property
    def unfiltered(self):
        """The stream itself, for the one writer of escape codes: the mouse drawing canvas, whose
        codes (mouse reports on/off, cursor moves) are its own, around text it cleans itself."""
        return self._stream

    def __getattr__(self, name):
        return getattr(self._stream, name)
