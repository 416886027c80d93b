"""The port for uploaded files: content-addressed blobs, named by their SHA-256.

Events never carry file bytes: a ``DocumentAttached`` event names its file by hash, and the bytes
live behind this port (the filesystem under the data directory by default). The same bytes always
have the same name, so a blob is never overwritten and storing it twice is harmless.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from application.errors import ApplicationError

CHUNK = 64 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class TooLarge(ApplicationError):
    code = "document-too-large"
    message_vi = "Tệp đính kèm vượt quá dung lượng cho phép"
    message_en = "The file is larger than allowed"
    http_status = 413


class BlobNotFound(ApplicationError):
    code = "document-not-found"
    message_vi = "Không tìm thấy tài liệu"
    message_en = "Document not found"
    http_status = 404


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int


def is_sha256(value: str) -> bool:
    return bool(_SHA256.match(value))


def chunks(stream: Iterable[bytes] | BinaryIO) -> Iterable[bytes]:
    """A file object is read in chunks; any other iterable of bytes is taken as it comes."""
    read = getattr(stream, "read", None)
    if read is None:
        yield from stream  # type: ignore[misc]
        return
    while chunk := read(CHUNK):
        yield chunk


class DocumentStore(ABC):
    @abstractmethod
    def put(self, stream: Iterable[bytes] | BinaryIO, max_size: int) -> StoredBlob:
        """Stream the bytes in while hashing them; past ``max_size`` raise ``TooLarge`` and keep nothing."""

    @abstractmethod
    def open(self, sha256: str) -> BinaryIO:
        """The stored bytes; raises ``BlobNotFound``."""

    @abstractmethod
    def exists(self, sha256: str) -> bool: ...
