"""404 for what does not exist, in the site's language; no stack trace or file content ever."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.conftest import demo_config


@pytest.fixture
def client(tmp_path: Path):
    from wallboard.runtime import Runtime
    from wallboard.web.app import create_app

    path = tmp_path / "config.yaml"
    path.write_text(demo_config(f"sqlite:///{tmp_path / 'w.db'}"))
    runtime = Runtime.from_path(path, collect=False)
    app = create_app(runtime)

    def boom() -> str:
        raise RuntimeError(f"secret detail from {path}")

    app.server.add_url_rule("/boom", "boom", boom)
    yield app.server.test_client()
    runtime.store.close()


@pytest.mark.parametrize("path", ["/nope", "/wall/nope", "/wall/utama/extra", "/api/nope", "/api/stream/nope",
                                  "/admin/nope", "/_dash-component-suites/nope/x.js"])
def test_unknown_paths_answer_404_in_indonesian(client, path: str) -> None:
    answer = client.get(path)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 404, path
    assert "Halaman tidak ditemukan" in page and 'lang="id"' in page
    assert 'href="/wall/utama"' in page and "Kembali ke daftar layar" in page


def test_known_pages_still_answer(client) -> None:
    for path in ("/", "/wall/utama", "/wall/utama/", "/wall/utama?display=0,0", "/healthz"):
        assert client.get(path).status_code == 200, path


def test_404_in_english(tmp_path: Path) -> None:
    from wallboard.runtime import Runtime
    from wallboard.web.app import create_app

    path = tmp_path / "config.yaml"
    path.write_text(demo_config(f"sqlite:///{tmp_path / 'w.db'}").replace("Asia/Jakarta}", "Asia/Jakarta, locale: en}"))
    runtime = Runtime.from_path(path, collect=False)
    page = create_app(runtime).server.test_client().get("/wall/nope").get_data(as_text=True)
    runtime.store.close()
    assert "Page not found" in page and 'lang="en"' in page


def test_a_crash_answers_a_page_not_a_trace(client, caplog) -> None:
    answer = client.get("/boom")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 500 and "Terjadi kesalahan" in page
    assert "Traceback" not in page and "secret detail" not in page and "RuntimeError" not in page


def test_wrong_method_is_405_page(client) -> None:
    answer = client.post("/healthz")
    assert answer.status_code == 405 and "Tidak diizinkan" in answer.get_data(as_text=True)


@pytest.mark.parametrize("path", [
    "/_dash-component-suites/dash/../../../../etc/passwd",
    "/_dash-component-suites/dash/%2e%2e/%2e%2e/etc/passwd",
    "/_dash-component-suites/dash/deps/nope.v1_2_3m123.js",
    "/_dash-component-suites/os/passwd.js",
    "/_dash-component-suites/wallboard/config.yaml",
])
def test_malformed_asset_requests_are_one_line_404(client, caplog, path: str) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    answer = client.get(path)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 404
    assert "root:" not in page and "Traceback" not in page and "site:" not in page
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(records) <= 1 and all(r.exc_info is None and len(r.getMessage()) < 300 for r in records)


def test_every_answer_carries_security_headers(client) -> None:
    for path in ("/", "/wall/utama", "/nope", "/healthz", "/assets/wall.css"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp and "'unsafe-inline'" not in \
            csp.split("script-src")[1].split(";")[0], path
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "same-origin"
