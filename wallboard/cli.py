"""The ``wallboard`` command: run, validate, collect, init, db.

Config problems are printed one per line as ``file:line:col: key.path: message`` with exit code 2,
never as a traceback. Every other failure is one line too, in the site's language (catalogue ``cli``;
Bahasa Indonesia until the config is read): a database that is not reachable (``run`` and ``collect``
wait for it, one line per attempt: store/reach.py), a bad date, a file that is missing. ``-v`` shows
the traceback of an unexpected error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from pathlib import Path

from wallboard import doctor, regions_cli
from wallboard.config import ConfigError, LoadedConfig, load_config
from wallboard.i18n import translator

EXIT_CONFIG = 2
DEFAULT_CONFIG = "config.yaml"
DEFAULT_LOCALE = "id"  # before a config says otherwise: Bahasa Indonesia first
t = translator("cli")
log = logging.getLogger(__name__)


def _say(args: argparse.Namespace, message: str, **values: object) -> None:
    """One line on stderr, in the site's language once the command has read its config."""
    print(t(getattr(args, "locale", DEFAULT_LOCALE), message, **values), file=sys.stderr, flush=True)


def _load(args: argparse.Namespace, path: Path) -> LoadedConfig:
    """The config, its language remembered for every later message of this command."""
    loaded = load_config(path)
    args.locale = loaded.config.site.locale
    return loaded


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
    from wallboard.store.reach import wait_for_database
    from wallboard.web.serve.server import serve

    try:
        loaded = _load(args, args.config)
    except ConfigError as exc:
        return _print_problems(exc)
    runtime = wait_for_database(lambda: Runtime(loaded, collect=not args.no_collect), "run", args.locale)
    runtime.start()
    log.info("wallboard on http://%s:%d/", args.host, args.port)
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
        done = create(args.region, args.dir, force=args.force, fetch=not args.no_fetch, source=source,
                      bmkg=not args.no_bmkg, bmkg_url=args.bmkg_url)
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
        loaded = _load(args, args.config)
    except ConfigError as exc:
        return _print_problems(exc)
    try:
        return run_once(loaded, args.source, sys.stdout) if args.once else run_forever(loaded, args.source)
    except UnknownSource as exc:
        print(f"{args.config}: {exc}", file=sys.stderr)
        return EXIT_CONFIG


FIRST_DAY, LAST_DAY = "1970-01-01", "9999-12-30"  # a day whose next day and time zone shifts still exist


def report_day(args: argparse.Namespace) -> date | None:
    """``--date`` as a day, or None after saying why not (one line)."""
    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        _say(args, "wallboard report: {date} is not a date; use YYYY-MM-DD, e.g. 2026-11-28", date=repr(args.date))
        return None
    if not date.fromisoformat(FIRST_DAY) <= day <= date.fromisoformat(LAST_DAY):
        _say(args, "wallboard report: {date} is out of range; use a day from {first} to {last}",
             date=day.isoformat(), first=FIRST_DAY, last=LAST_DAY)
        return None
    return day


def cmd_report(args: argparse.Namespace) -> int:
    """The daily Excel report (wallboard/alerts/report.py) for one day in the site's time zone."""
    from wallboard.alerts.report import write_report
    from wallboard.store import Store

    try:
        loaded = _load(args, args.config)
    except ConfigError as exc:
        return _print_problems(exc)
    day = report_day(args)
    if day is None:
        return EXIT_CONFIG
    output = args.output or Path(f"wallboard-report-{day.isoformat()}.xlsx")
    store = Store.open(loaded.config.database.url, loaded.path.resolve().parent)
    try:
        write_report(store, loaded.config, day, str(output))
    except OSError as exc:
        _say(args, "wallboard report: cannot write {path}: {reason}", path=output, reason=exc.strerror or exc)
        return 1
    finally:
        store.close()
    print(f"{output}: {day.isoformat()}")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    """``wallboard db upgrade|current|history|backup``: the schema migrations and backups, without
    starting anything."""
    from wallboard.secrets import expand
    from wallboard.store import migrate
    from wallboard.store.engine import make_engine
    from wallboard.store.reach import reason

    if args.action == "history":
        head = migrate.head()
        for revision, down, title in migrate.history():
            print(f"{down or '<base>'} -> {revision}{' (head)' if revision == head else ''}, {title}")
        return 0
    if args.action == "backup" and args.dir is None:
        _say(args, "wallboard db backup: say where, e.g. wallboard db backup /var/backups/wallboard")
        return EXIT_CONFIG
    try:
        loaded = _load(args, args.config)
    except ConfigError as exc:
        return _print_problems(exc)
    engine = make_engine(expand(loaded.config.database.url), loaded.path.resolve().parent)
    try:
        if args.action == "backup":
            return db_backup(args, engine)
        try:
            before = migrate.state(engine)
        except Exception as exc:  # noqa: BLE001 - an unreachable database is one line, not a traceback
            _say(args, "wallboard {command}: database not reachable: {reason}", command="db", reason=reason(exc))
            return 1
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


def db_backup(args: argparse.Namespace, engine: object) -> int:
    """``wallboard db backup DIR``: VACUUM INTO on SQLite, pg_dump on PostgreSQL (store/backup.py)."""
    from wallboard.store.backup import NO_PG_DUMP, UNSUPPORTED, BackupError, backup

    try:
        path = backup(engine, args.dir)  # type: ignore[arg-type]
    except BackupError as exc:
        if exc.kind == NO_PG_DUMP:
            _say(args, "wallboard db backup: pg_dump not found; install the PostgreSQL client "
                       "(apt install postgresql-client) or run pg_dump yourself (docs/operations.md)")
        elif exc.kind == UNSUPPORTED:
            _say(args, "wallboard db backup: cannot back up this database ({what})", what=exc.detail)
        else:
            _say(args, "wallboard db backup: failed: {reason}", reason=exc.detail)
        return 1
    except OSError as exc:
        _say(args, "wallboard db backup: cannot write into {path}: {reason}", path=args.dir,
             reason=exc.strerror or exc)
        return 1
    print(f"{path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


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
    init.add_argument("--no-bmkg", action="store_true",
                      help="leave out BMKG's earthquakes, weather and warnings (a wall without internet)")
    init.add_argument("--bmkg-url", metavar="URL",
                      help="a mirror serving BMKG's paths for all three feeds (default: BMKG's own hosts)")
    init.set_defaults(func=cmd_init)
    regions_cli.register(sub)
    doctor.register(sub)

    db = sub.add_parser("db", help="database schema: upgrade it, show its revision and the history; back it up")
    db.add_argument("action", choices=["upgrade", "current", "history", "backup"])
    db.add_argument("dir", nargs="?", type=Path, help="backup: the folder to write the copy into")
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
    from wallboard.secrets import mask_log_handlers

    mask_log_handlers()  # every line written passes the one mask (wallboard.secrets.mask_text)
    if not args.verbose:
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        logging.getLogger("alembic").setLevel(logging.WARNING)  # store/migrate.py logs the upgrade itself
    try:
        return _dispatch(args)
    except KeyboardInterrupt:  # Ctrl-C while waiting for the database: stopped, no traceback
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    """The command, with every failure it does not handle itself said in one line."""
    from wallboard.store.identity import HistoryMissing
    from wallboard.store.migrate import SchemaTooNew
    from wallboard.store.reach import UNREACHABLE, reason

    try:
        return args.func(args)
    except SchemaTooNew as exc:  # an older wallboard on a newer database: one line, never a traceback
        print(f"wallboard {args.command}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except HistoryMissing as exc:
        _say(args, "wallboard {command}: refusing to start: {reason}, while database.expect_history is true; restore "
                   "the database from a backup (docs/operations.md) or set expect_history: false to begin an empty "
                   "one", command=args.command, reason=exc)
        return EXIT_CONFIG
    except UNREACHABLE as exc:
        _say(args, "wallboard {command}: database not reachable: {reason}", command=args.command, reason=reason(exc))
        return 1
    except Exception as exc:
        if args.verbose:
            raise
        from wallboard.reasons import one_line

        _say(args, "wallboard {command}: {reason} (-v shows the details)", command=args.command, reason=one_line(exc))
        return 1


if __name__ == "__main__":
    sys.exit(main())
