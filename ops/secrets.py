"""Keys that must exist even on a laptop: generated once into the data dir, 0600.

The file appears with its content in one step (written aside, then hard-linked into place), so
a process starting at the same moment never reads a half-written or empty key.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from ops.settings import SettingsError


def secret(configured: str, data_dir: Path, name: str) -> str:
    if configured:
        return configured
    path = data_dir / "secrets" / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.")
        try:
            os.write(fd, secrets.token_urlsafe(48).encode())
            os.fsync(fd)
            os.close(fd)
            try:
                os.link(tmp, path)  # fails if another process got there first: use theirs
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    value = path.read_text(encoding="utf-8").strip()
    if len(value) < 32:
        raise SettingsError(f"the key file {path} is empty or too short; delete it to have a new one made")
    return value
