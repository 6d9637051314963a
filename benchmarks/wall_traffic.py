"""The live wall against a naive Dash wall, in one run: bytes, server CPU, and reading-to-screen latency.

Both serve the reference 12-panel wall (see ``wall_common``) from the same SQLite store while one
indicator changes every 5 s. For each, N headless Chromium windows stay connected for a window of
time and we measure:

* bytes received per minute per wall browser, counted by Chromium (CDP ``Network.dataReceived``,
  encoded bytes, after the page has loaded);
* server CPU per connected wall: the server process's CPU time with the walls connected, minus its
  idle CPU time (same data changes, no browser; measured before and after, averaged) over as
  long, divided by N;
* latency from a reading's commit to its value on screen (a MutationObserver on the kpi), p50/p95.

* TOTAL server CPU with the walls open (the wallboard process collects too), against the naive
  server's with as many walls;
* MARGINAL CPU of each added wall: ``--extra`` more streams connected to the wallboard server (the
  server's work for a wall is its stream, a browser adds nothing there), the CPU rate above the
  rate with the browsers alone, divided by their number; against a naive wall's CPU (its cost
  grows linearly: every wall re-requests everything every ``--naive-every`` seconds).

Targets (issue 10): bytes <= 0.1 %, total CPU <= 5 %, marginal CPU per wall <= 0.05 % of the naive
wall's; p95 latency <= 1.5 s. Usage::

    python benchmarks/wall_traffic.py [--walls 4] [--seconds 60] [--idle 30] [--every 5] [--naive-every 2]

Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402
from wall_common import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    Writer,
    config_text,
    cpu_seconds,
    free_port,
    machine,
    percentile,
    seed,
    start_process,
    stop_process,
)

VALUE = "#kpi1 [data-role=value]"
OBSERVE = """() => {
    window.__obs = [];
    const root = document.getElementById('kpi1');
    const read = () => { const el = root.querySelector('[data-role=value]'); return el ? el.textContent : ''; };
    window.__obs.push([Date.now(), read()]);
    new MutationObserver(() => window.__obs.push([Date.now(), read()]))
        .observe(root, {childList: true, characterData: true, subtree: true});
}"""


def number(text: str) -> float | None:
    digits = re.sub(r"[^\d,]", "", text or "").replace(",", ".")
    try:
        return float(digits)
    except ValueError:
        return None


def marginal(url: str, args, pid: int, base_rate: float) -> float:  # noqa: ANN001
    """CPU per minute each added wall costs: ``args.extra`` more streams (no browser: the server's work
    for a wall is its stream), the window's CPU rate minus the rate with the browsers alone.

    The extra walls are plain sockets on one event loop in this process, asking for gzip as browsers
    do. (A thread per stream would bill the server's CPU for waking 200 reader threads: on loopback
    the kernel delivers each packet to the receiver in the sender's system call.)
    """
    import asyncio
    import threading
    from urllib.parse import urlsplit

    port = urlsplit(url).port
    stop = threading.Event()
    ready = threading.Event()

    async def reader() -> None:
        r, w = await asyncio.open_connection("127.0.0.1", port)
        w.write(b"GET /api/stream/utama HTTP/1.1\r\nHost: bench\r\nAccept-Encoding: gzip\r\n\r\n")
        while not stop.is_set() and await r.read(65536):
            pass
        w.close()

    async def main() -> None:
        tasks = [asyncio.create_task(reader()) for _ in range(args.extra)]
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.2)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    ready.wait(10)
    time.sleep(3)  # connected and greeted
    c0, t0 = cpu_seconds(pid), time.time()
    time.sleep(args.seconds)
    rate = (cpu_seconds(pid) - c0) / (time.time() - t0)
    stop.set()
    thread.join(10)
    return max(0.0, rate - base_rate) * 60 / args.extra


def measure(kind: str, browser, args, db_url: str, config: Path, writer: Writer) -> dict:  # noqa: ANN001
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = config.parent / f"{kind}.log"
    if kind == "wallboard":
        cmd = [sys.executable, "-m", "wallboard.cli", "run", "--config", str(config), "--port", str(port)]
        proc = start_process(cmd, url + "/api/health", log)
        page_url = url + "/wall/utama"
    else:
        cmd = [sys.executable, str(ROOT / "benchmarks" / "naive_wall.py"), "--db", db_url, "--port", str(port),
               "--every", str(args.naive_every)]
        proc = start_process(cmd, url + "/", log)
        page_url = url + "/"
    out: dict = {}
    try:
        time.sleep(3)  # start-up work (first snapshot, the events source's one run) is not idle cost
        c0 = cpu_seconds(proc.pid)
        time.sleep(args.idle)
        idle_rate = (cpu_seconds(proc.pid) - c0) / args.idle

        contexts, pages, received = [], [], []
        for _ in range(args.walls):
            context = browser.new_context(viewport={"width": 1920, "height": 1080})
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            counter: dict = {"bytes": 0, "urls": {}, "by_url": {}}

            def on_request(e: dict, c: dict = counter) -> None:
                c["urls"][e["requestId"]] = e["request"]["url"].split("?")[0]

            def on_data(e: dict, c: dict = counter) -> None:
                c["bytes"] += e["encodedDataLength"]
                url = c["urls"].get(e["requestId"], "?")
                c["by_url"][url] = c["by_url"].get(url, 0) + e["encodedDataLength"]

            cdp.on("Network.requestWillBeSent", on_request)
            cdp.on("Network.dataReceived", on_data)
            page.goto(page_url)
            page.wait_for_function(f"() => {{ const el = document.querySelector('{VALUE}');"
                                   " return el && /\\d/.test(el.textContent)"
                                   " && document.querySelectorAll('.js-plotly-plot').length >= 4; }", timeout=60000)
            page.evaluate(OBSERVE)
            contexts.append(context)
            pages.append(page)
            received.append(counter)
        pages[0].wait_for_timeout(3000)  # let every page settle after loading its scripts
        # Chromium may report a stream's bytes to DevTools late (seen: a wall's whole first view
        # counted in the window, though the server sent it before): the window starts once every
        # wall has been reported new bytes since the settle, so nothing older is still pending.
        settled = [c["bytes"] for c in received]
        deadline = time.monotonic() + 3 * max(args.every, args.naive_every) + 10
        while any(c["bytes"] == b for c, b in zip(received, settled, strict=True)) and time.monotonic() < deadline:
            pages[0].wait_for_timeout(100)
        pages[0].wait_for_timeout(500)

        health0 = httpx.get(url + "/api/health").json() if kind == "wallboard" else None
        start_bytes = [c["bytes"] for c in received]
        for c in received:
            c["by_url"] = {}
        c1, t1 = cpu_seconds(proc.pid), time.time()
        pages[0].wait_for_timeout(args.seconds * 1000)  # keeps CDP events flowing while we wait
        c2, t2 = cpu_seconds(proc.pid), time.time()
        health1 = httpx.get(url + "/api/health").json() if kind == "wallboard" else None
        if kind == "wallboard" and args.extra:
            out["marginal_cpu_per_min_per_wall"] = marginal(url, args, proc.pid, (c2 - c1) / (t2 - t1))
        pages[0].wait_for_timeout(1500)  # the last commit's value reaches the screens
        elapsed = t2 - t1
        total_bytes = sum(c["bytes"] - b for c, b in zip(received, start_bytes, strict=True))

        latencies, missed = [], 0
        commits = [(v, t) for v, t in writer.commits if t1 <= t <= t2]
        for page in pages:
            obs = page.evaluate("() => window.__obs")
            for value, at in commits:
                ms = at * 1000
                shown = next((t for t, text in obs if t >= ms - 20 and number(text) == value), None)
                if shown is None:
                    missed += 1
                else:
                    latencies.append((shown - ms) / 1000)
        for context in contexts:
            context.close()
        time.sleep(2)  # the streams end
        c3 = cpu_seconds(proc.pid)
        time.sleep(args.idle)  # idle again after the walls left, so drift in the idle cost evens out
        idle_rate = (idle_rate + (cpu_seconds(proc.pid) - c3) / args.idle) / 2
        by_url: dict[str, int] = {}
        for c in received:
            for url, n in c["by_url"].items():
                by_url[url] = by_url.get(url, 0) + n
        top = sorted(by_url.items(), key=lambda kv: -kv[1])[:3]
        print(f"  {kind}: bytes in the window by URL: " + ", ".join(f"{u.split(str(port))[-1]} {n:,}" for u, n in top)
              + "; per wall: " + ", ".join(f"{c['bytes'] - b:,}" for c, b in zip(received, start_bytes, strict=True)),
              file=sys.stderr)
        out |= {
            "bytes_per_min_per_wall": total_bytes / (elapsed / 60) / args.walls,
            "cpu_per_min_per_wall": max(0.0, (c2 - c1) - idle_rate * elapsed) / (elapsed / 60) / args.walls,
            "cpu_per_min_total": (c2 - c1) / (elapsed / 60),
            "cpu_per_min_idle": idle_rate * 60,
            "latency_p50": percentile(latencies, 0.5),
            "latency_p95": percentile(latencies, 0.95),
            "samples": len(latencies),
            "missed": missed,
            "commits": len(commits),
        }
        if health0 and health1:
            out["builds"] = health1["hub"]["builds"] - health0["hub"]["builds"]
            out["ticks"] = health1["hub"]["ticks"] - health0["hub"]["ticks"]
            out["messages"] = health1["hub"]["messages"] - health0["hub"]["messages"]
            # a wall that reconnects in the window is sent its whole view again: worth knowing
            out["connects"] = health1["hub"]["connected"] - health0["hub"]["connected"]
            # what the server wrote to the walls' streams (bodies, before chunk framing), as a check
            # on the browsers' own count
            out["server_bytes_per_min_per_wall"] = ((health1["hub"]["bytes_sent"] - health0["hub"]["bytes_sent"])
                                                    / (elapsed / 60) / args.walls)
            out["dropped"] = health1["hub"]["dropped"] - health0["hub"]["dropped"]
    finally:
        stop_process(proc)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--walls", type=int, default=4, help="browser windows connected to each server")
    parser.add_argument("--seconds", type=float, default=60, help="measurement window per server")
    parser.add_argument("--idle", type=float, default=30, help="idle CPU measurement before and after, per server")
    parser.add_argument("--every", type=float, default=5, help="seconds between data changes")
    parser.add_argument("--naive-every", type=float, default=2, help="seconds between the naive wall's refreshes")
    parser.add_argument("--extra", type=int, default=200,
                        help="stream clients added to the wallboard's walls to measure the marginal CPU per wall")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="wall-bench-"))
    db_url = f"sqlite:///{tmp / 'bench.db'}"
    seed(db_url)
    config = tmp / "config.yaml"
    config.write_text(config_text(db_url), encoding="utf-8")
    writer = Writer(db_url, args.every)
    writer.start()
    results = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for kind in ("wallboard", "naive"):
                print(f"measuring {kind} ({args.walls} walls, {args.seconds:.0f} s)...", file=sys.stderr, flush=True)
                results[kind] = measure(kind, browser, args, db_url, config, writer)
            browser.close()
    finally:
        writer.stop()

    ours, naive = results["wallboard"], results["naive"]
    total_ratio = ours["cpu_per_min_total"] / naive["cpu_per_min_total"] if naive["cpu_per_min_total"] else 0
    marginal_ratio = (ours.get("marginal_cpu_per_min_per_wall", 0) / naive["cpu_per_min_per_wall"]
                      if naive["cpu_per_min_per_wall"] else 0)
    bytes_ratio = ours["bytes_per_min_per_wall"] / naive["bytes_per_min_per_wall"]
    cpu_ratio = ours["cpu_per_min_per_wall"] / naive["cpu_per_min_per_wall"] if naive["cpu_per_min_per_wall"] else 0
    checks = [
        ("bytes received / min / wall", f"{ours['bytes_per_min_per_wall']:,.0f} B",
         f"{naive['bytes_per_min_per_wall']:,.0f} B", f"{bytes_ratio:.3%}", "<= 0.1 %", bytes_ratio <= 0.001),
        ("server CPU / min / wall (minus idle)", f"{ours['cpu_per_min_per_wall'] * 1000:,.1f} ms",
         f"{naive['cpu_per_min_per_wall'] * 1000:,.1f} ms", f"{cpu_ratio:.2%}", "<= 5 %", cpu_ratio <= 0.05),
        ("TOTAL server CPU / min, 4 walls", f"{ours['cpu_per_min_total'] * 1000:,.0f} ms",
         f"{naive['cpu_per_min_total'] * 1000:,.0f} ms", f"{total_ratio:.2%}", "<= 5 %", total_ratio <= 0.05),
        (f"MARGINAL CPU / min / wall (+{args.extra})", f"{ours.get('marginal_cpu_per_min_per_wall', 0) * 1000:,.2f} ms",
         f"{naive['cpu_per_min_per_wall'] * 1000:,.1f} ms", f"{marginal_ratio:.3%}", "<= 0.05 %",
         marginal_ratio <= 0.0005),
        ("commit -> screen latency p95", f"{ours['latency_p95']:.2f} s", f"{naive['latency_p95']:.2f} s", "",
         "<= 1.5 s", ours["latency_p95"] <= 1.5 and ours["missed"] == 0),
    ]
    info = [
        ("server CPU / min, idle", f"{ours['cpu_per_min_idle'] * 1000:,.0f} ms",
         f"{naive['cpu_per_min_idle'] * 1000:,.0f} ms"),
        ("commit -> screen latency p50", f"{ours['latency_p50']:.2f} s", f"{naive['latency_p50']:.2f} s"),
        ("values seen / missed", f"{ours['samples']} / {ours['missed']}", f"{naive['samples']} / {naive['missed']}"),
    ]
    if "builds" in ours:
        info.append(("snapshots built (data changes)", f"{ours['builds']} ({ours['commits']})", "-"))
        info.append(("delta messages queued (all walls)", f"{ours['messages']}", "-"))
        info.append(("walls reconnected / dropped in window", f"{ours['connects']} / {ours['dropped']}", "-"))
        info.append(("stream bytes / min / wall, server's count", f"{ours['server_bytes_per_min_per_wall']:,.0f} B",
                     "-"))
    print(f"\nMachine: {machine()}")
    print(f"{args.walls} walls per server, {args.seconds:.0f} s window, one indicator changing every "
          f"{args.every:g} s, the naive wall refreshing every {args.naive_every:g} s\n")
    print(f"| {'metric':38} | {'wallboard':>12} | {'naive Dash':>12} | {'ratio':>7} | {'target':>8} | ok  |")
    print(f"|{'-' * 40}|{'-' * 14}|{'-' * 14}|{'-' * 9}|{'-' * 10}|-----|")
    for name, a, b, ratio, target, ok in checks:
        print(f"| {name:38} | {a:>12} | {b:>12} | {ratio:>7} | {target:>8} | {'yes' if ok else 'NO':3} |")
    for name, a, b in info:
        print(f"| {name:38} | {a:>12} | {b:>12} | {'':>7} | {'':>8} |     |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if all(ok for *_, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
