"""``/metrics``: the wall's health in Prometheus text format (prometheus_client), names ``wallboard_*``.

Collector figures are read from the store at scrape time, not counted in memory, so a web process
that does not collect (``wallboard run --no-collect`` beside ``wallboard collect``) reports them
too, and every web process reports the same. Indicator ages come from the hub's last snapshot (what
the walls show); walls, snapshot builds and the fan-out latency are this process's own.

The fan-out histogram is observed in ``streams.py`` once per message written to a wall: the time
from the hub handing the message over to its bytes being handed to the wall's socket. It is
process-wide (one ASGI app per process); with ``uvicorn --workers N`` each worker answers for
itself, so scrape web processes on their own ports rather than through one shared port.

Access: public in this module; the auth package gates ``/metrics`` to admins or loopback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from wallboard.reasons import one_line
from wallboard.web.api import tokens as api_tokens

log = logging.getLogger(__name__)

# Buckets from a millisecond to ten seconds: a healthy fan-out is well under a second (issue 10).
FANOUT_SECONDS = Histogram(
    "wallboard_update_fanout_seconds",
    "Time from the hub publishing a view change to it being written to a wall, per wall and message",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=None,  # registered into each app's registry below, never the global one
)


class WallboardCollector:
    """Builds the metric families on each scrape from the store and the hub."""

    def __init__(self, runtime: Any):
        self.runtime = runtime

    def describe(self) -> list[Metric]:
        return []  # collected on demand only: never query the store when registering

    def collect(self) -> Iterator[Metric]:
        runtime = self.runtime
        hub = runtime.hub
        stats = hub.stats()
        walls = GaugeMetricFamily("wallboard_walls_connected", "Walls with a live stream open to this process")
        walls.add_metric([], stats.get("walls", 0))
        yield walls
        yield _counter("wallboard_walls_dropped", "Walls dropped because they stopped reading", stats.get("dropped", 0))
        yield _counter("wallboard_snapshot_builds", "Snapshots read from the store (one per data change)", hub.builds)
        yield _counter("wallboard_view_ticks", "View refreshes on the last snapshot for ages and staleness", hub.ticks)
        yield _counter("wallboard_stream_bytes", "Bytes written to walls' streams", stats.get("bytes_sent", 0))
        yield from self._ages(hub)
        yield from api_tokens.metrics_families()
        yield from self._collectors(runtime)

    def _ages(self, hub: Any) -> Iterator[Metric]:
        snap = hub.snapshot
        age = GaugeMetricFamily("wallboard_indicator_data_age_seconds",
                                "Age of each indicator's newest reading in the hub's last snapshot",
                                labels=["indicator"])
        if snap is not None:
            now = datetime.now(UTC)
            for indicator_id, value in sorted(snap.indicators.items()):
                if value.time is not None:
                    age.add_metric([indicator_id], max(0.0, (now - value.time).total_seconds()))
        yield age

    def _collectors(self, runtime: Any) -> Iterator[Metric]:
        sources = [s.id for s in runtime.config.sources]
        up = GaugeMetricFamily("wallboard_store_up", "1 when the store answered this scrape and its file is in place")
        gone = runtime.store.identity.check()  # a deleted SQLite file still answers from the old inode
        try:
            if gone is not None:
                raise RuntimeError(runtime.store.identity.describe(gone))
            counts = runtime.store.run_counts()
            status = runtime.store.source_status(sources)
        except Exception as exc:  # noqa: BLE001 - a scrape during a database restart still answers
            log.warning("metrics: store not reachable (%s)", one_line(exc))
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        runs = CounterMetricFamily("wallboard_collector_runs", "Collector runs per source (history kept: 30 days)",
                                   labels=["source"])
        failures = CounterMetricFamily("wallboard_collector_failures",
                                       "Failed collector runs per source (history kept: 30 days)", labels=["source"])
        failing = GaugeMetricFamily("wallboard_collector_consecutive_failures",
                                    "Failed runs in a row now (0 when the last run succeeded)", labels=["source"])
        duration = GaugeMetricFamily("wallboard_collector_last_duration_seconds",
                                     "How long each source's last run took", labels=["source"])
        success = GaugeMetricFamily("wallboard_collector_last_success_timestamp_seconds",
                                    "When each source last succeeded (Unix time)", labels=["source"])
        for source in sources:
            n, failed = counts.get(source, (0, 0))
            runs.add_metric([source], n)
            failures.add_metric([source], failed)
            state = status.get(source)
            if state is None:
                continue
            failing.add_metric([source], state.failures)
            if state.last_run is not None:
                duration.add_metric([source], (state.last_run.finished - state.last_run.started).total_seconds())
            if state.last_success is not None:
                success.add_metric([source], state.last_success.timestamp())
        yield from (runs, failures, failing, duration, success)


def _counter(name: str, documentation: str, value: float) -> CounterMetricFamily:
    family = CounterMetricFamily(name, documentation)
    family.add_metric([], value)
    return family


def registry_for(runtime: Any) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(WallboardCollector(runtime))
    registry.register(FANOUT_SECONDS)
    return registry


def register(app: Any, runtime: Any) -> None:
    """Add ``GET /metrics`` to the Dash app's Flask server."""
    registry = registry_for(runtime)

    def metrics() -> Response:
        return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)

    app.server.add_url_rule("/metrics", "metrics", metrics)
