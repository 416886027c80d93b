"""``motcua catalogue export|import KIND``: the shared catalogues as CSV or JSON files.

Export writes rows in a stable order (a re-export of an unchanged catalogue is byte-identical);
import reads the format from the file's extension, checks and applies every row to the
catalogue in memory and saves once, so a bad row (reported with its line number) leaves the
store as it was, and rows equal to the stored entries emit no event.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

from application.catalogue_records import KINDS
from application.catalogue_transfer import COLUMNS, ImportRowInvalid, apply_rows, export_rows
from application.errors import ApplicationError
from domain.actor import Actor, Role
from ops.settings import Settings

CLI_ADMIN = Actor(id="cli:catalogue", role=Role.ADMINISTRATOR, name="motcua catalogue")


class FileUnreadable(ApplicationError):
    code = "catalogue-file-unreadable"
    message_vi = "Không đọc được tệp danh mục"
    message_en = "The catalogue file cannot be read"


# ----- formats -----

def render(kind: str, rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":  # one entry per line: diffs stay readable and errors have a line number
        return "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=False) for r in rows) + "\n]\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS[kind], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse(text: str, fmt: str) -> list[tuple[int, dict[str, Any]]]:
    """Rows with the line each starts on (CSV: the header is line 1)."""
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        rows = []
        line = reader.line_num
        for row in reader:
            if None in row:
                raise ImportRowInvalid(reader.line_num, "thừa cột so với dòng tiêu đề",
                                       "more cells than the header has columns")
            rows.append((line + 1, dict(row)))
            line = reader.line_num
        return rows
    return _parse_json(text)


def _parse_json(text: str) -> list[tuple[int, dict[str, Any]]]:
    decoder = json.JSONDecoder()
    pos = _skip(text, 0)
    if not text.startswith("[", pos):
        raise ImportRowInvalid(_line(text, pos), "tệp JSON phải là một mảng", "a JSON file must hold an array")
    pos, rows = _skip(text, pos + 1), []
    while not text.startswith("]", pos):
        try:
            item, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise ImportRowInvalid(_line(text, exc.pos), f"JSON sai: {exc.msg}", f"bad JSON: {exc.msg}") from None
        if not isinstance(item, dict):
            raise ImportRowInvalid(_line(text, pos), "mỗi phần tử phải là một đối tượng", "each item must be an object")
        rows.append((_line(text, pos), item))
        pos = _skip(text, end)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
        elif not text.startswith("]", pos):
            raise ImportRowInvalid(_line(text, pos), "thiếu dấu phẩy hoặc ']'", "expected ',' or ']'")
    return rows


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos >= len(text):
        raise ImportRowInvalid(_line(text, pos), "tệp JSON kết thúc đột ngột", "the JSON file ends too early")
    return pos


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def format_of(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("csv", "json"):
        raise FileUnreadable(f"{path.name}: the extension must be .csv or .json", field="file")
    return suffix


# ----- commands -----

def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    catalogue = sub.add_parser("catalogue", help="export or import a shared catalogue (CSV or JSON)")
    actions = catalogue.add_subparsers(dest="catalogue_command", required=True)
    export = actions.add_parser("export", help="write a catalogue to a file or stdout")
    export.add_argument("kind", choices=KINDS)
    export.add_argument("--format", choices=("csv", "json"), default=None,
                        help="default: from --output's extension, else csv")
    export.add_argument("--output", type=Path, default=None)
    export.set_defaults(func=export_command)
    load = actions.add_parser("import", help="apply a file to a catalogue (all rows or none; unchanged rows emit nothing)")
    load.add_argument("kind", choices=KINDS)
    load.add_argument("file", type=Path, help="a .csv or .json file, as export writes it")
    load.set_defaults(func=import_command)


def export_command(args: argparse.Namespace, settings: Settings) -> int:
    from application.clock import WallClock
    from ops.shared_catalogues import build_shared_catalogues

    fmt = args.format or (format_of(args.output) if args.output else "csv")
    catalogues = build_shared_catalogues(settings, WallClock())
    try:
        text = render(args.kind, export_rows(catalogues, args.kind), fmt)
    finally:
        catalogues.close()
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def import_command(args: argparse.Namespace, settings: Settings) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from application.clock import WallClock
    from ops.shared_catalogues import build_shared_catalogues

    try:
        rows = parse(args.file.read_text(encoding="utf-8-sig"), format_of(args.file))
    except (OSError, UnicodeDecodeError) as exc:
        print(f"motcua: {FileUnreadable.message_vi} / {FileUnreadable.message_en}: {exc}", file=sys.stderr)
        return 1
    except ApplicationError as exc:
        print(f"motcua: {args.file}: {exc.message_vi} / {exc.message_en}", file=sys.stderr)
        return 1
    catalogues = build_shared_catalogues(settings, WallClock())
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      transient=not sys.stderr.isatty(), console=None) as bar:
            task = bar.add_task(f"{args.kind} ← {args.file.name}", total=len(rows))
            saved = apply_rows(catalogues, CLI_ADMIN, args.kind, rows, progress=lambda n: bar.advance(task, n))
    except ApplicationError as exc:
        print(f"motcua: {args.file}: {exc.message_vi} / {exc.message_en}; "
              "nothing was applied / không có thay đổi nào được ghi", file=sys.stderr)
        return 1
    finally:
        catalogues.close()
    print(f"{args.kind}: {len(rows)} rows, {saved} changes saved" + (" (unchanged)" if saved == 0 else ""))
    return 0
