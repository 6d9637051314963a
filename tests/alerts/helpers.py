"""A config whose figures come from a CSV file the test rewrites, so alerts follow real collector runs."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

from wallboard.collector import Collector
from wallboard.config import parse_config
from wallboard.store import Store

BASE = """
site: {{name: Uji Peringatan, region: "12.75", timezone: Asia/Jakarta}}
database: {{url: "{db_url}"}}
sources:
  - {{id: sungai, type: csv, path: air.csv, every: 1m, indicator: tinggi_muka_air,
     columns: {{time: waktu, region: wilayah, value: nilai}}}}
indicators:
  - {{id: tinggi_muka_air, label: Tinggi muka air, unit: cm, aggregate: mean, owner: BPBD,
     thresholds: {{warning: 250, critical: 320, per_region: true}}}}
screens:
  - id: utama
    grid: {{columns: 2, rows: 1}}
    panels:
      - {{id: air, type: kpi, indicator: tinggi_muka_air, at: [0, 0], size: [2, 1]}}
owners:
  - id: BPBD
    name: Badan Penanggulangan Bencana Daerah
    escalate_after: {escalate_after}
    contacts: {contacts}
    next: Setda
  - id: Setda
    escalate_after: {next_escalate_after}
    contacts: {next_contacts}
alerts: {alerts}
notify: {notify}
"""


class River:
    """The CSV export of the river gauge, one row per kecamatan, and a collector reading it."""

    def __init__(self, tmp_path: Path, db_url: str, **keys: str):
        values = {"escalate_after": "10m", "contacts": "[]", "next_contacts": "[]",
                  "alerts": "{min_duration: 2m}", "notify": "{}", "db_url": db_url}
        values.update(keys)
        values.setdefault("next_escalate_after", values["escalate_after"])
        self.path = tmp_path
        self.text = BASE.format(**values)
        self.config = parse_config(self.text, str(tmp_path / "config.yaml"), base=tmp_path).config
        self.store = Store.open(db_url)
        self.store.sync_indicators(self.config.indicators)
        self.collector = Collector(self.store, self.config, tmp_path)
        self.rows = 0

    def run(self, when: datetime, values: dict[str, float]) -> None:
        """Write the export as at ``when`` (site time, as the OPD's system writes it) and run the
        collector on it: a real collector run."""
        stamp = when.astimezone(self.config.site.zone).strftime("%Y-%m-%d %H:%M:%S")
        lines = ["waktu,wilayah,nilai"] + [f"{stamp},{region},{v}" for region, v in values.items()]
        target = self.path / "air.csv"
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        # The export finished a while ago (the source waits for files still being written); a new
        # time for every run, so each counts as a new version of the file.
        self.rows += 1
        stamp_s = time.time() - 3600 + self.rows
        os.utime(target, (stamp_s, stamp_s))
        run = self.collector.run("sungai")
        assert run.ok, run.error

    def close(self) -> None:
        self.store.close()
