"""A bare window that hosts one minigame view: `treacherous-turn minigame NAME --window`.

The desktop game has its own host with menus and saves; this one exists so a minigame
can be played, shown and tested on its own. Fixed time step, 1280x720 logical surface
scaled to the window, Esc or closing the window ends it.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from game.ui.minigame_view import LOGICAL_SIZE, view_for

STEP = 1 / 60


def _map_event(pygame, event, window_size):
    """Map window coordinates to the 1280x720 logical surface."""
    if event.type in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP, pygame.MOUSEMOTION) and window_size != LOGICAL_SIZE:
        sx = LOGICAL_SIZE[0] / window_size[0]
        sy = LOGICAL_SIZE[1] / window_size[1]
        attrs = dict(event.dict)
        attrs["pos"] = (int(event.pos[0] * sx), int(event.pos[1] * sy))
        return pygame.event.Event(event.type, attrs)
    return event


def run_window(
    name: str,
    seed: int,
    params: dict[str, Any],
    *,
    log_path: str | None = None,
    max_seconds: float | None = None,
    context: dict | None = None,
) -> dict[str, Any] | None:
    import pygame

    from game import minigames

    view_cls = view_for(name)
    if view_cls is None:
        print(f"minigame '{name}' has no desktop view yet", file=sys.stderr)
        return None
    from game.ui.app import NoWindow, init_pygame

    init_pygame()
    try:
        screen = pygame.display.set_mode(LOGICAL_SIZE, pygame.RESIZABLE)
    except pygame.error as exc:
        pygame.quit()
        raise NoWindow(str(exc)) from None
    pygame.display.set_caption(f"Treacherous Turn: {name}")
    canvas = pygame.Surface(LOGICAL_SIZE)
    game = minigames.get(name)()
    game.reset(seed, params)
    view = view_cls(game, seed=seed, params=params, context=context or {"player": "Player 1", "timed": True})
    log = open(log_path, "a", encoding="utf-8") if log_path else None

    def emit(kind: str, **fields):
        if log:
            log.write(json.dumps({"t": round(time.monotonic(), 3), "event": kind, **fields}) + "\n")
            log.flush()

    emit("minigame_started", name=name, seed=seed)
    clock = pygame.time.Clock()
    started = time.monotonic()
    acc = 0.0
    running = True
    while running:
        acc += clock.tick(60) / 1000.0
        for event in pygame.event.get():
            if event.type == pygame.QUIT or (
                event.type == pygame.KEYDOWN
                and event.key == pygame.K_ESCAPE
                and not getattr(view, "wants_escape", False)
            ):
                running = False
                continue
            view.handle_event(_map_event(pygame, event, screen.get_size()))
        while acc >= STEP:
            view.update(STEP)
            acc -= STEP
        view.draw(canvas)
        if screen.get_size() == LOGICAL_SIZE:
            screen.blit(canvas, (0, 0))
        else:
            pygame.transform.smoothscale(canvas, screen.get_size(), screen)
        pygame.display.flip()
        # Views may expose new log events (guesses, waves) for end-to-end tests: written after the
        # flip, so what an event says is on the display when a test reads it.
        for entry in getattr(view, "drain_log", lambda: [])():
            emit(entry.pop("event", "view"), **entry)
        if view.finished:
            running = False
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            running = False
    result = game.result() if game.done else None
    emit("minigame_finished", name=name, result=result)
    if log:
        log.close()
    pygame.quit()
    return result
