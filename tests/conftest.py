"""Shared test setup: headless SDL, private user dirs, and the paths to shared data."""

import os
import tempfile
from pathlib import Path

import pytest

# Headless pygame for every test; the real-window tests start their own Xvfb.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
# One compiled-level cache for the whole run (subprocesses too), never the developer's own:
# the first load of a level fills it, later ones read it, as a player's second launch does.
os.environ["TT_CACHE_DIR"] = tempfile.mkdtemp(prefix="tt-level-cache-")

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(autouse=True)
def _private_user_dirs(tmp_path, monkeypatch):
    """Saves and settings go to a temp dir, never the developer's own."""
    monkeypatch.setenv("TT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TT_CONFIG_DIR", str(tmp_path / "config"))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "TT_BACKEND", "TT_MODEL"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def artifacts_dir(request) -> Path:
    d = ARTIFACTS / request.node.name
    d.mkdir(parents=True, exist_ok=True)
    return d


def load_tool(name: str):
    """A script under tools/ imported as a module (tools/ is not a package), under its own name."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def quickdraw_dir() -> Path:
    d = SHARED_DATA / "quickdraw"
    if not d.is_dir():
        pytest.skip("needs ../shared/data/quickdraw (the Quick, Draw! drawings), absent in this clone")
    return d


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="re-record the golden transcripts in tests/golden/ instead of comparing",
    )
    parser.addoption(
        "--fuzz",
        type=int,
        default=0,
        metavar="N",
        help="run the level and expression fuzzers for N cases each (default: a quick CI-sized run)",
    )


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture
def fuzz_cases(request):
    """How many cases a fuzzer runs: its quick default in CI, or --fuzz N for a longer run."""
    asked = request.config.getoption("--fuzz")
    return lambda default: asked or default
