"""owners:, alerts: and notify: in config.yaml: key names from the reference config, cross-checks
reported with their line."""

from __future__ import annotations

from datetime import timedelta

import pytest

from wallboard.config import ConfigError, parse_config

BASE = """site: {name: Uji, region: "12.75"}
indicators:
  - {id: tinggi_muka_air, label: Tinggi muka air, owner: BPBD, thresholds: {warning: 250, critical: 320}}
  - {id: harga_beras, label: Harga beras, owner: Disperindag}
screens:
  - id: utama
    grid: {columns: 1, rows: 1}
    panels:
      - {id: air, type: kpi, indicator: tinggi_muka_air, at: [0, 0]}
"""

# As in the shared reference config.yaml (the contract for key names).
REFERENCE = """owners:
  - id: BPBD
    name: Badan Penanggulangan Bencana Daerah
    escalate_after: 10m
    contacts:
      - {channel: telegram, chat_id: "${BPBD_CHAT_ID}", bot_token: "${TELEGRAM_BOT_TOKEN}"}
      - {channel: email, to: pusdalops@bpbd.example.go.id}
      - {channel: webhook, url: "https://lapor.example.go.id/hooks/wallboard"}
    next: Setda
  - id: Setda
    name: Sekretariat Daerah
    contacts:
      - {channel: email, to: setda@example.go.id}
alerts:
  min_duration: 2m
notify:
  smtp: {host: smtp.example.go.id, port: 587, username: "${SMTP_USER}", password: "${SMTP_PASSWORD}", sender: c@x.id}
"""


def test_reference_sections_load_and_secrets_stay_placeholders() -> None:
    loaded = parse_config(BASE + REFERENCE)
    config = loaded.config
    bpbd = config.owners[0]
    assert (bpbd.escalate_after, bpbd.next, [c.channel for c in bpbd.contacts]) == (
        timedelta(minutes=10), "Setda", ["telegram", "email", "webhook"])
    assert bpbd.contacts[0].bot_token == "${TELEGRAM_BOT_TOKEN}"
    assert config.alerts.min_duration == timedelta(minutes=2) and config.notify.smtp.password == "${SMTP_PASSWORD}"
    # Disperindag is not under owners: it runs, with a warning on the indicator's line.
    (warning,) = [str(w) for w in loaded.warnings]
    assert warning.startswith("config.yaml:4:") and "'Disperindag' is not defined under owners:" in warning


def test_owners_section_is_optional() -> None:
    config = parse_config(BASE).config
    assert config.owners == [] and config.notify.smtp is None and config.alerts.hysteresis == 0


@pytest.mark.parametrize("change, line, message", [
    (("next: Setda", "next: Bupati"), 18, "owner 'Bupati' is not defined under owners:"),
    (("{channel: webhook, url:", "{channel: sms, url:"), 17, "channel"),
    (("  min_duration: 2m", "  min_duration: 2m\n  cooldown: 5m"), 25, "unknown key 'cooldown'"),
])
def test_mistakes_are_reported_with_their_line(change, line, message) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(BASE + REFERENCE.replace(*change))
    problem = info.value.problems[0]
    assert problem.line == line and message in str(problem)


def test_email_contacts_need_smtp() -> None:
    text = BASE + REFERENCE.split("alerts:")[0]
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    assert "e-mail contacts need notify.smtp" in str(info.value)
