"""The ``wallboard`` command: run, validate, collect, init, db.

Config problems are printed one per line as ``file:line:col: key.path: message`` with exit code 2,
never as a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

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
    from wallboard.web.server import serve

    try:
        runtime = Runtime.from_path(args.config, collect=not args.no_collect)
    except ConfigError as exc:
        return _print_problems(exc)
    runtime.start()
    logging.getLogger(__name__).info("wallboard on http://%s:%d/", args.host, args.port)
    print(f"wallboard: serving {runtime.config.site.name} on http://{args.host}:{args.port}/", flush=True)
    serve(runtime, args.host, args.port, threads=args.threads)
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from wallboard.init import InitError, write_config

    try:
        path = write_config(args.region, args.output, force=args.force, boundaries=args.boundaries)
    except InitError as exc:
        print(f"wallboard init: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    print(f"{path} dibuat. Jalankan `wallboard run --config {path}` lalu buka http://127.0.0.1:8050/wall/utama")
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
    run.set_defaults(func=cmd_run)

    validate = sub.add_parser("validate", help="check a config file")
    validate.add_argument("path", nargs="?", default=DEFAULT_CONFIG, type=Path)
    validate.set_defaults(func=cmd_validate)

    collect = sub.add_parser("collect", help="run the collectors without the web server")
    collect.add_argument("--config", default=DEFAULT_CONFIG, type=Path)
    collect.add_argument("--once", action="store_true", help="run each source once, print a table, exit 1 on failure")
    collect.add_argument("--source", action="append", metavar="ID", help="only this source (repeatable)")
    collect.set_defaults(func=cmd_collect)

    init = sub.add_parser("init", help="write a config.yaml for a kabupaten/kota, ready to run")
    init.add_argument("--region", required=True, help="Kemendagri code, e.g. 33.08")
    init.add_argument("--output", default=Path(DEFAULT_CONFIG), type=Path)
    init.add_argument("--boundaries", type=Path, help="folder with CODE-kecamatan.geojson / CODE-desa.geojson")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.set_defaults(func=cmd_init)

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
