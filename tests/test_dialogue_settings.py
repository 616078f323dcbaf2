"""Which backend speaks for each character: settings layers, profiles, plugins found by entry point."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from game.dialogue import registry
from game.dialogue.service import DialogueService
from game.dialogue.settings import Settings
from game.paths import config_dir
from tests.test_dialogue_scripted import demo_talk, talk

PLUGIN_SRC = Path(__file__).resolve().parent / "plugins" / "tt_echo_backend"
REPO = Path(__file__).resolve().parent.parent


class Char:
    def __init__(self, cid="aria", backend=None, model=None):
        self.id, self.name, self.backend, self.model = cid, cid.upper(), backend, model


def settings(text="", env=None, **cli):
    path = config_dir() / "settings.yaml"
    path.write_text(text, encoding="utf-8")
    return Settings.load(path=path, environ=env or {}, **cli)


def test_nothing_configured_means_scripted_offline():
    choice = settings().resolve(Char())
    assert (choice.backend, choice.model, choice.decided_by["backend"]) == ("scripted", None, "default")
    assert "offline" in choice.describe()


def test_each_layer_overrides_the_one_before():
    level_char = Char(backend="openai", model="level-model")
    s = settings("dialogue: {backend: openai, model: settings-model, base_url: 'http://file/v1'}\n")
    c = s.resolve(level_char)
    assert (c.model, c.decided_by["model"], c.base_url) == ("settings-model", "settings", "http://file/v1")
    s = settings("dialogue:\n  model: settings-model\n  characters: {aria: {model: aria-model}}\n")
    c = s.resolve(level_char)
    assert (c.backend, c.decided_by["backend"], c.model, c.decided_by["model"]) == (
        "openai",
        "level",
        "aria-model",
        "settings (character)",
    )
    assert s.resolve(Char("bob", backend="openai")).model == "settings-model"  # per-character is per character
    env = {"TT_MODEL": "env-model", "OPENAI_BASE_URL": "http://env/v1", "OPENAI_API_KEY": "sk-envkey-123456"}
    s = settings("dialogue:\n  characters: {aria: {model: aria-model, base_url: 'http://file/v1'}}\n", env)
    c = s.resolve(level_char)
    assert (c.model, c.base_url, c.api_key) == ("env-model", "http://env/v1", "sk-envkey-123456")
    assert c.decided_by["model"] == "env" and "sk-envkey" not in repr(c) and "sk-envkey" not in c.describe()
    s = settings("", env, model="cli-model", base_url="http://cli/v1", backend="openai")
    c = s.resolve(level_char)
    assert (c.model, c.base_url, c.decided_by["backend"]) == ("cli-model", "http://cli/v1", "cli")
    c = settings("dialogue: {backend: openai}\n", {"TT_BACKEND": "scripted"}).resolve(level_char)
    assert (c.backend, c.decided_by["backend"], c.model) == ("scripted", "env", None)  # the model went with it


def test_a_key_or_server_alone_selects_openai():
    c = settings("", {"OPENAI_API_KEY": "sk-abcdefgh"}).resolve(Char())
    assert c.backend == "openai" and "env" in c.decided_by["backend"]
    c = settings("dialogue: {base_url: 'http://localhost:11434/v1', model: llama3.2}\n").resolve(Char())
    assert (c.backend, c.base_url, c.model) == ("openai", "http://localhost:11434/v1", "llama3.2")


def test_named_profiles():
    text = (
        "dialogue:\n  backends:\n    house-llama: {type: openai, base_url: 'http://localhost:11434/v1', "
        "model: llama3.2, json: true}\n  characters: {aria: {backend: house-llama}}\n"
    )
    c = settings(text).resolve(Char())
    assert (c.backend, c.type, c.base_url, c.model, c.options) == (
        "house-llama",
        "openai",
        "http://localhost:11434/v1",
        "llama3.2",
        {"json": True},
    )
    c = settings(text, model="other").resolve(Char())
    assert c.model == "other"  # the command line still wins
    voice = DialogueService(settings(text)).for_character(Char())
    assert [link.name for link in voice.links] == ["house-llama", "scripted"] and voice.capabilities.json


def test_a_broken_settings_file_is_reported_not_raised():
    s = settings("dialogue: [unclosed\n")
    assert s.problems and "cannot read settings" in s.problems[0]
    assert s.resolve(Char()).backend == "scripted"
    s = settings("dialogue: {timeouts: {total: -1, first_token: soon}}\n")
    assert s.timeouts().total > 0 and s.timeouts().first_token > 0


def install_plugin(tmp_path: Path) -> Path:
    """Lay the plugin out as an installed distribution: the module plus a dist-info with its entry point."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(PLUGIN_SRC / "tt_echo_backend.py", site)
    info = site / "tt_echo_backend-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tt-echo-backend\nVersion: 1.0\n")
    shutil.copy(PLUGIN_SRC / "entry_points.txt", info)
    return site


def test_a_plugin_package_adds_a_backend(tmp_path, monkeypatch):
    assert "echo" not in registry.available()
    site = install_plugin(tmp_path)
    monkeypatch.syspath_prepend(str(site))
    assert registry.available()["echo"] == "tt_echo_backend:EchoBackend" and registry.origin("echo") == "plugin"
    (config_dir() / "settings.yaml").write_text(
        "dialogue:\n  characters: {aria: {backend: echo}}\n  options: {echo: {prefix: Heard}}\n"
    )
    rt, prompt = demo_talk()
    convo = talk(rt, prompt, service=DialogueService.from_settings())
    convo.opening()
    reply = convo.send("ask first").wait(5)
    assert reply.text.startswith("Heard: ask first.") and (reply.backend, reply.model) == ("echo", "echo-1")
    assert reply.generated
    # The `backends` command, in a fresh process, lists it and checks its health.
    env = dict(os.environ, PYTHONPATH=f"{site}{os.pathsep}{REPO}")
    out = subprocess.run(
        [sys.executable, "-m", "game", "backends", str(REPO / "levels/examples/demo.yaml")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "echo       plugin   tt_echo_backend:EchoBackend" in out.stdout
    assert "aria (ARIA): echo" in out.stdout and "backend from settings (character)" in out.stdout
    assert "health of echo: ok: echoes, always" in out.stdout
