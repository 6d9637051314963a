"""ASGI entry point, for serving the wall with uvicorn's own process manager or behind a proxy.

Collectors then run in their own process (`wallboard collect`), so several web processes never
collect twice; each web process notices new data through the store's data version::

    WALLBOARD_CONFIG=/etc/wallboard/config.yaml uvicorn wallboard.asgi:app --no-proxy-headers --host 0.0.0.0 --port 8050
    wallboard collect --config /etc/wallboard/config.yaml

Live walls are coroutines, not threads: one process holds a thousand of them.
"""

from __future__ import annotations

import os

from wallboard.runtime import Runtime
from wallboard.web.serve.server import create_asgi

runtime = Runtime.from_path(os.environ.get("WALLBOARD_CONFIG", "config.yaml"), collect=False)
app = create_asgi(runtime)
runtime.start()
