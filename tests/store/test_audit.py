"""The audit log table, on SQLite and PostgreSQL."""

from __future__ import annotations

from wallboard.store import audit


def test_audit_entries_newest_first(store) -> None:
    audit.record(store, "login", "admin", "role admin", "10.0.0.1")
    audit.record(store, "config.reload", detail="abc123: indicators: +curah_hujan")
    entries = audit.entries(store)
    assert [e.action for e in entries] == ["config.reload", "login"]
    assert entries[1].actor == "admin" and entries[1].address == "10.0.0.1"
    assert entries[0].time.tzinfo is not None and entries[0].time >= entries[1].time


def test_an_audit_write_never_raises(store, caplog) -> None:
    store.engine.dispose()

    class Broken:
        engine = None

    audit.record(Broken(), "login", "admin")  # logged, not raised
    assert "audit entry not stored" in caplog.text
