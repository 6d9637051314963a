"""`wallboard init` connects BMKG on day one: earthquakes, weather and warnings, filled by `collect --once`.

The feeds come from the local stand-in (tests/bmkg_standin.py) named with ``--bmkg-url``: the same
paths below one host as BMKG serves, so a region's mirror works the same way.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.bmkg_standin import bmkg_standin
from tests.boundary_server import FIXTURES
from tests.test_init import wallboard
from wallboard.config import load_config


def test_init_then_collect_once_fills_all_three_bmkg_feeds(tmp_path: Path) -> None:
    wall = tmp_path / "magelang"
    with bmkg_standin() as standin:
        standin.any_desa = "33.08.01.2001.json"  # every kecamatan's desa answers this sample ...
        standin.unknown = {"33.08.21.2001"}  # ... but Windusari's, which BMKG does not know
        made = wallboard("init", "--region", "33.08", "--dir", str(wall), "--boundaries", str(FIXTURES),
                         "--bmkg-url", standin.url)
        assert made.returncode == 0, made.stderr
        config = load_config(wall / "config.yaml").config
        bmkg = {s.id: s for s in config.sources if s.type.startswith("bmkg_")}
        assert {s.type for s in bmkg.values()} == {"bmkg_gempa", "bmkg_peringatan", "bmkg_cuaca"}
        assert all(s.base_url == standin.url for s in bmkg.values())
        assert bmkg["bmkg_peringatan"].province == "Jawa Tengah"
        desa = bmkg["bmkg_cuaca"].desa
        assert len(desa) == 21 and desa["33.08.02"] == "33.08.02.2011"  # Borobudur's desa Borobudur
        assert desa["33.08.08"] == "33.08.08.1014" and desa["33.08.21"] == "33.08.21.2001"  # Muntilan, Windusari
        assert [p.source for p in config.screen("bmkg").all_panels() if p.type == "events"] == [
            "bmkg_gempa", "bmkg_peringatan"]
        collect = wallboard("collect", "--once", cwd=wall)
        assert collect.returncode == 0, collect.stdout + collect.stderr
        rows = {line.split()[0]: line.split() for line in collect.stdout.splitlines()[1:-1]}
        assert rows["bmkg_gempa"][1:3] == ["bmkg_gempa", "ok"] and int(rows["bmkg_gempa"][3]) == 5
        assert rows["bmkg_peringatan"][1:3] == ["bmkg_peringatan", "ok"] and int(rows["bmkg_peringatan"][3]) == 3
        assert rows["bmkg_cuaca"][1:3] == ["bmkg_cuaca", "ok"] and int(rows["bmkg_cuaca"][3]) == 20 * 24
        assert "33.08.21.2001 tidak dikenal BMKG" in collect.stdout
        agents = {h.get("User-Agent") for _, h in standin.requests}
    assert len(agents) == 1 and agents.pop().startswith("wallboard/")
    db = sqlite3.connect(wall / "data" / "wallboard.db")
    latest = dict(db.execute("SELECT indicator, value FROM latest WHERE region = '33.08'").fetchall())
    assert latest["gempa_magnitudo_terakhir"] == 4.3 and latest["gempa_jarak_km"] == 0.0
    assert latest["peringatan_dini"] == 2.0  # the stand-in's warning for Kab. Magelang is active now
    statuses = dict(db.execute("SELECT ref, status FROM events").fetchall())
    assert statuses["gempa-20261202021427"] == "waspada" and statuses["gempa-20261130210251"] == "jauh"
    assert statuses["cap-CJH20261202003"] == "kritis" and statuses["cap-CJH20261202004"] == "jauh"
    forecasts = db.execute("SELECT region, COUNT(*) FROM forecasts GROUP BY region").fetchall()
    assert len(forecasts) == 20 and {n for _, n in forecasts} == {24} and "33.08.21" not in dict(forecasts)
