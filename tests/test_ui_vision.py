"""The desktop game hands the designer's vision model to the drawing game."""

import os

import pytest

from game.minigames.drawing.vision import configured as vision_settings
from game.paths import config_dir
from tests.test_ui import make_app, start  # noqa: F401 - the fixture is shared

_ = make_app


def test_no_vision_model_means_the_embedded_recognizer(monkeypatch):
    monkeypatch.delenv("TT_VISION_MODEL", raising=False)
    assert vision_settings() is None


def test_settings_file_configures_the_vision_model(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-real")
    (config_dir() / "settings.yaml").write_text(
        "text_speed: 60\nvision: {model: gpt-4o-mini, base_url: 'http://127.0.0.1:9/v1', timeout: 5}\n"
    )
    cfg = vision_settings()
    assert cfg == {
        "model": "gpt-4o-mini",
        "base_url": "http://127.0.0.1:9/v1",
        "api_key": "sk-test-not-real",
        "timeout": 5,
    }


def test_environment_configures_it_too(monkeypatch):
    monkeypatch.setenv("TT_VISION_MODEL", "llava")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    assert vision_settings() == {"model": "llava", "base_url": "http://127.0.0.1:11434/v1"}


def test_the_drawing_view_uses_it(monkeypatch):
    pytest.importorskip("pygame")
    from game.minigames.drawing import DrawingGame
    from game.ui.minigames.drawing import View

    monkeypatch.setenv("TT_VISION_MODEL", "llava")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    game = DrawingGame()
    game.reset(1, {"rounds": 1})
    View(game, seed=1, params={}, context={"player": "P", "timed": False, "vision": vision_settings()})
    assert game.recognizer.name == "vision"
    assert os.environ["TT_VISION_MODEL"] == "llava"


def test_wrong_vision_settings_are_named_and_the_rest_still_works(monkeypatch):
    monkeypatch.delenv("TT_VISION_MODEL", raising=False)
    path = config_dir() / "settings.yaml"
    path.write_text("vision: {model: llava, timeout: soon, modle: x, api_key: [sk-secret-in-a-list]}\n")
    problems: list[str] = []
    assert vision_settings(problems) == {"model": "llava"}  # the default timeout, no key from the file
    text = "\n".join(problems)
    assert f"{path}: vision.timeout: expected seconds" in text and "'soon'; using 8" in text
    assert "vision.modle: not a vision setting" in text
    assert "vision.api_key: expected text, got list" in text and "sk-secret" not in text
    path.write_text("vision: llava\n")
    problems.clear()
    assert vision_settings(problems) is None
    assert problems == [f"{path}: vision: expected a mapping (model, base_url, timeout), got str"]


def test_the_terminal_says_what_is_wrong_with_them_and_plays_on(monkeypatch, capsys):
    import io

    from game import terminal

    monkeypatch.delenv("TT_VISION_MODEL", raising=False)
    (config_dir() / "settings.yaml").write_text("vision: {model: 42}\n")
    monkeypatch.setattr("sys.stdin", io.StringIO("1\ncircle 50 50 30\nd\n"))
    result = terminal.text_minigame("drawing", 2, {"rounds": 1})
    out = capsys.readouterr().out
    assert "vision.model: expected text, got int" in out
    assert result is not None and result["guesser"] == "embedded" and result["rounds"] == 1


def test_the_desktop_shows_them_when_the_drawing_game_starts(make_app):
    from types import SimpleNamespace

    from game.ui.minigames.drawing import View
    from game.ui.screens.minigame import MinigameHost

    (config_dir() / "settings.yaml").write_text(
        "vision: {model: llava, base_url: 'http://127.0.0.1:9/v1', timeout: -1}\n"
    )
    app = start(make_app)
    prompt = SimpleNamespace(name="drawing", seed=1, params={"rounds": 1})
    host = MinigameHost(app, app.top, prompt, View)
    assert not host.failed, "a wrong setting does not stop the minigame"
    assert host.view.game.recognizer.name == "vision" and host.view.game.recognizer.timeout == 8.0
    assert any("vision.timeout: expected seconds" in t[0] for t in app.toasts)
