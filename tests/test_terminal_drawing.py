"""The drawing game in the terminal: SGR mouse reports -> strokes, typed strokes, and a real pty."""

import math
import os
import threading

import pytest

from game.minigames.drawing import DrawingGame
from game.minigames.drawing.game import CANVAS
from game.terminal_minigames.drawing import (
    MOUSE_OFF,
    MOUSE_ON,
    CellCanvas,
    MouseEvent,
    MouseReader,
    TypedDrawing,
    mouse_actions,
    mouse_capable,
    parse_stroke_line,
    play,
    play_mouse,
)

DT = 1 / 30


def sgr(b, col, row, final="M"):
    return f"\x1b[<{b};{col};{row}{final}"


def test_sgr_reports_become_press_drag_release_and_keys():
    r = MouseReader()
    data = sgr(0, 10, 5) + sgr(32, 11, 5) + sgr(32, 12, 6) + sgr(0, 12, 6, "m") + "d"
    assert r.feed(data) == [
        MouseEvent("press", 10, 5),
        MouseEvent("drag", 11, 5),
        MouseEvent("drag", 12, 6),
        MouseEvent("release", 12, 6),
        MouseEvent("key", key="d"),
    ]


def test_a_report_cut_between_two_reads_is_kept_for_the_next():
    r = MouseReader()
    seq = sgr(32, 40, 12)
    assert r.feed("u" + seq[:5]) == [MouseEvent("key", key="u")]
    assert r.feed(seq[5:]) == [MouseEvent("drag", 40, 12)]


def test_other_buttons_wheel_and_arrow_keys_are_not_a_pen():
    r = MouseReader()
    assert r.feed(sgr(2, 5, 5) + sgr(64, 5, 5) + sgr(1, 5, 5, "m") + "\x1b[A" + "\x1bOP") == []


def test_cells_map_onto_the_canvas_and_back():
    c = CellCanvas(3, 3, 40, 20)
    assert c.inside(3, 3) and c.inside(42, 22) and not c.inside(43, 3) and not c.inside(2, 10)
    x, y = c.to_canvas(3, 3)
    assert (x, y) == (round(0.5 * CANVAS / 40, 1), round(0.5 * CANVAS / 20, 1))
    assert c.to_canvas(500, 500) == c.to_canvas(42, 22), "a drag off the canvas stays on its edge"
    assert c.to_cell(*c.to_canvas(20, 10)) == (17, 7)


def test_mouse_reports_draw_a_stroke_the_recognizer_guesses_about():
    game = DrawingGame()
    game.reset(2, {"voice": "plain"})
    canvas = CellCanvas(3, 3, 40, 20)
    reader = MouseReader()
    pts = [
        (23 + round(15 * math.cos(a / 20 * 2 * math.pi)), 13 + round(7 * math.sin(a / 20 * 2 * math.pi)))
        for a in range(21)
    ]
    data = "1" + sgr(0, *pts[0]) + "".join(sgr(32, *p) for p in pts[1:]) + sgr(0, *pts[-1], "m")
    for ev in reader.feed(data):
        actions, leave = mouse_actions([ev], game.state["phase"], canvas, bool(game.state.get("pen")))
        assert not leave
        game.step(DT, actions)
    s = game.state
    assert s["phase"] == "draw" and len(s["strokes"]) == 1
    xs, ys = s["strokes"][0][:2]
    assert len(xs) >= 15 and all(0 <= v <= CANVAS for v in xs + ys)
    assert s["guesses"], "the AI guesses at the pen-up"
    rows = canvas.render(s["strokes"])
    assert sum(row.count("#") for row in rows) >= 30, "the stroke is drawn back in the cells it crossed"
    actions, _ = mouse_actions(reader.feed("\r"), "draw", canvas, False)
    assert actions == [{"done": True}]
    assert mouse_actions(reader.feed("t"), "draw", canvas, False)[1] == "typed"
    assert mouse_actions(reader.feed("q"), "pick", canvas, False)[1] == "quit"


def test_the_text_version_only_on_a_pipe_or_a_terminal_without_mouse_reports():
    class Tty:
        def __init__(self, tty):
            self.tty = tty

        def isatty(self):
            return self.tty

    yes, no = Tty(True), Tty(False)
    assert mouse_capable(yes, yes, {"TERM": "xterm-256color"}) == (os.name == "posix")
    assert not mouse_capable(no, yes, {"TERM": "xterm-256color"})
    assert not mouse_capable(yes, yes, {"TERM": "dumb"})
    assert not mouse_capable(yes, yes, {"TERM": "xterm", "TT_MOUSE": "0"})


@pytest.mark.parametrize(
    "line, ok",
    [
        ("20,20 80,20 80,80", True),
        ("20, 20  80 ,20", True),
        ("circle 50 50 30", True),
        ("50,50", True),
        ("hello", False),
        ("200,5 10,10", False),
        ("circle 50 50 0", False),
        ("10,10 20", False),
    ],
)
def test_typed_strokes(line, ok):
    got = parse_stroke_line(line)
    assert isinstance(got, list) == ok, got
    if ok:
        assert all(0 <= x <= CANVAS and 0 <= y <= CANVAS for x, y in got) and len(got) >= 2
    else:
        assert "0..100" in got or "radius" in got or "outside" in got


def test_typed_drawing_plays_a_round_in_simulated_time():
    game = DrawingGame()
    game.reset(5, {"voice": "plain", "rounds": 1})
    td = TypedDrawing(game, "ARIA")
    assert "Pick your secret idea" in td.pick_text()[0]
    said = td.command("2")
    assert game.state["phase"] == "draw" and "You are drawing" in said[0]
    said = td.command("50,10 90,50 50,90 10,50 50,10")
    assert len(game.state["strokes"]) == 1 and game.state["t"] > 1.0, "the pen moved at a person's pace"
    assert any(line.startswith("ARIA: ") for line in said) and game.state["guesses"]
    assert "#" in "".join(td.show())
    assert td.command("zz")[0].startswith("(type a stroke")
    said = td.command("d")
    assert game.done and any("Round over (you said done)" in line for line in said)
    assert any("Drawing game over: ARIA understood" in line for line in said)


def test_typed_play_judges_the_round_at_end_of_input():
    lines = iter(["1", "circle 50 50 30"])
    out = []
    r = play(3, {"voice": "plain", "rounds": 2}, lambda p: next(lines, None), out.append, mouse=False)
    text = "\n".join(out)
    assert "text version" in text and "stops here" in text
    assert r["rounds"] == 1 and r["guess"], "the round being drawn is judged as it stands"


@pytest.mark.skipif(os.name != "posix", reason="needs a pty")
def test_mouse_play_in_a_real_pty_restores_the_terminal():
    import pty
    import termios

    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    started = threading.Event()

    class Screen:
        def __init__(self):
            self.text = []

        def write(self, s):
            self.text.append(s)
            if MOUSE_ON in s:
                started.set()

        def flush(self):
            pass

    screen = Screen()
    game = DrawingGame()
    game.reset(4, {"voice": "plain", "rounds": 1})
    box = {}
    worker = threading.Thread(target=lambda: box.update(how=play_mouse(game, "ARIA", fd_in=slave, stdout=screen)))
    worker.start()
    try:
        assert started.wait(10)
        strokes = sgr(0, 10, 8) + "".join(sgr(32, 10 + k, 8 + k // 3) for k in range(1, 20)) + sgr(0, 29, 14, "m")
        os.write(master, ("1" + strokes + "d" + "\r").encode())
        worker.join(20)
        assert not worker.is_alive()
        r = game.result()
        assert box["how"] == "done" and r["rounds"] == 1 and r["guess"] and r["seconds"] >= 0
        assert len(game.state["history"]) == 1 and game.state["history"][0]["ended_by"] == "done"
        out = "".join(screen.text)
        assert out.endswith(MOUSE_OFF) and "Draw for ARIA" in out and "#" in out
        assert termios.tcgetattr(slave) == before, "the terminal is put back as it was"
    finally:
        os.close(master)
        os.close(slave)


@pytest.mark.skipif(os.name != "posix", reason="needs a pty")
def test_an_exception_while_drawing_still_restores_the_terminal():
    import pty
    import termios

    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)

    class Boom(DrawingGame):
        def step(self, dt, inputs=None):
            raise KeyboardInterrupt  # what Ctrl-C raises in the loop

    written = []
    game = Boom()
    game.reset(4, {"voice": "plain"})
    try:
        with pytest.raises(KeyboardInterrupt):
            play_mouse(
                game,
                "ARIA",
                fd_in=slave,
                stdout=type("S", (), {"write": lambda self, s: written.append(s), "flush": lambda self: None})(),
            )
        assert "".join(written).endswith(MOUSE_OFF)
        assert termios.tcgetattr(slave) == before
    finally:
        os.close(master)
        os.close(slave)
