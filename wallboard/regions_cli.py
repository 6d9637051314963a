"""`wallboard regions search|show|fetch`: find a region's code, see its areas, get its boundaries.

Kept beside ``cli.py`` and registered there with one line, so the command table stays small.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wallboard import regions

EXIT_USAGE = 2


def cmd_search(args: argparse.Namespace) -> int:
    found = regions.search(args.text, limit=args.limit)
    if not found:
        print(f"no region named {args.text!r}", file=sys.stderr)
        return EXIT_USAGE
    for region in found:
        print(f"{region.code:<10} {region.name:<36} {region.path}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    try:
        region = regions.find_kabupaten_kota(args.code)
    except regions.RegionNotFound as exc:
        print(f"wallboard regions show: {exc}", file=sys.stderr)
        return EXIT_USAGE
    kecamatan = regions.kecamatan(region.code)
    print(f"{region.code} {region.name} ({region.path})")
    total = 0
    for k in kecamatan:
        count = len(regions.list_wilayah(k.code))
        total += count
        print(f"  {k.code:<10} {k.name:<32} {count:>4} desa/kelurahan")
    print(f"{len(kecamatan)} kecamatan, {total} desa/kelurahan")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    # CLI start-up time: only `regions fetch` needs the downloader (httpx) and the BPS bridge.
    from wallboard.boundaries import FetchError, fetch_region
    from wallboard.boundaries.fetch import OUT_DIR
    from wallboard.bps import DEFAULT_URL

    region = regions.province(args.code) if args.code.strip() != "00" else None  # a province: its kab/kota
    try:
        region = region or regions.find_kabupaten_kota(args.code)
    except regions.RegionNotFound as exc:
        print(f"wallboard regions fetch: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        bps = (args.bps_from or DEFAULT_URL) if args.bps or args.bps_from else None
        limit = {"max_bytes": args.max_bytes} if args.max_bytes else {}
        written = fetch_region(region.code, args.dir / OUT_DIR, args.source, args.timeout, bps, **limit)
    except FetchError as exc:
        print(f"wallboard regions fetch: {exc}; nothing written", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    if region.level == 1:
        print(f"name it in config.yaml as regions: {{kecamatan: ...}}: {region.name}'s kab/kota are its maps' areas")
    else:
        print(f"name them in config.yaml under regions: (kecamatan: / desa:) for {region.name}'s maps")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("regions", help="find Kemendagri region codes; download boundaries")
    inner = parser.add_subparsers(dest="regions_command", required=True)

    search = inner.add_parser("search", help="find codes by name")
    search.add_argument("text")
    search.add_argument("--limit", type=int, default=20)
    search.set_defaults(func=cmd_search)

    show = inner.add_parser("show", help="a kabupaten/kota's kecamatan with their desa/kelurahan counts")
    show.add_argument("code", help="Kemendagri code or name, e.g. 33.08")
    show.set_defaults(func=cmd_show)

    fetch = inner.add_parser(
        "fetch", help="download kecamatan and desa boundaries (a province: its kab/kota) into data/regions/")
    fetch.add_argument("code", help="Kemendagri code or name, e.g. 33.08 (or a province code, e.g. 33)")
    fetch.add_argument("--from", dest="source", metavar="URL_TEMPLATE",
                       help="where to download from, e.g. http://host/{code}-{level}.geojson "
                            "(default: the cahyadsn/wilayah_boundaries repository)")
    fetch.add_argument("--bps", action="store_true",
                       help="also the BPS-Kemendagri bridging table, for sources with region_codes: bps")
    fetch.add_argument("--bps-from", metavar="URL_OR_FILE",
                       help="where that table is: a URL or a local file, CSV or the JSON of BPS's "
                            "sig.bps.go.id/rest-bridging service (implies --bps; {level} allowed)")
    fetch.add_argument("--dir", type=Path, default=Path("."), help="the wall's directory (default: here)")
    fetch.add_argument("--timeout", type=float, default=30.0,
                       help="seconds per download, whole: a server that drips its answer is cut off too")
    fetch.add_argument("--max-bytes", type=int, default=None, metavar="BYTES",
                       help="a download larger than this is stopped as it arrives (default 200 MB)")
    fetch.set_defaults(func=cmd_fetch)
