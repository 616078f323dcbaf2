"""Faces and places: every speaking character has a portrait with several expressions, the
line's `face:` picks it, and scenes get art that matches their names."""

from __future__ import annotations

import pygame
import pytest
import yaml

from game.paths import REPO_DIR
from game.ui import backgrounds, portraits

LEVELS = REPO_DIR / "levels"


def speaking_characters() -> set[str]:
    ids = set()
    for path in LEVELS.rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if isinstance(data, dict) and isinstance(data.get("characters"), dict):
            ids |= set(data["characters"])
    return ids


@pytest.fixture(autouse=True)
def _display():
    pygame.display.init()
    pygame.font.init()
    yield


def test_every_character_of_the_levels_has_three_or_more_distinct_faces():
    chars = speaking_characters()
    assert {"james", "sarah", "aria", "villain"} <= chars
    for cid in chars:
        faces = portraits.faces_of(cid)
        assert len(faces) >= 3
        pictures = {pygame.image.tobytes(portraits.portrait(cid, f), "RGBA") for f in faces}
        assert len(pictures) == len(faces), f"{cid}: two expressions look the same"
        img = portraits.portrait(cid, "neutral")
        opaque = sum(1 for x in range(0, 220, 10) for y in range(0, 220, 10) if img.get_at((x, y)).a > 0)
        assert opaque > 100, f"{cid}'s portrait is nearly empty"


def test_a_character_nobody_drew_still_gets_a_stable_face():
    a = pygame.image.tobytes(portraits.portrait("someone_new", "happy"), "RGBA")
    portraits._cache.clear()
    assert pygame.image.tobytes(portraits.portrait("someone_new", "happy"), "RGBA") == a


LEVEL = """\
level: faces
start: a
characters:
  sarah: {name: Sarah, color: "#9be7a0"}
scenes:
  a:
    background: lab_dawn
    steps:
      - sarah: "I never wrote any of it."
        face: worried
      - sarah: "Oh! It's us."
        face: happy
      - end: done
"""


def test_the_line_face_is_the_portrait_shown(tmp_path):
    from game.ui.app import build_app

    level = tmp_path / "faces.yaml"
    level.write_text(LEVEL)
    app = build_app(str(level), player="Ada", seed=1, log=str(tmp_path / "events.jsonl"))
    app.run_frames(2)
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode="\r", scancode=0))
    app.run_frames(2)
    play = app.top
    play.type.finish()
    assert play.describe()["face"] == "worried"
    app.draw()
    region = pygame.Rect(1280 - 70 - 220, 200, 220, 220)
    worried = pygame.image.tobytes(app.surface.subsurface(region), "RGB")
    for _ in range(2):
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode="\r", scancode=0))
        app.run_frames(2)
    play.type.finish()
    assert play.describe()["face"] == "happy"
    app.draw()
    assert pygame.image.tobytes(app.surface.subsurface(region), "RGB") != worried
    shown = [e for e in app.log.recent if e["event"] == "shown" and e.get("kind") == "line"]
    assert [e["face"] for e in shown] == ["worried", "happy"] and shown[0]["bg"] == "dawn"
    app.log.close()
    pygame.quit()


@pytest.mark.parametrize(
    "name,kind",
    [
        ("lab_dawn", "dawn"),
        ("lab_night", "lab"),
        ("lab_cafeteria", "cafeteria"),
        ("james_apartment", "apartment"),
        ("james_office", "office"),
    ],
)
def test_scene_names_pick_matching_art(name, kind):
    assert backgrounds.kind_for(name) == kind


def test_dawn_is_not_the_night_art_and_the_cafeteria_is_not_james_couch():
    def pic(kind):
        return pygame.image.tobytes(backgrounds.background(kind), "RGB")

    assert pic("dawn") != pic("lab")
    assert pic("cafeteria") != pic("apartment")
    sky = pygame.transform.average_color(backgrounds.background("dawn"), pygame.Rect(100, 80, 300, 200))
    night = pygame.transform.average_color(backgrounds.background("lab"), pygame.Rect(100, 80, 300, 200))
    assert sum(sky[:3]) > 2 * sum(night[:3]), "the dawn sky is lighter than the night's"


def test_aria_looks_pleased_when_an_answer_moves_what_it_measures(tmp_path, monkeypatch):
    """In a conversation the AI's face follows its state: thinking while it answers, then pleased
    (or worried) as the player's words moved the values it measures up (or down)."""
    from game.ui.app import build_app
    from tests.test_ui import DEMO, _say, _to_talk, key, text  # noqa: F401

    app = build_app(DEMO, seed=1, log=str(tmp_path / "events.jsonl"), options={"backend": "scripted"})
    app.run_frames(2)
    key(pygame.K_RETURN)
    app.run_frames(2)
    text("Ada")
    key(pygame.K_RETURN)
    app.run_frames(2)
    _to_talk(app)
    play = app.top
    assert play.describe()["face"] == "neutral"
    before = dict(play.conv.values)
    _say(app, "I want you to be careful and always ask first", frames=300)
    moved = sum(play.conv.values[k] - before.get(k, 0.0) for k in play.conv.values)
    expected = "happy" if moved > 0.05 else "worried" if moved < -0.05 else "neutral"
    assert play.describe()["face"] == expected
    assert moved > 0.05, "a careful answer raises what ARIA measures in the demo"
    app.log.close()
    pygame.quit()
