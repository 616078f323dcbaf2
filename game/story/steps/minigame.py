"""`- minigame: lab_defense`: hand the player to a minigame; its result is stored under `as:`.

Each minigame declares its params (kind, range, default: `MinigameInfo.params`), and a
level's `params:` are checked against them at load (TT0206), so `{wavez: 4}` or
`{waves: -3}` is a writer's error with its place, not an error screen mid-game. The
front end runs the minigame and answers with its result (or skips it: the default result).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from game.story.prompts import Prompt, register_prompt
from game.story.steps import GUARD, Step, register

if TYPE_CHECKING:
    from collections.abc import Iterator

    import yaml

    from game.story.explore import Outcomes
    from game.story.loader import StepContext
    from game.story.runtime import Runtime
    from game.story.steps import Keys

SCALAR = {"type": ["string", "number", "boolean", "null"]}


@register_prompt
@dataclass(slots=True)
class MinigamePrompt(Prompt):
    """Run a minigame; call `finish_minigame(result)` (or `skip_minigame()`)."""

    key: str
    name: str
    params: dict[str, Any]
    store_as: str
    default: dict[str, Any]
    seed: int
    scene: str
    kind: ClassVar[str] = "minigame"


def _info(name: str) -> Any:
    from game import minigames

    return minigames.info(name)


@register
@dataclass(slots=True, eq=False)
class MinigameStep(Step):
    minigame: str = ""  # which minigame (registered in game/minigames)
    params: dict[str, Any] = field(default_factory=dict)
    store_as: str = ""
    default: dict[str, Any] = field(default_factory=dict)

    name: ClassVar[str] = "minigame"
    description: ClassVar[str] = "play a minigame; its result is stored under `as:` (default: its name)"
    head_schema: ClassVar[dict[str, Any]] = {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"}
    modifiers: ClassVar[dict[str, Any]] = {
        **GUARD,
        "params": (
            {"type": "object"},
            "the minigame's parameters (`treacherous-turn minigame NAME --help` lists them)",
        ),
        "as": ({"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"}, "the name its result is stored under"),
        "default": (
            {"type": "object", "additionalProperties": SCALAR},
            "the result used when the minigame is skipped or cannot be shown",
        ),
    }
    prompt_kind: ClassVar[str] = "minigame"
    uses_random: ClassVar[bool] = True  # each run gets a seed from the story's RNG

    @classmethod
    def read(cls, ctx: StepContext, head: str, node: yaml.Node, keys: Keys, pos: Any, guard: Any) -> Step | None:
        name = ctx.text(node, "'minigame'")
        if name is None:
            return None
        info = None
        if ctx.minigame_names is not None and name not in ctx.minigame_names:
            ctx.error(
                node,
                "TT0104",
                f"unknown minigame '{name}'",
                ctx.suggest(name, ctx.minigame_names) or f"known: {', '.join(sorted(ctx.minigame_names))}",
            )
        else:
            info = _info(name)
        params: Any = ctx.data(keys["params"][1]) if "params" in keys else {}
        if not isinstance(params, dict):
            ctx.error(keys["params"][1], "TT0004", "'params' should be a mapping")
            params = {}
        elif info is not None and info.params is not None:
            from game.minigames.base import check_params

            pnodes = ctx.mapping(keys["params"][1], "'params'", None) if "params" in keys else {}
            for param, message in check_params(name, info.params, params):
                where = pnodes.get(param) if pnodes and param is not None else None
                ctx.error(
                    where[0 if param not in info.params else 1] if where else keys["params"][1],
                    "TT0206",
                    message,
                    f"`treacherous-turn minigame {name} --help` lists its params",
                )
        default = ctx.data(keys["default"][1]) if "default" in keys else {}
        if not isinstance(default, dict):
            ctx.error(keys["default"][1], "TT0004", "'default' should be a mapping of result fields")
            default = {}
        elif info is not None:
            for fld in default:
                if fld not in info.result_fields:
                    ctx.error(
                        keys["default"][1],
                        "TT0205",
                        f"minigame '{name}' has no result field '{fld}'",
                        ctx.suggest(str(fld), info.result_fields) or f"fields: {', '.join(sorted(info.result_fields))}",
                    )
        store = ctx.name(keys["as"][1], "'as'") if "as" in keys else name
        if store:
            ctx.store(keys["as"][1] if "as" in keys else node, store, "minigame", name)
        return cls(pos, guard, name, params, store or name, default)

    def stores(self) -> Iterator[tuple[str, str, Any]]:
        yield self.store_as, "minigame", self.minigame

    def execute(self, rt: Runtime) -> Prompt | None:
        info = _info(self.minigame)
        default = dict(info.default_result) if info else {}
        default.update(self.default)
        params = dict(self.params)
        if info and "values" in info.params and "values" not in params:
            params["values"] = dict(rt.world.values)
        seed = rt.world.rng.randrange(2**31)
        return MinigamePrompt(rt._key(), self.minigame, params, self.store_as, default, seed, rt.scene)

    def answer(
        self, rt: Runtime, prompt: Any, result: dict[str, Any] | None = None, skipped: bool = False, note: str = ""
    ) -> Any:
        merged = dict(prompt.default)
        if isinstance(result, dict):
            merged.update(
                {
                    k: v
                    for k, v in result.items()
                    if isinstance(k, str) and (isinstance(v, (int, float, str, bool)) or v is None)
                }
            )
        rt.world.vars[prompt.store_as] = merged
        idea = merged.get("idea")
        if not skipped and isinstance(idea, str) and idea:
            rt.world.drew.append(idea[:10_000])
        entry = {
            "kind": "minigame",
            "level": rt.level.id,
            "scene": prompt.scene,
            "name": prompt.name,
            "as": prompt.store_as,
            "result": merged,
            "skipped": skipped,
            "key": prompt.key,
        }
        if skipped:
            entry["note"] = note or "minigame skipped: the default result was used"
        rt.transcript.append(entry)
        rt._pc += 1

    def forks(self, rt: Runtime, prompt: Any, outcomes: Outcomes) -> list[dict[str, Any]]:
        return [{"result": r} for r in outcomes.minigame(prompt)]

    def graph_mark(self) -> str:
        return "minigame"
