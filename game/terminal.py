"""The terminal front end: `treacherous-turn play --text`.

Prints lines, numbers the choices, reads typed answers in conversations, and says
plainly when it cannot show a minigame. Works with piped stdin, so it can be scripted.
Commands at any prompt: /save NAME, /load NAME, /history, /help, /quit.
"""
from __future__ import annotations

import json
import sys
import textwrap
import time
from pathlib import Path

from game.paths import atomic_write_json, saves_dir
from game.story.loader import load_story
from game.story.runtime import Runtime, StoryStateError

HELP_TEXT = "commands: /save NAME, /load NAME, /history, /help, /quit"


class _Input:
    def __init__(self, stream) -> None:
        self.stream = stream
        self.closed = False

    def ask(self, prompt: str) -> str | None:
        sys.stdout.write(prompt)
        sys.stdout.flush()
        line = self.stream.readline()
        if not line:
            self.closed = True
            sys.stdout.write("\n")
            return None
        if not self.stream.isatty():
            sys.stdout.write(line if line.endswith("\n") else line + "\n")   # echo piped input: transcripts read well
        return line.rstrip("\n")


def _say(name: str, text: str) -> None:
    width = 78
    if name:
        lead = f"{name}: "
        print(textwrap.fill(text, width, initial_indent=lead, subsequent_indent=" " * len(lead)))
    else:
        print(textwrap.fill(text, width))


def _save(runtime: Runtime, path: Path, name: str) -> None:
    target = saves_dir() / f"text-{name or 'quick'}.json"
    atomic_write_json(target, {"format": "treacherous-turn-save", "version": 1, "story_path": str(path.resolve()),
                               "runtime": runtime.snapshot(), "saved": time.time()})
    print(f"(saved to {target})")


def _load(story, path: Path, name: str) -> Runtime | None:
    target = saves_dir() / f"text-{name or 'quick'}.json"
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
        return Runtime.restore(story, data["runtime"])
    except FileNotFoundError:
        print(f"(no save called '{name or 'quick'}')")
    except (ValueError, KeyError, TypeError, StoryStateError) as exc:
        print(f"(cannot load {target.name}: {exc})")
    return None


def play_text(path: Path, story, args, set_vars: dict) -> int:
    from game.story.steps import MissingPromptKinds, require_kinds

    try:
        require_kinds("terminal", HANDLERS)
    except MissingPromptKinds as exc:
        print(f"play: {exc}", file=sys.stderr)
        return 2
    inp = _Input(sys.stdin)
    name = args.name
    if not name:
        name = (inp.ask("What is your name? ") or "").strip() or "Player 1"
    seed = args.seed if args.seed is not None else int(time.time()) % 100000
    try:
        rt = Runtime(story, name, seed, start_scene=args.warp, set_vars=set_vars, level=args.level)
    except StoryStateError as exc:
        print(f"play: {exc}", file=sys.stderr)
        return 2
    session = _Session(rt, story, path, args, inp, _dialogue_service(args))
    return session.loop()


class _Session:
    """One terminal game. Each prompt kind has a handler (HANDLERS); a step type that brings a
    new kind registers its own with `handles(kind)`, or the terminal refuses to start."""

    def __init__(self, rt: Runtime, story, path: Path, args, inp: _Input, service) -> None:
        self.rt, self.story, self.path, self.args, self.inp, self.service = rt, story, path, args, inp, service

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
        self.rt.advance()

    def line(self, prompt):
        rt = self.rt
        if prompt.generate and self.service is not None:
            text, backend, model = _generated_line(self.service, rt, prompt)
            _say(prompt.name, text)
            rt.advance(text=text, backend=backend, model=model)
        else:
            _say(prompt.name, prompt.text)
            rt.advance()

    def choice(self, prompt):
        if prompt.prompt:
            _say("", prompt.prompt)
        labels = self.rt.world.labels
        for n, option in enumerate(prompt.options, 1):
            print(f"  {n}. {labels.get(option['text'], option['text'])}")
        answer = self.inp.ask("> ")
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
        if not _talk(self.rt, prompt, self.inp, self.service):
            return 0

    def minigame(self, prompt):
        _minigame(self.rt, prompt, self.args.minigames)

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
        _print_score(rt.score())
        if prompt.inscription:
            _print_inscription(prompt.inscription)
        print(f"(ending: {prompt.ending})")
        return 0


def _effect(session, prompt):
    """An effect, printed: the terminal's own way of glitching, being taken over, or rolling a crawl."""
    from game.terminal_effects import show

    show(prompt, pace=sys.stdout.isatty())
    session.rt.answer()


HANDLERS = {"effect": _effect, "level": _Session.level, "line": _Session.line, "choice": _Session.choice, "talk": _Session.talk,
            "minigame": _Session.minigame, "end": _Session.end}


def handles(kind: str):
    """Register the terminal's handler for a prompt kind a new step type yields:
    `fn(session, prompt)` returning None to go on, or an exit code to stop."""
    def register(fn):
        HANDLERS[kind] = fn
        return fn
    return register


def _print_score(card) -> None:
    if not card.rows:
        return
    print("\nYour score:")
    for row in card.rows:
        status = "skipped, default result used" if row.skipped else f"{row.score:g} points"
        print(f"  {row.title}: {status}")
    print(f"  Total: {card.total:g}")


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
                print(f"  {entry.get('name') or '~'}: {entry['text']}{mark}")
            elif entry["kind"] == "choice":
                print(f"  > {entry['chosen']}")
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
    reply = handle.wait(timeout=30)
    return reply.text, reply.backend, reply.model


def _talk(rt: Runtime, prompt, inp: _Input, service) -> bool:
    char = rt.character(prompt.character)
    try:
        from game.dialogue.conversation import Conversation
    except ImportError:
        print(f"({char.name} cannot talk in this build; the conversation is passed over)")
        rt.finish_talk({})
        return True
    conv = Conversation(char, prompt, player=rt.world.player, values=dict(rt.world.values), service=service,
                        scope=rt.scope())
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
        sys.stdout.write(f"{char.name}: ")
        sys.stdout.flush()
        while True:
            events = handle.poll()
            for kind, text in events:
                if kind == "delta":
                    sys.stdout.write(text)
                    sys.stdout.flush()
            if handle.done or handle.failed:
                break
            time.sleep(0.01)
        print()
    rt.finish_talk(conv.outcome())
    return True


def _minigame(rt: Runtime, prompt, mode: str) -> None:
    if mode == "autopilot":
        from game.minigames.base import run_autopilot

        try:
            result = run_autopilot(prompt.name, prompt.seed, prompt.params)
        except (ImportError, KeyError, ValueError) as exc:
            print(f"[minigame '{prompt.name}' could not run ({exc}); using its default result]")
            rt.skip_minigame("could not run in the terminal")
            return
        print(f"[minigame '{prompt.name}' played by its autopilot: "
              f"{', '.join(f'{k}={v}' for k, v in result.items())}]")
        rt.finish_minigame(result)
        return
    fields = ", ".join(f"{k}={v}" for k, v in prompt.default.items()) or "no fields"
    print(f"[minigame '{prompt.name}' cannot be shown in the terminal; using its default result: {fields}]")
    rt.skip_minigame("cannot be shown in the terminal")
