"""The editor schema is generated from the format spec and agrees with the loader."""

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from game.story import spec
from game.story.loader import load_story

REPO = Path(__file__).parent.parent
STRUCTURAL = {"TT0003", "TT0004", "TT0005", "TT0007", "TT0105"}
# Duplicate keys vanish when YAML becomes data, so only the loader can see TT0002.
files = sorted({*REPO.glob("levels/**/*.yaml"), *REPO.glob("tests/fixtures/**/*.yaml")})


def validator():
    return jsonschema.Draft202012Validator(json.loads(spec.SCHEMA_PATH.read_text()))


def test_shipped_schema_is_the_generated_one():
    assert spec.SCHEMA_PATH.read_text() == spec.schema_text(), (
        "run: treacherous-turn schema -o game/story/level.schema.json"
    )
    jsonschema.Draft202012Validator.check_schema(json.loads(spec.SCHEMA_PATH.read_text()))


def test_every_level_names_the_schema():
    for f in REPO.glob("levels/**/*.yaml"):
        first = f.read_text().splitlines()[0]
        assert re.match(r"# yaml-language-server: \$schema=(\.\./)+game/story/level\.schema\.json$", first), f
        rel = first.split("=", 1)[1]
        assert (f.parent / rel).resolve() == spec.SCHEMA_PATH.resolve(), f


@pytest.mark.parametrize("path", files, ids=lambda p: str(p.relative_to(REPO)))
def test_loader_and_schema_agree(path):
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError:
        pytest.skip("not YAML: both refuse it (TT0001)")  # the loader's own test covers its message
    if data is None:
        pytest.skip("empty file")
    schema_ok = validator().is_valid(data)
    # An included fragment is checked on its own; its references are the parent's business.
    _, diags = load_story(path) if re.search(r"^(level|campaign)\s*:", path.read_text(), re.M) else (None, [])
    if not diags and not re.search(r"^(level|campaign)\s*:", path.read_text(), re.M):
        assert schema_ok, list(validator().iter_errors(data))[:3]
        return
    own = [d for d in diags if Path(d.file).resolve() == path.resolve()]
    structural = any(d.code in STRUCTURAL for d in own)
    assert schema_ok == (not structural), (
        f"schema {'accepts' if schema_ok else 'rejects'} but loader says {[d.code for d in own]}: "
        f"{[e.message for e in validator().iter_errors(data)][:3]}"
    )


def test_schema_command_check():
    out = subprocess.run([sys.executable, "-m", "game", "schema", "--check"], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr
