"""Region names as work units write them, matched within the site's own kabupaten only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.sources.site import site_collector, stored, write_csv
from tests.sources.util import settle
from wallboard import regions

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("written", "site", "code", "official"), [
    ("SIBORONG-BORONG", "12.02", "12.02.09", "Siborongborong"),   # Tapanuli Utara
    ("Siborong borong", "12.02", "12.02.09", "Siborongborong"),
    ("ADIAN KOTING", "12.02", "12.02.03", "Adiankoting"),          # the kecamatan, not its desa Adian Koting
    ("T. JAMBO AYE", "11.08", "11.08.14", "Tanah Jambo Aye"),      # Aceh Utara
    ("KOTA KUALASIMPANG", "11.16", "11.16.05", "Kota Kualasinpang"),  # Aceh Tamiang
    ("Kec. Salaman", "33.08", "33.08.01", "Salaman"),
    ("COBLONG", "32.73", "32.73.02", "Coblong"),
])
def test_spelling_variants_find_the_official_region(written, site, code, official) -> None:
    assert regions.name(code) == official
    assert regions.resolve(written, site) == code


def test_a_name_is_only_looked_for_in_the_site() -> None:
    assert regions.resolve("SIBORONG-BORONG", "33.08") is None  # a Tapanuli Utara name, not Magelang's
    code, closest = regions.match_name("SIBORONG-BORONG", "33.08")
    assert code is None and len(closest) == 3


def test_desa_is_asked_for_by_its_word() -> None:
    assert regions.level(regions.resolve("Desa Adian Koting", "12.02")) == 4
    assert regions.resolve("Desa Adian Koting", "12.02").startswith("12.02.03.")


SOURCE = """
  - id: penduduk
    type: csv
    path: penduduk.csv
    every: 1d
    indicator: penduduk
    delimiter: ";"
    columns: {time: tahun, region: kecamatan, value: jumlah}
"""


def test_names_as_written_in_a_file(db_url: str, tmp_path: Path) -> None:
    rows = [
        ["2025", "SIBORONG-BORONG", "49.130"],
        ["2025", "ADIAN KOTING", "16.121"],
        ["2025", "tarutung", "44.934"],
        ["2025", "Siatas Barita", "12.051"],
        ["2025", "Sipoholen", "24.003"],   # a typo close enough to Sipoholon
        ["2025", "Siborong Kota", "1.000"],  # line 7: not a kecamatan of Tapanuli Utara
        ["2025", "Coblong", "120.000"],    # line 8: a Bandung kecamatan in a Tapanuli Utara file
    ]
    write_csv(tmp_path / "penduduk.csv", ["tahun", "kecamatan", "jumlah"], rows, delimiter=";")
    settle(tmp_path / "penduduk.csv")
    collector, store, _ = site_collector(db_url, "12.02", SOURCE, tmp_path)
    try:
        run = collector.run("penduduk", NOW)
        assert run.ok and run.rows == 5 and run.rejected == 2, run
        assert ("baris 7 kolom 'kecamatan': nama wilayah tidak dikenal di Kabupaten Tapanuli Utara: "
                "'Siborong Kota' (yang terdekat: ") in run.error
        reason = run.error.split("baris 7 kolom 'kecamatan': ")[1].split("; baris 8")[0]
        assert "Siborongborong" in reason  # the closest official names help the admin fix the file
        assert ("baris 8 kolom 'kecamatan': nama wilayah tidak dikenal di Kabupaten Tapanuli Utara: 'Coblong'"
                in run.error)
        year = int(datetime(2025, 1, 1, tzinfo=WIB).timestamp())
        assert stored(store, "penduduk") == {
            ("12.02.09", year): (49130.0, "P1Y"), ("12.02.03", year): (16121.0, "P1Y"),
            ("12.02.01", year): (44934.0, "P1Y"), ("12.02.02", year): (12051.0, "P1Y"),
            ("12.02.04", year): (24003.0, "P1Y"),
        }
    finally:
        store.close()
