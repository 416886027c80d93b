"""Content-addressed files under ``<data_dir>/documents/ab/cd/<sha256>``.

A file is streamed into a temporary file in the documents directory while it is hashed, then
renamed into place (atomic on one filesystem). A blob that already exists is not overwritten:
the same hash means the same bytes. Anything that goes wrong removes the temporary file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from application.document_store import BlobNotFound, DocumentStore, StoredBlob, TooLarge, chunks, is_sha256


class FilesystemDocumentStore(DocumentStore):
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path_of(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise BlobNotFound(sha256[:80])
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, stream: Iterable[bytes] | BinaryIO, max_size: int) -> StoredBlob:
        digest = hashlib.sha256()
        size = 0
        fd, temp_name = tempfile.mkstemp(dir=self.root, prefix=".upload-", suffix=".tmp")
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks(stream):
                    size += len(chunk)
                    if size > max_size:
                        raise TooLarge(f"the file is larger than {max_size} bytes", max_size=max_size)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            target = self.path_of(sha256)
            if target.exists():
                temp.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(temp, target)
            return StoredBlob(sha256=sha256, size=size)
        finally:
            temp.unlink(missing_ok=True)

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path_of(sha256).open("rb")
        except FileNotFoundError:
            raise BlobNotFound(sha256) from None

    def exists(self, sha256: str) -> bool:
        return is_sha256(sha256) and self.path_of(sha256).is_file()
