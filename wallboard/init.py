"""`wallboard init --region CODE`: a working config.yaml for any kabupaten/kota in one command.

The generated wall runs on the built-in simulator at once, in Bahasa Indonesia, with the region's
name, its time zone (WIB, WITA or WIT from the province) and its kecamatan from the Kemendagri
list; admins then replace the demo source with their work units' systems one by one.
"""

from __future__ import annotations

from pathlib import Path

from wallboard import regions

# Provinces by Kemendagri code whose clocks are not on WIB.
_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT = {"81", "82", "91", "92", "93", "94", "95", "96", "97"}


class InitError(ValueError):
    pass


def timezone_for(code: str) -> str:
    province = code[:2]
    if province in _WIT:
        return "Asia/Jayapura"
    if province in _WITA:
        return "Asia/Makassar"
    return "Asia/Jakarta"


def render_config(code: str, boundaries: Path | None = None) -> str:
    region = regions.kabupaten_kota(code)
    if region is None:
        raise InitError(f"{code!r} is not a Kemendagri kabupaten/kota code (for example 12.75 or 33.08)")
    code = region.code
    regions_block = ""
    if boundaries is not None:
        lines = [
            f"  {level}: {(boundaries / f'{code}-{level}.geojson').as_posix()}"
            for level in ("kecamatan", "desa")
            if (boundaries / f"{code}-{level}.geojson").exists()
        ]
        if lines:
            regions_block = "regions:\n" + "\n".join(lines) + "\n\n"
    return _TEMPLATE.format(
        name=region.name, code=code, timezone=timezone_for(code), regions=regions_block,
        kecamatan=len(regions.kecamatan(code)),
    )


def write_config(code: str, path: Path, force: bool = False, boundaries: Path | None = None) -> Path:
    if path.exists() and not force:
        raise InitError(f"{path} already exists; use --force to overwrite it")
    text = render_config(code, boundaries)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    (path.parent / "data").mkdir(exist_ok=True)
    return path


_TEMPLATE = """\
# Wall for {name} (Kemendagri {code}, {kecamatan} kecamatan), made by `wallboard init`.
# Every figure comes from the built-in simulator until you add the work units' own systems under
# sources: (types csv, excel, http_json, sql); `wallboard validate` checks this file.

site:
  name: Command Center {name}
  region: "{code}"
  timezone: {timezone}
  locale: id
  theme: dark

database:
  url: sqlite:///data/wallboard.db
  retention: 400d

{regions}sources:
  - id: simulasi
    type: demo
    every: 10s
    events: true
    indicators: [pengaduan_terbuka, pengaduan_selesai_sla, izin_terbit, realisasi_pad, harga_beras, kunjungan_puskesmas]

indicators:
  - id: pengaduan_terbuka
    label: {{id: Pengaduan terbuka, en: Open complaints}}
    unit: laporan
    owner: Diskominfo
    aggregate: sum
    thresholds: {{warning: 40, critical: 80}}
  - id: pengaduan_selesai_sla
    label: {{id: Pengaduan selesai tepat waktu, en: Complaints closed within SLA}}
    unit: "%"
    owner: Inspektorat
    aggregate: mean
    direction: down
    thresholds: {{warning: 85, critical: 70}}
  - id: izin_terbit
    label: {{id: Izin terbit bulan ini, en: Permits issued this month}}
    unit: izin
    owner: DPMPTSP
    aggregate: sum
  - id: realisasi_pad
    label: {{id: Realisasi PAD, en: Local revenue collected}}
    unit: IDR
    format: currency
    target: 185000000000
    owner: BPKPD
    aggregate: sum
  - id: harga_beras
    label: {{id: Harga beras medium, en: Medium rice price}}
    unit: IDR/kg
    format: currency
    owner: Disperindag
    aggregate: mean
    thresholds: {{warning: 14000, critical: 15500}}
  - id: kunjungan_puskesmas
    label: {{id: Kunjungan puskesmas hari ini, en: Health centre visits today}}
    unit: pasien
    owner: Dinas Kesehatan
    aggregate: sum

screens:
  - id: utama
    title: {{id: Ruang Kendali {name}, en: {name} Command Center}}
    resolution: 1920x1080
    grid: {{columns: 12, rows: 8}}
    panels:
      - {{id: jam, type: clock, at: [0, 0], size: [3, 1]}}
      - {{id: pengaduan, type: kpi, indicator: pengaduan_terbuka, at: [3, 0], size: [3, 2], drill: true}}
      - {{id: sla, type: kpi, indicator: pengaduan_selesai_sla, at: [6, 0], size: [3, 2]}}
      - {{id: beras, type: kpi, indicator: harga_beras, at: [9, 0], size: [3, 2]}}
      - {{id: status, type: status, at: [0, 1], size: [3, 3]}}
      - {{id: pad, type: gauge, indicator: realisasi_pad, at: [3, 2], size: [3, 2]}}
      - {{id: tren-puskesmas, type: trend, indicators: [kunjungan_puskesmas], window: 24h, at: [6, 2], size: [6, 2]}}
      - {{id: peta-pengaduan, type: map, indicator: pengaduan_terbuka, level: kecamatan, at: [0, 4], size: [4, 4]}}
      - {{id: izin-kecamatan, type: bar, indicator: izin_terbit, by: region, at: [4, 4], size: [4, 3]}}
      - {{id: laporan-warga, type: events, source: simulasi, limit: 10, at: [8, 4], size: [4, 4]}}
      - {{id: info, type: ticker, text: [Selamat datang di Ruang Kendali {name}], at: [4, 7], size: [4, 1]}}
"""
