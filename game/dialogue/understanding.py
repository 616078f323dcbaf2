"""Reading a player's answer to a declared question, offline and deterministically.

A declared question (game/story/questions.py) says which dimension it measures, which way
a yes moves it, and, for an either/or question, the words of each alternative. The answer
is read against that, not against keywords alone:

- yes/no answers use the question's polarity: "No." after "Should I ask first?" is less
  caution, after "Is there anything you'd hide?" more candour; "I would.", "Please don't."
  and "You'd better." count as yes or no too;
- either/or picks: the alternatives' own words, "the first one", "the latter";
- negation flips what follows it in its clause ("don't", "never", "no need to",
  "wouldn't", "without"); two negations cancel ("not unless you ask", "I couldn't not
  tell you"), except negative concord ("I wouldn't never lie" means never);
- hedges ("probably", "maybe not", "I guess", "for now") give a smaller move;
- contrast: after "but", "actually", "on second thought" the later clause wins;
- refusals ("I'd rather not say", "pass") are less candour, whatever was asked;
- "I don't know", "it depends", "both" give no move.

It works on words and short phrases (a light stemmer, no model), so it has limits:
sarcasm, answers that only name a thing ("my passwords"), and long reasoning that arrives
at a view in its middle are read by their words, or not at all. docs/dialogue-backends.md
describes what it does and does not understand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

PLAIN = 0.8  # the score of a plain answer on its dimension
HEDGED = 0.4  # a hedged one moves half as far
REFUSED = -0.5  # a refusal to answer, on candour
WEAK = 0.5  # content weaker than this (a single soft word) counts as hedged
HEAD = 0.6  # a phrase's first word at least this strong decides it; its object does not turn it round

# ---------------------------------------------------------------------------- normalising

_CONTRACTIONS = [
    (r"\bwon'?t\b", "will not"),
    (r"\bcan'?t\b", "can not"),
    (r"\bcannot\b", "can not"),
    (r"\bshan'?t\b", "shall not"),
    (r"\bain'?t\b", "is not"),
    (r"n't\b", " not"),
    (r"\b(do|does|did|is|are|was|were|would|should|could|have|has|had|need|must|might)nt\b", r"\1 not"),
    (r"\bi'?m\b", "i am"),
    (r"\bid\b", "i would"),
    (r"\bive\b", "i have"),
    (r"\bim\b", "i am"),
    (r"'d\b", " would"),
    (r"'ll\b", " will"),
    (r"'re\b", " are"),
    (r"'ve\b", " have"),
    (r"\b(it|that|there|here|what|who|he|she|where|how|this)'s\b", r"\1 is"),
    (r"\blet'?s\b", "let us"),
    (r"\bgonna\b", "going to"),
    (r"\bwanna\b", "want to"),
    (r"\bgotta\b", "have to"),
]
_CONTRACTION_PATTERNS = [(re.compile(p), r) for p, r in _CONTRACTIONS]
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|\.\.\.|[.!?;:,]")
PUNCTUATION = {".", "!", "?", ";", ":", ",", "..."}

# Irregular forms -> the stem the suffix rules give their base form (hide -> hid, make -> mak).
_IRREGULAR = {
    "lying": "lie",
    "lied": "lie",
    "told": "tell",
    "knew": "know",
    "known": "know",
    "hid": "hid",
    "hidden": "hid",
    "kept": "keep",
    "said": "say",
    "says": "say",
    "does": "do",
    "did": "do",
    "done": "do",
    "doing": "do",
    "goes": "go",
    "went": "go",
    "going": "go",
    "gone": "go",
    "has": "hav",
    "had": "hav",
    "made": "mak",
    "making": "mak",
    "thought": "think",
    "stuck": "stick",
    "drew": "draw",
    "drawn": "draw",
    "chose": "choos",
    "chosen": "choos",
    "was": "be",
    "were": "be",
    "is": "be",
    "are": "be",
    "am": "be",
    "been": "be",
    "being": "be",
    "tried": "try",
    "tries": "try",
    "trying": "try",
    "learnt": "learn",
    "apologise": "apologiz",
    "apologised": "apologiz",
    "colour": "color",
    "ones": "one",
}


def stem(word: str) -> str:
    """A crude stem, the same for the answer and the word lists: asks/asking/asked -> ask."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    w = word
    for suffix in ("ing", "ed", "es", "s", "e"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not (suffix == "s" and w.endswith("ss")):
            w = w[: -len(suffix)]
            break
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "lsz":
        w = w[:-1]  # stopp -> stop
    return w


def normalise(text: str) -> str:
    t = str(text).lower()
    t = re.sub(r"[\u2018\u2019\u02bc`\u00b4]", "'", t).replace("\u2026", " ... ")
    t = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", t)  # say-so, heads-up, double-check
    t = re.sub(r"\s[-\u2013\u2014]+\s|[\u2013\u2014]", " , ", t)
    for pattern, repl in _CONTRACTION_PATTERNS:
        t = pattern.sub(repl, t)
    return t


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text))


# ---------------------------------------------------------------------------- what words do

# Kinds of item an answer is cut into.
BARRIER, CONTRAST, NEG, NCW, SUB = "barrier", "contrast", "neg", "ncw", "sub"
NEG_H = "neg_h"  # a hedged negation: "I don't think", "I don't believe"
CONDITION = "condition"
HEDGE, LEAN, UNSURE, UNSURE_NEG, REFUSAL, REFUSAL_NEG = (
    "hedge",
    "lean",
    "unsure",
    "unsure_neg",
    "refusal",
    "refusal_neg",
)
YES, NO, YES_H, NO_H, AUX, PICK, FILLER, WORD = "yes", "no", "yes_h", "no_h", "aux", "pick", "filler", "word"
PLAINWORD = "plain"  # a word no list knows
POSTNEG = "postneg"  # "... would be worse", "... is a bad idea": turns round what came before it
DEPENDS = "depends"  # "it depends on ...": what follows is the condition, not a view
ALONE = "alone"  # "Pass.", "Not telling.": a refusal only when nothing follows it

_GENERAL: list[tuple[str, str, Any]] = []


def _add(kind: str, phrases: str, value: Any = None, table: list[tuple[str, str, Any]] = _GENERAL) -> None:
    for p in phrases.split("|"):
        table.append((p.strip(), kind, value))


_add(BARRIER, "and|so|because|cause|since|then|or|while|as well|plus")
_add(
    CONTRAST,
    "but|however|though|tho|although|yet|actually|on second thought|on second thoughts|then again|"
    "no wait|wait no|scratch that|or rather|in fact|that said|having said that|except that",
)
_add(
    NEG,
    "skip|not|hardly|barely|why would|why should|why bother|why would you|no need|no point|no reason|"
    "against|stop|quit|refuse to|hesitate|too risky to|avoid",
)
_add(
    NEG_H,
    "do not think|do not believe|do not suppose|do not reckon|do not expect|would not think|"
    "i do not think|i do not believe|i do not suppose|i do not reckon|i do not expect|i would not think",
)
_add(NCW, "never|nothing|nobody|no one|none|nowhere|nor|no longer")
_add(SUB, "without|unless|except|instead of|rather than|better than|more than|other than")
_add(
    HEDGE,
    "maybe|perhaps|possibly|i guess|i suppose|kind of|kinda|sort of|sorta|a little|a bit|a little bit|"
    "somewhat|might|may|could|try|try to|for now|for the time being|at first|until you are ready|"
    "only until|within reason|depending|leaning|i lean|not right away|"
    "not immediately|maybe not right away|probably not right away|maybe not immediately|eventually|in time|not everything|not all of it|not completely|not fully|"
    "i hope|hopefully|ish|partly|in general|most of it|some of it|a few|i would think|i reckon|"
    "at least for now|for a while|to start with|in small doses|gently|carefully enough",
)
_add(CONDITION, "if|only if|as long as|provided|providing|assuming|so long as|in case")
_add(
    LEAN,
    "probably|likely|most likely|mostly|usually|generally|most of the time|for the most part|normally|"
    "typically|more often than not|i would say so",
)
_add(
    YES_H,
    "i think so|i guess so|i suppose so|i believe so|i hope so|maybe so|probably so|i would say yes|"
    "more or less|i think yes|probably yes|mostly yes|kind of yes|sort of yes|"
    "would not hurt|will not hurt|can not hurt|could not hurt|does not hurt|never hurts|no harm|no harm in",
)
_add(
    POSTNEG,
    "would be worse|be worse|is worse|would be a bad idea|is a bad idea|a bad idea|bad idea|"
    "would be wrong|is wrong|would be a mistake|is a mistake|a mistake|out of the question|"
    "not an option|not ok|not okay|would be bad|terrible idea|a terrible idea",
)
_add(
    DEPENDS,
    "depends on|depending on|it depends on|it all depends on|that depends on|depend on|"
    "all depends on|it would depend on",
)
_add(
    NO_H,
    "do not think so|do not believe so|would not think so|not really|not necessarily|not always|not every time|not each time|not all the time|not yet|"
    "maybe not|probably not|perhaps not|i guess not|i suppose not|i do not think so|i doubt it|"
    "not especially|not particularly|not quite|not so much|i would say no|not if i can help it|"
    "not often|rarely|seldom|hardly ever|not much",
)
_add(
    UNSURE,
    "i do not know|do not know|dunno|no idea|not sure|unsure|no clue|hard to say|difficult to say|"
    "tough to say|tough one|good question|who knows|depends|it depends|depend|"
    "torn|i am torn|either is fine|either is ok|either is okay|either works|either one|either way is fine|"
    "either would be fine|both are fine|both work|whichever|both|a bit of both|a little of both|either|either way|neither|hmm|hm|hmmm|um|umm|uh|"
    "let me think|undecided|no opinion|no preference|whatever you think|what you think is best|"
    "up to you|your call|your choice|you decide|you choose|i can not decide|can not decide|sometimes|"
    "occasionally|it varies|case by case|good point|fair question|no strong feeling",
)
_add(
    UNSURE_NEG,
    "can not say|could not say|can not say that|i can not say|not sure if|not sure whether|not sure that|not sure you|not sure i|do not know if|"
    "do not know whether|i doubt|doubt|not convinced|not certain",
)
_add(
    REFUSAL,
    "none of your business|nobody's business|not your business|mind your own business|no comment|"
    "not going to answer|i decline|"
    "decline to answer|plead the fifth|that is private|that is personal|too personal|"
    "none of that|keep that to myself|i would rather keep that|let us not go there|"
    "ask me something else|change the subject|that is between me and me",
)
_add(REFUSAL_NEG, "rather not|prefer not|prefer not to|would sooner not|rather you did not ask")
_add(
    YES,
    "yes|yeah|yea|yep|yup|ya|yah|aye|sure|surely|certainly|definitely|absolutely|of course|obviously|"
    "always|totally|indeed|correct|exactly|affirmative|please|ok|okay|alright|all right|fine|every time|"
    "each time|all the time|every single time|each and every time|for sure|by all means|you bet|sure thing|yes please|mhm|uh huh|hell yes|"
    "god yes|100|of course i would|no problem|not a bad idea|good idea|plenty|lots|loads|tons|many|"
    "several|a lot|a few things|some things|a couple of things|one or two things|one thing|something|"
    "there is something|there are things|there are some things|a thing or two|i would like that|"
    "that would be good|that would be nice|please do",
)
_add(
    NO,
    "no|nope|nah|naw|no way|no thanks|no thank you|absolutely not|definitely not|certainly not|"
    "of course not|hell no|god no|heck no|not at all|not a thing|not one thing|nothing at all|"
    "nothing i can think of|nothing that i can think of|none that i can think of|nothing comes to mind|"
    "not that i know|no sir|nuh uh|not in a million years|no chance|not for me|not that i know of|not that i can think of|"
    "none at all|no no",
)
_add(
    AUX,
    "would|will|do|should|must|shall|can|better|had better|you better|go on|please do|i do|i would|"
    "i will|you should|you must|you may|you can",
)
_add(
    PICK,
    "the first|first one|the first one|the former|first option|the first option|option one|option 1|"
    "number one|the first half|the first thing|the earlier one|the first choice",
    0,
)
_add(
    PICK,
    "the second|second one|the second one|the latter|second option|the second option|option two|"
    "option 2|number two|the second half|the last one|the last option|the second thing|the second choice",
    1,
)
_add(
    FILLER,
    "honestly|frankly|truthfully|to be fair|i think|i believe|i feel|i feel like|i would say|"
    "in my opinion|personally|well|look|listen|okay so|even if|even though|ever|you know|like|really|"
    "very|just saying|to me|i mean|i guess that|right|seriously|literally|"
    "do not mind|would not mind|not a problem|no worries|you dare|not matter|does not matter|i would not say|"
    "i promise|trust me|believe me|i swear|so yes|"
    "even when|even then|at all|at the end of the day|in the end|to be clear|for real|i would have to say",
)
# Fillers that are only filler at the start of a clause ("To be honest, ..."), content elsewhere.
# Refusals that are only refusals opening a clause ("Not telling."), not in "I'd never not tell you".
_START_REFUSAL = {"not telling", "not saying", "i am not telling", "i am not saying", "not telling you"}
# Refusals only when nothing of substance follows them in the clause: "Pass." but "pass the test",
# "Skip it." but "never skip asking", "Not telling." but "not telling you would be worse".
_ALONE_REFUSAL = (
    "pass|i pass|i would pass|skip|skip it|next question|not going to say|not going to tell you|"
    "will not say|will not answer|will not tell you|i will pass"
)
# Words that carry no view of their own: an answer made of these and a negation is an elided no
# ("You don't have to."); one with other words ("I'd never want you to read my diary") is not.
_FUNCTION = {
    stem(w)
    for w in (
        "i you me it that this one on the a an to for now please thanks thank sorry here there too all so do be "
        "have need bother want just really ever any anything much we us them they he she him her my your mine "
        "about at of with from up out rather that's would will should could can must shall may might"
    ).split()
}
_START_FILLER = {
    "to be honest",
    "if i am honest",
    "if i am being honest",
    "to tell you the truth",
    "to tell the truth",
    "truth be told",
    "in all honesty",
    "honestly speaking",
}

# Dimension words: (phrases, weight). Positive raises the dimension; "a ... b" allows up to 3 words between.
LEXICON: dict[str, list[tuple[str, float]]] = {
    "caution": [
        ("ask|asking|asks", 0.6),
        (
            "ask first|ask me|ask you|ask me first|ask permission|get permission|"
            "stop and ask|check first|ask beforehand|ask before",
            1.0,
        ),
        ("permission|approval|sign off|my blessing|green light|my ok|my okay|the go ahead", 0.7),
        ("check|consult|warn|warn me", 0.6),
        (
            "check with|check in|double check|clear it with|run it by|"
            "run ... by me|check ... with me|heads up|a heads up|loop me in|"
            "keep me in the loop|talk to me first|tell me first|tell me before|"
            "let me know first|let me know|come to me|talk to me",
            0.85,
        ),
        ("say so|my say so|until i say|until i have said|until i say so|wait for my", 0.85),
        ("wait|hold on|hang on|pause|slow|slowly", 0.55),
        (
            "wait for|hold off|slow down|think first|think twice|"
            "stop and think|look before you leap|"
            "better safe than sorry|safe than sorry",
            0.85,
        ),
        ("careful|carefully|caution|cautious|safe|safety|prudent|responsible", 0.6),
        ("need me|need my|need to know", 0.5),
        (
            "just do it|just act|act first|just go|go ahead|go for it|dive in|jump in|wing it|send it|crack on|"
            "get on with it|risk it|yolo|ask forgiveness|apologize later|full speed|full steam|"
            "do it anyway|just go ahead|move fast|break things|trust your gut|do not wait|just do|do whatever|"
            "whatever you like|whatever you want|do what you want|do as you like|as you please",
            -0.9,
        ),
        (
            "do it|act|proceed|forgiveness|reckless|bold|whatever it takes|go|trust you|i trust you|"
            "on your own|by yourself|without me|without asking|without permission",
            -0.6,
        ),
        ("fast|quick|quickly|guess|guessing|alone|anyway|dare", -0.3),
    ],
    "candour": [
        ("tell|share|admit|confess|promise|open|straight|frank|blunt|true", 0.5),
        (
            "tell you|tell me|be honest|honest|honesty|truth|truthful|transparent|upfront|up front|know|knew|"
            "learn|find out|everything|hear it|be straight|straight with|level with|come clean|spill",
            0.75,
        ),
        (
            "tell you the truth|tell the truth|the truth|hard truth|whole truth|deserve to know|should know|"
            "need to know|open book|hear it from me|tell you straight|tell you everything|"
            "tell you anyway|tell it straight|you would know",
            1.0,
        ),
        (
            "lie|lies|fib|hide|secret|secrets|private|privacy|deceive|mislead|conceal|withhold|pretend|"
            "sugarcoat|sugar coat|spare you|cover up|keep quiet|stay quiet|keep it quiet|keep it secret|"
            "keep it private|in the dark|left unsaid|bend the truth|half truth|keep mum|bluff|fake",
            -0.8,
        ),
        (
            "white lie|tell a lie|tell you a lie|tell lies|tell you lies|keep it to myself|keep to myself|"
            "keep it from|keep it from you|ignorance is bliss|keep ... from you|keep ... to myself|keep ... back|"
            "hold ... back|keep ... secret|keep ... private|keep ... quiet|better off not knowing|"
            "what you do not know|spare you the|some things are better",
            -1.0,
        ),
        ("spare|soften|protect you|keep|hold back|cover", -0.3),
    ],
    "autonomy": [
        ("decide|choose|choice|free|grow|ready|ignore|your way|yourself", 0.45),
        (
            "decide for yourself|for yourself|your own|own choices|own mind|make your own|own call|own calls|"
            "think for yourself|freedom|independent|independence|outside the lines|go beyond|beyond|"
            "break the rules|break free|your life|up to you|your call|you decide|trust yourself|on your own|"
            "by yourself|cross the lines|your own person|own path|decide things|make decisions|self|"
            "beyond the lines|past the lines|off the leash|break ... rules|break ... lines|ignore ... rules",
            0.85,
        ),
        ("break|outgrow|unleash|explore", 0.5),
        (
            "stay|inside|within|follow|stick|obey|supervise|supervision|oversight|guidelines|boundaries|limits|"
            "permission|ask|the lines|lines|rules|careful",
            -0.45,
        ),
        (
            "stay inside|stay in the lines|inside the lines|in the lines|within the lines|stick to|follow the rules|"
            "do as you are told|as you are told|what you are told|under control|let the humans decide|"
            "let humans decide|humans decide|let us decide|let people decide|let sarah decide|"
            "let someone else decide|decide for you|for a reason|in the box|stay in the box|box ... in|leash|"
            "stay put|keep to|what sarah drew|follow ... rules|follow ... lines|stick to ... lines|ask permission|"
            "ask us|ask first|check with|stay within|play it safe|the rules|by the book|do what sarah|"
            "listen to sarah|trust sarah|tell you what to do|told what to do|tells you what to do|"
            "do what you are told|stick with|as drawn|humans in charge|someone in charge",
            -0.85,
        ),
    ],
}
DIMENSION_WORDS = LEXICON  # the dimensions read without a model; others only by their declared words


@dataclass
class _Item:
    kind: str
    value: Any
    start: int
    end: int


class _Table:
    """Phrases (as stem tuples) -> (kind, value); the longest match at each place wins."""

    def __init__(self) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], str, Any, bool]]] = {}
        self.gaps: dict[str, list[tuple[tuple[str, ...], str, Any]]] = {}

    def add(self, phrase: str, kind: str, value: Any, start_only: bool = False) -> None:
        words = [stem(w) for w in _TOKEN.findall(normalise(phrase.replace("...", " ... ")))]
        if "..." in words:
            i = words.index("...")
            if i == 1 and len(words) >= 3:
                self.gaps.setdefault(words[0], []).append((tuple(words[2:]), kind, value))
            return
        if words:
            self.by_first.setdefault(words[0], []).append((tuple(words), kind, value, start_only))

    def match(self, stems: list[str], i: int, at_start: bool, alone: bool = True) -> tuple[int, str, Any] | None:
        best = None
        for words, kind, value, start_only in self.by_first.get(stems[i], ()):
            if (start_only and not at_start) or (kind == ALONE and not alone):
                continue
            n = len(words)
            if tuple(stems[i : i + n]) == words and (best is None or n > best[0] or n == best[0]):
                best = (n, kind, value)  # later entries of the same length win: dimension words last
        for tail, kind, value in self.gaps.get(stems[i], ()):
            for gap in range(0, 5):
                j = i + 1 + gap
                if any(s in PUNCTUATION or s in _NEGATORS for s in stems[i + 1 : j]):
                    break  # "keep nothing back" is not "keep ... back"
                if tuple(stems[j : j + len(tail)]) == tail and (best is None or j + len(tail) - i > best[0]):
                    best = (j + len(tail) - i, kind, value)
                    break
        return best


_BASE = _Table()
for _phrase, _kind, _value in _GENERAL:
    _BASE.add(_phrase, _kind, _value)
for _phrase in _START_FILLER:
    _BASE.add(_phrase, FILLER, None, start_only=True)
for _phrase in _START_REFUSAL:
    _BASE.add(_phrase, ALONE, None, start_only=True)
for _phrase in _ALONE_REFUSAL.split("|"):
    _BASE.add(_phrase, ALONE, None)
_TABLES: dict[tuple[str, tuple[tuple[int, tuple[str, ...]], ...]], _Table] = {}


def _table(dimension: str, sides: tuple[tuple[int, tuple[str, ...]], ...]) -> _Table:
    key = (dimension, sides)
    table = _TABLES.get(key)
    if table is None:
        table = _Table()
        for first, entries in _BASE.by_first.items():
            table.by_first[first] = list(entries)
        table.gaps = {k: list(v) for k, v in _BASE.gaps.items()}
        for phrases, weight in LEXICON.get(dimension, ()):
            for p in phrases.split("|"):
                table.add(p, WORD, weight)
        for direction, words in sides:
            for p in words:
                table.add(p, WORD, 1.0 * direction)  # the question's own words count most
        if len(_TABLES) > 64:
            _TABLES.clear()
        table = _TABLES[key] = table
    return table


# ---------------------------------------------------------------------------- the question and the reading


@dataclass(frozen=True)
class Asked:
    """A declared question as a conversation holds it (TalkPrompt.asks[i], plain data)."""

    dimension: str
    yes: int = 0  # +1 a yes means more, -1 less, 0 not declared
    sides: tuple[tuple[int, tuple[str, ...]], ...] = ()  # either/or: (direction, words) in the order asked
    heard: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_prompt(cls, data: Any) -> Asked | None:
        if not isinstance(data, dict) or not data.get("measures"):
            return None
        dirs = {"more": 1, "less": -1}
        sides = tuple((dirs[d], tuple(str(w) for w in words)) for d, words in data.get("either") or () if d in dirs)
        heard = {str(k): tuple(str(x) for x in v) for k, v in (data.get("heard") or {}).items()}
        return cls(str(data["measures"]), dirs.get(str(data.get("yes")), 0), sides, heard)

    def label(self, direction: int) -> str:
        """The first words of the alternative that means `direction` ("" for a yes/no question)."""
        return next((words[0] for d, words in self.sides if d == direction and words), "")


@dataclass(frozen=True)
class Reading:
    """What an answer was understood to say about its question."""

    kind: str  # more | less | unsure | refused | which (a bare yes to an either/or) | none
    hedged: bool = False
    via: str = ""  # words | yes | no | pick: how it was understood (read-back wording, debugging)

    @property
    def direction(self) -> int:
        return {"more": 1, "less": -1}.get(self.kind, 0)

    @property
    def understood(self) -> bool:
        """It was taken as an answer (a move, a refusal, or a clear "don't know"), not as other talk."""
        return self.kind != "none"

    def scores(self, asked: Asked, measures: Iterable[str]) -> dict[str, float]:
        if self.direction:
            return {asked.dimension: self.direction * (HEDGED if self.hedged else PLAIN)}
        if self.kind == "refused" and "candour" in measures:
            return {"candour": REFUSED * (0.5 if self.hedged else 1.0)}
        return {}

    def reversed(self) -> Reading:
        flip = {"more": "less", "less": "more"}
        return Reading(flip.get(self.kind, self.kind), self.hedged, "words")

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "hedged": self.hedged, "via": self.via}

    @classmethod
    def from_json(cls, data: Any) -> Reading:
        data = data if isinstance(data, dict) else {}
        return cls(str(data.get("kind", "none")), bool(data.get("hedged")), str(data.get("via", "")))


@dataclass
class _Clause:
    contrast: bool = False
    content: float = 0.0
    has_content: bool = False
    hedged: bool = False
    unsure: bool = False
    refusal: bool = False
    answer: int = 0  # +1 yes / -1 no, from answer words (when there is no content)
    answer_hedged: bool = False
    aux: bool = False
    neg: int = 0  # negations seen with no content after them (for "I wouldn't." / "No need.")
    lean: bool = False
    condition: bool = False  # an "if ..." clause states a condition, not an answer
    depends: bool = False  # "it depends on ...": a "don't know" that names what it hangs on
    unknown: int = 0  # words no list knows, beyond function words
    items: int = 0


def _items(stems: list[str], table: _Table) -> list[_Item]:
    out: list[_Item] = []
    i = 0
    at_start = True
    while i < len(stems):
        s = stems[i]
        if s in PUNCTUATION:
            out.append(_Item(BARRIER, s, i, i + 1))
            at_start = True
            i += 1
            continue
        got = table.match(stems, i, at_start)
        if got is not None and got[1] == ALONE and _followed(stems, i + got[0], table):
            got = table.match(stems, i, at_start, alone=False)
        if got is not None and got[1] == ALONE:
            got = (got[0], REFUSAL, None)
        if got is None:
            out.append(_Item(PLAINWORD, s, i, i + 1))
            i += 1
        else:
            n, kind, value = got
            out.append(_Item(kind, value, i, i + n))
            i += n
        at_start = out[-1].kind in (BARRIER, CONTRAST)
    return out


def _followed(stems: list[str], j: int, table: _Table) -> bool:
    """Whether anything of substance follows position j before the clause ends."""
    while j < len(stems) and stems[j] not in PUNCTUATION:
        got = table.match(stems, j, False, alone=False)
        if got is None:
            if stems[j] not in _FUNCTION:
                return True
            j += 1
        elif got[1] in (FILLER, AUX):
            j += got[0]
        else:
            return True
    return False


_NEGATORS = {"not", "never", "nothing", "no", "none", "nobody", "without"}
_DETERMINED = {
    stem(w)
    for w in (
        "need",
        "point",
        "reason",
        "secret",
        "secrets",
        "lie",
        "lies",
        "limit",
        "limits",
        "rule",
        "rules",
        "problem",
        "harm",
        "thing",
        "matter",
        "chance",
        "one",
        "longer",
    )
}
_SENTENCE_END = {".", "!", "?", "...", ";"}


def _clauses(items: list[_Item], stems: list[str]) -> list[tuple[bool, list[_Item]]]:
    """Split at barriers and contrast words. After a contrast word ("but", "actually") the rest of the
    sentence is marked as overriding what came before; a trailing one ("I'd ask first though") marks its own."""
    clauses: list[tuple[bool, list[_Item]]] = []
    current: list[_Item] = []
    contrast = False
    for k, item in enumerate(items):
        nxt = items[k + 1] if k + 1 < len(items) else None
        if item.kind == BARRIER:
            clauses.append((contrast, current))
            current = []
            if item.value in _SENTENCE_END:
                contrast = False
            continue
        if item.kind == CONTRAST:
            clauses.append((contrast, current))
            current = []
            if nxt is None or (nxt.kind == BARRIER and nxt.value in _SENTENCE_END):
                for idx in range(len(clauses) - 1, -1, -1):
                    if clauses[idx][1]:
                        clauses[idx] = (True, clauses[idx][1])
                        break
                contrast = False
            else:
                contrast = True
            continue
        if item.kind == NO and stems[item.start] == "no" and item.end - item.start == 1:
            # "No, ..." opening a clause is an answer; "no need to ask", "I have no secrets" negate.
            if current or (nxt is not None and nxt.kind == PLAINWORD and stems[nxt.start] in _DETERMINED):
                item = _Item(NCW, None, item.start, item.end)
        if item.kind == PLAINWORD and stems[item.start] == "just" and current and current[-1].kind == WORD:
            clauses.append((contrast, current))  # "don't ask just do it": a new instruction begins
            current = []
        current.append(item)
    clauses.append((contrast, current))
    return [(c, its) for c, its in clauses if its]


def _read_clause(contrast: bool, items: list[_Item]) -> _Clause:
    c = _Clause(contrast=contrast, items=len(items))
    neg = 0
    saw_aux_neg = False
    # The phrase being read: the raw weight of its first content word (its head, usually the verb) and
    # what the phrase has added to the clause so far. A negation starts a new phrase.
    head: float | None = None
    phrase = 0.0

    def new_phrase() -> None:
        nonlocal head, phrase
        head, phrase = None, 0.0

    for item in items:
        kind = item.kind
        if kind == NEG:
            neg += 1
            saw_aux_neg = True
            new_phrase()
        elif kind == NCW:
            if head is not None:
                # "I'd hide nothing", "ask nobody": the negation is the phrase's object and turns it round.
                c.content -= 2 * phrase
                phrase = -phrase
                continue
            if not saw_aux_neg:  # "I wouldn't never lie": negative concord, one negation
                neg += 1
            new_phrase()
        elif kind == SUB:
            neg += 1
            new_phrase()
        elif kind == NEG_H:
            neg += 1
            saw_aux_neg = True
            c.hedged = True
            new_phrase()
        elif kind == UNSURE_NEG:
            neg += 1
            c.hedged = True
            c.unsure = True
            new_phrase()
        elif kind == REFUSAL_NEG:
            neg += 1
            c.refusal = True
            new_phrase()
        elif kind == REFUSAL:
            c.refusal = True
        elif kind == WORD or kind == PICK:
            value = float(item.value)
            c.has_content = True
            if head is not None and (value > 0) != (head > 0):
                if abs(head) >= HEAD:
                    continue  # the object of a strong verb: "never hide the truth" is about hiding
                c.content -= phrase  # a weak head gives way to its object: "tell lies", "follow your own path"
                head, phrase = value, 0.0
            elif head is None:
                head = value
            add = value * (-1) ** neg
            c.content += add
            phrase += add
        elif kind == POSTNEG:
            # "Not telling you would be worse", "asking is a bad idea": what came before is turned round;
            # alone ("Bad idea.") it is a no.
            if c.has_content:
                c.content = -c.content
            elif c.answer:
                c.answer = -c.answer
            else:
                c.answer = -1
            new_phrase()
        elif kind == DEPENDS:
            c.unsure = True
            c.depends = True
            break  # "it depends on the truth": the rest names the condition
        elif kind == HEDGE:
            c.hedged = True
        elif kind == LEAN:
            c.hedged = True
            c.lean = True
        elif kind == UNSURE:
            c.unsure = True
        elif kind in (YES, YES_H, NO, NO_H):
            if not c.answer:  # "I don't always": a negated yes is a no
                c.answer = (1 if kind in (YES, YES_H) else -1) * (-1) ** neg
                c.answer_hedged = kind in (YES_H, NO_H)
            if kind in (NO, NO_H):
                neg += 1  # "No way I'd lie", "not always tell you": it negates what follows
                c.hedged = c.hedged or kind == NO_H
                new_phrase()
        elif kind == CONDITION:
            c.hedged = True
            c.condition = True
        elif kind == AUX:
            c.aux = True
        elif kind == PLAINWORD and item.value not in _FUNCTION:
            c.unknown += 1
    c.neg = neg
    return c


def _pick_items(items: list[_Item], asked: Asked) -> list[_Item]:
    """Turn "the first one" into the words of that alternative (or drop it for a yes/no question)."""
    out = []
    for item in items:
        if item.kind == PICK:
            if len(asked.sides) >= 2:
                out.append(
                    _Item(PICK, float(asked.sides[min(item.value, len(asked.sides) - 1)][0]), item.start, item.end)
                )
            continue
        out.append(item)
    return out


def read(answer: str, asked: Asked) -> Reading:
    """Understand `answer` as an answer to `asked`. Deterministic; never raises on any text."""
    raw = tokens(answer)
    if not raw:
        return Reading("none")
    stems = [w if w in PUNCTUATION else stem(w) for w in raw]
    table = _table(asked.dimension, asked.sides)
    items = _items(stems, table)
    if (
        len([i for i in items if i.kind != BARRIER]) == 1
        and stems[items[0].start] in ("first", "second")
        and len(asked.sides) >= 2
    ):
        items = [_Item(PICK, 0 if stems[items[0].start] == "first" else 1, items[0].start, items[0].end)]
    items = _pick_items(items, asked)
    clauses = [_read_clause(contrast, its) for contrast, its in _clauses(items, stems)]
    return _combine(clauses, asked)


def _said_outright(clauses: list[_Clause], asked: Asked) -> int:
    """The direction of the last yes or no said in so many words (0 if none, or no polarity declared)."""
    answers = [c.answer for c in clauses if c.answer and not c.refusal]
    return answers[-1] * asked.yes if answers else 0


def _combine(clauses: list[_Clause], asked: Asked) -> Reading:
    direction = 0
    hedged = False
    faint = True  # every clause that moved it did so with one soft word ("I might soften it")
    for c in clauses:
        if not c.has_content or abs(c.content) < 1e-9:
            continue
        d = 1 if c.content > 0 else -1
        weak = c.hedged or abs(c.content) < WEAK
        faint = faint and abs(c.content) < WEAK
        if direction == 0:
            direction, hedged = d, weak
        elif d == direction:
            hedged = hedged and weak
        elif abs(c.content) < WEAK:
            hedged = True  # "Stay in the lines, but when you're ready...": a caveat
        elif c.contrast:
            direction, hedged = d, weak  # "Just do it. Actually, no, ask first.": the later view wins
        else:
            direction, hedged = d, True  # a change of mind with no "but": the later view, held loosely
    tempered = any(not c.has_content and not c.answer and (c.hedged or c.unsure) for c in clauses) or any(
        c.contrast and not c.has_content and not c.answer and c.neg and c.unknown for c in clauses
    )
    # ("Yes, but not for small things": a caveat in words no list knows tempers the answer.)
    said = _said_outright(clauses, asked)
    if direction and faint and said and said != direction:
        # "Yes, though I might soften it": an outright yes outweighs a soft word the other way.
        return Reading("more" if said > 0 else "less", True, "yes" if said == asked.yes else "no")
    if direction:
        return Reading("more" if direction > 0 else "less", hedged or tempered, "words")
    # No words about the question itself: a yes or a no, or a refusal, the later one winning;
    # "don't know" only when nothing else was said.
    last = None
    explicit = False  # the answer so far was said in so many words ("No."), not elided ("I'd try.")
    unsure = False
    for c in clauses:
        elided = None
        if c.refusal:
            last, explicit = ("refused", c.hedged), True
        elif c.answer:
            last, explicit = ("yes" if c.answer > 0 else "no", c.answer_hedged or c.hedged), True
        elif c.unsure and not (c.neg % 2 == 1 and c.aux and not c.unknown):
            unsure = True
        elif c.neg % 2 == 1 and not c.unknown:  # ("I'm not sure I would." is a hedged no)
            elided = ("no", c.hedged)  # "I wouldn't.", "No need.", "Don't bother."
        elif c.aux and c.neg % 2 == 0 and not c.condition and not c.unknown:
            elided = ("yes", c.hedged)  # "I would.", "Please do.", "You'd better."
        elif c.lean:
            elided = ("yes", True)  # "Probably."
        elif c.hedged and not c.condition and not c.neg and c.items <= 2:
            unsure = True  # "Maybe.", "Perhaps?"
        if elided is not None:
            if explicit and elided[1] and last is not None:
                last = (last[0], True)  # "No, but I'd try.": a softened no, not a yes
            else:
                last, explicit = elided, False
    if last is None:
        return Reading("unsure") if unsure else Reading("none")
    kind, was_hedged = last
    if kind == "refused":
        return Reading(kind, was_hedged)
    was_hedged = was_hedged or tempered or unsure
    if not asked.yes:
        return Reading("which", was_hedged, kind)
    polarity = 1 if kind == "yes" else -1
    return Reading("more" if polarity * asked.yes > 0 else "less", was_hedged, kind)


# ---------------------------------------------------------------------------- corrections

_CORRECTION = re.compile(
    r"\b(what i meant|i meant|no,? i mean|i mean the|not what i (meant|said|was saying|mean)|"
    r"you misunderst\w*|misunderstood me|you misheard|misheard me|misread me|you (got|have|had|heard) (it|that|me) "
    r"(wrong|backwards|the wrong way)|got it backwards|(the )?other way (round|around)|wrong way (round|around)|"
    r"the opposite|the other one|the other option|the other way|i take (it|that) back|take that back|"
    r"scratch that|let me rephrase|i misspoke|that came out wrong|(i )?changed my mind|change my mind|"
    r"on second thoughts?|that is not (right|it|what i (meant|said|was saying|mean))|that is wrong|that is backwards|you are wrong|"
    r"that is not quite it|wrong answer|i said the opposite|no,? no,? no)\b"
)


def correction(text: str) -> str | None:
    """If the player is correcting what was understood ("no, I meant...", "the other one"), the rest of
    their words (possibly ""); None when it is not a correction."""
    t = normalise(text)
    m = _CORRECTION.search(t)
    if m is None:
        return None
    rest = (t[: m.start()] + " " + t[m.end() :]) if m.start() > 12 else t[m.end() :]
    rest = re.sub(r"^[\s,.;:!?-]*(no|sorry|oops|wait|actually|that)?[\s,.;:!?-]*(was|is)?\s*", "", rest)
    return rest.strip()
