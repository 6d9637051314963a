"""A local stand-in for BMKG's open feeds, serving real-shaped samples under BMKG's own paths.

``tests/fixtures/bmkg/`` mirrors the paths below BMKG's hosts (``DataMKG/TEWS/autogempa.json``,
``alerts/nowcast/id`` (the RSS, kept as ``index.xml``) and its CAP files, ``publik/prakiraan-cuaca``
with ``?adm4=CODE`` kept as ``publik/prakiraan-cuaca/CODE.json``). The CAP samples carry
``{{SENT}}``/``{{EFFECTIVE}}``/``{{EXPIRES}}`` filled at serving time from ``times``, so a warning is
active (or expired) relative to the test's clock. Like BMKG it sends an ``ETag`` and answers
``If-None-Match`` with ``304``; ``override`` makes one path answer something else (a variant file,
HTML, a 429), and ``requests`` records what was asked, with its headers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.local_http import LocalServer, local_server

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bmkg"


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class StandIn:
    server: LocalServer | None = None
    times: dict[str, datetime] = field(default_factory=dict)
    overrides: dict[str, Answer] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    # A whole kabupaten's desa (``wallboard init`` asks one per kecamatan): codes without a sample of
    # their own get this sample, except those in ``unknown`` (404, as BMKG answers an unknown code).
    any_desa: str | None = None
    unknown: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def at(self, now: datetime, effective: timedelta = timedelta(minutes=-30),
           expires: timedelta = timedelta(hours=2)) -> None:
        """Warnings sent and effective ``effective`` from ``now``, expiring ``expires`` from it."""
        self.times = {"SENT": now + effective, "EFFECTIVE": now + effective, "EXPIRES": now + expires}

    def variant(self, path: str, name: str, status: int = 200) -> None:
        """``path`` answers ``tests/fixtures/bmkg/variants/NAME`` instead of its sample."""
        body = (FIXTURES / "variants" / name).read_bytes()
        kind = "application/json" if name.endswith(".json") else "application/xml"
        self.overrides[path] = Answer(status, body, kind)

    def html(self, path: str) -> None:
        self.overrides[path] = Answer(200, b"<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>",
                                      "text/html")

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]

    def answer(self, raw_path: str) -> Answer:
        split = urlsplit(raw_path)
        path = split.path.lstrip("/")
        if path in self.overrides:
            return self.overrides[path]
        if path == "publik/prakiraan-cuaca":
            code = (parse_qs(split.query).get("adm4") or [""])[0]
            file = FIXTURES / "publik" / "prakiraan-cuaca" / f"{code}.json"
            if not file.is_file() and self.any_desa and code not in self.unknown:
                file = FIXTURES / "publik" / "prakiraan-cuaca" / self.any_desa
            if not file.is_file() or code in self.unknown:  # what BMKG answers for a code it does not know
                return Answer(404, b'{"message":"Data not found"}')
            return Answer(200, file.read_bytes())
        file = FIXTURES / path
        if file.is_dir():
            file = file / "index.xml"
        if not file.is_file() or not file.resolve().is_relative_to(FIXTURES):
            return Answer(404, b"<html><body>404 Not Found</body></html>", "text/html")
        body = file.read_bytes()
        if b"{{" in body:
            body = self._fill(body)
        kind = "application/json" if file.suffix == ".json" else "application/xml"
        return Answer(200, body, kind)

    def _fill(self, body: bytes) -> bytes:
        times = self.times or {k: datetime.now(UTC) + d for k, d in
                               (("SENT", timedelta(minutes=-30)), ("EFFECTIVE", timedelta(minutes=-30)),
                                ("EXPIRES", timedelta(hours=2)))}
        text = body.decode("utf-8")
        for name, when in times.items():
            text = text.replace("{{" + name + "}}", when.astimezone(UTC).isoformat())
        text = text.replace("{{SENT_RFC}}", format_datetime(times["SENT"].astimezone(UTC), usegmt=True))
        return text.encode("utf-8")


def _handler(standin: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            standin.requests.append((self.path, {k: v for k, v in self.headers.items()}))
            answer = standin.answer(self.path)
            etag = '"' + hashlib.blake2b(answer.body, digest_size=8).hexdigest() + '"'
            if answer.status == 200 and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            if answer.status == 200:
                self.send_header("ETag", etag)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def bmkg_standin() -> Iterator[StandIn]:
    standin = StandIn()
    with local_server(_handler(standin)) as server:
        standin.server = server
        yield standin
