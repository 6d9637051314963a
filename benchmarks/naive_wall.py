"""The naive Dash wall the benchmarks compare against: the way most Dash dashboards are written.

One ``dcc.Interval`` fires every few seconds in every browser; its one callback re-queries the same
store for all twelve panels and sends every value and every whole figure back, changed or not.
Same data, same layout, same figures as the real wall (see ``wall_common.PANELS``)::

    python benchmarks/naive_wall.py --db sqlite:///bench.db --port 8060 [--every 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dash import Dash, Input, Output, dcc, html  # noqa: E402
from wall_common import BAR, EVENTS_SOURCE, KPIS, PANELS, SERIES_DAYS, TRENDS  # noqa: E402

from wallboard.indicators import combine  # noqa: E402
from wallboard.store import Store  # noqa: E402

ZONE = ZoneInfo("Asia/Jakarta")
CSS = """
html, body { margin: 0; height: 100%; overflow: hidden; background: #0b1220; color: #e8edf6;
  font-family: sans-serif; font-size: calc(100vh / 54); }
.grid { position: fixed; inset: 0; display: grid; gap: 0.6rem; padding: 0.6rem;
  grid-template-columns: repeat(12, minmax(0, 1fr)); grid-template-rows: repeat(8, minmax(0, 1fr)); }
.panel { background: #131c2e; border-radius: 0.5rem; padding: 0.6rem; overflow: hidden; display: flex;
  flex-direction: column; min-height: 0; }
.value { font-size: 4rem; font-weight: 700; }
"""


def figure(points: list[tuple[int, float]]) -> dict:
    return {
        "data": [{"type": "scatter", "mode": "lines",
                  "x": [datetime.fromtimestamp(ts, ZONE).strftime("%Y-%m-%d %H:%M:%S") for ts, _ in points],
                  "y": [round(v, 3) for _, v in points], "line": {"color": "#4cc9f0", "width": 3}}],
        "layout": {"margin": {"l": 70, "r": 20, "t": 10, "b": 40}, "paper_bgcolor": "rgba(0,0,0,0)",
                   "plot_bgcolor": "rgba(0,0,0,0)", "font": {"color": "#c9d1e0", "size": 16},
                   "xaxis": {"type": "date"}, "uirevision": "t"},
    }


def build(db_url: str, every: float) -> Dash:
    store = Store.open(db_url)
    app = Dash(__name__, title="naive wall", update_title=None, serve_locally=True)
    cells = []
    for pid, kind, _extra, (x, y), (w, h) in PANELS:
        style = {"gridColumn": f"{x + 1} / span {w}", "gridRow": f"{y + 1} / span {h}"}
        if kind == "kpi":
            body = html.Div(id=f"{pid}-value", className="value", **{"data-role": "value"})
        elif kind in ("trend", "bar"):
            body = dcc.Graph(id=f"{pid}-graph", style={"height": "100%"}, config={"displayModeBar": False})
        else:
            body = html.Ul(id=f"{pid}-list")
        cells.append(html.Div([html.Div(pid), body], id=pid, className="panel", style=style,
                              **{"data-panel": pid, "data-type": kind}))
    app.layout = html.Div([dcc.Markdown(f"<style>{CSS}</style>", dangerously_allow_html=True),
                           html.Div(cells, className="grid"),
                           dcc.Interval(id="tick", interval=int(every * 1000))])
    kpi_ids = [p for p, k, *_ in PANELS if k == "kpi"]
    trend_ids = [p for p, k, *_ in PANELS if k == "trend"]
    outputs = ([Output(f"{p}-value", "children") for p in kpi_ids]
               + [Output(f"{p}-graph", "figure") for p in trend_ids]
               + [Output("batang-graph", "figure"), Output("laporan-list", "children")])

    @app.callback(outputs, Input("tick", "n_intervals"))
    def refresh(_n):  # noqa: ANN001, ANN202
        latest = store.latest(KPIS + [BAR])
        values = [f"{combine([r.value for r in sorted(latest[i], key=lambda r: r.ts)], 'last'):.0f}"
                  if latest[i] else "–" for i in KPIS]
        since = (int(time.time()) - SERIES_DAYS * 86400) // 3600 * 3600
        figures = [figure(store.series(ind, since, 3600, "last")) for ind in TRENDS]
        bars = sorted(latest[BAR], key=lambda r: -r.value)
        bar = {"data": [{"type": "bar", "orientation": "h", "x": [r.value for r in bars],
                         "y": [r.region for r in bars]}], "layout": {"paper_bgcolor": "rgba(0,0,0,0)"}}
        events = [html.Li(f"{e.time:%H:%M} {e.title} ({e.status})") for e in store.events(EVENTS_SOURCE, 12)]
        return [*values, *figures, bar, events]

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, default=8060)
    parser.add_argument("--every", type=float, default=5.0, help="seconds between refreshes")
    args = parser.parse_args()
    app = build(args.db, args.every)
    from waitress import serve

    serve(app.server, host="127.0.0.1", port=args.port, threads=16, ident="naive")


if __name__ == "__main__":
    main()
