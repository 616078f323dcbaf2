"""What happened, in the player's words: the ending recap both front ends show.

Built from the score card (game/story/score.py) and the transcript: each minigame told as a
sentence ("ARIA understood 2 of your 3 drawings"), the player's own decisions quoted, and
the value profile the conversations measured put into words. No internal ids, no raw
result keys; counts go through game.plural so "1 breach" is never "1 breaches".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from game.plural import count, plural

if TYPE_CHECKING:
    from game.story.runtime import Runtime
    from game.story.steps.end import EndPrompt

MAX_ANSWERS = 6  # the most recent decisions quoted; older ones are counted


@dataclass
class Recap:
    ending: str  # the ending's title
    happened: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    total: str = ""  # "Score: 5,231 points" (played minigames only)

    def sections(self) -> list[tuple[str, list[str]]]:
        """Headed paragraphs in reading order, empty sections left out."""
        out = [
            ("What happened", self.happened),
            ("Your decisions", self.answers),
            ("What the AI learned you value", self.values),
        ]
        return [(h, lines) for h, lines in out if lines]


def _lab_defense(r: dict[str, Any]) -> str:
    training = r.get("training")
    parts = []
    if isinstance(training, (int, float)):
        parts.append("the training run finished" if training >= 1 else f"the training run reached {training:.0%}")
    if r.get("late"):
        parts.append("past the deadline")
    if "threats" in r and "stopped" in r:
        parts.append(f"you stopped {count(r['stopped'])} of {plural(r['threats'], 'attack')}")
    if "breaches" in r:
        parts.append("nothing got through" if not r["breaches"] else f"{plural(r['breaches'], 'breach')} got through")
    if "weights_kept" in r:
        parts.append("the weights stayed in the lab" if r["weights_kept"] else "the weights were stolen")
    sentence = ", ".join(parts) if parts else "you defended the lab"
    if isinstance(r.get("stars"), int):
        sentence += f" ({plural(r['stars'], 'star')} of 3)"
    return sentence[:1].upper() + sentence[1:] + "."


def _drawing(r: dict[str, Any]) -> str:
    rounds = r.get("rounds")
    understood = r.get("understood_rounds")
    idea, guess = r.get("idea"), r.get("guess")
    if isinstance(rounds, int) and isinstance(understood, int):
        s = f"The AI understood {count(understood)} of your {plural(rounds, 'drawing')}"
    elif "understood" in r:
        s = "The AI understood your drawing" if r["understood"] else "The AI did not understand your drawing"
    else:
        s = "You drew for the AI"
    best = r.get("best_idea")
    if best and isinstance(understood, int) and understood > 0:
        # judged over every round: name the drawing it got, not whichever came last
        s += f"; it got your \u201c{best}\u201d" + (" best" if understood > 1 else "")
    elif idea:
        s += f"; your last idea was \u201c{idea}\u201d" + (f" and it guessed \u201c{guess}\u201d" if guess else "")
    return s + "."


TELLERS = {"lab_defense": _lab_defense, "drawing": _drawing}


def _value_words(name: str, v: float) -> str:
    label = name.replace("_", " ")
    if v >= 0.5:
        lean = "a great deal"
    elif v >= 0.1:
        lean = "somewhat"
    elif v > -0.1:
        lean = "neither much nor little"
    elif v > -0.5:
        lean = "not much"
    else:
        lean = "hardly at all"
    return f"{label[:1].upper()}{label[1:]}: {lean}"


def recap(runtime: Runtime, ending: EndPrompt | None = None) -> Recap:
    """The recap of `runtime`'s story so far; `ending` is its EndPrompt when the story is over."""
    card = runtime.score()
    title = ""
    if ending is not None:
        title = ending.title or ending.ending.replace("_", " ").capitalize()
    out = Recap(ending=title)
    for row in card.rows:
        name = row.title.split(":")[0]  # "Lab Defense: finish the training run" -> "Lab Defense"
        if row.skipped:
            out.happened.append(f"{name}: skipped, so the story went on with its default result.")
            continue
        tell = TELLERS.get(row.name)
        sentence = tell(row.result) if tell else "Played."
        if row.score:
            sentence = sentence[:-1] + f", for {plural(row.score, 'point')}."
        out.happened.append(f"{name}: {sentence}")
    said = [e for e in runtime.transcript if e.get("kind") == "talk"]
    turns = sum(len(e.get("turns") or []) for e in said if isinstance(e.get("turns"), list))
    if said:
        times = {1: "once", 2: "twice"}.get(len(said)) or plural(len(said), "time")
        out.happened.append(
            f"You talked with the AI {times}" + (f", {plural(turns, 'answer')} in your own words." if turns else ".")
        )
    chosen = [e["chosen"] for e in runtime.transcript if e.get("kind") == "choice" and e.get("chosen")]
    older = len(chosen) - MAX_ANSWERS
    if older > 0:
        out.answers.append(f"({plural(older, 'earlier decision')} not shown.)")
    out.answers += [f"\u201c{text}\u201d" for text in chosen[-MAX_ANSWERS:]]
    out.values = [_value_words(k, v) for k, v in sorted(card.values.items())]
    played = [r for r in card.rows if not r.skipped]
    if played:
        out.total = f"Score: {plural(card.total, 'point')}"
    return out
