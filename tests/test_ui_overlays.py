"""Overlays done right: opaque menus, text that fits at every text size, readable hints."""

from __future__ import annotations

import pygame
import pytest

from game.ui.theme import DEFAULT, HIGH_CONTRAST, MIN_HINT_PX, MIN_PANEL_ALPHA, contrast, worst_contrast
from tests.test_ui import key, make_app, shot, start, text  # noqa: F401 - the fixture is shared

_ = make_app
SIZES = ["small", "medium", "large", "huge"]


def test_contrast_helper_and_every_palette_colour_on_a_panel_meets_wcag_aa():
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((118, 118, 118), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)  # the AA grey
    assert contrast((150, 150, 150), (150, 150, 150)) == 1.0
    for pal in (DEFAULT, HIGH_CONTRAST):
        for name in ("text", "dim", "accent", "focus", "warn", "gold"):
            ratio = worst_contrast(getattr(pal, name), (*pal.panel[:3], MIN_PANEL_ALPHA))
            assert ratio >= 4.5, f"{name} on a panel over white art: {ratio:.2f}"


def test_small_print_is_never_below_the_minimum_size(make_app):
    app = make_app()
    for size in SIZES:
        app.settings.set("text_size", size)
        app.apply_settings(save=False)
        assert app.theme.scaled(0.5) >= MIN_HINT_PX


def _open(app, names):
    """Open overlays over the play screen, one on top of another."""
    from game.ui.screens import menus

    play = app.find_play()
    made = {
        "pause": lambda: menus.PauseScreen(app),
        "help": lambda: menus.HelpScreen(app),
        "settings": lambda: menus.SettingsScreen(app),
        "save": lambda: menus.SaveLoadScreen(app, "save"),
        "load": lambda: menus.SaveLoadScreen(app, "load"),
        "history": lambda: menus.HistoryScreen(app, play),
        "confirm": lambda: menus.ConfirmScreen(app, "Quit the game?", app.quit),
    }
    for n in names:
        app.push(made[n]())


def _frame(app) -> pygame.Surface:
    canvas = pygame.Surface((1280, 720))
    app.draw(canvas)
    return canvas


@pytest.mark.parametrize("overlay", ["pause", "help", "settings", "save", "load", "history", "confirm"])
def test_every_menu_is_opaque_over_the_game_and_over_another_menu(make_app, overlay, artifacts_dir):
    from game.ui.screens.play import PlayScreen

    app = start(make_app)
    app.find_play = lambda: app.find(PlayScreen)
    play = app.top
    play.type.finish()
    _open(app, [overlay])
    plain = _frame(app)
    # What lies behind changes (the art turns white): the middle of the menu must not change.
    real_draw = play.draw
    play.draw = lambda surface: surface.fill((255, 255, 255))
    white = _frame(app)
    play.draw = real_draw
    patch = pygame.Rect(540, 300, 200, 60)
    assert pygame.image.tobytes(plain.subsurface(patch), "RGB") == pygame.image.tobytes(white.subsurface(patch), "RGB")
    # Outside the panel the game is dimmed, not hidden: darker than it was.
    corner = pygame.Rect(0, 700, 10, 10)
    behind = pygame.Surface((1280, 720))
    play.draw(behind)
    assert sum(pygame.transform.average_color(white.subsurface(corner))[:3]) < 3 * 255
    # Over the pause menu the same menu looks the same: no pause button shows through.
    if overlay != "pause":
        app.pop()
        _open(app, ["pause", overlay])
        over_pause = _frame(app)
        assert pygame.image.tobytes(over_pause, "RGB") == pygame.image.tobytes(plain, "RGB")
    app.surface.blit(plain, (0, 0))
    shot(app, artifacts_dir, overlay)


@pytest.mark.parametrize("size", SIZES)
def test_text_fits_its_panels_at_every_text_size(make_app, size, artifacts_dir):
    from game.ui.screens import menus
    from game.ui.screens.title import TitleScreen

    app = make_app()
    app.settings.set("text_size", size)
    app.apply_settings(save=False)
    title = app.find(TitleScreen)
    app.draw()
    footer_top = 720 - 12 - (app.theme.font(app.theme.scaled(0.62)).get_linesize() + 8)
    assert title.menu.rects[-1].bottom < footer_top, "the title menu runs into its footer"
    shot(app, artifacts_dir, f"title_{size}")
    for mode in ("save", "load"):
        s = menus.SaveLoadScreen(app, mode)
        app.push(s)
        app.draw()
        frame = pygame.Rect(30, 20, 1280 - 60, 720 - 40)
        assert all(frame.contains(r) for r in s.rects), f"a {mode} slot sticks out of its panel"
        assert max(r.bottom for r in s.rects) < frame.bottom - 20
        app.pop()
    c = menus.ConfirmScreen(
        app, "Return to the title? Unsaved progress is lost (the autosave keeps the last scene).", app.quit
    )
    app.push(c)
    app.draw()
    hint_top = max(r.bottom for r in c.menu.rects)
    assert all(0 <= r.top and r.bottom <= 700 for r in c.menu.rects)
    assert hint_top < 720 - 20
    shot(app, artifacts_dir, f"confirm_{size}")


def test_type_a_name_first_goes_once_a_name_is_typed(make_app):
    app = make_app()
    key(pygame.K_RETURN)
    app.run_frames(1)
    key(pygame.K_RETURN)  # Enter with no name
    app.run_frames(1)
    assert app.top.describe()["error"].startswith("Type a name first")
    text("A")
    app.run_frames(1)
    assert app.top.describe()["error"] == ""


def test_the_lab_defense_help_pauses_the_attack_and_lets_the_window_rest():
    from game import minigames
    from game.ui.minigames.lab_defense import View
    from game.ui.screens.base import FULL, STILL

    game = minigames.get("lab_defense")()
    game.reset(1, {})
    view = View(game, seed=1, params={}, context={"player": "Ada", "timed": True})
    for _ in range(120):
        view.update(1 / 60)
    assert view.pace() == FULL
    view.handle_event(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_h, mod=0, unicode="h", scancode=0))
    t, threats = game.state["t"], [dict(th) for th in game.state["threats"]]
    for _ in range(600):  # ten seconds spent reading the help
        view.update(1 / 60)
    assert game.state["t"] == t and game.state["threats"] == threats
    assert view.pace() == STILL
    view.handle_event(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_h, mod=0, unicode="h", scancode=0))
    for _ in range(60):
        view.update(1 / 60)
    assert game.state["t"] > t  # closed: the run goes on


def test_no_developer_message_reaches_the_drawing_players(monkeypatch):
    from game import minigames
    from game.ui.minigames.drawing import View

    monkeypatch.delenv("TT_VISION_MODEL", raising=False)
    pygame.display.init()
    surface = pygame.Surface((1280, 720))
    game = minigames.get("drawing")()
    game.reset(1, {})
    view = View(game, seed=1, params={}, context={"player": "Ada", "timed": True})
    shown = []
    real = view._text
    monkeypatch.setattr(view, "_text", lambda surf, text, *a, **k: (shown.append(text), real(surf, text, *a, **k))[1])
    view.draw(surface)
    assert shown, "the idea screen drew nothing"
    assert not any("designer" in t or "configure" in t for t in shown), shown


@pytest.mark.parametrize("size", SIZES)
def test_pause_name_choice_and_toasts_fit_at_every_text_size(make_app, size, artifacts_dir):
    from game.ui.screens import menus

    app = start(make_app)
    app.settings.set("text_size", size)
    app.apply_settings(save=False)
    # The pause menu's buttons stay inside its panel.
    pause = menus.PauseScreen(app)
    app.push(pause)
    app.draw()
    frame = pygame.Rect(1280 // 2 - 270, 40, 540, 720 - 80)
    assert all(frame.contains(r) for r in pause.menu.rects), "a pause button sticks out of its panel"
    app.pop(pause)
    # A long message wraps inside the window.
    app.toast(
        "Level not reloaded, still playing the old version: levels/examples/demo.yaml:12:7: expected a "
        "mapping of scenes, found a list; every scene is a name followed by its steps"
    )
    app.draw()
    shot(app, artifacts_dir, f"toast_{size}")
    app.toasts.clear()
    # The choice's options sit between the top and the question box, never over it.
    for _ in range(30):
        if app.top.describe().get("mode") == "choice":
            break
        key(pygame.K_RETURN)
        app.run_frames(2)
    play = app.top
    app.draw()
    question_top = 720 - 24 - max(190, play._qcache[1].height + 76) if hasattr(play, "_qcache") else 720
    assert play.menu.rects[-1].bottom <= question_top - 20
    assert play.menu.rects[0].top >= 70
    shot(app, artifacts_dir, f"choice_{size}")


@pytest.mark.parametrize("size", SIZES)
def test_the_name_prompt_never_overlaps_itself(make_app, size):
    app = make_app()
    app.settings.set("text_size", size)
    app.apply_settings(save=False)
    key(pygame.K_RETURN)
    app.run_frames(1)
    key(pygame.K_RETURN)  # no name: the reminder shows
    app.run_frames(1)
    app.draw()
    rects = app.top.rects
    order = [rects[k] for k in ("title", "ask", "box", "error", "hint")]
    for upper, lower in zip(order, order[1:]):
        assert upper.bottom <= lower.top, (upper, lower)


def test_the_log_says_when_a_screen_reaches_the_display(make_app):
    """ "drawn" is logged after the flip that first shows a stack of screens, once per change:
    the real-window tests take their screenshots on it instead of sleeping."""
    from tests.test_ui import events

    app = start(make_app)
    assert events(app, "drawn")[-1]["screens"][-1] == "play"
    before = len(events(app, "drawn"))
    app.run_frames(5)
    assert len(events(app, "drawn")) == before, "an unchanged stack is not logged again"
    key(pygame.K_F1)
    app.run_frames(1)
    assert events(app, "drawn")[-1]["screens"][-2:] == ["play", "help"]
    key(pygame.K_ESCAPE)
    app.run_frames(1)
    assert events(app, "drawn")[-1]["screens"][-1] == "play"
    assert len(events(app, "drawn")) == before + 2


def test_an_event_logged_on_a_still_screen_is_drawn_and_followed_by_drawn(make_app):
    """Whatever the log says happened is on the display once "drawn" follows it, even when the
    stack is unchanged and the screen is at rest: a test takes its screenshot on that."""
    app = make_app()
    app.run_frames(3)
    assert app.log.recent[-1]["event"] == "drawn"
    frames = app.frames
    app.frame(0.02, events=[], draw=False)
    assert app.frames == frames, "a still frame with nothing new is not drawn"
    app.log("message", text="something happened")
    app.frame(0.02, events=[], draw=False)
    assert app.frames == frames + 1, "a logged event is drawn even at rest"
    last, before = app.log.recent[-1], app.log.recent[-2]
    assert before["event"] == "message" and last["event"] == "drawn" and last["screens"] == ["title"]
    app.frame(0.02, events=[], draw=False)
    assert app.frames == frames + 1 and app.log.recent[-1] is last, "drawn once, not every frame after"
