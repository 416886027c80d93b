"""Export files in a directory (``<data_dir>/exports``): CSV or XLSX, written in constant memory.

Each file is written under a hidden ``.part`` name, flushed to disk, hashed (SHA-256, read back in
chunks) and only then renamed to its final name with ``os.replace``, which is atomic on one file
system: a crash leaves at most a ``.part`` file, which housekeeping removes later. CSV is UTF-8
with a byte-order mark so that spreadsheet programs show Vietnamese correctly. XLSX is written
by XlsxWriter in ``constant_memory`` mode (each row goes to disk as it is written); a sheet holds
at most 1,048,576 rows, so a longer export continues on further sheets, each with the header.
In deployment the directory must be shared by the API processes and the job workers.
"""

from __future__ import annotations

import csv
import hashlib
import os
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import xlsxwriter

from application.export_ports import Cell, ExportFile, ExportFiles

XLSX_MAX_ROWS = 1_048_576
CHUNK = 1 << 16
SUFFIXES = (".csv", ".xlsx", ".part")


class _Counted:
    """Counts the rows as they pass (the source is an iterator: it cannot be counted first)."""

    def __init__(self, rows: Iterable[Sequence[Cell]]) -> None:
        self._rows = iter(rows)
        self.count = 0

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> Sequence[Cell]:
        row = next(self._rows)
        self.count += 1
        return row


def _write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> None:
    with open(path, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)
        out.flush()
        os.fsync(out.fileno())


def _write_xlsx(path: Path, sheet: str, columns: Sequence[str], rows: Iterable[Sequence[Cell]],
                max_rows: int = XLSX_MAX_ROWS) -> None:
    workbook = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "tmpdir": str(path.parent),
        # Text stays text: never a formula, a link or a number (codes keep their leading zeros).
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
    })
    bold = workbook.add_format({"bold": True})
    try:
        sheets, worksheet, r = 0, None, max_rows
        for row in rows:
            if r >= max_rows:
                sheets += 1
                worksheet = workbook.add_worksheet(sheet if sheets == 1 else f"{sheet} {sheets}")
                worksheet.write_row(0, 0, columns, bold)
                worksheet.freeze_panes(1, 0)
                r = 1
            worksheet.write_row(r, 0, row)  # type: ignore[union-attr]
            r += 1
        if worksheet is None:  # no rows: still a workbook with the header
            workbook.add_worksheet(sheet).write_row(0, 0, columns, bold)
    finally:
        workbook.close()
    with open(path, "rb+") as done:
        os.fsync(done.fileno())


def _digest(path: Path) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


class FilesystemExportFiles(ExportFiles):
    def __init__(self, directory: Path | str, *, xlsx_max_rows: int = XLSX_MAX_ROWS) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.xlsx_max_rows = xlsx_max_rows

    def _path(self, name: str) -> Path:
        path = self.directory / Path(name).name  # names are ours; never follow a path
        if not path.name or path.name.startswith("."):
            raise FileNotFoundError(name)
        return path

    def write(self, stem: str, format: str, sheet: str, columns: Sequence[str],
              rows: Iterable[Sequence[Cell]]) -> ExportFile:
        final = self._path(f"{stem}.{format}")
        partial = self.directory / f".{stem}.{uuid.uuid4().hex[:8]}.part"
        counted = _Counted(rows)
        try:
            if format == "csv":
                _write_csv(partial, columns, counted)
            elif format == "xlsx":
                _write_xlsx(partial, sheet, columns, counted, self.xlsx_max_rows)
            else:
                raise ValueError(f"unknown export format {format!r}")
            sha256, size = _digest(partial)
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        self._sync_directory()
        return ExportFile(name=final.name, rows=counted.count, sha256=sha256, size=size)

    def _sync_directory(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def open(self, name: str) -> BinaryIO:
        return open(self._path(name), "rb")

    def remove(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def purge(self, older_than: datetime) -> int:
        cutoff, removed = older_than.timestamp(), 0
        for path in self.directory.iterdir():
            if path.suffix in SUFFIXES and path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


__all__ = ["FilesystemExportFiles", "XLSX_MAX_ROWS"]
