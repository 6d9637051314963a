"""config.yaml for a test wall on the demo source: the template several test files used to repeat.

``DemoWall(...).format(db=..., panels=...)`` (or ``screens=...`` for a whole ``screens:`` list)
gives a config with the site ``Uji`` (12.75), one demo source and the given indicators; any other
``{name}`` in the parts (``{theme}``, ``{url}``) is filled from the keyword of that name. Plain
text replacement, not ``str.format``: the YAML's own braces need no doubling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TEMPLATE = """
site: {name: Uji, region: "12.75"<site>}
database: {url: <database>}
<regions>sources:
  - {id: simulasi, type: demo, every: 1h, backfill: 1h, indicators: <fed>}
indicators:
<indicators>
screens:
<screens>
"""


@dataclass(frozen=True)
class DemoWall:
    site: str = ""  # more site keys, e.g. ", timezone: Asia/Makassar"
    database: str = '"{db}"'  # '"sqlite:///{db}"' when tests pass a file path
    regions: str = ""  # e.g. "regions: {kecamatan: peta/kecamatan.geojson}"
    fed: str = "[latar]"  # the indicators the demo source writes
    indicators: str = "  - {id: latar, label: Latar}"
    grid: str = "{columns: 4, rows: 2}"
    panels: str = "{panels}"  # the one screen's panels, or given to format()

    def format(self, screens: str | None = None, **values: Any) -> str:
        if screens is None:
            screens = f"  - id: utama\n    grid: {self.grid}\n    panels:\n{self.panels}"
        text = (TEMPLATE.replace("<site>", self.site).replace("<database>", self.database)
                .replace("<regions>", f"{self.regions}\n" if self.regions else "").replace("<fed>", self.fed)
                .replace("<indicators>", self.indicators).replace("<screens>", screens.rstrip("\n")))
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text
