"""A real X display for end-to-end tests: Xvfb, xdotool input, ImageMagick screenshots.

Tests install nothing; `.ci/run` installs xvfb, xdotool and imagemagick when missing.
A test that finds them absent is skipped and says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def require_tools() -> None:
    missing = [t for t in ("Xvfb", "xdotool", "import") if shutil.which(t) is None]
    if missing:
        pytest.skip(f"real-window test needs {', '.join(missing)} (apt-get install xvfb xdotool imagemagick)")


def write_settings(text: str) -> Path:
    """The player's settings.yaml for a game a test starts: in the private config dir that
    conftest gives every test (TT_CONFIG_DIR), which the game's environment inherits."""
    path = Path(os.environ["TT_CONFIG_DIR"]) / "settings.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class XDisplay:
    def __init__(self, width: int = 1280, height: int = 720) -> None:
        require_tools()
        r, w = os.pipe()
        # Xvfb's own messages go to a file, so a display that fails can say why.
        self.log = tempfile.NamedTemporaryFile(prefix="tt-xvfb-", suffix=".log", delete=False)  # noqa: SIM115
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(w), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
            pass_fds=(w,),
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        os.close(w)
        with os.fdopen(r) as fh:
            number = fh.readline().strip()
        if not number:
            self.proc.kill()
            pytest.fail(f"Xvfb did not report a display number: {self.xvfb_said()}")
        self.display = f":{number}"
        self.env = {**os.environ, "DISPLAY": self.display}
        self.env.pop("SDL_VIDEODRIVER", None)
        self.env["SDL_VIDEODRIVER"] = "x11"
        self.env["SDL_AUDIODRIVER"] = "dummy"
        self.wait_until_it_answers()

    def xvfb_said(self) -> str:
        """The end of Xvfb's own messages, and whether it still runs: for a failure's message."""
        state = "running" if self.proc.poll() is None else f"exited with {self.proc.returncode}"
        text = Path(self.log.name).read_text(encoding="utf-8", errors="replace").strip()
        return f"Xvfb {state}; it said: {text[-1500:] or '(nothing)'}"

    def wait_until_it_answers(self, timeout: float = 20.0) -> None:
        """Wait until an X client is answered on the display, before any game is started on it.

        CI once saw a game find no server on a display Xvfb had named (SDL's "x11 not
        available", on the second display of a run, the first and the later ones fine). A
        client that gets the screen's size back proves the server serves before a game
        relies on it; if it does not, or a game still finds none, Xvfb's own messages and
        whether it still runs are in the failure."""
        deadline = time.monotonic() + timeout
        said = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"Xvfb stopped before it served {self.display}: {self.xvfb_said()}")
            out = subprocess.run(
                ["xdotool", "getdisplaygeometry"], env=self.env, capture_output=True, text=True, timeout=30
            )
            if out.returncode == 0:
                return
            said = out.stderr.strip()
            time.sleep(0.1)  # a wait for the server to answer, not a pace
        self.close()
        pytest.fail(f"no X client was answered on {self.display} within {timeout:.0f} s ({said}); {self.xvfb_said()}")

    def run(self, *args: str, check: bool = True) -> str:
        out = subprocess.run(list(args), env=self.env, capture_output=True, text=True, timeout=30)
        if check and out.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {out.stderr.strip()}")
        return out.stdout

    def start_game(self, argv: list[str], extra_env: dict | None = None) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, *argv],
            env={**self.env, **(extra_env or {})},
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def window_of(self, proc: subprocess.Popen, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                said = proc.stderr.read()[-2000:]
                where = f"\n(on {self.display}: {self.xvfb_said()})" if "not available" in said else ""
                pytest.fail(f"the game exited early ({proc.returncode}): {said}{where}")
            out = self.run("xdotool", "search", "--onlyvisible", "--pid", str(proc.pid), check=False).split()
            if out:
                return out[-1]
            time.sleep(0.2)
        pytest.fail("the game's window did not appear")

    def key(self, *names: str, window: str | None = None) -> None:
        """Real X key presses, one at a time (to the focused window, or to `window`).

        Not paced: X delivers them in order and the game handles them in order, each on the
        screen the one before left on top. A test that needs the game to have got somewhere
        first waits for the event that says so (wait_for, or shot's wait for "drawn")."""
        for name in names:
            self.run("xdotool", "key", *(["--window", window] if window else ["--delay", "50"]), name)

    def stroke(self, window: str, points, pace: float = 0.03, log: Path | None = None) -> None:
        """A pen stroke with the real mouse: press at the first point, move through the rest,
        release. `pace` spaces the moves as a hand would, so the game's frames see a line
        drawn over time (guesses while drawing), not one jump. With the game's `log`, done
        once the game logs the stroke's pen_up (after its guess)."""
        mark = len(read_log(log)) if log is not None else 0
        self.run("xdotool", "mousemove", "--window", window, str(int(points[0][0])), str(int(points[0][1])))
        self.run("xdotool", "mousedown", "1")
        for px, py in points[1:]:
            self.run("xdotool", "mousemove", "--window", window, str(int(px)), str(int(py)))
            # input, not waiting: the game stamps each point with its time and guesses while the
            # line grows; without the gap the whole stroke lands in one frame
            time.sleep(pace)
        self.run("xdotool", "mouseup", "1")
        if log is not None:
            wait_for(log, lambda e: e["event"] == "pen_up", what="the pen lifted", since=mark)

    def shot(self, path: Path, log: Path) -> Path:
        """A screenshot that must not be blank, taken once everything the game has logged so far
        is on the display (see on_display)."""
        on_display(log)
        self.screenshot(path)
        assert not screenshot_is_blank(path), f"{path.name} screenshot is blank"
        return path

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
            self.proc.wait(5)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def screenshot_is_blank(path: Path) -> bool:
    """True when the image has (almost) one colour: a black or frozen window."""
    out = subprocess.run(
        ["convert", str(path), "-format", "%[fx:standard_deviation]", "info:"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return float(out.stdout.strip() or 0) < 0.01


def read_log(path: Path) -> list[dict]:
    """The game's JSON event log (one object a line); empty until the game writes it."""
    try:
        return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    except FileNotFoundError:
        return []


def wait_for(path: Path, pred, timeout: float = 20.0, what: str = "", nudge=None, since: int = 0) -> dict:
    """The first logged event matching `pred` (from the `since`-th on: events logged before an
    action cannot answer for it); `nudge()` is called every 1.5 s while waiting."""
    deadline = time.monotonic() + timeout
    last = time.monotonic()
    while time.monotonic() < deadline:
        for e in read_log(path)[since:]:
            if pred(e):
                return e
        if nudge and time.monotonic() - last > 1.5:
            nudge()
            last = time.monotonic()
        time.sleep(0.1)
    tail = [e.get("event") for e in read_log(path)][-15:]
    pytest.fail(f"timed out waiting for {what}; last events: {tail}")


def on_display(log: Path, timeout: float = 20.0) -> dict:
    """Wait until what the game has logged so far has reached the display: the game logs "drawn"
    after the first flip that follows any other event (and after a change of screens), so the
    log's last event being "drawn", or a "drawn" coming after it, says the frame is up."""
    events = read_log(log)
    if events and events[-1]["event"] == "drawn":
        return events[-1]
    return wait_for(
        log, lambda e: e["event"] == "drawn", timeout, what="the last events on the display", since=len(events)
    )


def defend_the_lab(log: Path, key) -> None:
    """Lab defense's opening moves, once its screen is on the display: a hardware key on
    each of the first four lanes, then the game speed to x3 (the campaign tests play it
    through at that speed)."""
    wait_for(log, lambda e: e["event"] == "drawn" and e["screens"][-1] == "minigame", what="lab defense on the display")
    for _ in range(4):
        key("b", "Down")
    key("plus", "plus")
