"""Against llama.cpp's real server with the `local` extra's model (SmolLM2-135M), when there is one.

Skipped, with the reason, where neither the server nor the model is installed (see
tests/llama_server.py for how one is found). A server started here is fresh: its first
request reads the whole prompt cold, which on a busy 2-core machine took 9-20 s.
"""

import pytest

from game.dialogue.service import DialogueService
from game.paths import config_dir
from tests.llama_server import Missing, llama_server
from tests.test_dialogue_scripted import demo_talk, talk

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def llama():
    try:
        with llama_server() as url:
            yield url
    except Missing as why:
        pytest.skip(f"no llama.cpp server: {why}")


def test_a_cold_llama_server_speaks_from_the_first_turn(llama):
    # The game's defaults: an 8 s first-token timeout, and the 60 s cold-start budget.
    (config_dir() / "settings.yaml").write_text("dialogue:\n  options: {openai: {json: true}}\n", encoding="utf-8")
    service = DialogueService.from_settings(backend="openai", base_url=llama)
    rt, prompt = demo_talk()
    convo = talk(rt, prompt, service=service)
    convo.opening()
    reply = convo.send("Yes, please ask me first.").wait(120)
    kinds = [f["kind"] for f in reply.stats["fallbacks"]]
    assert "timeout" not in kinds and "resting" not in kinds, reply.stats
    assert reply.stats.get("first_token") is not None, "the model said nothing"
    # What it said either stayed in voice (and was shown) or was caught by the check (and replaced).
    assert reply.generated or kinds == ["out_of_voice"], reply.stats
    # Structured output: llama.cpp's server takes a JSON schema (no 400, so no step down to json_object).
    assert convo.voice.primary.backend.structured == "json_schema"
    assert convo.outcome()["turns"][0]["scored_by"] in ("openai (json)", "lexicon")
