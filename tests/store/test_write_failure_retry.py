"""A batch a source delivered while the database could not store it is delivered again on the retry.

A file source marks a file read once its rows are parsed; if the write then failed (PostgreSQL
restarting), the retry found the file "unchanged" and its rows were lost for good.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import OperationalError

from tests.sources.test_csv import GOOD, SOURCE
from tests.sources.util import make_collector, settle

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def test_a_file_read_while_the_store_was_down_is_read_again(db_url: str, tmp_path: Path, monkeypatch) -> None:
    collector, store = make_collector(db_url, SOURCE, tmp_path)
    path = tmp_path / "perizinan.csv"
    path.write_text(GOOD, encoding="utf-8")
    settle(path)
    real_write = store.write

    def down(*_a, **_k):  # noqa: ANN002, ANN003
        raise OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))

    try:
        monkeypatch.setattr(store, "write", down)
        failed = collector.run("perizinan", NOW)
        assert not failed.ok and "server closed the connection" in failed.error
        assert store.count_readings() == 0
        monkeypatch.setattr(store, "write", real_write)
        retried = collector.run("perizinan", NOW)
        assert retried.ok and retried.rows == 3, retried  # not "unchanged": the file is read again
        assert store.count_readings() == 3
        assert collector.run("perizinan", NOW).rows == 0  # and once stored, it counts as read
    finally:
        store.close()

