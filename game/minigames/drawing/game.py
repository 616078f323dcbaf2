"""The drawing minigame as a pure, seeded simulation (no pygame).

The player picks one of three secret ideas (or types one, when a vision model guesses),
draws it on a canvas, and the AI guesses while they draw: every GUESS_EVERY seconds while
the drawing changes, and at every pen-up. It thinks out loud in its voice and says
"I know, it's X!" when confident, but the round is the player's: it ends only at their
Done or when the time runs out (a confident guess can be wrong, and the player may still
be drawing). The AI's reward is the closeness of its final guess to the idea; the
player's score rewards drawings the AI understood, and understood quickly. The result
judges every round (`verdict`, `understood_rounds`, `best_idea`), so what the story
says afterwards follows all the drawings, not the last one.

Inputs to step(): None, one action dict, or a list of them:
  {"pick": 0..2}            choose an offered idea      {"pick_custom": "text"}
  {"pen_down": [x, y]}      {"pen_move": [x, y]}        {"pen_up": True}
  {"cursor": [dx, dy]}      move the keyboard cursor (directions, -1..1; it moves
                            CURSOR_SPEED canvas units a second, drawing if the pen is down)
  {"toggle_pen": True}      pen down/up at the cursor
  {"undo": True}  {"clear": True}  {"done": True}  {"next": True} (after a round's reveal)
Canvas coordinates run 0..CANVAS on both axes.
"""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from game.minigames.base import Minigame, MinigameInfo, Param, normalise
from game.minigames.drawing import voices
from game.minigames.drawing.closeness import canonical, closeness, known_words

CANVAS = 512.0
GUESS_EVERY = 0.3  # seconds between guesses while the drawing changes
CONFIDENT = 0.85  # probability the AI needs, twice running, to say "I know"
UNDERSTOOD = 0.75  # closeness from which a guess counts as understanding the idea
CURSOR_SPEED = 260.0  # canvas units per second for the keyboard cursor
EXAMPLES = Path(__file__).resolve().parent / "examples.json"


def known_classes() -> list[str]:
    """The words the embedded recognizer can answer (read from its metadata, no weights)."""
    from game.minigames.drawing.recognizer import META

    try:
        return list(json.loads(META.read_text(encoding="utf-8"))["classes"])
    except (OSError, ValueError, KeyError):
        return []


def verdict(understood: int, rounds: int) -> str:
    """The judgement over all rounds, in the words a level's conditions use."""
    if rounds and understood >= rounds:
        return "all"
    if understood and understood * 2 >= rounds:
        return "most"
    return "some" if understood else "none"


def default_ideas() -> list[str]:
    return known_words()


VERDICTS = ("all", "most", "some", "none")


def possible_result(r: dict[str, Any]) -> bool:
    """Whether the drawing game can give this result (see MinigameInfo.possible): the verdict is
    one of VERDICTS, `understood` is the verdict being all or most, and only a game with no
    drawing has no best idea (and so a verdict of none)."""
    verdict = r.get("verdict")
    if verdict not in VERDICTS:
        return False
    if bool(r.get("understood")) != (verdict in ("all", "most")):
        return False
    return bool(r.get("best_idea")) or verdict == "none"


class DrawingGame(Minigame):
    NAME = "drawing"

    def __init__(self, recognizer=None) -> None:
        self._recognizer = recognizer
        self._async: _Worker | None = None  # a worker thread for slow (remote) recognizers
        self.state: dict[str, Any] = {}

    # ------------------------------------------------------------ contract

    @classmethod
    def info(cls) -> MinigameInfo:
        return MinigameInfo(
            name="drawing",
            title="Draw for the AI",
            result_fields={
                "reward": "the AI's reward: mean closeness of its final guesses to the ideas, 0..1",
                "guess": "the AI's final guess in the last round",
                "idea": "what the player drew in the last round",
                "rounds": "rounds played",
                "score": "the player's score: understood drawings, more for quick ones",
                "seconds": "seconds spent drawing, all rounds",
                "understood": "true when the AI understood at least half of the drawings",
                "understood_rounds": "how many drawings the AI understood",
                "verdict": "the judgement over all rounds: all, most (at least half), some (at least one) or none",
                "best_idea": "the drawing the AI came closest to (its idea), '' before any round",
                "best_guess": "the AI's final guess for that drawing",
                "best_closeness": "how close that guess was, 0..1",
                "guesser": "which recognizer guessed: embedded or vision",
            },
            default_result={
                "reward": 0.0,
                "guess": "",
                "idea": "",
                "rounds": 0,
                "score": 0,
                "seconds": 0.0,
                "understood": False,
                "understood_rounds": 0,
                "verdict": "none",
                "best_idea": "",
                "best_guess": "",
                "best_closeness": 0.0,
                "guesser": "embedded",
            },
            possible=possible_result,
            params={
                "rounds": Param("int", "how many drawings", 1, 1, 10),
                "timed": Param("bool", "false turns the time limit off", True),
                "time_limit": Param("number", "seconds per drawing", 20.0, 1, 600),
                "ideas": Param(
                    "words",
                    "the words the three secret ideas are drawn from (default: every word the game knows)",
                    None,
                    3,
                ),
                "voice": Param("choice", "the AI's voice", voices.DEFAULT_VOICE, choices=tuple(sorted(voices.VOICES))),
            },
        )

    def reset(self, seed: int, params: dict[str, Any] | None = None) -> None:
        if params is not None and not isinstance(params, dict):
            raise ValueError("drawing: params must be a mapping")
        params = normalise("drawing", self.info().params, params or {})
        rounds = int(params["rounds"])
        limit = float(params["time_limit"])
        custom_list = bool(params.get("ideas"))
        ideas = params.get("ideas") or default_ideas()
        ideas = list(dict.fromkeys(w.strip() for w in ideas))
        self.state = {
            "seed": int(seed),
            "rounds": rounds,
            "timed": bool(params.get("timed", True)),
            "time_limit": limit,
            "ideas": ideas,
            "mixed_ideas": not custom_list,
            "voice": (params.get("voice") or voices.DEFAULT_VOICE).lower(),
            "round": 0,
            "history": [],
            "score": 0,
            "done": False,
            "notice": "",
        }
        self._rng_state = None
        self._start_round()

    def _rng(self) -> random.Random:
        # One generator per round and moment count: snapshots need no RNG state.
        s = self.state
        return random.Random(f"{s['seed']}:{s['round']}:{len(s.get('guesses', []))}:{s.get('lines', 0)}")

    def _start_round(self) -> None:
        s = self.state
        rng = random.Random(f"{s['seed']}:ideas:{s['round']}")
        known = [w for w in known_classes() if w in s["ideas"]]
        others = [w for w in s["ideas"] if w not in known]
        if s.get("mixed_ideas") and len(known) >= 2 and others:
            # The default offer: two words the embedded AI has seen and one it has not
            # (it can only get close to that one: a cat for a tiger).
            options = rng.sample(known, 2) + rng.sample(others, 1)
            rng.shuffle(options)
        else:
            options = rng.sample(s["ideas"], 3)
        s.update(
            {
                "phase": "pick",
                "options": options,
                "idea": "",
                "custom": False,
                "strokes": [],
                "pen": False,
                "cursor": [CANVAS / 2, CANVAS / 2],
                "t": 0.0,
                "since_guess": 0.0,
                "dirty": False,
                "guesses": [],
                "top": [],
                "line": "",
                "lines": 0,
                "confident_streak": 0,
                "sure": "",
                "final": "",
                "final_prob": 0.0,
                "understood_at": None,
                "ended_by": "",
            }
        )

    @property
    def done(self) -> bool:
        return bool(self.state.get("done"))

    def result(self) -> dict[str, Any]:
        s = self.state
        hist = s["history"]
        if not hist:
            return dict(self.info().default_result, guesser=self.guesser_name)
        understood = sum(1 for h in hist if h["understood"])
        # The best round: understood first, then the closest guess, then the earliest.
        best = max(hist, key=lambda h: (h["understood"], h["reward"], -hist.index(h)))
        return {
            "reward": round(sum(h["reward"] for h in hist) / len(hist), 4),
            "guess": hist[-1]["guess"],
            "idea": hist[-1]["idea"],
            "rounds": len(hist),
            "score": int(s["score"]),
            "seconds": round(sum(h["seconds"] for h in hist), 2),
            "understood": understood * 2 >= len(hist),
            "understood_rounds": understood,
            "verdict": verdict(understood, len(hist)),
            "best_idea": best["idea"],
            "best_guess": best["guess"],
            "best_closeness": best["reward"],
            "guesser": self.guesser_name,
        }

    def snapshot(self) -> dict[str, Any]:
        return json.loads(json.dumps(self.state))

    def restore(self, snap: dict[str, Any]) -> None:
        self.state = json.loads(json.dumps(snap))

    def set_timed(self, timed: bool) -> None:
        """The player's accessibility setting can switch the time limit off (never on)."""
        if not timed:
            self.state["timed"] = False

    # ------------------------------------------------------------ recognizer

    @property
    def recognizer(self):
        if self._recognizer is None:
            from game.minigames.drawing.recognizer import embedded

            self._recognizer = embedded()
        return self._recognizer

    def use_recognizer(self, recognizer, background: bool | None = None) -> None:
        """Guess with `recognizer` (e.g. recognizer.create("vision", base_url=..., api_key=..., model=...)).

        A remote recognizer runs on a worker thread (background defaults to True for any
        recognizer that is not the embedded one) so the frame loop never waits on HTTP."""
        self._recognizer = recognizer
        if background is None:
            background = getattr(recognizer, "name", "") != "embedded"
        self._async = _Worker(recognizer) if background else None

    def wait_for_guess(self, timeout: float) -> bool:
        """Wait for a background guess in flight and take it (for front ends whose time is
        simulated, like the terminal's typed version; a real-time one polls instead).
        False if `timeout` ran out first: the round goes on with the guess it had."""
        if self._async is None:
            return True
        answered = self._async.wait_idle(timeout)
        self.step(0.0)
        return answered

    @property
    def guesser_name(self) -> str:
        return getattr(self._recognizer, "name", "embedded") if self._recognizer is not None else "embedded"

    @property
    def takes_custom_ideas(self) -> bool:
        """Only a vision model can be asked about a word the embedded classes do not have."""
        return self.guesser_name != "embedded"

    def _drawing(self) -> list:
        return [st for st in self.state["strokes"] if st[0]]

    def _answers(self) -> list[str]:
        s = self.state
        return sorted({*s["options"], *([s["idea"]] if s["idea"] else [])})

    def _guess_now(self) -> None:
        s = self.state
        s["since_guess"] = 0.0
        s["dirty"] = False
        drawing = self._drawing()
        if not drawing:
            return
        if self._async is not None:
            self._async.submit(drawing, self._answers())
            return
        self._take_guess(_ask(self.recognizer, drawing, self._answers()))

    def _take_guess(self, ranked: list) -> None:
        s = self.state
        if not ranked or s["phase"] != "draw":
            return
        top: list[list[Any]] = [[str(label), round(float(p), 4)] for label, p in ranked[:3]]
        old = s["top"][0][0] if s["top"] else None
        s["guesses"].append({"t": round(s["t"], 3), "label": top[0][0], "prob": top[0][1]})
        s["top"] = top
        label, prob = top[0]
        if closeness(label, s["idea"]) >= UNDERSTOOD:
            if s["understood_at"] is None:
                s["understood_at"] = round(s["t"], 3)
        else:
            s["understood_at"] = None  # understanding counts only if it lasts to the end
        s["confident_streak"] = (
            s["confident_streak"] + 1 if prob >= CONFIDENT and label == old else (1 if prob >= CONFIDENT else 0)
        )
        # Sure only between strokes (a half-drawn circle is a fine banana). Being sure is said,
        # not acted on: the round goes on until the player's Done or the time limit, so a
        # confident wrong guess can still be corrected by drawing more.
        if s["confident_streak"] >= 2 and not s["pen"]:
            if s.get("sure") != label:
                s["sure"] = label
                self._say("know", a=label)
        elif old and label != old:
            self._say("switch", old=old, a=label)
        elif len(top) > 1 and top[1][1] > 0.6 * prob:
            self._say("torn", a=label, b=top[1][0])
        elif prob >= 0.5:
            self._say("leaning", a=label)
        else:
            self._say("unsure", a=label)

    def _say(self, moment: str, **words) -> None:
        s = self.state
        templates = voices.voice(s["voice"])[moment]
        line = self._rng().choice(templates).format(**{k: voices.with_article(v) for k, v in words.items()})
        s["line"] = line[:1].upper() + line[1:]
        s["lines"] += 1
        s["moment"] = moment

    # ------------------------------------------------------------ play

    def step(self, dt: float, inputs: Any = None) -> None:
        s = self.state
        if s.get("done"):
            return
        if isinstance(inputs, dict):
            inputs = [inputs]
        for action in inputs or []:
            self._act(action, dt)
        if s["phase"] != "draw":
            return
        if self._async is not None:
            ready = self._async.poll()
            if ready is not None:
                self._take_guess(ready)
                if s["phase"] != "draw":
                    return
        s["t"] += dt
        s["since_guess"] += dt
        if s["dirty"] and s["since_guess"] >= GUESS_EVERY:
            self._guess_now()
        if s["phase"] == "draw" and s["timed"] and s["t"] >= s["time_limit"]:
            self._pen_up()  # its last guess is about the drawing as it stands
            if s["phase"] == "draw":
                self._end_round("time")

    def _act(self, action: dict, dt: float) -> None:
        s = self.state
        if not isinstance(action, dict):
            raise ValueError(f"drawing: an input must be a dict, got {type(action).__name__}")
        phase = s["phase"]
        if phase == "pick":
            if "pick" in action:
                i = int(action["pick"])
                if not 0 <= i < len(s["options"]):
                    raise ValueError(f"drawing: pick must be 0..{len(s['options']) - 1}")
                self._begin(s["options"][i], custom=False)
            elif "pick_custom" in action:
                word = str(action["pick_custom"]).strip()
                if not word:
                    s["notice"] = "Type an idea first."
                elif not self.takes_custom_ideas:
                    s["notice"] = "Only a vision model can guess your own ideas; pick one of these three."
                else:
                    self._begin(word, custom=True)
            return
        if phase == "reveal":
            if action.get("next"):
                if s["round"] + 1 >= s["rounds"]:
                    s["done"] = True
                    s["phase"] = "done"
                else:
                    s["round"] += 1
                    self._start_round()
            return
        if phase != "draw":
            return
        if "pen_down" in action:
            self._pen_down(*action["pen_down"])
        if "pen_move" in action:
            self._pen_move(*action["pen_move"])
        if "cursor" in action:
            dx, dy = (max(-1.0, min(1.0, float(v))) for v in action["cursor"])
            cx = min(CANVAS, max(0.0, s["cursor"][0] + dx * CURSOR_SPEED * dt))
            cy = min(CANVAS, max(0.0, s["cursor"][1] + dy * CURSOR_SPEED * dt))
            s["cursor"] = [cx, cy]
            if s["pen"]:
                self._pen_move(cx, cy)
        if action.get("toggle_pen"):
            if s["pen"]:
                self._pen_up()
            else:
                self._pen_down(*s["cursor"])
        if action.get("pen_up"):
            self._pen_up()
        if action.get("undo"):
            self._pen_up(guess=False)
            if s["strokes"]:
                s["strokes"].pop()
                s["dirty"] = True
                if not s["strokes"]:
                    s["top"] = []
                    self._say("empty")
        if action.get("clear"):
            self._pen_up(guess=False)
            s["strokes"] = []
            s["top"] = []
            s["understood_at"] = None
            self._say("empty")
        if action.get("done"):
            self._pen_up(guess=False)
            if self._async is None and s["dirty"]:
                self._guess_now()  # the final answer is about the finished drawing
            if s["phase"] == "draw":
                self._end_round("done")

    def _begin(self, idea: str, custom: bool) -> None:
        s = self.state
        s.update(phase="draw", idea=idea, custom=custom, notice="")
        self._say("empty")

    def _clamp(self, x, y) -> tuple[float, float]:
        return (round(min(CANVAS, max(0.0, float(x))), 1), round(min(CANVAS, max(0.0, float(y))), 1))

    def _pen_down(self, x, y) -> None:
        s = self.state
        if s["pen"]:
            self._pen_up()
        x, y = self._clamp(x, y)
        s["strokes"].append([[x], [y], [round(s["t"] * 1000)]])
        s["pen"] = True
        s["cursor"] = [x, y]
        s["dirty"] = True

    def _pen_move(self, x, y) -> None:
        s = self.state
        x, y = self._clamp(x, y)
        s["cursor"] = [x, y]
        if not s["pen"]:
            return
        xs, ys, ts = s["strokes"][-1]
        if xs[-1] == x and ys[-1] == y:
            return
        xs.append(x)
        ys.append(y)
        ts.append(round(s["t"] * 1000))
        s["dirty"] = True

    def _pen_up(self, guess: bool = True) -> None:
        s = self.state
        if not s["pen"]:
            return
        s["pen"] = False
        if guess:  # every pen-up gets a fresh guess, as in Quick, Draw!
            self._guess_now()

    def _end_round(self, why: str) -> None:
        s = self.state
        s["pen"] = False
        if s["top"]:
            final, prob = s["top"][0]
            if why == "time":
                self._say("timeout", a=final)
        else:
            final, prob = "", 0.0
            if why == "time":
                self._say("blank")
        reward = round(closeness(final, s["idea"]), 4) if final else 0.0
        understood = reward >= UNDERSTOOD and s["understood_at"] is not None
        score = 0
        if understood:
            # Understood at all: 50 points from closeness; understood fast: up to 50 more,
            # measured against the time limit (20 s when the timer is off).
            limit = s["time_limit"] if s["timed"] else 20.0
            score = round(50 * reward + 50 * max(0.0, 1.0 - s["understood_at"] / limit))
        elif final:
            score = round(20 * reward)  # a near miss still earns a little
        s["score"] += score
        s.update(phase="reveal", final=final, final_prob=prob, ended_by=why)
        s["history"].append(
            {
                "idea": s["idea"],
                "guess": final,
                "prob": prob,
                "reward": reward,
                "understood": understood,
                "seconds": round(s["t"], 2),
                "score": score,
                "ended_by": why,
                "custom": s["custom"],
            }
        )

    # ------------------------------------------------------------ headless play

    def autopilot(self) -> Callable[[DrawingGame], Any]:
        """Draws the chosen idea from a shipped example (traced from held-out dataset
        drawings), at a person's pace, then presses Done; for an idea with no example it
        draws the nearest word that has one."""
        examples = load_examples()
        plan: list = []

        def policy(game: DrawingGame):
            s = game.state
            if s["phase"] == "pick":
                i = max(range(3), key=lambda k: (s["options"][k] in examples, -k))
                plan.clear()
                plan.extend(_plan_for(s["options"][i], examples, s["seed"] + s["round"]))
                return {"pick": i}
            if s["phase"] == "reveal":
                return {"next": True}
            if s["phase"] == "draw":
                return plan.pop(0) if plan else {"done": True}
            return None

        return policy

    def report(self) -> str:
        s = self.state
        lines = [f"Drawing: {len(s['history'])} round(s), score {s['score']}"]
        for i, h in enumerate(s["history"], 1):
            lines.append(
                f"  {i}. drew '{h['idea']}', AI said '{h['guess'] or '-'}' ({h['prob']:.2f}) "
                f"closeness {h['reward']:.2f}, {h['seconds']:.1f}s, ended by {h['ended_by']}, +{h['score']}"
            )
        r = self.result()
        lines.append(f"reward {r['reward']:.3f}, understood {r['understood']}")
        return "\n".join(lines)


def load_examples() -> dict[str, list]:
    """label -> example drawings (simplified strokes, 0..255), shipped beside this file."""
    try:
        return json.loads(EXAMPLES.read_text(encoding="utf-8"))["drawings"]
    except FileNotFoundError:
        return {}


def _plan_for(idea: str, examples: dict[str, list], seed: int) -> list[dict[str, Any] | None]:
    """Pen actions, one per step, that draw an example of `idea` (or of its nearest word)."""
    if not examples:
        return [{"done": True}]
    key = canonical(idea)
    if key not in examples:
        key = max(sorted(examples), key=lambda w: closeness(w, idea))
    drawing = random.Random(seed).choice(examples[key])
    scale = (CANVAS * 0.7) / 255.0
    off = CANVAS * 0.15
    actions: list[dict[str, Any] | None] = []
    for xs, ys in drawing:
        pts = [(off + x * scale, off + y * scale) for x, y in zip(xs, ys)]
        actions.append({"pen_down": list(pts[0])})
        for a, b in zip(pts, pts[1:]):
            # a person's pen moves about 300 units a second: split long segments
            n = max(1, int(((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5 / 10))
            for k in range(1, n + 1):
                actions.append({"pen_move": [a[0] + (b[0] - a[0]) * k / n, a[1] + (b[1] - a[1]) * k / n]})
        actions.append({"pen_up": True})
        actions.extend([None] * 4)  # a short pause between strokes
    return actions


def _ask(recognizer, drawing, answers):
    """A guess about `drawing` among `answers` (a vision model needs them: the player's own
    idea is among them), from a recognizer that may not take the keyword (a plug-in's)."""
    if _takes_answers(recognizer):
        return recognizer.guess(drawing, answers=answers)
    return recognizer.guess(drawing)


def _takes_answers(recognizer) -> bool:
    # The class's own method is looked at once, not on every guess of the frame loop; a guess
    # set on the instance itself is looked at each time.
    guess = getattr(type(recognizer), "guess", None)
    return _accepts_answers(guess) if guess is not None else _accepts_answers.__wrapped__(recognizer.guess)


@functools.lru_cache(maxsize=64)
def _accepts_answers(fn: Callable[..., Any]) -> bool:
    import inspect

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # a builtin or a callable object without a signature
        return False
    return "answers" in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


class _Worker:
    """Runs a slow recognizer on a thread: submit() the latest drawing, poll() for an answer.

    Only one request is in flight; a newer drawing waits for it and replaces any older
    waiting one, so the AI always answers about (nearly) what is on the canvas now."""

    def __init__(self, recognizer) -> None:
        import threading

        self.recognizer = recognizer
        self._lock = threading.Lock()
        self._pending: tuple[Any, list[Any]] | None = None
        self._result = None
        self._busy = False
        self._idle = threading.Event()
        self._idle.set()
        self._threading = threading

    def submit(self, drawing, answers) -> None:
        with self._lock:
            self._pending = (json.loads(json.dumps(drawing)), list(answers))
            if self._busy:
                return
            self._busy = True
            self._idle.clear()
        self._threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            with self._lock:
                job, self._pending = self._pending, None
                if job is None:
                    self._busy = False
                    self._idle.set()
                    return
            guess = _ask(self.recognizer, job[0], job[1])
            with self._lock:
                self._result = guess

    def wait_idle(self, timeout: float) -> bool:
        """Block until no request is in flight or waiting; False if `timeout` ran out first."""
        return self._idle.wait(timeout)

    def poll(self):
        with self._lock:
            out, self._result = self._result, None
            return out
