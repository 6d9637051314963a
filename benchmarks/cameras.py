"""Browser cost of live CCTV: a 1920x1080 wall with a 3x3 grid of HLS cameras, over 5 minutes.

Nine fake cameras (ffmpeg's test pattern as a looping live HLS stream, ``tests/camera_streams.py``)
play in one ``cameras`` panel filling the screen. Measured in the same run, on the same wall:

* ``3x3 HLS playing``: the grid's page on show, all nine decoders live;
* ``baseline: page without cameras``: the same screen pinned to its other page (a clock), where
  every camera is stopped, which is also the check that hidden cameras cost nothing.

Per phase: CPU of all Chromium processes (user+system from /proc, in cores: 1.00 = one core
busy), CDP ``Performance`` task and script time, the JS heap before and after, and the video frames
decoded and dropped (``getVideoPlaybackQuality``). Run::

    python benchmarks/cameras.py                    # 300 s playing, 60 s baseline, 640x360 at 25 fps
    python benchmarks/cameras.py --seconds 60 --baseline 20 --size 1280x720
    python benchmarks/cameras.py --shot /tmp/cams.png   # also save a screenshot of the grid
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from wall_common import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, machine, start_process, stop_process  # noqa: E402

sys.path.insert(0, str(ROOT))
from tests.camera_streams import CameraServer, make_media  # noqa: E402

CONFIG = """
site: {{name: Uji CCTV, region: "12.75"}}
database: {{url: "sqlite:///{db}"}}
sources:
  - {{id: simulasi, type: demo, every: 1h, backfill: 1h, indicators: [latar]}}
indicators:
  - {{id: latar, label: Latar}}
screens:
  - id: cctv
    grid: {{columns: 3, rows: 3}}
    pages:
      - panels:
          - id: grid
            type: cameras
            layout: 3x3
            at: [0, 0]
            size: [3, 3]
            cameras:
{cameras}
      - panels:
          - {{id: jam, type: clock, at: [0, 0], size: [3, 3]}}
"""


def chromium_pids(root: int) -> list[int]:
    """Every chromium process descending from ``root`` (Linux /proc)."""
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1: stat.rindex(")")]
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        names[int(entry.name)] = name
    out = []
    for pid in parents:
        p = pid
        while p in parents and p != root and p > 1:
            p = parents[p]
        if p == root and "chrom" in names[pid]:
            out.append(pid)
    return out


def cpu_of(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def metrics(cdp) -> dict[str, float]:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


VIDEO_JS = """() => [...document.querySelectorAll('#grid video')].map(v => {
  const q = v.getVideoPlaybackQuality(); return [v.currentTime, q.totalVideoFrames, q.droppedVideoFrames]; })"""


def phase(page, cdp, seconds: float) -> dict[str, float]:
    pids = chromium_pids(os.getpid())
    cdp.send("HeapProfiler.collectGarbage")
    before = metrics(cdp)
    video0 = page.evaluate(VIDEO_JS)
    cpu0, t0 = cpu_of(pids), time.monotonic()
    time.sleep(seconds)
    cpu1, t1 = cpu_of(chromium_pids(os.getpid())), time.monotonic()
    video1 = page.evaluate(VIDEO_JS)
    cdp.send("HeapProfiler.collectGarbage")
    after = metrics(cdp)
    wall = t1 - t0
    frames = sum(b[1] - a[1] for a, b in zip(video0, video1, strict=True))
    dropped = sum(b[2] - a[2] for a, b in zip(video0, video1, strict=True))
    advanced = sum(1 for a, b in zip(video0, video1, strict=True) if b[0] > a[0] + 1)
    return {
        "cpu": (cpu1 - cpu0) / wall,
        "task": (after["TaskDuration"] - before["TaskDuration"]) / wall,
        "script": (after["ScriptDuration"] - before["ScriptDuration"]) / wall,
        "heap0": before["JSHeapUsedSize"] / 2**20,
        "heap1": after["JSHeapUsedSize"] / 2**20,
        "fps": frames / wall,
        "dropped": dropped,
        "playing": advanced,
        "live": page.evaluate("() => window.wallboard.cameras.live"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--baseline", type=float, default=60)
    parser.add_argument("--size", default="640x360")
    parser.add_argument("--fps", type=int, default=25)
    parser.add_argument("--shot", default=None)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        make_media(tmp / "media", size=args.size, fps=args.fps, seconds=20, segment=2)
        cams = CameraServer(tmp / "media", segment=2.0, window=3).start()
        cameras = "\n".join(f'              - {{label: Kamera {n + 1}, url: "{cams.hls(f"c{n}")}"}}'
                            for n in range(9))
        (tmp / "config.yaml").write_text(CONFIG.format(db=tmp / "wall.db", cameras=cameras))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start_process([sys.executable, "-m", "wallboard.cli", "run", "--config", str(tmp / "config.yaml"),
                                "--port", str(port)], url + "/api/health", tmp / "server.log")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1920, "height": 1080})
                cdp = page.context.new_cdp_session(page)
                cdp.send("Performance.enable")
                page.goto(url + "/wall/cctv?page=0")
                page.wait_for_function(
                    "() => { const cs = [...document.querySelectorAll('#grid .camera')];"
                    " return cs.length === 9 && cs.every(c => c.dataset.camState === 'ok'); }",
                    timeout=60_000)
                if args.shot:
                    page.wait_for_function("() => document.querySelector('[data-panel=grid]').dataset.state === 'ok'")
                    page.wait_for_timeout(1000)
                    page.screenshot(path=args.shot)
                playing = phase(page, cdp, args.seconds)
                page.goto(url + "/wall/cctv?page=1")
                page.wait_for_function("() => window.wallboard && window.wallboard.cameras", timeout=30_000)
                time.sleep(3)
                idle = phase(page, cdp, args.baseline)
                browser.close()
        finally:
            stop_process(server)
            cams.stop()

    print(f"machine: {machine()}")
    print(f"wall 1920x1080, 3x3 grid of HLS cameras {args.size} at {args.fps} fps (2 s segments)")
    print(f"{'phase':34} {'seconds':>7} {'CPU cores':>9} {'task/s':>7} {'script/s':>8} {'heap MiB':>15} "
          f"{'frames/s':>8} {'dropped':>7} {'live':>4}")
    for name, seconds, r in (("3x3 HLS playing", args.seconds, playing),
                             ("baseline: page without cameras", args.baseline, idle)):
        print(f"{name:34} {seconds:7.0f} {r['cpu']:9.2f} {r['task']:7.3f} {r['script']:8.3f} "
              f"{r['heap0']:6.1f} -> {r['heap1']:5.1f} {r['fps']:8.1f} {r['dropped']:7.0f} {r['live']:4d}")
    print(f"cameras whose video advanced while shown: {playing['playing']}/9; "
          f"live decoders on the page without cameras: {idle['live']}")
    ok = playing["playing"] == 9 and idle["live"] == 0 and idle["cpu"] < playing["cpu"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
