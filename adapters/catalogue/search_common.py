"""What the SQLite and PostgreSQL catalogue views share: the table, and the ranking as SQL
over folded text (the same expression on both, so both rank alike)."""

from __future__ import annotations

TABLE = "catalogue_entries"
COLUMNS = ("id", "code", "version", "name", "field", "service_level", "channels", "units", "fee_free", "status",
           "position", "document", "name_folded", "body_folded")


def word_in(column: str, mark: str, pct: str = "%") -> str:
    """``column`` (folded, single-spaced) has a word starting with the bound word."""
    return f"(' ' || {column}) LIKE ('{pct} ' || {mark} || '{pct}')"


def rank_sql(words: list[str], mark: str, pct: str = "%") -> str:
    """An ORDER BY term followed by a comma (empty without words). 0: the query as a phrase of whole words in the name; 1: every word in the name; 2: else.

    ``mark.format(name)`` renders a bound parameter in the dialect (``:w0`` or ``%(w0)s``);
    ``pct`` is the LIKE wildcard as the driver wants it written (psycopg: ``%%``)."""
    if not words:  # nothing to rank by: the caller orders by name alone
        return ""
    phrase = f"((' ' || name_folded || ' ') LIKE ('{pct} ' || {mark.format('phrase')} || ' {pct}'))"
    in_name = " AND ".join(word_in("name_folded", mark.format(f"w{i}"), pct) for i in range(len(words)))
    return f"CASE WHEN {phrase} THEN 0 WHEN {in_name} THEN 1 ELSE 2 END, "


def word_params(words: list[str]) -> dict[str, str]:
    params = {f"w{i}": w for i, w in enumerate(words)}
    params["phrase"] = " ".join(words)
    return params
