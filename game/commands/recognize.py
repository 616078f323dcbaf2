"""`treacherous-turn recognize FILE.ndjson`: what the embedded AI sees in Quick, Draw! drawings.

Reads Google's ndjson (simplified or raw strokes, one drawing per line; "-" reads stdin)
and prints one JSON line per drawing with its top three guesses and their scores.
A bad line is reported with its line number and skipped; the exit code is 1 if any was.
"""

from __future__ import annotations

import json
import sys

HELP = "guess what Quick, Draw! ndjson drawings show"


def add_arguments(p) -> None:
    p.add_argument("file", help="Quick, Draw! ndjson (simplified or raw); - for standard input")
    p.add_argument("--top", type=int, default=3, help="how many guesses per drawing (default 3)")


def run(args) -> int:
    from game.minigames.drawing.recognizer import RecognizerError, embedded
    from game.minigames.drawing.strokes import StrokeError, parse_ndjson_line

    if args.top < 1:
        print("recognize: --top must be at least 1", file=sys.stderr)
        return 2
    try:
        rec = embedded()
    except RecognizerError as exc:
        print(f"recognize: {exc}", file=sys.stderr)
        return 2
    try:
        fh = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")
    except OSError as exc:
        print(f"recognize: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    bad = 0
    name = "<stdin>" if args.file == "-" else args.file
    with fh:
        try:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = parse_ndjson_line(line)
                    guesses = rec.guess(obj["drawing"], top=args.top)
                except StrokeError as exc:
                    print(f"recognize: {name}:{n}: {exc}", file=sys.stderr)
                    bad += 1
                    continue
                out = {"line": n, "guesses": [{"label": label, "score": round(p, 4)} for label, p in guesses]}
                for key in ("key_id", "word"):
                    if key in obj:
                        out[key] = obj[key]
                print(json.dumps(out), flush=False)
        except UnicodeDecodeError:
            print(f"recognize: {name}: not UTF-8 text (is it an ndjson file?)", file=sys.stderr)
            return 1
    return 1 if bad else 0
