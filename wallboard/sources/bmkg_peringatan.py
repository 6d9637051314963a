"""``type: bmkg_peringatan``: BMKG's nowcast early warnings (CAP) for the site's province.

BMKG publishes the active nowcast warnings as an RSS 2.0 feed (``alerts/nowcast/id`` under
``https://www.bmkg.go.id``), one ``<item>`` per warning whose ``<link>`` is the warning's CAP 1.2
file (``alerts/nowcast/id/CODE_alert.xml``). Items naming the site's province (in the title or the
description) are read in full from their CAP file, below ``base_url`` as well (the link's path is
kept, its host replaced), so a mirror serves both unchanged.

Each CAP ``<alert>`` is one event (ref ``cap-IDENTIFIER``): its ``<info>`` gives the event, the
``severity`` (Minor, Moderate, Severe, Extreme), ``effective``/``expires`` and the areas
(``<areaDesc>``, and the ``description`` naming kabupaten and kecamatan). A warning whose text names
the site's kabupaten/kota or one of its kecamatan is the site's: its event is ``kritis`` (Severe,
Extreme) or ``waspada`` (Minor, Moderate) and carries the site's code; others are listed as
``jauh``; an expired one is ``selesai``. The reading ``peringatan_dini`` at the site is the highest
level of the site's active warnings (2 Severe/Extreme, 1 Minor/Moderate, 0 none): with thresholds
1 and 2 (as ``wallboard init`` writes them) the alerts machinery opens an incident of that severity,
and the next run after the warning expires reads 0 and closes it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - expat >= 2.4 refuses entity expansion bombs
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field

from wallboard.config.models import SourceBase
from wallboard.durations import Duration
from wallboard.sources.base import Batch, Event, Reading, Source, SourceError
from wallboard.sources.bmkg_client import SHARED, looks_like_html
from wallboard.sources.bmkg_places import Site, load_site, province_name

INDICATOR = "peringatan_dini"
CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
LEVELS = {"extreme": 2, "severe": 2, "moderate": 1, "minor": 1, "unknown": 1}


class BmkgPeringatanConfig(SourceBase):
    type: Literal["bmkg_peringatan"]
    every: Duration | None = Field(timedelta(minutes=5), description="BMKG issues nowcasts every few hours")
    base_url: str = Field("https://www.bmkg.go.id", description="BMKG's host or a mirror serving alerts/nowcast/...")
    lang: Literal["id", "en"] = Field("id", description="the feed's language")
    province: str | None = Field(None, description="province name the items are matched on; default the site's")

    def indicator_ids(self) -> list[str]:
        return [INDICATOR]


@dataclass(frozen=True)
class Warning:
    identifier: str
    event: str
    severity: str
    effective: datetime
    expires: datetime
    headline: str
    description: str
    areas: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join((self.headline, self.description, *self.areas))


class BmkgPeringatanSource(Source):
    Config = BmkgPeringatanConfig
    config: BmkgPeringatanConfig

    def __init__(self, config: BmkgPeringatanConfig, context: Any):
        super().__init__(config, context)
        self.site: Site = load_site(context.site.region, None)
        self.province = config.province or province_name(context.site.region)

    def fetch(self, now: datetime) -> Batch:
        timeout = self.config.timeout.total_seconds()
        feed = f"alerts/nowcast/{self.config.lang}"
        links = [link for title, link, text in rss_items(self._get(feed, timeout), feed)
                 if _mentions(f"{title} {text}", self.province)]
        batch = Batch(empty_ok=True)
        level = 0
        for link in links:
            path = urlsplit(link).path.lstrip("/") or link
            warning = parse_cap(self._get(path, timeout), path)
            ours = self.site.names_site(warning.text)
            active = warning.effective <= now < warning.expires
            if ours and active:
                level = max(level, LEVELS.get(warning.severity.lower(), 1))
            batch.events.append(self.event(warning, ours, active))
        minute = int(now.timestamp()) // 60 * 60
        batch.readings.append(Reading(INDICATOR, self.site.code, minute, float(level), origin=feed))
        return batch

    def event(self, warning: Warning, ours: bool, active: bool) -> Event:
        if not active:
            status = "selesai"
        elif not ours:
            status = "jauh"
        else:
            status = "kritis" if LEVELS.get(warning.severity.lower(), 1) >= 2 else "waspada"
        until = warning.expires.strftime("%Y-%m-%d %H:%M UTC")
        detail = f"{warning.severity}; berlaku sampai {until}; {warning.description}"
        return Event(ref=("cap-" + warning.identifier)[:120], time=warning.effective, status=status,
                     title=(warning.headline or warning.event)[:300], category=warning.event[:120],
                     region=self.site.code if ours else None, detail=detail)

    def _get(self, path: str, timeout: float) -> ET.Element:
        body = SHARED.get(self.config.base_url.rstrip("/") + "/" + path, timeout)
        if looks_like_html(body):
            raise SourceError(f"{path}: jawaban berupa halaman HTML, bukan XML BMKG; tidak ada yang disimpan")
        try:
            return ET.fromstring(body)  # noqa: S314 - see the import
        except ET.ParseError as exc:
            raise SourceError(f"{path}: bukan XML yang sah ({exc})") from None


def _mentions(text: str, name: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(name.lower()) + r"(?!\w)", text.lower()) is not None


def rss_items(root: ET.Element, feed: str) -> list[tuple[str, str, str]]:
    """(title, link, description) of every item; a feed that is not RSS fails naming what is missing."""
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is None:
        raise SourceError(f"{feed}: bukan RSS (akar <{root.tag}>, tanpa <channel>); tidak ada yang disimpan")
    out = []
    for i, item in enumerate(channel.findall("item")):
        link = (item.findtext("link") or "").strip()
        if not link:
            raise SourceError(f"{feed}: item ke-{i + 1} tanpa <link> ke berkas CAP; tidak ada yang disimpan")
        out.append(((item.findtext("title") or "").strip(), link, (item.findtext("description") or "").strip()))
    return out


def _find(element: ET.Element, name: str) -> ET.Element | None:
    found = element.find(f"{{{CAP_NS}}}{name}")
    return found if found is not None else element.find(name)


def _text(element: ET.Element, name: str, where: str, required: bool = True) -> str:
    found = _find(element, name)
    text = (found.text or "").strip() if found is not None else ""
    if required and not text:
        raise SourceError(f"{where}: <{name}> tidak ada (format CAP berubah?); tidak ada yang disimpan")
    return text


def _when(text: str, name: str, where: str) -> datetime:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            raise SourceError(f"{where}: <{name}> {text!r} bukan waktu") from None
    if when.tzinfo is None:
        raise SourceError(f"{where}: <{name}> {text!r} tanpa zona waktu")
    return when.astimezone(UTC)


def parse_cap(root: ET.Element, where: str) -> Warning:
    """A CAP 1.2 ``<alert>`` with its first ``<info>``; any field the wall needs missing fails the run."""
    if root.tag not in (f"{{{CAP_NS}}}alert", "alert"):
        raise SourceError(f"{where}: bukan CAP (akar <{root.tag}>); tidak ada yang disimpan")
    info = _find(root, "info")
    if info is None:
        raise SourceError(f"{where}: <info> tidak ada; tidak ada yang disimpan")
    sent = _text(root, "sent", where)
    effective = _text(info, "effective", where, required=False) or sent
    areas = tuple((_text(a, "areaDesc", where, required=False))
                  for a in [*info.findall(f"{{{CAP_NS}}}area"), *info.findall("area")])
    return Warning(
        identifier=_text(root, "identifier", where), event=_text(info, "event", where),
        severity=_text(info, "severity", where), effective=_when(effective, "effective", where),
        expires=_when(_text(info, "expires", where), "expires", where),
        headline=_text(info, "headline", where, required=False),
        description=_text(info, "description", where, required=False), areas=areas,
    )
