"""The web layer: pages and streams, grouped by who they are for.

``app`` assembles the Dash/Flask app; ``wall`` (the wall page, its assets, the replay), ``drill``
(``/panel/<id>`` for supervisors), ``console`` (operators acknowledging alerts), ``admin``
(``/admin``, ``/healthz``) and ``access`` (request guard, sign-in pages, security headers) each
register their routes; ``serve`` is the ASGI server, the walls' streams and ``/metrics``.
``pages`` and ``errors`` are the Jinja pages (``templates/``) and error pages they share. Everything
here sits above ``wallboard.live``, which builds the views the walls are sent.
"""
