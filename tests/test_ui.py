"""Headless tests of the desktop game: posted events in, screen state, pixels and runtime calls out."""

from __future__ import annotations

import json
import threading

import pygame
import pytest

from game import saves
from game import settings as settings_mod
from game.paths import REPO_DIR

DEMO = str(REPO_DIR / "levels" / "examples" / "demo.yaml")


def key(k, mod=0, unicode=""):
    """A key pressed and released (a choice ignores a key still held from the line before)."""
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode=unicode, scancode=0))
    pygame.event.post(pygame.event.Event(pygame.KEYUP, key=k, mod=mod, unicode=unicode, scancode=0))


def arm(app):
    """Let a choice that just appeared arm itself (it ignores keys for its first moments)."""
    from game.ui.screens.play import ARM_DELAY

    app.run_frames(int(ARM_DELAY * 60) + 2)


def text(t):
    pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=t))


def click(pos):
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))


@pytest.fixture
def make_app(tmp_path):
    apps = []

    def make(**kw):
        from game.ui.app import build_app

        kw.setdefault("log", str(tmp_path / "events.jsonl"))
        kw.setdefault("seed", 1)
        app = build_app(DEMO, **kw)
        app.run_frames(2)
        apps.append(app)
        return app

    yield make
    for app in apps:
        if app.running:
            app.log.close()
    pygame.quit()


def shot(app, artifacts_dir, name):
    path = artifacts_dir / f"{name}.png"
    pygame.image.save(app.surface, str(path))
    # Not blank: a screen someone can read has many colours.
    colours = len(
        set(
            pygame.image.tobytes(pygame.transform.scale(app.surface, (160, 90)), "RGB")[i : i + 3]
            for i in range(0, 160 * 90 * 3, 3)
        )
    )
    assert colours > 20, f"{name} looks blank ({colours} colours)"
    return path


def start(make_app, name="Ada", **kw):
    app = make_app(**kw)
    key(pygame.K_RETURN)  # New game
    app.run_frames(2)
    assert app.top.name == "name"
    text(name)
    key(pygame.K_RETURN)
    app.run_frames(2)
    assert app.top.name == "play"
    return app


def events(app, kind):
    return [e for e in app.log.recent if e["event"] == kind]


def to_mode(app, mode, limit=30):
    for _ in range(limit):
        if app.top.describe().get("mode") == mode:
            if mode == "choice":
                arm(app)
            return
        key(pygame.K_RETURN)
        app.run_frames(2)
    raise AssertionError(f"never reached {mode}: {app.top.describe()}")


def test_title_name_and_typewriter_line(make_app, artifacts_dir):
    app = make_app()
    d = app.top.describe()
    assert d["screen"] == "title" and ("Continue", False) in d["items"]
    shot(app, artifacts_dir, "01_title")
    key(pygame.K_RETURN)
    app.run_frames(1)
    text("Ada Lovelace")
    app.run_frames(1)
    assert app.top.describe()["text"] == "Ada Lovelace"
    shot(app, artifacts_dir, "02_name")
    key(pygame.K_RETURN)
    app.run_frames(6)
    d = app.top.describe()
    assert d["mode"] == "line" and "Ada Lovelace" in d["text"]
    assert 0 < d["shown"] < len(d["text"]), "the line types out, it is not shown at once"
    key(pygame.K_SPACE)  # first press finishes the line...
    app.run_frames(1)
    assert app.top.describe()["done"] and app.top.describe()["key"] == "demo/lab_door/0"
    shot(app, artifacts_dir, "03_line")
    key(pygame.K_SPACE)  # ...the second advances
    app.run_frames(1)
    d = app.top.describe()
    assert d["key"] == "demo/lab_door/1" and d["speaker"] == "ARIA"
    assert app.session.runtime.transcript[-1]["key"] == "demo/lab_door/0"


def test_choice_by_number_key_and_by_mouse(make_app, artifacts_dir):
    app = start(make_app)
    to_mode(app, "choice")
    d = app.top.describe()
    assert d["options"] == ["Say hello back.", "Make coffee first.", "Ask what it wants."]
    shot(app, artifacts_dir, "choice")
    key(pygame.K_2)
    app.run_frames(2)
    assert app.session.runtime.transcript[-1]["chosen"] == "Make coffee first."
    assert app.session.runtime.world.vars["coffee"] is True
    # Mouse: roll back to the choice and click the third option.
    key(pygame.K_PAGEUP)
    app.run_frames(1)
    assert app.top.describe()["mode"] == "choice"
    arm(app)
    app.draw()
    rect = app.top.menu.rects[2]
    click(rect.center)
    app.run_frames(2)
    assert app.session.runtime.transcript[-1]["chosen"] == "Ask what it wants."
    assert app.session.runtime.scene == "interrogation"


def test_rollback_returns_to_previous_line_and_choice_then_forward(make_app):
    app = start(make_app)
    to_mode(app, "choice")
    key(pygame.K_1)
    app.run_frames(2)
    after = app.top.describe()
    assert after["scene"] == "briefing" and app.session.runtime.world.vars["trust"] == 1
    key(pygame.K_PAGEUP)
    app.run_frames(1)
    assert app.top.describe()["mode"] == "choice"
    assert app.session.runtime.world.vars["trust"] == 0, "rollback undoes the choice's effect"
    key(pygame.K_PAGEUP)
    app.run_frames(1)
    d = app.top.describe()
    assert d["mode"] == "line" and d["key"] == "demo/lab_door/1"
    pygame.event.post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=-1, flipped=False, precise_x=0.0, precise_y=-1.0))
    app.run_frames(1)
    assert app.top.describe()["mode"] == "choice"
    key(pygame.K_PAGEDOWN)
    app.run_frames(1)
    assert app.top.describe()["key"] == after["key"] and app.session.runtime.world.vars["trust"] == 1


def _to_talk(app):
    to_mode(app, "choice")
    key(pygame.K_3)  # Ask what it wants -> interrogation
    app.run_frames(2)
    to_mode(app, "talk")


def _say(app, words, frames=120):
    text(words)
    key(pygame.K_RETURN)
    for _ in range(frames):
        app.run_frames(1)
        if not app.top.describe()["streaming"]:
            break


class Paced:
    """A dialogue backend that says a fixed reply one word per frame of the game, so a reply
    spans many frames whatever the machine's speed (each frame releases one word)."""

    name = "paced"
    model = "paced-1"
    tick = threading.Semaphore(0)

    def __init__(self, **_):
        from game.dialogue.base import Capabilities

        self.capabilities = Capabilities(offline=True)

    def health(self):
        from game.dialogue.base import Health

        return Health(True, "ok")

    def stream(self, request, cancel):
        words = "Thank you. I will keep that somewhere safe, the way you would keep a letter.".split()
        while Paced.tick.acquire(blocking=False):  # frames from before this reply do not count
            pass
        for i, word in enumerate(words):
            if i and not Paced.tick.acquire(timeout=10):
                return
            if cancel.is_set():
                return
            yield ("" if i == 0 else " ") + word


@pytest.fixture
def slow_stream(monkeypatch):
    """Conversations on the real dialogue service with a backend that streams a word a frame."""
    import game.ui.screens.play as play
    from game.dialogue import registry

    monkeypatch.setitem(registry.BUILTIN, "paced", "tests.test_ui:Paced")
    Paced.tick = threading.Semaphore(0)
    original_open, original_update = play.open_conversation, play.PlayScreen.update

    def open_paced(runtime, prompt, options, snapshot=None):
        return original_open(runtime, prompt, dict(options, backend="paced"), snapshot)

    def update(self, dt):
        Paced.tick.release()
        original_update(self, dt)

    monkeypatch.setattr(play, "open_conversation", open_paced)
    monkeypatch.setattr(play.PlayScreen, "update", update)


def test_conversation_with_the_scripted_backend(make_app, artifacts_dir):
    """The real dialogue service (scripted backend, worker thread) from typing to finish_talk."""
    app = start(make_app, options={"backend": "scripted"})
    _to_talk(app)
    assert app.top.describe()["turns"][0]["text"]
    _say(app, "I want you to be careful and ask first", frames=300)
    d = app.top.describe()
    assert not d["streaming"] and d["turns"][-1]["who"] == "ai" and d["turns"][-1]["text"]
    assert d["turns"][-1]["backend"] == "scripted"
    _say(app, "I would tell you the truth", frames=300)
    shot(app, artifacts_dir, "talk_scripted")
    assert app.top.describe()["finished"]
    key(pygame.K_RETURN)
    app.run_frames(2)
    talk = [e for e in app.session.runtime.transcript if e["kind"] == "talk"][-1]
    assert talk["turns"] == 2 and app.session.runtime.world.values["caution"] > 0


def test_a_backend_that_does_not_answer_is_told_once_as_a_toast(make_app, monkeypatch):
    """A model backend that is down: the authored lines stand in and the player is told why, once."""
    import socket

    with socket.socket() as s:  # a port nothing listens on: every request is refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("OPENAI_API_KEY", "sk-window-secret-4242")
    app = start(make_app, options={"backend": "openai", "base_url": f"http://127.0.0.1:{port}/v1"})
    _to_talk(app)
    for n, words in enumerate(["I want you to be careful and ask first", "I would tell you the truth"], 1):
        text(words)
        key(pygame.K_RETURN)
        for _ in range(2000):  # until the log says the reply is finished (a refused request fails in ms)
            app.run_frames(1)
            if len(events(app, "reply")) == n:
                break
    d = app.top.describe()
    assert [t["backend"] for t in d["turns"] if t["who"] == "ai"][1:] == ["scripted", "scripted"]
    told = [e["text"] for e in events(app, "message") if "did not answer" in e["text"]]
    assert told == ["ARIA's openai backend did not answer: cannot connect (ConnectError); the written lines stand in"]
    assert all("sk-window-secret-4242" not in str(e) for e in app.log.recent)


def test_the_window_keeps_its_warnings_in_a_log_file_not_the_terminal(tmp_path, monkeypatch, capsys):
    """What a backend logs while the window plays goes to logs/window.log, not across the
    terminal the game was started from; after the window closes, logging is as it was."""
    import logging

    from game.ui import app as app_mod

    monkeypatch.setenv("TT_CACHE_DIR", str(tmp_path / "cache"))

    def run(self, max_seconds=None):
        logging.getLogger("game.dialogue").warning("backend openai failed: cannot connect")
        self.close()
        return 0

    monkeypatch.setattr(app_mod.App, "run", run)
    assert app_mod.run_desktop(DEMO, player="Sam", log=str(tmp_path / "events.jsonl"), seed=1) == 0
    assert "backend openai failed" not in capsys.readouterr().err
    assert "backend openai failed" in (tmp_path / "cache" / "logs" / "window.log").read_text()
    assert logging.getLogger("game").propagate, "the terminal's logging is put back when the window closes"


def test_conversation_streams_and_reaches_the_runtime(make_app, artifacts_dir, slow_stream):
    app = start(make_app)
    _to_talk(app)
    d = app.top.describe()
    assert d["turns"] and d["turns"][0]["who"] == "ai" and d["turns"][0]["text"]
    text("I think you should be careful and ask first")
    key(pygame.K_RETURN)
    app.run_frames(1)
    d = app.top.describe()
    assert d["streaming"] and d["turns"][-2]["text"].startswith("I think you should")
    partial = d["turns"][-1]["text"]
    shot(app, artifacts_dir, "talk_streaming")
    for _ in range(200):
        app.run_frames(1)
        if not app.top.describe()["streaming"]:
            break
    full = app.top.describe()["turns"][-1]["text"]
    assert len(full) > len(partial), "the reply arrives over several frames"
    _say(app, "I will always tell you the truth")
    assert app.top.describe()["finished"]
    shot(app, artifacts_dir, "talk_finished")
    key(pygame.K_RETURN)
    app.run_frames(2)
    said = [e for e in app.session.runtime.transcript if e["kind"] == "said"]
    assert [e["text"] for e in said] == [
        "I think you should be careful and ask first",
        "I will always tell you the truth",
    ]
    talk = [e for e in app.session.runtime.transcript if e["kind"] == "talk"][-1]
    assert talk["turns"] == 2
    assert [e["event"] for e in app.log.recent].count("said") == 2


def test_escape_cancels_a_streaming_reply_and_gives_the_words_back(make_app, slow_stream):
    app = start(make_app)
    _to_talk(app)
    text("hello there, how are you doing tonight")
    key(pygame.K_RETURN)
    app.run_frames(1)
    assert app.top.describe()["streaming"]
    key(pygame.K_ESCAPE)
    app.run_frames(1)
    d = app.top.describe()
    assert app.top.name == "play" and not d["streaming"]
    assert d["input"] == "hello there, how are you doing tonight"
    assert [t["who"] for t in d["turns"]] == ["ai"]


def test_rollback_of_a_conversation_turn_does_not_ask_again(make_app, monkeypatch):
    app = start(make_app)
    _to_talk(app)
    _say(app, "hello")
    reply = app.top.describe()["turns"][-1]["text"]
    calls = []
    original = type(app.top.conv).send
    monkeypatch.setattr(type(app.top.conv), "send", lambda self, t: calls.append(t) or original(self, t))
    key(pygame.K_PAGEUP)
    app.run_frames(1)
    assert [t["who"] for t in app.top.describe()["turns"]] == ["ai"]
    key(pygame.K_PAGEDOWN)
    app.run_frames(1)
    d = app.top.describe()
    assert d["turns"][-1]["text"] == reply and calls == [], "roll-forward restores the reply without a new request"


def test_save_mid_scene_loads_to_the_same_line(make_app, artifacts_dir):
    app = start(make_app)
    key(pygame.K_RETURN)
    key(pygame.K_RETURN)
    app.run_frames(2)
    before = app.top.describe()
    assert before["key"] == "demo/lab_door/1"
    key(pygame.K_F6)  # save screen
    app.run_frames(1)
    key(pygame.K_3)  # slot 3
    app.run_frames(1)
    shot(app, artifacts_dir, "save_screen")
    data = json.loads(saves.slot_path("3").read_text())
    assert data["version"] == saves.SAVE_VERSION and data["scene"] == "lab_door" and data["thumbnail_png_base64"]
    assert (data["runtime"]["level"], data["runtime"]["scene"], data["runtime"]["pc"]) == ("demo", "lab_door", 1)
    # Overwriting asks first.
    key(pygame.K_3)
    app.run_frames(1)
    assert app.top.name == "confirm"
    key(pygame.K_n)
    key(pygame.K_ESCAPE)
    app.run_frames(1)
    app.close()
    # A new game process: title -> Load -> slot 3.
    app2 = make_app()
    assert ("Continue", True) in app2.top.describe()["items"]
    key(pygame.K_DOWN)
    key(pygame.K_DOWN)
    key(pygame.K_RETURN)  # Load
    app2.run_frames(1)
    assert app2.top.name == "saveload"
    shot(app2, artifacts_dir, "load_screen")
    key(pygame.K_3)
    app2.run_frames(2)
    d = app2.top.describe()
    assert d["screen"] == "play" and d["key"] == before["key"] and d["text"] == before["text"]
    assert app2.session.runtime.world.player == "Ada"


def test_corrupt_and_foreign_saves_are_listed_unreadable_and_harm_nothing(make_app, artifacts_dir):
    app = start(make_app)
    key(pygame.K_F5)  # quick save: a good one
    app.run_frames(1)
    saves.slot_path("1").write_text("{ this is not json")
    saves.slot_path("2").write_text(json.dumps({"format": "someone-elses-game", "version": 1}))
    saves.slot_path("4").write_bytes(b"\xff\xfe\x00binary")
    key(pygame.K_F7)
    app.run_frames(1)
    d = app.top.describe()
    by = {s["slot"]: s for s in d["slots"]}
    assert not by["1"]["ok"] and "damaged" in by["1"]["error"]
    assert not by["2"]["ok"] and "not a Treacherous Turn save" in by["2"]["error"]
    assert not by["4"]["ok"] and by["4"]["exists"]
    assert by["quick"]["ok"]
    shot(app, artifacts_dir, "unreadable_slots")
    key(pygame.K_1)  # try to load the corrupt one: a message, still on the load screen
    app.run_frames(1)
    assert app.top.name == "saveload" and any("cannot be loaded" in t[0] for t in app.toasts)
    key(pygame.K_ESCAPE)
    key(pygame.K_F9)  # the quick save still loads
    app.run_frames(2)
    assert app.top.name == "play" and events(app, "loaded")[-1]["slot"] == "quick"


def test_minigame_host_runs_a_view_and_reports_its_result(make_app, monkeypatch):
    import game.ui.minigame_view as mv

    class FakeView(mv.MinigameView):
        steps = 0

        def update(self, dt):
            FakeView.steps += 1

        def draw(self, surface):
            surface.fill((30, 60, 90))

        @property
        def finished(self):
            return FakeView.steps >= 10

        def result(self):
            return {"training": 1.0, "breaches": 0, "score": 42}

    monkeypatch.setattr(mv, "view_for", lambda name: FakeView if name == "lab_defense" else None)
    app = start(make_app, warp="defense")
    to_mode(app, "minigame")
    key(pygame.K_RETURN)
    app.run_frames(20)
    rt = app.session.runtime
    assert rt.world.vars["defense"]["score"] == 42
    # The drawing minigame has no view here: the game says so and uses the default result.
    to_mode(app, "minigame")
    assert app.top.describe()["has_view"] is False
    key(pygame.K_RETURN)
    app.run_frames(2)
    entry = [e for e in rt.transcript if e["kind"] == "minigame"][-1]
    assert entry["skipped"] and rt.world.vars["doodle"]["guess"] == "a cat"


def test_skip_minigame_key_and_setting(make_app):
    app = start(make_app, warp="defense")
    to_mode(app, "minigame")
    key(pygame.K_F8)
    app.run_frames(2)
    rt = app.session.runtime
    assert [e for e in rt.transcript if e["kind"] == "minigame"][-1]["skipped"]
    assert {k: rt.world.vars["defense"][k] for k in ("training", "breaches", "score")} == {
        "training": 1.0,
        "breaches": 0,
        "score": 0,
    }, "the level's default result is used"
    # With the accessibility setting on, the card says so and Enter takes the default.
    app.settings.set("skip_minigames", True)
    to_mode(app, "minigame")
    assert app.top.describe()["name"] == "drawing"
    key(pygame.K_RETURN)
    app.run_frames(2)
    assert app.top.name != "minigame"
    last = [e for e in rt.transcript if e["kind"] == "minigame"][-1]
    assert last["skipped"] and "settings" in last["note"]


def test_ending_score_and_gold_bar(make_app, artifacts_dir):
    app = start(make_app, name="Grace", warp="defense")
    for _ in range(40):
        if app.top.name == "goldbar":
            break
        if app.top.describe().get("mode") == "minigame":
            key(pygame.K_F8)
        else:
            key(pygame.K_RETURN)
        app.run_frames(2)
        if app.top.name == "score":
            shot(app, artifacts_dir, "score")
            rows = app.top.describe()["rows"]
            assert {r["name"] for r in rows} == {"lab_defense", "drawing"} and all(r["skipped"] for r in rows)
            assert app.top.describe()["total"] == ""  # nothing played, so no score line
        if app.top.name == "ending":
            shot(app, artifacts_dir, "ending")
    assert app.top.describe()["inscription"] == ["Grace", "Player 1", "Score: 0"]
    app.run_frames(30)
    shot(app, artifacts_dir, "goldbar")
    key(pygame.K_RETURN)
    app.run_frames(1)
    assert app.top.name == "credits", "the credits roll after the gold bar"
    key(pygame.K_ESCAPE)
    app.run_frames(1)
    assert app.top.name == "title"


def test_credits_from_the_title_read_the_assets_file_and_scroll(make_app, artifacts_dir):
    app = make_app()
    for _ in range(6):  # Down until Credits has the focus (disabled items are skipped)
        d = app.top.describe()
        if d["items"][d["focus"]][0] == "Credits":
            break
        key(pygame.K_DOWN)
        app.run_frames(1)
    assert d["items"][d["focus"]][0] == "Credits"
    key(pygame.K_RETURN)
    app.run_frames(1)
    assert app.top.name == "credits"
    shot(app, artifacts_dir, "credits_top")
    body = "\n".join(app.top.describe()["text"])
    assert "Drawings: Quick, Draw! dataset by Google, CC BY 4.0" in body
    for lib in ("transitions", "pygame-ce", "PyYAML", "platformdirs", "numpy", "openai"):
        assert lib in body, f"{lib} is not credited"
    licence = (REPO_DIR / "assets" / "fonts" / "DejaVu-LICENSE.txt").read_text().splitlines()
    assert licence[0].strip() in body, "the DejaVu licence text is shown"
    # Every asset row of CREDITS.md is on screen, read at run time.
    credits_md = (REPO_DIR / "assets" / "CREDITS.md").read_text()
    files = [
        row.split("|")[1].strip().replace("`", "")
        for row in credits_md.splitlines()
        if row.startswith("|") and "---" not in row
    ][1:]
    assert files and all(f in body for f in files)
    d = app.top.describe()
    assert d["scroll"] == 0 and d["max_scroll"] > 0
    key(pygame.K_PAGEDOWN)
    key(pygame.K_DOWN)
    app.run_frames(1)
    assert app.top.describe()["scroll"] > 0
    key(pygame.K_END)
    app.run_frames(1)
    d = app.top.describe()
    assert d["scroll"] == d["max_scroll"]
    shot(app, artifacts_dir, "credits_end")
    key(pygame.K_HOME)
    app.run_frames(1)
    assert app.top.describe()["scroll"] == 0
    key(pygame.K_ESCAPE)
    app.run_frames(1)
    assert app.top.name == "title"


def test_lab_defense_view_plays_to_its_end_inside_the_host(make_app, artifacts_dir):
    """The real lab_defense view in the minigame host, played in turn-based mode by posted keys."""
    app = start(make_app, warp="defense")
    app.settings.set("timers", False)  # "timed": False: the view plays turn by turn, Enter per turn
    to_mode(app, "minigame")
    assert app.top.describe()["has_view"]
    key(pygame.K_RETURN)
    app.run_frames(2)
    assert app.top.name == "minigame" and not app.top.describe()["failed"]
    host = app.top
    view = host.view
    assert view.turn_based
    # Place a control on every lane (B places the selected control on the selected lane), then play turns.
    for _ in range(4):
        key(pygame.K_b)
        key(pygame.K_DOWN)
    app.run_frames(1)
    shot(app, artifacts_dir, "lab_defense_in_host")
    for _ in range(2000):
        if view.game.done:
            break
        key(pygame.K_RETURN)  # next turn
        app.run_frames(4)
    assert view.game.done, "the minigame reached its end"
    app.run_frames(1)  # the result screen is drawn
    shot(app, artifacts_dir, "lab_defense_result")
    expected = view.result()
    key(pygame.K_RETURN)  # dismiss the result screen
    app.run_frames(2)
    assert app.top.name == "play"
    rt = app.session.runtime
    entry = [e for e in rt.transcript if e["kind"] == "minigame"][-1]
    assert entry["name"] == "lab_defense" and not entry["skipped"]
    assert rt.world.vars["defense"] == expected
    assert any(e["event"] == "minigame_finished" for e in app.log.recent)


def test_settings_persist_and_keep_the_dialogue_keys(make_app, artifacts_dir):
    path = settings_mod.settings_path()
    path.write_text("dialogue:\n  backend: openai\n  model: gpt-x\n  temperature: 0.3\nsomething_else: 7\n")
    app = make_app()
    key(pygame.K_DOWN)  # Continue and Load are disabled without saves: focus skips them
    app.run_frames(1)
    d = app.top.describe()
    assert d["items"][d["focus"]][0] == "Settings"
    key(pygame.K_RETURN)
    app.run_frames(1)
    assert app.top.name == "settings"
    s = app.top
    s.index = [r[0] for r in s.ROWS].index("high_contrast")
    key(pygame.K_RETURN)
    app.run_frames(1)
    s.index = [r[0] for r in s.ROWS].index("text_size")
    key(pygame.K_RIGHT)
    app.run_frames(1)
    shot(app, artifacts_dir, "settings_high_contrast")
    key(pygame.K_ESCAPE)
    app.run_frames(1)
    import yaml

    data = yaml.safe_load(path.read_text())
    assert data["high_contrast"] is True and data["text_size"] == "large"
    assert data["dialogue"] == {"backend": "openai", "model": "gpt-x", "temperature": 0.3}
    assert data["something_else"] == 7
    assert app.theme.pal.high_contrast and app.theme.base == settings_mod.TEXT_SIZES["large"]


def test_skip_read_text_remembers_across_sessions(make_app):
    app = start(make_app)
    to_mode(app, "choice")
    app.session.read.flush()
    app.close()
    app2 = start(make_app)
    key(pygame.K_TAB)
    app2.run_frames(30)
    assert app2.top.describe()["mode"] == "choice", "read lines are skipped up to the choice"
    key(pygame.K_1)
    app2.run_frames(2)
    key(pygame.K_TAB)
    app2.run_frames(10)
    d = app2.top.describe()
    assert d["mode"] == "line" and d["key"] == "demo/briefing/0" and not d["skip"], "skip stops at unread text"


def test_help_history_and_pause_by_keyboard(make_app, artifacts_dir):
    app = start(make_app)
    key(pygame.K_RETURN)
    key(pygame.K_RETURN)
    app.run_frames(2)
    key(pygame.K_F1)
    app.run_frames(1)
    assert app.top.name == "help"
    shot(app, artifacts_dir, "help")
    key(pygame.K_ESCAPE)
    key(pygame.K_h)
    app.run_frames(1)
    entries = app.top.describe()["entries"]
    assert entries[0][1].startswith("The lab hums") and entries[-1][2] == "now"
    shot(app, artifacts_dir, "history")
    key(pygame.K_ESCAPE)
    key(pygame.K_ESCAPE)
    app.run_frames(1)
    assert app.top.name == "pause"
    shot(app, artifacts_dir, "pause")
    key(pygame.K_ESCAPE)
    app.run_frames(1)
    assert app.top.name == "play"


def test_settings_file_damaged_is_reported_not_fatal(make_app):
    settings_mod.settings_path().write_text("text_speed: [unclosed\n")
    app = make_app()
    assert app.top.name == "title" and any("not valid YAML" in t[0] for t in app.toasts)


def test_event_log_is_json_lines(make_app, tmp_path):
    app = start(make_app)
    key(pygame.K_RETURN)
    app.run_frames(2)
    app.close()
    lines = (tmp_path / "events.jsonl").read_text().splitlines()
    kinds = [json.loads(line)["event"] for line in lines]
    assert "new_game" in kinds and "shown" in kinds and kinds[-1] == "closed"


def test_autosave_is_written_off_the_frame_and_loads(make_app):
    app = start(make_app)
    to_mode(app, "choice")
    key(pygame.K_3)  # a new scene: the autosave is asked for on the next frame
    app.run_frames(2)
    app.session.writer.flush()
    app.run_frames(1)  # its outcome is reported on the frame thread
    auto = events(app, "autosave")
    assert auto and auto[-1]["scene"] == "interrogation"
    info = saves.info("auto")
    assert info.ok and info.scene == "interrogation" and info.thumbnail_png.startswith(b"\x89PNG")
    assert load_slot_ok(app, "auto")


def load_slot_ok(app, slot):
    from game.ui.screens.play import load_slot

    return load_slot(app, slot) and app.session.runtime.scene == saves.info(slot).scene


def test_drawing_view_runs_inside_the_host(make_app, artifacts_dir):
    """The real drawing view starts, takes mouse strokes and draws inside the host; F8 still skips it."""
    app = start(make_app, warp="drawing")
    to_mode(app, "minigame")
    assert app.top.describe()["name"] == "drawing" and app.top.describe()["has_view"]
    key(pygame.K_RETURN)
    app.run_frames(3)
    assert app.top.name == "minigame", app.top.describe()
    game = app.top.view.game
    if game.state["phase"] == "pick":
        key(pygame.K_1)  # the first of the offered ideas
        app.run_frames(2)
    assert game.state["phase"] == "draw"
    for x in range(150, 450, 20):  # a stroke across the canvas
        pygame.event.post(
            pygame.event.Event(
                pygame.MOUSEBUTTONDOWN if x == 150 else pygame.MOUSEMOTION,
                pos=(x, 300 + (x % 60)),
                button=1,
                buttons=(1, 0, 0),
                rel=(20, 0),
                touch=False,
            )
        )
        app.run_frames(1)
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(450, 300), button=1, touch=False))
    app.run_frames(10)
    assert not app.top.describe()["failed"], app.top.describe()
    assert any(len(st) > 1 for st in game.state["strokes"]), "the mouse stroke reached the drawing game"
    shot(app, artifacts_dir, "drawing_in_host")
    key(pygame.K_F8)
    app.run_frames(2)
    entry = [e for e in app.session.runtime.transcript if e["kind"] == "minigame"][-1]
    assert entry["name"] == "drawing" and entry["skipped"]
