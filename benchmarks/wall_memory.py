"""Browser memory of a wall over many updates: JS heap after 1,000 updates vs after 100.

The reference 12-panel wall runs in this process with a fast hub (it wakes on every write), and the
writer changes ``k1`` (a kpi and the last point of a trend) many times a second; every 10th update
also adds a new point to a trend, so figure patches that grow a trace are exercised too. After 100
and after 1,000 delta messages have reached the browser we force a garbage collection (CDP
``HeapProfiler.collectGarbage``) and read the used JS heap (``Runtime.getHeapUsage``), the DOM node
count and the number of event listeners (``Performance.getMetrics``).

Target: heap after 1,000 updates within 10 MB of the heap after 100. Usage::

    python benchmarks/wall_memory.py [--updates 1000] [--rate 20]

Exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wall_common import CHROMIUM, CHROMIUM_ARGS, CITY, Writer, config_text, free_port, machine, seed  # noqa: E402

TARGET_MB = 10.0


class FastWriter(Writer):
    """Adds an hourly point to trend ``t2`` every 10th update, besides changing ``k1``."""

    def write_once(self) -> None:
        super().write_once()
        if self.count % 10 == 0:
            from datetime import UTC, datetime

            from wallboard.records import Batch, Reading
            from wallboard.store import Run

            hour = (int(time.time()) // 3600 + self.count // 10) * 3600
            now = datetime.now(UTC)
            self.store.write("bench", Batch(readings=[Reading("t2", CITY, hour, 150 + self.count % 40)]))
            self.store.record_run(Run("bench", now, now, True, 1, 0, None))
            if self.notify is not None:
                self.notify()


def rss_mb() -> float:
    """Resident memory of this process: the server (hub, Dash app, waitress) and the writer."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def heap(cdp) -> dict:  # noqa: ANN001
    for _ in range(2):  # the second pass frees what the first one's finalisers released
        cdp.send("HeapProfiler.collectGarbage")
    used = cdp.send("Runtime.getHeapUsage")["usedSize"]
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {"heap_mb": used / 1e6, "nodes": metrics.get("Nodes", 0), "listeners": metrics.get("JSEventListeners", 0),
            "rss_mb": rss_mb()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--baseline", type=int, default=100)
    parser.add_argument("--rate", type=float, default=20, help="writes per second")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright
    from waitress.server import create_server

    from wallboard.runtime import Runtime
    from wallboard.web.app import create_app

    tmp = Path(tempfile.mkdtemp(prefix="wall-mem-"))
    db_url = f"sqlite:///{tmp / 'bench.db'}"
    seed(db_url)
    config = tmp / "config.yaml"
    config.write_text(config_text(db_url), encoding="utf-8")
    runtime = Runtime.from_path(config, collect=False)
    runtime.hub.poll = 0.02
    app = create_app(runtime)
    runtime.start()
    port = free_port()
    server = create_server(app.server, host="127.0.0.1", port=port, threads=8)
    threading.Thread(target=server.run, daemon=True).start()

    writer = FastWriter(db_url, 1 / args.rate, notify=runtime.hub.notify)
    rows = []
    started = time.monotonic()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            page.goto(f"http://127.0.0.1:{port}/wall/utama")
            page.wait_for_function("() => window.wallboard && window.wallboard.stats.hellos > 0"
                                   " && document.querySelectorAll('.js-plotly-plot').length >= 4", timeout=60000)
            page.evaluate("() => { window.__noReload = true; }")
            writer.start()
            for target in sorted({args.baseline, args.updates // 4, args.updates // 2, args.updates}):
                page.wait_for_function(f"() => window.wallboard.stats.deltas >= {target}",
                                       timeout=int(1000 * (10 + 3 * args.updates / args.rate)), polling=200)
                stats = page.evaluate("() => window.wallboard.stats")
                rows.append((target, stats["deltas"], heap(cdp), stats["patches"], time.monotonic() - started))
            assert page.evaluate("() => window.__noReload"), "the page reloaded during the run"
            points = page.evaluate("() => document.querySelector('#tren2 .js-plotly-plot').data[0].x.length")
            # Dash records input prop changes for undo; pushed props must not pile up there.
            history = page.evaluate("() => window.store ? window.store.getState().history.past.length : -1")
            browser.close()
    finally:
        writer.stop()
        runtime.stop()
        server.close()

    (_, _, base, _, _), (_, _, last, patches, elapsed) = rows[0], rows[-1]
    growth = last["heap_mb"] - base["heap_mb"]
    print(f"\nMachine: {machine()}")
    print(f"{writer.count} writes at {args.rate:g}/s; {rows[-1][1]} delta messages applied in {elapsed:.0f} s, "
          f"{patches} of them with figure patches; trend t2 now has {points} points; "
          f"Dash undo history holds {history} entries\n")
    print(f"| {'after N updates':16} | {'JS heap (MB)':>12} | {'DOM nodes':>9} | {'listeners':>9} "
          f"| {'server RSS (MB)':>15} |")
    print(f"|{'-' * 18}|{'-' * 14}|{'-' * 11}|{'-' * 11}|{'-' * 17}|")
    for target, got, h, _, _ in rows:
        print(f"| {f'{target} ({got})':16} | {h['heap_mb']:12.2f} | {h['nodes']:9.0f} | {h['listeners']:9.0f} "
              f"| {h['rss_mb']:15.1f} |")
    ok = growth <= TARGET_MB
    print(f"\nheap growth {growth:+.2f} MB (target <= {TARGET_MB:g} MB): {'ok' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
