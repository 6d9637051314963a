"""Checks that span sections: references between sources, indicators, screens and panels.

Pydantic validates each section on its own; an admin also needs to hear that a panel names an
indicator nobody defined, or that two panels overlap on the grid. Each check yields the location
of the offending key and a message; the loader turns locations into line numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

Loc = tuple[str | int, ...]


def cross_check(config: Any, base: Path) -> Iterator[tuple[Loc, str]]:
    indicator_ids = {i.id for i in config.indicators}
    source_ids = {s.id for s in config.sources}
    yield from _duplicates([(i.id, ("indicators", n, "id")) for n, i in enumerate(config.indicators)], "indicator")
    yield from _duplicates([(s.id, ("sources", n, "id")) for n, s in enumerate(config.sources)], "source")
    yield from _duplicates([(s.id, ("screens", n, "id")) for n, s in enumerate(config.screens)], "screen")
    yield from _duplicates([(u.name, ("users", n, "name")) for n, u in enumerate(config.users)], "user")
    tokens = [(u.display_token, ("users", n, "display_token")) for n, u in enumerate(config.users) if u.display_token]
    for _token, loc in _repeats(tokens):
        yield loc, "two users share one display_token; give each wall user its own"
    yield from _user_screens(config)

    for si, source in enumerate(config.sources):
        for ref in source.indicator_ids():
            if ref not in indicator_ids:
                yield ("sources", si, "indicators" if hasattr(source, "indicators") else "indicator"), (
                    f"indicator {ref!r} is not defined under indicators:"
                )

    for si, screen in enumerate(config.screens):
        paged = screen.pages is not None
        panel_ids: list[tuple[str, Loc]] = []
        for pi, page in enumerate(screen.all_pages()):
            occupied: dict[tuple[int, int], str] = {}
            for ni, panel in enumerate(page):
                loc: Loc = ("screens", si, "pages", pi, "panels", ni) if paged else ("screens", si, "panels", ni)
                panel_ids.append((panel.id, (*loc, "id")))
                for ref in panel.indicator_ids():
                    if ref not in indicator_ids:
                        yield (*loc, "indicator"), f"indicator {ref!r} is not defined under indicators:"
                for ref in panel.source_ids():
                    if ref not in source_ids:
                        yield (*loc, "source"), f"source {ref!r} is not defined under sources:"
                (x, y), (w, h) = panel.at, panel.size
                if x + w > screen.grid.columns or y + h > screen.grid.rows:
                    yield (*loc, "at"), (
                        f"panel {panel.id!r} at {list(panel.at)} size {list(panel.size)} does not fit the "
                        f"{screen.grid.columns}x{screen.grid.rows} grid"
                    )
                    continue
                clash = next((occupied[c] for c in _cells(x, y, w, h) if c in occupied), None)
                if clash:
                    yield (*loc, "at"), f"panel {panel.id!r} overlaps panel {clash!r}"
                for cell in _cells(x, y, w, h):
                    occupied[cell] = panel.id
        yield from _duplicates(panel_ids, "panel")
    yield from _owner_checks(config)
    yield from _token_checks(config, indicator_ids)


def _token_checks(config: Any, indicator_ids: set[str]) -> Iterator[tuple[Loc, str]]:
    """api_tokens and federation.push name indicators that exist; token names and secrets are unique."""
    entries = getattr(config, "api_tokens", None) or []
    yield from _duplicates([(t.name, ("api_tokens", n, "name")) for n, t in enumerate(entries)], "api token")
    for _token, loc in _repeats([(t.token, ("api_tokens", n, "token")) for n, t in enumerate(entries)]):
        yield loc, "two api_tokens share one token; give each peer its own"
    federation = getattr(config, "federation", None)
    listed = [(("api_tokens", n, "indicators"), t.indicators) for n, t in enumerate(entries)]
    listed += [(("federation", "push", n, "indicators"), p.indicators)
               for n, p in enumerate(federation.push if federation is not None else [])]
    for loc, ids in listed:
        for ref in [] if ids == "all" else ids:
            if ref not in indicator_ids:
                yield loc, f"indicator {ref!r} is not defined under indicators:"


def _owner_checks(config: Any) -> Iterator[tuple[Loc, str]]:
    """Indicators name an owner and owners name the next level: both must exist once owners: is given."""
    owners = getattr(config, "owners", None) or []
    if not owners:
        return
    owner_ids = {o.id for o in owners}
    yield from _duplicates([(o.id, ("owners", n, "id")) for n, o in enumerate(owners)], "owner")
    for oi, owner in enumerate(owners):
        if owner.next is not None and owner.next not in owner_ids:
            yield ("owners", oi, "next"), f"owner {owner.next!r} is not defined under owners:"
        for ci, contact in enumerate(owner.contacts):
            if contact.channel == "email" and config.notify.smtp is None:
                yield ("owners", oi, "contacts", ci, "channel"), "e-mail contacts need notify.smtp"


def warnings(config: Any, base: Path) -> Iterator[tuple[Loc, str]]:
    """Things that still run but are probably a mistake: the wall draws tiles instead of a map."""
    for name in ("kecamatan", "desa"):
        value = getattr(config.regions, name)
        if value and not (base / value).exists():
            yield ("regions", name), f"boundary file {value!r} not found; map panels draw one tile per area"
    yield from owner_warnings(config)
    yield from threshold_warnings(config)


def threshold_warnings(config: Any) -> Iterator[tuple[Loc, str]]:
    """Levels that will not judge what their author probably meant: per-region levels on an
    indicator no source gives per region, and site levels on an ``aggregate: last`` indicator
    whose figures are per region (its site figure is whichever region reported last)."""
    for ii, indicator in enumerate(config.indicators):
        feeds = [s.regional() for s in config.sources
                 if indicator.id in s.indicator_ids() or s.indicators_from_data()]
        known = [f for f in feeds if f is not None]
        per_region = indicator.region_thresholds is not None or (
            indicator.thresholds is not None and indicator.thresholds.per_region)
        if per_region and known and not any(known) and len(known) == len(feeds):
            key = "region_thresholds" if indicator.region_thresholds is not None else "thresholds"
            yield ("indicators", ii, key), (
                f"no source gives {indicator.id!r} per kecamatan or desa: its per-region levels judge "
                "nothing; only the site's figure is judged"
            )
        if indicator.aggregate == "last" and indicator.thresholds is not None and any(known):
            yield ("indicators", ii, "thresholds"), (
                f"{indicator.id!r} is per region with aggregate: last, so thresholds judge whichever "
                "region reported last; use region_thresholds to judge each region"
            )


def owner_warnings(config: Any) -> Iterator[tuple[Loc, str]]:
    """An indicator naming an owner that owners: does not list still runs, but nobody is told of its
    alerts. A warning, not an error: the reference config names more work units than it lists."""
    owners = getattr(config, "owners", None) or []
    if not owners:
        return
    owner_ids = {o.id for o in owners}
    for ii, indicator in enumerate(config.indicators):
        if indicator.owner is not None and indicator.owner not in owner_ids:
            yield ("indicators", ii, "owner"), (
                f"owner {indicator.owner!r} is not defined under owners:; its alerts are not escalated"
            )


def _cells(x: int, y: int, w: int, h: int) -> Iterator[tuple[int, int]]:
    for cx in range(x, x + w):
        for cy in range(y, y + h):
            yield cx, cy


def _repeats(items: list[tuple[Any, Loc]]) -> Iterator[tuple[Any, Loc]]:
    """Every item whose value came before: the admin is sent to the second occurrence, the one to fix."""
    seen: set[Any] = set()
    for value, loc in items:
        if value in seen:
            yield value, loc
        seen.add(value)


def _duplicates(ids: list[tuple[str, Loc]], what: str) -> Iterator[tuple[Loc, str]]:
    for value, loc in _repeats(ids):
        word = "name" if what == "user" else "id"
        yield loc, f"{what} {word} {value!r} is used twice"


def _user_screens(config: Any) -> Iterator[tuple[Loc, str]]:
    """A display token's ``screens:`` must name walls that exist."""
    screen_ids = {s.id for s in config.screens}
    for n, user in enumerate(config.users):
        for k, ref in enumerate(user.screens or []):
            if ref not in screen_ids:
                yield ("users", n, "screens", k), f"screen {ref!r} is not defined under screens:"
