"""The desktop game hands the designer's vision model to the drawing game."""

import os

import pytest

from game.minigames.drawing.vision import configured as vision_settings
from game.paths import config_dir


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
