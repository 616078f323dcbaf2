"""`treacherous-turn compare-backends LEVEL CHARACTER --backend A --backend B ...`: a bake-off.

Plays the same player turns to CHARACTER on each backend and reports, per backend, how soon
it spoke, how fast it streamed, how often it fell back and why, what the output guard cut,
how long its replies were, how often it stayed in voice and how well its measured values
agree with labelled answers: a table in the terminal and a self-contained HTML page with
charts (see docs/dialogue-backends.md, "Choosing a backend").
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

HELP = "play the same player turns against several dialogue backends and compare them (table + HTML report)"


def add_arguments(p) -> None:
    p.add_argument("level", help="a level (or campaign) file")
    p.add_argument("character", help="the character's id in the level, e.g. aria")
    p.add_argument(
        "--backend",
        action="append",
        dest="backends",
        metavar="SPEC",
        required=True,
        help="a backend to compare, repeatable: NAME[,key=value...], e.g. scripted, "
        "openai,base_url=http://127.0.0.1:8080/v1,model=smollm2, replay,cassette=FILE, "
        "or a profile from settings.yaml (keys: model, base_url, api_key, label, record, "
        "or any backend option)",
    )
    p.add_argument(
        "--turns",
        metavar="FILE",
        help="the player's turns (YAML or text) instead of the ones made from the level's declared questions",
    )
    p.add_argument(
        "--answers",
        metavar="FILE",
        help="labelled answers (question, answer, expect; the format of "
        "tests/data/calibration_answers.yaml), each played as a turn",
    )
    p.add_argument("--limit", type=int, default=0, help="play at most N labelled answers")
    p.add_argument("--scene", help="the scene whose talk step to use (default: the character's first talk)")
    p.add_argument("--out", metavar="HTML", help="where to write the report (default: compare-LEVEL-CHARACTER.html)")
    p.add_argument("--json", metavar="FILE", help="also write the figures and every reply as JSON")
    p.add_argument("--name", default="Player", help="the player's name in the conversations")
    p.add_argument("--verbose", "-v", action="store_true", help="log why backends fall back, and more")


class Progress:
    """A one-line progress bar on stderr (redrawn in place on a terminal; a line per backend otherwise).
    Hand-written: a dozen lines, not worth a dependency of the game."""

    def __init__(self, total: int, stream=None) -> None:
        self.total = max(1, total)
        self.done = 0
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.t0 = time.monotonic()

    def step(self, label: str, note: str) -> None:
        self.done += 1
        if not self.live:
            return
        width = 30
        filled = int(width * self.done / self.total)
        bar = "#" * filled + "." * (width - filled)
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} {label[:30]}: {note[:40]:<40}")
        self.stream.flush()

    def line(self, text: str) -> None:
        if self.live:
            self.stream.write("\r" + " " * 110 + "\r")
        self.stream.write(text + "\n")
        self.stream.flush()


def _talk_in(story, cid: str, scene: str):
    from game.story.steps.talk import Talk

    for level in story.levels:
        sc = level.scenes.get(scene)
        for step in sc.steps if sc is not None else ():
            if isinstance(step, Talk) and step.character == cid:
                return level, step
    return None, None


def run(args) -> int:
    from game.commands import load_or_report
    from game.commands.chat import _find
    from game.dialogue import bakeoff, bakeoff_report
    from game.dialogue.base import redact
    from game.dialogue.settings import Settings
    from game.paths import atomic_write_json, atomic_write_text

    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.ERROR, stream=sys.stderr, format="compare-backends: %(message)s"
    )
    try:
        specs = [bakeoff.BackendSpec.parse(b) for b in args.backends]
    except bakeoff.BakeoffError as exc:
        print(f"compare-backends: {exc}", file=sys.stderr)
        return 2
    story = load_or_report(args.level, "compare-backends")
    if story is None:
        return 2
    level, character, talk = _find(story, args.character)
    if args.scene and character is not None:
        level, talk = _talk_in(story, args.character, args.scene)
        if talk is None:
            print(
                f"compare-backends: no talk with {args.character} in a scene '{args.scene}' of {args.level}",
                file=sys.stderr,
            )
            return 2
    if character is None:
        known = sorted({c for lv in story.levels for c in lv.characters})
        print(
            f"compare-backends: no character '{args.character}' in {args.level} "
            f"(characters: {', '.join(known) or 'none'})",
            file=sys.stderr,
        )
        return 2
    if talk is None:
        print(f"compare-backends: {character.id} has no talk step in {args.level}: nothing to ask it", file=sys.stderr)
        return 2
    from game.story.runtime import Runtime

    scope = Runtime(story, player=args.name, level=level.id).scope()
    try:
        runs = bakeoff.read_turns(Path(args.turns)) if args.turns else bakeoff.declared_runs(talk, list(talk.measures))
        if args.answers:
            labelled = bakeoff.read_answers(Path(args.answers), talk, scope)
            runs += labelled[: args.limit] if args.limit else labelled
    except bakeoff.BakeoffError as exc:
        print(f"compare-backends: {exc}", file=sys.stderr)
        return 2
    if not runs:
        print(
            f"compare-backends: {character.id}'s talk declares no questions to make turns from; "
            "give --turns FILE or --answers FILE",
            file=sys.stderr,
        )
        return 2
    settings = Settings.load()
    for problem in settings.problems:
        print(f"compare-backends: {problem}", file=sys.stderr)
    total = sum(min(len(r.turns), max(1, len(r.turns))) for r in runs) * len(specs)
    progress = Progress(total)
    progress.line(
        f"comparing {len(specs)} backends on {character.name}: {len(runs)} conversations, "
        f"{total // len(specs)} player turns each"
    )

    def on_reply(spec, rec) -> None:
        how = rec.backend if not rec.fallbacks else f"{rec.backend} (fell back: {rec.fallbacks[0]['kind']})"
        progress.step(spec.label, f"{rec.run} #{rec.turn} -> {how}")

    results, summaries = [], []
    for spec in specs:
        t0 = time.monotonic()
        result = bakeoff.play_backend(
            spec, settings, story, level, character, talk, runs, player=args.name, on_reply=on_reply
        )
        results.append(result)
        summaries.append(bakeoff.summarise(result))
        progress.line(f"{spec.label}: {len(result.replies)} replies in {time.monotonic() - t0:.1f} s")
    print(bakeoff_report.table(summaries))
    out = Path(args.out or f"compare-{level.id}-{character.id}.html")
    title = f"{character.name} on {len(specs)} backends ({level.title or level.id})"
    meta = {
        "level": f"{args.level} ({level.id})",
        "character": f"{character.name} ({character.id})",
        "conversations": f"{len(runs)} ({', '.join(dict.fromkeys(r.name.split(' #')[0] for r in runs))})",
        "timeouts": ", ".join(f"{k} {v:g} s" for k, v in vars(settings.timeouts()).items()),
    }
    try:
        page = bakeoff_report.html_page(title, summaries, results, meta)
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out, redact(page))
        if args.json:
            atomic_write_json(
                Path(args.json),
                {"summaries": summaries, "replies": {r.spec.label: [vars(x) for x in r.replies] for r in results}},
            )
    except OSError as exc:
        print(f"compare-backends: cannot write the report: {exc}", file=sys.stderr)
        return 1
    print(f"\nreport: {out}" + (f"; figures: {args.json}" if args.json else ""))
    return 0
