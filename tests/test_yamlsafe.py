"""Bounded YAML: alias bombs, recursive aliases, deep nesting and huge numbers are refused at
their place, quickly, in every file the game reads (levels, campaigns, settings)."""

import tracemalloc
from pathlib import Path

import pytest
import yaml

from game import yamlsafe
from game.story.loader import load_story
from tests.hostile import BOMB

LEVELS = Path(__file__).parent.parent / "levels"
LAUGHS = "{" + ", ".join(f"k{i}: {b}" for i, b in enumerate(BOMB)) + "}"  # 9**9 nodes once expanded


def test_billion_laughs_refused_at_its_place_without_expanding():
    text = "title: x\nbomb: " + LAUGHS + "\n"
    tracemalloc.start()
    with pytest.raises(yamlsafe.LimitError) as err:
        yamlsafe.load(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 8 * 2**20
    assert "aliases" in err.value.problem and "100,000" in err.value.problem
    assert err.value.problem_mark.line == 1  # the bomb's line (0-based), not the top of the file
    assert yamlsafe.describe(err.value, "f.yaml").startswith("f.yaml:2:")


def test_small_aliases_still_work():
    assert yamlsafe.load("a: &d {x: 1, y: [2, 3]}\nb: *d\nc: [*d, *d]\n") == {
        "a": {"x": 1, "y": [2, 3]},
        "b": {"x": 1, "y": [2, 3]},
        "c": [{"x": 1, "y": [2, 3]}] * 2,
    }


def test_recursive_alias_refused():
    with pytest.raises(yamlsafe.LimitError, match="never ends"):
        yamlsafe.load("a: &a [1, *a]\n")


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 150 + "]" * 150,
        "a: " + "{b: " * 150 + "1" + "}" * 150,
        # 60 deep as written, 120 once the alias is put in place
        "a: &x " + "[" * 60 + "]" * 60 + "\nb: " + "[" * 60 + "*x" + "]" * 60,
    ],
)
def test_deep_nesting_refused(text):
    with pytest.raises(yamlsafe.LimitError, match="nested more than 100 deep"):
        yamlsafe.load(text)


def test_huge_integer_and_bad_timestamp_named_at_their_value():
    with pytest.raises(yamlsafe.LimitError, match="5,000 characters") as err:
        yamlsafe.load("a: 1\nb: " + "9" * 5000 + "\n")
    assert err.value.problem_mark.line == 1
    with pytest.raises(yaml.MarkedYAMLError, match="month must be in 1..12") as err:
        yamlsafe.load("a: 1\nb: 2020-13-45\n")
    assert yamlsafe.describe(err.value, "s.yaml") == "s.yaml:2:4: cannot read this value: month must be in 1..12"


def test_text_with_ampersands_is_not_mistaken_for_anchors():
    assert not yamlsafe.may_have_anchors("a: R&D and Q & A\n")
    for text in ("a: &x 1", '{"a":&x 1}', "[&x 1]", "&x [1]", "- &x 1"):
        assert yamlsafe.may_have_anchors(text), text


def _copy_demo(tmp_path: Path) -> Path:
    for f in ("demo.yaml", "demo_characters.yaml"):
        (tmp_path / f).write_text((LEVELS / "examples" / f).read_text())
    return tmp_path / "demo.yaml"


def test_level_params_alias_bomb_is_a_clean_diagnostic(tmp_path):
    path = _copy_demo(tmp_path)
    text = path.read_text()
    assert "params: {waves: 2}" in text
    path.write_text(text.replace("params: {waves: 2}", "params: {waves: 2, budget: " + LAUGHS + "}"))
    story, diags = load_story(path, cache=False)
    assert story is None
    errors = [d for d in diags if d.severity == "error"]
    assert len(errors) == 1 and errors[0].code == "TT0001" and "aliases" in errors[0].message
    line = next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if "budget:" in ln)
    assert errors[0].line == line


def test_campaign_vars_alias_bomb_is_a_clean_diagnostic(tmp_path):
    level = _copy_demo(tmp_path)
    campaign = tmp_path / "campaign.yaml"
    campaign.write_text(f"campaign: c\ntitle: C\nvars: {LAUGHS}\nlevels:\n  - {level.name}\n")
    story, diags = load_story(campaign, cache=False)
    assert story is None
    assert any(d.code == "TT0001" and d.line == 3 and "aliases" in d.message for d in diags), diags


def test_huge_integer_refused_in_a_level_whose_loader_resolves_tags_late(tmp_path):
    path = _copy_demo(tmp_path)
    text = path.read_text()
    path.write_text(text.replace("params: {waves: 2}", "params: {waves: " + "9" * 5000 + "}"))
    story, diags = load_story(path, cache=False)
    assert story is None and any(d.code in ("TT0001", "TT0004") for d in diags)


def test_cli_set_values_and_playtest_policies_are_bounded_too(tmp_path):
    from game.commands.play import parse_sets
    from game.commands.playtest import load_policy

    with pytest.raises(ValueError, match="--set x: aliases"):
        parse_sets(["x=" + LAUGHS])
    policy = tmp_path / "policy.yaml"
    policy.write_text("talk: " + LAUGHS + "\n")
    with pytest.raises(ValueError, match=r"policy.yaml:1:\d+: aliases"):
        load_policy(str(policy))


@pytest.mark.parametrize("anchored", [False, True])
def test_the_depth_limit_is_the_same_with_or_without_anchors(anchored):
    extra = "\nz: &z 1" if anchored else ""
    ok = "a: " + "[" * 99 + "1" + "]" * 99 + extra  # the root mapping and 99 lists: 100 deep
    assert yamlsafe.may_have_anchors(ok) is anchored
    yamlsafe.load(ok)
    with pytest.raises(yamlsafe.LimitError, match="nested more than 100 deep"):
        yamlsafe.load("a: " + "[" * 100 + "1" + "]" * 100 + extra)


def test_aliases_repeating_long_text_are_bounded_by_characters_too():
    big = "x" * 100_000
    text = f"a: &a {big}\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b]\n"
    with pytest.raises(yamlsafe.LimitError, match="more than 4 MB of text"):
        yamlsafe.load(text)
    yamlsafe.load(f"a: &a {big}\nb: [*a, *a, *a]\n")  # a few repeats are fine
