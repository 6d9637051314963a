"""BPS codes through the bridging table, fetched from a local server like the real mirror."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.sources.site import site_collector, stored, write_csv
from tests.sources.util import settle, snapshot
from wallboard import bps

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)

# Rows of the real table (sig.bps.go.id bridging, as mirrored in csv/kecamatan.csv): Kota Bandung,
# whose BPS kecamatan numbers run in tens in another order, and Simeulue, BPS 1101 = Kemendagri 11.09.
TABLE = """kode_bps,nama_bps,kode_dagri,nama_dagri
1101010,TEUPAH SELATAN,11.09.07,TEUPAH SELATAN
1101020,SIMEULUE TIMUR,11.09.04,SIMEULUE TIMUR
3273010,BANDUNG KULON,32.73.15,BANDUNG KULON
3273020,BABAKAN CIPARAY,32.73.03,BABAKAN CIPARAY
3273030,BOJONGLOA KALER,32.73.04,BOJONGLOA KALER
3273050,ASTANAANYAR,32.73.10,ASTANA ANYAR
3273101,GEDEBAGE,32.73.27,GEDEBAGE
3273230,COBLONG,32.73.02,COBLONG
3273250,SUKASARI,32.73.01,SUKASARI
"""


class Mirror:
    """A local stand-in for the public mirror: serves ``/csv/<level>.csv``; counts requests."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[int, str]] = {"/csv/kecamatan.csv": (200, TABLE)}
        self.requests: list[str] = []
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                mirror.requests.append(self.path)
                status, body = mirror.files.get(self.path, (404, "<html>Not Found</html>"))
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/csv" if status == 200 else "text/html")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/csv/{{level}}.csv"


@pytest.fixture
def mirror() -> Iterator[Mirror]:
    m = Mirror()
    m.thread.start()
    yield m
    m.server.shutdown()
    m.server.server_close()
    m.thread.join(5)


def test_fetch_stores_the_table_with_its_date(mirror: Mirror, tmp_path: Path) -> None:
    directory = tmp_path / "data" / "regions"
    path = bps.fetch_bridge(directory, mirror.url, today=date(2026, 11, 29))
    assert path == directory / "bps-kemendagri-kecamatan.csv" and path.read_text() == TABLE
    meta = json.loads((directory / "bps-kemendagri-kecamatan.json").read_text())
    assert meta["fetched"] == "2026-11-29" and meta["url"] == mirror.url.format(level="kecamatan")
    assert mirror.requests == ["/csv/kecamatan.csv"]
    bridge = bps.load_bridge(directory)
    assert bridge is not None and bridge.fetched == "2026-11-29"
    # Not the same numbers: BPS 1101 is Simeulue, Kemendagri 11.09; BPS 3273010 is Bandung Kulon, 32.73.15.
    assert bridge.to_kemendagri("1101") == "11.09" and bridge.to_kemendagri("3273010") == "32.73.15"
    assert bridge.to_kemendagri("3273") == "32.73" and bridge.to_kemendagri("3273999") is None


@pytest.mark.parametrize(("status", "body", "reason"), [
    (404, "<html>Not Found</html>", "HTTP 404"),
    (200, "<html><body>Maintenance</body></html>", "not a BPS-Kemendagri table"),
    (200, "kode_bps,nama_bps,kode_dagri,nama_dagri\n", "no rows"),
])
def test_a_bad_download_keeps_the_stored_table(mirror: Mirror, tmp_path: Path, status, body, reason) -> None:
    directory = tmp_path / "regions"
    bps.fetch_bridge(directory, mirror.url, today=date(2026, 11, 1))
    mirror.files["/csv/kecamatan.csv"] = (status, body)
    with pytest.raises(bps.BridgeError, match=reason):
        bps.fetch_bridge(directory, mirror.url, today=date(2026, 11, 29))
    assert (directory / "bps-kemendagri-kecamatan.csv").read_text() == TABLE
    assert json.loads((directory / "bps-kemendagri-kecamatan.json").read_text())["fetched"] == "2026-11-01"


SOURCE = """
  - id: bencana
    type: csv
    path: data/bencana.csv
    every: 1d
    indicator: kejadian_bencana
    region_codes: bps
    columns: {time: tahun, region: bps_kode_kecamatan, value: jumlah_kejadian}
"""
HEADER = ["id", "kode_provinsi", "nama_provinsi", "kode_kabupaten_kota", "nama_kabupaten_kota",
          "bps_kode_kecamatan", "nama_kecamatan", "jumlah_kejadian", "satuan", "tahun"]


def open_data_rows() -> list[list[str]]:
    """An open-data portal export (opendata.jabarprov.go.id shape): yearly rows per kecamatan."""
    names = {"3273010": "BANDUNG KULON", "3273020": "BABAKAN CIPARAY", "3273050": "ASTANAANYAR",
             "3273101": "GEDEBAGE", "3273230": "COBLONG", "3273250": "SUKASARI"}
    rows, n = [], 0
    for year in (2022, 2023, 2024, 2025):
        for k, (code, name) in enumerate(names.items()):
            n += 1
            rows.append([str(n), "32", "JAWA BARAT", "3273", "KOTA BANDUNG", code, name,
                         str((year - 2020) * 3 + k), "KEJADIAN", str(year)])
    return rows


def test_open_data_csv_with_bps_codes(db_url: str, mirror: Mirror, tmp_path: Path) -> None:
    bps.fetch_bridge(tmp_path / "data" / "regions", mirror.url)
    rows = open_data_rows()
    rows.append(["99", "32", "JAWA BARAT", "3273", "KOTA BANDUNG", "3273999", "ENTAH", "4", "KEJADIAN", "2025"])
    rows.append(["100", "11", "ACEH", "1101", "KAB SIMEULUE", "1101010", "TEUPAH SELATAN", "2", "KEJADIAN", "2025"])
    write_csv(tmp_path / "data" / "bencana.csv", HEADER, rows)
    settle(tmp_path / "data" / "bencana.csv")
    collector, store, _ = site_collector(db_url, "32.73", SOURCE, tmp_path)
    try:
        run = collector.run("bencana", NOW)
        assert run.ok and run.rows == 24 and run.rejected == 2, run
        assert "baris 26 kolom 'bps_kode_kecamatan': kode BPS 3273999 tidak ada di tabel BPS-Kemendagri" in run.error
        assert "baris 27 kolom 'bps_kode_kecamatan': kode BPS 1101010 (11.09.07) bukan wilayah 32.73" in run.error
        # Each stored value against the file, through the table.
        table = {r["kode_bps"]: r["kode_dagri"] for r in csv.DictReader(io.StringIO(TABLE))}
        expected = {
            (table[r[5]], int(datetime(int(r[9]), 1, 1, tzinfo=WIB).timestamp())): (float(r[7]), "P1Y")
            for r in open_data_rows()
        }
        assert stored(store, "kejadian_bencana") == expected
        assert expected[("32.73.15", int(datetime(2025, 1, 1, tzinfo=WIB).timestamp()))] == (15.0, "P1Y")
    finally:
        store.close()


def test_without_the_table_the_run_fails_and_keeps_what_is_stored(db_url: str, mirror: Mirror,
                                                                   tmp_path: Path) -> None:
    write_csv(tmp_path / "data" / "bencana.csv", HEADER, open_data_rows())
    settle(tmp_path / "data" / "bencana.csv")
    collector, store, _ = site_collector(db_url, "32.73", SOURCE, tmp_path)
    try:
        from wallboard.records import Batch, Reading

        store.write("bencana", Batch(readings=[Reading("kejadian_bencana", "32.73.02", 1767200400, 3.0, "P1Y")]))
        before = snapshot(store)
        run = collector.run("bencana", NOW)
        assert not run.ok and "tabel kode BPS-Kemendagri belum ada" in run.error
        assert "wallboard regions fetch" in run.error
        assert snapshot(store) == before
        bps.fetch_bridge(tmp_path / "data" / "regions", mirror.url)  # fetched later: the next run reads
        run = collector.run("bencana", NOW)
        assert run.ok and run.rows == 24, run
    finally:
        store.close()


# The 2022 Papua provinces ----------------------------------------------------------------------

# Rows of the bridging table as BPS's service exports it for a period after 2022 (sig.bps.go.id,
# parent_id first, Kemendagri codes without dots): Jayawijaya, BPS 9702 in Papua Pegunungan (97),
# Kemendagri 95.01. BPS renumbered its kecamatan (Wamena 9402110 became 9702010).
NEWER_TABLE = """parent_id,kode_bps,nama_bps,kode_dagri,nama_dagri
9702,9702010,WAMENA,950101,Wamena
9702,9702020,ASOLOKOBAL,950109,Asolokobal
9702,9702030,WALELAGAMA,950106,Walelagama
9702,9702110,HUBIKOSI,950104,Hubikosi
9702,9702160,ASOLOGAIMA,950103,Asologaima
9702,9702220,KURULU,950102,Kurulu
"""
# The 2020 table's rows of the same kecamatan (Papua, BPS 94, Kemendagri 91 until 2022).
OLD_ROWS = """9402110,WAMENA,91.02.01,WAMENA
9402111,ASOLOKOBAL,91.02.29,ASOLOKOBAL
"""

PENDUDUK = """
  - id: penduduk
    type: csv
    path: data/penduduk.csv
    every: 1d
    indicator: penduduk
    region_codes: bps
    columns: {time: tahun, region: kode_kecamatan_bps, value: jumlah_penduduk}
"""


def test_jayawijaya_reads_bps_codes_through_a_local_table(db_url: str, tmp_path: Path) -> None:
    """Kemendagri 95.01 (Papua Pegunungan since 2022): a newer table from a file, no internet."""
    exported = tmp_path / "unduhan" / "bridging-kecamatan-2024.csv"
    exported.parent.mkdir()
    exported.write_text(NEWER_TABLE, encoding="utf-8")
    path = bps.fetch_bridge(tmp_path / "data" / "regions", str(exported), today=date(2026, 11, 29))
    assert path.read_text(encoding="utf-8") == NEWER_TABLE
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["path"] == str(exported) and meta["fetched"] == "2026-11-29"
    table = {r["kode_bps"]: r["kode_dagri"] for r in csv.DictReader(io.StringIO(NEWER_TABLE))}
    rows = [[code, name, str(year), str(9000 + i * 131 + (year - 2023) * 17)]
            for year in (2023, 2024) for i, (code, name) in enumerate(
                (r["kode_bps"], r["nama_bps"]) for r in csv.DictReader(io.StringIO(NEWER_TABLE)))]
    refused = [["9402110", "WAMENA", "2021", "71230"], ["9402", "JAYAWIJAYA", "2021", "269553"]]
    write_csv(tmp_path / "data" / "penduduk.csv", ["kode_kecamatan_bps", "nama_kecamatan", "tahun",
                                                   "jumlah_penduduk"], rows + refused)
    settle(tmp_path / "data" / "penduduk.csv")
    collector, store, _ = site_collector(db_url, "95.01", PENDUDUK, tmp_path)
    try:
        run = collector.run("penduduk", NOW)
        assert run.ok and run.rows == 12 and run.rejected == 2, run
        assert ("baris 14 kolom 'kode_kecamatan_bps': kode BPS 9402110 sudah tidak berlaku: "
                "kabupaten/kota 9402 sudah diganti menjadi 9702 (2022)") in run.error
        assert "baris 15 kolom 'kode_kecamatan_bps': kode BPS 9402 sudah diganti menjadi 9702 (2022)" in run.error
        dotted = {k: f"{v[:2]}.{v[2:4]}.{v[4:]}" for k, v in table.items()}
        expected = {(dotted[r[0]], int(datetime(int(r[2]), 1, 1, tzinfo=WIB).timestamp())): (float(r[3]), "P1Y")
                    for r in rows}
        assert stored(store, "penduduk") == expected
        assert expected[("95.01.09", int(datetime(2024, 1, 1, tzinfo=WIB).timestamp()))] == (9148.0, "P1Y")
    finally:
        store.close()


def test_jayawijaya_kecamatan_from_bps_own_bridging_service(mirror: Mirror, db_url: str, tmp_path: Path) -> None:
    """`--bps-from` BPS's JSON service (sig.bps.go.id/rest-bridging) for one kabupaten and period:
    the kecamatan codes of a 2022 Papua province come from BPS itself, stored as the CSV table."""
    rows = list(csv.DictReader(io.StringIO(NEWER_TABLE)))
    answer = [{"kode_bps": r["kode_bps"], "nama_bps": r["nama_bps"],
               "kode_dagri": f"{r['kode_dagri'][:2]}.{r['kode_dagri'][2:4]}.{r['kode_dagri'][4:]}",
               "nama_dagri": r["nama_dagri"]} for r in rows]
    query = "/rest-bridging/getwilayah?level=kecamatan&parent=9702&periode_merge=2024_1.2022"
    mirror.files[query] = (200, json.dumps(answer))
    mirror.files["/rest-bridging/getwilayah?level=kecamatan&parent=9999"] = (200, "[]")
    mirror.files["/rest-bridging/rusak"] = (200, '{"status": "error", "message": "maintenance"}')
    base = mirror.url.split("/csv/")[0]
    directory = tmp_path / "data" / "regions"
    for bad, reason in (("/rest-bridging/getwilayah?level=kecamatan&parent=9999", "no rows"),
                        ("/rest-bridging/rusak", "not a BPS-Kemendagri table")):
        with pytest.raises(bps.BridgeError, match=reason):
            bps.fetch_bridge(directory, base + bad)
        assert not directory.exists() or not any(directory.iterdir())
    bps.fetch_bridge(directory, base + query, today=date(2026, 12, 2))
    assert json.loads(bps.table_path(directory).with_suffix(".json").read_text())["url"] == base + query
    bridge = bps.load_bridge(directory)
    assert bridge is not None
    assert {r["kode_bps"]: bridge.to_kemendagri(r["kode_bps"]) for r in rows} == {
        "9702010": "95.01.01", "9702020": "95.01.09", "9702030": "95.01.06", "9702110": "95.01.04",
        "9702160": "95.01.03", "9702220": "95.01.02"}
    write_csv(tmp_path / "data" / "penduduk.csv", ["kode_kecamatan_bps", "nama_kecamatan", "tahun",
                                                   "jumlah_penduduk"],
              [["9702020", "ASOLOKOBAL", "2024", "9148"], ["9402111", "ASOLOKOBAL", "2021", "8000"]])
    settle(tmp_path / "data" / "penduduk.csv")
    collector, store, _ = site_collector(db_url, "95.01", PENDUDUK, tmp_path)
    try:
        run = collector.run("penduduk", NOW)
        assert run.ok and run.rows == 1 and run.rejected == 1, run
        assert "kode BPS 9402111 sudah tidak berlaku" in run.error
        assert stored(store, "penduduk") == {
            ("95.01.09", int(datetime(2024, 1, 1, tzinfo=WIB).timestamp())): (9148.0, "P1Y")}
    finally:
        store.close()


def test_the_2020_table_knows_the_2022_provinces(mirror: Mirror, tmp_path: Path) -> None:
    mirror.files["/csv/kecamatan.csv"] = (200, TABLE + OLD_ROWS)
    directory = tmp_path / "data" / "regions"
    bps.fetch_bridge(directory, mirror.url)
    bridge = bps.load_bridge(directory)
    assert bridge is not None
    # The new BPS codes of the packaged table: provinces 95, 96, 97, 92 and their kabupaten/kota.
    assert bridge.to_kemendagri("97") == "95" and bridge.to_kemendagri("9702") == "95.01"
    assert bridge.to_kemendagri("95") == "93" and bridge.to_kemendagri("9502") == "93.02"  # Boven Digoel
    assert bridge.to_kemendagri("9608") == "94.02" and bridge.to_kemendagri("92") == "96"
    assert bridge.to_kemendagri("9201") == "96.03"  # Raja Ampat, Kemendagri 92.05 until 2022
    # The old codes of the 2020 table are not placed by their outdated rows: they say what replaced them.
    assert bridge.to_kemendagri("9402") is None and bridge.to_kemendagri("9402110") is None
    assert bridge.unknown("9402") == "kode BPS 9402 sudah diganti menjadi 9702 (2022)"
    assert bridge.unknown("9108") == "kode BPS 9108 sudah diganti menjadi 9201 (2022)"
    assert bridge.unknown("3273999") == "kode BPS 3273999 tidak ada di tabel BPS-Kemendagri"
    # What did not move is read as before.
    assert bridge.to_kemendagri("3273010") == "32.73.15" and bridge.to_kemendagri("1101") == "11.09"


def test_the_packaged_recoding_agrees_with_kemendagri() -> None:
    """Every new Kemendagri code is that kabupaten/kota; every old one is gone; each law's provinces."""
    from wallboard import regions

    rows = list(csv.DictReader(io.StringIO(bps.RECODED.read_text(encoding="utf-8"))))
    laws = {"93": "UU 14/2022", "94": "UU 15/2022", "95": "UU 16/2022", "96": "UU 29/2022"}
    assert {r["kode_dagri"][:2]: r["dasar"] for r in rows} == laws
    for row in rows:
        name = regions.name(row["kode_dagri"])
        assert row["nama_dagri"].removeprefix("KAB. ").lower() in name.lower(), (row, name)
        if row["kode_dagri_lama"]:
            assert regions.kabupaten_kota(row["kode_dagri_lama"]) is None, row
    kabupaten = {r["kode_dagri"] for r in rows if "." in r["kode_dagri"]}
    assert kabupaten == {w.code for w in regions.all_kabupaten_kota() if w.code[:2] in laws}
