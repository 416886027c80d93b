"""The statistics port over ClickHouse: DESIGN §3's report and Decision 766 indicators.

Every figure is computed from each dossier's state as it stood at the range's end: its state
row of highest version among those with `event_at` at or before that instant
(`ORDER BY version DESC LIMIT 1 BY dossier_id`), which is correct on unmerged parts because a
row's twins are identical (the newest rows come from `dossier_latest`, read FINAL; see
`LATEST_STATES`). The definitions (t0 = first instant of the first local date, t1 =
last instant of the last local date):

- received (the report's population) = received at or before t1 and not ended before t0;
  carried over = received before t0; new = received in [t0, t1], split by channel;
- finished = ended in [t0, t1] (early / on time / late graded at the end; completed / stopped /
  withdrawn); in progress = not ended at t1, overdue when past its wait-adjusted due instant
  (a stopped clock counts only if it stopped after that instant), waiting = waiting for the
  applicant at t1; returned = completed in the range with the result returned by t1;
- refused = refused at reception in [t0, t1] (beside the population, not in it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from adapters.clickhouse.engine import Connector
from adapters.clickhouse.migrate import migrate
from application.statistics import (
    PublicSummary,
    Ratio,
    Scope,
    ServiceIndex,
    Statistics,
    StatusReport,
)
from projections.statistics import PROJECTION_NAME

_MS = timedelta(milliseconds=1)

DEFINITIONS = """
    received_at IS NOT NULL AND (ended_at IS NULL OR ended_at >= t0) AS counted,
    counted AND ended_at IS NOT NULL AS finished,
    counted AND ended_at IS NULL AS open,
    open AND original_due_at IS NOT NULL
        AND if(clock_stopped_since IS NOT NULL, clock_stopped_since > original_due_at, t1 > original_due_at) AS overdue,
    counted AND received_at >= t0 AS new,
    finished AND end_kind = 'completed' AS completed,
    rated_at IS NOT NULL AND rated_at >= t0 AS rated"""
"""Each dossier's place in the report (its state row at the range's end, t0 and t1 in scope);
shared with the per-dossier export so that its rows add up to the report's figures."""

LATEST_STATES = """
    SELECT * FROM {db}.dossier_latest FINAL
    WHERE event_at <= t1 {scope}
    UNION ALL
    SELECT * FROM {db}.dossier_states
    WHERE event_at <= t1 {scope}
      AND dossier_id IN (SELECT dossier_id FROM {db}.dossier_latest FINAL WHERE event_at > t1 {scope})
    ORDER BY dossier_id, version DESC
    LIMIT 1 BY dossier_id
"""
"""A dossier whose newest row is at or before t1 stood then as that row says (one row each from
`dossier_latest`); only dossiers with events after t1 are looked up among all their versions.
The report for the current period, where that second part is small, reads one row a dossier."""

_FIGURES = """
SELECT
    countIf(counted), countIf(counted AND received_at < t0), countIf(new),
    countIf(new AND channel = 'online'), countIf(new AND channel = 'counter'),
    countIf(new AND channel = 'postal'),
    countIf(finished), countIf(finished AND outcome = 'early'),
    countIf(finished AND outcome = 'on_time'), countIf(finished AND outcome = 'late'),
    countIf(completed), countIf(finished AND end_kind = 'stopped'),
    countIf(finished AND end_kind = 'withdrawn'),
    countIf(open), countIf(open AND NOT overdue), countIf(overdue), countIf(open AND waiting),
    countIf(completed AND returned_at IS NOT NULL),
    countIf(refused_at IS NOT NULL AND refused_at >= t0),
    countIf(finished AND outcome != 'late' AND supplement_requests <= 1) + countIf(open AND NOT overdue),
    sumIf(ifNull(net_working_hours, 0), completed), countIf(new AND fee_requested),
    countIf(new AND fee_requested AND paid_online = true), countIf(completed AND electronic_result = true),
    countIf(new AND documents > 0 AND digitised_documents = documents),
    countIf(new AND reused_documents > 0), countIf(rated), countIf(rated AND rating >= 4)
FROM ({latest})
"""

_NAMES = (
    "received", "carried_over", "new", "new_online", "new_counter", "new_postal", "finished",
    "early", "on_time", "late", "completed", "stopped", "withdrawn", "in_progress",
    "within_deadline", "overdue", "waiting", "returned", "refused", "on_time_766",
    "net_hours", "with_fees", "paid_online", "electronic", "digitised", "reused", "ratings",
    "satisfied",
)


def range_instants(date_from: date, date_to: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """First instant of the first local date and last instant (ms) of the last one, in UTC."""
    t0 = datetime.combine(date_from, time(), zone).astimezone(UTC)
    t1 = datetime.combine(date_to + timedelta(days=1), time(), zone).astimezone(UTC) - _MS
    return t0, t1


def scoped_query(select: str, scope: Scope, db: str, zone: ZoneInfo) -> tuple[str, dict[str, Any]]:
    """``select`` (reading ``FROM ({latest})``) with t0, t1, the definitions and the scope bound."""
    t0, t1 = range_instants(scope.date_from, scope.date_to, zone)
    conditions, params = [], {"t0": t0, "t1": t1}
    if scope.units:
        conditions.append("receiving_unit IN {units:Array(String)}")
        params["units"] = sorted(scope.units)
    if scope.procedure_code:
        conditions.append("procedure_code = {procedure:String}")
        params["procedure"] = scope.procedure_code
    if scope.field:
        conditions.append("field = {field:String}")
        params["field"] = scope.field
    latest = LATEST_STATES.replace("{db}", db).replace("{scope}", "".join(f" AND {c}" for c in conditions))
    sql = ("WITH {t0:DateTime64(3, 'UTC')} AS t0, {t1:DateTime64(3, 'UTC')} AS t1," + DEFINITIONS
           + select.replace("{latest}", latest))
    return sql, params


class ClickHouseStatistics(Statistics):
    def __init__(self, connector: Connector, zone: ZoneInfo | str = "Asia/Ho_Chi_Minh") -> None:
        self.connector = connector
        self.zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
        self.db = f"`{connector.database}`"
        self._migrated = False

    def _call(self, work: Any) -> Any:
        def run(client: Any) -> Any:
            if not self._migrated:
                migrate(client, self.connector.database)
                self._migrated = True
            return work(client)

        return self.connector.call(run)

    def figures(self, scope: Scope) -> dict[str, float]:
        sql, params = scoped_query(_FIGURES, scope, self.db, self.zone)
        row = self._call(lambda c: c.query(sql, parameters=params).result_rows[0])
        return dict(zip(_NAMES, row, strict=True))

    def status_report(self, scope: Scope) -> StatusReport:
        f = self.figures(scope)
        return StatusReport(**{k: int(f[k]) for k in StatusReport.__dataclass_fields__})

    def service_index(self, scope: Scope) -> ServiceIndex:
        f = self.figures(scope)
        return ServiceIndex(
            on_time_rate=Ratio(int(f["on_time_766"]), int(f["received"])),
            average_processing_days=Ratio(round(float(f["net_hours"]) / 8, 6), int(f["completed"])),
            share_online=Ratio(int(f["new_online"]), int(f["new"])),
            share_paid_online=Ratio(int(f["paid_online"]), int(f["with_fees"])),
            share_electronic_result=Ratio(int(f["electronic"]), int(f["completed"])),
            share_digitised=Ratio(int(f["digitised"]), int(f["new"])),
            share_reusing_data=Ratio(int(f["reused"]), int(f["new"])),
            satisfaction=Ratio(int(f["satisfied"]), int(f["ratings"])),
        )

    def public_summary(self, scope: Scope) -> PublicSummary:
        f = self.figures(scope)
        return PublicSummary(
            received=int(f["received"]), finished=int(f["finished"]),
            finished_on_time=int(f["early"]) + int(f["on_time"]), in_progress=int(f["in_progress"]),
            on_time_rate=Ratio(int(f["on_time_766"]), int(f["received"])),
            satisfaction=Ratio(int(f["satisfied"]), int(f["ratings"])),
        )

    def position(self) -> int:
        def read(client: Any) -> int:
            rows = client.query(
                f"SELECT max(position) FROM {self.db}.projection_tracking WHERE name = {{p:String}}",
                parameters={"p": PROJECTION_NAME},
            ).result_rows
            return int(rows[0][0] or 0) if rows else 0

        return self._call(read)


__all__ = ["DEFINITIONS", "LATEST_STATES", "ClickHouseStatistics", "range_instants", "scoped_query"]
