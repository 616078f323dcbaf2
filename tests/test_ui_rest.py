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
