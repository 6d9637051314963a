"""A local HTTP server for boundary downloads, and SQL files in wilayah_boundaries' format.

Tests never touch the internet: ``regions fetch`` and ``init`` download from this server, which
serves a folder (fixture GeoJSON, SQL files written by the test) and a few misbehaving paths.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

from tests.local_http import local_server

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "regions"
SLOW_SECONDS = 3.0


class _Handler(SimpleHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path.startswith("/slow/"):
            time.sleep(SLOW_SECONDS)  # longer than the client's timeout in the tests
        if self.path.startswith("/html/"):
            body = b"<!doctype html><title>Not found</title><p>rate limited</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.path = self.path.removeprefix("/slow")
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """``http://127.0.0.1:PORT`` serving ``folder``; stopped when the block ends."""
    with local_server(partial(_Handler, directory=str(folder))) as server:
        yield server.url


def _sql_literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _lat_lng(coords: object) -> object:
    if coords and isinstance(coords[0], int | float):
        return [coords[1], coords[0]]
    return [_lat_lng(c) for c in coords]


def sql_rows(geojson: Path) -> list[str]:
    """Each feature as a ``(kode, nama, lat, lng, path)`` tuple, path in [lat, lng] like upstream."""
    rows = []
    for f in json.loads(geojson.read_text(encoding="utf-8"))["features"]:
        p = f["properties"]
        path = _lat_lng(f["geometry"]["coordinates"])
        rows.append(f"\t({_sql_literal(p['code'])},{_sql_literal(p['name'])},{p['lat']},{p['lng']},"
                    f"{_sql_literal(json.dumps(path, separators=(',', ':')))})")
    return rows


def _insert_file(rows: list[str], per_statement: int = 7) -> str:
    head = "/*\nfilename  : test copy in the format of cahyadsn/wilayah_boundaries\n*/\n"
    parts = []
    for i in range(0, len(rows), per_statement):
        parts.append("INSERT INTO wilayah_boundaries(kode,nama,lat,lng,path) VALUES\n"
                     + ",\n".join(rows[i:i + per_statement]) + ";\n")
    return head + "".join(parts)


def write_mirror(root: Path, code: str) -> Path:
    """A ``db/`` folder laid out like the repository, for ``code``'s province and kabupaten/kota.

    The province file also holds a kecamatan of another kabupaten, with a quote in its name, as
    the real per-province files do; fetch must keep only ``code``'s own.
    """
    province = code[:2]
    db = root / "db"
    (db / "kec").mkdir(parents=True, exist_ok=True)
    (db / "kel" / province).mkdir(parents=True, exist_ok=True)
    other = (f"\t('{province}.01.01','Ma''dung \\\\ Barat',1.5,98.5,"
             "'[[[1.5,98.5],[1.6,98.5],[1.6,98.6],[1.5,98.5]]]')")
    kecamatan = sql_rows(FIXTURES / f"{code}-kecamatan.geojson")
    (db / "kec" / f"wilayah_boundaries_kec_{province}.sql").write_text(
        _insert_file([other, *kecamatan]), encoding="utf-8")
    (db / "kel" / province / f"wilayah_boundaries_kel_{code}.sql").write_text(
        _insert_file(sql_rows(FIXTURES / f"{code}-desa.geojson")), encoding="utf-8")
    return db
