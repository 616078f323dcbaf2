"""The minigames in the terminal (`play --text`): each a thin text front over the same
pure simulation the desktop view drives (game/minigames/).

Each module keeps its game logic (parsing commands, advancing the sim, drawing the board
as text) apart from its I/O (`play(...)` with an `ask` and an `out`), so tests drive the
logic directly and the whole thing through pipes.
- lab.py: lab defense, turn-based: a compact board, one fixed sim step per turn.
- drawing.py: the drawing game, with the mouse on an xterm-compatible terminal (SGR mouse
  reports) or, on a pipe or a terminal without mouse reports, typed strokes.
"""
