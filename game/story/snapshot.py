"""Checking a runtime snapshot (a save) against the story it claims to continue.

A save is data from disk: damaged, edited or made by another version. Before a runtime
is built from one, every field is checked for its type and range and against the story:
the level and scene exist, the step index is inside the scene, the variables are ones
the story declares (records only where a conversation or minigame stores one), the value
profile is numbers in [-1, 1], the random state is a real one. A save that does not fit
is refused with a message saying which field and why; nothing of it is half-applied.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from game.story.model import Story
from game.textsafe import clean_line

if TYPE_CHECKING:
    from game.story.steps.end import EndPrompt

MAX_TRANSCRIPT = 200_000  # entries; a long campaign writes a few thousand
MAX_TEXT = 100_000  # characters in one string of a save
MAX_NAME = 200  # characters in the player's name


class SnapshotError(ValueError):
    """The snapshot does not fit the story: the message names the field."""


@dataclass
class Checked:
    seed: int
    world: dict[str, Any]
    transcript: list[Any]
    ended: bool
    ending: str | None
    end: Any
    level_index: int
    scene: str
    pc: int
    announce: bool
    rng_before: list[Any] | None


def _text(value: Any, where: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise SnapshotError(f"{where} should be text, found {type(value).__name__}")
    if len(value) > limit:
        raise SnapshotError(f"{where} is {len(value):,} characters long (at most {limit:,})")
    return value


def _int(value: Any, where: str, lo: int | None = None, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SnapshotError(f"{where} should be a whole number, found {type(value).__name__}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise SnapshotError(f"{where} is {value}, outside {lo}..{hi}")
    return value


def _scalar(value: Any, where: str) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if value.bit_length() > 4096:
            raise SnapshotError(f"{where} is a number too large to be the story's")
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        return _text(value, where)
    raise SnapshotError(f"{where} should be a number, text or true/false, found {type(value).__name__}")


def _category(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (bool, int, float)):
        return "a number"
    return "text" if isinstance(value, str) else type(value).__name__


def check_rng(value: Any, where: str = "the random state") -> list[Any]:
    if not isinstance(value, (list, tuple)) or len(value) != 3:
        raise SnapshotError(f"{where} should be [version, state, gauss]")
    version, internal, gauss = value
    _int(version, f"{where}'s version", 1, 3)
    if (
        not isinstance(internal, (list, tuple))
        or len(internal) != 625
        or not all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x < 2**32 for x in internal[:624])
        or not (isinstance(internal[624], int) and 0 <= internal[624] <= 624)
    ):
        raise SnapshotError(f"{where} is not a Mersenne Twister state")
    if gauss is not None and not isinstance(gauss, float):
        raise SnapshotError(f"{where}'s gauss should be a number or none")
    return [version, list(internal), gauss]


def _world(story: Story, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise SnapshotError("'world' should be a mapping")
    player = clean_line(_text(data.get("player"), "the player's name", MAX_NAME))  # shown on screen
    declared: dict[str, Any] = dict(story.vars)
    stores: set[str] = set()
    assigned: set[str] = set()
    for level in story.levels:
        declared.update({k: v for k, v in level.vars.items() if k not in declared})
        for _sid, _i, step in level.steps():
            stores.update(name for name, _kind, _detail in step.stores())
            assigned.update(step.writes())
    vars_ = data.get("vars")
    if not isinstance(vars_, dict):
        raise SnapshotError("the variables should be a mapping")
    clean: dict[str, Any] = {}
    for name, value in vars_.items():
        if not isinstance(name, str):
            raise SnapshotError("a variable name is not text")
        if name in stores and name not in declared:
            if not isinstance(value, dict):
                raise SnapshotError(f"'{name}' holds a conversation's or minigame's result and should be a record")
            clean[name] = {
                _text(k, f"a field name of '{name}'", MAX_NAME): _scalar(v, f"'{name}.{k}'") for k, v in value.items()
            }
        elif name in declared:
            clean[name] = _scalar(value, f"variable '{name}'")
            # A variable no step assigns keeps the kind it is declared with (numbers and true/false
            # are one kind): another kind is an edited save or a story changed since. One a `set:`
            # assigns may hold any value its expression gives (text where it started as a number),
            # so only its shape is checked; a wrong kind there is a run-time note, not a crash.
            if name not in assigned and _category(declared[name]) not in (None, _category(value)):
                raise SnapshotError(
                    f"variable '{name}' should be {_category(declared[name])} as the story "
                    f"declares it, found {_category(value) or 'nothing'}"
                )
        else:
            raise SnapshotError(f"the save has a variable '{name}' this story does not declare")
    values = data.get("values")
    if not isinstance(values, dict):
        raise SnapshotError("the value profile should be a mapping")
    profile = {}
    for dim, v in values.items():
        if (
            not isinstance(dim, str)
            or isinstance(v, bool)
            or not isinstance(v, (int, float))
            or not math.isfinite(v)
            or not -1.0 <= v <= 1.0
        ):
            raise SnapshotError(f"the value profile's '{dim}' should be a number from -1 to 1, found {v!r}")
        profile[dim] = float(v)
    visits = data.get("visits")
    if not isinstance(visits, dict):
        raise SnapshotError("the visit counts should be a mapping")
    for scene, n in visits.items():
        _text(scene, "a visited scene's name", MAX_NAME)
        _int(n, f"the visits of '{scene}'", 0, 2**62)
    picks = data.get("picks", {})
    if not isinstance(picks, dict):
        raise SnapshotError("the line pools' counts should be a mapping")
    for key, n in picks.items():
        _text(key, "a line pool's key", MAX_NAME)
        _int(n, f"the count of line pool '{key}'", 0, 2**62)
    seed = data.get("seed", 0)
    _int(seed, "the world's seed", -(2**63), 2**63)
    recalled: dict[str, Any] = {}
    for key in ("said", "drew"):
        items = data.get(key, [])
        if not isinstance(items, list) or len(items) > 10_000:
            raise SnapshotError(f"'{key}' should be a list of texts")
        recalled[key] = [_text(x, f"an entry of '{key}'", 10_000) for x in items]
    labels = data.get("labels", {})
    if not isinstance(labels, dict) or len(labels) > 1000:
        raise SnapshotError("the taken-over labels should be a mapping")
    recalled["labels"] = {_text(k, "a label", 1000): _text(v, f"the label for '{k}'", 1000) for k, v in labels.items()}
    return {
        "player": player,
        "vars": clean,
        "values": profile,
        "visits": dict(visits),
        "picks": dict(picks),
        "seed": seed,
        **recalled,
        "rng": check_rng(data.get("rng")),
    }


def _transcript(data: Any) -> list[Any]:
    if not isinstance(data, list):
        raise SnapshotError("the transcript should be a list")
    if len(data) > MAX_TRANSCRIPT:
        raise SnapshotError(f"the transcript has {len(data):,} entries (at most {MAX_TRANSCRIPT:,})")
    out = []
    for i, entry in enumerate(data):
        if not isinstance(entry, dict) or not isinstance(entry.get("kind"), str):
            raise SnapshotError(f"transcript entry {i} should be a mapping with a 'kind'")
        for k, v in entry.items():
            if not isinstance(k, str):
                raise SnapshotError(f"transcript entry {i} has a key that is not text")
            if isinstance(v, str) and len(v) > MAX_TEXT:
                raise SnapshotError(f"transcript entry {i}'s '{k}' is too long")
        out.append(dict(entry))
    return out


def _end(data: Any, scene: str) -> EndPrompt | None:
    from game.story.steps.end import EndPrompt

    if not isinstance(data, dict):
        raise SnapshotError("an ended save should say how it ended ('end')")
    lines = {}
    for key in ("epilogue", "inscription"):
        items = data.get(key) or []
        if not isinstance(items, list):
            raise SnapshotError(f"the ending's {key} should be a list of lines")
        lines[key] = [_text(x, f"a line of the ending's {key}") for x in items[:200]]
    return EndPrompt(
        _text(data.get("key", ""), "the ending's key", MAX_NAME),
        _text(data.get("ending", ""), "the ending id", MAX_NAME),
        _text(data.get("title", ""), "the ending's title"),
        _text(data.get("text", ""), "the ending's text"),
        scene,
        _text(data.get("problem", ""), "the ending's problem"),
        lines["epilogue"],
        lines["inscription"],
    )


def check_snapshot(story: Story, data: dict[str, Any]) -> Checked:
    ids = [lv.id for lv in story.levels]
    level_id = data.get("level")
    if level_id not in ids:
        raise SnapshotError(f"the save's level '{level_id}' is not in this story")
    index = ids.index(level_id)
    level = story.levels[index]
    scene = data.get("scene")
    if not isinstance(scene, str) or scene not in level.scenes:
        raise SnapshotError(f"the save's scene '{scene}' is not in level '{level_id}'")
    steps = level.scenes[scene].steps
    pc = _int(data.get("pc"), "the step index", 0, len(steps))
    seed = _int(data.get("seed"), "the seed", -(2**63), 2**63)
    world = _world(story, data.get("world"))
    transcript = _transcript(data.get("transcript"))
    ended = data.get("ended", False)
    if not isinstance(ended, bool):
        raise SnapshotError("'ended' should be true or false")
    ending = data.get("ending")
    if ending is not None:
        _text(ending, "the ending id", MAX_NAME)
    end = None
    if ended:
        saved = data.get("end")
        if saved is None and data.get("version") == 1 and isinstance(data.get("prompt"), dict):
            saved = data["prompt"]  # an older save kept its ending in its last prompt
        end = _end(saved, scene)
    announce = data.get("announce", False)
    if not isinstance(announce, bool):
        raise SnapshotError("'announce' should be true or false")
    rng_before = data.get("rng_before")
    if rng_before is not None:
        rng_before = check_rng(rng_before, "the random state before the prompt")
    return Checked(seed, world, transcript, ended, ending, end, index, scene, pc, announce, rng_before)


MAX_TURNS = 1000  # turns of one conversation kept in a save


def _turns(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list) or len(value) > MAX_TURNS:
        raise SnapshotError(f"{where} should be a list of at most {MAX_TURNS} turns")
    for i, turn in enumerate(value):
        if not isinstance(turn, dict):
            raise SnapshotError(f"turn {i} of {where} should be a mapping")
        for k, v in turn.items():
            if not isinstance(k, str):
                raise SnapshotError(f"turn {i} of {where} has a key that is not text")
            _plain(v, f"'{k}' of turn {i} of {where}")
    return [dict(t) for t in value]


def _plain(value: Any, where: str, depth: int = 0) -> None:
    """A value a turn records: a scalar, or a small list or mapping of them (a turn's scores by
    value dimension, the backend's figures), at most three deep."""
    if isinstance(value, dict):
        if depth >= 3 or len(value) > 100:
            raise SnapshotError(f"{where} should be a small mapping (at most 100 entries, 3 deep)")
        for k, v in value.items():
            if not isinstance(k, str):
                raise SnapshotError(f"{where} has a key that is not text")
            _plain(v, f"'{k}' of {where}", depth + 1)
    elif isinstance(value, list):
        if depth >= 3 or len(value) > 100:
            raise SnapshotError(f"{where} should be a short list (at most 100 items, 3 deep)")
        for j, v in enumerate(value):
            _plain(v, f"item {j} of {where}", depth + 1)
    else:
        _scalar(value, where)


def check_screen(state: Any, prompt: Any) -> dict[str, Any]:
    """The front end's saved screen state, checked against the prompt the restored runtime is at.

    A save shows a generated line or a conversation in progress; that state must belong to the
    step the runtime stands on (same kind of step, same line key, same character), and have the
    shape the screen reads. SnapshotError names what does not fit."""
    if state is None:
        return {}
    if not isinstance(state, dict):
        raise SnapshotError("the screen state should be a mapping")
    mode = state.get("mode")
    if mode is None:
        return dict(state)
    if not isinstance(mode, str):
        raise SnapshotError("the screen's mode should be text")
    kind = getattr(prompt, "kind", None)
    # Only a mode that carries what its step showed must match the step (a bare mode is ignored there).
    carries = (mode == "line" and state.get("generated") is not None) or (
        mode == "talk" and (state.get("conversation") is not None or state.get("turns"))
    )
    if carries and mode != kind:
        raise SnapshotError(
            f"the save shows a {mode} but the story is at a {kind or 'step'} there "
            f"(scene '{getattr(prompt, 'scene', '?')}')"
        )
    out = dict(state)
    if mode == "line" and state.get("generated") is not None:
        gen = state["generated"]
        if not isinstance(gen, dict) or not isinstance(gen.get("text"), str):
            raise SnapshotError("the saved generated line should be a mapping with its 'text'")
        _text(gen["text"], "the saved generated line")
        for k, v in gen.items():
            _plain(v, f"the saved generated line's '{k}'")
        out["generated"] = dict(gen)
    if mode == "talk" and kind == "talk":
        conv = state.get("conversation")
        if conv is not None:
            if not isinstance(conv, dict):
                raise SnapshotError("the saved conversation should be a mapping")
            if conv.get("key") not in (None, getattr(prompt, "key", None)):
                raise SnapshotError(
                    f"the saved conversation belongs to another step ('{_text(conv.get('key'), 'its key', MAX_NAME)}'), "
                    f"not '{getattr(prompt, 'key', '?')}'"
                )
            if conv.get("character") not in (None, getattr(prompt, "character", None)):
                raise SnapshotError(
                    f"the saved conversation is with '{_text(conv.get('character'), 'its character', MAX_NAME)}', "
                    f"not '{getattr(prompt, 'character', '?')}'"
                )
            _text(conv.get("player", ""), "the saved conversation's player", MAX_NAME)
            values = conv.get("values", {})
            if not isinstance(values, dict) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values.values()
            ):
                raise SnapshotError("the saved conversation's values should be numbers")
            _turns(conv.get("turns", []), "the saved conversation")
            _int(conv.get("q_index", 0), "the saved conversation's question index", 0, 10_000)
            used = conv.get("used", [])
            if not isinstance(used, list) or len(used) > 10_000:
                raise SnapshotError("the saved conversation's used lines should be a list")
            for u in used:
                _text(u, "a used line of the saved conversation")
        out["turns"] = _turns(state.get("turns", []), "the saved talk")
    return out
