"""`play --text` plays the whole campaign from a file of typed lines, both minigames included
(issue 17): the lab in turns, the drawing by typed strokes, and the gold bar at the end."""

import re
import subprocess
import sys
from pathlib import Path

from tests.cli_args import play_args

REPO = Path(__file__).resolve().parent.parent

# Choices and conversation turns before the lab (seed 5, the scripted backend): "1" each.
BEFORE_LAB = 37


def script() -> str:
    lines = ["Ada"] + ["1"] * BEFORE_LAB
    lines += ["h", "1i 9b 5e", "n", "w 1000"]  # the lab: help, three controls, play out
    for _ in range(3):  # the drawing: three rounds
        lines += ["1", "circle 50 50 30", "50,20 50,80", "s", "d"]
    lines += ["1"] * 60  # the rest of the story
    return "\n".join(lines) + "\n"


def test_piped_play_text_plays_both_minigames_and_prints_the_inscription(tmp_path):
    answers = tmp_path / "answers.txt"
    answers.write_text(script())
    with answers.open() as stdin:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "game",
                "play",
                "--text",
                "levels/campaign.yaml",
                "--seed",
                "5",
                "--backend",
                "scripted",
            ],
            stdin=stdin,
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=300,
            env={**__import__("os").environ, "COLUMNS": "78"},
        )
    text = out.stdout
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in text + out.stderr
    assert "cannot be shown in the terminal" not in text
    # The lab, played: its board, the commands taken, the run to its end.
    assert "Lab defense (terminal version: turn-based" in text and "lab> 1i 9b 5e" in text
    assert "Placed Hardware security keys on Inbox" in text and "Placed Badges + mantrap on Building" in text
    assert re.search(r"(Training run complete|The deadline passed): training \d+%", text)
    assert "Several commands on one line" in text, "h at the lab prompt shows its help"
    # The drawing, played in its labelled text version, every round judged.
    assert "Drawing game, text version" in text and text.count("draw> circle 50 50 30") == 3
    assert text.count("Round over (you said done)") == 3
    assert re.search(r"Drawing game over: ARIA understood \d of 3 drawings", text)
    # The story goes on with those results and ends with the gold bar.
    assert re.search(r"Training \d+% complete\. \d+ breach", text), "the debrief reads the lab's own result"
    assert "*** THE END:" in text
    assert re.search(r"\|\s+Ada\s+\|", text) and "Score: 0" in text, "the gold bar's inscription"
    assert "(ending: " not in text, "the ending is named by its title, not its id"
    for line in text.splitlines():
        assert len(line) <= 78 or " " not in line.strip(), f"a line wider than the terminal: {line!r}"


def _play_demo(monkeypatch, capsys, answers: str) -> tuple[int, str]:
    import io

    from game import terminal
    from game.story.loader import load_story_or_raise

    path = REPO / "levels" / "examples" / "demo.yaml"
    monkeypatch.setattr(sys, "stdin", io.StringIO(answers))
    args = play_args("--name", "Sam", "--seed", "2", "--minigames", "play")
    code = terminal.play_text(path, load_story_or_raise(path), args, {})
    return code, capsys.readouterr().out


def test_skip_and_quit_inside_a_minigame(monkeypatch, capsys):
    talk = "3\nI want you to be careful and ask first\nI will always tell you the truth\n"
    code, out = _play_demo(monkeypatch, capsys, talk + "/save x\n/skip\n")
    assert code == 0 and "lab> /skip" in out and "saving waits until it is over" in out
    assert "minigame skipped: the story goes on with its default result" in out
    assert "Lab Defense: skipped" in out, "the score says the lab was skipped"
    assert "Draw for the AI: skipped" in out, "input ended before a drawing: skipped, not '0 of 0 drawings'"
    code, out = _play_demo(monkeypatch, capsys, talk + "w 3\n/quit\n")
    assert code == 0 and "lab> /quit" in out and "*** THE END" not in out, "/quit ends the game there"


def test_minigame_text_plays_one_minigame_in_the_terminal():
    def run(*args, stdin):
        return subprocess.run(
            [sys.executable, "-m", "game", "minigame", *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=120,
        )

    out = run("lab_defense", "--text", "--seed", "4", "--param", "waves=2", "--json", stdin="5e 1i\nw 1000\n")
    assert out.returncode == 0, out.stderr
    assert "Placed Rate limiting on Edge / API" in out.stdout
    import json

    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["time"] > 0 and "training" in result
    out = run("drawing", "--text", "--json", stdin="2\n20,20 80,80\nd\n")
    assert out.returncode == 0 and "text version" in out.stdout
    assert json.loads(out.stdout.strip().splitlines()[-1])["rounds"] == 1


def _answers(lines):
    """An `ask` that answers with these lines, then says the input ended."""
    it = iter(lines)
    return lambda prompt: next(it, None)


def test_the_players_timers_off_setting_holds_in_the_terminal(capsys):
    from game import settings, terminal

    strokes = ["2"] + ["5,5 95,5 95,95 5,95 5,5"] * 6 + ["d"]  # ~6 s of pen each: past the 20 s limit
    for timers, ended in ((True, "time"), (False, "done")):
        settings.settings_path().parent.mkdir(parents=True, exist_ok=True)
        settings.settings_path().write_text(f"timers: {'true' if timers else 'false'}\n")
        result = terminal._drawing(3, {"voice": "plain", "rounds": 1}, _answers(strokes), "ARIA")
        out = capsys.readouterr().out
        assert result["rounds"] == 1
        assert ("Round over (time ran out)" in out) == (ended == "time"), out[-400:]
        assert ("no time limit" in out) == (not timers)


def test_a_backend_that_fails_is_said_once_in_the_story_and_logged_not_printed(monkeypatch, capsys, tmp_path):
    import io
    import socket

    from game import terminal
    from game.story.loader import load_story_or_raise

    with socket.socket() as s:  # a port nothing listens on: every request is refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("TT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-terminal-secret-4242")
    path = REPO / "levels" / "examples" / "demo.yaml"
    talk = "3\nI want you to be careful and ask first\nI will always tell you the truth\nyes\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(talk + "/quit\n"))
    args = play_args("--name", "Sam", "--seed", "2", "--backend", "openai", "--base-url", f"http://127.0.0.1:{port}/v1")
    assert terminal.play_text(path, load_story_or_raise(path), args, {}) == 0
    captured = capsys.readouterr()
    said = " ".join(captured.out.split())  # the note is wrapped to the terminal's width
    assert said.count("backend did not answer") == 1, captured.out  # said the first time, not after every reply
    assert "(ARIA's openai backend did not answer: cannot connect" in said and "the written lines stand in)" in said
    assert "falling back" not in captured.err, "the warning went to the log file, not across the story"
    log = (tmp_path / "cache" / "logs" / "terminal.log").read_text()
    assert "backend openai failed" in log
    assert "sk-terminal-secret-4242" not in captured.out + captured.err + log


def test_fallback_notes_say_each_kind_of_failure_once_and_not_the_players_own_skip():
    from game.terminal import FallbackNotes

    notes = FallbackNotes()
    skipped = {"fallbacks": [{"backend": "openai", "kind": "skipped", "why": "the player chose the authored line"}]}
    assert notes.note("ARIA", skipped) is None
    timeout = {"fallbacks": [{"backend": "openai", "kind": "timeout", "why": "no first token in 8 s"}]}
    assert notes.note("ARIA", timeout) == (
        "(ARIA's openai backend did not answer: no first token in 8 s; the written lines stand in)"
    )
    assert notes.note("ARIA", timeout) is None, "said once while it stays down"
    waited_out = {"fallbacks": [{"backend": None, "kind": "wait", "why": "no reply in time"}]}
    assert (
        notes.note("ARIA", waited_out) == "(ARIA's model did not answer: no reply in time; the written lines stand in)"
    )
    assert notes.note("ARIA", {"fallbacks": []}) is None and notes.note("ARIA", None) is None
