"""Hot reload: carry a running story over to a freshly loaded version of its files."""

from __future__ import annotations

import os

from game.story.model import Story
from game.story.runtime import Runtime


def story_files(story: Story) -> list[str]:
    files = [story.file]
    for level in story.levels:
        files.extend(level.files)
    return list(dict.fromkeys(files))


def mtimes(story: Story) -> dict[str, float]:
    out: dict[str, float] = {}
    for f in story_files(story):
        try:
            out[f] = os.stat(f).st_mtime_ns
        except OSError:
            out[f] = -1
    return out


def carry_over(runtime: Runtime, new_story: Story) -> tuple[Runtime, str]:
    """A runtime on `new_story` at the same level, scene and step when they still exist.

    Variables, the value profile, visits, transcript and random state are kept. When the
    scene is gone, the player goes to the level's start (or the first level) and the
    notice says so. The prompt is recomputed, so edited text shows at once.
    """
    snap = runtime.snapshot()
    snap["story"] = new_story.id
    notice = "reloaded the level files"
    ids = [lv.id for lv in new_story.levels]
    if snap["level"] not in ids:
        snap["level"] = ids[0]
        snap["scene"] = new_story.levels[0].start
        snap["pc"] = 0
        notice = f"level '{runtime.level.id}' is gone after the reload; restarted at '{ids[0]}'"
    else:
        level = new_story.levels[ids.index(snap["level"])]
        if snap["scene"] not in level.scenes:
            notice = f"scene '{snap['scene']}' is gone after the reload; moved to the level's start '{level.start}'"
            snap["scene"] = level.start
            snap["pc"] = 0
        else:
            steps = level.scenes[snap["scene"]].steps
            if snap["pc"] >= len(steps):
                snap["pc"] = max(0, len(steps) - 1)
                notice = f"scene '{snap['scene']}' got shorter; moved to its last step"
    for name, value in new_story.levels[ids.index(snap["level"])].vars.items():
        snap["world"]["vars"].setdefault(name, value)  # new variables appear with their initial value
    kept = _known_names(new_story)
    gone = sorted(n for n in snap["world"]["vars"] if n not in kept)
    for name in gone:  # a variable the edit removed is dropped, and said so
        del snap["world"]["vars"][name]
    if gone:
        notice += f" (dropped variables no longer declared: {', '.join(gone)})"
    snap["rng_before"] = None
    return Runtime.restore(new_story, snap), notice


def _known_names(story: Story) -> set[str]:
    names = set(story.vars)
    for level in story.levels:
        names |= set(level.vars)
        for _sid, _i, step in level.steps():
            names |= {name for name, _kind, _detail in step.stores()}
    return names


def changed(story: Story, before: dict[str, float]) -> bool:
    return mtimes(story) != before
