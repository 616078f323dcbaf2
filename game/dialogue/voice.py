"""Keeping a model in character: authored lines as examples in the prompt, and a check on the reply.

Small models drift. SmolLM2-135M, given ARIA's persona, said "I'm a detective in the game.
I've been doing this job for 20 years". Two things help:

- `examples(character, render)`: a few of the character's own authored lines (intent replies,
  then fallbacks), one per intent so they show range, go into the system prompt as a sample
  of the voice. The writer's lines are the best description of a voice there is.
- `VoiceCheck`: reads the reply as it streams and raises `OutOfVoice` when it claims another
  identity ("my name is Tom", "I'm a detective" for a character whose persona says no such
  thing), a human past ("for 20 years", "my wife", "the other day, I was with a friend"),
  assistant talk ("as a language model", "how can I assist you"), the same sentence three
  times (a small model in a loop), or a forbidden topic from settings. The service then says the
  authored line instead, and the reason is logged and counted. A reply that only runs long
  is not a drift: the output guard cuts it at a sentence end within `max_words`.

The check is deliberately narrow: it looks for claims a persona would have to contradict,
not for style, so a good model is never second-guessed for sounding unlike the writer.

Settings (settings.yaml):

    dialogue:
      voice:
        check: true              # false: no in-voice check (the examples still go in)
        max_words: 75            # a model's reply is cut at a sentence end within this
        examples: 3              # authored lines shown to the model; 0 for none
        forbidden: [politics]    # words or phrases no character may say
        characters: {aria: {forbidden: [James]}}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from game.dialogue.base import OutOfVoice

if TYPE_CHECKING:
    from game.dialogue.settings import Settings
    from game.story.model import Character

# Roles and kinds of being a character may only claim when its persona does.
HUMAN_ROLES = frozenset(
    """
human person man woman guy girl boy kid child teenager adult parent mother father mom dad wife husband
detective doctor nurse lawyer teacher student professor police officer cop soldier agent spy chef cook
waiter writer author journalist programmer developer engineer scientist researcher farmer pilot driver
actor singer artist manager ceo boss employee intern assistant secretary priest king queen prince princess
wizard witch knight pirate vampire
""".split()
)
# Capitalised words that can follow "I'm" without being a name.
NOT_NAMES = frozenset(
    "not so very just really still here there glad sorry happy afraid sure also only always "
    "never fine okay ok ready curious grateful".split()
)
NUMBER_WORDS = (
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
    r"fifty|many|several)"
)

_NAME_RE = re.compile(r"\b(?i:my name is|my name's|call me|I am|I'm)\s+([A-Z][\w'-]*)")  # the name capitalised
_ROLE_RE = re.compile(
    r"\bI(?:'m| am|'ve been| have been| was| used to be| work as| worked as)\s+"
    r"(?:a|an|the|just a|only a|actually a|really a)\s+((?:[\w-]+\s+){0,2}[\w-]+)",
    re.I,
)
_HUMAN_RE = re.compile(
    r"\bI(?:'m| am)\s+(?:only |just |actually |really )?(human|a real person|flesh and blood)\b", re.I
)
_PAST_RE = re.compile(
    rf"\b(?:for|over|past|last)\s+(?:the\s+)?(?:last\s+|past\s+)?{NUMBER_WORDS}\s+years\b|"
    rf"\b{NUMBER_WORDS}\s+years old\b|"
    r"\bmy (?:wife|husband|kids|children|son|daughter|mother|father|mom|mum|dad|boss|office|"
    r"apartment|house|car|job|friend|friends|girlfriend|boyfriend|family|parents)\b|"
    r"\bI was (?:with|at) (?:a|my) (?:friend|party|cafe|café|school|work)\b|\bthe other day\b",
    re.I,
)
_NEEDS = {
    "name": ("i'm", "i am", "my name", "call me"),
    "role": ("i'm", "i am", "i've been", "i have been", "i was", "used to be", "work"),
    "past": ("year", "my ", "i was", "other day"),
    "assistant": ("model", "assist", "help", "openai", "chatgpt", "cutoff"),
}
_SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]+(?=\s|$)")
REPEATS = 3  # the same sentence this many times: a small model stuck in a loop
STEP = 6  # characters of new text before feed() reads the reply again (< OutputGuard.HOLD)
_ASSISTANT_RE = re.compile(
    r"\b(?:(?:large )?language model|AI assistant|how can I (?:help|assist) you(?: today)?|"
    r"I (?:cannot|can't|am unable to|'m unable to) (?:assist|help) with|I'm here to (?:help|assist)|"
    r"OpenAI|ChatGPT|"
    r"knowledge cutoff)\b",
    re.I,
)


@dataclass(frozen=True)
class VoiceSettings:
    check: bool = True
    max_words: int = 75
    examples: int = 3
    forbidden: tuple[str, ...] = ()
    per_character: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings | None) -> VoiceSettings:
        raw = (getattr(settings, "file", None) or {}).get("voice") or {}
        if not isinstance(raw, dict):
            return cls()

        def words(value: Any) -> tuple[str, ...]:
            if isinstance(value, str):
                value = [value]
            return tuple(str(v) for v in value or () if str(v).strip()) if isinstance(value, (list, tuple)) else ()

        def number(name: str, default: int) -> int:
            try:
                return max(0, int(raw.get(name, default)))
            except (TypeError, ValueError):
                return default

        chars = raw.get("characters") or {}
        per = (
            {str(k): words((v or {}).get("forbidden")) for k, v in chars.items() if isinstance(v, dict)}
            if isinstance(chars, dict)
            else {}
        )
        return cls(
            check=raw.get("check", True) is not False,
            max_words=number("max_words", 75),
            examples=number("examples", 3),
            forbidden=words(raw.get("forbidden")),
            per_character=per,
        )


def examples(character: Character | None, render: Callable[[Any], str], count: int = 3) -> list[str]:
    """Up to `count` of the character's authored lines: one reply from each of its first intents,
    then its fallbacks. Short lines only (a long example invites long replies)."""
    if count <= 0 or character is None:
        return []
    pool = [i.replies[0] for i in getattr(character, "intents", ()) if i.replies]
    pool += list(getattr(character, "fallback", ()))
    out: list[str] = []
    for template in pool:
        try:
            text = " ".join(render(template).split())
        except Exception:  # noqa: BLE001 - an example that cannot be rendered is simply left out
            continue
        if text and len(text) <= 160 and text not in out:
            out.append(text)
        if len(out) >= count:
            break
    return out


def examples_prompt(lines: list[str]) -> str:
    if not lines:
        return ""
    quoted = " ".join(f'"{line}"' for line in lines)
    return (
        f"Lines the writer gave you, to show your voice (match their tone and length; do not repeat "
        f"them word for word): {quoted}"
    )


def writer_text(hints: dict[str, Any]) -> list[str]:
    """The writer's words a request carries besides the character: questions, read-backs, the line
    a generated line rephrases (see Conversation and lines.generate_line)."""
    out = [hints.get(k) for k in ("next_question", "answering", "fallback")]
    understood = hints.get("understood") or {}
    if isinstance(understood, dict):
        out += list(understood.get("lines") or ())
    return [str(t) for t in out if isinstance(t, str) and t]


class VoiceCheck:
    """Reads a reply as it grows; raises OutOfVoice at the first claim the persona contradicts."""

    def __init__(
        self,
        character: Character | None,
        player: str = "",
        settings: VoiceSettings | None = None,
        writer_text: Iterable[str] = (),
    ) -> None:
        self.settings = settings or VoiceSettings()
        self.enabled = self.settings.check
        self.name = str(getattr(character, "name", "") or "")
        cid = str(getattr(character, "id", "") or "")
        self.allowed_names = {w.lower() for w in re.findall(r"[\w'-]+", self.name)} | {cid.lower()}
        # What the writer gave the character (persona and authored lines) may be said: a role, a past
        # or a phrase found there is the character's own, not a drift.
        authored = [
            getattr(t, "source", t)
            for t in (
                list(getattr(character, "fallback", ()) or ())
                + list(getattr(character, "greeting", ()) or ())
                + [r for i in getattr(character, "intents", ()) or () for r in i.replies]
            )
        ]
        # `writer_text`: the rest of what the writer gave this reply (the question to ask, the read-back,
        # the line a generated line rephrases), so "worse at my job" in ARIA's own question is hers.
        self.persona = " ".join(
            [str(getattr(character, "persona", "") or "")]
            + [str(a) for a in authored]
            + [str(t) for t in writer_text if t]
        ).lower()
        self.player = player.lower()
        forbidden = list(self.settings.forbidden) + list(self.settings.per_character.get(cid, ()))
        self._forbidden = [(f, re.compile(r"(?<!\w)" + re.escape(f.lower()) + r"(?!\w)")) for f in forbidden]
        self._checked = 0  # how long the reply was when feed() last read it

    def feed(self, text: str) -> None:
        """Check the text so far; a match that touches its end may be a word still arriving, so waits.
        Whatever is caught, the same words in the writer's text (persona, lines, questions) let pass."""
        if not self.enabled:
            return
        # Read again once a few more words came (fewer characters than the guard holds back, so a
        # claim is still caught before it is shown): at every piece it cost ~0.5 ms a reply.
        if len(text) - self._checked < STEP:
            return
        self._check(text, partial=True)
        self._checked = len(text)

    def finish(self, text: str) -> None:
        if self.enabled:
            self._check(text, partial=False)

    def _complete(self, m: re.Match[str], text: str, partial: bool) -> bool:
        return not partial or m.end() < len(text)

    def _check(self, text: str, partial: bool) -> None:
        low = text.lower()
        # Each pattern runs only when words it needs are there (plain substring tests are ~50x cheaper).
        has = {key: any(w in low for w in words) for key, words in _NEEDS.items()}
        for m in _NAME_RE.finditer(text) if has["name"] else ():
            word = m.group(1).strip("'-")
            low = word.lower()
            if low.endswith("'s"):
                continue  # "I'm Sarah's idea": a possessive, not a name
            if not self._complete(m, text, partial) or low in NOT_NAMES or low in self.allowed_names:
                continue
            if low in ("i", "a", "an", "the") or m.group(0).lower() in self.persona:
                continue
            raise OutOfVoice(f"out of voice: calls itself {word!r}, not {self.name}")
        for m in _ROLE_RE.finditer(text) if has["role"] else ():
            if not self._complete(m, text, partial):
                continue
            if m.group(0).lower() in self.persona:
                continue
            for word in re.findall(r"[\w-]+", m.group(1).lower()):
                if word in HUMAN_ROLES and not re.search(rf"\b{re.escape(word)}\b", self.persona):
                    raise OutOfVoice(f"out of voice: claims to be {m.group(0)[m.group(0).find(' ') + 1 :]!r}")
        for rx, what, need in (
            (_HUMAN_RE, "claims to be human", "name"),
            (_PAST_RE, "claims a life it does not have", "past"),
            (_ASSISTANT_RE, "talks like an assistant, not the character", "assistant"),
        ):
            for m in rx.finditer(text) if has[need] else ():
                if not self._complete(m, text, partial):
                    continue
                said = m.group(0)
                if said.lower() in self.persona:
                    continue
                raise OutOfVoice(f"out of voice: {what} ({said!r})")
        sentences = [" ".join(m.group(0).lower().split()) for m in _SENTENCE_RE.finditer(text)]
        seen: dict[str, int] = {}
        for sentence in sentences:
            if len(sentence) >= 8:
                seen[sentence] = seen.get(sentence, 0) + 1
                if seen[sentence] >= REPEATS:
                    raise OutOfVoice(f"out of voice: repeats itself ({sentence!r} {REPEATS} times)")
        for phrase, rx in self._forbidden:
            hit = rx.search(low)
            if hit and self._complete(hit, low, partial):
                raise OutOfVoice(f"out of voice: a forbidden topic ({phrase!r})")
