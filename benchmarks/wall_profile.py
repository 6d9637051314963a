"""Where a wall's main-thread time goes (issue 23): a Chromium trace of the demo wall, top tasks.

Runs the demo like ``wall_pc.py`` (a copy of ``config.yaml`` with one ``solo-<panel>`` screen per
panel of ``utama``), opens a wall in headless Chromium, records a DevTools timeline trace
(``Tracing`` with the ``devtools.timeline`` categories) for ``--seconds`` after ``--settle``, and
prints per minute of wall time: the main thread's top-level tasks grouped by what ran them (a timer
and the script line that set it, an event, an animation frame, a message, Chromium's own frame
work), with their count and main-thread milliseconds, then the layouts and style recalculations
with the script that forced them (or "frame" when the renderer did them in its own frame).

    python benchmarks/wall_profile.py                         # /wall/utama, 30 s
    python benchmarks/wall_profile.py --wall solo-status --seconds 20
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wall_common import CHROMIUM, free_port, start_process, stop_process  # noqa: E402
from wall_pc import wall_copy  # noqa: E402

from wallboard.doctor import CHROMIUM_ARGS, FULL_VIEW_JS  # noqa: E402

CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute",
              "disabled-by-default-devtools.timeline.frame", "blink.user_timing", "loading"]
# Top-level work on the renderer's main thread: the trace's task events and what they contain.
TASK = "RunTask"
LABELLED = ("TimerFire", "FireAnimationFrame", "EventDispatch", "FunctionCall", "ParseHTML", "EvaluateScript",
            "v8.callFunction", "XHRReadyStateChange", "ResourceReceivedData", "HandlePostMessage")


def record(page, cdp, seconds: float) -> list[dict]:  # noqa: ANN001
    events: list[dict] = []
    done = {"flag": False}
    cdp.on("Tracing.dataCollected", lambda m: events.extend(m["value"]))
    cdp.on("Tracing.tracingComplete", lambda m: done.update(flag=True))
    cdp.send("Tracing.start", {"transferMode": "ReportEvents",
                               "traceConfig": {"includedCategories": CATEGORIES}})
    page.wait_for_timeout(seconds * 1000)  # the recorded window: wall time passing is the point
    cdp.send("Tracing.end")
    while not done["flag"]:
        page.wait_for_timeout(100)
    return events


def main_thread(events: list[dict]) -> tuple[int, int]:
    names = {(e["pid"], e["tid"]): e["args"].get("name") for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name"}
    for key, name in names.items():
        if name == "CrRendererMain":
            return key
    raise SystemExit("no renderer main thread in the trace")


def where(data: dict) -> str:
    frame = (data.get("stackTrace") or [{}])[0] if data.get("stackTrace") else data
    url = (frame.get("url") or "").rsplit("/", 1)[-1].split("?")[0]
    fn = frame.get("functionName") or ""
    line = frame.get("lineNumber")
    return f"{fn or '(anon)'} {url}:{line}" if url else (fn or "?")


def called(inner: list[dict]) -> str:
    for e in inner:
        if e["name"] in ("FunctionCall", "v8.callFunction"):
            return " -> " + where(e.get("args", {}).get("data", {}) or {})
    return ""


def label(task: dict, inner: list[dict], timers: dict) -> str:
    for e in inner:
        name, data = e["name"], e.get("args", {}).get("data", {}) or {}
        if name == "TimerFire":
            return f"timer {timers.get(data.get('timerId'), '')}{called(inner)}"
        if name == "EventDispatch":
            return f"event {data.get('type')}{called(inner)}"
        if name == "FireAnimationFrame":
            return f"animation frame{called(inner)}"
        if name in ("FunctionCall", "v8.callFunction"):
            return f"call {where(data)}"
        if name in LABELLED:
            return name
    names = [e["name"] for e in inner[:3]]
    return "other: " + ",".join(names) if names else "other (empty)"


def summarise(events: list[dict], seconds: float) -> None:
    pid, tid = main_thread(events)
    mine = sorted((e for e in events if e.get("pid") == pid and e.get("tid") == tid and e.get("ph") == "X"),
                  key=lambda e: e["ts"])
    timers = {}
    for e in events:
        if e.get("name") == "TimerInstall":
            data = e["args"]["data"]
            timers[data["timerId"]] = f"{where(data)} every {data.get('timeout')} ms" + \
                ("" if data.get("singleShot") else " (interval)")
    tasks = [e for e in mine if e["name"] == TASK]
    per_minute = 60.0 / seconds
    groups: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    j = 0
    for t in tasks:
        end = t["ts"] + t.get("dur", 0)
        inner = []
        while j < len(mine) and mine[j]["ts"] < end:
            if mine[j]["ts"] >= t["ts"] and mine[j]["name"] != TASK:
                inner.append(mine[j])
            j += 1
        g = groups[label(t, inner, timers)]
        g[0] += 1
        g[1] += t.get("dur", 0) / 1000.0
    total = sum(g[1] for g in groups.values())
    print(f"main thread: {total * per_minute / 1000:.2f} s/min in {len(tasks) * per_minute:.0f} tasks/min")
    print("| task | per min | ms/min |\n|---|---|---|")
    for name, (n, ms) in sorted(groups.items(), key=lambda kv: -kv[1][1])[:25]:
        print(f"| {name} | {n * per_minute:.0f} | {ms * per_minute:.1f} |")
    for kind in ("Layout", "UpdateLayoutTree"):
        causes: dict[str, int] = defaultdict(int)
        for e in mine:
            if e["name"] == kind:
                data = (e.get("args", {}).get("beginData") or e.get("args", {}).get("data") or {})
                stack = data.get("stackTrace")
                causes[where({"stackTrace": stack}) if stack else "frame"] += 1
        print(f"\n{kind}: {sum(causes.values()) * per_minute:.0f}/min")
        for cause, n in sorted(causes.items(), key=lambda kv: -kv[1])[:12]:
            print(f"  {n * per_minute:6.0f}/min  {cause}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wall", default="utama", help="screen id (solo-<panel> for one panel alone)")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--save", help="write the raw trace (JSON, chrome://tracing format) here")
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.split("x"))
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="wall-profile-") as tmp:
        folder = Path(tmp)
        wall_copy(folder)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start_process([sys.executable, "-m", "wallboard.cli", "run", "--config", str(folder / "config.yaml"),
                                "--port", str(port)], url + "/api/health", folder / "server.log")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
                page = context.new_page()
                page.goto(f"{url}/wall/{args.wall}", wait_until="load")
                page.evaluate(FULL_VIEW_JS)
                page.wait_for_timeout(args.settle * 1000)
                events = record(page, context.new_cdp_session(page), args.seconds)
                browser.close()
        finally:
            stop_process(server)
    if args.save:
        Path(args.save).write_text(json.dumps({"traceEvents": events}))
    summarise(events, args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
