"""The event streams projections read, as applications built from an explicit env only.

The command-side `Dossiers` application needs collaborators (clock, catalogue, calendars) that
a reader has no use for, so projection runners read the same store through `DossierStream`:
same name (hence the same SQLite file or PostgreSQL tables, and the same tracking name), same
transcoder from the env, and no commands. It never saves.
"""

from __future__ import annotations

from application.base import IsolatedApplication


class DossierStream(IsolatedApplication):
    """Read-only access to the "Dossiers" event store (its notification log)."""

    name = "Dossiers"


__all__ = ["DossierStream"]
