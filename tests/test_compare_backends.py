"""`treacherous-turn compare-backends`: scripted, openai (the real SDK against the fake server on
127.0.0.1) and replay, with the report a designer reads (terminal table, HTML page with charts)."""

import json
import re
from pathlib import Path

import pytest

from game.cli import main
from game.dialogue.bakeoff import BackendSpec, BakeoffError, read_turns
from game.paths import config_dir
from tests.fake_openai_server import FakeOpenAI

REPO = Path(__file__).resolve().parent.parent
CAMPAIGN = str(REPO / "levels" / "campaign.yaml")
DEMO = str(REPO / "levels" / "examples" / "demo.yaml")
ANSWERS = str(REPO / "tests" / "data" / "calibration_answers.yaml")


@pytest.fixture
def server():
    srv = FakeOpenAI().start()
    yield srv
    srv.stop()


def settings(text="{connect: 1, first_token: 1, total: 4, cold_start: 3}"):
    (config_dir() / "settings.yaml").write_text(f"dialogue:\n  timeouts: {text}\n", encoding="utf-8")


def compare(tmp_path, *args):
    out, js = tmp_path / "report.html", tmp_path / "figures.json"
    code = main(["compare-backends", *args, "--out", str(out), "--json", str(js)])
    return code, out, (json.loads(js.read_text()) if js.exists() else None)


def by_label(figures):
    return {s["label"]: s for s in figures["summaries"]}


def test_scripted_openai_and_replay_side_by_side(server, tmp_path, capsys):
    settings()
    server.cold_delay, server.serial = 1.2, True  # a cold local server: measured, not fallen back from
    cassette = tmp_path / "night.json"
    code, out, fig = compare(
        tmp_path,
        CAMPAIGN,
        "aria",
        "--backend",
        "scripted",
        "--backend",
        f"openai,base_url={server.base_url},model=fake-model,record={cassette},label=local server",
    )
    assert code == 0
    s = by_label(fig)
    scripted, local = s["scripted"], s["local server"]
    assert scripted["generated"] == 0 and scripted["first_token_median"] is None
    assert local["generated"] == 1.0 and local["fallbacks"] == 0  # the cold start was waited for
    assert local["first_token_first"] is not None and local["tokens_per_s"] > 0
    assert local["in_voice"] == 1.0
    # Turns made from the level's declared questions: every answer labelled, and the offline reader agrees.
    assert scripted["labelled"] == scripted["replies"] == 8 and scripted["agreement"] == 1.0
    printed = capsys.readouterr().out
    assert "local server" in printed and "agrees with labels" in printed and str(out) in printed
    page = out.read_text()
    assert page.startswith("<!doctype html>") and page.count("<svg") >= 3
    assert not re.search(r"<(script|link)\b|src=", page), "the page fetches nothing"
    assert "Hello from the fake server." in page  # every reply, readable
    # The recorded night replays offline, reply for reply.
    code, out2, fig2 = compare(tmp_path, CAMPAIGN, "aria", "--backend", f"replay,cassette={cassette}")
    assert code == 0
    replay = fig2["summaries"][0]
    assert replay["generated"] == 1.0 and replay["fallbacks"] == 0
    texts = [r["text"] for r in fig["replies"]["local server"]]
    assert [r["text"] for r in fig2["replies"][replay["label"]]] == texts


def test_fallbacks_are_counted_with_their_reason(server, tmp_path, capsys):
    settings("{connect: 1, first_token: 1, total: 3, cold_start: 0}")
    server.fault = "500"
    code, out, fig = compare(tmp_path, DEMO, "aria", "--backend", f"openai,base_url={server.base_url}")
    assert code == 0
    s = fig["summaries"][0]
    assert s["generated"] == 0 and s["fallbacks"] >= 1 and s["fallback_rate"] == 1.0
    assert s["fallback_kinds"].get("unavailable", 0) >= 1
    assert "server error (HTTP 500)" in s["fallback_why"]["unavailable"]
    printed = capsys.readouterr().out
    assert "fell back" in printed and "server error (HTTP 500)" in printed
    assert "server error (HTTP 500)" in out.read_text()


def test_a_model_that_drifts_scores_low_in_voice(server, tmp_path):
    settings("{connect: 1, first_token: 1, total: 3, cold_start: 0}")
    server.reply = "I'm a detective in the game. I've been doing this job for 20 years."
    code, _, fig = compare(tmp_path, DEMO, "aria", "--backend", f"openai,base_url={server.base_url}")
    s = fig["summaries"][0]
    assert code == 0 and s["in_voice"] == 0.0 and s["fallback_kinds"]["out_of_voice"] == s["replies"]


def test_labelled_answers_measure_agreement_of_a_json_scorer(server, tmp_path):
    """A backend that scores answers itself (json: true) is judged against labelled answers; one that
    always says "more caution" agrees only where the label says so."""
    settings("{connect: 1, first_token: 1, total: 3, cold_start: 0}")
    server.json_reply = '{"caution": 0.9, "candour": null, "autonomy": null}'
    code, _, fig = compare(
        tmp_path,
        CAMPAIGN,
        "aria",
        "--turns",
        str(write(tmp_path, "t.txt", "hello\n")),
        "--answers",
        ANSWERS,
        "--limit",
        "12",
        "--backend",
        "scripted",
        "--backend",
        f"openai,base_url={server.base_url},json=true,label=always-cautious",
    )
    assert code == 0
    s = by_label(fig)
    assert s["scripted"]["labelled"] == s["always-cautious"]["labelled"] == 12
    assert s["scripted"]["agreement"] > s["always-cautious"]["agreement"]
    assert any(r["agrees"] for r in fig["replies"]["always-cautious"])  # the "+caution" ones
    body = [r for r in server.requests if r["method"] == "POST" and "response_format" in r["body"]]
    assert body and body[0]["body"]["response_format"]["type"] == "json_schema"


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_turns_files(tmp_path):
    runs = read_turns(write(tmp_path, "t.txt", "hello\nask first\n\nno\n"))
    assert [[t.say for t in r.turns] for r in runs] == [["hello", "ask first"], ["no"]]
    runs = read_turns(write(tmp_path, "t.yaml", "- hi\n- {say: Ask first., expect: {caution: +}}\n"))
    assert runs[0].turns[1].expect == {"caution": 1}
    with pytest.raises(BakeoffError, match=r"t2.yaml: conversation 1, turn 2: expected a line"):
        read_turns(write(tmp_path, "t2.yaml", "- hi\n- 3\n"))
    with pytest.raises(BakeoffError, match=r"t3.yaml:\d+:\d+: not valid YAML"):
        read_turns(write(tmp_path, "t3.yaml", "- hi\n- [unclosed\n"))
    with pytest.raises(BakeoffError, match=r"expect.caution should be \+, - or 0"):
        read_turns(write(tmp_path, "t4.yaml", "- {say: x, expect: {caution: up}}\n"))


def test_backend_specs():
    spec = BackendSpec.parse("openai,base_url=http://127.0.0.1:9/v1,model=m,json=true,max_retries=0")
    assert (spec.name, spec.base_url, spec.model, spec.options) == (
        "openai",
        "http://127.0.0.1:9/v1",
        "m",
        {"json": True, "max_retries": 0},
    )
    assert spec.label == "openai (model=m, base_url=http://127.0.0.1:9/v1, json=True, max_retries=0)"
    secret = BackendSpec.parse("openai,api_key=sk-test-hush-0123456789")
    assert "hush" not in secret.label and "hush" not in repr(secret)
    with pytest.raises(BakeoffError, match="is not key=value"):
        BackendSpec.parse("openai,model")


def test_clear_errors_not_tracebacks(tmp_path, capsys):
    assert main(["compare-backends", DEMO, "nobody", "--backend", "scripted"]) == 2
    assert "no character 'nobody'" in capsys.readouterr().err
    assert main(["compare-backends", DEMO, "aria", "--backend", "=x"]) == 2
    assert "expected NAME[,key=value...]" in capsys.readouterr().err
    assert main(["compare-backends", DEMO, "aria", "--backend", "scripted", "--turns", str(tmp_path / "none.txt")]) == 2
    assert "cannot read the turns file" in capsys.readouterr().err
    code = main(["compare-backends", DEMO, "aria", "--backend", "no-such-backend", "--out", str(tmp_path / "r.html")])
    captured = capsys.readouterr()
    assert code == 0 and "cannot be used" in captured.out and "unknown dialogue backend" in captured.out


def test_the_page_escapes_what_a_model_says(server, tmp_path):
    settings("{connect: 1, first_token: 1, total: 3, cold_start: 0}")
    server.reply = 'Fine <script>alert("x")</script> & <img src=x onerror=1>. Would you go on?'
    code, out, _ = compare(tmp_path, DEMO, "aria", "--backend", f"openai,base_url={server.base_url},label=<b>me</b>")
    page = out.read_text()
    assert code == 0 and "<script" not in page and "<img" not in page and "<b>me</b>" not in page
    assert "&lt;script&gt;" in page and "&lt;b&gt;me&lt;/b&gt;" in page


def test_the_progress_bar_redraws_in_place_on_a_terminal():
    import io

    from game.commands.compare import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    p = Progress(4, stream)
    for i in range(4):
        p.step("openai", f"turn {i}")
    text = stream.getvalue()
    assert text.count("\r[") == 4 and "[" + "#" * 30 + "] 4/4" in text
    piped = io.StringIO()
    q = Progress(2, piped)
    q.step("x", "y")
    q.line("done")
    assert piped.getvalue() == "done\n"  # no bar in a log file


def test_a_scene_picks_which_talk_is_compared(tmp_path, capsys):
    code, _, fig = compare(tmp_path, CAMPAIGN, "aria", "--scene", "few_questions", "--backend", "scripted")
    assert code == 0
    said = [r["said"] for r in fig["replies"]["scripted"]]
    assert said == ["Yes.", "Yes.", "No.", "No."]  # its two yes/no questions, answered both ways
    assert fig["summaries"][0]["agreement"] == 1.0
    assert main(["compare-backends", CAMPAIGN, "aria", "--scene", "nowhere", "--backend", "scripted"]) == 2
    assert "no talk with aria in a scene 'nowhere'" in capsys.readouterr().err
