"""Schema migrations: fresh databases at head, the first release upgraded with every reading kept,
a newer database refused, and the migrated schema equal to the code's tables (SQLite and PostgreSQL).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, create_engine, inspect

from wallboard.store import Run, Store, migrate
from wallboard.store.schema import metadata

FIXTURES = Path(__file__).parent / "fixtures"
T0 = 1_764_000_000 // 86400 * 86400  # a UTC midnight


def first_release_metadata() -> MetaData:
    spec = importlib.util.spec_from_file_location("first_release_schema", FIXTURES / "first_release_schema.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module.metadata


def differences(url: str, target: MetaData = metadata) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), target)
    finally:
        engine.dispose()


def test_fresh_database_is_created_at_head(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        found = migrate.state(store.engine)
        assert found.current == migrate.head() and found.up_to_date
    finally:
        store.close()


def test_migrated_schema_equals_the_code_tables(db_url: str) -> None:
    """Fails when a table or column is added to schema.py without a migration (docs/operations.md)."""
    Store.open(db_url).close()
    assert differences(db_url) == []


def test_the_comparison_sees_a_column_without_migration(db_url: str) -> None:
    """The guard above is real: a column the migrations never added is reported."""
    Store.open(db_url).close()
    changed = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["events"].append_column(Column("acknowledged_by", Integer))
    found = differences(db_url, changed)
    assert [(d[0], d[3].name) for d in found] == [("add_column", "acknowledged_by")]


def _first_release_database(url: str) -> tuple[int, float]:
    """The first release's tables with readings, latest, an event, a run; returns (count, sum of values)."""
    engine = create_engine(url)
    first_release_metadata().create_all(engine)
    rows = [(f"ind{i % 3}", f"12.75.0{i % 5}", T0 + 60 * i, float(i) / 4) for i in range(3000)]
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO readings (indicator, region, ts, value) VALUES (%s, %s, %s, %s)"
            if engine.dialect.name == "postgresql" else "INSERT INTO readings VALUES (?, ?, ?, ?)", rows)
        conn.exec_driver_sql("INSERT INTO indicators (id, label, unit, owner, aggregate) "
                             "VALUES ('ind0', 'Nol', 'kg', 'Dinas', 'sum')")
        conn.exec_driver_sql("INSERT INTO latest (indicator, region, ts, value) VALUES ('ind0', '12.75.00', 1, 2.0)")
        conn.exec_driver_sql("INSERT INTO collector_runs (source, started, finished, ok, rows, rejected, error) "
                             "VALUES ('s', '2026-11-27 00:00:00+00', '2026-11-27 00:00:01+00', true, 3000, 0, NULL)")
        conn.exec_driver_sql("INSERT INTO events (source, ref, time, category, region, status, title, detail, "
                             "updated) VALUES ('e', 'E1', '2026-11-27 00:00:00+00', 'banjir', NULL, 'baru', 'Air', "
                             "'', '2026-11-27 00:00:00+00')")
    engine.dispose()
    return len(rows), sum(r[3] for r in rows)


def _readings(url: str) -> tuple[int, float, list]:
    engine = create_engine(url)
    with engine.connect() as conn:
        count, total = conn.exec_driver_sql("SELECT COUNT(*), SUM(value) FROM readings").one()
        some = list(conn.exec_driver_sql("SELECT indicator, region, ts, value FROM readings "
                                         "ORDER BY indicator, region, ts LIMIT 3"))
    engine.dispose()
    return int(count), float(total), [tuple(r) for r in some]


def test_first_release_database_upgrades_keeping_every_reading(db_url: str) -> None:
    count, total = _first_release_database(db_url)
    before = _readings(db_url)
    assert before[:2] == (count, total)
    store = Store.open(db_url)
    try:
        assert _readings(db_url) == before  # every reading, same values
        assert migrate.state(store.engine).up_to_date
        engine = store.engine
        assert "readings_ts" not in {i["name"] for i in inspect(engine).get_indexes("readings")}
        # rollups computed from the readings kept: one indicator, one region, the first hour
        hour = [(b, v) for b, v in store.series("ind0", T0, 3600, "sum")][0]
        expected = [r for r in range(3000) if r % 3 == 0 and T0 + 60 * r < T0 + 3600]
        assert hour[0] == T0 and hour[1] == pytest.approx(sum(
            sum(i / 4 for i in expected if i % 5 == region) / max(1, sum(1 for i in expected if i % 5 == region))
            for region in range(5)))
        assert store.events("e", 5)[0].title == "Air"
        t = datetime(2026, 11, 28, tzinfo=UTC)
        store.record_run(Run("s", t, t, False, 0, 0, "x", 2, t))  # the columns added since
        assert store.source_status(["s"])["s"].failures == 2
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'readings'").scalar()
            assert "WITHOUT ROWID" in sql.upper()  # clustered on its key, like a fresh database
    finally:
        store.close()
    assert differences(db_url) == []


def test_upgrade_twice_is_a_no_op(db_url: str) -> None:
    _first_release_database(db_url)
    Store.open(db_url).close()
    before = _readings(db_url)
    engine = create_engine(db_url)
    try:
        assert migrate.upgrade(engine).up_to_date
    finally:
        engine.dispose()
    assert _readings(db_url) == before


def _stamp_newer(url: str) -> None:
    Store.open(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    engine.dispose()


def test_a_newer_database_is_refused(db_url: str) -> None:
    _stamp_newer(db_url)
    with pytest.raises(migrate.SchemaTooNew, match="ffff_from_the_future"):
        Store.open(db_url)


def _config(tmp_path: Path, url: str) -> Path:
    from tests.conftest import demo_config

    path = tmp_path / "config.yaml"
    path.write_text(demo_config(url), encoding="utf-8")
    return path


def _wallboard(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wallboard.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


@pytest.mark.parametrize("command", [["run", "--port", "1"], ["collect"], ["collect", "--once"]])
def test_run_and_collect_refuse_a_newer_database_in_one_line(tmp_path: Path, command: list[str]) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    _stamp_newer(url)
    config = _config(tmp_path, url)
    done = _wallboard(*command, "--config", str(config), cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "newer than this wallboard" in lines[0] and "Traceback" not in done.stderr


def test_db_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    _first_release_database(url)
    config = _config(tmp_path, url)
    current = _wallboard("db", "current", "--config", str(config), cwd=tmp_path)
    assert current.returncode == 0 and current.stdout.startswith("<none> (upgrade pending")
    upgraded = _wallboard("db", "upgrade", "--config", str(config), cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.strip() == f"database schema: <none> -> {migrate.head()}"
    current = _wallboard("db", "current", "--config", str(config), cwd=tmp_path)
    assert current.stdout.strip() == f"{migrate.head()} (up to date)"
    history = _wallboard("db", "history", cwd=tmp_path)
    assert history.returncode == 0 and "<base> -> 0001" in history.stdout
    assert _readings(url)[0] == 3000


def test_an_open_incident_escalated_per_alert_goes_on_from_its_level(db_url: str) -> None:
    """0011 (notifications per incident): an incident whose alerts were escalated one by one before
    the upgrade keeps their level, so its owners are not told again from level 1."""
    from sqlalchemy import text

    engine = create_engine(db_url)
    try:
        migrate.upgrade(engine, "0010")
        at = datetime(2026, 12, 2, 7, tzinfo=UTC)
        with engine.begin() as conn:
            for incident, status in ((1, "open"), (2, "open")):
                conn.execute(text("INSERT INTO incidents (id, indicator, status, state, opened) "
                                  "VALUES (:i, 'air', :s, 'critical', :t)"), {"i": incident, "s": status, "t": at})
            for alert, incident, level in ((1, 1, 2), (2, 1, 1), (3, 2, 0)):
                conn.execute(text(
                    "INSERT INTO alerts (id, indicator, region, status, state, started, opened, value, peak, "
                    "peak_state, level, escalated_at, incident) VALUES (:a, 'air', :r, 'open', 'critical', :t, :t, "
                    "400, 400, 'critical', :l, :e, :i)"),
                    {"a": alert, "r": f"12.75.0{alert}", "t": at, "l": level, "i": incident,
                     "e": at if level else None})
        assert migrate.upgrade(engine).up_to_date
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, level, notified_state FROM incidents ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, 2, "critical"), (2, None, None)]
    finally:
        engine.dispose()
    assert differences(db_url) == []
