"""WSGI entry point for serving the wall with gunicorn at scale.

Collectors then run in their own process (`wallboard collect`), so several web workers never
collect twice; the hub notices new data through the store's data version either way::

    WALLBOARD_CONFIG=/etc/wallboard/config.yaml \\
        gunicorn --worker-class gthread --threads 128 -w 1 -b 0.0.0.0:8050 wallboard.wsgi:app
    wallboard collect --config /etc/wallboard/config.yaml

Use one worker per machine with many threads: every wall holds one long-lived stream.
"""

from __future__ import annotations

import os

from wallboard.runtime import Runtime
from wallboard.web.app import create_app

runtime = Runtime.from_path(os.environ.get("WALLBOARD_CONFIG", "config.yaml"), collect=False)
app = create_app(runtime).server
runtime.start()
