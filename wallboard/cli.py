"""The ``wallboard`` command: run, validate, collect, init, db.

Config problems are printed one per line as ``file:line:col: key.path: message`` with exit code 2,
never as a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from wallboard import doctor, regions_cli
from wallboard.config import ConfigError, load_config

EXIT_CONFIG = 2
DEFAULT_CONFIG = "config.yaml"


def _print_problems(exc: ConfigError) -> int:
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    return EXIT_CONFIG


def cmd_validate(args: argparse.Namespace) -> int:
    try:
        loaded = load_config(args.path)
    except ConfigError as exc:
        return _print_problems(exc)
    for note in loaded.warnings:
        print(note, file=sys.stderr)
    config = loaded.config
    panels = sum(len(s.all_panels()) for s in config.screens)
    print(f"{args.path}: ok ({len(config.sources)} sources, {len(config.indicators)} indicators, "
          f"{len(config.screens)} screens, {panels} panels)")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from wallboard.runtime import Runtime
    from wallboard.web.serve.server import serve

    try:
        runtime = Runtime.from_path(args.config, collect=not args.no_collect)
    except ConfigError as exc:
        return _print_problems(exc)
    runtime.start()
    logging.getLogger(__name__).info("wallboard on http://%s:%d/", args.host, args.port)
    print(f"wallboard: serving {runtime.config.site.name} on http://{args.host}:{args.port}/", flush=True)
    serve(runtime, args.host, args.port, threads=args.threads)
    return 0


LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


def exposure_problem(config_path: Path, host: str) -> str | None:
    """Why the server must not listen on ``host``: without ``users:`` anyone on the network would
    see everything, so only loopback is allowed. None when it may."""
    import ipaddress

    try:
        loopback = host in LOOPBACK_HOSTS or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if loopback:
        return None
    try:
        config = load_config(config_path).config
    except ConfigError:
        return None  # cmd_run reports the config's own problems
    if config.users or config.api_tokens:
        # With api_tokens only, the network reaches /api/v1 (each request with its token) and
        # nothing else: auth/policy.py still refuses every page to any address but this machine.
        return None
    return (f"wallboard run: refusing to listen on {host}: {config_path} has no users:, so anyone on the network "
            f"would see the wall; add users (see docs/config.md) or use --host 127.0.0.1")


def cmd_run_guarded(args: argparse.Namespace) -> int:
    problem = exposure_problem(args.config, args.host)
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_CONFIG
    return cmd_run(args)


def cmd_hash_password(args: argparse.Namespace) -> int:
    """Print an argon2id hash for ``password_hash:``; without an argument, ask twice without echo."""
    import getpass

    from wallboard.auth.passwords import hash_password

    password = args.password
    if password is None:
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Password again: ")
        except (EOFError, KeyboardInterrupt):
            print("wallboard hash-password: no password given", file=sys.stderr)
            return EXIT_CONFIG
        if password != again:
            print("wallboard hash-password: the two passwords differ", file=sys.stderr)
            return EXIT_CONFIG
    if len(password) < 8:
        print("wallboard hash-password: use at least 8 characters", file=sys.stderr)
        return EXIT_CONFIG
    print(hash_password(password))
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from wallboard.init import InitError, create

    source = args.source
    if args.boundaries is not None:
        source = str(args.boundaries / "{code}-{level}.geojson")
    try:
        done = create(args.region, args.dir, force=args.force, fetch=not args.no_fetch, source=source)
    except InitError as exc:
        print(f"wallboard init: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    for note in done.notes:
        print(f"wallboard init: {note}", file=sys.stderr)
    where = "" if args.dir == Path(".") else f"cd {args.dir} && "
    print(f"{done.name} ({done.code}): {', '.join(str(p.relative_to(done.folder)) for p in done.files)} dibuat. "
          f"Jalankan `{where}wallboard run` lalu buka http://127.0.0.1:8050/wall/utama")
    return 0


def cmd_collect(args: argparse.Namespace) -> int:
    from wallboard.collect import UnknownSource, run_forever, run_once

    try:
        loaded = load_config(args.config)
    except ConfigError as exc:
        return _print_problems(exc)
    try:
        return run_once(loaded, args.source, sys.stdout) if args.once else run_forever(loaded, args.source)
    except UnknownSource as exc:
        print(f"{args.config}: {exc}", file=sys.stderr)
        return EXIT_CONFIG


def cmd_report(args: argparse.Namespace) -> int:
    """The daily Excel report (wallboard/alerts/report.py) for one day in the site's time zone."""
    from datetime import date

    from wallboard.alerts.report import write_report
    from wallboard.store import Store

    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        print(f"wallboard report: {args.date!r} is not a date; use YYYY-MM-DD, e.g. 2026-11-28", file=sys.stderr)
        return EXIT_CONFIG
    try:
        loaded = load_config(args.config)
    except ConfigError as exc:
        return _print_problems(exc)
    output = args.output or Path(f"wallboard-report-{day.isoformat()}.xlsx")
    store = Store.open(loaded.config.database.url, loaded.path.resolve().parent)
    try:
        write_report(store, loaded.config, day, str(output))
    except OSError as exc:
        print(f"wallboard report: cannot write {output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"{output}: {day.isoformat()}")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    """``wallboard db upgrade|current|history``: the schema migrations, without starting anything."""
    from wallboard.secrets import expand
    from wallboard.store import migrate
    from wallboard.store.engine import make_engine

    if args.action == "history":
        head = migrate.head()
        for revision, down, title in migrate.history():
            print(f"{down or '<base>'} -> {revision}{' (head)' if revision == head else ''}, {title}")
        return 0
    try:
        loaded = load_config(args.config)
    except ConfigError as exc:
        return _print_problems(exc)
    engine = make_engine(expand(loaded.config.database.url), loaded.path.resolve().parent)
    try:
        before = migrate.state(engine)
    except Exception as exc:  # noqa: BLE001 - an unreachable database is one line, not a traceback
        from wallboard.reasons import one_line

        print(f"wallboard db: database not reachable: {one_line(exc)}", file=sys.stderr)
        engine.dispose()
        return 1
    try:
        if args.action == "current":
            where = "newer than this wallboard" if not before.known else \
                "up to date" if before.up_to_date else f"upgrade pending to {before.head}"
            print(f"{before.current or '<none>'} ({where})")
            return 0
        after = migrate.upgrade(engine)
        print(f"database schema: {before.current or '<none>'} -> {after.current}")
        return 0
    finally:
        engine.dispose()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wallboard", description="Command-center wall display")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="collect data and serve the wall")
    run.add_argument("--config", default=DEFAULT_CONFIG, type=Path)
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", default=8050, type=int)
    run.add_argument("--threads", default=16, type=int,
                     help="threads for page and API requests; live walls need none (default 16)")
    run.add_argument("--no-collect", action="store_true",
                     help="serve only; a `wallboard collect` process collects (several web processes)")
    run.set_defaults(func=cmd_run_guarded)

    validate = sub.add_parser("validate", help="check a config file")
    validate.add_argument("path", nargs="?", default=DEFAULT_CONFIG, type=Path)
    validate.set_defaults(func=cmd_validate)

    collect = sub.add_parser("collect", help="run the collectors without the web server")
    collect.add_argument("--config", default=DEFAULT_CONFIG, type=Path)
    collect.add_argument("--once", action="store_true", help="run each source once, print a table, exit 1 on failure")
    collect.add_argument("--source", action="append", metavar="ID", help="only this source (repeatable)")
    collect.set_defaults(func=cmd_collect)

    report = sub.add_parser("report", help="write the daily Excel report (indicators, alerts, work units)")
    report.add_argument("--date", required=True, help="the day, YYYY-MM-DD, in the site's time zone")
    report.add_argument("--output", type=Path, help="the .xlsx file (default wallboard-report-DATE.xlsx)")
    report.add_argument("--config", default=DEFAULT_CONFIG, type=Path)
    report.set_defaults(func=cmd_report)

    hasher = sub.add_parser("hash-password", help="print a password_hash for users: (asks when left out)")
    hasher.add_argument("password", nargs="?", help="the password; leave out to type it without echo")
    hasher.set_defaults(func=cmd_hash_password)

    init = sub.add_parser("init", help="a ready wall directory for a kabupaten/kota")
    init.add_argument("--region", required=True, help="Kemendagri code or name, e.g. 33.08 or Magelang")
    init.add_argument("--dir", default=Path("."), type=Path, help="where to write (default: here)")
    init.add_argument("--force", action="store_true", help="write into a directory that is not empty")
    init.add_argument("--from", dest="source", metavar="URL_TEMPLATE",
                      help="boundary source, e.g. http://host/{code}-{level}.geojson (default: wilayah_boundaries)")
    init.add_argument("--boundaries", type=Path, help="folder with CODE-kecamatan.geojson / CODE-desa.geojson")
    init.add_argument("--no-fetch", action="store_true", help="do not download boundaries (tile map)")
    init.set_defaults(func=cmd_init)
    regions_cli.register(sub)
    doctor.register(sub)

    db = sub.add_parser("db", help="database schema: upgrade it, or show its revision and the history")
    db.add_argument("action", choices=["upgrade", "current", "history"])
    db.add_argument("--config", default=DEFAULT_CONFIG, type=Path)
    db.set_defaults(func=cmd_db)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        logging.getLogger("alembic").setLevel(logging.WARNING)  # store/migrate.py logs the upgrade itself
    from wallboard.store.migrate import SchemaTooNew

    try:
        return args.func(args)
    except SchemaTooNew as exc:  # an older wallboard on a newer database: one line, never a traceback
        print(f"wallboard {args.command}: {exc}", file=sys.stderr)
        return EXIT_CONFIG


if __name__ == "__main__":
    sys.exit(main())
