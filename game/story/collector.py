"""Pausing Python's cyclic garbage collector while a level is built.

Building a large level allocates hundreds of thousands of objects and frees almost none;
the collector, triggered by allocation counts, rescans the growing heap again and again.
`benchmarks/ink_peers.py --collector-on` measures the same loads with it left running: on
the 5,000-scene peer story, loading from YAML took 1,076 ms of CPU with it against 708 ms
without, and building the level's machine 171 ms against 53 ms (2026-12-02). So loading,
decoding the compiled cache and building a machine run with it paused; it is enabled again
(if it was) as soon as they finish.

What they built is then frozen (`gc.freeze()`): a loaded story lives as long as the game
plays it, and left in the young generations the collector would scan all of it again on its
next passes (88 ms of a 100,000-step walk of that story, 10% of it, measured with
gc.callbacks). A scene the compiled cache left packed is unpacked, and given its transitions,
the same way when the story first enters it. When a loaded level is dropped (a hot reload), `release()` unfreezes, so the
collector can free it and anything else that died meanwhile.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    if os.environ.get("TT_COLLECTOR_DURING_LOAD") == "1":  # the benchmark's comparison run
        yield
        return
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


def release() -> None:
    """Something frozen has been dropped: let the collector see the frozen objects again."""
    gc.unfreeze()
