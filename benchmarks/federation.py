"""Federation: a province reading its kab/kota walls through ``type: wallboard``, commit to stored.

One process plays every kab/kota (a stand-in of ``/api/v1/indicators/<id>/readings`` per site, under
``/k3301/``, ``/k3302/`` ..., paging by cursor exactly as a wall does) and the province: a real
``Collector`` and ``CollectorScheduler`` with one ``type: wallboard`` source per kab/kota (``every``),
writing into a real store. Each site commits a new reading of each of its indicators every
``--change`` seconds at its own phase; the latency of a reading is the time from its commit in the
kab/kota to its write in the province's store (the province's wall then shows it within the hub's
fan-out, well under a second: benchmarks/fanout.py). The poll wait (on average half of ``every``)
is part of it.

    python benchmarks/federation.py                       # Jawa Tengah: 35 kab/kota, 20 indicators, every 10s
    python benchmarks/federation.py --national --database postgresql+psycopg://postgres@127.0.0.1:5432/bench
                                                          # 514 kab/kota into one national site ("00")

Exits 1 when p95 is over the target (15 s) or the province fell behind (readings not stored by the end).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from wallboard import regions  # noqa: E402
from wallboard.collector import Collector  # noqa: E402
from wallboard.config import parse_config  # noqa: E402
from wallboard.scheduler import CollectorScheduler  # noqa: E402
from wallboard.store import Store  # noqa: E402

TARGET_P95 = 15.0


class Sites:
    """Every kab/kota's readings in memory: (code, indicator) -> [(ts, value)], with commit times."""

    def __init__(self, codes: list[str], indicators: list[str]):
        self.codes, self.indicators = codes, indicators
        self.readings: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
        self.committed: dict[tuple[str, str, int], float] = {}
        self.lock = threading.Lock()

    def commit(self, code: str, n: int) -> None:
        now = time.time()
        ts = int(now)  # a site commits every few seconds: one reading per indicator and second
        with self.lock:
            for indicator in self.indicators:
                self.readings[(code, indicator)].append((ts, float(n)))
                self.committed[(code, indicator, ts)] = now

    def page(self, code: str, indicator: str, since: str | None, limit: int) -> dict:
        start = int(since or 0)
        with self.lock:
            rows = self.readings[(code, indicator)][start:start + limit]
            total = len(self.readings[(code, indicator)])
        end = start + len(rows)
        return {"indicator": indicator, "region": code, "cursor": str(end), "more": end < total,
                "readings": [{"region": code, "ts": ts, "value": v, "period": None} for ts, v in rows]}


def serve(sites: Sites) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            split = urlsplit(self.path)
            parts = split.path.strip("/").split("/")  # k3301 api v1 indicators <id> readings
            code = f"{parts[0][1:3]}.{parts[0][3:5]}"
            query = dict(parse_qsl(split.query))
            body = json.dumps(sites.page(code, parts[4], query.get("since"), int(query.get("limit", 1000)))).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 1024
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def config_text(site: str, codes: list[str], indicators: list[str], url: str, every: int, database: str) -> str:
    sources = "".join(
        f"  - {{id: k{c.replace('.', '')}, type: wallboard, url: \"{url}/k{c.replace('.', '')}\", "
        f"token: \"${{BENCH_TOKEN}}\", indicators: [{', '.join(indicators)}], region: \"{c}\", every: {every}s}}\n"
        for c in codes)
    inds = "".join(f"  - {{id: {i}, label: {i}}}\n" for i in indicators)
    return (f'site: {{name: Bench, region: "{site}"}}\ndatabase: {{url: "{database}"}}\nsources:\n{sources}'
            f"indicators:\n{inds}screens:\n  - id: utama\n    grid: {{columns: 1, rows: 1}}\n    panels:\n"
            f"      - {{id: a, type: kpi, indicator: {indicators[0]}, at: [0, 0]}}\n")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--national", action="store_true", help="514 kab/kota into site 00")
    parser.add_argument("--indicators", type=int, default=20)
    parser.add_argument("--every", type=int, default=10, help="the province's sources' every: (s)")
    parser.add_argument("--change", type=float, default=10.0, help="seconds between a site's commits")
    parser.add_argument("--seconds", type=float, default=90.0, help="how long to measure")
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (default: a SQLite file)")
    args = parser.parse_args()
    site = "00" if args.national else "33"
    codes = [k.code for k in (regions.all_kabupaten_kota() if args.national else regions.kecamatan("33"))]
    indicators = [f"ind_{n:02d}" for n in range(args.indicators)]
    sites = Sites(codes, indicators)
    server = serve(sites)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    os.environ["BENCH_TOKEN"] = "bench-token-0000"
    folder = Path(tempfile.mkdtemp(prefix="wb-federation-"))
    database = args.database or f"sqlite:///{folder / 'prov.db'}"
    config = parse_config(config_text(site, codes, indicators, url, args.every, database), base=folder).config
    store = Store.open(database)
    store.sync_indicators(config.indicators)
    latencies: list[float] = []
    seen: dict[str, int] = defaultdict(int)
    lock = threading.Lock()

    def on_run(run: object) -> None:
        source = run.source  # type: ignore[attr-defined]
        code = f"{source[1:3]}.{source[3:5]}"
        now = time.time()
        with store.engine.connect() as conn:
            rows = conn.execute(text("SELECT indicator, ts FROM readings WHERE region = :code AND ts > :after"),
                                {"code": code, "after": seen[source]}).all()
        with lock:
            for indicator, ts in rows:
                committed = sites.committed.get((code, indicator, int(ts)))
                if committed is not None:
                    latencies.append(now - committed)
                seen[source] = max(seen[source], int(ts))

    collector = Collector(store, config, folder, on_run=on_run)
    scheduler = CollectorScheduler(collector)
    stop = threading.Event()

    def commits(code: str, phase: float) -> None:
        n = 0
        if stop.wait(phase):
            return
        while not stop.is_set():
            n += 1
            sites.commit(code, n)
            stop.wait(args.change)

    threads = [threading.Thread(target=commits, args=(c, (i * args.change / len(codes))), daemon=True)
               for i, c in enumerate(codes)]
    started = time.time()
    scheduler.start(maintenance=False)
    for thread in threads:
        thread.start()
    time.sleep(args.seconds)
    stop.set()
    committed_total = len(sites.committed)
    time.sleep(args.every * 2 + 5)  # the last commits' poll
    scheduler.shutdown()
    stored = store.count_readings()
    elapsed = time.time() - started
    p50, p95, worst = percentile(latencies, 0.5), percentile(latencies, 0.95), max(latencies or [float("nan")])
    print(f"site {site}: {len(codes)} kab/kota x {len(indicators)} indicators, every {args.every}s, "
          f"a change every {args.change:g}s, {args.seconds:g}s measured, database {store.engine.dialect.name}")
    print("| commits | stored | readings/s in | p50 s | p95 s | max s | target p95 |")
    print("|---|---|---|---|---|---|---|")
    ok = p95 <= TARGET_P95 and stored >= committed_total
    print(f"| {committed_total} | {stored} | {stored / elapsed:.0f} | {p50:.2f} | {p95:.2f} | {worst:.2f} | "
          f"<= {TARGET_P95:g}: {'ok' if ok else 'MISSED'} |")
    server.shutdown()
    store.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
