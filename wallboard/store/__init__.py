"""The indicator store: tables, engines and the ``Store`` that reads and writes them.

``Store`` (``store.py``) is one mixin per job: ``writes.py``, ``reads.py``, ``series.py``, ``runs.py``,
``retention.py``, on the shared ground of ``base.py``.
"""

from wallboard.store.store import Freshness, Latest, Run, SourceStatus, Store, StoredEvent

__all__ = ["Freshness", "Latest", "Run", "SourceStatus", "Store", "StoredEvent"]
