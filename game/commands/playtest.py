"""`treacherous-turn playtest`: play a level or campaign automatically and report coverage.

--exhaustive explores every distinct state (choices, representative conversation
outcomes and minigame results); --random N plays N seeded runs. Conversations and
minigames follow a test policy: the defaults, or a --policy YAML file (in --exhaustive,
conversations always take the representative outcomes that cover every condition):

    talk:                       # replies the player types, per character (scripted backend)
      aria: ["Please be careful.", "I would tell you the truth."]
    minigames:
      lab_defense: autopilot    # the minigame's own autopilot
      drawing: {reward: 0.8, guess: cat}   # a fixed result
      other: default            # the level's default result
    choices: [0, 2, 1]          # --random: option indexes to take in order, then random
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

HELP = "play a level automatically: every path, or N seeded random runs"


def add_arguments(p) -> None:
    p.add_argument("story", help="a level or campaign file")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--exhaustive", action="store_true", help="explore every distinct path and state (default)")
    mode.add_argument("--random", type=int, metavar="N", help="play N random runs")
    p.add_argument("--seed", type=int, default=1, help="seed of the first random run (run i uses seed+i)")
    p.add_argument("--max-states", type=int, default=50_000, help="bound for --exhaustive (default 50000)")
    p.add_argument("--policy", metavar="FILE", help="YAML test policy for conversations and minigames")
    p.add_argument(
        "--minigames",
        choices=("default", "autopilot"),
        default="default",
        help="how minigames without a policy entry resolve (default: the level's default result)",
    )
    p.add_argument("--record", metavar="FILE", help="write the transcripts of the random runs as JSON")
    p.add_argument("--coverage", metavar="FILE", help="write hit counts as JSON (for `graph --coverage`)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


class _Progress:
    def __init__(self, total: int | None, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled and sys.stderr.isatty()
        self.start = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < 0.1:
            return
        self.last = now
        if self.total:
            filled = int(30 * done / self.total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{self.total}  {now - self.start:5.1f}s")
        else:
            sys.stderr.write(f"\r{done} states explored  {now - self.start:5.1f}s")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()


def load_policy(path: str | None) -> tuple[dict, dict, list]:
    if not path:
        return {}, {}, []
    import yaml

    from game import yamlsafe

    try:
        data = yamlsafe.load(Path(path).read_text(encoding="utf-8")) or {}  # bounded: aliases, nesting
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the policy: {exc}") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"cannot read the policy: {yamlsafe.describe(exc, str(path))}") from None
    if not isinstance(data, dict) or set(data) - {"talk", "minigames", "choices"}:
        raise ValueError(f"{path}: a policy has `talk:`, `minigames:` and `choices:` only")
    choices = data.get("choices") or []
    if not isinstance(choices, list) or not all(isinstance(c, int) for c in choices):
        raise ValueError(f"{path}: `choices:` is a list of option numbers, counting from 0")
    return dict(data.get("talk") or {}), dict(data.get("minigames") or {}), choices


def scripted_talk(replies_by_character: dict, story):
    """Play conversations with the offline scripted backend, typing the policy's replies."""

    def outcome(prompt, runtime):
        replies = list(replies_by_character.get(prompt.character) or [])
        if not replies:
            return None
        from game.dialogue.conversation import Conversation
        from game.dialogue.service import DialogueService

        service = DialogueService.from_settings(backend="scripted")
        conv = Conversation(
            runtime.character(prompt.character),
            prompt,
            player=runtime.world.player,
            values=dict(runtime.world.values),
            service=service,
            scope=runtime.scope(),
        )
        conv.opening()
        for text in replies:
            if conv.finished:
                break
            conv.send(text).wait(timeout=10)
        return conv.outcome()

    return outcome


def run(args) -> int:
    from game.story.autoplay import Policy, play
    from game.story.coverage import Coverage, report
    from game.story.explore import Outcomes, explore
    from game.story.loader import load_story
    from game.story.runtime import Runtime

    story, diags = load_story(args.story)
    if story is None:
        for d in diags:
            print(d.format(), file=sys.stderr)
        return 1
    try:
        talk_policy, minigame_policy, choice_policy = load_policy(args.policy)
    except ValueError as exc:
        print(f"playtest: {exc}", file=sys.stderr)
        return 2
    talk_fn = scripted_talk(talk_policy, story) if talk_policy else None
    cov = Coverage()
    outcomes = Outcomes(story)

    def minigame_result(prompt):
        how = minigame_policy.get(prompt.name, args.minigames)
        if how == "autopilot":
            from game.minigames.base import run_autopilot

            return run_autopilot(prompt.name, prompt.seed, prompt.params)
        if isinstance(how, dict):
            return dict(prompt.default, **how)
        return None

    started = time.monotonic()
    summary: dict = {"story": story.id}
    if args.random is None:
        bar = _Progress(None, not args.no_progress)

        def fixed_minigames(prompt):
            if prompt.name in minigame_policy or args.minigames == "autopilot":
                result = minigame_result(prompt)
                return [result if result is not None else prompt.default]
            return outcomes.minigame(prompt)

        ex = explore(story, max_states=args.max_states, progress=bar, minigame_results=fixed_minigames)
        bar.close()
        cov.scenes.update({f"{lv}/{sc}": n for (lv, sc), n in ex.scenes.items()})
        cov.lines.update(ex.lines)
        cov.choices.update(ex.choices)
        cov.endings.update({f"{lv}/{e}": n for (lv, e), n in ex.endings.items()})
        summary.update(mode="exhaustive", states=ex.states, paths=ex.paths, truncated=ex.truncated)
        if ex.truncated:
            print(
                f"playtest: stopped after {ex.states} states (--max-states {args.max_states}); "
                "coverage below is partial",
                file=sys.stderr,
            )
        if args.record:
            print("playtest: --record applies to --random runs; use --coverage for exhaustive counts", file=sys.stderr)
    else:
        bar = _Progress(args.random, not args.no_progress)
        runs = []
        for i in range(args.random):
            seed = args.seed + i
            rng = random.Random(seed)

            def talk(prompt, runtime, rng=rng):
                if talk_fn:
                    result = talk_fn(prompt, runtime)
                    if result is not None:
                        return result
                return rng.choice(outcomes.talk(prompt))

            def mg(prompt, rng=rng):
                result = minigame_result(prompt)
                if result is None and prompt.name not in minigame_policy and args.minigames == "default":
                    return rng.choice(outcomes.minigame(prompt)), False
                return (result, result is None)

            policy = Policy(rng=rng, talk=talk, choices=list(choice_policy))
            policy.minigame_result = mg  # type: ignore[method-assign]  # this run's rule for minigames
            rt = Runtime(story, "Player 1", seed)

            def seen(prompt, runtime):
                if prompt.kind == "line":
                    cov.lines[prompt.key] += 1

            def trace(event, level, scene, detail):
                if event == "scene":
                    cov.scenes[f"{level}/{scene}"] += 1
                elif event == "end" and not detail[2]:
                    cov.endings[f"{level}/{detail[0]}"] += 1

            rt.trace = trace
            cov.scenes[f"{rt.level.id}/{rt.scene}"] += 1
            rt = play(rt, policy, on_prompt=seen)
            for entry in rt.transcript:
                if entry["kind"] == "choice":
                    cov.choices[f"{entry['key']}#{entry['index']}"] += 1
            runs.append({"seed": seed, "ending": rt.ending, "transcript": rt.transcript})
            bar(i + 1)
        bar.close()
        summary.update(mode="random", runs=args.random, seed=args.seed)
        if args.record:
            from game.paths import atomic_write_json

            atomic_write_json(Path(args.record), {"story": story.id, "runs": runs})
    summary["seconds"] = round(time.monotonic() - started, 2)
    if args.coverage:
        from game.paths import atomic_write_json

        atomic_write_json(Path(args.coverage), cov.to_json())
    if args.json:
        print(json.dumps({**summary, "coverage": cov.to_json()}, indent=2))
    else:
        head = (
            f"{summary['mode']}: {summary.get('states', summary.get('runs'))} "
            f"{'states' if summary['mode'] == 'exhaustive' else 'runs'}"
            + (f", {summary['paths']} paths" if "paths" in summary else "")
            + f" in {summary['seconds']}s"
        )
        print(f"playtest {story.file}: {head}")
        print(report(story, cov))
    return 0
