"""config.yaml for a test wall on the demo source: the template several test files used to repeat.

``DemoWall(...).format(db=..., panels=...)`` (or ``screens=...`` for a whole ``screens:`` list)
gives a config with the site ``Uji`` (12.75), one demo source and the given indicators; any other
``{name}`` in the parts (``{theme}``, ``{url}``) is filled from the keyword of that name. Plain
text replacement, not ``str.format``: the YAML's own braces need no doubling.

Source and collector tests use it too (``tests/sources/util.py``, ``tests/sources/site.py``): another
site ``region``, more ``database`` keys (a retention) and their own ``sources`` list instead of
the demo source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TEMPLATE = """
site: {name: Uji, region: "<region>"<site>}
database: {url: <database><store>}
<regions>sources:
<sources>
indicators:
<indicators>
screens:
<screens>
"""


DEMO_SOURCE = "  - {id: simulasi, type: demo, every: 1h, backfill: 1h, indicators: <fed>}"


@dataclass(frozen=True)
class DemoWall:
    site: str = ""  # more site keys, e.g. ", timezone: Asia/Makassar"
    region: str = "12.75"  # the site's region code
    database: str = '"{db}"'  # '"sqlite:///{db}"' when tests pass a file path
    store: str = ""  # more database keys, e.g. ", retention: 400d"
    sources: str = DEMO_SOURCE  # the whole ``sources:`` list; the demo source writes ``fed``
    regions: str = ""  # e.g. "regions: {kecamatan: peta/kecamatan.geojson}"
    fed: str = "[latar]"  # the indicators the demo source writes
    indicators: str = "  - {id: latar, label: Latar}"
    grid: str = "{columns: 4, rows: 2}"
    panels: str = "{panels}"  # the one screen's panels, or given to format()

    def format(self, screens: str | None = None, **values: Any) -> str:
        if screens is None:
            screens = f"  - id: utama\n    grid: {self.grid}\n    panels:\n{self.panels}"
        text = (TEMPLATE.replace("<region>", self.region).replace("<site>", self.site)
                .replace("<database>", self.database).replace("<store>", self.store)
                .replace("<regions>", f"{self.regions}\n" if self.regions else "")
                .replace("<sources>", self.sources.replace("<fed>", self.fed).rstrip("\n"))
                .replace("<indicators>", self.indicators).replace("<screens>", screens.rstrip("\n")))
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text
