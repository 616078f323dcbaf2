"""The window at rest: the main loop draws only when something moves or changes, and the
game starts without audio noise on a machine with no sound card."""

from __future__ import annotations

import os
import subprocess
import sys

import pygame
import pytest

from game.paths import REPO_DIR
from game.ui.screens.base import AMBIENT, FULL, STILL
from tests.test_ui import key, make_app, start, text  # noqa: F401 - the fixture is shared

_ = (make_app, text)


def test_title_and_a_waiting_line_ask_for_few_frames_typing_asks_for_all(make_app):
    app = make_app()
    app.run_frames(12)  # the title's pictures are prewarmed, one a frame
    assert app.top.name == "title" and app.pace() == AMBIENT
    app = start(make_app)
    play = app.top
    assert play.mode == "line" and not play.type.done
    assert app.pace() == FULL  # the line is typing out
    play.type.finish()
    assert app.pace() == AMBIENT  # only "▼ continue" blinks now
    key(pygame.K_ESCAPE)
    app.run_frames(1)
    assert app.top.name == "pause" and app.pace() == STILL


def test_the_loop_draws_a_few_frames_a_second_at_rest_and_every_frame_while_typing(make_app):
    app = start(make_app)
    play = app.top
    play.type.finish()
    before = app.frames
    app.loop(1.0)  # the real main loop, nobody at the keys
    resting = app.frames - before
    assert 1 <= resting <= AMBIENT + 2, resting
    app.settings.set("text_speed", 5)  # a slow line: it types for the whole second
    play.present()
    before = app.frames
    app.loop(1.0)
    assert app.frames - before > 4 * resting


def test_a_still_frame_without_events_is_not_drawn_but_an_event_draws_it(make_app):
    app = start(make_app)
    key(pygame.K_ESCAPE)
    app.run_frames(1)  # the pause menu: nothing moves
    drawn = app.frames
    app.frame(0.5, events=[], draw=False)
    assert app.frames == drawn
    key(pygame.K_DOWN)
    app.frame(0.02, draw=False)  # an event is a change: drawn whatever the pace
    assert app.frames == drawn + 1


def _still_scene(play) -> None:
    """The line's scene with nothing moving in it (a lab, not the server room or the stars)."""
    from game.ui import backgrounds

    play.bg = "office"
    assert not backgrounds.moving_parts(play.bg)


def test_a_waiting_line_in_a_still_scene_is_drawn_when_continue_blinks_or_the_line_changes(make_app):
    app = start(make_app)
    play = app.top
    play.type.finish()
    _still_scene(play)
    app.t = 0.1  # "▼ continue" is lit from 0.0 to 0.7 of each second
    app.frame(0.0)
    app.t = 0.5
    assert app.unchanged_since_drawn()  # a slow frame now would draw the same picture: skipped
    app.t = 0.8  # the blink went out
    assert not app.unchanged_since_drawn()
    app.frame(0.0)
    assert app.unchanged_since_drawn()
    play.note = "Saved in slot 3."  # a change the line shows, without an event
    assert not app.unchanged_since_drawn()
    app.frame(0.0)
    play.bg = "servers"  # LEDs blink: every slow frame is drawn
    assert not app.unchanged_since_drawn()
    key(pygame.K_ESCAPE)
    app.run_frames(1)  # a screen that does not say what moves (the pause menu) is drawn when asked
    assert not app.unchanged_since_drawn()


def test_a_waiting_line_in_a_still_scene_draws_two_frames_a_second(make_app):
    app = start(make_app)
    play = app.top
    play.type.finish()
    _still_scene(play)
    app.frame(0.0)
    before = app.frames
    app.loop(2.0)  # the real main loop, nobody at the keys: the blink goes out and on twice
    # AMBIENT would draw ten; a slow machine draws fewer, never more
    assert 1 <= app.frames - before <= 5, app.frames - before


def _title(make_app):
    app = make_app()
    app.run_frames(12)  # the title's pictures are prewarmed, one a frame
    assert app.top.name == "title"
    return app, app.top


def _picture(screen, t: float) -> pygame.Surface:
    screen.app.t = t
    surface = pygame.Surface((1280, 720))
    screen.draw(surface)
    return surface


def test_the_title_from_its_cached_still_picture_looks_as_drawn_whole(make_app):
    from game.ui import backgrounds

    app, title = _title(make_app)
    for t in (0.0, 2.5, 9.1):
        cached = pygame.surfarray.array3d(_picture(title, t)).astype(int)
        whole = pygame.Surface((1280, 720))
        backgrounds.draw_live(whole, "space", t)
        title._draw_ring(whole)
        title._draw_words(whole)
        differs = (abs(cached - pygame.surfarray.array3d(whole).astype(int)).max(axis=2) > 0).nonzero()
        # only stars that twinkle faintly through a translucent panel stay hidden under it
        _key, _still, hidden, _whole = title._still
        stars = [pygame.Rect(backgrounds.moving_parts("space")[n][0]) for n in hidden]
        assert all(any(r.collidepoint(x, y) for r in stars) for x, y in zip(*differs))
        assert len(differs[0]) <= 4 * len(stars)


def test_the_title_redraws_its_still_picture_when_the_menu_or_the_text_size_changes(make_app):
    app, title = _title(make_app)
    first = pygame.surfarray.array3d(_picture(title, 1.0))
    key(pygame.K_DOWN)
    app.run_frames(1)
    moved = pygame.surfarray.array3d(_picture(title, 1.0))
    assert (first != moved)[:600].any()  # the focus marker moved down the menu (left half)
    app.theme.configure(app.theme.base + 8, False)
    bigger = pygame.surfarray.array3d(_picture(title, 1.0))
    assert (moved != bigger)[:600].any()
    app.theme.configure(app.theme.base - 8, True)  # high contrast: no stars, the same words
    contrast = pygame.surfarray.array3d(_picture(title, 1.0))
    assert (contrast != first)[:600].any()


def test_quiet_stderr_mutes_what_c_libraries_write():
    code = (
        "import os\nfrom game.ui.audio import quiet_stderr\n"
        "with quiet_stderr():\n    os.write(2, b'ALSA lib noise\\n')\nos.write(2, b'after\\n')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_DIR, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stderr == "after\n"


@pytest.mark.slow
def test_the_game_starts_silently_without_a_sound_driver_chosen(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SDL_AUDIODRIVER"}
    env["SDL_VIDEODRIVER"] = "dummy"
    out = subprocess.run(
        [sys.executable, "-m", "game.ui.app", "--max-seconds", "1"],
        capture_output=True,
        text=True,
        cwd=REPO_DIR,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "ALSA" not in out.stderr and "pygame-ce" not in out.stdout
    assert out.stderr.strip() == "", out.stderr
