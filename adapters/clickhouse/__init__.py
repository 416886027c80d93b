"""ClickHouse adapter (clickhouse-connect only): engine registry, migrations, view, reports."""
