"""The indicator store: tables, engines and the ``Store`` that reads and writes them."""

from wallboard.store.store import Freshness, Latest, Run, SourceStatus, Store, StoredEvent

__all__ = ["Freshness", "Latest", "Run", "SourceStatus", "Store", "StoredEvent"]
