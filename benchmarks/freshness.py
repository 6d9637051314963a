"""Freshness: from a source's change to the value on a wall in Chromium, p50 and p95.

A JSON API (a local HTTP server in this process) holds one figure; `wallboard run` polls it with an
``http_json`` source every ``--every`` seconds. The figure changes every few seconds at a random
phase against the poll; a MutationObserver in a headless Chromium wall records when each value
appears. Freshness = time on screen - time the API started answering the new value, so it includes
the wait for the next poll (on average half of ``every``), the fetch, the write, the hub's rebuild
and the push. The same run reports what part of it is the poll wait (the lower bound any polling
collector has) so the rest is wallboard's own latency.

    python benchmarks/freshness.py [--every 1] [--changes 30]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wall_common import CHROMIUM, CHROMIUM_ARGS, free_port, machine, percentile, start_process, stop_process  # noqa: E402

STATE = {"value": 100}


class Api(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = json.dumps({"data": [{"kode": "12.75", "nilai": STATE["value"]}]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args) -> None:  # noqa: ANN002
        return


def config(api: str, db_url: str, every: float) -> str:
    return f"""
site: {{name: Freshness, region: "12.75", timezone: Asia/Jakarta}}
database: {{url: "{db_url}"}}
sources:
  - {{id: api, type: http_json, url: "{api}", every: {every:g}s, records: data,
     columns: {{region: kode, value: nilai}}, indicator: angka}}
indicators:
  - {{id: angka, label: Angka, unit: laporan}}
screens:
  - id: utama
    grid: {{columns: 2, rows: 1}}
    panels:
      - {{id: angka, type: kpi, indicator: angka, at: [0, 0], size: [2, 1]}}
"""


OBSERVE = """() => {
    window.__obs = [];
    const root = document.getElementById('angka');
    const read = () => { const el = root.querySelector('[data-role=value]'); return el ? el.textContent : ''; };
    new MutationObserver(() => window.__obs.push([Date.now(), read()]))
        .observe(root, {childList: true, characterData: true, subtree: true});
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--every", type=float, default=1.0, help="the source's poll interval, seconds")
    parser.add_argument("--changes", type=int, default=30)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    api_port = free_port()
    api = ThreadingHTTPServer(("127.0.0.1", api_port), Api)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    tmp = Path(tempfile.mkdtemp(prefix="freshness-"))
    (tmp / "config.yaml").write_text(config(f"http://127.0.0.1:{api_port}/", f"sqlite:///{tmp / 'w.db'}", args.every),
                                     encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_process([sys.executable, "-m", "wallboard.cli", "run", "--config", str(tmp / "config.yaml"),
                          "--port", str(port)], base + "/api/health", tmp / "server.log")
    changes: list[tuple[int, float]] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(base + "/wall/utama")
            page.wait_for_function("() => /100/.test(document.querySelector('#angka [data-role=value]')"
                                   "?.textContent || '')", timeout=60000)
            page.evaluate(OBSERVE)
            rng = random.Random(3)
            for n in range(args.changes):
                page.wait_for_timeout(int((2 + rng.random() * args.every) * 1000))  # random phase vs the poll
                STATE["value"] = 200 + n
                changes.append((200 + n, time.time()))
            page.wait_for_timeout(int((args.every + 3) * 1000))
            seen = page.evaluate("() => window.__obs")
            browser.close()
    finally:
        stop_process(proc)
        api.shutdown()
    delays, missed = [], 0
    for value, at in changes:
        shown = next((t for t, text in seen if text.strip().replace(".", "") == str(value)), None)
        if shown is None:
            missed += 1
        else:
            delays.append(shown / 1000 - at)
    p50, p95 = percentile(delays, 0.5), percentile(delays, 0.95)
    print(f"\nMachine: {machine()}")
    print(f"http_json source polled every {args.every:g} s, {args.changes} changes\n")
    print(f"| {'source change -> value on the wall':36} | {'value':>8} |")
    print(f"|{'-' * 38}|{'-' * 10}|")
    print(f"| {'p50':36} | {p50:6.2f} s |")
    print(f"| {'p95':36} | {p95:6.2f} s |")
    print(f"| {'mean wait for the next poll':36} | {args.every / 2:6.2f} s |")
    print(f"| {'values seen / missed':36} | {len(delays):>3} / {missed:<2} |")
    return 0 if missed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
