"""The compiled level cache: the same story as the YAML, rebuilt after any edit or damage, data only."""

import json

from game.story import cache
from game.story.autoplay import Policy, play
from game.story.loader import load_story
from game.story.runtime import Runtime

LEVEL = """\
level: c
start: a
vars: {n: 0, mood: calm}
scenes:
  a:
    - narrator: "Hello, {player}. n is {n}."
    - choice:
        - text: Up
          set: {n: n + 1}
          goto: b
        - text: "Stay ({mood})"
          if: n < 5
    - goto: b
  b:
    - if: n > 0
      narrator: Up we went.
    - end: done
      title: Done
      inscription: ["{player}", "Player 1", "Score: 0"]
"""


def _transcript(story, choices):
    return play(Runtime(story, "Ada", 3), Policy(choices=list(choices)), roundtrip=True).transcript


def test_a_cached_level_plays_exactly_as_the_source(tmp_path, monkeypatch):
    monkeypatch.setenv("TT_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "c.yaml"
    path.write_text(LEVEL)
    fresh, _ = load_story(path, cache=False)
    first, _ = load_story(path, cache=True)  # compiles and writes the entry
    entry = cache.entry_path(path)
    assert entry.exists()
    cached = cache.read_entry(entry)
    assert cached is not None, "the entry is read back"
    story, _ = load_story(path, cache=True)
    for choices in ([0], [1]):
        assert _transcript(story, choices) == _transcript(fresh, choices) == _transcript(first, choices)
    step = story.levels[0].scenes["a"].steps[1]
    assert step.options[0].effects[0][1].source == "n + 1" and step.triggers == ("pick@1.0", "pick@1.1")


def test_an_edit_rebuilds_the_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("TT_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "c.yaml"
    path.write_text(LEVEL)
    load_story(path, cache=True)
    path.write_text(LEVEL.replace("Up we went.", "Down we came."))
    story, _ = load_story(path, cache=True)
    rt = play(Runtime(story, "Ada", 3), Policy(choices=[0]))
    assert any(e.get("text") == "Down we came." for e in rt.transcript)


def _entry(path):
    head, _, body = cache.entry_path(path).read_bytes().partition(b"\n")
    return json.loads(head), json.loads(body)


def _write(path, header, body: bytes):

    cache.entry_path(path).write_bytes(json.dumps(header).encode() + b"\n" + body)


def test_a_damaged_or_foreign_entry_is_rebuilt_silently(tmp_path, monkeypatch):
    import hashlib

    monkeypatch.setenv("TT_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "c.yaml"
    path.write_text(LEVEL)
    load_story(path, cache=True)
    header, body = _entry(path)
    raw = json.dumps(body).encode()
    wrong = json.dumps(dict(body, lengths=[1, 2])).encode()
    damages = [
        lambda: cache.entry_path(path).write_text("{not json"),
        lambda: cache.entry_path(path).write_bytes(b"\x00" * 10),
        lambda: _write(path, dict(header, engine="someone else"), raw),
        lambda: _write(path, header, raw.replace(b"Hello", b"Jello")),  # digest no longer matches
        lambda: _write(path, dict(header, digest=hashlib.sha256(wrong).hexdigest()), wrong),
    ]
    for damage in damages:
        damage()
        story, diags = load_story(path, cache=True)
        assert story is not None and not diags
        assert story.levels[0].scenes["a"].steps[0].text.source.startswith("Hello")
        assert cache.read_entry(cache.entry_path(path)) is not None, "the rebuilt entry is sound again"


def test_levels_with_errors_are_not_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("TT_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "c.yaml"
    path.write_text(LEVEL.replace("goto: b\n  b:", "goto: nowhere\n  b:"))
    story, diags = load_story(path, cache=True)
    assert story is None and any(d.code == "TT0101" for d in diags)
    assert not cache.entry_path(path).exists()


def test_the_entry_is_data_only(tmp_path, monkeypatch):
    monkeypatch.setenv("TT_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "c.yaml"
    path.write_text(LEVEL)
    load_story(path, cache=True)
    header, body = _entry(path)
    assert header["format"] == "tt-level-cache" and "Hello, {player}" in body["texts"]
