"""Keys that must exist even on a laptop: generated once into the data dir, 0600."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def secret(configured: str, data_dir: Path, name: str) -> str:
    if configured:
        return configured
    path = data_dir / "secrets" / name
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process of the same data dir won the race
        return path.read_text(encoding="utf-8").strip()
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)
    return value
