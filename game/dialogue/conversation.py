"""A free conversation with a character at a `talk:` step: memory, calibration, replies off the frame loop.

    convo = Conversation(character, talk_prompt, player="Sam", values=world.values, service=service, scope=scope)
    show(convo.opening())                       # authored greeting + the first calibration question
    handle = convo.send("I'd want you to ask first")
    ... each frame: for kind, text in handle.poll(): ...
    when convo.finished: runtime.finish_talk(convo.outcome())

The character asks the step's questions in turn; each answer is scored on the step's
`measures` (see values.py) and the profile feeds the next prompt. A question the level
declares (game/story/questions.py) is read against what it asks (understanding.py): the
character says back what it understood, and the player's next line may correct it once
("no, I meant the other one"): the move is undone and redone, and that line does not use
up a turn. After the last answer the character checks it heard right before closing.
The conversation state is JSON-able (`snapshot` / `restore`) so a save taken mid-talk
resumes without regenerating replies already shown.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from game.dialogue import understanding
from game.dialogue import values as valuelib
from game.dialogue import voice as voicelib
from game.dialogue.backends.scripted import ScriptedBackend, matching_intents
from game.dialogue.base import DialogueRequest, Timeouts, log
from game.dialogue.character import fallback_scope, render, system_prompt, untrusted
from game.dialogue.service import DialogueService, Reply, ReplyHandle

if TYPE_CHECKING:
    from game.story.expressions import Scope, Template
    from game.story.model import Character, Intent
    from game.story.steps.talk import TalkPrompt

SNAPSHOT_VERSION = 1
MEMORY_TURNS = 4  # turns sent verbatim; older ones live on in the running summary
SUMMARY_CHARS = 700
MAX_PLAYER_CHARS = 500
REPLY_TOKENS = 120
FOLLOW_UP = "What else should I understand about you, {player}?"
SCORING_TIMEOUTS = Timeouts(connect=2.0, first_token=4.0, total=6.0)


class ConversationError(RuntimeError):
    """The front end asked for something the conversation cannot do now (a clear message, not a crash)."""


# The closing check ("Have I got that right?") read as a yes/no question: a no is a correction.
CHECK = understanding.Asked("confirmed", 1)


class Conversation:
    def __init__(
        self,
        character: Character,
        prompt: TalkPrompt,
        *,
        player: str,
        values: dict[str, float],
        service: DialogueService | None = None,
        scope: Scope | None = None,
    ) -> None:
        self.character = character
        self.prompt = prompt
        self.player = player or "Player"
        self.service = service or DialogueService.from_settings()
        self.voice = self.service.for_character(character)
        self.scope = scope if scope is not None else fallback_scope(self.player, values)
        self.measures = list(prompt.measures)
        declared = list(getattr(prompt, "asks", None) or ())
        pairs = [
            (q, understanding.Asked.from_prompt(declared[i]) if i < len(declared) else None)
            for i, q in enumerate(prompt.questions)
            if q
        ]
        self.questions = [q for q, _ in pairs]
        self.asks: list[understanding.Asked | None] = [a for _, a in pairs]
        self.values: dict[str, float] = {d: float(values.get(d, 0.0)) for d in self.measures}
        self._initial = {k: float(v) for k, v in values.items() if isinstance(v, (int, float))}
        self.turns: list[dict[str, Any]] = []
        self.summary = ""
        self.q_index = 0  # the question awaiting an answer (the opening asks the first)
        self.used: list[str] = []
        self._opening: str | None = None
        # The last declared answer, open for one correction by the next line:
        # {"turn": index in turns, "q": question index, "before": values before it, "reading": ..., "final": bool}
        self._window: dict[str, Any] | None = None
        self._pending: ReplyHandle | None = None
        self._lock = threading.Lock()
        self._seed_base = zlib.crc32(f"{character.id}/{prompt.key}".encode())
        self._example_lines: list[str] | None = None
        # A model-voiced character's backend is warmed up now if the level start did not already.
        self.service.warm_up([character], self.player)

    # ------------------------------------------------------------------ state
    @property
    def finished(self) -> bool:
        with self._lock:
            return self._answers() >= self.prompt.turns and not (self._window and self._window.get("final"))

    @property
    def answered(self) -> int:
        """How many of the step's `turns:` the player has used (a correction or the closing check uses none)."""
        with self._lock:
            return self._answers()

    def _answers(self) -> int:
        """Turns that count toward the step's `turns:` (corrections and the closing check do not)."""
        return sum(1 for t in self.turns if t.get("kind", "answer") == "answer")

    @property
    def busy(self) -> bool:
        return self._pending is not None and not (self._pending.done or self._pending.failed)

    def _render(self, template: Template | str) -> str:
        return render(template, self.scope, self.player)

    def current_question(self) -> str | None:
        return self.questions[self.q_index] if self.q_index < len(self.questions) else None

    def _asked(self, index: int) -> understanding.Asked | None:
        return self.asks[index] if 0 <= index < len(self.asks) else None

    # ------------------------------------------------------------------ the character's lines
    def opening(self) -> Reply:
        if self._opening is None:
            greetings = [self._render(t) for t in self.character.greeting]
            greeting = greetings[self._seed_base % len(greetings)] if greetings else f"Hello, {self.player}."
            question = self.current_question()
            self._opening = f"{greeting} {question}" if question else greeting
            self.used.append(greeting)
        return Reply(self._opening, "authored", None, False)

    def send(self, player_text: str) -> ReplyHandle:
        if self.finished:
            raise ConversationError("the conversation is over; call outcome() and finish_talk()")
        if self.busy:
            raise ConversationError("the character is still answering; wait for 'done' or cancel() first")
        said = " ".join(str(player_text).split())[:MAX_PLAYER_CHARS]
        with self._lock:
            window, self._window = self._window, None  # the one chance is this line, whatever it says
            fix = self._correction(said, window) if window else None
        if fix is not None and window is not None:
            return self._send_correction(said, window, fix)
        if window and window.get("final"):
            return self._send_aside(said, "confirmation", None)
        with self._lock:
            late = window is None and self._late_correction(said)
        if late:
            return self._send_aside(said, "late", self.current_question())
        with self._lock:
            turn_no = self._answers() + 1
            last = turn_no >= self.prompt.turns
            answering = self.current_question()
            if last:
                next_q = None
            elif self.q_index + 1 < len(self.questions):
                next_q = self.questions[self.q_index + 1]
            else:
                # Past the authored questions: one open follow-up, then the player leads.
                follow = FOLLOW_UP.format(player=self.player)
                next_q = None if any(follow in u for u in self.used) else follow
            # The scripted voice reads yes/no against whatever was last asked, the open follow-up included.
            asked = answering or next(
                (u for u in reversed(self.used[-1:]) if FOLLOW_UP.format(player=self.player) in u), None
            )
            declared = self._asked(self.q_index) if answering else None
            reading = understanding.read(said, declared) if declared else None
            intents = matching_intents(self.character, said)
            if declared is not None and reading is not None and reading.understood:
                # Understood as an answer to a declared question: only what it says about that question counts.
                offline, nudges = reading.scores(declared, self.measures), {}
            else:
                offline = valuelib.lexicon_score(said, self.measures, answering)
                nudges = valuelib.nudges(intents)
                if declared:  # talk beside the question: it moves other things, never the question's own
                    offline.pop(declared.dimension, None)
                    nudges.pop(declared.dimension, None)
            understood = (
                self._understood(declared, reading, confirm=last)
                if declared and reading and reading.understood
                else None
            )
            checking = bool(understood and understood["confirm"])
            messages = self._messages(said, next_q, last)
            used = list(self.used)
            q_answered = self.q_index
        closing = self._closing()
        hints = {
            "kind": "reply",
            "answering": asked,
            "next_question": next_q,
            "closing": last,
            "understood": understood,
        }

        def after(reply: Reply, handle: ReplyHandle) -> None:
            if handle.cancelled:
                return
            scripted = reply.backend == "scripted"
            # After the last answer the scripted voice checks what it heard ("Have I got that right?") and
            # closes on the next line; a model closes in its own words, as its prompt asked.
            if last and scripted and not checking and closing not in reply.text:
                self._append(reply, handle, closing)
            elif next_q and "?" not in reply.text[-160:]:
                # A model that forgot to ask: the question is the point of the talk, so ask it verbatim.
                self._append(reply, handle, next_q)
            scores, scored_by = self._score(said, answering, offline)
            for dim, v in nudges.items():
                scores[dim] = max(-1.0, min(1.0, scores.get(dim, 0.0) + v))
            opens = None
            if reading is not None and (reading.direction or reading.kind == "refused"):
                opens = {"q": q_answered, "reading": reading.to_json(), "final": bool(last and scripted and checking)}
            self._record(
                said,
                reply,
                scores,
                scored_by,
                answering is not None,
                {"understood": reading.to_json()} if reading is not None and reading.understood else None,
                opens,
            )

        return self._start(
            said,
            messages,
            used,
            intents,
            hints,
            self._seed_base + turn_no,
            after,
            closing if last and not checking else None,
        )

    def _start(
        self,
        said: str,
        messages: list[dict[str, str]],
        used: list[str],
        intents: list[Intent],
        hints: dict[str, Any],
        seed: int,
        after: Callable[[Reply, ReplyHandle], None] | None,
        closing: str | None,
    ) -> ReplyHandle:
        # Templates are rendered here, on the caller's thread: the game's Scope is not safe to use from
        # the worker while the front end is using it, and the few lines that could be said are cheap.
        templates = [t for i in intents for t in i.replies] + list(self.character.fallback)
        rendered = {id(t): self._render(t) for t in templates}
        hints = {
            "player": self.player,
            "player_text": said,
            "used": used,
            "render": lambda t: rendered.get(id(t), getattr(t, "source", str(t))),
            **hints,
        }
        request = DialogueRequest(
            messages,
            max_tokens=REPLY_TOKENS,
            stop=("\nPlayer:", "\nUser:", f"\n{self.player}:"),
            seed=seed % 2**31,
            timeouts=self.service.timeouts,
            character=self.character,
            hints=hints,
        )

        def fallback() -> str:
            # The authored lines, composed exactly as the scripted backend would, so even a total
            # failure of every backend still answers the player and asks the next question.
            line = ScriptedBackend().compose(request)
            return f"{line} {closing}" if closing else line

        handle = self.voice.start(request, fallback=fallback, player=self.player, after=after)
        self._pending = handle
        return handle

    # ------------------------------------------------------------------ read-back, correction, the closing check
    def _understood(
        self,
        asked: understanding.Asked,
        reading: understanding.Reading,
        *,
        confirm: bool = False,
        corrected: bool = False,
    ) -> dict[str, Any]:
        """What the scripted voice needs to say back what it understood (plain data, in the request hints)."""
        kind = reading.kind
        return {
            "kind": kind,
            "lines": list(asked.heard.get(kind, ())),
            "label": asked.label(reading.direction),
            "either": bool(asked.sides),
            "via": reading.via,
            "hedged": reading.hedged,
            "yes": reading.direction == asked.yes if reading.direction and asked.yes else None,
            "corrected": corrected,
            "confirm": bool(confirm and (reading.direction or kind == "refused")),
        }

    def _correction(self, said: str, window: dict[str, Any]) -> understanding.Reading | None:
        """The corrected reading of the last declared answer, or None if `said` is not a correction."""
        rest = understanding.correction(said)
        asked = self._asked(int(window.get("q", -1)))
        if asked is None:
            return None
        checked_no = False
        if rest is None and window.get("final"):
            # The closing check asked "Have I got that right?": a no ("Nope.", "Not quite, I'd tell you")
            # is a correction, and whatever else it says may say which way.
            checked_no = understanding.read(said, CHECK).kind == "less"
            rest = said if checked_no else None
        if rest is None:
            return None
        before = understanding.Reading.from_json(window.get("reading"))
        if rest:
            new = understanding.read(rest, asked)
            if (new.direction and not (checked_no and new.via != "words")) or new.kind == "refused":
                return new
            current = self._asked(self.q_index) if not window.get("final") else None
            if current is not None and understanding.read(rest, current).direction:
                return None  # "what I meant was, always ask": an answer to the question now asked
        if before.direction:
            return before.reversed()  # "the other one", "that's not what I said"
        if before.kind == "refused":
            return understanding.Reading("unsure")  # "I didn't refuse": the refusal is taken back, nothing moves
        return None

    def _send_correction(self, said: str, window: dict[str, Any], fix: understanding.Reading) -> ReplyHandle:
        final = bool(window.get("final"))
        with self._lock:
            q = int(window["q"])
            asked = self._asked(q)
            assert asked is not None  # _correction found this window's question
            scores = fix.scores(asked, self.measures)
            self.values = valuelib.update({k: float(v) for k, v in window["before"].items()}, scores)
            turn = self.turns[int(window["turn"])]
            turn["scores"] = {k: round(v, 3) for k, v in scores.items()}
            turn["understood"] = fix.to_json()
            before = understanding.Reading.from_json(window.get("reading"))
            same = (before.kind, before.hedged) == (fix.kind, fix.hedged)
            turn["corrected"] = not same
            # The question now waiting is asked again: a correction does not use it up.
            next_q = (
                None
                if final
                else (
                    self.current_question()
                    or next((u for u in [FOLLOW_UP.format(player=self.player)] if any(u in x for x in self.used)), None)
                )
            )
            understood = self._understood(asked, fix, corrected=not same)
            understood["same"] = same
            messages = self._messages(said, next_q, final)
            used = list(self.used)
            turn_no = self._answers()
        closing = self._closing()
        hints = {
            "kind": "reply",
            "answering": self.questions[q] if q < len(self.questions) else None,
            "next_question": next_q,
            "closing": final,
            "understood": understood,
        }

        def after(reply: Reply, handle: ReplyHandle) -> None:
            if handle.cancelled:
                return
            if final and reply.backend == "scripted" and closing not in reply.text:
                self._append(reply, handle, closing)
            elif next_q and "?" not in reply.text[-160:]:
                self._append(reply, handle, next_q)
            self._record(said, reply, {}, "correction", False, {"kind": "correction", "corrects": int(window["turn"])})

        return self._start(
            said,
            messages,
            used,
            [],
            hints,
            self._seed_base + 7919 * (turn_no + len(self.turns)),
            after,
            closing if final else None,
        )

    def _send_aside(self, said: str, kind: str, next_q: str | None) -> ReplyHandle:
        """A line that answers no question: the closing check's reply ("confirmation", then the talk
        closes) or a correction that came too late ("late": the question now waiting is asked again)."""
        closing = self._closing() if kind == "confirmation" else None
        with self._lock:
            messages = self._messages(said, next_q, closing is not None)
            used = list(self.used)
            turn_no = self._answers()
        hints = {
            "kind": "reply",
            "answering": None,
            "next_question": next_q,
            "closing": closing is not None,
            "understood": {"kind": "confirmed" if closing else "late"},
        }

        def after(reply: Reply, handle: ReplyHandle) -> None:
            if handle.cancelled:
                return
            if closing and reply.backend == "scripted" and closing not in reply.text:
                self._append(reply, handle, closing)
            elif next_q and "?" not in reply.text[-160:]:
                self._append(reply, handle, next_q)
            self._record(said, reply, {}, kind, False, {"kind": kind})

        return self._start(
            said, messages, used, [], hints, self._seed_base + 7919 * (turn_no + len(self.turns)), after, closing
        )

    def _late_correction(self, said: str) -> bool:
        """A "no, I meant..." with no answer open to correct (its one chance was used, or another line
        came between), that is not itself an answer to the question now waiting."""
        rest = understanding.correction(said)
        if rest is None or not any(t.get("understood") for t in self.turns):
            return False
        declared = self._asked(self.q_index) if self.current_question() else None
        return declared is None or not understanding.read(rest, declared).direction

    def _closing(self) -> str:
        return f"Thank you, {self.player}. That's everything I wanted to ask, for now."

    @staticmethod
    def _append(reply: Reply, handle: ReplyHandle, text: str) -> None:
        extra = (" " if reply.text and not reply.text.endswith((" ", "\n")) else "") + text
        reply.text += extra
        handle._emit("delta", extra)

    def _messages(self, said: str, next_q: str | None, last: bool) -> list[dict[str, str]]:
        system = system_prompt(
            self.character,
            player=self.player,
            goal=self.prompt.goal,
            values=self.values,
            summary=self.summary,
            next_question=next_q,
            closing=last,
            examples=self._examples(),
        )
        messages = [{"role": "system", "content": system}]
        if self._opening:
            messages.append({"role": "assistant", "content": self._opening})
        for turn in self.turns[-MEMORY_TURNS:]:
            messages.append({"role": "user", "content": untrusted(turn["player"])})
            messages.append({"role": "assistant", "content": turn["reply"]})
        messages.append({"role": "user", "content": untrusted(said)})
        return messages

    def _examples(self) -> list[str]:
        """The character's authored lines shown to a model as a sample of its voice (rendered once)."""
        if self._example_lines is None:
            count = self.service.voice_settings.examples
            self._example_lines = voicelib.examples(self.character, self._render, count)
        return self._example_lines

    def _score(self, said: str, question: str | None, offline: dict[str, float]) -> tuple[dict[str, float], str]:
        if not self.measures or not said:
            return dict(offline), "lexicon"
        if self.voice.capabilities.json:
            req = DialogueRequest(
                valuelib.scoring_messages(question, said, self.measures, self.character.name),
                max_tokens=80,
                temperature=0.0,
                seed=0,
                json_schema=valuelib.scores_schema(self.measures),
                character=self.character,
                hints={"kind": "score"},
            )
            got = self.voice.complete(req, SCORING_TIMEOUTS)
            if got is not None:
                parsed = valuelib.parse_json_scores(got[0], self.measures)
                if parsed is not None:
                    return {d: v for d, v in parsed.items() if v}, f"{got[1].name} (json)"
                log.info("%s: the model's scores were not valid JSON; using the offline lexicon", self.character.id)
        return dict(offline), "lexicon"

    def _record(
        self,
        said: str,
        reply: Reply,
        scores: dict[str, float],
        scored_by: str,
        answered: bool,
        extra: dict[str, Any] | None = None,
        opens: dict[str, Any] | None = None,
    ) -> None:
        with self._lock:
            for dim in scores:
                if dim not in self.values:
                    self.values[dim] = self._initial.get(dim, 0.0)
            before = dict(self.values)
            self.values = valuelib.update(self.values, scores)
            self.turns.append(
                {
                    "player": said,
                    "reply": reply.text,
                    "backend": reply.backend,
                    "model": reply.model,
                    "generated": reply.generated,
                    "scores": {k: round(v, 3) for k, v in scores.items()},
                    "scored_by": scored_by,
                    **(extra or {}),
                }
            )
            if opens is not None:
                self._window = {**opens, "turn": len(self.turns) - 1, "before": before}
            self.used.append(reply.text)
            if answered:
                self.q_index += 1
            if len(self.turns) > MEMORY_TURNS:
                old = self.turns[-MEMORY_TURNS - 1]
                self.summary = (
                    self.summary + f' {self.player} said "{old["player"][:100]}"; '
                    f'{self.character.name} replied "{old["reply"][:80]}".'
                ).strip()[-SUMMARY_CHARS:]

    # ------------------------------------------------------------------ results
    def outcome(self) -> dict[str, Any]:
        with self._lock:
            profile = ", ".join(f"{d} {v:+.2f}" for d, v in sorted(self.values.items()))
            summary = (
                f"{self.character.name} talked with {self.player} for {self._answers()} turns"
                f"{'; ' + profile if profile else ''}."
            )
            return {
                "values": dict(self.values),
                "turns": [dict(t) for t in self.turns],
                "summary": (self.summary + " " + summary).strip() if self.summary else summary,
            }

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "version": SNAPSHOT_VERSION,
                "character": self.character.id,
                "key": self.prompt.key,
                "player": self.player,
                "values": dict(self.values),
                "initial": dict(self._initial),
                "turns": [dict(t) for t in self.turns],
                "summary": self.summary,
                "q_index": self.q_index,
                "used": list(self.used),
                "opening": self._opening,
                "window": self._window,
            }

    @classmethod
    def restore(
        cls,
        data: dict[str, Any],
        character: Character,
        prompt: TalkPrompt,
        service: DialogueService | None = None,
        scope: Scope | None = None,
    ) -> Conversation:
        if not isinstance(data, dict) or data.get("version") != SNAPSHOT_VERSION:
            raise ConversationError("this conversation snapshot is from another version of the game")
        if data.get("character") != character.id:
            raise ConversationError(f"the snapshot is a talk with '{data.get('character')}', not '{character.id}'")
        convo = cls(
            character, prompt, player=data["player"], values=data.get("initial") or {}, service=service, scope=scope
        )
        convo.values = {k: float(v) for k, v in data["values"].items()}
        convo.turns = [dict(t) for t in data["turns"]]
        convo.summary = str(data.get("summary", ""))
        convo.q_index = int(data.get("q_index", 0))
        convo.used = [str(u) for u in data.get("used", [])]
        convo._opening = data.get("opening")
        window = data.get("window")
        convo._window = dict(window) if isinstance(window, dict) and "turn" in window and "before" in window else None
        return convo
