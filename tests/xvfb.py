"""A real X display for end-to-end tests: Xvfb, xdotool input, ImageMagick screenshots.

Tests install nothing; `.ci/run` installs xvfb, xdotool and imagemagick when missing.
A test that finds them absent is skipped and says so.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def require_tools() -> None:
    missing = [t for t in ("Xvfb", "xdotool", "import") if shutil.which(t) is None]
    if missing:
        pytest.skip(f"real-window test needs {', '.join(missing)} (apt-get install xvfb xdotool imagemagick)")


class XDisplay:
    def __init__(self, width: int = 1280, height: int = 720) -> None:
        require_tools()
        r, w = os.pipe()
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(w), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(w)
        with os.fdopen(r) as fh:
            number = fh.readline().strip()
        if not number:
            self.proc.kill()
            pytest.fail("Xvfb did not report a display number")
        self.display = f":{number}"
        self.env = {**os.environ, "DISPLAY": self.display}
        self.env.pop("SDL_VIDEODRIVER", None)
        self.env["SDL_VIDEODRIVER"] = "x11"
        self.env["SDL_AUDIODRIVER"] = "dummy"

    def run(self, *args: str, check: bool = True) -> str:
        out = subprocess.run(list(args), env=self.env, capture_output=True, text=True, timeout=30)
        if check and out.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {out.stderr.strip()}")
        return out.stdout

    def start_game(self, argv: list[str], extra_env: dict | None = None) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, *argv], env={**self.env, **(extra_env or {})}, cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def window_of(self, proc: subprocess.Popen, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"the game exited early ({proc.returncode}): {proc.stderr.read()[-2000:]}")
            out = self.run("xdotool", "search", "--onlyvisible", "--pid", str(proc.pid), check=False).split()
            if out:
                return out[-1]
            time.sleep(0.2)
        pytest.fail("the game's window did not appear")

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.run("import", "-window", "root", str(path))
        return path

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def screenshot_is_blank(path: Path) -> bool:
    """True when the image has (almost) one colour: a black or frozen window."""
    out = subprocess.run(["convert", str(path), "-format", "%[fx:standard_deviation]", "info:"],
                         capture_output=True, text=True, timeout=30)
    return float(out.stdout.strip() or 0) < 0.01
