"""The terminal front end: `treacherous-turn play --text`.

Prints lines wrapped to the terminal's width, numbers the choices, reads typed answers in
conversations, and plays the minigames in text (game/terminal_minigames/: lab defense in
turns, the drawing game with the mouse or typed strokes). Works with piped stdin, so it
can be scripted. Commands at any prompt: /save NAME, /load NAME, /history, /help, /quit.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
import time
from pathlib import Path

from game import saves, textsafe
from game.dialogue.notices import FallbackNotes
from game.logfile import log_to_file
from game.story.loader import load_story
from game.story.runtime import Runtime, StoryStateError
from game.textsafe import clean_line

HELP_TEXT = "commands: /save NAME, /load NAME, /history, /help, /quit"


class _Input:
    def __init__(self, stream) -> None:
        self.stream = stream
        self.closed = False

    def ask(self, prompt: str, fresh: bool = False) -> str | None:
        """A line the player types. `fresh`: on a terminal, what was typed before the question
        appeared is dropped (Enter or a digit hit ahead, while the story scrolled, picks nothing)."""
        if fresh:
            _drop_typeahead(self.stream)
        sys.stdout.write(prompt)
        sys.stdout.flush()
        line = self.stream.readline()
        if not line:
            self.closed = True
            sys.stdout.write("\n")
            return None
        line = textsafe.clean(line.rstrip("\n")).replace("\n", " ")  # typed escapes are not passed on
        if not self.stream.isatty():
            sys.stdout.write(line + "\n")  # echo piped input: transcripts read well
        return line


def _drop_typeahead(stream) -> None:
    try:
        if not stream.isatty():
            return  # piped answers are the player's script, every line meant
        import termios

        termios.tcflush(stream.fileno(), termios.TCIFLUSH)
    except (ImportError, OSError, ValueError, AttributeError):
        pass  # not a POSIX terminal: nothing to drop


def width() -> int:
    """The terminal's width less one column (a full line makes some terminals wrap early);
    78 on a pipe. Read each time: the player may resize the window."""
    return max(20, min(shutil.get_terminal_size((79, 24)).columns - 1, 200))


def _wrap(text: str, lead: str = "") -> str:
    """Whole words only: a word longer than the line stays whole rather than being split."""
    return textwrap.fill(
        text,
        width(),
        initial_indent=lead,
        subsequent_indent=" " * len(lead),
        break_long_words=False,
        break_on_hyphens=False,
    )


def _say(name: str, text: str) -> None:
    name, text = clean_line(name), textsafe.clean(text)  # no escape sequence reaches the terminal
    for i, para in enumerate(text.split("\n")):
        print(_wrap(para, f"{name}: " if name and i == 0 else (" " * (len(name) + 2) if name else "")))


def _out(text: str) -> None:
    """A minigame's line: wrapped when it is longer than the terminal, as it is otherwise
    (the boards and the canvas are laid out in columns)."""
    for line in text.split("\n"):
        print(line if len(line) <= width() else _wrap(line))


class _Stream:
    """A reply streamed in pieces, printed word by word and wrapped, never splitting a word."""

    def __init__(self, lead: str) -> None:
        self.col = len(lead)
        self.indent = " " * len(lead)
        self.word = ""
        self.started = False
        sys.stdout.write(lead)

    def feed(self, text: str) -> None:
        for ch in text:
            if ch.isspace():
                self._flush_word()
                if ch == "\n":
                    sys.stdout.write("\n" + self.indent)
                    self.col, self.started = len(self.indent), False
            else:
                self.word += ch
        sys.stdout.flush()

    def _flush_word(self) -> None:
        if not self.word:
            return
        gap = 1 if self.started else 0
        if self.started and self.col + gap + len(self.word) > width():
            sys.stdout.write("\n" + self.indent)
            self.col, gap = len(self.indent), 0
        sys.stdout.write(" " * gap + self.word)
        self.col += gap + len(self.word)
        self.word, self.started = "", True

    def close(self) -> None:
        self._flush_word()
        sys.stdout.write("\n")
        sys.stdout.flush()


def _save(runtime: Runtime, path: Path, name: str) -> None:
    try:
        target = saves.write_text_save(name, runtime_snapshot=runtime.snapshot(), story_path=str(path.resolve()))
    except saves.SaveError as exc:
        print(f"(cannot save: {exc})")
        return
    except OSError as exc:
        print(f"(cannot save: {exc.strerror or exc})")
        return
    print(f"(saved to {target})")


def _load(story, path: Path, name: str) -> Runtime | None:
    shown = clean_line(name or "quick", 60)
    try:
        data = saves.read_text_save(name)
        return Runtime.restore(story, data["runtime"])
    except saves.SaveError as exc:
        if str(exc) == "the slot is empty":
            print(f"(no save called '{shown}')")
        else:
            print(f"(cannot load '{shown}': {exc})")
    except StoryStateError as exc:
        print(f"(cannot load '{shown}': {exc})")
    return None


def play_text(path: Path, story, args, set_vars: dict) -> int:
    from game.story.steps import MissingPromptKinds, require_kinds

    try:
        require_kinds("terminal", HANDLERS)
    except MissingPromptKinds as exc:
        print(f"play: {exc}", file=sys.stderr)
        return 2
    inp = _Input(sys.stdin)
    saves.clean_at_start()
    name = clean_line(args.name or "", 200)
    if not name:
        name = clean_line(inp.ask("What is your name? ") or "", 200) or "Player 1"
    seed = args.seed if args.seed is not None else int(time.time()) % 100000
    try:
        rt = Runtime(story, name, seed, start_scene=args.warp, set_vars=set_vars, level=args.level)
    except StoryStateError as exc:
        print(f"play: {exc}", file=sys.stderr)
        return 2
    session = _Session(rt, story, path, args, inp, _dialogue_service(args))
    out = sys.stdout
    sys.stdout = textsafe.SafeStream(out)  # whatever is printed (a model's reply, a name, a level's text) is cleaned
    quiet = log_to_file("terminal.log")  # warnings to a file, not across the story
    try:
        return session.loop()
    finally:
        sys.stdout = out
        quiet()


class _Session:
    """One terminal game. Each prompt kind has a handler (HANDLERS); a step type that brings a
    new kind registers its own with `handles(kind)`, or the terminal refuses to start."""

    def __init__(self, rt: Runtime, story, path: Path, args, inp: _Input, service) -> None:
        self.rt, self.story, self.path, self.args, self.inp, self.service = rt, story, path, args, inp, service
        self.notes = FallbackNotes()

    def loop(self) -> int:
        from game.story import reload as hot

        watched = hot.mtimes(self.story)
        while True:
            if not self.args.no_reload and hot.changed(self.story, watched):
                new_story, diags = load_story(self.path)
                watched = hot.mtimes(self.story)
                if new_story is None:
                    print("(the level files changed but have errors; still playing the old version)")
                    for d in diags:
                        if d.severity == "error":
                            print("  " + d.format())
                else:
                    self.rt, notice = hot.carry_over(self.rt, new_story)
                    self.story = new_story
                    watched = hot.mtimes(self.story)
                    print(f"({notice})")
            prompt = self.rt.current()
            outcome = HANDLERS[prompt.kind](self, prompt)
            if outcome is not None:
                return _finish(self.rt, self.args, outcome)

    # ---------------------------------------------------------------- handlers (None: go on; an int: exit code)
    def level(self, prompt):
        print(f"\n=== Chapter {prompt.number}: {prompt.title} ===\n")
        if self.service is not None:
            # Model-voiced characters' backends warm up (off this thread) while the player reads.
            self.service.warm_up(list(self.rt.level.characters.values()), self.rt.world.player)
        self.rt.advance()

    def line(self, prompt):
        rt = self.rt
        if prompt.generate and self.service is not None:
            text, backend, model, stats = _generated_line(self.service, rt, prompt)
            _say(prompt.name, text)
            note = self.notes.note(prompt.name or "The narrator", stats)
            if note:
                print(_wrap(note))
            rt.advance(text=text, backend=backend, model=model)
        else:
            _say(prompt.name, prompt.text)
            rt.advance()

    def choice(self, prompt):
        if prompt.prompt:
            _say("", prompt.prompt)
        labels = self.rt.world.labels
        for n, option in enumerate(prompt.options, 1):
            print(_wrap(labels.get(option["text"], option["text"]), f"  {n}. "))
        answer = self.inp.ask("> ", fresh=True)  # no option is picked by keys hit before it was shown
        if answer is None:
            print("(input ended before the story did)")
            return 0
        picked = _command(answer, self.rt, self.story, self.path)
        if picked == "quit":
            return 0
        if isinstance(picked, Runtime):
            self.rt = picked
            return None
        if picked:
            return None
        try:
            n = int(answer.strip())
            if n < 1:
                raise IndexError
            self.rt.choose(prompt.options[n - 1]["index"])
        except (ValueError, IndexError):
            print(f"(type a number from 1 to {len(prompt.options)}; {HELP_TEXT})")

    def talk(self, prompt):
        if not _talk(self.rt, prompt, self.inp, self.service, self.notes):
            return 0

    def minigame(self, prompt):
        if _minigame(self.rt, prompt, self.args.minigames, self.inp) == "quit":
            return 0

    def end(self, prompt):
        rt = self.rt
        if prompt.problem:
            print(f"\n(the story stopped: {prompt.problem})")
        print(f"\n*** THE END: {prompt.title or prompt.ending.replace('_', ' ').title()} ***")
        if prompt.text:
            _say("", prompt.text)
        for line in prompt.epilogue:
            print()
            _say("", line)
        _print_score(rt, prompt)
        if prompt.inscription:
            _print_inscription(prompt.inscription)
        return 0


def _ai_name(rt: Runtime, prompt) -> str:
    """The drawing game's guesser by name: the level's character its voice belongs to."""
    voice = str(prompt.params.get("voice") or "aria")
    char = rt.level.characters.get(voice)
    return char.name if char is not None else ("ARIA" if voice == "aria" else "The AI")


def _lab(seed: int, params: dict, ask, ai_name: str) -> dict:
    from game.terminal_minigames import lab

    return lab.play(seed, params, ask, _out, width())


def _drawing(seed: int, params: dict, ask, ai_name: str) -> dict:
    from game import settings
    from game.terminal_minigames import drawing

    if not settings.load().timers:  # the player's "no timed pressure anywhere", as on the desktop
        params = dict(params, timed=False)
    # The mouse mode writes its escape codes to `sys.stdout.unfiltered` (under textsafe.SafeStream) and
    # cleans the words it shows on its own.
    problems: list[str] = []
    recognizer = drawing.configured_recognizer(problems)
    for problem in problems:
        _out(f"(settings: {problem})")
    return drawing.play(seed, params, ask, _out, ai_name, recognizer=recognizer)


def text_minigame(name: str, seed: int, params: dict) -> dict | None:
    """`minigame NAME --text`: one minigame played in this terminal on its own; None if the
    terminal cannot play it."""
    if name not in TEXT_MINIGAMES:
        return None
    out = sys.stdout
    sys.stdout = textsafe.SafeStream(out)
    try:
        return TEXT_MINIGAMES[name](
            seed, params, _Input(sys.stdin).ask, "ARIA" if params.get("voice", "aria") == "aria" else "The AI"
        )
    finally:
        sys.stdout = out


# Minigames the terminal plays itself (`--minigames play`); any other gets its default result
# there, or is played by its autopilot with `--minigames autopilot`.
TEXT_MINIGAMES = {"lab_defense": _lab, "drawing": _drawing}


def _effect(session, prompt):
    """An effect, printed: the terminal's own way of glitching, being taken over, or rolling a crawl."""
    from game.terminal_effects import show

    show(prompt, pace=sys.stdout.isatty(), width=width())
    session.rt.answer()


HANDLERS = {
    "effect": _effect,
    "level": _Session.level,
    "line": _Session.line,
    "choice": _Session.choice,
    "talk": _Session.talk,
    "minigame": _Session.minigame,
    "end": _Session.end,
}


def handles(kind: str):
    """Register the terminal's handler for a prompt kind a new step type yields:
    `fn(session, prompt)` returning None to go on, or an exit code to stop."""

    def register(fn):
        HANDLERS[kind] = fn
        return fn

    return register


def _print_score(rt, prompt) -> None:
    """The same recap as the desktop's score screen (game/story/recap.py), as plain text."""
    from game.story.recap import recap

    r = recap(rt, prompt)
    for heading, lines in r.sections():
        print(f"\n{heading}:")
        for line in lines:
            print(_wrap(line, "  "))
    if r.total:
        print(f"\n{r.total}")


def _print_inscription(lines: list[str]) -> None:
    width = max(len(line) for line in lines) + 4
    print("\n  " + "_" * width)
    print(" /" + " " * width + "\\")
    for line in lines:
        print("|  " + line.center(width - 2) + "  |")
    print(" \\" + "_" * width + "/\n")


def _finish(rt: Runtime, args, code: int) -> int:
    if args.record:
        from game.commands.play import write_record

        write_record(args.record, rt)
    return code


def _command(answer: str, rt: Runtime, story, path: Path):
    """Handle a /command; returns "quit", a new Runtime (after /load), True if handled, False if not a command."""
    text = answer.strip()
    if not text.startswith("/"):
        return False
    cmd, _, arg = text.partition(" ")
    if cmd == "/quit":
        return "quit"
    if cmd == "/save":
        _save(rt, path, arg.strip())
    elif cmd == "/load":
        loaded = _load(story, path, arg.strip())
        return loaded or True
    elif cmd == "/history":
        for entry in rt.transcript[-20:]:
            if entry["kind"] in ("line", "said"):
                mark = " [generated]" if entry.get("generated") else ""
                print(_wrap(f"{entry['text']}{mark}", f"  {entry.get('name') or '~'}: "))
            elif entry["kind"] == "choice":
                print(_wrap(entry["chosen"], "  > "))
    else:
        print(f"({HELP_TEXT})")
    return True


def _dialogue_service(args):
    try:
        from game.dialogue.service import DialogueService
    except ImportError:
        return None
    try:
        return DialogueService.from_settings(backend=args.backend, model=args.model, base_url=args.base_url)
    except Exception as exc:  # a bad settings file must not stop the game
        print(f"(dialogue settings could not be read: {exc}; using authored lines)")
        return None


def _generated_line(service, rt: Runtime, prompt):
    from game.dialogue.lines import generate_line

    char = rt.character(prompt.speaker)
    handle = generate_line(service, char, prompt.text, player=rt.world.player)
    # The service always finishes within its budgets (a cold backend's first request included); the
    # margin is for the fallback. The authored line stands if even that passes.
    try:
        reply = handle.wait(timeout=service.timeouts.cold().total + 10)
    except TimeoutError:
        handle.cancel()
        return (
            prompt.text,
            "scripted",
            None,
            {"fallbacks": [{"backend": None, "kind": "timeout", "why": "no reply in time"}]},
        )
    return reply.text, reply.backend, reply.model, reply.stats


def _talk(rt: Runtime, prompt, inp: _Input, service, notes: FallbackNotes | None = None) -> bool:
    char = rt.character(prompt.character)
    notes = notes or FallbackNotes()
    try:
        from game.dialogue.conversation import Conversation
    except ImportError:
        print(f"({char.name} cannot talk in this build; the conversation is passed over)")
        rt.finish_talk({})
        return True
    conv = Conversation(
        char, prompt, player=rt.world.player, values=dict(rt.world.values), service=service, scope=rt.scope()
    )
    opening = conv.opening()
    _say(char.name, opening.text)
    while not conv.finished:
        answer = inp.ask("you> ")
        if answer is None:
            print("(input ended during the conversation)")
            rt.finish_talk(conv.outcome())
            return False
        if answer.strip() == "/quit":
            return False
        if not answer.strip():
            continue
        handle = conv.send(answer)
        stream = _Stream(f"{char.name}: ")
        _stream_reply(handle, stream=stream)
        stream.close()
        reply = getattr(handle, "reply", None)
        note = notes.note(char.name, getattr(reply, "stats", None))
        if note:
            print(_wrap(note))
    rt.finish_talk(conv.outcome())
    return True


def _stream_reply(handle, out=None, inp=None, stream: _Stream | None = None) -> None:
    """Write a reply as it streams, wrapped by `stream` (else as it comes, to `out`). While a model thinks, dots show it on a
    terminal, and Enter skips to the authored line (only when both ends are a terminal: piped
    input is the player's lines)."""
    import select

    out = out or sys.stdout
    inp = inp or sys.stdin
    live = out.isatty() and inp.isatty()
    dots, last_dot, hinted = 0, time.monotonic(), False
    while True:
        for kind, text in handle.poll():
            if kind == "delta":
                if dots:  # backspaces are control characters: past the cleaning stdout
                    getattr(out, "unfiltered", out).write("\b \b" * dots + ("\b \b" * len(SKIP_HINT) if hinted else ""))
                    dots, hinted = 0, False
                if stream is not None:
                    out.flush()
                    stream.feed(text)
                else:
                    out.write(text)
                    out.flush()
        if handle.done or handle.failed:
            return
        if live and getattr(handle, "thinking", False):
            now = time.monotonic()
            if now - last_dot >= 0.4 and dots < 12:
                if not hinted and dots == 3:
                    out.write(SKIP_HINT)
                    hinted = True
                else:
                    out.write(".")
                    dots += 1
                out.flush()
                last_dot = now
            try:
                ready = select.select([inp], [], [], 0)[0]
            except (OSError, ValueError):
                ready = []
            if ready:
                inp.readline()
                handle.skip()
        time.sleep(0.01)


SKIP_HINT = " (Enter: the written line) "


class _MinigameInput:
    """A minigame's prompts, with the game's own /commands: /quit ends the game, /skip
    gives the minigame its default result (as F8 does on the desktop)."""

    def __init__(self, inp: _Input) -> None:
        self.inp, self.quit, self.skip = inp, False, False

    def ask(self, prompt: str) -> str | None:
        while True:
            line = self.inp.ask(prompt)
            cmd = (line or "").strip().lower()
            if not cmd.startswith("/"):
                return line
            if cmd == "/quit":
                self.quit = True
                return None
            if cmd == "/skip":
                self.skip = True
                return None
            print(
                "(in a minigame: its own commands, h for help; /skip uses its default result, /quit ends "
                "the game; saving waits until it is over)"
            )


def _minigame(rt: Runtime, prompt, mode: str, inp: _Input | None = None) -> str | None:
    if mode == "play" and inp is not None and prompt.name in TEXT_MINIGAMES:
        print()
        mi = _MinigameInput(inp)
        try:
            result = TEXT_MINIGAMES[prompt.name](prompt.seed, dict(prompt.params), mi.ask, _ai_name(rt, prompt))
        except (ImportError, ValueError) as exc:
            print(f"[minigame '{prompt.name}' could not run ({exc}); using its default result]")
            rt.skip_minigame("could not run in the terminal")
            return None
        print()
        if mi.quit:
            return "quit"
        if mi.skip or result.get("rounds", 1) == 0:
            # Skipped, or over before a single round (the input ended at the first prompt):
            # the story goes on with the default result, and the score says it was skipped.
            print("(minigame skipped: the story goes on with its default result)")
            rt.skip_minigame("skipped by the player" if mi.skip else "no round was played")
            return None
        rt.finish_minigame(result)
        return None
    if mode == "autopilot":
        from game.minigames.base import run_autopilot

        try:
            result = run_autopilot(prompt.name, prompt.seed, prompt.params)
        except (ImportError, KeyError, ValueError) as exc:
            print(f"[minigame '{prompt.name}' could not run ({exc}); using its default result]")
            rt.skip_minigame("could not run in the terminal")
            return None
        print(f"[minigame '{prompt.name}' played by its autopilot: {', '.join(f'{k}={v}' for k, v in result.items())}]")
        rt.finish_minigame(result)
        return None
    fields = ", ".join(f"{k}={v}" for k, v in prompt.default.items()) or "no fields"
    print(f"[minigame '{prompt.name}' cannot be shown in the terminal; using its default result: {fields}]")
    rt.skip_minigame("cannot be shown in the terminal")
    return None
