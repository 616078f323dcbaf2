"""The drawing game drawn with the mouse in a real terminal: `play --text` runs in a pty that
says it is an xterm, the test sends SGR mouse reports as the terminal would, and the game
draws, guesses, ends, puts the terminal back and goes on with the story."""

import math
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from game.terminal_minigames.drawing import MOUSE_OFF, MOUSE_ON

REPO = Path(__file__).resolve().parent.parent

LEVEL = """\
level: doodle
start: s
characters:
  aria: {name: ARIA, fallback: ["Hm."]}
scenes:
  s:
    - aria: Will you draw something for me?
    - minigame: drawing
      params: {rounds: 1, voice: aria}
      as: d
    - aria: "I said {d.guess}. You drew {d.idea}."
    - end: done
      inscription: ["{player}", "drew for ARIA"]
"""


def sgr(b, col, row, final="M"):
    return f"\x1b[<{b};{col};{row}{final}"


class Pty:
    def __init__(self, args, env):
        import pty

        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            args, stdin=slave, stdout=slave, stderr=slave, cwd=REPO, env=env, start_new_session=True
        )
        os.close(slave)
        self.seen = b""

    def expect(self, text: str, timeout: float = 60) -> str:
        """Read until `text` has appeared (an event, not a pause); everything read so far."""
        end = time.monotonic() + timeout
        while text.encode() not in self.seen:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"never saw {text!r}; last output: {self.seen[-600:]!r}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"the game ended before {text!r}: {self.seen[-600:]!r}")
                self.seen += chunk
        return self.seen.decode("utf-8", "replace")

    def send(self, text: str) -> None:
        os.write(self.master, text.encode())

    def close(self) -> int:
        try:
            return self.proc.wait(30)
        finally:
            os.close(self.master)


def _doodle(tmp_path, term: str, **env_vars: str) -> Pty:
    """`play --text` of the one-drawing level in a pty that says it is `term`, 80x30."""
    level = tmp_path / "doodle.yaml"
    level.write_text(LEVEL)
    env = {**os.environ, "TERM": term, "COLUMNS": "80", "LINES": "30", **env_vars}
    env.pop("TT_MOUSE", None)
    return Pty(
        [sys.executable, "-m", "game", "play", "--text", str(level), "--name", "Ada", "--seed", "3", "--no-reload"], env
    )


@pytest.mark.skipif(os.name != "posix", reason="needs a pty")
def test_drawing_with_the_mouse_in_an_xterm_pty(tmp_path):
    term = _doodle(tmp_path, "xterm-256color")
    try:
        term.expect("Will you draw something for me?")
        term.expect(MOUSE_ON)  # mouse reports on: the game is listening
        term.expect("press 1, 2 or 3")
        term.send("1")
        term.expect("Your idea:")
        # A circle, dragged cell by cell with the left button held, as xterm reports it.
        pts = [
            (20 + round(14 * math.cos(k / 24 * 2 * math.pi)), 16 + round(7 * math.sin(k / 24 * 2 * math.pi)))
            for k in range(25)
        ]
        term.send(sgr(0, *pts[0]) + "".join(sgr(32, *p) for p in pts[1:]) + sgr(0, *pts[-1], "m"))
        term.expect("guesses:")  # the AI guessed at the pen-up
        term.send("d")
        term.expect("Enter: continue")
        term.send("\r")
        out = term.expect("THE END")
        term.expect("drew for ARIA")
        code = term.close()
    finally:
        if term.proc.poll() is None:
            term.proc.kill()
    assert code == 0
    assert out.index(MOUSE_OFF) > out.index(MOUSE_ON), "the terminal is put back before the story goes on"
    assert "#" in out, "the stroke was drawn back on the character canvas"
    after = out[out.index(MOUSE_OFF) :]
    assert "Drawing game over: ARIA understood" in after and "ARIA: I said " in after
    assert "Traceback" not in out


@pytest.mark.skipif(os.name != "posix", reason="needs a pty")
def test_a_player_whose_mouse_does_nothing_can_type_strokes_instead(tmp_path):
    term = _doodle(tmp_path, "xterm")
    try:
        term.expect("t: type strokes instead")
        term.send("t")
        term.expect("text version (you asked to type strokes)")
        term.expect("draw> ")
        term.send("1\n")
        term.expect("You are drawing:")
        term.send("circle 50 50 30\n")
        term.expect("(guesses:")
        term.send("d\n")
        out = term.expect("drew for ARIA")
        code = term.close()
    finally:
        if term.proc.poll() is None:
            term.proc.kill()
    assert code == 0 and out.index(MOUSE_OFF) < out.index("text version")
    assert "Round over (you said done)" in out and "Traceback" not in out


@pytest.mark.skipif(os.name != "posix", reason="needs a pty")
def test_with_a_vision_model_the_mouse_player_types_an_idea_of_their_own(tmp_path):
    import json

    from tests.test_drawing_vision import KEY, FakeServer

    server = FakeServer()
    server.reply = json.dumps({"guesses": [{"label": "a lighthouse", "prob": 0.9}]})
    term = _doodle(tmp_path, "xterm", TT_VISION_MODEL="fake-vision", OPENAI_BASE_URL=server.url, OPENAI_API_KEY=KEY)
    try:
        term.expect("t: type an idea of your own")
        term.send("t")
        term.expect("the vision model fake-vision")
        assert "an idea of your own" in term.expect("draw> ")  # the text may wrap anywhere before it
        term.send("a lighthouse\n")
        term.expect("You are drawing: a lighthouse")
        term.send("20,90 50,10 80,90\n")
        term.expect("(guesses: a lighthouse")
        term.send("d\n")
        out = term.expect("drew for ARIA")
        code = term.close()
    finally:
        if term.proc.poll() is None:
            term.proc.kill()
        server.close()
    assert code == 0
    assert "You drew a lighthouse; ARIA said a lighthouse" in out and "understood!" in out
    assert KEY not in out and "Traceback" not in out
