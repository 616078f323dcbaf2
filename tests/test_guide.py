"""Every full level in the writer's guide loads cleanly and plays to an ending."""

import random
import re
from pathlib import Path

import pytest

from game.story.autoplay import Policy, play
from game.story.loader import load_story
from game.story.runtime import Runtime

GUIDE = Path(__file__).parent.parent / "docs" / "writing-levels.md"
BLOCKS = [b for b in re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(), re.S) if re.search(r"^level:", b, re.M)]


def test_the_guide_has_examples():
    assert len(BLOCKS) >= 7


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_guide_example_loads_and_plays(index, tmp_path):
    f = tmp_path / f"example{index}.yaml"
    f.write_text(BLOCKS[index])
    story, diags = load_story(f)
    assert story is not None, [d.format() for d in diags]
    for seed in range(3):
        rt = play(Runtime(story, "Reader", seed), Policy(rng=random.Random(seed), talk={"values": {"caution": 0.8}}))
        assert rt.ended and not rt.current().problem
