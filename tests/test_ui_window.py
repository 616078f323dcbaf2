"""End to end in a real window: Xvfb, real X key presses (xdotool), ImageMagick screenshots.

The game is launched the way a player launches it: `python main.py play STORY --log F`.
Start the game, type a name, advance, choose, talk to the AI (scripted backend), quick
save, quit from the menu, relaunch, continue from the save. A second run starts a writer's
`--warp` at the lab defense, types the name, skips both minigames and plays the ending,
score and gold bar, checking the typed name on the bar through the event log. Each step
is screenshotted into test-artifacts/ and checked against the game's JSON event log.
Installs nothing: skips with the reason when Xvfb, xdotool or ImageMagick are missing.
"""

from __future__ import annotations

import pytest

from tests.xvfb import XDisplay, read_log, require_tools, wait_for

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]
DEMO = "levels/examples/demo.yaml"


def to_talk(x, log, at_choice=lambda: None):
    """From the first line to the conversation: on to the choice, "Ask what it wants."."""

    def advance():
        x.key("Return")

    advance()
    # Return again each time the game has stood still for a while (wait_for's nudge), never on the choice:
    # the log is read before each nudge, and a choice ignores keys for its first moments anyway.
    wait_for(log, lambda e: e["event"] == "shown" and e.get("kind") == "choice", what="the choice", nudge=advance)
    at_choice()
    # a choice ignores keys for its first moments (game/ui/screens/play.py ARM_DELAY)
    wait_for(log, lambda e: e["event"] == "choice_armed", what="the choice armed")
    mark = len(read_log(log))
    x.key("3")
    wait_for(log, lambda e: e["event"] == "chosen" and e["text"] == "Ask what it wants.", what="the choice made")
    if not any(e["event"] == "talk_started" for e in read_log(log)[mark:]):
        advance()
    wait_for(log, lambda e: e["event"] == "talk_started", what="the conversation", nudge=advance, since=mark)


def test_play_save_quit_relaunch_load(tmp_path, artifacts_dir):
    require_tools()
    x = XDisplay()
    log1, log2 = tmp_path / "run1.jsonl", tmp_path / "run2.jsonl"
    procs = []
    try:

        def launch(log):
            proc = x.start_game(["main.py", "play", DEMO, "--log", str(log), "--seed", "1", "--backend", "scripted"])
            procs.append(proc)
            wid = x.window_of(proc)
            wait_for(log, lambda e: e["event"] == "first_frame", what="the first frame")
            x.run("xdotool", "windowfocus", "--sync", wid, check=False)
            return proc

        def key(*names):
            x.key(*names)

        def shot(name, log):
            x.shot(artifacts_dir / f"{name}.png", log)

        proc = launch(log1)
        shot("01_title", log1)
        key("Return")
        wait_for(log1, lambda e: e["event"] == "screen" and e["name"] == "name", what="the name screen")
        x.run("xdotool", "type", "--delay", "40", "Ada")
        wait_for(log1, lambda e: e["event"] == "typed" and e["chars"] == 3, what="the name typed")
        shot("02_name", log1)
        key("Return")
        wait_for(
            log1,
            lambda e: e["event"] == "shown" and e.get("kind") == "line" and "Ada" in e["text"],
            what="the first line with the player's name",
        )
        shot("03_first_line", log1)
        to_talk(x, log1, lambda: shot("04_choice", log1))
        x.run("xdotool", "type", "--delay", "25", "be careful and ask first")
        key("Return")
        wait_for(log1, lambda e: e["event"] == "reply", what="the AI's first reply")
        shot("05_talk", log1)
        x.run("xdotool", "type", "--delay", "25", "I will tell you the truth")
        key("Return")
        wait_for(log1, lambda e: e["event"] == "reply" and e.get("finished"), what="the last reply")
        key("F5")
        saved = wait_for(log1, lambda e: e["event"] == "saved" and e["slot"] == "quick", what="the quick save")
        shot("06_saved", log1)
        key("Escape")
        wait_for(log1, lambda e: e["event"] == "screen" and e["name"] == "pause", what="the pause menu")
        key("Up", "Return")  # Quit game is the last item: Up from Resume wraps to it
        wait_for(log1, lambda e: e["event"] == "screen" and e["name"] == "confirm", what="the quit confirmation")
        shot("07_quit_confirm", log1)
        key("y")
        assert proc.wait(15) == 0

        proc = launch(log2)
        key("Down", "Return")  # Continue: the latest save
        loaded = wait_for(log2, lambda e: e["event"] == "loaded", what="the load")
        shot("08_loaded", log2)
        assert loaded["slot"] == "quick" and loaded["scene"] == saved["scene"] == "interrogation"
        events1 = [e["event"] for e in read_log(log1)]
        for step in ("new_game", "shown", "chosen", "talk_started", "said", "reply", "saved", "quit"):
            assert step in events1 or (step == "quit" and "closed" in events1), f"no '{step}' in the event log"
        said = [e["text"] for e in read_log(log1) if e["event"] == "said"]
        assert said == ["be careful and ask first", "I will tell you the truth"]
        key("Escape", "Up", "Return", "y")
        assert proc.wait(15) == 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        x.close()


def test_warp_to_the_ending_score_and_gold_bar_with_the_typed_name(tmp_path, artifacts_dir):
    require_tools()
    x = XDisplay()
    log = tmp_path / "ending.jsonl"
    proc = None
    try:
        proc = x.start_game(
            [
                "main.py",
                "play",
                DEMO,
                "--log",
                str(log),
                "--seed",
                "1",
                "--backend",
                "scripted",
                "--warp",
                "defense",
                "--no-reload",
            ]
        )
        wid = x.window_of(proc)
        wait_for(log, lambda e: e["event"] == "first_frame", what="the first frame")
        x.run("xdotool", "windowfocus", "--sync", wid, check=False)

        def key(*names):
            x.key(*names)

        def shot(name):
            x.shot(artifacts_dir / f"{name}.png", log)

        # --warp without --name: the new game asks for the name first.
        wait_for(log, lambda e: e["event"] == "screen" and e["name"] == "name", what="the name screen")
        x.run("xdotool", "type", "--delay", "40", "Grace Hopper")
        wait_for(log, lambda e: e["event"] == "typed" and e["chars"] == 12, what="the name typed")
        shot("01_name")
        key("Return")
        wait_for(log, lambda e: e["event"] == "new_game" and e["player"] == "Grace Hopper", what="the new game")
        seen = set()
        for _ in range(40):
            events = read_log(log)
            names = {e["event"] for e in events} | {e.get("name") for e in events if e["event"] == "screen"}
            if "goldbar" in names:
                break
            if "ending" in names and "ending" not in seen:
                seen.add("ending")
                shot("02_ending")
            if "score" in names and "score" not in seen:
                seen.add("score")
                shot("03_score")
            shown = [e for e in events if e["event"] == "shown"]
            on_minigame = (
                shown
                and shown[-1].get("kind") == "minigame"
                and not any(
                    e["event"] in ("minigame_skipped", "minigame_finished") and e["name"] == shown[-1]["name"]
                    for e in events[events.index(shown[-1]) :]
                )
            )
            press = "F8" if on_minigame else "Return"
            key(press)
            # on once the game has answered the key (it logs what it shows, then "drawn"); pressed
            # again only if it stood still (a key that changed nothing it logs)
            wait_for(
                log,
                lambda e: e["event"] != "drawn",
                since=len(events),
                what=f"the game to answer {press}",
                nudge=lambda press=press: key(press),
            )
        bar = wait_for(log, lambda e: e["event"] == "goldbar", what="the gold bar")
        shot("04_goldbar")
        assert bar["player"] == "Grace Hopper"
        assert bar["inscription"] == ["Grace Hopper", "Player 1", "Score: 0"]
        events = read_log(log)
        skipped = [e["name"] for e in events if e["event"] == "minigame_skipped"]
        assert skipped == ["lab_defense", "drawing"]
        score = next(e for e in events if e["event"] == "score")
        assert {r["name"] for r in score["rows"]} == {"lab_defense", "drawing"} and score[
            "total"
        ] == ""  # all skipped: no score line
        order = [e["event"] for e in events if e["event"] in ("ending", "score", "goldbar")]
        assert order == ["ending", "score", "goldbar"]
        key("Return")  # the credits roll after the gold bar
        wait_for(log, lambda e: e["event"] == "screen" and e["name"] == "credits", what="the credits")
        shot("05_credits")
        key("Escape")  # closes the credits: the title is under them
        key("Up", "Return")  # Quit is the last item of the title menu
        assert proc.wait(15) == 0, "Esc left the credits for the title, whose Quit ends the game"
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
        x.close()


def test_a_backend_that_does_not_answer_is_a_toast_and_a_log_file_not_terminal_lines(tmp_path, artifacts_dir):
    """A player starts the window with a model backend that is down (a port nothing listens
    on): the conversation goes on in the written lines, the window says why once as a
    toast, and the details land in logs/window.log, not on the terminal it was started from."""
    import socket

    require_tools()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    x = XDisplay()
    log, cache = tmp_path / "run.jsonl", tmp_path / "cache"
    argv = ["main.py", "play", DEMO, "--log", str(log), "--seed", "1", "--name", "Ada"]
    argv += ["--backend", "openai", "--base-url", f"http://127.0.0.1:{port}/v1"]
    env = {"TT_CACHE_DIR": str(cache), "OPENAI_API_KEY": "sk-window-secret-9191"}
    proc = x.start_game(argv, extra_env=env)
    try:
        wid = x.window_of(proc)
        wait_for(log, lambda e: e["event"] == "first_frame", what="the first frame")
        x.run("xdotool", "windowfocus", "--sync", wid, check=False)
        x.key("Return")
        wait_for(log, lambda e: e["event"] == "shown" and e.get("kind") == "line", what="the first line")
        to_talk(x, log)
        for n, words in enumerate(["be careful and ask first", "I will tell you the truth"], 1):
            mark = len(read_log(log))
            x.run("xdotool", "type", "--delay", "25", words)
            x.key("Return")
            wait_for(log, lambda e: e["event"] == "reply", what=f"reply {n}", since=mark)
            if n == 1:
                wait_for(log, lambda e: e["event"] == "message" and "did not answer" in e["text"], what="the toast")
                x.shot(artifacts_dir / "window_backend_down_toast.png", log)
        told = [e["text"] for e in read_log(log) if e["event"] == "message" and "did not answer" in e["text"]]
        assert told == [
            "ARIA's openai backend did not answer: cannot connect (ConnectError); the written lines stand in"
        ]
        assert [e["backend"] for e in read_log(log) if e["event"] == "reply"] == ["scripted", "scripted"]
        x.key("Escape", "Up", "Return", "y")
        assert proc.wait(15) == 0
        err = proc.stderr.read()
        assert "backend openai failed" not in err and "Traceback" not in err, err[-2000:]
        kept = (cache / "logs" / "window.log").read_text()
        assert "backend openai failed" in kept
        assert "sk-window-secret-9191" not in err + kept + log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
        x.close()
