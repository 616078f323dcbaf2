"""`treacherous-turn backends [LEVEL]`: what is installed, which backend each character uses and why, and health."""

from __future__ import annotations

import logging
import sys
from typing import Any

HELP = "list dialogue backends, which one each character uses, and their health"


def add_arguments(p) -> None:
    p.add_argument("level", nargs="?", help="a level file: show the choice for each of its characters")
    p.add_argument("--backend", help="as for `play` and `chat`: override the backend")
    p.add_argument("--model", help="override the model")
    p.add_argument("--base-url", dest="base_url", help="override the OpenAI-compatible server URL")
    p.add_argument("--no-health", action="store_true", help="skip the health checks (no network)")


def _status(name: str) -> str:
    """Whether a backend can be imported and run here, without building it."""
    from game.dialogue import registry

    try:
        cls = registry.load(name)
    except Exception as exc:  # noqa: BLE001 - a broken plugin is reported, not raised
        return f"cannot be imported ({type(exc).__name__}: {exc})"
    missing = getattr(cls, "missing", None)
    why = missing() if callable(missing) else None
    if why:
        return f"not usable: {why}"
    caps = getattr(cls, "capabilities", None)
    if caps is None:
        return "ok"
    flags = [f for f in ("streaming", "json", "images", "offline") if getattr(caps, f, False)]
    return "ok (" + ", ".join(flags) + ")" if flags else "ok"


def run(args) -> int:
    from game.dialogue import registry
    from game.dialogue.base import redact
    from game.dialogue.service import DialogueService

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="backends: %(message)s")
    characters = []
    if args.level:
        from game.story.loader import load_story

        story, diags = load_story(args.level)
        if story is None:
            for d in diags:
                print(d.format(), file=sys.stderr)
            return 2
        characters = [c for lv in story.levels for c in lv.characters.values()]

    print("Installed dialogue backends:")
    table = registry.available()
    for name in sorted(table):
        print(f"  {name:10} {registry.origin(name):8} {table[name]}")
        print(f"  {'':10} {'':8} {_status(name)}")

    service = DialogueService.from_settings(backend=args.backend, model=args.model, base_url=args.base_url)
    s = service.settings
    where = s.path if s.path and s.path.is_file() else f"{s.path} (none)"
    print(f"\nSettings file: {where}")
    for problem in s.problems:
        print(f"  problem: {problem}")
    env = [k for k in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "TT_BACKEND", "TT_MODEL") if k in s.env]
    print(f"Environment: {', '.join(env) if env else 'none of OPENAI_API_KEY, OPENAI_BASE_URL, TT_BACKEND, TT_MODEL'}")
    if s.cli:
        flags = ", ".join("--" + k.replace("_", "-") for k in s.cli)
        print(f"Command line: {flags}")

    targets: list[Any] = characters or [None]
    print("\nCharacters:" if characters else "\nDefault (no level given):")
    checked: dict[tuple, str] = {}
    for character in targets:
        choice = service.choice_for(character)
        voice = service.for_character(character)
        label = f"{character.id} ({character.name})" if character else "any character"
        details = [choice.backend + (f" [{choice.type}]" if choice.type != choice.backend else "")]
        if choice.model:
            details.append(f"model {choice.model}")
        if choice.base_url:
            details.append(f"at {choice.base_url}")
        print(f"  {label}: {', '.join(details)}")
        print(f"      why: {choice.describe()}")
        print(f"      chain: {' -> '.join(link.name for link in voice.links)}")
        if voice.links and voice.primary.choice.type != "scripted":
            t = service.timeouts
            cold = (
                f"; its first reply of a session up to {t.cold_start:g} s (cold start"
                f"{', warmed up when a level starts' if s.file.get('warm_up', True) is not False else ''})"
                if service.is_cold(voice.primary)
                else ""
            )
            print(f"      budget: first words within {t.first_token:g} s{cold}, the whole reply {t.total:g} s")
        for problem in voice.problems:
            print(f"      problem: {problem}")
        if not args.no_health:
            for link in voice.links:
                key = (link.name, link.model, link.choice.base_url)
                if key not in checked:
                    try:
                        checked[key] = str(link.backend.health())
                    except Exception as exc:  # noqa: BLE001 - a plugin's broken health check is a result too
                        checked[key] = f"FAIL: health check raised {type(exc).__name__}: {redact(exc)}"
                print(f"      health of {link.name}: {checked[key]}")
    service.close()
    return 0
