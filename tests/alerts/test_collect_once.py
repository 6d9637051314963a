"""`wallboard collect --once` leaves alerts in step with the figures it wrote."""

from __future__ import annotations

import os
import time

from tests.alerts.helpers import River
from wallboard.alerts.repo import AlertRepo
from wallboard.cli import main


def test_collect_once_opens_the_alert(tmp_path, capsys) -> None:
    river = River(tmp_path, f"sqlite:///{tmp_path / 'w.db'}", alerts="{min_duration: null}")
    (tmp_path / "config.yaml").write_text(river.text, encoding="utf-8")
    csv = tmp_path / "air.csv"
    csv.write_text("waktu,wilayah,nilai\n2026-11-28 14:00:00,12.75,400\n", encoding="utf-8")
    old = time.time() - 600
    os.utime(csv, (old, old))
    try:
        assert main(["collect", "--config", str(tmp_path / "config.yaml"), "--once"]) == 0
        (alert,) = AlertRepo(river.store.engine).open_alerts()
        assert (alert.indicator, alert.state, alert.value) == ("tinggi_muka_air", "critical", 400.0)
    finally:
        river.close()
