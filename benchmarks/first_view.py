"""The wall's request chain and first full view, cold and on a reload (issue 23, item 3).

Runs the shipped demo (``config.yaml``, screen ``utama``) with ``wallboard run`` once per checkout
named with ``--code`` (each server its own copy of the demo and its own ``PYTHONPATH``), opens the
wall in headless Chromium and records, through the DevTools protocol's network events
(``Network.requestWillBeSent`` / ``responseReceived`` / ``loadingFinished`` /
``eventSourceMessageReceived``), when each of the requests that matter was sent and answered: the
page, Dash's ``_dash-layout`` and ``_dash-dependencies``, the pages router's
``_dash-update-component``, the stream (``/api/stream/<screen>``) and its greeting (the ``hello``).
Then the first full view (``wallboard.doctor``'s measure: every panel holds its data, every chart
has drawn) after ``load`` and from the navigation.

Each round opens a fresh browser context (cold cache: the first load of a new wall PC), then reloads
it ``--reloads`` times with ``location.reload()``, what a wall does at ``reload_at`` (warm cache).
The checkouts take turns within each round, so a neighbour's load falls on both alike.

    python benchmarks/first_view.py --code /work/main --code .      # before, after
    python benchmarks/first_view.py --code . --rounds 5 --width 3840 --height 2160

Times are milliseconds from the navigation's start (the page request sent); "after load" is
``wallboard doctor``'s first-view figure.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from ruamel.yaml import YAML

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wall_common import CHROMIUM, CHROMIUM_ARGS, free_port, machine, stop_process  # noqa: E402

from wallboard.doctor import FULL_VIEW_JS  # noqa: E402

KEYS = ("_dash-layout", "_dash-dependencies", "_dash-update-component", "/api/stream/")


@dataclass
class Load:
    """What one page load asked for, when, and when it could show the whole wall."""

    sent: dict[str, float] = field(default_factory=dict)  # key -> first request sent, ms from navigation
    answered: dict[str, float] = field(default_factory=dict)  # key -> its response's headers received
    done: dict[str, float] = field(default_factory=dict)  # key -> its body finished (not the stream)
    counts: dict[str, int] = field(default_factory=dict)  # key -> requests of that kind
    hello_ms: float | None = None  # the stream's first message
    requests: int = 0
    from_network: int = 0  # not answered from the browser's cache
    load_ms: float = 0.0
    view_after_load_s: float | None = None
    view_ms: float | None = None

    def chain(self) -> str:
        """The requests in the order they were sent, each with its send and answer time."""
        parts = []
        for key in sorted(self.sent, key=self.sent.get):
            name = key.strip("/").replace("api/stream", "stream")
            count = f" x{self.counts[key]}" if self.counts.get(key, 1) > 1 else ""
            end = self.done.get(key, self.answered.get(key))
            parts.append(f"{name}{count} {self.sent[key]:.0f}-{end:.0f}" if end is not None
                         else f"{name}{count} {self.sent[key]:.0f}-")
        return ", ".join(parts)


class Recorder:
    """Collects one page's network events through a CDP session."""

    def __init__(self, cdp: Any) -> None:
        self.events: list[tuple[str, dict]] = []
        cdp.send("Network.enable")
        for name in ("requestWillBeSent", "responseReceived", "loadingFinished", "requestServedFromCache",
                     "eventSourceMessageReceived"):
            cdp.on(f"Network.{name}", lambda e, n=name: self.events.append((n, e)))

    def take(self) -> Load:
        events, self.events = self.events, []
        return summarise(events)


def _key(url: str) -> str | None:
    return next((k for k in KEYS if k in url), None)


def summarise(events: list[tuple[str, dict]]) -> Load:
    load = Load()
    start = next((e["timestamp"] for n, e in events if n == "requestWillBeSent" and e.get("type") == "Document"),
                 None)
    if start is None:
        return load
    ms = lambda stamp: (stamp - start) * 1000  # noqa: E731 - CDP timestamps are seconds
    kinds: dict[str, str] = {}
    cached: set[str] = set()
    for name, event in events:
        rid = event.get("requestId")
        if name == "requestWillBeSent":
            load.requests += 1
            key = _key(event["request"]["url"])
            if key:
                kinds[rid] = key
                load.counts[key] = load.counts.get(key, 0) + 1
                load.sent.setdefault(key, ms(event["timestamp"]))
        elif name == "requestServedFromCache":
            cached.add(rid)
        elif name == "responseReceived":
            response = event["response"]
            if response.get("fromDiskCache") or response.get("fromMemoryCache") or response.get("fromPrefetchCache"):
                cached.add(rid)
            if rid in kinds:
                load.answered.setdefault(kinds[rid], ms(event["timestamp"]))
        elif name == "loadingFinished" and rid in kinds and kinds[rid] != "/api/stream/":
            load.done.setdefault(kinds[rid], ms(event["timestamp"]))
        elif name == "eventSourceMessageReceived" and event.get("eventName") == "hello" and load.hello_ms is None:
            load.hello_ms = ms(event["timestamp"])
    load.from_network = load.requests - len(cached)
    return load


def first_view(page: Any, load: Load) -> Load:
    """doctor's measure (seconds after ``load``), and the same moment from the navigation."""
    load.view_after_load_s = page.evaluate(FULL_VIEW_JS)
    nav_start = page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
    load.load_ms = nav_start
    if load.view_after_load_s is not None:
        load.view_ms = nav_start + load.view_after_load_s * 1000
    return load


def demo_copy(code: Path, folder: Path) -> Path:
    """The demo of ``code`` (its config and data) in ``folder``, with a database of its own."""
    shutil.copytree(code / "data", folder / "data", ignore=shutil.ignore_patterns("wallboard.db*"))
    yaml = YAML()
    config = yaml.load((code / "config.yaml").read_text(encoding="utf-8"))
    config["database"]["url"] = f"sqlite:///{folder / 'data' / 'wallboard.db'}"
    with open(folder / "config.yaml", "w", encoding="utf-8") as out:
        yaml.dump(config, out)
    return folder / "config.yaml"


def start(code: Path, folder: Path) -> tuple[subprocess.Popen, str]:
    """``wallboard run`` of checkout ``code`` (its own PYTHONPATH), checked to serve that code's wall.js."""
    config = demo_copy(code, folder)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(folder / "server.log", "ab")  # noqa: SIM115 - the process holds it
    env = {**os.environ, "PYTHONPATH": str(code)}
    command = [sys.executable, "-m", "wallboard.cli", "run", "--config", str(config), "--port", str(port)]
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=str(folder), env=env)
    for _ in range(300):
        try:
            if httpx.get(url + "/api/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError((folder / "server.log").read_text()[-3000:])
        subprocess.run(["sleep", "0.2"], check=False)
    else:
        stop_process(proc)
        raise RuntimeError(f"{code} did not come up:\n" + (folder / "server.log").read_text()[-3000:])
    served = httpx.get(url + "/assets/wall.js", timeout=10).content
    mine = (code / "wallboard" / "web" / "wall" / "assets" / "wall.js").read_bytes()
    if hashlib.sha256(served).digest() != hashlib.sha256(mine).digest():
        stop_process(proc)
        raise RuntimeError(f"the server on {url} does not serve {code}'s wall.js")
    return proc, url


def describe(code: Path) -> str:
    head = subprocess.run(["git", "-C", str(code), "log", "-1", "--format=%h"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(code), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return f"{code} ({head.stdout.strip() or '?'}{', modified' if dirty else ''})"


def measure(browser: Any, url: str, width: int, height: int, reloads: int) -> list[tuple[str, Load]]:
    """A cold load in a fresh context, then ``reloads`` reloads as ``reload_at`` does them."""
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    try:
        page = context.new_page()
        recorder = Recorder(context.new_cdp_session(page))
        page.goto(url + "/wall/utama", wait_until="load")
        out = [("cold", first_view(page, Load()))]
        out[-1] = ("cold", _merge(recorder.take(), out[-1][1]))
        for n in range(reloads):
            with page.expect_navigation(wait_until="load"):
                page.evaluate("() => window.location.reload()")
            view = first_view(page, Load())
            out.append((f"reload {n + 1}", _merge(recorder.take(), view)))
        return out
    finally:
        context.close()


def _merge(network: Load, view: Load) -> Load:
    network.view_after_load_s, network.view_ms, network.load_ms = view.view_after_load_s, view.view_ms, view.load_ms
    return network


def row(label: str, kind: str, load: Load) -> str:
    after = "never" if load.view_after_load_s is None else f"{load.view_after_load_s:.2f}"
    view = "-" if load.view_ms is None else f"{load.view_ms:.0f}"
    hello = "-" if load.hello_ms is None else f"{load.hello_ms:.0f}"
    routed = load.counts.get("_dash-update-component", 0)
    return (f"| {label} | {kind} | {load.requests} / {load.from_network} | {routed} "
            f"| {load.chain()} | {hello} | {load.load_ms:.0f} | {view} | {after} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", type=Path, action="append", help="a checkout to run (repeat: before, after)")
    parser.add_argument("--rounds", type=int, default=3, help="fresh contexts per checkout")
    parser.add_argument("--reloads", type=int, default=3, help="reloads per context (warm cache, as at reload_at)")
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    args = parser.parse_args()
    codes = [c.resolve() for c in (args.code or [Path(__file__).resolve().parent.parent])]
    from playwright.sync_api import sync_playwright

    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    servers = []
    views: dict[tuple[int, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="first-view-") as tmp:
        try:
            for n, code in enumerate(codes):
                folder = Path(tmp) / f"code{n}"
                folder.mkdir()
                servers.append(start(code, folder))
                print(f"code {n}: {describe(code)} on {servers[-1][1]}")
            print(f"\n{args.width}x{args.height}, times in ms from navigation start\n")
            print("| code | load | requests / from network | router calls | chain: sent-answered ms | hello ms "
                  "| load ms | full view ms | full view after load s |")
            print("|---|---|---|---|---|---|---|---|---|")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for _ in range(args.rounds):
                    for n, (_proc, url) in enumerate(servers):
                        for kind, load in measure(browser, url, args.width, args.height, args.reloads):
                            print(row(str(n), kind, load), flush=True)
                            if load.view_after_load_s is not None:
                                views.setdefault((n, kind.split()[0]), []).append(load.view_after_load_s)
                browser.close()
        finally:
            for proc, _url in servers:
                stop_process(proc)
    print()
    for (n, kind), values in sorted(views.items()):
        print(f"code {n} {kind}: full view after load median {statistics.median(values):.2f} s, "
              f"max {max(values):.2f} s over {len(values)}")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
