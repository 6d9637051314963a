"""Secrets never leave to whom they don't belong (issue 22, item 3): one masking function for
/healthz, /admin, /console, the logs and the audit; anonymous /healthz gives status and counts."""

from __future__ import annotations

import logging

import pytest

from tests.auth.sites import Site
from wallboard.alerts.config import channel_host
from wallboard.secrets import expand, mask, mask_text
from wallboard.store import audit

REFUSED_URL = "htp://lapor:PASS-8d2e@10.1.2.3/api?api_key=KEY-5f1a"  # the refused config line
GOOD_SOURCE = """
  - {id: lapor, type: http_json, url: "http://127.0.0.1:9/api?api_key=KUNCI-77aa&page=1&Token=TOK-91bc",
     every: 1h, records: data, headers: {X-Auth: "xauth-rahasia-3c", Accept: application/json},
     events: {ref: id, time: t, title: j}}
"""
SECRETS = ("PASS-8d2e", "KEY-5f1a", "KUNCI-77aa", "TOK-91bc", "xauth-rahasia-3c")


def with_source(site: Site, source: str) -> bool:
    return site.rewrite(site.path.read_text().replace("indicators:\n", source + "indicators:\n", 1))


@pytest.mark.parametrize(("text", "shown"), [
    (f'url: "{REFUSED_URL}"', 'url: "htp://***@10.1.2.3/api?api_key=***"'),
    ("https://TOKEN123@git.example/x", "https://***@git.example/x"),
    ("postgresql+psycopg://wallboard:${DB_PASSWORD}@db/wallboard", "postgresql+psycopg://wallboard:${DB_PASSWORD}@db/wallboard"),
    ("http://h/x?Signature=abc&page=2&SIG=1&X-Amz-Credential=c", "http://h/x?Signature=***&page=2&SIG=***&X-Amz-Credential=c"),
    ("headers: {X-Auth: abcd, Accept: json}", "headers: {X-Auth: ***, Accept: json}"),
    ("AUTHORIZATION: Bearer xyz", "AUTHORIZATION: ***"),
    ("x-api-KEY: 123", "x-api-KEY: ***"),
    ('display_token: "${WALL_TOKEN}"', 'display_token: "${WALL_TOKEN}"'),  # a placeholder names a variable
    ("config.yaml:8:28: users[0].password_hash: must come from `wallboard hash-password`",
     "config.yaml:8:28: users[0].password_hash: must come from `wallboard hash-password`"),
])
def test_mask_text(text: str, shown: str) -> None:
    assert mask_text(text) == shown


def test_every_variable_value_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WB_TEST_MASKED", "nilai-rahasia-0042")
    expand("${WB_TEST_MASKED}")
    assert mask_text("error at http://h/nilai-rahasia-0042/x") == "error at http://h/***/x"
    config = {"headers": {"x-signature": "literal", "Authorization": "Bearer ${T}"}, "note": "nilai-rahasia-0042"}
    assert mask(config) == {"headers": {"x-signature": "***", "Authorization": "Bearer ${T}"}, "note": "***"}


def test_anonymous_healthz_has_status_and_counts_only(site: Site) -> None:
    assert not with_source(site, f'  - {{id: lapor, type: http_json, url: "{REFUSED_URL}", every: 1h, records: d,'
                                 ' events: {ref: id, time: t, title: j}}\n')
    answer = site.client().get("/healthz")
    text = answer.get_data(as_text=True)
    assert answer.get_json()["config"]["problems"] >= 1 and "problem_lines" not in text
    assert not any(secret in text for secret in SECRETS) and "10.1.2.3" not in text
    admin = site.signed_in("admin")
    for path in ("/healthz", "/api/health", "/admin"):
        text = admin.get(path).get_data(as_text=True)
        assert "htp://***@10.1.2.3/api?api_key=***" in text.replace("&amp;", "&"), path  # admins see the line, masked
        assert not any(secret in text for secret in SECRETS), path


def test_admin_masks_query_keys_and_auth_headers(site: Site) -> None:
    assert with_source(site, GOOD_SOURCE), site.runtime.last_reload_problems
    page = site.signed_in("admin").get("/admin").get_data(as_text=True)
    assert "lapor" in page and "page=1" in page and "Accept" in page
    assert not any(secret in page for secret in SECRETS)


def test_logs_and_audit_use_the_same_mask(site: Site, caplog) -> None:
    from wallboard.auth.logs import install

    install()
    caplog.set_level(logging.INFO)
    logging.getLogger("uvicorn.error").info("upstream %s said no (X-Auth: %s)", REFUSED_URL, "xauth-rahasia-3c")
    assert "htp://***@10.1.2.3" in caplog.text and not any(secret in caplog.text for secret in SECRETS)
    audit.record(site.runtime.store, "test", "x", f"fetch {REFUSED_URL} failed")
    assert not any(secret in audit.entries(site.runtime.store)[0].detail for secret in SECRETS)


def test_every_log_line_the_cli_writes_is_masked(capsys) -> None:
    """``wallboard ...`` masks its handlers' lines, whichever logger wrote them."""
    import io

    from wallboard.secrets import mask_log_handlers

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    mask_log_handlers([handler])
    logger = logging.getLogger("wallboard.collector.test_masking")
    logger.addHandler(handler)
    try:
        logger.error("source lapor failed: %s", REFUSED_URL)
    finally:
        logger.removeHandler(handler)
    assert "htp://***@10.1.2.3/api?api_key=***" in out.getvalue() and "PASS-8d2e" not in out.getvalue()


@pytest.mark.parametrize(("stored", "shown"), [
    ("webhook:https://hooks.example/services/T0/B0/RAHASIA?token=TOK", "webhook:hooks.example"),
    ("webhook:http://user:pw@127.0.0.1:9/down", "webhook:127.0.0.1:9"),
    ("webhook:http://[::1]:8080/x", "webhook:[::1]:8080"),
    ("telegram:${CHAT_ID}", "telegram:${CHAT_ID}"),
    ("email:pusdalops@bpbd.example.go.id", "email:pusdalops@bpbd.example.go.id"),
])
def test_console_shows_a_channels_kind_and_host(stored: str, shown: str) -> None:
    """What /console's notification log shows, for rows stored before too (they kept the whole URL)."""
    assert channel_host(stored) == shown
