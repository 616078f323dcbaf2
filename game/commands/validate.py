"""`treacherous-turn validate PATH...`: check levels and campaigns, print every problem."""

from __future__ import annotations

import sys
from pathlib import Path

HELP = "check level files and report every problem with file:line:col"


def add_arguments(p) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="level or campaign files, or folders to search for *.yaml")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors (for CI)")
    p.add_argument("--no-lint", action="store_true", help="only check that levels load; skip the static analysis")
    p.add_argument("--quiet", "-q", action="store_true", help="print problems only, no summary")


def level_files(paths: list[str]) -> tuple[list[Path], list[str]]:
    """Expand folders to their *.yaml files; included fragments (no `level:`/`campaign:`) are checked through their parent."""
    found: list[Path] = []
    missing: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for f in sorted(path.rglob("*.yaml")):
                if _is_top_file(f):
                    found.append(f)
        elif path.is_file():
            found.append(path)
        else:
            missing.append(raw)
    return found, missing


def _is_top_file(path: Path) -> bool:
    import re

    try:
        head = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True
    if re.search(r"^(level|campaign)\s*:", head, re.MULTILINE):
        return True
    if path.name == "settings.yaml" or re.search(r"^dialogue\s*:", head, re.MULTILINE):
        return False  # the game's settings (a story project carries an example), not a level
    # A file with no `level:` is a fragment if some other file includes it; else report it.
    return not re.search(r"^(scenes|characters|vars|values|include)\s*:", head, re.MULTILINE)


def run(args) -> int:
    from game.story.loader import load_story

    files, missing = level_files(args.paths)
    # A folder holds a campaign and its levels: the same problem would be found twice, so collect first.
    diags = set()
    for raw in missing:
        from game.story.diagnostics import Diagnostic

        diags.add(Diagnostic(raw, 1, 1, "TT0006", "no such file or folder"))
    from game.story.loader import is_campaign

    # Levels of a campaign are linted as part of it: a variable set in one level and read in
    # the next is not "never set".
    in_campaign: set[Path] = set()
    ordered = sorted(files, key=lambda f: not is_campaign(f))
    for path in ordered:
        story, found = load_story(path)
        diags.update(found)
        if story is not None and is_campaign(path):
            in_campaign.update(Path(lv.file).resolve() for lv in story.levels)
        if story is not None and not args.no_lint and Path(path).resolve() not in in_campaign:
            from game.story.lint import lint_story

            diags.update(lint_story(story))
    errors = warnings = 0
    for d in sorted(diags):
        print(d.format(strict=args.strict))
        if d.severity == "error" or (args.strict and d.severity == "warning"):
            errors += 1
        elif d.severity == "warning":
            warnings += 1
    if not args.quiet:
        print(f"checked {len(files)} file(s): {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if errors or not files else 0
