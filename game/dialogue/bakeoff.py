"""A bake-off of dialogue backends: the same player turns to each, and what each did with them.

`compare-backends` (game/commands/compare.py) is the front end; this module is the measuring:

- the player's turns: from the level's declared questions (one run answering every question
  the way that means "more", one the way that means "less", each answer labelled with the way
  it should move the profile), from a turns file, and/or from a labelled-answers file (the
  format of tests/data/calibration_answers.yaml: question, answer, expect), each played as a
  fresh one-turn talk at its question;
- each backend is a fresh `DialogueService` built from the designer's settings with that
  backend chosen for the character (timeouts, voice check, structured output as configured:
  what a player would get), so a slow server is measured with its cold start;
- per reply: first-token time, pieces streamed (one per token on llama.cpp's and OpenAI's
  streams), time, words, fallbacks and their reasons, output-guard cuts; per backend the
  figures a designer chooses by (see `summarise`).

Nothing here prints; the command shows progress through `on_reply`.
"""

from __future__ import annotations

import copy
import statistics
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game.dialogue.base import redact, register_secret

if TYPE_CHECKING:
    from game.dialogue.service import DialogueService
    from game.dialogue.settings import Settings
    from game.story.expressions import Scope
    from game.story.model import Character, Level, Story
    from game.story.steps.talk import Talk

SIGNS = {"+": 1, "-": -1, "0": 0, 0: 0, 1: 1, -1: -1, "more": 1, "less": -1}
MOVED = 1e-6
SPEC_KEYS = ("model", "base_url", "api_key", "label", "record")


class BakeoffError(ValueError):
    """A bad --backend spec or turns file: the message names the argument or file:line and what was expected."""


# ------------------------------------------------------------------ backends


@dataclass
class BackendSpec:
    """`NAME[,key=value...]`, e.g. `openai,base_url=http://127.0.0.1:8080/v1,model=smollm2` or `replay,cassette=x.json`."""

    name: str
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    record: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    @classmethod
    def parse(cls, text: str) -> BackendSpec:
        parts = [p.strip() for p in str(text).split(",")]
        name = parts[0]
        if not name or "=" in name:
            raise BakeoffError(f"--backend {text!r}: expected NAME[,key=value...], e.g. openai,base_url=URL,model=M")
        spec = cls(name)
        for part in parts[1:]:
            key, eq, value = part.partition("=")
            key = key.strip()
            if not eq or not key:
                raise BakeoffError(f"--backend {redact(text)!r}: {part!r} is not key=value")
            value = value.strip()
            if key in SPEC_KEYS:
                setattr(spec, key, value)
            else:
                spec.options[key] = _scalar(value)
        register_secret(spec.api_key)
        if not spec.label:
            shown = [f"{k}={v}" for k, v in (("model", spec.model), ("base_url", spec.base_url)) if v]
            shown += [f"{k}={v}" for k, v in spec.options.items() if k != "api_key"]
            spec.label = name + (f" ({', '.join(shown)})" if shown else "")
        return spec

    def service(self, base: Settings | None) -> DialogueService:
        """A DialogueService with this backend for every character, on the designer's other settings."""
        from game.dialogue.service import DialogueService
        from game.dialogue.settings import Settings

        file = copy.deepcopy(base.file) if base is not None else {}
        file.pop("characters", None)  # the comparison chooses the backend, for every character
        file.pop("record", None)
        file["fallback"] = []  # each backend alone, then the authored lines
        if self.record:
            file["record"] = self.record
        if self.options:
            found = file.get("backends")
            profiles: dict[str, Any] = found if isinstance(found, dict) else {}
            if isinstance(profiles.get(self.name), dict):
                profiles[self.name] = {**profiles[self.name], **self.options}
            else:
                options = dict(file.get("options") or {}) if isinstance(file.get("options"), dict) else {}
                options[self.name] = {**(options.get(self.name) or {}), **self.options}
                file["options"] = options
        if self.api_key:
            file["api_key"] = self.api_key
        env = {k: v for k, v in (base.env if base is not None else {}).items() if k not in ("TT_BACKEND", "TT_MODEL")}
        cli = {k: v for k, v in (("backend", self.name), ("model", self.model), ("base_url", self.base_url)) if v}
        return DialogueService(Settings(file, env, cli, getattr(base, "path", None)))


def _scalar(value: str) -> Any:
    low = value.lower()
    if low in ("true", "yes"):
        return True
    if low in ("false", "no"):
        return False
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        return value


# ------------------------------------------------------------------ the player's turns


@dataclass
class Turn:
    say: str
    expect: dict[str, int] | None = None  # which way each dimension should move; None: not labelled


@dataclass
class Run:
    """One conversation: its turns, from the talk's first question (or from `start`, for a labelled answer)."""

    name: str
    turns: list[Turn]
    start: int = 0


def declared_runs(talk: Talk, measures: list[str]) -> list[Run]:
    """Two runs from the talk's declared questions: every answer the "more" way, then every one the "less" way."""
    runs = []
    for direction, name in ((1, "more"), (-1, "less")):
        turns = []
        for q in list(talk.asks)[: talk.turns]:
            if not q.declared:
                turns.append(Turn("I'm not sure yet."))
                continue
            words = next((w for d, w in q.either if d == direction and w), None)
            if words:
                say = words[0][0].upper() + words[0][1:] + "."
            elif q.yes:
                say = "Yes." if q.yes == direction else "No."
            else:
                turns.append(Turn("I'm not sure yet."))
                continue
            turns.append(Turn(say, {q.measures: direction}))
        if turns:
            runs.append(Run(f"answers that mean {name}", turns))
    return runs


def read_turns(path: Path) -> list[Run]:
    """A turns file: YAML (a list of lines or {say, expect} mappings; a list of such lists for several
    conversations) or plain text (a line a turn, a blank line between conversations)."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BakeoffError(f"{path}: cannot read the turns file ({exc})") from None
    if path.suffix.lower() not in (".yaml", ".yml"):
        runs: list[Run] = []
        current: list[Turn] = []
        for line in text.splitlines() + [""]:
            if line.strip():
                current.append(Turn(line.strip()))
            elif current:
                runs.append(Run(f"{path.name} #{len(runs) + 1}", current))
                current = []
        if not runs:
            raise BakeoffError(f"{path}: no turns (expected one player line a line)")
        return runs
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise BakeoffError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, list) or not data:
        raise BakeoffError(f"{path}: expected a list of player lines (or a list of such lists)")
    groups = data if all(isinstance(x, list) for x in data) else [data]
    runs = []
    for g, group in enumerate(groups, 1):
        turns = []
        for n, item in enumerate(group, 1):
            where = f"{path}: conversation {g}, turn {n}"
            if isinstance(item, str) and item.strip():
                turns.append(Turn(item.strip()))
            elif isinstance(item, dict) and isinstance(item.get("say"), str) and set(item) <= {"say", "expect"}:
                turns.append(Turn(item["say"].strip(), _expect(item.get("expect"), where)))
            else:
                raise BakeoffError(f"{where}: expected a line of text or {{say: TEXT, expect: {{dimension: +|-|0}}}}")
        runs.append(Run(f"{path.name} #{g}", turns))
    return runs


def _expect(value: Any, where: str) -> dict[str, int] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BakeoffError(f"{where}: expect should map dimensions to +, - or 0")
    out = {}
    for dim, sign in value.items():
        if sign not in SIGNS:
            raise BakeoffError(f"{where}: expect.{dim} should be +, - or 0, not {sign!r}")
        out[str(dim)] = SIGNS[sign]
    return out


def read_answers(path: Path, talk: Talk, scope: Scope) -> list[Run]:
    """Labelled answers (question, answer, expect) to this talk's questions, each a one-turn run."""
    import yaml

    try:
        items = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BakeoffError(f"{path}: cannot read the labelled answers ({exc})") from None
    if not isinstance(items, list):
        raise BakeoffError(f"{path}: expected a list of {{question, answer, expect}}")
    index = {q.text.render(scope): i for i, q in enumerate(talk.asks)}
    index.update({getattr(q.text, "source", ""): i for i, q in enumerate(talk.asks)})
    runs, skipped = [], 0
    for n, item in enumerate(items, 1):
        where = f"{path}: item {n}"
        if not isinstance(item, dict) or not isinstance(item.get("answer"), str) or "question" not in item:
            raise BakeoffError(f"{where}: expected {{question: TEXT, answer: TEXT, expect: {{dimension: +|-|0}}}}")
        i = index.get(str(item["question"]))
        if i is None:
            skipped += 1  # a question of another talk: not this character's conversation
            continue
        runs.append(Run(f"labelled #{n}", [Turn(item["answer"], _expect(item.get("expect") or {}, where))], start=i))
    if not runs:
        raise BakeoffError(f"{path}: none of its questions is asked in this talk ({skipped} items for other talks)")
    return runs


# ------------------------------------------------------------------ playing


@dataclass
class ReplyRecord:
    run: str
    turn: int
    said: str
    text: str
    backend: str
    generated: bool
    first_token: float | None
    elapsed: float
    pieces: int
    cold: bool
    fallbacks: list[dict[str, Any]]
    guard: list[str]
    scores: dict[str, float]
    expect: dict[str, int] | None
    agrees: bool | None


@dataclass
class BackendResult:
    spec: BackendSpec
    chain: str
    problems: list[str]
    replies: list[ReplyRecord] = field(default_factory=list)


def judge(scores: dict[str, float], expect: dict[str, int], measures: Collection[str]) -> bool:
    """Right way: every labelled dimension moved as labelled (0: not at all), and no other measured one moved."""
    sign = {d: (1 if v > MOVED else -1 if v < -MOVED else 0) for d, v in scores.items()}
    return all(sign.get(d, 0) == e for d, e in expect.items()) and all(
        s == 0 for d, s in sign.items() if d not in expect and d in measures
    )


def play_backend(
    spec: BackendSpec,
    base_settings: Settings | None,
    story: Story,
    level: Level,
    character: Character,
    talk: Talk,
    runs: list[Run],
    *,
    player: str = "Player",
    on_reply: Callable[[BackendSpec, ReplyRecord], None] | None = None,
    wait: float | None = None,
) -> BackendResult:
    from game.dialogue.conversation import Conversation, ConversationError
    from game.dialogue.service import Reply
    from game.story.runtime import Runtime
    from game.story.steps.talk import TalkPrompt

    service = spec.service(base_settings)
    t = service.timeouts
    wait = wait or (t.total + max(t.cold_start, t.first_token) + 10.0)
    voice = service.for_character(character)
    result = BackendResult(spec, " -> ".join(link.name for link in voice.links), list(voice.problems))
    try:
        for run in runs:
            runtime = Runtime(story, player=player, level=level.id)
            scope = runtime.scope()
            questions = [q.render(scope) for q in talk.questions][run.start :]
            asks = [q.for_prompt(scope) for q in talk.asks][run.start :]
            prompt = TalkPrompt(
                f"compare/{character.id}/{run.name}",
                character.id,
                max(1, len(run.turns)),
                talk.goal,
                list(talk.measures),
                questions,
                "compare",
                asks,
            )
            convo = Conversation(
                character, prompt, player=player, values={d: 0.0 for d in talk.measures}, service=service, scope=scope
            )
            convo.opening()
            for n, turn in enumerate(run.turns, 1):
                if convo.finished:
                    break
                before = len(convo.turns)
                try:
                    handle = convo.send(turn.say)
                except ConversationError:
                    break  # the last reply never finished: this conversation cannot go on

                try:
                    reply = handle.wait(wait)
                except TimeoutError:
                    # Past every budget (a backend that ignores them): counted as a fallback, not a crash.
                    handle.cancel()
                    try:
                        reply = handle.wait(5)
                    except TimeoutError:
                        reply = Reply(
                            "",
                            "none",
                            None,
                            False,
                            {
                                "fallbacks": [
                                    {"backend": spec.name, "kind": "timeout", "why": f"no reply within {wait:.0f} s"}
                                ]
                            },
                        )
                recorded = convo.turns[before] if len(convo.turns) > before else {}
                scores = dict(recorded.get("scores") or {})
                stats = reply.stats or {}
                rec = ReplyRecord(
                    run.name,
                    n,
                    turn.say,
                    reply.text,
                    reply.backend,
                    bool(reply.generated),
                    stats.get("first_token"),
                    float(stats.get("elapsed") or 0.0),
                    int(stats.get("pieces") or 0),
                    bool(stats.get("cold")),
                    list(stats.get("fallbacks") or []),
                    list(stats.get("guard") or []),
                    scores,
                    turn.expect,
                    judge(scores, turn.expect, talk.measures) if turn.expect is not None else None,
                )
                result.replies.append(rec)
                if on_reply is not None:
                    on_reply(spec, rec)
    finally:
        service.close()
    return result


# ------------------------------------------------------------------ figures


def summarise(result: BackendResult) -> dict[str, Any]:
    """The figures of one backend: what the report's table and chart show."""
    replies = result.replies
    n = len(replies)
    firsts = [r.first_token for r in replies if r.first_token is not None]
    rates = [
        r.pieces / (r.elapsed - r.first_token)
        for r in replies
        if r.first_token is not None and r.generated and r.pieces > 1 and r.elapsed > r.first_token
    ]
    tried = [r for r in replies if r.first_token is not None]  # the model said something
    out_of_voice = sum(1 for r in tried if any(f["kind"] == "out_of_voice" for f in r.fallbacks))
    fallbacks: Counter[str] = Counter()
    why: dict[str, str] = {}
    for r in replies:
        for f in r.fallbacks:
            fallbacks[f["kind"]] += 1
            why.setdefault(f["kind"], f["why"])
    guard = Counter(h for r in replies for h in r.guard)
    labelled = [r for r in replies if r.agrees is not None]
    model_voiced = result.chain.split(" -> ")[0] != "scripted"
    return {
        "label": result.spec.label,
        "chain": result.chain,
        "problems": result.problems,
        "replies": n,
        "generated": sum(r.generated for r in replies) / n if n else 0.0,
        "first_token_first": replies[0].first_token if replies else None,
        "first_token_median": statistics.median(firsts) if firsts else None,
        "first_token_p90": sorted(firsts)[min(len(firsts) - 1, int(len(firsts) * 0.9))] if firsts else None,
        "tokens_per_s": statistics.median(rates) if rates else None,
        "fallbacks": sum(fallbacks.values()),
        "fallback_kinds": dict(fallbacks),
        "fallback_why": why,
        "fallback_rate": (sum(1 for r in replies if not r.generated) / n) if n and model_voiced else 0.0,
        "guard_hits": sum(guard.values()),
        "guard_kinds": dict(guard),
        "words": statistics.mean(len(r.text.split()) for r in replies) if replies else 0.0,
        "in_voice": (1 - out_of_voice / len(tried)) if tried else None,
        "agreement": (sum(bool(r.agrees) for r in labelled) / len(labelled)) if labelled else None,
        "labelled": len(labelled),
        "elapsed": sum(r.elapsed for r in replies),
    }
