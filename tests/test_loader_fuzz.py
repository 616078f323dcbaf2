"""Whatever a writer types, the loader answers with diagnostics, never a traceback."""

import random
from pathlib import Path

from game.story.autoplay import Policy, play
from game.story.loader import load_story
from game.story.runtime import Runtime

LEVELS = sorted((Path(__file__).parent.parent / "levels").rglob("*.yaml"))


def mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        op = rng.randrange(6)
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 2 and lines[i]:
            j = rng.randrange(len(lines[i]))
            lines[i] = lines[i][:j] + rng.choice(":-{}[]'\"#&*!|> \t") + lines[i][j + 1 :]
        elif op == 3:
            lines[i] = "  " + lines[i]
        elif op == 4:
            lines[i] = lines[i].lstrip()
        else:
            lines[i] = lines[i].replace(": ", ": {x: ", 1)
    return "\n".join(lines) + "\n"


def test_mutated_levels_never_raise(tmp_path):
    rng = random.Random(1234)
    for n in range(800):
        source = rng.choice(LEVELS)
        target = tmp_path / source.relative_to(source.parent.parent)
        target.parent.mkdir(parents=True, exist_ok=True)
        for sibling in source.parent.glob("*.yaml"):  # includes resolve next to the mutated file
            (target.parent / sibling.name).write_text(sibling.read_text())
        target.write_text(mutate(source.read_text(), rng))
        story, diags = load_story(target)
        if story is None:
            assert diags and all(d.line >= 1 and d.column >= 1 and d.code.startswith("TT") for d in diags)
        else:
            try:
                play(Runtime(story, "Fuzz", n), Policy(rng=random.Random(n)), max_prompts=5000)
            except RuntimeError as exc:  # a mutation can make a loop that shows lines forever: a story, not a crash
                assert "no ending" in str(exc)
