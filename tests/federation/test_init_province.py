"""`wallboard init --region 33` (or a province name): a province wall whose areas are its kab/kota,
one ``type: wallboard`` source per kab/kota with ``${URL_xxxx}`` placeholders, a README in Bahasa
Indonesia, and the province's own time zone."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from wallboard.config import load_config
from wallboard.init import create


def placeholders(text: str) -> dict[str, str]:
    return {name: f"nilai-{name.lower()}-rahasia" for name in re.findall(r"\$\{([A-Z_0-9]+)\}", text)}


def test_init_by_province_code_writes_a_wall_reading_every_kab_kota(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    done = subprocess.run([sys.executable, "-m", "wallboard.cli", "init", "--region", "33", "--dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "config.yaml").read_text(encoding="utf-8")
    for name, value in placeholders(text).items():
        monkeypatch.setenv(name, value)
    config = load_config(tmp_path / "config.yaml").config
    assert config.site.region == "33" and config.site.timezone == "Asia/Jakarta"
    peers = [s for s in config.sources if s.type == "wallboard"]
    assert len(peers) == 35
    magelang = next(s for s in peers if s.region == "33.08")
    assert magelang.url == "${URL_3308}" and magelang.token == "${TOKEN_3308}"
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "api_tokens:" in readme and "Yang ditambahkan setiap kabupaten/kota" in readme
    assert "| 33.71 | Kota Magelang | `URL_3371` | `TOKEN_3371` |" in readme


@pytest.mark.parametrize(("province", "zone"), [
    ("Papua", "Asia/Jayapura"), ("94", "Asia/Jayapura"), ("Kalimantan Utara", "Asia/Makassar"),
    ("Provinsi Bali", "Asia/Makassar"), ("Kalimantan Barat", "Asia/Jakarta"), ("Maluku Utara", "Asia/Jayapura"),
])
def test_a_province_wall_keeps_the_province_time_zone(tmp_path: Path, province: str, zone: str) -> None:
    done = create(province, tmp_path)
    text = (tmp_path / "config.yaml").read_text(encoding="utf-8")
    assert f"timezone: {zone}\n" in text, done.code
    assert text.count("    type: wallboard\n") == len(re.findall(r"region: \"\d{2}\.\d{2}\"", text)) > 0
