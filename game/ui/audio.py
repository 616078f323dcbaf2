"""An optional ambient hum synthesised with numpy: no sound files, and never fatal.

When there is no audio device (SDL_AUDIODRIVER=dummy, a container, a headless CI) or
the mixer fails in any way, `Ambient.ok` is False and every call is a no-op. Opening the
mixer happens with the process's stderr muted: without a sound card the audio library
(ALSA) prints its own error lines there, which say nothing a player can act on.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

import numpy as np


def no_sound_card() -> bool:
    """True on Linux when the kernel lists no sound card (nothing to open; don't try)."""
    if not sys.platform.startswith("linux") or os.environ.get("SDL_AUDIODRIVER"):
        return False
    try:
        with open("/proc/asound/cards", encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return not os.path.exists("/dev/snd")
    return "no soundcards" in text or not text.strip()


@contextlib.contextmanager
def quiet_stderr():
    """Mute file descriptor 2 (C libraries write there directly, past sys.stderr)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class Ambient:
    def __init__(self) -> None:
        self.ok = False
        self.problem = ""
        self._sound: Any = None
        self._channel: Any = None
        if no_sound_card():
            self.problem = "no sound: this machine has no sound card"
            return
        try:
            import pygame

            if not pygame.mixer.get_init():
                with quiet_stderr():
                    pygame.mixer.init(frequency=44100, size=-16, channels=2)
            rate, _size, channels = pygame.mixer.get_init() or (44100, -16, 2)
            self._sound = pygame.sndarray.make_sound(self._hum(rate, channels))
            self.ok = True
        except Exception as exc:  # noqa: BLE001 - any audio failure only means silence
            self.problem = f"no sound: {exc}"

    @staticmethod
    def _hum(rate: int, channels: int, seconds: float = 8.0) -> np.ndarray:
        """A soft server-room hum: 50/100/150 Hz with a slow swell; whole cycles so it loops without a click."""
        t = np.arange(int(rate * seconds)) / rate
        wave = 0.5 * np.sin(2 * np.pi * 50 * t) + 0.25 * np.sin(2 * np.pi * 100 * t) + 0.1 * np.sin(2 * np.pi * 150 * t)
        wave *= 0.75 + 0.25 * np.sin(2 * np.pi * t / seconds)
        wave += 0.04 * np.sin(2 * np.pi * 1200 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 0.25 * t))  # a faint fan whine
        pcm = (wave / np.max(np.abs(wave)) * 0.3 * 32767).astype(np.int16)
        return np.ascontiguousarray(np.repeat(pcm[:, None], channels, axis=1)) if channels > 1 else pcm

    def apply(self, enabled: bool, volume: float) -> None:
        if not self.ok:
            return
        try:
            if enabled and volume > 0:
                if self._channel is None or not self._channel.get_busy():
                    self._channel = self._sound.play(loops=-1, fade_ms=800)
                if self._channel is not None:
                    self._channel.set_volume(volume)
            elif self._channel is not None:
                self._channel.fadeout(300)
                self._channel = None
        except Exception as exc:  # noqa: BLE001
            self.ok, self.problem = False, f"sound stopped: {exc}"
