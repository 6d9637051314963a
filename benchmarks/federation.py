"""Federation: a province (or the national site) reading its kab/kota walls through ``type: wallboard``.

The kab/kota are stand-ins served from separate processes (``--servers``, two by default), so their
own limits share no interpreter with the province: each answers ``/api/v1/readings`` (the combined
stream: every indicator in one request, its cursor the per-indicator cursors side by side),
``/api/v1/indicators/<id>/readings`` and ``/api/v1/incidents`` under ``/k3301/``, ``/k3302/`` ...,
paging by cursor exactly as a wall does, over HTTP/1.1 keep-alive. ``--older`` makes them answer
404 to the combined stream, as a wallboard from before it: the province then asks once per
indicator (the figure before the combined stream, measured side by side).

The province is this process: a real ``Collector`` and ``CollectorScheduler`` with one ``type:
wallboard`` source per kab/kota (``every``), writing into a real store. Each site commits a new
reading of each of its indicators every ``--change`` seconds at its own phase; the reading's value
is its commit time, so the latency of a reading is the time from its commit in the kab/kota to the
commit of the province's write that stored it (the province's wall then shows it within the hub's
fan-out, well under a second: benchmarks/fanout.py). The poll wait (on average half of ``every``)
is part of it. Readings committed in the last interval before the end may still be on their way;
the run waits two intervals more before counting.

    python benchmarks/federation.py                       # Jawa Tengah: 35 kab/kota, 20 indicators, every 10s
    python benchmarks/federation.py --national --database postgresql+psycopg://postgres@127.0.0.1:5432/bench
                                                          # 514 kab/kota into one national site ("00")

Use an empty database (the run counts the readings it stored). Exits 1 when p95 is over the target
(15 s) or the province fell behind (readings committed but not stored by the end).
"""

from __future__ import annotations

import argparse
import heapq
import json
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from wallboard import regions  # noqa: E402
from wallboard.collector import Collector  # noqa: E402
from wallboard.config import parse_config  # noqa: E402
from wallboard.scheduler import CollectorScheduler  # noqa: E402
from wallboard.store import Store  # noqa: E402

TARGET_P95 = 15.0
TAG = "tanpa-insiden"  # the stand-ins' incidents tag: none open, never changing


class Sites:
    """The kab/kota one stand-in process serves: (code, indicator) -> [(ts, value)]."""

    def __init__(self, codes: list[str], indicators: list[str]):
        self.codes, self.indicators = codes, indicators
        self.readings: dict[tuple[str, str], list[tuple[int, float]]] = {
            (c, i): [] for c in codes for i in indicators}
        self.committed = 0
        self.lock = threading.Lock()

    def commit(self, code: str) -> None:
        now = time.time()
        with self.lock:
            for indicator in self.indicators:
                self.readings[(code, indicator)].append((int(now), now))  # the value is the commit time
            self.committed += len(self.indicators)

    def _rows(self, code: str, indicator: str, start: int, limit: int) -> tuple[list[dict], int, int]:
        with self.lock:
            kept = self.readings[(code, indicator)]
            rows, total = kept[start:start + limit], len(kept)
        return [{"region": code, "ts": ts, "value": v, "period": None} for ts, v in rows], start + len(rows), total

    def page(self, code: str, indicator: str, since: str | None, limit: int) -> dict:
        rows, end, total = self._rows(code, indicator, int(since or 0), limit)
        return {"indicator": indicator, "region": code, "cursor": str(end), "more": end < total, "readings": rows}

    def combined(self, code: str, asked: list[str], since: str | None, limit: int) -> dict:
        at = dict(p.split(":", 1) for p in since.split(",")) if since else {}
        out: list[dict] = []
        more = False
        for indicator in asked:
            rows, end, total = self._rows(code, indicator, int(at.get(indicator, 0)), limit - len(out))
            out += [{"indicator": indicator, **r} for r in rows]
            at[indicator] = str(end)
            if end < total:
                more = True
                break
        return {"api": "v1", "region": code, "readings": out, "more": more, "incidents": TAG,
                "cursor": ",".join(f"{i}:{c}" for i, c in at.items())}


def answer(sites: Sites, path: str, older: bool) -> tuple[int, dict]:
    split = urlsplit(path)
    parts = split.path.strip("/").split("/")  # k3301 api v1 (readings | incidents | indicators <id> readings)
    code = f"{parts[0][1:3]}.{parts[0][3:5]}"
    query = dict(parse_qsl(split.query))
    limit = int(query.get("limit", 1000))
    if parts[3:] == ["readings"]:
        if older:
            return 404, {"error": "not found"}
        asked = query.get("indicators", "").split(",") if query.get("indicators") else sites.indicators
        return 200, sites.combined(code, asked, query.get("since"), limit)
    if parts[3:] == ["incidents"]:
        return 200, {"api": "v1", "site": {"name": code, "region": code}, "incidents": []}
    if len(parts) == 6 and parts[3] == "indicators" and parts[5] == "readings":
        return 200, sites.page(code, parts[4], query.get("since"), limit)
    return 404, {"error": "not found"}


def serve_sites(codes: list[str], indicators: list[str], change: float, go: Any, older: bool,
                port: Any, stop: Any, committed: Any) -> None:
    """One stand-in process: its kab/kota's commits (one thread, each site at its own phase, from
    the time ``go`` is set to) and their ``/api/v1``, until terminated; ``committed`` says how many
    readings when ``stop`` is set."""
    sites = Sites(codes, indicators)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the province's httpx client uses it

        def do_GET(self) -> None:  # noqa: N802
            status, body = answer(sites, self.path, older)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 1024
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port.value = server.server_address[1]
    while not go.value and not stop.wait(0.05):
        pass
    start = go.value
    due = [(start + i * change / len(codes), code) for i, code in enumerate(codes)]
    heapq.heapify(due)
    while not stop.is_set():
        when, code = due[0]
        if stop.wait(max(0.0, when - time.time())):
            break
        heapq.heapreplace(due, (when + change, code))
        sites.commit(code)
    with sites.lock:
        committed.value = sites.committed
    threading.Event().wait()  # serving the last polls until terminated


def config_text(site: str, urls: dict[str, str], indicators: list[str], every: int, database: str) -> str:
    sources = "".join(
        f"  - {{id: k{c.replace('.', '')}, type: wallboard, url: \"{url}/k{c.replace('.', '')}\", "
        f"token: \"${{BENCH_TOKEN}}\", indicators: [{', '.join(indicators)}], region: \"{c}\", every: {every}s}}\n"
        for c, url in urls.items())
    inds = "".join(f"  - {{id: {i}, label: {i}}}\n" for i in indicators)
    return (f'site: {{name: Bench, region: "{site}"}}\ndatabase: {{url: "{database}"}}\nsources:\n{sources}'
            f"indicators:\n{inds}screens:\n  - id: utama\n    grid: {{columns: 1, rows: 1}}\n    panels:\n"
            f"      - {{id: a, type: kpi, indicator: {indicators[0]}, at: [0, 0]}}\n")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def timed_writes(store: Store, latencies: list[tuple[float, float]]) -> Callable[..., int]:
    """``store.write`` that notes, for every reading it committed, (commit time, latency)."""
    write = store.write
    lock = threading.Lock()

    def measured(source: str, batch: Any, now: Any = None) -> int:
        wrote = write(source, batch, now)
        done = time.time()
        with lock:
            latencies.extend((r.value, done - r.value) for r in batch.readings)
        return wrote

    return measured


def start_sites(codes: list[str], indicators: list[str],
                args: argparse.Namespace) -> tuple[list[Any], dict[str, str], Any, Any, list[Any]]:
    ctx = multiprocessing.get_context("spawn")
    stop, go = ctx.Event(), ctx.Value("d", 0.0)
    procs, urls, counts = [], {}, []
    for n in range(args.servers):
        mine = codes[n::args.servers]
        port, committed = ctx.Value("i", 0), ctx.Value("q", 0)
        proc = ctx.Process(target=serve_sites, daemon=True,
                           args=(mine, indicators, args.change, go, args.older, port, stop, committed))
        proc.start()
        while not port.value:
            time.sleep(0.05)
        urls.update({c: f"http://127.0.0.1:{port.value}" for c in mine})
        procs.append(proc)
        counts.append(committed)
    return procs, urls, stop, go, counts


def report(args: argparse.Namespace, site: str, codes: list[str], store: Store, committed: int, stored: int,
           latencies: list[tuple[float, float]], started: float, elapsed: float, failed: int) -> bool:
    half = started + args.seconds / 2
    all_, first, second = ([d for t, d in latencies if keep(t)] for keep in (
        lambda t: True, lambda t: t < half, lambda t: t >= half))
    p50, p95, worst = percentile(all_, 0.5), percentile(all_, 0.95), max(all_ or [float("nan")])
    api = "per indicator (--older)" if args.older else "combined /api/v1/readings"
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"site {site}: {len(codes)} kab/kota x {args.indicators} indicators, every {args.every}s, a change every "
          f"{args.change:g}s, {args.seconds:g}s measured, database {store.engine.dialect.name}, {api}, "
          f"{args.servers} stand-in processes, load average at the end {load}")
    print("| commits | stored | readings/s in | p50 s | p95 s | p95 1st half | p95 2nd half | max s | failed runs "
          "| target p95 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    ok = p95 <= TARGET_P95 and stored >= committed
    halves = f"{percentile(first, 0.95):.2f} | {percentile(second, 0.95):.2f}"
    print(f"| {committed} | {stored} | {stored / elapsed:.0f} | {p50:.2f} | {p95:.2f} | {halves} | {worst:.2f} | "
          f"{failed} | <= {TARGET_P95:g}: {'ok' if ok else 'MISSED'} |")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--national", action="store_true", help="514 kab/kota into site 00")
    parser.add_argument("--indicators", type=int, default=20)
    parser.add_argument("--every", type=int, default=10, help="the province's sources' every: (s)")
    parser.add_argument("--change", type=float, default=10.0, help="seconds between a site's commits")
    parser.add_argument("--seconds", type=float, default=90.0, help="how long to measure")
    parser.add_argument("--database", default=None, help="SQLAlchemy URL of an empty database (default: SQLite)")
    parser.add_argument("--servers", type=int, default=2, help="stand-in processes serving the kab/kota")
    parser.add_argument("--older", action="store_true", help="stand-ins without the combined stream (404)")
    args = parser.parse_args()
    site = "00" if args.national else "33"
    codes = [k.code for k in (regions.all_kabupaten_kota() if args.national else regions.kecamatan("33"))]
    indicators = [f"ind_{n:02d}" for n in range(args.indicators)]
    procs, urls, stop, go, counts = start_sites(codes, indicators, args)
    os.environ["BENCH_TOKEN"] = "bench-token-0000"
    folder = Path(tempfile.mkdtemp(prefix="wb-federation-"))
    database = args.database or f"sqlite:///{folder / 'prov.db'}"
    config = parse_config(config_text(site, urls, indicators, args.every, database), base=folder).config
    store = Store.open(database)
    store.sync_indicators(config.indicators)
    latencies: list[tuple[float, float]] = []
    store.write = timed_writes(store, latencies)  # type: ignore[method-assign]
    failed = [0]

    def on_run(run: Any) -> None:
        failed[0] += not run.ok

    scheduler = CollectorScheduler(Collector(store, config, folder, on_run=on_run))
    scheduler.start(maintenance=False)
    started = go.value = time.time() + 1.0  # the stand-ins' first commits: every process is up
    time.sleep(1.0 + args.seconds)
    stop.set()
    time.sleep(args.every * 2 + 5)  # the last commits' poll
    scheduler.shutdown()
    committed = sum(c.value for c in counts)
    with store.engine.connect() as conn:
        stored = int(conn.execute(text("SELECT COUNT(*) FROM readings WHERE ts >= :t"), {"t": int(started)}).scalar())
    ok = report(args, site, codes, store, committed, stored, latencies, started, time.time() - started, failed[0])
    for proc in procs:
        proc.terminate()
    store.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
