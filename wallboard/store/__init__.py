"""The indicator store: tables, engines and the ``Store`` that reads and writes them."""

from wallboard.store.store import Latest, Run, SourceStatus, Store, StoredEvent

__all__ = ["Latest", "Run", "SourceStatus", "Store", "StoredEvent"]
