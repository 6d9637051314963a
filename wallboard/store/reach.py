"""Waiting for the database instead of dying: ``wallboard run`` and ``collect`` on a database that is down.

A database that is not up yet (PostgreSQL still starting after a reboot, a network that is not
there yet) used to end the command with a 130-line traceback, and systemd restarted it every two
seconds. Now the command says so in one line per attempt, in the site's language, and tries again
with exponential back-off (1 s, 2 s, 4 s ... at most a minute) until the database answers or the
process is stopped. Anything else (a schema newer than this wallboard, a missing history) is not
waiting's business and is raised at once.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO, TypeVar

from sqlalchemy.exc import InterfaceError, OperationalError

from wallboard.backoff import Backoff
from wallboard.i18n import translator
from wallboard.reasons import one_line

t = translator("cli")
T = TypeVar("T")
UNREACHABLE = (OperationalError, InterfaceError, ConnectionError)
WAITING = Backoff(base=1.0, cap=60.0)


def reason(exc: BaseException) -> str:
    """The driver's own words, without SQLAlchemy's statement and "Background on this error" link."""
    original = getattr(exc, "orig", None)
    return one_line(original if original is not None else exc)


def wait_for_database(open_: Callable[[], T], command: str, locale: str, out: TextIO | None = None,
                      backoff: Backoff = WAITING, sleep: Callable[[float], None] | None = None,
                      attempts: int | None = None) -> T:
    """``open_()`` until it does not fail for want of a database; one line on ``out`` per failure.

    ``attempts`` (tests): give up after that many failures, raising the last error.
    """
    failures = 0
    while True:
        try:
            return open_()
        except UNREACHABLE as exc:
            failures += 1
            if attempts is not None and failures >= attempts:
                raise
            delay = backoff.delay(failures).total_seconds()
            print(t(locale, "wallboard {command}: database not reachable ({reason}); trying again in {seconds} s "
                            "(attempt {n})", command=command, reason=reason(exc), seconds=f"{delay:.0f}",
                    n=failures), file=out or sys.stderr, flush=True)
            (sleep or time.sleep)(delay)
