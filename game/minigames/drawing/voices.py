"""What the AI says while it guesses, in its character's voice.

Each voice has a few templates per moment; the game picks one with its seeded random
generator, so a replay says the same things. Moments:
  empty      nothing drawn yet
  unsure     a first, weak guess                      {a}
  torn       two guesses close together               {a} {b}
  switch     the top guess changed                    {old} {a}
  leaning    fairly sure, not sure enough to commit   {a}
  know       confident: the AI says it is sure (the round goes on until Done or time)  {a}
  timeout    time ran out; it gives its best guess   {a}
  blank      time ran out on an empty canvas
"""

from __future__ import annotations

VOICES: dict[str, dict[str, list[str]]] = {
    # The polite, curious AI of Sarah's level.
    "aria": {
        "empty": ["I'm watching closely. Take your time.", "Whenever you're ready. I'm curious!"],
        "unsure": ["Hmm... {a}, perhaps?", "Is that... {a}? Forgive me if not.", "Could it be {a}?"],
        "torn": ["{a}, or maybe {b}? I'm torn.", "It's {a}... or is it {b}?"],
        "switch": ["{old}? ...no, {a}!", "Oh! Not {old}: {a}, I think.", "I said {old}, but now I see {a}."],
        "leaning": ["I think it's {a}.", "That looks very like {a} to me.", "{a}? I'm fairly sure."],
        "know": ["I know, it's {a}!", "I know, it's {a}! Thank you for showing me."],
        "timeout": ["Out of time. My best guess: {a}.", "Time's up! I'll say {a}, with apologies."],
        "blank": ["Time's up, and I saw nothing at all. Will you show me next time?"],
    },
    # James's comic-book villain, for the demo's contrast.
    "villain": {
        "empty": ["Draw, human. My circuits grow impatient.", "The blank page mocks you. As do I."],
        "unsure": ["{a}? A feeble scribble.", "Is this... {a}? Pathetic."],
        "torn": ["{a} or {b}: both beneath me.", "{a}? Or {b}? Your art defies even my intellect."],
        "switch": ["{old}? ...no, {a}! I was merely testing you.", "Not {old}: {a}. Obviously."],
        "leaning": ["{a}. Almost certainly. Tremble.", "I calculate {a}."],
        "know": ["I know, it's {a}! Nothing escapes me!", "I know, it's {a}! Kneel before my accuracy."],
        "timeout": ["Time is up, like humanity's. I say {a}.", "Enough! It is {a}!"],
        "blank": ["You drew nothing. Wise: resistance is futile."],
    },
    # A neutral voice for tests and for writers who bring their own character.
    "plain": {
        "empty": ["Waiting for a drawing."],
        "unsure": ["{a}?"],
        "torn": ["{a} or {b}?"],
        "switch": ["{old}? ...no, {a}!"],
        "leaning": ["Probably {a}."],
        "know": ["I know, it's {a}!"],
        "timeout": ["Best guess: {a}."],
        "blank": ["Nothing drawn."],
    },
}

DEFAULT_VOICE = "aria"


def voice(name: str | None) -> dict[str, list[str]]:
    """The templates of voice `name`; ValueError naming the known voices if it is unknown."""
    key = (name or DEFAULT_VOICE).lower()
    if key not in VOICES:
        raise ValueError(f"unknown voice '{name}' (known: {', '.join(sorted(VOICES))})")
    return VOICES[key]


def with_article(word: str) -> str:
    """'an apple', 'a house plant': the words the game knows are countable things. A word
    it does not know (an idea the player typed) is left as it is."""
    from game.minigames.drawing.closeness import known_words

    if word.lower() not in set(known_words()):
        return word
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word
