"""Hot reload keeps the player's variables and place; warp starts anywhere."""

import os
import subprocess
import sys
import time
from pathlib import Path

from game.story import reload as hot
from game.story.loader import load_story_or_raise
from game.story.runtime import Runtime

LEVEL = """\
level: live
start: a
vars: {gold: 0}
scenes:
  a:
    - set: {gold: gold + 3}
    - narrator: "First draft, {gold} gold."
    - choice:
        - {text: On., goto: b}
  b:
    - narrator: "Scene b, {gold} gold."
    - end: done
"""


def test_carry_over_keeps_variables_and_position(tmp_path):
    f = tmp_path / "live.yaml"
    f.write_text(LEVEL)
    rt = Runtime(load_story_or_raise(f), "Sam", 0)
    assert rt.current().text == "First draft, 3 gold."
    f.write_text(LEVEL.replace("First draft", "Second draft"))
    rt2, notice = hot.carry_over(rt, load_story_or_raise(f))
    assert rt2.current().text == "Second draft, 3 gold."  # same line, new text, gold not re-added
    assert rt2.world.vars["gold"] == 3 and notice == "reloaded the level files"


def test_carry_over_moves_to_start_when_the_scene_is_gone(tmp_path):
    f = tmp_path / "live.yaml"
    f.write_text(LEVEL)
    rt = Runtime(load_story_or_raise(f), "Sam", 0)
    rt.advance()
    rt.choose(0)
    assert rt.scene == "b"
    f.write_text(LEVEL.replace("goto: b}", "goto: c}").replace("  b:\n", "  c:\n"))
    rt2, notice = hot.carry_over(rt, load_story_or_raise(f))
    assert "scene 'b' is gone" in notice and rt2.scene == "a" and rt2.world.vars["gold"] == 3


def test_terminal_play_reloads_a_changed_file(tmp_path):
    f = tmp_path / "live.yaml"
    f.write_text(
        LEVEL.replace(
            "    - end: done\n",
            "    - choice:\n        - {text: Finish., goto: fin}\n"
            "  fin:\n    - narrator: 'Goodbye, {gold} gold.'\n    - end: done\n",
        )
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "game", "play", "--text", str(f), "--name", "Sam"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    out = ""
    deadline = time.monotonic() + 30
    while "1. On." not in out and time.monotonic() < deadline:
        out += proc.stdout.read(1)
    text = f.read_text().replace("Goodbye", "Farewell")
    f.write_text(text)
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))  # a clearly newer mtime
    rest, err = proc.communicate("1\n1\n", timeout=30)
    out += rest
    assert proc.returncode == 0, err
    assert "(reloaded the level files)" in out
    assert "Farewell, 3 gold." in out and "Goodbye" not in out


def test_warp_and_set_from_the_command_line(tmp_path):
    f = tmp_path / "live.yaml"
    f.write_text(LEVEL)
    out = subprocess.run(
        [sys.executable, "-m", "game", "play", "--text", str(f), "--name", "Sam", "--warp", "b", "--set", "gold=41"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
        timeout=30,
    )
    assert "Scene b, 41 gold." in out.stdout and "First draft" not in out.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "game", "play", "--text", str(f), "--name", "Sam", "--warp", "zz"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
        timeout=30,
    )
    assert bad.returncode == 2 and "no scene 'zz'" in bad.stderr and "Traceback" not in bad.stderr
