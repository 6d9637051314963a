"""``/api/v1``: what this wall shares with other wallboards (a province, a neighbour), by token only.

``tokens.py`` says who is asking (a bearer token from ``api_tokens:``, compared in constant time,
every use audited and counted); ``read.py`` answers the indicators and their readings by cursor,
``combined.py`` the readings of all of them in one stream (one request per peer and run);
``write.py`` takes readings pushed by a kabupaten, only for codes inside its own region;
``incidents.py`` hands out the open alerts of shared indicators. Session cookies mean nothing here,
and a token means nothing anywhere else (walls, console, admin).
"""

from __future__ import annotations

from typing import Any


def register(app: Any, runtime: Any) -> None:
    # Here, not at the top: the endpoint modules import ``wallboard.web.api.tokens`` from this package.
    from wallboard.web.api import combined, incidents, read, write

    read.register(app, runtime)
    combined.register(app, runtime)
    write.register(app, runtime)
    incidents.register(app, runtime)
