"""settings.yaml written by hand or damaged: every bad value is reported once, naming the field and
what it expects, and its default is used; nothing raises. Both readers: the UI's and the dialogue's."""

import logging

import pytest

from game import settings as ui_settings
from game.dialogue.settings import Settings as DialogueSettings
from game.paths import config_dir
from tests.hostile import BOMB

LAUGHS = "{" + ", ".join(f"k{i}: {b}" for i, b in enumerate(BOMB)) + "}"


def write(data) -> None:
    path = config_dir() / "settings.yaml"
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")


def test_each_wrongly_typed_value_is_named_with_what_it_expects_and_defaults_are_used(caplog):
    write(
        "text_speed: fast\nmaster_volume: 7\nsound: 'yes'\ntext_size: giant\nauto_delay: .nan\n"
        "fullscreen: true\ndialogue: {backend: [a, b], model: gpt}\n"
    )
    with caplog.at_level(logging.WARNING):
        s = ui_settings.load()
        ui_settings.load()  # read again (the settings screen does): not reported twice
    assert s.text_speed == 45 and s.master_volume == 0.6 and s.sound is True and s.text_size == "medium"
    assert s.auto_delay == 2.0 and s.fullscreen is True and s.dialogue["model"] == "gpt"
    assert s.dialogue["backend"] == ""
    text = "\n".join(s.problems)
    for field, expected in (
        ("text_speed", "a number of at least 0"),
        ("master_volume", "a number from 0 to 1"),
        ("sound", "true or false"),
        ("text_size", "one of small"),
        ("auto_delay", "a number of at least 0"),
        ("dialogue.backend", "should be text"),
    ):
        assert f"'{field}'" in text and expected in text, (field, text)
    assert len(s.problems) == 6 and s.problem
    logged = [r.getMessage() for r in caplog.records if "text_speed" in r.getMessage()]
    assert len(logged) == 1


@pytest.mark.parametrize(
    "data",
    [
        b"text_speed: 30\nname: \xff\xfe\n",
        "sound: " + LAUGHS + "\n",
        "a: " + "[" * 500 + "]" * 500 + "\n",
        b"\x00\x01\x02",
        "- just\n- a list\n",
    ],
)
def test_an_unreadable_file_gives_defaults_and_one_message(data):
    write(data)
    s = ui_settings.load()
    assert s.values == ui_settings.DEFAULTS and len(s.problems) == 1
    d = DialogueSettings.load(path=config_dir() / "settings.yaml", environ={})
    assert d.file == {} and len(d.problems) == 1
    assert d.resolve().backend == "scripted"


def test_not_utf8_is_said_so():
    write(b"text_speed: 30\nname: \xff\n")
    assert "not UTF-8" in ui_settings.load().problem
    assert "not UTF-8" in DialogueSettings.load(path=config_dir() / "settings.yaml", environ={}).problems[0]


def test_saving_over_a_damaged_file_replaces_it():
    write(b"\xff\xfe")
    s = ui_settings.load()
    s.set("text_speed", 90)
    ui_settings.save(s)
    assert ui_settings.load().text_speed == 90 and not ui_settings.load().problems


def test_dialogue_section_values_of_the_wrong_kind_are_left_out_and_named():
    write(
        "dialogue:\n  backend: openai\n  model: {a: 1}\n  api_key: [sk-secret-value-123456]\n"
        "  timeouts: {connect: -1, total: abc}\n  backends: {house: 5, good: {type: openai}}\n"
        "  characters: [aria]\n  fallback: {x: 1}\n  options: {openai: [1, 2]}\n"
    )
    d = DialogueSettings.load(path=config_dir() / "settings.yaml", environ={})
    text = "\n".join(d.problems)
    for field in (
        "dialogue.model",
        "dialogue.api_key",
        "dialogue.timeouts.connect",
        "dialogue.timeouts.total",
        "dialogue.backends.house",
        "dialogue.characters",
        "dialogue.fallback",
        "dialogue.options.openai",
    ):
        assert f"'{field}'" in text, (field, text)
    assert "sk-secret" not in text  # a mistyped key is still a key: never printed
    choice = d.resolve()
    assert choice.backend == "openai" and choice.model is None and choice.api_key is None
    assert d.timeouts().connect > 0 and list(d.profiles()) == ["good"] and d.fallbacks() == []


FULL = """text_speed: 60
auto_advance: true
auto_delay: 1.5
master_volume: 0.4
ambient_volume: 0.3
sound: false
fullscreen: false
text_size: large
high_contrast: true
skip_minigames: false
timers: true
skip_unread: false
dialogue:
  backend: house
  model: llama3.2
  timeouts: {connect: 2, first_token: 5, total: 12}
  backends:
    house: {type: openai, base_url: "http://localhost:11434/v1", model: llama3.2}
  characters:
    aria: {backend: house}
  fallback: ["Say that again?"]
  options: {openai: {temperature: 0.5}}
"""
HOSTILE_VALUES = [
    "[",
    "{",
    "&a [*a]",
    LAUGHS,
    "[" * 300 + "]" * 300,
    "9" * 5000,
    "!!python/object:os.system x",
    "2020-13-45",
    ".nan",
    "-.inf",
    "~",
    "''",
    "[1, 2]",
    "{a: 1}",
    "yes",
    '"\\x00\\x1b[31m"',
    "-1",
    "1e999",
]


def test_mutated_settings_files_never_raise_and_give_valid_values(fuzz_cases):
    import random

    rng = random.Random(2026)
    lines = FULL.splitlines()
    for _ in range(fuzz_cases(300)):
        mutant = list(lines)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(mutant))
            op = rng.randrange(4)
            if op == 0 and ":" in mutant[i]:
                head = mutant[i][: mutant[i].index(":") + 1]
                mutant[i] = head + " " + rng.choice(HOSTILE_VALUES)
            elif op == 1:
                del mutant[i]
            elif op == 2:
                mutant.insert(i, " " * rng.randrange(4) + rng.choice(HOSTILE_VALUES))
            else:
                raw = bytearray(mutant[i].encode())
                if raw:
                    raw[rng.randrange(len(raw))] = rng.randrange(256)
                mutant[i] = raw.decode("latin-1")
        write(
            "\n".join(mutant).encode("latin-1", "replace")
            if rng.random() < 0.3
            else "\n".join(mutant).encode("utf-8", "surrogateescape")
        )
        s = ui_settings.load()
        for key, default in ui_settings.DEFAULTS.items():
            assert type(s.values[key]) is type(default) or (
                isinstance(default, float) and isinstance(s.values[key], float)
            )
        assert s.font_size in ui_settings.TEXT_SIZES.values()
        d = DialogueSettings.load(path=config_dir() / "settings.yaml", environ={})
        for character in (None, type("C", (), {"id": "aria", "backend": None, "model": None})()):
            choice = d.resolve(character)
            assert isinstance(choice.backend, str) and isinstance(choice.options, dict)
        assert d.timeouts().total > 0 and all(isinstance(x, str) for x in d.fallbacks())
