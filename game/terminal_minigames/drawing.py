"""The drawing game in the terminal: the same DrawingGame and recognizer as the desktop.

Two ways to draw, chosen by what the terminal can do:
- **With the mouse**, when stdin and stdout are an interactive xterm-compatible terminal:
  plain escape codes switch on SGR mouse reports (mode 1006) with button-motion tracking
  (1002), so a press, every cell the pointer crosses with the button held, and the
  release arrive as `ESC [ < b ; col ; row M/m`. `MouseReader` turns those bytes into
  events, `CellCanvas` maps cells to the game's 512-unit canvas and draws strokes back in
  characters, `mouse_actions` makes them the game's pen inputs. The terminal is put back
  (mouse reports off, cursor shown, main screen, line mode) on every way out: the end,
  an exception, Ctrl-C.
- **By typing strokes** everywhere else (a pipe, a file, a terminal without mouse
  reports): the labelled text version. A line of points `20,20 80,20 80,80` on a 0..100
  grid is one stroke, `circle 50 50 30` a circle; the pen moves at a person's pace in
  simulated time, so the AI guesses while "drawing" and the time limit still counts.

Logic is kept apart from I/O: `MouseReader`, `CellCanvas`, `mouse_actions`,
`parse_stroke_line` and `TypedDrawing` are pure; `play()` does the I/O.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass

from game import textsafe
from game.minigames.drawing import DrawingGame
from game.minigames.drawing.closeness import closeness
from game.minigames.drawing.game import CANVAS

DT = 1 / 30
GRID = 100.0  # the typed version's coordinates: 0..100 on both axes, (0, 0) top left
PEN_STEP = 10.0  # canvas units the pen moves per step of DT: ~300 units a second, a person's pace
PAUSE_STEPS = 4  # steps between two strokes: the pen lifts, the hand moves
MAX_POINTS = 2000  # one typed stroke's points: enough for any drawing, bounded for a paste
ANSWER_WAIT = 30.0  # seconds the typed version waits for a remote guesser's answer to a line
MAX_IDEA = 60  # an idea of the player's own (with a vision model): a word or a short phrase

# ------------------------------------------------------------------ mouse reports
MOUSE_ON = "\x1b[?1049h\x1b[?25l\x1b[?1002h\x1b[?1006h"  # alternate screen, hide cursor, reports on
MOUSE_OFF = "\x1b[?1006l\x1b[?1002l\x1b[?25h\x1b[?1049l"  # the same, undone in reverse order
SGR = re.compile(r"\x1b\[<(\d+);(\d+);(\d+)([Mm])")
XTERM_LIKE = (
    "xterm",
    "screen",
    "tmux",
    "rxvt",
    "alacritty",
    "kitty",
    "foot",
    "wezterm",
    "vte",
    "konsole",
    "gnome",
    "st-",
    "putty",
    "mintty",
    "iterm",
    "contour",
)


@dataclass(frozen=True)
class MouseEvent:
    kind: str  # press, drag, release, key
    col: int = 0  # 1-based cell, as the terminal reports it
    row: int = 0
    key: str = ""


class MouseReader:
    """Bytes from a terminal in SGR mouse mode -> events. Keeps a half-read sequence for the next feed."""

    def __init__(self) -> None:
        self._buf = ""

    def feed(self, data: str) -> list[MouseEvent]:
        buf = self._buf + data
        out: list[MouseEvent] = []
        i = 0
        while i < len(buf):
            ch = buf[i]
            if ch != "\x1b":
                out.append(MouseEvent("key", key=ch))
                i += 1
                continue
            m = SGR.match(buf, i)
            if m:
                b, col, row, final = int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4)
                i = m.end()
                if b & 64 or b & 3 != 0:
                    continue  # the wheel, the middle and right buttons: not a pen
                if final == "m":
                    out.append(MouseEvent("release", col, row))
                elif b & 32:
                    out.append(MouseEvent("drag", col, row))
                else:
                    out.append(MouseEvent("press", col, row))
                continue
            rest = buf[i:]
            if re.fullmatch(r"\x1b(\[(<[\d;]*)?)?", rest):
                break  # a sequence cut between two reads: wait for the rest
            m = re.match(r"\x1b\[[\d;?<]*[A-Za-z~]|\x1bO[A-Za-z]", rest)
            if m:  # another key's sequence (arrows, F-keys): not ours
                i += m.end()
                continue
            out.append(MouseEvent("key", key="esc"))
            i += 1
        self._buf = buf[i:]
        return out


class CellCanvas:
    """A block of character cells standing for the game's square canvas.

    Terminal cells are about twice as tall as wide, so `cols` is twice `rows` for a square."""

    def __init__(self, col0: int, row0: int, cols: int, rows: int) -> None:
        self.col0, self.row0, self.cols, self.rows = col0, row0, cols, rows

    def inside(self, col: int, row: int) -> bool:
        return self.col0 <= col < self.col0 + self.cols and self.row0 <= row < self.row0 + self.rows

    def to_canvas(self, col: int, row: int) -> tuple[float, float]:
        """The centre of a cell, in canvas units (clamped: a drag may leave the canvas)."""
        c = min(self.cols - 1, max(0, col - self.col0))
        r = min(self.rows - 1, max(0, row - self.row0))
        return (round((c + 0.5) * CANVAS / self.cols, 1), round((r + 0.5) * CANVAS / self.rows, 1))

    def to_cell(self, x: float, y: float) -> tuple[int, int]:
        """Canvas units -> (column, row) inside the canvas, 0-based."""
        return (
            min(self.cols - 1, max(0, int(x * self.cols / CANVAS))),
            min(self.rows - 1, max(0, int(y * self.rows / CANVAS))),
        )

    def render(self, strokes: list, ink: str = "#") -> list[str]:
        """The strokes as rows of characters, segments joined cell by cell."""
        grid = [[" "] * self.cols for _ in range(self.rows)]
        for xs, ys, *_ in strokes:
            cells = [self.to_cell(x, y) for x, y in zip(xs, ys)]
            for (c0, r0), (c1, r1) in zip(cells, cells[1:] or cells):
                n = max(abs(c1 - c0), abs(r1 - r0), 1)
                for k in range(n + 1):
                    grid[round(r0 + (r1 - r0) * k / n)][round(c0 + (c1 - c0) * k / n)] = ink
        return ["".join(row) for row in grid]


def mouse_actions(events: list[MouseEvent], phase: str, canvas: CellCanvas, pen: bool) -> tuple[list[dict], str]:
    """Events -> DrawingGame inputs for its current phase; and "quit" or "typed" when the
    player asked to stop drawing or to go on typing strokes instead ("" otherwise)."""
    actions: list[dict] = []
    leave = ""
    for ev in events:
        if ev.kind == "key":
            k = ev.key
            if k in ("q", "\x04"):  # q or Ctrl-D: stop drawing (the round so far is judged)
                leave = "quit"
            elif k == "t":  # the mouse does not work here: type strokes instead
                leave = "typed"
            elif phase == "pick" and k in ("1", "2", "3"):
                actions.append({"pick": int(k) - 1})
            elif phase == "reveal" and k in ("\r", "\n", " "):
                actions.append({"next": True})
            elif phase == "draw":
                if k in ("\r", "\n", "d"):
                    actions.append({"done": True})
                elif k in ("u", "z", "\x7f", "\x08"):
                    actions.append({"undo": True})
                elif k == "c":
                    actions.append({"clear": True})
            continue
        if phase != "draw":
            continue
        if ev.kind == "press" and canvas.inside(ev.col, ev.row):
            actions.append({"pen_down": list(canvas.to_canvas(ev.col, ev.row))})
            pen = True
        elif ev.kind == "drag" and pen:
            actions.append({"pen_move": list(canvas.to_canvas(ev.col, ev.row))})
        elif ev.kind == "release" and pen:
            actions.append({"pen_up": True})
            pen = False
    return actions, leave


def mouse_capable(stdin=None, stdout=None, env=None) -> bool:
    """An interactive terminal that speaks xterm's mouse protocol (TT_MOUSE=0 turns it off, =1 forces it)."""
    env = os.environ if env is None else env
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    choice = env.get("TT_MOUSE", "")
    if choice == "0":
        return False
    try:
        tty = stdin.isatty() and stdout.isatty()
    except (AttributeError, ValueError):
        tty = False
    if not tty or os.name != "posix":
        return False
    term = env.get("TERM", "").lower()
    return choice == "1" or any(term.startswith(t) for t in XTERM_LIKE)


# ------------------------------------------------------------------ typed strokes
def parse_stroke_line(line: str) -> list[tuple[float, float]] | str:
    """A typed stroke -> points in canvas units, or what is wrong with it.

    `x,y x,y ...` (0..100, at least two points) or `circle cx cy r`."""
    text = line.strip().lower()
    m = re.fullmatch(r"circle\s+(-?[\d.]+)[\s,]+(-?[\d.]+)[\s,]+([\d.]+)", text)
    try:
        if m:
            cx, cy, r = (float(v) for v in m.groups())
            if r <= 0:
                return "a circle needs a radius above 0"
            n = 24
            pts = [
                (cx + r * math.cos(2 * math.pi * k / n), cy + r * math.sin(2 * math.pi * k / n)) for k in range(n + 1)
            ]
        else:
            pairs = re.findall(r"(-?[\d.]+)\s*,\s*(-?[\d.]+)", text)
            leftover = re.sub(r"(-?[\d.]+)\s*,\s*(-?[\d.]+)", "", text).strip(" ;")
            if leftover or len(pairs) < 1:
                return (
                    "type a stroke as points x,y on the 0..100 grid (e.g. 20,20 80,20 80,80), "
                    "or circle CX CY R; h for help"
                )
            pts = [(float(x), float(y)) for x, y in pairs]
            if len(pts) == 1:
                pts.append(pts[0])  # a dot
    except ValueError:
        return "numbers like 20 or 37.5, please"
    if len(pts) > MAX_POINTS:
        return f"at most {MAX_POINTS} points in one stroke"
    bad = [p for p in pts if not (0 <= p[0] <= GRID and 0 <= p[1] <= GRID)]
    if bad and not m:
        return f"points run from 0 to {GRID:g} on both axes; {bad[0][0]:g},{bad[0][1]:g} is outside"
    scale = CANVAS / GRID
    return [(min(CANVAS, max(0.0, x * scale)), min(CANVAS, max(0.0, y * scale))) for x, y in pts]


def stroke_actions(points: list[tuple[float, float]]) -> list[dict | None]:
    """Pen inputs, one per step, that draw `points` at a person's pace, then a short pause."""
    actions: list[dict | None] = [{"pen_down": list(points[0])}]
    for a, b in zip(points, points[1:]):
        n = max(1, int(math.dist(a, b) / PEN_STEP))
        for k in range(1, n + 1):
            actions.append({"pen_move": [a[0] + (b[0] - a[0]) * k / n, a[1] + (b[1] - a[1]) * k / n]})
    actions.append({"pen_up": True})
    actions.extend([None] * PAUSE_STEPS)
    return actions


TYPED_HELP = """\
Type strokes on a 0..100 grid: (0,0) is top left, (100,100) bottom right.
  20,20 80,20 80,80 20,80 20,20   one stroke through these points (a square)
  circle 50 50 30                 a circle: centre 50,50, radius 30
  u undo the last stroke   c clear   s show the canvas   d done (final guess)
The pen moves at a person's pace: the AI guesses as you draw; the clock runs."""


class TypedDrawing:
    """The text version's logic: typed lines -> game inputs, and what to say back. No I/O."""

    def __init__(self, game: DrawingGame, ai_name: str = "ARIA") -> None:
        self.game = game
        self.ai_name = ai_name
        self.canvas = CellCanvas(0, 0, 40, 20)
        self._said = ""
        self._problem: str | None = None

    @property
    def state(self) -> dict:
        return self.game.state

    def pick_text(self) -> list[str]:
        s = self.state
        opts = "   ".join(f"{i + 1}. {w}" for i, w in enumerate(s["options"]))
        own = "   or type an idea of your own" if self.game.takes_custom_ideas else ""
        return [f"Round {s['round'] + 1} of {s['rounds']}. Pick your secret idea: {opts}{own}"]

    def command(self, line: str) -> list[str]:
        s, g = self.state, self.game
        text = line.strip().lower()
        if s["phase"] == "pick":
            if text in ("1", "2", "3") and int(text) <= len(s["options"]):
                g.step(DT, {"pick": int(text) - 1})
                return self._drawing_now()
            if text and g.takes_custom_ideas and not text.isdigit():
                g.step(DT, {"pick_custom": line.strip()[:MAX_IDEA]})
                if s["phase"] == "draw":
                    return self._drawing_now()
                return [f"({s.get('notice') or 'type 1, 2 or 3, or an idea of your own'})"]
            if g.takes_custom_ideas:
                return ["(type 1, 2 or 3, or an idea of your own)"]
            return ["(type 1, 2 or 3 to pick an idea)"]
        if s["phase"] != "draw":
            return []
        if text in ("h", "help", "?"):
            return TYPED_HELP.splitlines()
        if text in ("s", "show"):
            return self.show()
        if text in ("u", "undo"):
            g.step(DT, {"undo": True})
            return ["(last stroke undone)"] + self._ai()
        if text in ("c", "clear"):
            g.step(DT, {"clear": True})
            return ["(canvas cleared)"] + self._ai()
        if text in ("d", "done", ""):
            if text == "":
                return ["(type a stroke, or d when you are done; h for help)"]
            g.step(DT, {"done": True})
            return self._ai() + self.reveal()
        points = parse_stroke_line(line)
        if isinstance(points, str):
            return [f"({points})"]
        for action in stroke_actions(points):
            g.step(DT, action)
            if s["phase"] != "draw":
                break  # time ran out mid-stroke: the round is judged as it stands
        out = self._ai()
        if s["phase"] == "reveal":
            out += self.reveal()
        return out

    def _drawing_now(self) -> list[str]:
        s = self.state
        limit = f"{s['time_limit']:g} seconds of drawing" if s["timed"] else "no time limit"
        return [f"You are drawing: {s['idea']} ({limit}; {self.ai_name} does not know which). h for help."] + self._ai()

    def _ai(self) -> list[str]:
        s = self.state
        lines = []
        if s["phase"] == "draw" and not self.game.wait_for_guess(ANSWER_WAIT):
            lines.append(f"({self.ai_name} is still looking; the drawing goes on)")
        problem = getattr(self.game.recognizer, "last_error", None)
        if problem and problem != self._problem:
            # A vision model that fails is replaced by the embedded recognizer for that guess; say so once.
            lines.append(f"(the vision model did not answer: {problem}; the embedded recognizer guessed instead)")
        self._problem = problem
        if s.get("line") and s["line"] != self._said:
            self._said = s["line"]
            tops = ", ".join(f"{label} {p:.0%}" for label, p in s.get("top", []))
            lines.append(f"{self.ai_name}: {s['line']}" + (f"   (guesses: {tops})" if tops else ""))
        if s["phase"] == "draw" and s["timed"]:
            lines.append(f"({max(0.0, s['time_limit'] - s['t']):.1f}s left)")
        return lines

    def show(self) -> list[str]:
        rows = self.canvas.render(self.state.get("strokes", []))
        edge = "+" + "-" * self.canvas.cols + "+"
        return [edge] + [f"|{r}|" for r in rows] + [edge]

    def reveal(self) -> list[str]:
        s = self.state
        if s["phase"] != "reveal" or not s["history"]:
            return []
        h = s["history"][-1]
        said = h["guess"] or "nothing"
        near = closeness(h["guess"], h["idea"]) if h["guess"] else 0.0
        verdict = "understood!" if h["understood"] else ("close..." if near >= 0.4 else "not quite.")
        why = {"time": "time ran out", "done": "you said done"}.get(h["ended_by"], h["ended_by"])
        out = [
            f"Round over ({why}). You drew {h['idea']}; {self.ai_name} said {said}. "
            f"Closeness {near:.2f}: {verdict} +{h['score']} points"
        ]
        self.game.step(DT, {"next": True})
        if self.game.done:
            r = self.game.result()
            out.append(
                f"Drawing game over: {self.ai_name} understood {r['understood_rounds']} of {r['rounds']} "
                f"drawing{'s' if r['rounds'] != 1 else ''}; score {r['score']}, "
                f"{self.ai_name}'s reward {r['reward']:.2f}."
            )
        return out


def play_typed(
    game: DrawingGame,
    ask: Callable[[str], str | None],
    out: Callable[[str], None],
    ai_name: str = "ARIA",
    why: str = "",
) -> dict:
    """The text version, to the end of the rounds or of the input."""
    td = TypedDrawing(game, ai_name)
    guesser = (
        f"the vision model {game.recognizer.model}"
        if game.takes_custom_ideas and getattr(game.recognizer, "model", None)
        else "the same recognizer as the desktop game"
    )
    out(
        f"Drawing game, text version ({why or 'no mouse here'}): you draw by typing strokes, "
        f"{ai_name} guesses with {textsafe.clean(guesser)}."
    )
    while not game.done:
        if game.state["phase"] == "pick":
            for text in td.pick_text():
                out(text)
        line = ask("draw> ")
        if line is None:
            # The end of input (or the player's /quit, /skip): the round being drawn is judged.
            out("(the drawing stops here" + (", judged as it stands)" if game.state["phase"] == "draw" else ")"))
            if game.state["phase"] == "draw":
                for text in td.command("d"):
                    out(text)
            break
        for text in td.command(line):
            out(text)
    return game.result()


def configured_recognizer(problems: list[str] | None = None):
    """The vision model the designer configured for the drawing game (settings.yaml
    `vision:` or TT_VISION_MODEL, as on the desktop), or None for the embedded recognizer;
    what is wrong with the settings goes to `problems` (vision.configured)."""
    from game.minigames.drawing.vision import configured

    cfg = configured(problems)
    if not cfg:
        return None
    from game.minigames.drawing.recognizer import create

    return create("vision", **cfg)


# ------------------------------------------------------------------ the mouse version's I/O
def _layout(fd: int) -> tuple[os.terminal_size, CellCanvas]:
    """The terminal's size and the canvas that fits it (cells twice as tall as wide: a square)."""
    import shutil

    try:
        size = os.get_terminal_size(fd)  # the terminal drawn on, not whatever stdout is
    except OSError:
        size = shutil.get_terminal_size((80, 24))
    if size.columns < 20 or size.lines < 12:
        size = os.terminal_size((max(size.columns, 80), max(size.lines, 24)))
    rows = max(8, min(28, size.lines - 8))
    cols = max(16, min(rows * 2, size.columns - 4))
    return size, CellCanvas(3, 3, cols, rows)


def play_mouse(game: DrawingGame, ai_name: str = "ARIA", fd_in: int | None = None, stdout=None) -> str:
    """Draw with the mouse in this terminal (see the module docstring) until the game is
    over ("done"), or the player stops ("quit") or asks to type strokes instead ("typed").

    The terminal is restored on every way out, and also while the game is suspended (Ctrl-Z:
    the shell gets a normal terminal back; `fg` switches the mouse on again and redraws). A
    resized window gets a new canvas at once; the strokes are kept in canvas units."""
    import codecs
    import select
    import signal
    import termios
    import threading
    import time
    import tty

    stdout = stdout or getattr(sys.stdout, "unfiltered", sys.stdout)  # its escape codes must get through
    fd = sys.stdin.fileno() if fd_in is None else fd_in
    size, canvas = _layout(fd)
    reader = MouseReader()
    decode = codecs.getincrementaldecoder("utf-8")("replace").decode  # a key's bytes may span two reads
    saved = termios.tcgetattr(fd)
    leave = ""
    shown: list = [None]

    def frame() -> str:
        s = game.state
        cols, rows, width = canvas.cols, canvas.rows, size.columns - 1
        lines = [f" Draw for {ai_name} (mouse: press and drag to draw)"]
        if s["phase"] == "pick":
            lines.append(f" Round {s['round'] + 1} of {s['rounds']}: press 1, 2 or 3 to pick your secret idea")
            body = [" " * cols] * rows
            for i, w in enumerate(s["options"]):  # the three cards, on the empty canvas
                body[rows // 2 - 2 + 2 * i] = f"{i + 1}. {w}"[:cols].center(cols)
        else:
            lines.append(
                f" Your idea: {s['idea']}"
                + (f"   {max(0.0, s['time_limit'] - s['t']):4.1f}s left" if s["timed"] and s["phase"] == "draw" else "")
            )
            body = canvas.render(s["strokes"])
        lines.append("  +" + "-" * cols + "+")
        lines += [f"  |{r}|" for r in body]
        lines.append("  +" + "-" * cols + "+")
        tops = ", ".join(f"{label} {p:.0%}" for label, p in s.get("top", []))
        lines.append(f" {ai_name}: {s.get('line', '')}")
        lines.append(f" guesses: {tops}" if tops else "")
        if s["phase"] == "reveal" and s["history"]:
            h = s["history"][-1]
            lines.append(
                f" You drew {h['idea']}; {ai_name} said {h['guess'] or 'nothing'}: "
                f"{'understood!' if h['understood'] else 'not quite.'} +{h['score']}   Enter: continue"
            )
        elif s["phase"] == "pick" and game.takes_custom_ideas:
            lines.append(" t: type an idea of your own (and your strokes)   q: stop")
        else:
            lines.append(" Enter/d: done   u: undo   c: clear   q: stop   t: type strokes instead")
        # the text is cleaned (a level's names and lines), the codes around it are the canvas's own
        return "\x1b[H" + "".join(f"{textsafe.clean(ln)[:width]}\x1b[K\r\n" for ln in lines) + "\x1b[J"

    def terminal_on() -> None:
        tty.setcbreak(fd)  # keys as they are typed, no echo; Ctrl-C still interrupts
        stdout.write(MOUSE_ON)
        stdout.flush()
        shown[0] = None  # whatever was on screen is gone: draw it all again

    def terminal_off() -> None:
        stdout.write(MOUSE_OFF)
        stdout.flush()
        termios.tcsetattr(fd, termios.TCSAFLUSH, saved)

    # Ctrl-Z: give the shell its terminal back before stopping, take it again on `fg`.
    # (Signal handlers can only be set from the main thread; elsewhere there is no Ctrl-Z.)
    handlers = threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGTSTP")
    old = {}

    def on_stop(signum, frame_) -> None:
        terminal_off()
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTSTP)  # stop for real; resumes here on SIGCONT

    def on_continue(signum, frame_) -> None:
        terminal_on()
        signal.signal(signal.SIGTSTP, on_stop)

    try:
        terminal_on()
        if handlers:
            old = {
                sig: signal.signal(sig, fn) for sig, fn in ((signal.SIGTSTP, on_stop), (signal.SIGCONT, on_continue))
            }
        last = time.monotonic()
        while not game.done and not leave:
            ready, _, _ = select.select([fd], [], [], DT)
            data = decode(os.read(fd, 4096)) if ready else ""
            for ev in reader.feed(data):
                # One event at a time against the phase it lands in: a pick, strokes and
                # Done read in one go must each meet the phase the one before made.
                actions, asked = mouse_actions([ev], game.state["phase"], canvas, bool(game.state.get("pen")))
                leave = leave or asked
                if actions and not game.done:
                    game.step(0.0, actions)
            now = time.monotonic()
            game.step(min(0.25, now - last))
            last = now
            new_size, new_canvas = _layout(fd)
            if new_size != size:  # resized: a canvas that fits, drawn afresh
                size, canvas = new_size, new_canvas
                stdout.write("\x1b[2J")
                shown[0] = None
            picture = frame()
            if picture != shown[0]:  # draw only when something changed
                stdout.write(picture)
                stdout.flush()
                shown[0] = picture
        if leave == "quit" and game.state["phase"] == "draw":
            game.step(DT, {"done": True})
    finally:
        for sig, fn in old.items():
            signal.signal(sig, fn)
        terminal_off()
    return leave or "done"


def play(
    seed: int,
    params: dict,
    ask: Callable[[str], str | None],
    out: Callable[[str], None],
    ai_name: str = "ARIA",
    mouse: bool | None = None,
    screen=None,
    recognizer=None,
) -> dict:
    """The drawing game in this terminal: with the mouse when it can report one, else typed.
    `screen`: the stream the mouse mode writes its escape codes to (default stdout).
    `recognizer`: who guesses (configured_recognizer(): a vision model, when the designer
    set one); the embedded recognizer when None."""
    game = DrawingGame()
    game.reset(seed, params)
    if mouse is None:
        mouse = mouse_capable()
    if recognizer is not None:
        # A remote guesser answers from a worker thread, as on the desktop (one request in
        # flight, the newest drawing next); the typed version waits for it after each line.
        game.use_recognizer(recognizer)
    if mouse:
        if play_mouse(game, ai_name, stdout=screen) != "typed":
            r = game.result()
            out(
                f"Drawing game over: {ai_name} understood {r['understood_rounds']} of {r['rounds']} "
                f"drawing{'s' if r['rounds'] != 1 else ''}; score {r['score']}."
            )
            return r
        return play_typed(game, ask, out, ai_name, "you asked to type strokes")
    why = (
        "input is not an interactive terminal"
        if not sys.stdin.isatty()
        else "this terminal does not report the mouse (TERM=" + os.environ.get("TERM", "") + ")"
    )
    if os.environ.get("TT_MOUSE") == "0":
        why = "TT_MOUSE=0"
    return play_typed(game, ask, out, ai_name, why)
