"""`treacherous-turn chat LEVEL CHARACTER`: talk to a level's character in the terminal.

Lines come from stdin, so a conversation can be scripted (`printf 'hi\\n' | treacherous-turn chat ...`);
replies stream as they arrive. Ends at end of input or "/quit".
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import time

from game import textsafe

HELP = "talk to a level's character in the terminal"


def add_arguments(p) -> None:
    p.add_argument("level", help="a level (or campaign) file")
    p.add_argument("character", help="the character's id in the level, e.g. aria")
    p.add_argument("--backend", help="dialogue backend for this run (overrides settings and env)")
    p.add_argument("--model", help="model name for the backend")
    p.add_argument("--base-url", dest="base_url", help="OpenAI-compatible server, e.g. http://localhost:11434/v1")
    p.add_argument("--name", default="Player", help="the player's name (default: Player)")
    p.add_argument(
        "--turns",
        type=int,
        default=0,
        help="end after N answers (default: the level's talk step for this character, else unlimited)",
    )
    p.add_argument("--record", metavar="FILE", help="record every model exchange to a replay cassette")
    p.add_argument("--verbose", "-v", action="store_true", help="log why backends fall back, and more")


def _find(story, cid: str):
    """(level, character, Talk step or None) for the first level that has the character."""
    from game.story.steps.talk import Talk

    for level in story.levels:
        if cid in level.characters:
            talk = next(
                (st for sc in level.scenes.values() for st in sc.steps if isinstance(st, Talk) and st.character == cid),
                None,
            )
            return level, level.characters[cid], talk
    return None, None, None


def run(args) -> int:
    from game.commands import load_or_report

    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr, format="chat: %(message)s"
    )
    story = load_or_report(args.level, "chat")
    if story is None:
        return 2
    level, character, talk = _find(story, args.character)
    if character is None:
        known = sorted({c for lv in story.levels for c in lv.characters})
        print(
            f"chat: no character '{args.character}' in {args.level} (characters: {', '.join(known) or 'none'})",
            file=sys.stderr,
        )
        return 2

    from game.dialogue.conversation import Conversation
    from game.dialogue.service import DialogueService
    from game.story.prompts import TalkPrompt
    from game.story.runtime import Runtime

    args.name = textsafe.clean_line(args.name, 200) or "Player"
    runtime = Runtime(story, player=args.name, level=level.id)
    scope = runtime.scope()
    if talk is not None:
        questions = [q.render(scope) for q in talk.questions]
        turns = args.turns or talk.turns
        prompt = TalkPrompt(
            f"chat/{character.id}",
            character.id,
            turns,
            talk.goal,
            list(talk.measures),
            questions,
            "chat",
            [q.for_prompt(scope) for q in talk.asks],
        )
    else:
        prompt = TalkPrompt(
            f"chat/{character.id}",
            character.id,
            args.turns or 10**6,
            "talk with the player",
            list(level.values),
            [],
            "chat",
        )
    if args.turns:
        prompt = dataclasses.replace(prompt, turns=args.turns)
    service = DialogueService.from_settings(
        backend=args.backend, model=args.model, base_url=args.base_url, record=args.record
    )
    convo = Conversation(
        character, prompt, player=args.name, values=dict(runtime.world.values), service=service, scope=scope
    )
    voice = convo.voice
    for problem in voice.problems:
        print(f"chat: {problem}", file=sys.stderr)
    chain = " -> ".join(f"{link.name}{':' + link.model if link.model else ''}" for link in voice.links)
    print(f"(talking to {character.name} via {chain}; /quit to stop)", file=sys.stderr)
    out = textsafe.SafeStream(sys.stdout)  # a model's escape sequences never reach the terminal
    opening = convo.opening()
    print(f"{character.name}: {opening.text}", file=out, flush=True)
    interactive = sys.stdin.isatty()
    try:
        while not convo.finished:
            if interactive:
                print(f"{args.name}> ", end="", file=out, flush=True)
            line = sys.stdin.readline()
            if not line:
                break
            said = textsafe.clean_line(line)
            if said in ("/quit", "/exit"):
                break
            if not said:
                continue
            if not interactive:
                print(f"{args.name}> {said}", file=out, flush=True)
            _stream_reply(convo.send(said), character.name, out)
    except KeyboardInterrupt:
        print("", file=out)
    outcome = convo.outcome()
    profile = ", ".join(f"{d} {v:+.2f}" for d, v in sorted(outcome["values"].items())) or "nothing measured"
    print(f"(profile: {profile})", file=sys.stderr)
    service.close()
    return 0


def _stream_reply(handle, name: str, out) -> None:
    # The "ARIA [backend]: " prefix waits for the backend's first words: a backend that fails
    # before saying anything leaves no dangling prefix; the one that answers is named.
    shown = False
    prefix = ""
    try:
        while True:
            for kind, text in handle.poll():
                if kind == "started":
                    if shown:
                        print("  (interrupted; another backend takes over)", file=out)
                    prefix = f"{name} [{handle.backend}]: "
                    shown = False
                elif kind == "delta":
                    print(prefix + text, end="", file=out, flush=True)
                    prefix = ""
                    shown = True
                elif kind in ("done", "failed"):
                    print(prefix + ("" if kind == "done" else f"({text})"), file=out, flush=True)
                    return
            time.sleep(0.01)
    except KeyboardInterrupt:
        handle.cancel()
        handle.wait(5)
        print("  (cancelled)", file=out)
