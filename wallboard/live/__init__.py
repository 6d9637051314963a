"""The live layer: a snapshot of the store -> each panel's view -> what changed, once per data change.

Below ``web`` and above panels, alerts and the snapshot; ``runtime`` starts it without anything
from ``web``. Modules: ``hub`` (when to build: data versions, time ticks, the store being down; and
who is told), ``views`` (the panels of a screen and their props for a snapshot, alert line
included), ``diff`` (the smallest update between two views), ``messages`` (what the walls are told:
a name and its JSON, serialised once per screen). Framing and serving those messages to browsers
(Server-Sent Events) is ``wallboard.web.serve``'s job.
"""

from wallboard.live.hub import Hub, Listener

__all__ = ["Hub", "Listener"]
