"""Live CCTV: camera feeds in config, their kinds, the browser's health reports, probes and the relay.

Cameras are the one thing on the wall the server does not collect: the wall PC plays them itself
(snapshot, MJPEG or HLS), so a camera on the city network need not be reachable from the server.
What the server does know comes from the walls' small health reports (``health``), from its own
``probe: true`` checks (``probe``), and, for cameras with credentials, from relaying them
(``proxy``), so no password ever reaches a browser.
"""
