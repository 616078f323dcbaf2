"""The studio deployment in docs/dialogue-backends.md is real configuration: its
settings.yaml, as printed there, gives each campaign character the studio server, its
own model where one is named, and the documented fallback chain."""

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_documented_studio_settings_resolve_as_the_doc_says(tmp_path):
    doc = (REPO / "docs" / "dialogue-backends.md").read_text()
    block = re.search(r"\*\*The settings a studio ships\*\*.*?```yaml\n(.*?)```", doc, re.S)
    assert block, "the studio settings block is missing from docs/dialogue-backends.md"
    (tmp_path / "settings.yaml").write_text(block.group(1))
    env = {
        "PATH": "/usr/bin:/bin",
        "TT_CONFIG_DIR": str(tmp_path),
        "TT_DATA_DIR": str(tmp_path / "data"),
        "TT_CACHE_DIR": str(tmp_path / "cache"),
        "TT_STUDIO_KEY": "studio-secret-123",
    }
    out = subprocess.run(
        [sys.executable, "-m", "game", "backends", "levels/campaign.yaml", "--no-health"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    assert "studio-secret-123" not in out.stdout + out.stderr
    rows = re.findall(r"^  (\w+) \(.*?\): (.*)$", out.stdout, re.M)  # per level, each of its characters
    chars = dict(rows)
    assert chars["aria"] == "studio [openai], model tt-aria, at https://dialogue.studio.example/v1"
    assert chars["villain"].startswith("studio [openai], model tt-villain,")
    assert chars["sarah"].startswith("studio [openai], model tt-base,")
    assert out.stdout.count("chain: studio -> studio-backup -> scripted") == len(rows) > 0
    assert "API key from env TT_STUDIO_KEY" in out.stdout
