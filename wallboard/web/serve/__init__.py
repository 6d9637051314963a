"""Serving: the ASGI app uvicorn runs (``server``), the walls' Server-Sent Event streams on the event
loop (``streams``) and the Prometheus ``/metrics`` (``metrics``). The pages themselves are Dash/Flask."""
