"""How motcua's long-running work sets Python's garbage collector, and why.

Reference counting frees almost everything; the cyclic collector only finds cycles, yet with
Python's defaults it ran often enough to show in the figures that decode many events at once
(DESIGN §7 P5 and P6, measured on the 2-core machine, docs/performance.md):

- **Young collections every 10,000 net allocations, not 700** (:data:`GC_THRESHOLDS`). A history
  read decoding 500 events, or a rebuild page of 2,000, keeps thousands of objects alive at
  once; at the default they were promoted to the oldest generation while still in use, and
  about once every 80 reads a full collection (~20 ms, every thread stopped) followed. Over 800
  history and state-at reads the collector ran ~2,000 times for 0.64 s of CPU; with these
  thresholds 20 times for 0.03 s, with no full collection. A rebuild of 15,629 events spent
  82-130 ms in 160 collections, now 19-30 ms in 7.
- **A frozen start-up heap** (``motcua serve``): everything built before the first request (the
  app, the container, catalogue caches, chDB's bindings) lives as long as the process.
  ``gc.freeze()`` moves it out of the collector's generations, so a full collection no longer
  walks it: such a collection stopped every thread for ~45 ms, seen as the p99 of a 500-event
  history read.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

GC_THRESHOLDS = (10_000, 20, 10)
"""``gc.set_threshold`` for motcua's processes: a young collection after 10,000 net
allocations, a middle one every 20 of those, a full one every 10 middle ones (and only when the
oldest generation grew by a quarter, as Python always requires)."""


def freeze_startup_heap() -> None:
    """Collect once, exempt every object alive now from later collections, space out the young
    collections. For a process that lives as long as what it built at start-up (the server,
    the projector child)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


@contextlib.contextmanager
def spaced_collections() -> Iterator[None]:
    """:data:`GC_THRESHOLDS` while the block runs (a rebuild), Python's previous ones after."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


__all__ = ["GC_THRESHOLDS", "freeze_startup_heap", "spaced_collections"]
