"""Port for background jobs: the application asks for work to be done later, never how.

In the embedded default the jobs run on an in-process dramatiq worker; in deployment they go
through Redis to ``motcua worker`` processes. Jobs are idempotent: a retried job does no harm.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any


class Jobs(ABC):
    @abstractmethod
    def enqueue(self, name: str, **kwargs: Any) -> None:
        """Run the named job later, at least once."""


PURGE_IDEMPOTENCY_KEYS = "purge_idempotency_keys"
