"""Lab defense in the terminal: the same simulation (game/minigames/lab_defense/sim.py), in turns.

Each turn advances the sim by TURN_SECONDS; placing or removing a control takes no time
(as in the desktop's pause, planning is free). The board shows the training bar, the five
lanes with their threats and control slots, the intel on coming waves, the allies and
what happened since the last turn. Deterministic for a seed: the same commands give the
same run. The result is the sim's own `result()`, the shape the desktop view returns.

`LabTurns` is the game logic (no I/O); `play()` is the loop with an `ask` and an `out`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from game.minigames.lab_defense import LabDefense
from game.minigames.lab_defense import allies as A
from game.minigames.lab_defense.catalog import (
    ASSET_TITLES,
    ASSETS,
    CONTROL_ORDER,
    CONTROLS,
    LANE_TITLES,
    LANES,
    SLOT_POSITIONS,
    THREATS,
)

TURN_SECONDS = 2.0  # sim time per turn: a threat crosses its lane in 4 to 8 turns
NEXT_MAX_TURNS = 30  # `n` waits at most this long for something to happen
TRACK = 30  # characters a lane's track is drawn with

LANE_KEYS = "isedb"  # the first letters of the lanes' titles: Inbox, Supply chain, Edge, Data, Building
assert len(LANE_KEYS) == len(LANES) and all(LANE_TITLES[ln][0].lower() == k for ln, k in zip(LANES, LANE_KEYS))

# One letter per threat on a track; the APT is a capital: a campaign, not a single tool.
THREAT_LETTERS = {
    "phishing": "p",
    "tailgater": "t",
    "poisoned_dependency": "d",
    "flood": "f",
    "exposed_dashboard": "x",
    "poisoned_crawl": "c",
    "trojaned_model": "m",
    "insider": "i",
    "weight_exfil": "w",
    "apt": "A",
}
assert set(THREAT_LETTERS) == set(THREATS)

SHORTS = {CONTROLS[c]["short"].lower(): i for i, c in enumerate(CONTROL_ORDER)}

HELP = """\
Lab defense, turn-based. Finish the training run before the deadline while
attacks come down five lanes toward the lab's assets. Each threat has one hard
counter: put it on the lane the intel says the threat will use. Every control
slows research a little: buy what the intel calls for, not everything.
  1i    place control 1 on lane i (controls 1-9, lanes i s e d b; or: key i)
  xi    remove lane i's last control (half refund); xi2: the one in slot 2
  w     wait one turn ({turn:g}s of the run); w 5 waits five; Enter waits one
  n     wait until something happens (intel, a breach, a wave ends)
  l     show the board again    h  this help    q  concede: stop the run here
Several commands on one line are fine: 1i 3s w"""


@dataclass(frozen=True)
class Command:
    op: str  # place, remove, wait, next, look, help, concede, error
    control: int = -1
    lane: int = -1
    slot: int | None = None
    turns: int = 1
    message: str = ""


def _lane(word: str) -> int | None:
    if (
        word
        and word[0] in LANE_KEYS
        and (len(word) == 1 or any(t.lower().replace(" ", "").startswith(word) for t in LANE_TITLES.values()))
    ):
        return LANE_KEYS.index(word[0])
    return None


def parse(line: str) -> list[Command]:
    """A typed line as commands, in order. An empty line is one turn's wait."""
    words = [w for w in re.split(r"[\s,;]+", line.strip().lower()) if w]
    if not words:
        return [Command("wait")]
    out: list[Command] = []
    i = 0
    while i < len(words):
        w = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        i += 1
        if w in ("h", "?", "help"):
            out.append(Command("help"))
        elif w in ("q", "quit", "concede"):
            out.append(Command("concede"))
        elif w in ("l", "look", "board"):
            out.append(Command("look"))
        elif w in ("n", "next"):
            out.append(Command("next"))
        elif wm := re.fullmatch(r"(w|wait)(\d+)?", w):
            n = wm.group(2)
            if n is None and nxt.isdigit():
                n, i = nxt, i + 1
            out.append(Command("wait", turns=max(1, min(1000, int(n or 1)))))
        elif m := re.fullmatch(r"x([a-z]*?)([1-3])?", w):
            lane_word, slot = m.group(1), m.group(2)
            if not lane_word and _lane(nxt) is not None:
                lane_word, i = nxt, i + 1
                if slot is None and i < len(words) and re.fullmatch(r"[1-3]", words[i]):
                    slot, i = words[i], i + 1
            lane = _lane(lane_word)
            if lane is None:
                out.append(Command("error", message=f"'{w}': remove from which lane? e.g. xi (lanes: i s e d b)"))
            else:
                out.append(Command("remove", lane=lane, slot=None if slot is None else int(slot) - 1))
        elif (
            (m := re.fullmatch(r"([1-9])([a-z]*)", w))
            or w in SHORTS
            or (m := re.fullmatch(r"(" + "|".join(map(re.escape, SHORTS)) + r")([a-z]*)", w))
        ):
            if w in SHORTS:
                control, lane_word = SHORTS[w], ""
            elif m is not None and m.group(1).isdigit():
                control, lane_word = int(m.group(1)) - 1, m.group(2)
            elif m is not None:
                control, lane_word = SHORTS[m.group(1)], m.group(2)
                if _lane(nxt) is not None:
                    lane_word = ""  # "keys i": a plural name, then its lane
            if not lane_word and _lane(nxt) is not None:
                lane_word, i = nxt, i + 1
            lane = _lane(lane_word)
            if lane is None:
                name = CONTROLS[CONTROL_ORDER[control]]["short"]
                what = f"'{lane_word}' is not a lane;" if lane_word else f"put {name} on which lane?"
                out.append(
                    Command(
                        "error", message=f"'{w}': {what} e.g. {control + 1}i puts {name} on Inbox (lanes: i s e d b)"
                    )
                )
            else:
                out.append(Command("place", control=control, lane=lane))
        else:
            out.append(Command("error", message=f"'{w}' is not a command (h for help)"))
    return out


class LabTurns:
    """The lab-defense sim played turn by turn: commands in, text out. No I/O."""

    def __init__(self, seed: int, params: dict | None = None, turn_seconds: float = TURN_SECONDS) -> None:
        self.game = LabDefense()
        self.game.reset(seed, params or {})
        self.turn_seconds = turn_seconds
        self.turns = 0
        self.conceded = False
        self._seen = 0
        self.new_events()  # the opening line is on the board's first print

    @property
    def finished(self) -> bool:
        return self.game.done or self.conceded

    def result(self) -> dict:
        return self.game.result()

    def new_events(self) -> list[tuple[str, str]]:
        """(tag, text) of every sim event since the last call, oldest first."""
        out = []
        for t, text, tag, seq in self.game.state["events"]:
            if seq > self._seen:
                self._seen = seq
                out.append((tag, f"[{self._turn_at(t)}] {text}"))
        return out

    def _turn_at(self, t: float) -> str:
        return f"turn {math.ceil(round(t / self.turn_seconds, 6))}"

    def run(self, cmd: Command) -> list[str]:
        """Apply one command; the lines to show for it (events, help, a problem)."""
        if self.finished:
            return []
        if cmd.op == "error":
            return [f"({cmd.message})"]
        if cmd.op == "help":
            return HELP.format(turn=self.turn_seconds).splitlines()
        if cmd.op == "look":
            return []
        if cmd.op == "concede":
            self.conceded = True
            return ["(you concede: the run stops here, scored as it stands)"]
        if cmd.op == "place":
            self.game.step(0.0, [{"op": "place", "control": CONTROL_ORDER[cmd.control], "lane": cmd.lane}])
            return [text for _, text in self.new_events()]
        if cmd.op == "remove":
            action = {"op": "remove", "lane": cmd.lane}
            if cmd.slot is not None:
                if self.game.state["controls"][cmd.lane][cmd.slot] is None:
                    return [f"({LANE_TITLES[LANES[cmd.lane]]} has no control in slot {cmd.slot + 1})"]
                action["slot"] = cmd.slot
            self.game.step(0.0, [action])
            return [text for _, text in self.new_events()]
        lines: list[str] = []
        if cmd.op == "wait":
            for _ in range(cmd.turns):
                if self.game.done:
                    break
                lines += [text for _, text in self._one_turn()]
        elif cmd.op == "next":
            for _ in range(NEXT_MAX_TURNS):
                if self.game.done:
                    break
                happened = self._one_turn()
                lines += [text for _, text in happened]
                if any(tag in ("intel", "bad", "wave", "advice") for tag, _ in happened):
                    break
        return lines

    def _one_turn(self) -> list[tuple[str, str]]:
        self.game.step(self.turn_seconds)
        self.turns += 1
        return self.new_events()

    # ------------------------------------------------------------------ the board
    def board(self, width: int = 78) -> str:
        g, s = self.game, self.game.state
        nw = len(s["schedule"])
        left = max(0, math.ceil(round((s["deadline"] - s["t"]) / self.turn_seconds, 6)))
        down = "COMPUTE DOWN" if s["compute_down"] > 0 else "compute up"
        head = (
            f"LAB DEFENSE  turn {self.turns}  wave {max(0, g.current_wave() + 1)}/{nw}  "
            f"deadline in {left} turn{'s' if left != 1 else ''}  budget {s['budget']}  {down}"
        )
        prog = min(1.0, s["progress"])
        filled = int(round(prog * 20))
        train = (
            f"Training [{'#' * filled}{'.' * (20 - filled)}] {prog:4.0%}  epoch {g.epoch()}/{s['params']['epochs']}"
            f"  slowed by controls {g.drag():.0%}"
        )
        rows = [head, train, f"{'':17} attacks ->{'':20}slots (30% 50% 70%) -> assets"]
        marks = {int(pos * TRACK) for pos in SLOT_POSITIONS}
        present: dict[str, int] = {}
        for li, lane in enumerate(LANES):
            track = [":" if k in marks else "." for k in range(TRACK)]
            for th in sorted((th for th in s["threats"] if th["lane"] == li), key=lambda th: th["x"]):
                k = min(TRACK - 1, int(th["x"] * TRACK))
                track[k] = "?" if th["hidden"] else THREAT_LETTERS[th["kind"]]
                if not th["hidden"]:
                    present[th["kind"]] = present.get(th["kind"], 0) + 1
            slots = " ".join(f"{CONTROLS[c]['short'] if c else '-':<5}" for c in s["controls"][li])
            rows.append(f"{LANE_KEYS[li]} {LANE_TITLES[lane]:<14} |{''.join(track)}| {slots}".rstrip())
        if present:
            rows.append(
                "  "
                + "; ".join(f"{THREAT_LETTERS[k]} {THREATS[k]['title']} (counter {_counter(k)})" for k in present)
                + ("; ? not yet identified" if any(th["hidden"] for th in s["threats"]) else "")
            )
        elif any(th["hidden"] for th in s["threats"]):
            rows.append("  ? something not yet identified (allies scanning a lane reveal it)")
        assets = []
        for a in ASSETS:
            hit = s["assets"][a]
            lost = a == "weights" and not s["weights_kept"]
            assets.append(
                f"{ASSET_TITLES[a].split()[-1].lower()} {'STOLEN' if lost else (f'hit x{hit}' if hit else 'safe')}"
            )
        rows.append("Assets: " + ", ".join(assets))
        rows += self._intel()
        if s["allies"]:
            rows.append(
                "Allies: "
                + "; ".join(
                    f"{al['name']} @ {LANE_TITLES[LANES[al['lane']]]} "
                    f"{'moving' if al['travel'] > 0 else A.ACTION_TITLES[A.ACTIONS[al['action']]]}"
                    for al in s["allies"]
                )
            )
        shop = [f"{i + 1} {CONTROLS[c]['short']} {CONTROLS[c]['cost']}" for i, c in enumerate(CONTROL_ORDER)]
        rows.append("Controls, cost: " + "  ".join(shop[:5]))
        rows.append("                " + "  ".join(shop[5:]))
        rows.append("1i: control 1 on Inbox  xi: remove  w: wait a turn  n: until news  h: help")
        return "\n".join(_fit(r, width) for r in rows)

    def _intel(self) -> list[str]:
        s = self.game.state
        upcoming = [i for i in s["intel"] if not s["waves"][i["wave"]]["closed"]][-2:]
        if not upcoming:
            return ["Intel: no attacks announced. Quiet for now."]
        out = []
        for info in upcoming:
            started = s["t"] >= info["start"]
            turns = math.ceil(round((info["start"] - s["t"]) / self.turn_seconds, 6))
            when = "now" if started else f"in {turns} turn{'s' if turns != 1 else ''}"
            what = []
            for kind, lanes in info["kinds"].items():
                via = "/".join(LANE_KEYS[li] for li in lanes)
                new = "NEW " if kind in info["new"] else ""
                what.append(f"{new}{THREATS[kind]['title']} x{info['counts'][kind]} via {via} ({_counter(kind)})")
            final = " (final: a well-funded campaign)" if info["final"] else ""
            out.append(f"Intel: wave {info['wave'] + 1}{final} {when}: " + "; ".join(what))
        return out

    def summary(self) -> list[str]:
        r = self.result()
        if self.conceded and not self.game.done:
            title = f"Stopped at turn {self.turns}"
        else:
            title = "Training run complete" if r["training"] >= 1.0 else "The deadline passed"
        lines = [
            f"{title}: training {r['training']:.0%}, {_n(r['breaches'], 'breach', 'breaches')}, "
            f"{_n(r['stopped'], 'threat')} stopped of {r['threats']}, "
            f"{_n(r['stars'], 'star')}, weights {'kept' if r['weights_kept'] else 'stolen'}, score {r['score']}."
        ]
        # The debrief, as the desktop's result screen gives it: what each attack is in the
        # real world and what stops it, then how the allies learned wave by wave.
        debrief = self.game.debrief()
        if debrief:
            lines.append("Debrief: each threat that came, its real-world counterpart, and its counter.")
            for d in debrief:
                lines.append(f"  {d['title']}: {d['real']}.")
                lines.append(
                    f"    counter: {d['counter']}; stopped by it {d['by_counter']}, by allies "
                    f"{d['by_ally']}, breached {d['breached']}"
                )
        curve = self.game.learning_curve()
        if curve:
            lines.append(
                "Allies stopped, of what got past the controls, per wave: "
                + " ".join(f"{c['wave']}:{c['performance']:.0%}" for c in curve)
            )
        return lines


def _counter(kind: str) -> str:
    c = THREATS[kind]["counter"]
    if c is None:
        return "two controls on its lane"
    return f"{CONTROL_ORDER.index(c) + 1} {CONTROLS[c]['short']}"


def _n(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _fit(row: str, width: int) -> str:
    """Board rows are wrapped at spaces to the terminal's width, continuation indented."""
    if len(row) <= width:
        return row
    import textwrap

    return "\n".join(
        textwrap.wrap(row, width, subsequent_indent="    ", break_long_words=False, break_on_hyphens=False)
    )


def play(
    seed: int, params: dict | None, ask: Callable[[str], str | None], out: Callable[[str], None], width: int = 78
) -> dict:
    """Play to the end (or the player's concession, or the end of input); the sim's result."""
    lab = LabTurns(seed, params)
    out("Lab defense (terminal version: turn-based, the same simulation as the desktop game). h for help.")
    out(lab.board(width))
    while not lab.finished:
        line = ask("lab> ")
        if line is None:
            out("(the run stops here, scored as it stands)")  # the end of input, /quit or /skip
            lab.conceded = True
            break
        shown = False
        for cmd in parse(line):
            for text in lab.run(cmd):
                out(_fit(text, width))
            shown = shown or cmd.op != "error"
            if lab.finished:
                break
        if not lab.finished and shown:
            out(lab.board(width))
    for line in lab.summary():
        out(_fit(line, width))
    return lab.result()
