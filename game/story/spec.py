"""The level format, declared once: the loader reads its key lists from here and the
editor schema (level.schema.json) is generated from it, so the two cannot drift.

The keys of levels, campaigns, characters and scenes are declared here; each step type
declares its own (game/story/steps/). Each field: (JSON Schema fragment, description).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game.story.steps import EXPR  # one definition of what an expression looks like

if TYPE_CHECKING:
    from game.story.steps import Step

NAME = {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"}
TEXT = {"type": "string"}
TEXTS = {"oneOf": [TEXT, {"type": "array", "items": TEXT}]}
SCALAR = {"type": ["string", "number", "boolean", "null"]}

VARS = {"type": "object", "propertyNames": NAME, "additionalProperties": SCALAR}
EFFECTS = {
    "type": "object",
    "propertyNames": NAME,
    "additionalProperties": EXPR,
    "description": "variable: expression (quote text inside: '\"calm\"')",
}

INTENT = {
    "name": (TEXT, "a name for the intent (shown in debug output)"),
    "match": (TEXTS, "keywords or phrases that trigger it; 're:...' for a regular expression"),
    "replies": (TEXTS, "what the character may say; one is picked without repeats"),
    "values": (
        {"type": "object", "additionalProperties": {"type": "number", "minimum": -1, "maximum": 1}},
        "value-profile nudges when the player's words match",
    ),
}
INTENT_REQUIRED = ("match", "replies")

CHARACTER = {
    "name": (TEXT, "display name"),
    "color": ({"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"}, 'name colour, like "#7fd1ff"'),
    "persona": (TEXT, "who the character is: the system prompt for generated dialogue"),
    "backend": (TEXT, "the dialogue backend to use (scripted, openai, local, replay, or a plugin)"),
    "model": (TEXT, "model name for that backend"),
    "fallback": (TEXTS, "lines said when a backend fails or nothing matches"),
    "greeting": (TEXTS, "first line of a conversation"),
    "intents": (None, "scripted replies for the offline backend"),
    "secrets": (TEXTS, "facts the character knows but never puts in a prompt"),
    "generated": ({"type": "boolean"}, "lines marked generate: true may come from the backend"),
}
CHARACTER_REQUIRED = ("name",)


# Step kinds come from the step registry (game/story/steps/): each module declares its own
# head value, modifiers and description; this file declares the rest of the format.
def step_types() -> list[type[Step]]:
    from game.story import steps

    return steps.types()


def step_heads() -> tuple[str, ...]:
    from game.story import steps

    return steps.heads()


def step_modifiers() -> dict[str, tuple[str, ...]]:
    return {t.name: tuple(t.modifiers) for t in step_types()}


SCENE = {
    "steps": (None, "the scene's steps, run in order"),
    "background": (TEXT, "background picture name"),
    "title": (TEXT, "shown in save slots and the story graph"),
}

LEVEL = {
    "level": (NAME, "the level's id"),
    "title": (TEXT, "the level's title"),
    "start": (NAME, "the first scene"),
    "vars": (VARS, "variables and their starting values (values carried from earlier levels win)"),
    "values": (TEXTS, "value dimensions conversations measure (read as values.<name>)"),
    "characters": (None, "the cast"),
    "scenes": (None, "scene id: list of steps"),
    "include": (TEXTS, "other YAML files with more characters, vars or scenes"),
}
LEVEL_REQUIRED = ("level", "start")
INCLUDE_KEYS = ("vars", "values", "characters", "scenes", "include")

CAMPAIGN = {
    "campaign": (NAME, "the campaign's id"),
    "title": (TEXT, "its title"),
    "levels": ({"type": "array", "items": TEXT, "minItems": 1}, "level files, in the order they are played"),
    "vars": (VARS, "variables every level starts with"),
}
CAMPAIGN_REQUIRED = ("campaign", "levels")


def _object(
    fields: dict[str, Any], required: Sequence[str] = (), extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    props = {}
    for key, (schema, description) in fields.items():
        s = dict(schema or (extra or {}).get(key, {}))
        if description:
            s["description"] = description
        props[key] = s
    out = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    return out


def _props(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: dict(v[0] or {}, description=v[1]) if v[1] else dict(v[0] or {}) for k, v in fields.items()}


def schema() -> dict[str, Any]:
    """The JSON Schema of level files (levels, included fragments and campaigns)."""
    from game.story.steps.choice import OPTION, OPTION_REQUIRED

    types = step_types()
    reserved = sorted({*step_heads(), *(m for t in types for m in t.modifiers)})
    speaker = f"^(?!({'|'.join(reserved)})$)[A-Za-z][A-Za-z0-9_]*$"
    intent = _object(INTENT, INTENT_REQUIRED)
    character = _object(CHARACTER, CHARACTER_REQUIRED, {"intents": {"type": "array", "items": intent}})
    option = _object(OPTION, OPTION_REQUIRED)
    steps = []
    line = None
    for t in types:
        if t.name == "line":
            line = t
            continue
        value = dict(t.head_schema or {})
        if t.name == "choice":
            value["items"] = option
        if t.description:
            value.setdefault("description", t.description)
        props = {t.name: value, **_props(t.modifiers)}
        steps.append(
            {
                "type": "object",
                "required": [t.name],
                "properties": props,
                "additionalProperties": False,
                "title": f"{t.name} step",
            }
        )
    # A line: exactly one speaker key beside optional modifiers (counted with min/maxProperties).
    assert line is not None, "the line step type is always registered"
    count = _line_count(list(line.modifiers))
    steps.append(
        {
            "title": "line (speaker: text)",
            "type": "object",
            "properties": _props(line.modifiers),
            "patternProperties": {speaker: dict(line.head_schema or {})},
            "additionalProperties": False,
            **count,
        }
    )
    step = {"oneOf": steps}
    step_list = {"type": "array", "items": step}
    scene = {"oneOf": [step_list, _object(SCENE, ("steps",), {"steps": step_list})]}
    level_extra = {
        "characters": {"type": "object", "propertyNames": NAME, "additionalProperties": character},
        "scenes": {"type": "object", "propertyNames": NAME, "additionalProperties": scene},
    }
    level = _object(LEVEL, LEVEL_REQUIRED, level_extra)
    fragment = _object({k: LEVEL[k] for k in INCLUDE_KEYS}, (), level_extra)
    fragment["not"] = {"anyOf": [{"required": ["level"]}, {"required": ["campaign"]}]}
    campaign = _object(CAMPAIGN, CAMPAIGN_REQUIRED)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://treacherous-turn.example/level.schema.json",
        "title": "Treacherous Turn level",
        "description": "A level, a file it includes, or a campaign. Generated by `treacherous-turn schema`; "
        "see docs/writing-levels.md.",
        "oneOf": [
            {"title": "level", **level},
            {"title": "campaign", **campaign},
            {"title": "included file", **fragment},
        ],
    }


def _line_count(mods: list[str]) -> dict[str, Any]:
    """A line has its speaker key plus the modifiers present: with k of them, exactly k + 1 keys.
    Tested from the most modifiers down, so the first `at least k` that holds means exactly k."""
    import itertools

    chain: dict[str, Any] = {"minProperties": 1, "maxProperties": 1}
    for k in range(1, len(mods) + 1):
        at_least = (
            {"required": list(mods)}
            if k == len(mods)
            else {"anyOf": [{"required": list(c)} for c in itertools.combinations(mods, k)]}
        )
        chain = {"if": at_least, "then": {"minProperties": k + 1, "maxProperties": k + 1}, "else": chain}
    return chain


SCHEMA_PATH = Path(__file__).with_name("level.schema.json")


def schema_text() -> str:
    return json.dumps(schema(), indent=2) + "\n"
