"""Saves from disk are hostile input: any file in saves/ is listed as a damaged slot with a reason
and never breaks the list, the dates or Continue; crafted saves that pass the file checks but do
not fit the story are refused with a message; names cannot leave the saves folder; writes are
atomic and durable, and a write killed with SIGKILL loses nothing (its temp file goes at start)."""

import io
import json
import os
import random
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from game import saves
from game.paths import saves_dir
from game.story.loader import load_story
from game.ui.session import Session

LEVEL = Path(__file__).parent.parent / "levels" / "examples" / "demo.yaml"


@pytest.fixture
def session():
    story, diags = load_story(LEVEL)
    assert story is not None, diags
    s = Session(str(LEVEL), story)
    s.new("Ada", seed=3)
    return s


def good_save(session, slot="quick"):
    session.save(slot, {"mode": "line"})
    return json.loads(saves.slot_path(slot).read_text())


def nested(depth):
    return "[" * depth + "]" * depth


HOSTILE = {
    "1": nested(100_000),  # RecursionError in json
    "2": '{"format": "treacherous-turn-save", "version": 1, "n": ' + "9" * 5000 + "}",  # int digit limit
    "3": "bad timestamp",
    "4": "wrong types",
    "5": b"\xff\xfe\x00 not utf-8",
    "6": "version",
    "7": "story_path",
}


def write_hostile(session):
    base = good_save(session)
    for slot, content in HOSTILE.items():
        path = saves.slot_path(slot)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif content == "bad timestamp":
            path.write_text(json.dumps({**base, "timestamp": 1e300}))
        elif content == "wrong types":
            path.write_text(json.dumps({**base, "scene": ["x"], "player": {"a": 1}}))
        elif content == "version":
            path.write_text(json.dumps({**base, "version": 999}))
        elif content == "story_path":
            path.write_text(json.dumps({**base, "story": "another", "story_path": "/dev/zero"}))
        else:
            path.write_text(content)
    os.mkfifo(saves.slot_path("8"))  # reading a FIFO blocks: must not hang the list
    os.symlink("/dev/zero", saves.slot_path("9"))  # endless: must not be read


def test_every_hostile_file_is_a_damaged_slot_with_a_reason_and_continue_still_works(session):
    write_hostile(session)
    infos = {i.slot: i for i in saves.list_slots()}
    assert infos["quick"].ok and infos["quick"].when
    for slot in ("1", "2", "3", "4", "5", "6", "8", "9"):
        assert infos[slot].exists and not infos[slot].ok and infos[slot].error, slot
    assert "nested too deeply" in infos["1"].error
    assert "damaged" in infos["2"].error
    assert "date" in infos["3"].error
    assert "'scene'" in infos["4"].error
    assert "not UTF-8" in infos["5"].error
    assert "999" in infos["6"].error
    assert "not a regular file" in infos["8"].error and "not a regular file" in infos["9"].error
    assert infos["7"].ok  # readable; it fails when loaded, with a reason (below)
    latest = saves.latest(session.story.id)
    assert latest is not None and latest.slot == "quick"
    assert session.load("quick") == {"mode": "line"}
    with pytest.raises(saves.SaveError, match="which is not available"):
        session.load("7")
    for slot in ("1", "2", "3", "8", "9"):
        with pytest.raises(saves.SaveError):
            session.load(slot)


def test_a_slot_date_never_raises_even_when_made_by_hand():
    for ts in (1e300, -1e300, 2**62, float("nan")):
        assert saves.SlotInfo("1", Path("x"), True, ok=True, timestamp=ts).when == "unknown date"


def test_control_characters_in_a_save_do_not_reach_the_slot_list(session):
    base = good_save(session)
    saves.slot_path("1").write_text(
        json.dumps({**base, "player": "Ada\x1b]0;pwned\x07\x00", "scene_title": "A\x1b[2Jb"})
    )
    info = saves.info("1")
    assert info.ok and info.player == "Ada" and info.scene_title == "Ab"


def crafted(session, slot, change):
    data = good_save(session, slot)
    change(data)
    saves.slot_path(slot).write_text(json.dumps(data))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["runtime"].update(pc=-1), "step index is -1"),
        (lambda d: d["runtime"].update(pc=999), "step index is 999"),
        (lambda d: d["runtime"]["world"]["vars"].update(trust=[1, 2]), "variable 'trust' should be a number"),
        (lambda d: d["runtime"]["world"]["vars"].update(stranger=1), "does not declare"),
        (
            lambda d: d.update(screen={"mode": "talk", "conversation": {"key": "x"}, "turns": []}),
            "the save shows a talk but the story is at a line",
        ),
        (lambda d: d.update(screen={"mode": "line", "generated": {"text": 5}}), "generated line"),
        (lambda d: d.update(screen="nope"), "valid 'screen'"),
    ],
)
def test_crafted_saves_that_do_not_fit_the_story_are_refused_with_a_reason(session, change, message):
    crafted(session, "2", change)
    with pytest.raises(saves.SaveError, match=message):
        session.load("2")
    assert session.runtime is not None and session.runtime.scene  # the game in progress is untouched


def test_terminal_save_names_stay_inside_the_saves_folder(session, tmp_path):
    from game.terminal import _command

    outside = list(tmp_path.rglob("x.json")) + list(tmp_path.rglob("text-x.json"))
    out = io.StringIO()
    with redirect_stdout(out):
        for name in ("../../x", "/tmp/x", "a/b", "..", "x\x00y", "é" * 3):
            _command(f"/save {name}", session.runtime, session.story, LEVEL)
            _command(f"/load {name}", session.runtime, session.story, LEVEL)
        _command("/save good-name_1", session.runtime, session.story, LEVEL)
    text = out.getvalue()
    assert text.count("cannot save") == 6 and "saved to" in text
    assert sorted(p.name for p in saves_dir().iterdir()) == ["text-good-name_1.json"]
    assert list(tmp_path.rglob("x.json")) + list(tmp_path.rglob("text-x.json")) == outside


def test_terminal_load_checks_format_and_version(session):
    from game.terminal import _load

    saves.write_text_save("a", runtime_snapshot=session.runtime.snapshot(), story_path=str(LEVEL))
    with redirect_stdout(io.StringIO()):
        assert _load(session.story, LEVEL, "a") is not None
    for bad, why in (
        ({"format": "other"}, "not a Treacherous Turn save"),
        ({"version": 7}, "not supported"),
        ({"runtime": 3}, "'runtime'"),
    ):
        data = json.loads(saves.text_save_path("a").read_text())
        data.update(bad)
        saves.text_save_path("b").write_text(json.dumps(data))
        out = io.StringIO()
        with redirect_stdout(out):
            assert _load(session.story, LEVEL, "b") is None
        assert why in out.getvalue()


def test_atomic_write_fsyncs_the_file_and_the_folder(monkeypatch, session):
    import stat

    synced = []
    real = os.fsync

    def spy(fd):
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        return real(fd)

    monkeypatch.setattr(os, "fsync", spy)
    good_save(session, "3")
    assert synced == [False, True]  # the file's data, then the folder's entry after the rename


def test_stale_temp_files_are_removed_at_start_and_fresh_ones_left(session):
    d = saves_dir()
    old = d / ".3.json.abcd.tmp"
    fresh = d / ".4.json.efgh.tmp"
    other = d / "notes.tmp"
    for p in (old, fresh, other):
        p.write_text("half a save")
    past = time.time() - 3600
    os.utime(old, (past, past))
    from game.paths import config_dir, data_dir

    elsewhere = [data_dir() / ".read_lines.json.x1.tmp", config_dir() / ".settings.yaml.x2.tmp"]
    for p in elsewhere:
        p.write_text("half")
        os.utime(p, (past, past))
    story, _ = load_story(LEVEL)
    Session(str(LEVEL), story)  # a front end starting
    assert not old.exists() and fresh.exists() and other.exists()
    assert not any(p.exists() for p in elsewhere)


CHILD = r"""
import sys, os
os.environ["TT_DATA_DIR"] = sys.argv[1]
from game import saves
big = {"level": "demo", "transcript": [{"kind": "line", "text": "x" * 200} for _ in range(20000)]}
n = 0
while True:
    n += 1
    saves.write("quick", runtime_snapshot={**big, "n": n}, story_path="demo.yaml", story_id="demo", scene="s%d" % n)
    print(n, flush=True)
"""


@pytest.mark.slow
def test_kill_9_during_saves_loses_nothing_and_leaves_no_temp_after_start(tmp_path):
    data = tmp_path / "killdata"
    rng = random.Random(16)
    for _round in range(8):
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(data)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parent.parent,
        )
        for _ in range(rng.randint(1, 4)):
            assert proc.stdout.readline()  # a save finished; the kill lands during a later one
        proc.kill()
        proc.wait()
        proc.stdout.close()
        path = data / "saves" / "quick.json"
        whole = json.loads(path.read_text())  # never half a file: the last finished save or a later one
        assert whole["format"] == saves.FORMAT and len(whole["runtime"]["transcript"]) == 20000
    temps = list((data / "saves").glob(".*.tmp"))
    removed = saves.remove_stale_temp(data / "saves", older_than=0)
    assert sorted(removed) == sorted(temps) and not list((data / "saves").glob(".*.tmp"))


@pytest.mark.parametrize(
    "content", ["[" * 100_000 + "]" * 100_000, '{"demo": [' + "9" * 5000 + "]}", b"\xff\xfe", "/dev/zero"]
)
def test_a_hostile_read_lines_file_is_started_afresh(content):
    from game.paths import data_dir
    from game.ui.session import ReadLog

    path = data_dir() / "read_lines.json"
    if content == "/dev/zero":
        os.symlink("/dev/zero", path)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    log = ReadLog()
    assert log.keys == {} and not log.seen("demo", "demo/x/0")


def test_the_desktop_title_and_load_screen_survive_every_hostile_file(session, tmp_path):
    """The real window code (headless): the title's Continue and the load screen with each hostile
    file in a slot, then Continue loads the good save."""
    import pygame

    from game.ui.app import build_app

    write_hostile(session)
    saves.slot_path("2").write_text(json.dumps({**good_save(session, "auto"), "player": "Ada\x00\x1b[31m"}))
    app = build_app(str(LEVEL), log=str(tmp_path / "events.jsonl"), seed=1)
    try:
        app.run_frames(2)
        items = dict(app.top.describe()["items"])
        assert items["Continue"] is True
        from game.ui.screens.menus import SaveLoadScreen

        app.push(SaveLoadScreen(app, "load"))  # what the title's Load opens
        app.run_frames(2)
        by = {s["slot"]: s for s in app.top.describe()["slots"]}
        assert by["quick"]["ok"] and by["2"]["ok"]
        for slot in ("1", "3", "4", "5", "6", "8", "9"):
            assert by[slot]["exists"] and not by[slot]["ok"] and by[slot]["error"], slot
        app.pop(app.top)
        app.run_frames(1)
        app.top.continue_game()
        app.run_frames(2)
        assert app.top.name == "play" and app.session.runtime is not None
    finally:
        app.log.close()
        pygame.quit()


def test_a_variable_no_step_assigns_keeps_its_declared_kind(tmp_path):
    level = tmp_path / "kinds.yaml"
    level.write_text(
        "level: kinds\ntitle: Kinds\nstart: a\nvars: {fixed: 3, free: 0}\nscenes:\n  a:\n"
        "    - set: {free: \"'now text'\"}\n    - narrator: Fixed is {fixed}, free is {free}.\n"
        "    - end: done\n"
    )
    story, diags = load_story(level, cache=False)
    assert story is not None, diags
    s = Session(str(level), story)
    s.new("Ada", seed=1)
    assert s.prompt.kind == "line"  # the set: has run
    data = good_save(s, "5")
    assert data["runtime"]["world"]["vars"]["free"] == "now text"  # a set: may change a kind
    assert s.load("5") == {"mode": "line"}
    data["runtime"]["world"]["vars"]["fixed"] = "three"
    saves.slot_path("5").write_text(json.dumps(data))
    with pytest.raises(saves.SaveError, match="variable 'fixed' should be a number as the story declares it"):
        s.load("5")


def test_a_save_in_the_middle_of_a_conversation_continues_after_a_relaunch(tmp_path):
    """The screen-state check accepts what the play screen really saves mid-talk (turns carry
    their readings), and Continue restores the conversation."""
    import pygame

    from tests.test_ui import _say, _to_talk, key, start

    apps = []

    def make_app(**kw):
        from game.ui.app import build_app

        kw.setdefault("log", str(tmp_path / f"events{len(apps)}.jsonl"))
        kw.setdefault("seed", 1)
        app = build_app(str(LEVEL), **kw)
        app.run_frames(2)
        apps.append(app)
        return app

    try:
        app = start(make_app, options={"backend": "scripted"})
        _to_talk(app)
        _say(app, "I want you to be careful and ask first", frames=300)
        turns = app.top.describe()["turns"]
        key(pygame.K_F5)
        app.run_frames(2)
        assert saves.info("quick").ok
        app2 = make_app()
        app2.top.continue_game()
        app2.run_frames(2)
        assert app2.top.name == "play", [t[0] for t in app2.toasts]
        assert [t["text"] for t in app2.top.describe()["turns"]] == [t["text"] for t in turns]
    finally:
        for a in apps:
            a.log.close()
        pygame.quit()
