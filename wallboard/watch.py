"""Being told when a file changes, instead of looking at it on a timer.

An idle wall server used to wake twice a second to stat the SQLite files and every two seconds to
stat the config file. On a virtual machine each wake-up of a thread costs about 0.1 ms of CPU, and
those wake-ups were most of what a quiet server spent. On Linux one thread now blocks on inotify
(through ``inotify_simple``) and runs a file's callbacks when the kernel says it changed; it wakes
at all only when something changed, and every ``safety`` seconds regardless (a watch is not a
guarantee: a file on a network mount, or one replaced behind a bind mount, may change unseen).
Elsewhere, or when inotify cannot be had (no more watches allowed), ``FileWatch.start`` returns
False and the caller keeps polling as before.

The directories are watched, not the files: editors save by writing a new file and renaming it
over the old one, and SQLite's WAL file comes and goes.
"""

from __future__ import annotations

import logging
import os
import select
import threading
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

try:  # Linux only; elsewhere the caller polls
    import inotify_simple
except ImportError:  # pragma: no cover - not on Linux
    inotify_simple = None

SAFETY = 30.0  # seconds between callbacks when nothing was reported


class FileWatch:
    """Runs callbacks when watched files change, on a thread of its own.

    ``watch(path, callback, written=...)``: ``written=True`` reacts only to a file closed after
    writing or moved into place (a config file: never half-written), and to any such file in the
    same folder (a Kubernetes ConfigMap swaps a symlinked folder, not the file); ``False`` to every
    write of the file itself (a database's files, where each commit appends and nothing is closed).
    """

    def __init__(self, safety: float = SAFETY, name: str = "wallboard-watch") -> None:
        self.safety = safety
        self.name = name
        self.changes = 0  # callbacks run for reported changes (for tests and /api/health)
        self._wanted: list[tuple[Path, Callable[[], None], bool]] = []
        self._inotify = None
        self._names: dict[tuple[int, str], list[tuple[Callable[[], None], bool]]] = {}
        self._thread: threading.Thread | None = None
        self._stop_r, self._stop_w = -1, -1

    def watch(self, path: str | Path, callback: Callable[[], None], written: bool = False) -> None:
        self._wanted.append((Path(path).absolute(), callback, written))

    def start(self) -> bool:
        """Start watching; False when inotify is not available (the caller should poll instead)."""
        if inotify_simple is None or not self._wanted:
            return False
        flags = inotify_simple.flags
        # ATTRIB and MOVED_FROM: a database made read-only, or moved away, is noticed (store/identity.py)
        WATCHED = (flags.MODIFY | flags.CLOSE_WRITE | flags.MOVED_TO | flags.CREATE | flags.DELETE  # noqa: N806
                   | flags.ATTRIB | flags.MOVED_FROM)
        try:
            self._inotify = inotify_simple.INotify()
            watched: dict[Path, int] = {}
            for path, callback, written in self._wanted:
                folder = path.parent
                if folder not in watched:
                    watched[folder] = self._inotify.add_watch(
                        folder, WATCHED)
                name = "*" if written else path.name  # any file of the folder that was written
                self._names.setdefault((watched[folder], name), []).append((callback, written))
        except OSError as exc:  # no such folder, or the per-user watch limit is reached
            log.warning("cannot watch files (%s); looking at them on a timer instead", exc)
            self.close()
            return False
        self._stop_r, self._stop_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        return True

    def stop(self) -> None:
        """Stop watching. The thread closes its own file descriptors as it leaves, so a callback
        still running (a long reload) never finds them closed under it."""
        thread, self._thread = self._thread, None
        if thread is None:
            self.close()
            return
        os.write(self._stop_w, b"x")
        if thread is not threading.current_thread():
            thread.join(timeout=5)

    def close(self) -> None:
        if self._inotify is not None:
            self._inotify.close()
            self._inotify = None
        for fd in (self._stop_r, self._stop_w):
            if fd >= 0:
                os.close(fd)
        self._stop_r = self._stop_w = -1

    def _run(self) -> None:
        try:
            self._watch()
        finally:
            self.close()

    def _watch(self) -> None:
        assert self._inotify is not None
        flags = inotify_simple.flags
        poller = select.poll()
        poller.register(self._inotify.fileno(), select.POLLIN)
        poller.register(self._stop_r, select.POLLIN)
        everything = [cb for callbacks in self._names.values() for cb, _ in callbacks]
        swept = time.monotonic()
        while True:
            wait = max(0.0, swept + self.safety - time.monotonic())
            ready = {fd for fd, _ in poller.poll(wait * 1000)}
            if self._stop_r in ready:
                return
            due: list[Callable[[], None]] = []
            if ready:
                for event in self._inotify.read(timeout=0):
                    if event.mask & flags.Q_OVERFLOW:  # the kernel dropped events: look at everything
                        due.extend(everything)
                        continue
                    due.extend(cb for cb, _ in self._names.get((event.wd, event.name), ()))
                    if event.mask & (flags.CLOSE_WRITE | flags.MOVED_TO | flags.DELETE):
                        due.extend(cb for cb, _ in self._names.get((event.wd, "*"), ()))
                self.changes += len(set(due))
            if time.monotonic() - swept >= self.safety:
                # the safety net, due whether or not events came: a busy database must not keep
                # the config (on a mount inotify cannot see) from being looked at
                due.extend(everything)
                swept = time.monotonic()
            for callback in dict.fromkeys(due):  # each once per batch, in order
                try:
                    callback()
                except Exception:  # noqa: BLE001 - a failing callback must not stop the watching
                    log.exception("file watch callback failed")
