"""A free conversation with a character at a `talk:` step: memory, calibration, replies off the frame loop.

    convo = Conversation(character, talk_prompt, player="Sam", values=world.values, service=service, scope=scope)
    show(convo.opening())                       # authored greeting + the first calibration question
    handle = convo.send("I'd want you to ask first")
    ... each frame: for kind, text in handle.poll(): ...
    when convo.finished: runtime.finish_talk(convo.outcome())

The character asks the step's questions in turn; each answer is scored on the step's
`measures` (see values.py) and the profile feeds the next prompt. The conversation state
is JSON-able (`snapshot` / `restore`) so a save taken mid-talk resumes without
regenerating replies already shown.
"""
from __future__ import annotations

import threading
import zlib
from typing import Any

from game.dialogue import values as valuelib
from game.dialogue.backends.scripted import ScriptedBackend, matching_intents
from game.dialogue.base import DialogueRequest, Timeouts, log
from game.dialogue.character import fallback_scope, render, system_prompt, untrusted
from game.dialogue.service import DialogueService, Reply, ReplyHandle

SNAPSHOT_VERSION = 1
MEMORY_TURNS = 4          # turns sent verbatim; older ones live on in the running summary
SUMMARY_CHARS = 700
MAX_PLAYER_CHARS = 500
REPLY_TOKENS = 120
FOLLOW_UP = "What else should I understand about you, {player}?"
SCORING_TIMEOUTS = Timeouts(connect=2.0, first_token=4.0, total=6.0)


class ConversationError(RuntimeError):
    """The front end asked for something the conversation cannot do now (a clear message, not a crash)."""


class Conversation:
    def __init__(self, character, prompt, *, player: str, values: dict[str, float],
                 service: DialogueService | None = None, scope=None) -> None:
        self.character = character
        self.prompt = prompt
        self.player = player or "Player"
        self.service = service or DialogueService.from_settings()
        self.voice = self.service.for_character(character)
        self.scope = scope if scope is not None else fallback_scope(self.player, values)
        self.measures = list(prompt.measures)
        self.questions = [q for q in prompt.questions if q]
        self.values: dict[str, float] = {d: float(values.get(d, 0.0)) for d in self.measures}
        self._initial = {k: float(v) for k, v in values.items() if isinstance(v, (int, float))}
        self.turns: list[dict[str, Any]] = []
        self.summary = ""
        self.q_index = 0          # the question awaiting an answer (the opening asks the first)
        self.used: list[str] = []
        self._opening: str | None = None
        self._pending: ReplyHandle | None = None
        self._lock = threading.Lock()
        self._seed_base = zlib.crc32(f"{character.id}/{prompt.key}".encode())

    # ------------------------------------------------------------------ state
    @property
    def finished(self) -> bool:
        with self._lock:
            return len(self.turns) >= self.prompt.turns

    @property
    def busy(self) -> bool:
        return self._pending is not None and not (self._pending.done or self._pending.failed)

    def _render(self, template) -> str:
        return render(template, self.scope, self.player)

    def current_question(self) -> str | None:
        return self.questions[self.q_index] if self.q_index < len(self.questions) else None

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
            turn_no = len(self.turns) + 1
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
            asked = answering or next((u for u in reversed(self.used[-1:]) if FOLLOW_UP.format(player=self.player)
                                       in u), None)
            intents = matching_intents(self.character, said)
            offline = valuelib.lexicon_score(said, self.measures, answering)
            nudges = valuelib.nudges(intents)
            messages = self._messages(said, next_q, last)
            used = list(self.used)
        # Templates are rendered here, on the caller's thread: the game's Scope is not safe to use from
        # the worker while the front end is using it, and the few lines that could be said are cheap.
        templates = [t for i in intents for t in i.replies] + list(self.character.fallback)
        rendered = {id(t): self._render(t) for t in templates}
        hints = {"kind": "reply", "player": self.player, "player_text": said, "answering": asked,
                 "next_question": next_q, "closing": last, "used": used,
                 "render": lambda t: rendered.get(id(t), getattr(t, "source", str(t)))}
        request = DialogueRequest(messages, max_tokens=REPLY_TOKENS,
                                  stop=("\nPlayer:", "\nUser:", f"\n{self.player}:"),
                                  seed=(self._seed_base + turn_no) % 2 ** 31, timeouts=self.service.timeouts,
                                  character=self.character, hints=hints)
        closing = f"Thank you, {self.player}. That's everything I wanted to ask, for now."

        def fallback() -> str:
            # The authored lines, composed exactly as the scripted backend would, so even a total
            # failure of every backend still answers the player and asks the next question.
            line = ScriptedBackend().compose(request)
            return f"{line} {closing}" if last else line

        def after(reply: Reply, handle: ReplyHandle) -> None:
            if handle.cancelled:
                return
            if last and reply.backend == "scripted" and closing not in reply.text:
                self._append(reply, handle, closing)
            elif next_q and "?" not in reply.text[-160:]:
                # A model that forgot to ask: the question is the point of the talk, so ask it verbatim.
                self._append(reply, handle, next_q)
            scores, scored_by = self._score(said, answering, offline)
            for dim, v in nudges.items():
                scores[dim] = max(-1.0, min(1.0, scores.get(dim, 0.0) + v))
            self._record(said, reply, scores, scored_by, answering is not None)

        handle = self.voice.start(request, fallback=fallback, player=self.player, after=after)
        self._pending = handle
        return handle

    @staticmethod
    def _append(reply: Reply, handle: ReplyHandle, text: str) -> None:
        extra = (" " if reply.text and not reply.text.endswith((" ", "\n")) else "") + text
        reply.text += extra
        handle._emit("delta", extra)

    def _messages(self, said: str, next_q: str | None, last: bool) -> list[dict[str, str]]:
        system = system_prompt(self.character, player=self.player, goal=self.prompt.goal, values=self.values,
                               summary=self.summary, next_question=next_q, closing=last)
        messages = [{"role": "system", "content": system}]
        if self._opening:
            messages.append({"role": "assistant", "content": self._opening})
        for turn in self.turns[-MEMORY_TURNS:]:
            messages.append({"role": "user", "content": untrusted(turn["player"])})
            messages.append({"role": "assistant", "content": turn["reply"]})
        messages.append({"role": "user", "content": untrusted(said)})
        return messages

    def _score(self, said: str, question: str | None, offline: dict[str, float]) -> tuple[dict[str, float], str]:
        if not self.measures or not said:
            return dict(offline), "lexicon"
        if self.voice.capabilities.json:
            req = DialogueRequest(valuelib.scoring_messages(question, said, self.measures, self.character.name),
                                  max_tokens=80, temperature=0.0, seed=0, json_schema={"type": "object"},
                                  character=self.character, hints={"kind": "score"})
            got = self.voice.complete(req, SCORING_TIMEOUTS)
            if got is not None:
                parsed = valuelib.parse_json_scores(got[0], self.measures)
                if parsed is not None:
                    return {d: v for d, v in parsed.items() if v}, f"{got[1].name} (json)"
                log.info("%s: the model's scores were not valid JSON; using the offline lexicon", self.character.id)
        return dict(offline), "lexicon"

    def _record(self, said: str, reply: Reply, scores: dict[str, float], scored_by: str, answered: bool) -> None:
        with self._lock:
            for dim in scores:
                if dim not in self.values:
                    self.values[dim] = self._initial.get(dim, 0.0)
            self.values = valuelib.update(self.values, scores)
            self.turns.append({"player": said, "reply": reply.text, "backend": reply.backend, "model": reply.model,
                               "generated": reply.generated, "scores": {k: round(v, 3) for k, v in scores.items()},
                               "scored_by": scored_by})
            self.used.append(reply.text)
            if answered:
                self.q_index += 1
            if len(self.turns) > MEMORY_TURNS:
                old = self.turns[-MEMORY_TURNS - 1]
                self.summary = (self.summary + f' {self.player} said "{old["player"][:100]}"; '
                                f'{self.character.name} replied "{old["reply"][:80]}".').strip()[-SUMMARY_CHARS:]

    # ------------------------------------------------------------------ results
    def outcome(self) -> dict[str, Any]:
        with self._lock:
            profile = ", ".join(f"{d} {v:+.2f}" for d, v in sorted(self.values.items()))
            summary = (f"{self.character.name} talked with {self.player} for {len(self.turns)} turns"
                       f"{'; ' + profile if profile else ''}.")
            return {"values": dict(self.values), "turns": [dict(t) for t in self.turns],
                    "summary": (self.summary + " " + summary).strip() if self.summary else summary}

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"version": SNAPSHOT_VERSION, "character": self.character.id, "key": self.prompt.key,
                    "player": self.player, "values": dict(self.values), "initial": dict(self._initial),
                    "turns": [dict(t) for t in self.turns], "summary": self.summary, "q_index": self.q_index,
                    "used": list(self.used), "opening": self._opening}

    @classmethod
    def restore(cls, data: dict[str, Any], character, prompt, service: DialogueService | None = None,
                scope=None) -> "Conversation":
        if not isinstance(data, dict) or data.get("version") != SNAPSHOT_VERSION:
            raise ConversationError("this conversation snapshot is from another version of the game")
        if data.get("character") != character.id:
            raise ConversationError(f"the snapshot is a talk with '{data.get('character')}', not '{character.id}'")
        convo = cls(character, prompt, player=data["player"], values=data.get("initial") or {}, service=service,
                    scope=scope)
        convo.values = {k: float(v) for k, v in data["values"].items()}
        convo.turns = [dict(t) for t in data["turns"]]
        convo.summary = str(data.get("summary", ""))
        convo.q_index = int(data.get("q_index", 0))
        convo.used = [str(u) for u in data.get("used", [])]
        convo._opening = data.get("opening")
        return convo
