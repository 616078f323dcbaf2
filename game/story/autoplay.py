"""Play a story without a front end: for tests, playtests and golden transcripts.

A policy answers what a player would: which option to pick, what to say in a
conversation, what a minigame's result is. `roundtrip=True` saves to JSON text and
restores at every step, so a test proves saves lose nothing.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from game.story.runtime import Runtime


@dataclass
class Policy:
    """Declared test behaviour. choices: a list of option indexes to take in order (then `rng`),
    or a callable(prompt, runtime) -> index. talk: outcome dict or callable. minigames: name -> result
    dict, "default" (skip), or "autopilot"."""

    choices: list[int] | Callable[..., Any] | None = None
    talk: dict[str, Any] | Callable[..., Any] | None = None
    minigames: dict[str, Any] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(0))

    def choose(self, prompt: Any, runtime: Runtime) -> int:
        if callable(self.choices):
            return int(self.choices(prompt, runtime))
        if isinstance(self.choices, list) and self.choices:
            wanted = self.choices.pop(0)
            offered = [o["index"] for o in prompt.options]
            if wanted in offered:
                return wanted
        return int(self.rng.choice(prompt.options)["index"])

    def talk_outcome(self, prompt: Any, runtime: Runtime) -> dict[str, Any]:
        if callable(self.talk):
            return dict(self.talk(prompt, runtime))
        return dict(self.talk or {})

    def minigame_result(self, prompt: Any) -> tuple[dict[str, Any] | None, bool]:
        how = self.minigames.get(prompt.name, "default")
        if how == "default":
            return None, True
        if how == "autopilot":
            from game.minigames.base import run_autopilot

            return run_autopilot(prompt.name, prompt.seed, prompt.params), False
        return dict(how), False

    def answer(self, prompt: Any, runtime: Runtime) -> dict[str, Any]:
        """A prompt of a step type this policy has no rule for: the first answer exploration would try."""
        from game.story.explore import Outcomes

        step = runtime._steps[runtime._pc]
        forks = step.forks(runtime, prompt, Outcomes(runtime.story))
        return self.rng.choice(forks) if forks else {}


def _minigame(runtime: Runtime, prompt: Any, policy: Policy) -> None:
    result, skipped = policy.minigame_result(prompt)
    if skipped:
        runtime.skip_minigame("test policy")
    else:
        runtime.finish_minigame(result)


# What a test player does at each kind of prompt; any other kind is answered through `Policy.answer`.
HANDLERS: dict[str, Callable[..., Any]] = {
    "line": lambda rt, p, pol: rt.advance(),
    "level": lambda rt, p, pol: rt.advance(),
    "choice": lambda rt, p, pol: rt.choose(pol.choose(p, rt)),
    "talk": lambda rt, p, pol: rt.finish_talk(pol.talk_outcome(p, rt)),
    "minigame": _minigame,
}


def play(
    runtime: Runtime,
    policy: Policy,
    *,
    roundtrip: bool = False,
    max_prompts: int = 100_000,
    on_prompt: Callable[..., Any] | None = None,
) -> Runtime:
    """Drive `runtime` to an ending; returns the (possibly restored) runtime at the end."""
    story = runtime.story
    for _ in range(max_prompts):
        if roundtrip:
            runtime = Runtime.restore(story, json.loads(json.dumps(runtime.snapshot())))
        prompt = runtime.current()
        if on_prompt:
            on_prompt(prompt, runtime)
        if prompt.kind == "end":
            return runtime
        handler = HANDLERS.get(prompt.kind)
        if handler is not None:
            handler(runtime, prompt, policy)
        else:
            runtime.answer(**policy.answer(prompt, runtime))
    raise RuntimeError(f"no ending after {max_prompts} prompts")
