"""The drawing game's mouse mode in a real terminal emulator (tmux): it switches on SGR
button-motion reports, draws what the mouse reports, and Ctrl-C puts the terminal back."""

import math
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.test_terminal_mouse_pty import LEVEL

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


def tmux(*args) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=10).stdout


def wait_for(check, what: str, timeout: float = 30):
    """Poll the terminal's state until `check()` holds (a condition, not a pause)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = check()
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def test_mouse_mode_in_tmux_draws_and_ctrl_c_restores_the_terminal(tmp_path):
    level = tmp_path / "doodle.yaml"
    level.write_text(LEVEL)
    name = f"tt-{uuid.uuid4().hex[:8]}"
    cmd = (
        f"cd {REPO} && TERM=xterm-256color {sys.executable} -m game play --text {level} --name Ada --seed 3 "
        f"--no-reload; echo EXIT=$?; sleep 60"
    )
    tmux("new-session", "-d", "-s", name, "-x", "90", "-y", "40", cmd)
    try:

        def flags():
            return tmux("display", "-p", "-t", name, "#{alternate_on} #{mouse_sgr_flag} #{mouse_button_flag}").split()

        def pane():
            return tmux("capture-pane", "-p", "-t", name)

        wait_for(lambda: flags() == ["1", "1", "1"], "the game switches on SGR button-motion mouse reports")
        wait_for(lambda: "press 1, 2 or 3" in pane(), "the idea cards")
        tmux("send-keys", "-t", name, "1")
        wait_for(lambda: "Your idea:" in pane(), "the canvas")
        pts = [
            (22 + round(16 * math.cos(k / 24 * 2 * math.pi)), 16 + round(8 * math.sin(k / 24 * 2 * math.pi)))
            for k in range(25)
        ]
        seq = (
            f"\x1b[<0;{pts[0][0]};{pts[0][1]}M"
            + "".join(f"\x1b[<32;{x};{y}M" for x, y in pts[1:])
            + f"\x1b[<0;{pts[-1][0]};{pts[-1][1]}m"
        )
        tmux("send-keys", "-t", name, "-l", seq)
        screen = wait_for(lambda: (lambda s: s if "guesses:" in s else "")(pane()), "a guess after the stroke")
        rows = screen.splitlines()
        assert sum(r.count("#") for r in rows) >= 40, "the circle is on the character canvas"
        top = next(i for i, r in enumerate(rows) if "#" in r)
        assert rows[top].index("#") > 10, "drawn where the mouse was, not at the edge"
        tmux("send-keys", "-t", name, "C-c")
        wait_for(lambda: flags() == ["0", "0", "0"], "mouse reports off and the main screen back after Ctrl-C")
        after = wait_for(lambda: (lambda s: s if "EXIT=" in s else "")(pane()), "the game exits")
        assert "EXIT=130" in after and "Traceback" not in after
    finally:
        tmux("kill-session", "-t", name)


def test_resize_and_ctrl_z_in_a_shell(tmp_path):
    """A window made smaller gets a smaller canvas; Ctrl-Z hands the shell a normal terminal
    (mouse off, main screen) and `fg` takes it back, drawn again."""
    level = tmp_path / "doodle.yaml"
    level.write_text(LEVEL)
    name = f"tt-{uuid.uuid4().hex[:8]}"
    tmux("new-session", "-d", "-s", name, "-x", "90", "-y", "40", "bash --norc --noprofile -i")
    try:

        def flags():
            return tmux("display", "-p", "-t", name, "#{alternate_on} #{mouse_sgr_flag} #{mouse_button_flag}").split()

        def pane():
            return tmux("capture-pane", "-p", "-t", name)

        def border() -> int:
            rows = [r for r in pane().splitlines() if r.startswith("  +-")]
            return len(rows[0].strip()) if rows else 0

        tmux(
            "send-keys",
            "-t",
            name,
            f"cd {REPO} && TERM=xterm-256color {sys.executable} -m game play --text "
            f"{level} --name Ada --seed 3 --no-reload",
            "Enter",
        )
        wait_for(lambda: flags() == ["1", "1", "1"], "mouse reports on")
        wide = wait_for(border, "the canvas")
        tmux("resize-window", "-t", name, "-x", "50", "-y", "24")
        narrow = wait_for(lambda: (lambda b: b if 0 < b < wide else 0)(border()), "a smaller canvas after the resize")
        assert narrow <= 50 - 2
        tmux("send-keys", "-t", name, "C-z")
        wait_for(lambda: flags() == ["0", "0", "0"], "a normal terminal while the game is suspended")
        wait_for(lambda: "Stopped" in pane(), "the shell's job control took over")
        tmux("send-keys", "-t", name, "fg", "Enter")
        wait_for(lambda: flags() == ["1", "1", "1"], "mouse reports on again after fg")
        wait_for(lambda: "press 1, 2 or 3" in pane() and border() > 0, "the game drawn again")
        tmux("send-keys", "-t", name, "q")
        wait_for(lambda: "*** THE END" in pane(), "the story goes on to its end")
        # After a job was stopped bash drops the rest of its command line: ask for the status now.
        tmux("send-keys", "-t", name, "echo STATUS=$?", "Enter")
        out = wait_for(lambda: (lambda s: s if re.search(r"STATUS=\d", s) else "")(pane()), "the exit status")
        assert "STATUS=0" in out and "Traceback" not in out, out
    finally:
        tmux("kill-session", "-t", name)
