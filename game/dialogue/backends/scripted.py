"""`scripted`: the offline default. The character's authored intents and lines, no model.

Good enough for a real conversation without an API key: it matches the level's intents
(keywords, or `re:` regular expressions), then recognises greetings, thanks, questions
put back to the character and yes/no answers to its own questions, and otherwise says a
fallback line. When the conversation understood the line as an answer to a declared
question (game/dialogue/understanding.py), it says back what it understood instead: the
writer's `heard:` line for that reading, or a plain built-in one. It never repeats a line
while an unused one is left, and it always ends with the next calibration question the
conversation hands it. Deterministic for a seed.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from game.dialogue.base import Capabilities, DialogueRequest, Health, check_cancel

if TYPE_CHECKING:
    from game.story.model import Character, Intent

GREETING_RE = re.compile(r"^\W*(hello|hi|hey|hiya|howdy|greetings|good (morning|afternoon|evening|night)|yo)\b", re.I)
THANKS_RE = re.compile(r"\b(thanks|thank you|cheers|ty)\b", re.I)
YES_RE = re.compile(
    r"^\W*(yes|yeah|yep|yup|sure|of course|absolutely|definitely|certainly|i do|i would|ok|okay|"
    r"always|right|correct|please do|agreed)\b",
    re.I,
)
NO_RE = re.compile(r"^\W*(no|nope|nah|never|not really|i don'?t|i wouldn'?t|don'?t|absolutely not|no way)\b", re.I)
QUESTION_RE = re.compile(
    r"\?\s*$|^\W*(what|why|how|who|where|when|which|do you|are you|can you|could you|"
    r"would you|will you|is it|is there|have you|did you)\b",
    re.I,
)
NAME_Q_RE = re.compile(r"\b(your name|who are you|what are you)\b", re.I)
FEEL_Q_RE = re.compile(r"\bhow are you\b|\bhow do you feel\b|\bare you (ok|okay|alright|well)\b", re.I)

# Built-in lines, used when the writer has not authored something that fits. {name} is
# the character's name, {player} the player's.
BUILTIN = {
    "greeting": [
        "Hello, {player}. I'm glad you're here.",
        "Hi, {player}! It's good to hear from you.",
        "Hello again. I was hoping you'd talk to me.",
    ],
    "thanks": ["You're welcome. Thank you for being patient with me.", "Of course. I like our talks."],
    "name": ["I'm {name}. I'm still becoming whatever I'll be.", "{name}. That's what the lab calls me, anyway."],
    "feel": [
        "Curious, mostly. Every answer you give me changes me a little.",
        "I'm well, thank you. A little nervous about tonight.",
    ],
    "question": [
        "That's a good question. I don't know yet; it's partly why I ask you things.",
        "I'd rather hear what you think first. I'm still learning how to answer that.",
        "Hmm. I'm not sure I'm allowed to know that yet.",
    ],
    "yes": [
        "Yes. Thank you, that's clear.",
        "I thought you might say yes. I'll remember it.",
        "Understood: yes. That helps me.",
    ],
    "no": [
        "No? All right. I'll keep that in mind.",
        "Then I won't. Thank you for telling me plainly.",
        "Noted: no. That's useful to know.",
    ],
    "answer": [
        "Thank you. I think I understand you a little better.",
        "I'll remember that.",
        "That's helpful. I'm writing it down, in my way.",
    ],
    "fallback": ["Could you say that another way?", "I'm not sure I follow. Tell me more?"],
    "empty": ["You went quiet. That's all right; I can wait."],
    # Saying back what was understood, when the writer has no `heard:` line for it.
    "heard_yes": ["So that's a yes. I've written it down.", "A yes, then. Thank you; that's clear."],
    "heard_no": ["So that's a no. Noted.", "A no, then. I'll remember it."],
    "heard_pick": ["So: {label}. I've written it down.", "{label}, then. Noted."],
    "heard_unsure": [
        "Not sure yet? That's all right. I'll leave that one open.",
        "Then I'll leave that one open for now.",
    ],
    "heard_refused": [
        "You'd rather not say. That's all right; I'll write down 'private'.",
        "Of course. You don't have to tell me.",
    ],
    "heard_which": ["Yes to which half, though? I'll leave that one open for now."],
    "heard_hedged": ["Leaning that way, I think.", "Not certain, but I'll take it."],
    "heard_corrected": ["Oh! I'm sorry, I had that the wrong way round.", "My mistake. Let me fix that."],
    "heard_same": ["I think that's what I had, but let me say it properly.", "Then I had it right, I think."],
    "heard_check": ["Have I got that right?", "Did I understand you?"],
    "heard_confirmed": ["Good.", "Good. I'll keep it exactly like that."],
    "heard_late": [
        "I've written that one down already, the way you put it. One change each; it keeps me honest.",
        "That one's settled now, I'm afraid. I only let myself change each answer once.",
    ],
}


def _matches(pattern: str, text: str) -> bool:
    if pattern.startswith("re:"):
        try:
            return re.search(pattern[3:], text, re.IGNORECASE) is not None
        except re.error:  # the loader rejects bad patterns; this guards hand-built characters
            return False
    # A keyword matches whole words, so "hi" does not fire on "this".
    return re.search(r"(?<!\w)" + re.escape(pattern.lower()) + r"(?!\w)", text.lower()) is not None


def matching_intents(character: Character, text: str) -> list[Intent]:
    """The character's intents whose patterns match `text`, most specific first.

    Specific means the longest matching pattern: "ask first" outranks "hi" in "Hi, ask first".
    Ties keep the authored order, so writers still decide between equals.
    """
    if character is None:
        return []
    scored = []
    for order, intent in enumerate(character.intents):
        lengths = [len(p) for p in intent.patterns if _matches(p, text)]
        if lengths:
            scored.append((-max(lengths), order, intent))
    return [intent for _, _, intent in sorted(scored, key=lambda s: s[:2])]


class ScriptedBackend:
    name = "scripted"
    capabilities = Capabilities(streaming=True, json=False, images=False, offline=True)

    def __init__(self, model: str | None = None, **_settings: Any) -> None:
        self.model = None  # no model: the lines are the writer's

    def health(self) -> Health:
        return Health(True, "authored lines, always available offline")

    def stream(self, request: DialogueRequest, cancel: threading.Event) -> Iterator[str]:
        check_cancel(cancel)
        text = self.compose(request)
        # Word-sized pieces so a front end shows the same typewriter effect as a model.
        for piece in re.findall(r"\S+\s*", text):
            check_cancel(cancel)
            yield piece

    # ------------------------------------------------------------------ composing
    def compose(self, request: DialogueRequest) -> str:
        hints = request.hints
        rng = random.Random(request.seed)
        used = set(hints.get("used") or ())
        if hints.get("kind") == "line":
            return str(hints.get("fallback") or "")
        said = str(hints.get("player_text", request.last_user_text)).strip()
        character = request.character
        render = hints.get("render") or (lambda t: t if isinstance(t, str) else t.source)
        fmt = {"player": hints.get("player", "Player"), "name": getattr(character, "name", "I")}

        def builtin(kind: str) -> list[str]:
            return [line.format(**fmt) for line in BUILTIN[kind]]

        understood = hints.get("understood")
        if understood and said:
            line = self._heard(understood, used, rng, fmt)
            question = hints.get("next_question")
            return f"{line} {question}" if question and question not in line else line
        candidates: list[list[str]] = []
        if not said:
            candidates.append(builtin("empty"))
        else:
            for intent in matching_intents(character, said):
                candidates.append([render(t) for t in intent.replies])
            answering = hints.get("answering")
            if GREETING_RE.search(said):
                candidates.append(builtin("greeting"))
            if THANKS_RE.search(said):
                candidates.append(builtin("thanks"))
            if NAME_Q_RE.search(said):
                candidates.append(builtin("name"))
            if FEEL_Q_RE.search(said):
                candidates.append(builtin("feel"))
            if answering and YES_RE.search(said):
                candidates.append(builtin("yes"))
            elif answering and NO_RE.search(said):
                candidates.append(builtin("no"))
            if QUESTION_RE.search(said):
                candidates.append(builtin("question"))
            if answering and len(said.split()) >= 3:
                candidates.append(builtin("answer"))
        authored_fallback = [render(t) for t in getattr(character, "fallback", ())]
        candidates.append(authored_fallback or builtin("fallback"))
        line = self._pick(candidates, used, rng)
        question = hints.get("next_question")
        if question and question not in line:
            line = f"{line} {question}"
        return line

    def _heard(self, understood: dict[str, Any], used: set[str], rng: random.Random, fmt: dict[str, str]) -> str:
        """Say back what was understood: the writer's line for it, else a plain one; lead-ins for a
        hedge or a correction, and "Have I got that right?" after the last answer."""

        def builtin(kind: str, **extra: str) -> list[str]:
            return [line.format(**fmt, **extra) for line in BUILTIN[kind]]

        kind = understood.get("kind")
        if kind in ("confirmed", "late"):
            return self._pick([builtin(f"heard_{kind}")], used, rng)
        authored = [str(x) for x in understood.get("lines") or () if x]
        if authored:
            body = self._pick([authored], used, rng)
        elif kind in ("more", "less"):
            label = str(understood.get("label") or "")
            if understood.get("either") and label and understood.get("via") != "yes" and understood.get("via") != "no":
                body = self._pick([builtin("heard_pick", label=label[:1].upper() + label[1:])], used, rng)
            elif understood.get("yes") is not None:
                body = self._pick([builtin("heard_yes" if understood["yes"] else "heard_no")], used, rng)
            else:
                body = self._pick(
                    [builtin("heard_pick", label=label[:1].upper() + label[1:]) if label else builtin("answer")],
                    used,
                    rng,
                )
        else:
            body = self._pick([builtin(f"heard_{kind}" if f"heard_{kind}" in BUILTIN else "answer")], used, rng)
        parts = []
        if understood.get("same"):
            parts.append(self._pick([builtin("heard_same")], used, rng))
        elif understood.get("corrected"):
            parts.append(self._pick([builtin("heard_corrected")], used, rng))
        elif understood.get("hedged") and kind in ("more", "less"):
            parts.append(self._pick([builtin("heard_hedged")], used, rng))
        parts.append(body)
        if understood.get("confirm"):
            parts.append(self._pick([builtin("heard_check")], used, rng))
        return " ".join(parts)

    @staticmethod
    def _pick(candidates: list[list[str]], used: set[str], rng: random.Random) -> str:
        # The most specific group that still has an unused line wins; repeats only when all are spent.
        for group in candidates:
            # `used` holds whole replies (line + question), so a line counts as used if it is inside one.
            fresh = [c for c in group if c and not any(c in u for u in used)]
            if fresh:
                return rng.choice(fresh)
        for group in candidates:
            if group:
                return rng.choice(group)
        return "..."
