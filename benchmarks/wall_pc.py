"""What the demo wall costs the browser of a wall PC, per minute of wall time (issue 23).

Runs the shipped demo (``config.yaml``, Kota Binjai, screen ``utama``: 14 panels) with
``wallboard run`` on a copy in a temporary folder (its demo source seeded), opens it in headless Chromium and reads
Chromium's own counters (``Performance.getMetrics`` through the DevTools protocol, the figures
``wallboard doctor`` prints): main thread busy seconds, layouts and style recalculations per minute,
the JavaScript heap, and the first full view (``load`` to every panel drawn). Each size and CPU
throttle is a fresh page; then each panel type alone on a wall (same position and size as on the
demo wall, screens ``solo-<panel>`` added to the copy's config) shows which panel costs what.

    python benchmarks/wall_pc.py                         # 60 s per wall, panels 20 s each
    python benchmarks/wall_pc.py --seconds 30 --no-panels
    python benchmarks/wall_pc.py --settle 3             # steady state: first drawing left out

The table compares with the figures measured when issue 23 was filed ("before") and its targets:
main thread <= 0.5 s/min at 1x and <= 2 s/min at 4x, <= 60 layouts/min, first view <= 1.5 s.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ruamel.yaml import YAML

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wall_common import CHROMIUM, ROOT, free_port, machine, start_process, stop_process  # noqa: E402

from wallboard.doctor import CHROMIUM_ARGS, Cost, measure  # noqa: E402

# Issue 23, measured on the demo wall at 1920x1080 before any of its work (per minute of wall time).
BEFORE = {(1920, 1080, 1.0): "2.25 s, 447 layouts, first view 3.3-4.9 s",
          (1920, 1080, 4.0): "8.4 s",
          (3840, 2160, 1.0): "first view 3.5-5.7 s"}
SIZES = [(1920, 1080), (3840, 2160)]
SEED = 23


def wall_copy(folder: Path) -> list[str]:
    """The demo in ``folder`` (config and data, its own database) plus one screen per panel of
    ``utama``; returns the panel ids."""
    shutil.copytree(ROOT / "data", folder / "data", ignore=shutil.ignore_patterns("wallboard.db*"))
    yaml = YAML()
    config = yaml.load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    config["database"]["url"] = f"sqlite:///{folder / 'data' / 'wallboard.db'}"
    for source in config["sources"]:
        # The demo's random walk and events from a fixed seed: two runs minutes apart see the same
        # kind of minute (which panels change, whether an alert is up), which decides more of the
        # wall's cost than most changes to it do.
        if source.get("type") == "demo":
            source.setdefault("seed", SEED)
    utama = next(s for s in config["screens"] if s["id"] == "utama")
    panels = [p["id"] for p in utama["panels"]]
    for panel in list(utama["panels"]):
        config["screens"].append({"id": f"solo-{panel['id']}", "resolution": "1920x1080",
                                  "grid": dict(utama["grid"]), "panels": [panel]})
    with open(folder / "config.yaml", "w", encoding="utf-8") as out:
        yaml.dump(config, out)
    return panels


def row(label: str, size: tuple[int, int], throttle: float, cost: Cost, before: str = "") -> str:
    first = "-" if cost.first_view_s is None or throttle != 1 else f"{cost.first_view_s:.2f}"
    missed = cost.verdict(throttle)
    return (f"| {label:<22} | {size[0]}x{size[1]} | x{throttle:g} | {cost.busy_s:6.2f} | {cost.script_s:6.2f} | "
            f"{cost.layouts:5.0f} | {cost.styles:5.0f} | {cost.heap_mb:5.1f} | {first:>5} | "
            f"{'ok' if not missed else 'MISSED'} | {before} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="measured window per demo wall")
    parser.add_argument("--panel-seconds", type=float, default=20.0, help="measured window per lone panel")
    parser.add_argument("--no-panels", action="store_true", help="skip the per-panel breakdown")
    parser.add_argument("--settle", type=float, default=0.0,
                        help="seconds after the first full view left out of each window (charts finish drawing)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"machine: {machine()}")
    print("| wall                   | size      | CPU | busy s/min | JS s/min | layouts/min | styles/min "
          "| heap MB | first view s | targets | before (issue 23) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="wall-pc-") as tmp:
        folder = Path(tmp)
        panels = wall_copy(folder)
        # The server is `python -m wallboard.cli` in that folder, with this environment: the code of
        # PYTHONPATH when set (a worktree measured against main), else the installed package.
        code = subprocess.run([sys.executable, "-c", "import wallboard; print(wallboard.__file__)"], cwd=folder,
                              capture_output=True, text=True, check=True).stdout.strip()
        print(f"server code: {Path(code).parent.parent}")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start_process([sys.executable, "-m", "wallboard.cli", "run", "--config", str(folder / "config.yaml"),
                                "--port", str(port)], url + "/api/health", folder / "server.log")
        missed = 0
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for size in SIZES:
                    for throttle in (1.0, 4.0):
                        cost = measure(browser, url + "/wall/utama", *size, args.seconds, throttle, args.settle)
                        missed += bool(cost.verdict(throttle))
                        print(row("demo /wall/utama", size, throttle, cost, BEFORE.get((*size, throttle), "")),
                              flush=True)
                if not args.no_panels:
                    for panel in panels:
                        cost = measure(browser, url + f"/wall/solo-{panel}", 1920, 1080, args.panel_seconds, 1.0,
                                       args.settle)
                        print(row(f"alone: {panel}", (1920, 1080), 1.0, cost), flush=True)
                browser.close()
        finally:
            stop_process(server)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
