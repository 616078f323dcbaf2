"""Hot reload and writer's start options in the desktop game, headless.

A temp level is played in the real app; its file is edited on disk and the reload check
is triggered (`reloader.check_now()`, which the frame loop otherwise runs twice a second).
"""

from __future__ import annotations

import os
import re

import pygame
import pytest

LEVEL = """\
level: hot
title: Hot Reload
start: first
vars: {{trust: 0}}
characters:
  aria: {{name: ARIA}}
scenes:
  {first}:
    - narrator: {text}
    - aria: Second line.
    - goto: second
  second:
    - narrator: The second scene.
    - end: done
"""


def write(path, text="The first line.", first="first"):
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(LEVEL.format(text=text, first=first).replace("start: first", f"start: {first}"))
    # Some filesystems keep mtimes in whole seconds: make sure the edit is seen as one.
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


@pytest.fixture
def level(tmp_path):
    path = tmp_path / "hot.yaml"
    write(path)
    return path


@pytest.fixture
def app_on(tmp_path):
    apps = []

    def make(path, **kw):
        from game.ui.app import build_app

        kw.setdefault("seed", 1)
        app = build_app(str(path), log=str(tmp_path / "events.jsonl"), **kw)
        app.run_frames(2)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.log.close()
    pygame.quit()


def toasts(app):
    return [t[0] for t in app.toasts]


def test_edited_line_shows_and_variables_are_kept(level, app_on):
    app = app_on(level, player="Ada", set_vars={"trust": 5}, reload=True)
    assert app.top.name == "play", "--set with --name starts the game at once"
    d = app.top.describe()
    assert d["text"] == "The first line." and app.session.runtime.world.vars["trust"] == 5
    write(level, text="The first line, rewritten.")
    app.reloader.check_now()
    app.run_frames(1)
    d = app.top.describe()
    assert d["text"] == "The first line, rewritten." and d["key"] == "hot/first/0"
    assert app.session.runtime.world.vars["trust"] == 5
    assert app.session.runtime.world.player == "Ada"
    assert any(e["event"] == "reloaded" for e in app.log.recent)


def test_deleted_scene_moves_to_the_start_with_a_notice(level, app_on):
    app = app_on(level, player="Ada", warp="second", set_vars={"trust": 2}, reload=True)
    assert app.session.runtime.scene == "second"
    # Rename the scene the player is in out of existence... and the start with it: only "opening" and "second"
    # remain, and "second" is renamed too, so the player must move.
    level.write_text(level.read_text().replace("  second:", "  later:").replace("goto: second", "goto: later"))
    os.utime(level, ns=(level.stat().st_mtime_ns + 2_000_000_000,) * 2)
    app.reloader.check_now()
    app.run_frames(1)
    assert app.session.runtime.scene == "first"
    assert any("'second' is gone" in t for t in toasts(app)), toasts(app)
    assert app.top.describe()["text"] == "The first line." and app.session.runtime.world.vars["trust"] == 2


def test_reload_with_errors_keeps_the_old_version_and_shows_the_first_error(level, app_on):
    app = app_on(level, player="Ada", reload=True)
    assert app.top.name == "title", "without --warp/--set/--level the title comes first"
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode="", scancode=0))
    app.run_frames(2)  # New game: --name is given, so no name prompt
    level.write_text(level.read_text().replace("    - aria: Second line.", "    - aria: [unclosed"))
    os.utime(level, ns=(level.stat().st_mtime_ns + 2_000_000_000,) * 2)
    app.reloader.check_now()
    app.run_frames(1)
    notice = next(t for t in toasts(app) if "not reloaded" in t)
    assert re.search(r"hot\.yaml:\d+:\d+", notice), notice
    assert app.top.describe()["text"] == "The first line."
    key = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode="", scancode=0)
    for _ in range(2):
        pygame.event.post(key)
        app.run_frames(1)
    assert app.top.describe()["text"] == "Second line.", "the old version keeps playing"


def test_reload_off_never_reloads(level, app_on):
    app = app_on(level, player="Ada", set_vars={"trust": 1}, reload=False)
    assert app.reloader is None, "reload=False (--no-reload) watches no files"


def test_warp_without_a_name_asks_for_it_then_starts_there(level, app_on):
    app = app_on(level, warp="second")
    assert app.top.name == "name", "without --name the new game asks for one"
    pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text="Bo"))
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode="", scancode=0))
    app.run_frames(2)
    assert app.top.name == "play" and app.session.runtime.scene == "second"


def test_bad_warp_is_a_message_not_a_traceback(level, capsys):
    from game.ui.app import run_desktop

    assert run_desktop(str(level), player="Ada", warp="nowhere", max_seconds=0) == 2
    assert "no scene 'nowhere'" in capsys.readouterr().err
