"""`treacherous-turn new PATH`: start a story project a writer can play, check and build on."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

HELP = "start a new story project in a folder (a level, a cast, settings, the schema, a README and a test)"
FILES = ("story.yaml", "characters.yaml", "settings.yaml", "README.md", "test_story.py")


def add_arguments(p) -> None:
    p.add_argument("path", help="the folder to create (it must not exist, or be empty)")
    p.add_argument("--title", help="the story's title (default: from the folder's name)")


def run(args) -> int:
    target = Path(args.path)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        print(f"new: {target} already exists and is not an empty folder; choose another", file=sys.stderr)
        return 2
    target.mkdir(parents=True, exist_ok=True)
    starter = resources.files("game") / "starter"
    title = args.title or target.resolve().name.replace("_", " ").replace("-", " ").title()
    story_id = "".join(c if c.isalnum() else "_" for c in target.resolve().name.lower()).strip("_") or "my_story"
    if not story_id[0].isalpha():
        story_id = "story_" + story_id
    for name in FILES:
        text = (starter / name).read_text(encoding="utf-8")
        if name in ("story.yaml", "README.md"):
            text = text.replace("level: my_story", f"level: {story_id}").replace("My Story", title)
        (target / name).write_text(text, encoding="utf-8")
    from game.story import spec

    (target / "level.schema.json").write_text(spec.schema_text(), encoding="utf-8")
    print(f"made {target}/: {', '.join(FILES + ('level.schema.json',))}")
    print(f"  play it:     treacherous-turn play {target}   (or play --text {target})")
    print(f"  check it:    treacherous-turn validate {target} --strict")
    return 0
