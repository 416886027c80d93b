"""Process-wide Prometheus metrics: what the store side of a process measures, outside any app.

The HTTP metrics live in a registry per application instance (``api.metrics``); what belongs to
the process as a whole, such as the group committer's batch sizes, lives here in its own
registry (never prometheus-client's global default, so tests and tools that import it do not
collide). The composition root hands this registry to the API, whose ``/metrics`` exposes both.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

PROCESS_REGISTRY = CollectorRegistry(auto_describe=True)

BATCH_SIZE_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)

GROUP_COMMIT_BATCH_SIZE = Histogram(
    "motcua_group_commit_batch_size",
    "Commands saved together in one transaction by the group committer",
    buckets=BATCH_SIZE_BUCKETS,
    registry=PROCESS_REGISTRY,
)


def observe_batch_size(n: int) -> None:
    """Called by the group committer once per transaction with the number of commands in it."""
    GROUP_COMMIT_BATCH_SIZE.observe(n)


GROUP_COMMIT_BATCHES = Counter(
    "motcua_group_commit_batches",
    "Batches committed by the group committer, by how they were written: 'bulk' (checked, then"
    " inserted at once) or 'savepoint' (one savepoint per command: a key clash or a process recorder)",
    ["path"],
    registry=PROCESS_REGISTRY,
)
_PATHS = {path: GROUP_COMMIT_BATCHES.labels(path) for path in ("bulk", "savepoint")}


def observe_batch_path(path: str) -> None:
    """Called once per committed batch with the way it was written."""
    (_PATHS.get(path) or GROUP_COMMIT_BATCHES.labels(path)).inc()
