"""Serving: the ASGI app uvicorn runs (``server``), the walls' streams on the event loop (``streams``),
the hub's messages framed as Server-Sent Events (``sse``) and the Prometheus ``/metrics``
(``metrics``). The pages themselves are Dash/Flask."""
