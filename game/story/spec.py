"""The level format, declared once: the loader reads its key lists from here and the
editor schema (level.schema.json) is generated from it, so the two cannot drift.

Each field: (JSON Schema fragment, one-line description). `EXPR` marks an expression.
"""
from __future__ import annotations

import json
from pathlib import Path

from game.story import questions

NAME = {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"}
TEXT = {"type": "string"}
EXPR = {"type": ["string", "number", "boolean"], "description": "an expression, e.g. trust > 2 and values.caution > 0"}
TEXTS = {"oneOf": [TEXT, {"type": "array", "items": TEXT}]}
SCALAR = {"type": ["string", "number", "boolean", "null"]}

VARS = {"type": "object", "propertyNames": NAME, "additionalProperties": SCALAR}
EFFECTS = {"type": "object", "propertyNames": NAME, "additionalProperties": EXPR,
           "description": "variable: expression (quote text inside: '\"calm\"')"}

INTENT = {
    "name": (TEXT, "a name for the intent (shown in debug output)"),
    "match": (TEXTS, "keywords or phrases that trigger it; 're:...' for a regular expression"),
    "replies": (TEXTS, "what the character may say; one is picked without repeats"),
    "values": ({"type": "object", "additionalProperties": {"type": "number", "minimum": -1, "maximum": 1}},
               "value-profile nudges when the player's words match"),
}
INTENT_REQUIRED = ("match", "replies")

CHARACTER = {
    "name": (TEXT, "display name"),
    "color": ({"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"}, "name colour, like \"#7fd1ff\""),
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

OPTION = {
    "text": (TEXT, "what the option says; {expr} is interpolated"),
    "if": (EXPR, "offered only when this holds"),
    "set": (EFFECTS, "variables to change when taken"),
    "goto": (NAME, "scene to jump to (otherwise the scene goes on)"),
}
OPTION_REQUIRED = ("text",)

TALK = {
    "with": (NAME, "the character to talk with"),
    "turns": ({"type": "integer", "minimum": 1}, "how many times the player speaks"),
    "goal": (TEXT, "what the character wants from the conversation"),
    "measures": (TEXTS, "value dimensions the answers are scored on (declared under values:)"),
    "questions": (None, "questions the character asks, in order (plain text, or declared: see questions.py)"),
    "as": (NAME, "store the outcome under this name (as.turns, as.<dimension>)"),
}
TALK_REQUIRED = ("with",)

# Step kinds: the head key, its value, and the modifiers allowed beside it.
STEPS = {
    "choice": ({"type": "array", "minItems": 1}, {"if": EXPR, "prompt": TEXT}),
    "set": (EFFECTS, {"if": EXPR}),
    "goto": (NAME, {"if": EXPR}),
    "talk": (None, {"if": EXPR}),
    "minigame": (NAME, {"if": EXPR, "params": {"type": "object"}, "as": NAME,
                        "default": {"type": "object", "additionalProperties": SCALAR}}),
    "end": (NAME, {"if": EXPR, "title": TEXT, "text": TEXT}),
}
LINE_MODIFIERS = {"if": EXPR, "generate": {"type": "boolean"}}
STEP_HEADS = tuple(STEPS)
STEP_MODIFIERS = {"line": tuple(LINE_MODIFIERS), **{k: tuple(v[1]) for k, v in STEPS.items()}}

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


def _object(fields: dict, required=(), extra: dict | None = None) -> dict:
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


def schema() -> dict:
    """The JSON Schema of level files (levels, included fragments and campaigns)."""
    reserved = sorted({*STEP_HEADS, *(m for ms in STEP_MODIFIERS.values() for m in ms)})
    speaker = f"^(?!({'|'.join(reserved)})$)[A-Za-z][A-Za-z0-9_]*$"
    intent = _object(INTENT, INTENT_REQUIRED)
    character = _object(CHARACTER, CHARACTER_REQUIRED, {"intents": {"type": "array", "items": intent}})
    option = _object(OPTION, OPTION_REQUIRED)
    talk = _object(TALK, TALK_REQUIRED, {"questions": questions.json_schema()})
    steps = []
    for head, (value, modifiers) in STEPS.items():
        value = {"type": "array", "minItems": 1, "items": option} if head == "choice" else (value or talk)
        props = {head: value, **modifiers}
        steps.append({"type": "object", "required": [head], "properties": props, "additionalProperties": False,
                      "title": f"{head} step"})
    # A line: exactly one speaker key beside optional modifiers (counted with min/maxProperties).
    n_mods = [{"required": ["if", "generate"]}, {"anyOf": [{"required": ["if"]}, {"required": ["generate"]}]}]
    steps.append({
        "title": "line (speaker: text)", "type": "object", "properties": dict(LINE_MODIFIERS),
        "patternProperties": {speaker: {"type": ["string", "number"]}}, "additionalProperties": False,
        "if": n_mods[0], "then": {"minProperties": 3, "maxProperties": 3},
        "else": {"if": n_mods[1], "then": {"minProperties": 2, "maxProperties": 2},
                 "else": {"minProperties": 1, "maxProperties": 1}},
    })
    step = {"oneOf": steps}
    step_list = {"type": "array", "items": step}
    scene = {"oneOf": [step_list, _object(SCENE, ("steps",), {"steps": step_list})]}
    level_extra = {"characters": {"type": "object", "propertyNames": NAME, "additionalProperties": character},
                   "scenes": {"type": "object", "propertyNames": NAME, "additionalProperties": scene}}
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
        "oneOf": [{"title": "level", **level}, {"title": "campaign", **campaign},
                  {"title": "included file", **fragment}],
    }


SCHEMA_PATH = Path(__file__).with_name("level.schema.json")


def schema_text() -> str:
    return json.dumps(schema(), indent=2) + "\n"
