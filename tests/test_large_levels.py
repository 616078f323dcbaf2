"""A large level is composed a batch of scenes at a time (loader._split_scenes): what it
reads, and where it reports mistakes, must be exactly what reading it whole gives."""

from game.story import loader
from game.story.runtime import Runtime

SCENES = 2 * loader.SCENES_PER_BATCH + 37


def big_level(mistake_at: int | None = None, comment_after_scenes: bool = False) -> str:
    out = [
        "level: corridor",
        "title: A long corridor",
        "start: s0",
        "vars:\n  doors: 0",
        "scenes:" + ("   # every room" if comment_after_scenes else ""),
    ]
    for i in range(SCENES):
        nxt = f"s{i + 1}" if i + 1 < SCENES else None
        out.append(f"  s{i}:")
        out.append(f"    - narrator: Room {i} of a corridor that goes on, and on, and on, and on.")
        if i == mistake_at:
            out.append("    - narator: misspelt")  # an unknown speaker, deep in a batch
        if nxt:
            out.append(
                f"    - choice:\n        - text: On to {i + 1}\n          goto: {nxt}\n"
                f"        - text: Count the doors\n          set: {{doors: doors + 1}}\n          goto: {nxt}"
            )
        else:
            out.append("    - end: corridor")
    return "\n".join(out) + "\n"


def load(tmp_path, text, whole: bool, monkeypatch):
    monkeypatch.setattr(loader, "SPLIT_AT_BYTES", 10**9 if whole else 1024)
    path = tmp_path / ("whole.yaml" if whole else "split.yaml")
    path.write_text(text)
    story, diags = loader.load_story(path, cache=False)
    return story, [(d.line, d.column, d.code, d.message) for d in diags]


def test_a_large_level_is_cut_between_scenes():
    split = loader._split_scenes(big_level())
    assert split is not None
    assert len(split.batches) == 3
    split = loader._split_scenes(big_level(comment_after_scenes=True))
    assert split is not None and len(split.batches) == 3


def test_batches_read_the_same_story_as_the_whole_file(tmp_path, monkeypatch):
    text = big_level()
    whole, d1 = load(tmp_path, text, True, monkeypatch)
    split, d2 = load(tmp_path, text, False, monkeypatch)
    assert d1 == d2 == []
    level_a, level_b = whole.levels[0], split.levels[0]
    assert list(level_a.scenes) == list(level_b.scenes)
    assert [s.pos.line for s in level_a.scenes.values()] == [s.pos.line for s in level_b.scenes.values()]
    # played the same way, both reach the end having counted the same doors
    for story in (whole, split):
        rt = Runtime(story, "Ada", 0)
        for _ in range(SCENES * 3):
            p = rt.current()
            if p.kind == "end":
                break
            if p.kind == "choice":
                rt.choose(p.options[1]["index"])
            else:
                rt.advance()
        assert rt.current().kind == "end"
        assert rt.world.vars["doors"] == SCENES - 1


def test_a_mistake_deep_in_a_batch_is_reported_at_its_line(tmp_path, monkeypatch):
    text = big_level(mistake_at=SCENES - 5)
    _, whole = load(tmp_path, text, True, monkeypatch)
    _, split = load(tmp_path, text, False, monkeypatch)
    assert whole and whole == split
    line = text.splitlines().index("    - narator: misspelt") + 1
    assert whole[0][0] == line


def test_a_level_that_cannot_be_cut_safely_is_read_whole():
    tabbed = big_level().replace("    - narrator: Room 7 ", "\t- narrator: Room 7 ", 1)
    assert loader._split_scenes(tabbed) is None
    two_blocks = big_level() + "scenes:\n  again:\n    - end: corridor\n"
    assert loader._split_scenes(two_blocks) is None
