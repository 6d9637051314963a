"""`wallboard doctor URL`: what a wall costs the browser of the PC that shows it.

A command center's wall PC is often a TV stick or a mini PC behind each screen. Before mounting a
new one, an admin points this command at the wall it will show and reads, per minute of wall time,
what Chromium's own counters say (the DevTools protocol's ``Performance.getMetrics``, the figures
``benchmarks/wall_pc.py`` records for the project):

* main thread busy (``TaskDuration``): seconds of each minute the page's main thread worked. A
  stick whose CPU is four times slower than this machine shows roughly ``--throttle 4``;
* layouts and style recalculations a minute (``LayoutCount``, ``RecalcStyleCount``);
* the JavaScript heap (``JSHeapUsedSize``), which should stay flat for weeks;
* the first full view: seconds from the page's ``load`` event until every panel shows its data.

It drives a headless Chromium through Playwright (``pip install playwright``; the browser is the
machine's own, ``--chromium``, never downloaded). A wall behind sign-in is measured with its kiosk
token in the URL (``/wall/utama?token=...``).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from dataclasses import dataclass
from typing import Any

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-background-timer-throttling",
                 "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"]
# Targets of issue 23 (docs/wall-pc.md): per minute of wall time on the demo wall.
TARGET_BUSY_1X = 0.5
TARGET_BUSY_4X = 2.0
TARGET_LAYOUTS = 60
TARGET_FIRST_VIEW = 1.5

# Resolves with the seconds from the load event to the moment every panel holds its first data
# (every panel has a state, every chart has drawn its traces); null after 60 s.
FULL_VIEW_JS = """() => new Promise(resolve => {
  const start = performance.now();
  const ready = () => {
    const wall = document.getElementById('wall');
    if (!wall || !window.wallboard || !window.wallboard.stats.hellos) return false;
    const panels = [...wall.querySelectorAll('[data-panel]')];
    if (!panels.length || panels.some(p => !p.hasAttribute('data-state'))) return false;
    return [...wall.querySelectorAll('.js-plotly-plot')].every(g => g._fullData && g.querySelector('.main-svg'));
  };
  const tick = () => {
    if (ready()) {
      const nav = performance.getEntriesByType('navigation')[0];
      const loaded = nav && nav.loadEventEnd ? nav.loadEventEnd : 0;
      resolve(Math.max(0, performance.now() - loaded) / 1000);
    } else if (performance.now() - start > 60000) resolve(null);
    else requestAnimationFrame(tick);
  };
  tick();
})"""


@dataclass
class Cost:
    """What one wall cost its browser over the measured window, scaled to one minute."""

    busy_s: float  # main thread (TaskDuration) seconds per minute
    script_s: float  # of which JavaScript (ScriptDuration)
    layouts: float  # LayoutCount per minute
    styles: float  # RecalcStyleCount per minute
    heap_mb: float  # JSHeapUsedSize at the end, MB
    first_view_s: float | None  # load event to every panel drawn, seconds

    def verdict(self, throttle: float) -> list[str]:
        """The targets this wall misses, as short lines (empty: all met)."""
        missed = []
        busy_target = TARGET_BUSY_4X if throttle >= 4 else TARGET_BUSY_1X
        if self.busy_s > busy_target:
            missed.append(f"main thread {self.busy_s:.2f} s/min > {busy_target} s/min")
        if self.layouts > TARGET_LAYOUTS:
            missed.append(f"{self.layouts:.0f} layouts/min > {TARGET_LAYOUTS}")
        if throttle == 1 and (self.first_view_s is None or self.first_view_s > TARGET_FIRST_VIEW):
            shown = "never" if self.first_view_s is None else f"{self.first_view_s:.2f} s"
            missed.append(f"first full view {shown} > {TARGET_FIRST_VIEW} s")
        return missed


def _metrics(cdp: Any) -> dict[str, float]:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def measure(browser: Any, url: str, width: int, height: int, seconds: float, throttle: float = 1.0,
            settle: float = 0.0) -> Cost:
    """Open ``url`` in a fresh context of ``browser`` (Playwright) and read its cost over ``seconds``.

    The first full view is measured unthrottled (it is this machine's figure); throttling then
    applies to the measured window only. ``settle`` seconds after the first view are left out of
    the window: charts finish their first drawing then, a one-off that a short window would
    otherwise count as the wall's steady cost.
    """
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        first_view = page.evaluate(FULL_VIEW_JS)
        if settle > 0:
            page.wait_for_timeout(settle * 1000)
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
        if throttle != 1:
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        before = _metrics(cdp)
        started = time.monotonic()
        page.wait_for_timeout(seconds * 1000)  # the measured window: wall time passing is the point
        after = _metrics(cdp)
        per_minute = 60.0 / (time.monotonic() - started)
        delta = {k: (after.get(k, 0.0) - before.get(k, 0.0)) for k in after}
        return Cost(busy_s=delta.get("TaskDuration", 0.0) * per_minute,
                    script_s=delta.get("ScriptDuration", 0.0) * per_minute,
                    layouts=delta.get("LayoutCount", 0.0) * per_minute,
                    styles=delta.get("RecalcStyleCount", 0.0) * per_minute,
                    heap_mb=after.get("JSHeapUsedSize", 0.0) / 1e6,
                    first_view_s=first_view)
    finally:
        context.close()


def find_chromium(given: str | None) -> str | None:
    if given:
        return given
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: WIDTHxHEIGHT, e.g. 1920x1080") from None
    return width, height


def cmd_doctor(args: argparse.Namespace) -> int:
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("wallboard doctor: Playwright is not installed (pip install playwright)", file=sys.stderr)
        return 1
    chromium = find_chromium(args.chromium)
    if chromium is None:
        print("wallboard doctor: no Chromium found; install it or give --chromium PATH", file=sys.stderr)
        return 1
    width, height = args.size
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                cost = measure(browser, args.url, width, height, args.seconds, args.throttle)
            finally:
                browser.close()
    except PlaywrightError as exc:
        print(f"wallboard doctor: {args.url}: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return 1
    _print(args, cost)
    return 0 if not cost.verdict(args.throttle) else 2


def _print(args: argparse.Namespace, cost: Cost) -> None:
    first = "never" if cost.first_view_s is None else f"{cost.first_view_s:.2f} s"
    width, height = args.size
    print(f"{args.url} at {width}x{height}, CPU x{args.throttle:g}, {args.seconds:g} s measured")
    print(f"  first full view after load  {first}")
    print(f"  main thread busy            {cost.busy_s:.2f} s/min (JavaScript {cost.script_s:.2f} s/min)")
    print(f"  layouts                     {cost.layouts:.0f} /min")
    print(f"  style recalculations        {cost.styles:.0f} /min")
    print(f"  JavaScript heap             {cost.heap_mb:.1f} MB")
    missed = cost.verdict(args.throttle)
    print("  verdict: " + ("within the targets of docs/wall-pc.md" if not missed else "; ".join(missed)))


def register(sub: argparse._SubParsersAction) -> None:
    doctor = sub.add_parser("doctor", help="what a wall costs the browser of its wall PC (Chromium's own counters)")
    doctor.add_argument("url", help="the wall, e.g. http://127.0.0.1:8050/wall/utama?token=...")
    doctor.add_argument("--seconds", type=float, default=60.0, help="how long to measure (default 60)")
    doctor.add_argument("--throttle", type=float, default=1.0,
                        help="CPU slow-down to emulate a cheaper PC, e.g. 4 for a TV stick (default 1)")
    doctor.add_argument("--size", type=_size, default=(1920, 1080), help="screen size (default 1920x1080)")
    doctor.add_argument("--chromium", help="the browser to drive (default: chromium on PATH)")
    doctor.set_defaults(func=cmd_doctor)
