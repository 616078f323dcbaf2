"""Which dialogue backends this install knows: the built-ins and the `game.dialogue_backends` entry points.

A backend is a class (or factory) called with keyword settings (`model`, `base_url`,
`api_key`, plus anything the designer wrote under its entry in settings.yaml) and
returning an object with the `DialogueBackend` shape. Imports are lazy: listing names
imports nothing, so `openai` is only imported when an openai backend is built.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

GROUP = "game.dialogue_backends"

BUILTIN: dict[str, str] = {
    "scripted": "game.dialogue.backends.scripted:ScriptedBackend",
    "openai": "game.dialogue.backends.openai_backend:OpenAIBackend",
    "local": "game.dialogue.backends.local:LocalBackend",
    "replay": "game.dialogue.backends.replay:ReplayBackend",
}


class UnknownBackend(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def available() -> dict[str, str]:
    """name -> import target ("module:attr") of every backend installed. Built-ins win a name clash."""
    found = dict(BUILTIN)
    for ep in entry_points(group=GROUP):
        found.setdefault(ep.name, ep.value)
    return found


def origin(name: str) -> str:
    return "built-in" if name in BUILTIN else "plugin"


def load(name: str) -> Any:
    table = available()
    if name not in table:
        raise UnknownBackend(f"unknown dialogue backend '{name}' (installed: {', '.join(sorted(table))})")
    module_name, _, attr = table[name].partition(":")
    obj = importlib.import_module(module_name)
    for part in attr.split(".") if attr else []:
        obj = getattr(obj, part)
    return obj


def create(name: str, **config: Any) -> Any:
    """Build backend `name` with its settings. Raises UnknownBackend, or ImportError when its extra is absent."""
    factory = load(name)
    backend = factory(**config)
    if not getattr(backend, "name", None):
        backend.name = name
    return backend
