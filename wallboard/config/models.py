"""Pydantic models for config.yaml.

Every model forbids unknown keys, so a typo is an error with a line number instead of a setting
that silently does nothing. Source and panel models live beside their implementations (one module
per type) and are joined here into unions keyed on ``type``; ``config_model()`` builds the root
model from whatever is registered, plugins included.
"""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from functools import cache
from typing import Annotated, Any, Literal, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    IPvAnyNetwork,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from wallboard.config.types import config_types, sections
from wallboard.durations import Duration, nominal_period
from wallboard.regions import kabupaten_kota, province

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
Locale = Literal["id", "en"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(Strict):
    """A text in Bahasa Indonesia and optionally English; a plain string counts as Indonesian."""

    id: str
    en: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"id": value} if isinstance(value, str) else value

    def text(self, locale: str) -> str:
        return (self.en if locale == "en" else None) or self.id


ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class Site(Strict):
    name: str
    region: str = Field(description="Kemendagri code of the kabupaten/kota, e.g. '12.75'; a province wall: "
                                    "the province's code ('33'), a national one: '00'")
    timezone: str = "Asia/Jakarta"
    locale: Locale = "id"
    theme: Literal["dark", "light"] = "dark"
    reload_at: ClockTime | None = Field(
        None, description="local time (HH:MM, site time zone) at which every open wall reloads itself once a day"
    )
    heartbeat: Duration = Field(
        timedelta(seconds=10),
        description="a quiet wall's stream carries a heartbeat this often; a wall that hears nothing for "
                    "2.5 times as long shows 'reconnecting' and reopens its stream",
    )

    @field_validator("heartbeat")
    @classmethod
    def _heartbeat_range(cls, value: timedelta) -> timedelta:
        if not timedelta(seconds=1) <= value <= timedelta(seconds=20):
            raise ValueError("heartbeat must be between 1s and 20s")
        return value

    @field_validator("region", mode="before")
    @classmethod
    def _region_is_known(cls, value: Any) -> str:
        code = str(value).strip()
        if kabupaten_kota(code) is None and province(code) is None:
            raise ValueError(f"{code!r} is not a Kemendagri kabupaten/kota code (for example '12.75'), "
                             "nor a province code ('33') or '00' for a national site")
        return code

    @field_validator("timezone")
    @classmethod
    def _zone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)"
            ) from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Database(Strict):
    url: str = "sqlite:///data/wallboard.db"
    retention: Duration = timedelta(days=400)
    # True once the database holds data: `wallboard run` then refuses to start on an empty or missing one
    # (a deleted file, a wrong path) instead of beginning a new, empty history (store/identity.py).
    expect_history: bool = False


class Regions(Strict):
    kecamatan: str | None = None
    desa: str | None = None


class Levels(Strict):
    """A warning and a critical level; which figures they judge is said by the key holding them."""

    warning: float | None = None
    critical: float | None = None


class Thresholds(Levels):
    """Levels for the figure the wall shows for the whole site (the total, or the aggregate over
    the regions); ``per_region: true`` applies the same levels to each kecamatan or desa as well."""

    per_region: bool = Field(False, description="also judge each kecamatan/desa against these levels")


class Indicator(Strict):
    id: Identifier
    label: Label
    unit: str = ""
    owner: str | None = None
    aggregate: Literal["sum", "mean", "last"] = "sum"
    direction: Literal["up", "down"] = Field(
        "up", description="up: higher values are worse (the default); down: lower values are worse"
    )
    thresholds: Thresholds | None = Field(
        None, description="levels for the site's figure (the total or the aggregate over its regions)"
    )
    region_thresholds: Levels | None = Field(
        None, description="levels for each kecamatan or desa on its own (per-region alerting)"
    )
    stale_after: Duration | None = None
    format: Literal["number", "currency", "percent"] = "number"
    decimals: int | None = Field(None, ge=0, le=6)
    target: float | None = None

    @field_validator("thresholds", "region_thresholds")
    @classmethod
    def _thresholds_in_order(cls, t: Levels | None, info: ValidationInfo) -> Levels | None:
        direction = info.data.get("direction", "up")
        if t and t.warning is not None and t.critical is not None:
            worse_is_higher = direction == "up"
            if (t.critical < t.warning) if worse_is_higher else (t.critical > t.warning):
                side = "above" if worse_is_higher else "below"
                key = info.field_name
                raise ValueError(
                    f"{key}.critical must be {side} {key}.warning when direction is {direction}"
                )
        return t


class SourceBase(Strict):
    """Keys every source type shares; each type's module subclasses this with its own keys."""

    id: Identifier
    type: str
    every: Duration | None = None
    cron: str | None = None
    timeout: Duration = timedelta(seconds=30)

    @field_validator("cron")
    @classmethod
    def _cron_parses(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("every") is not None:
            raise ValueError("give either every: or cron:, not both")
        if value is not None:
            from apscheduler.triggers.cron import CronTrigger

            try:
                CronTrigger.from_crontab(value)
            except ValueError as exc:
                raise ValueError(f"invalid cron expression {value!r}: {exc}") from None
        return value

    @property
    def interval(self) -> timedelta:
        """The nominal gap between runs, used for the default ``stale_after``."""
        if self.every is not None:
            return self.every
        if self.cron is not None:
            return _cron_interval(self.cron)
        return timedelta(minutes=1)

    def indicator_ids(self) -> list[str]:
        """Indicators this source writes, when it can be told from config (for cross-checks)."""
        return []

    def indicators_from_data(self) -> bool:
        """True when a column of the data names the indicator, so any indicator may come from here."""
        return False

    def regional(self) -> bool | None:
        """Whether its figures are per kecamatan/desa (True), for the whole site only (False), or
        cannot be told from config (None); config checks warn of per-region levels nothing feeds."""
        return None


def _cron_interval(expr: str) -> timedelta:
    from datetime import datetime

    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger.from_crontab(expr, timezone=UTC)
    first = trigger.get_next_fire_time(None, datetime(2026, 1, 1, tzinfo=UTC))
    second = trigger.get_next_fire_time(first, first + timedelta(microseconds=1)) if first else None
    return (second - first) if first and second else timedelta(hours=1)


class PanelBase(Strict):
    """Keys every panel type shares; each type's module subclasses this with its own keys."""

    id: Identifier
    type: str
    at: tuple[Annotated[int, Field(ge=0)], Annotated[int, Field(ge=0)]]
    size: tuple[Annotated[int, Field(ge=1)], Annotated[int, Field(ge=1)]] = (1, 1)
    title: Label | None = None
    drill: bool = False

    def indicator_ids(self) -> list[str]:
        return []

    def source_ids(self) -> list[str]:
        return []


Resolution = Annotated[str, Field(pattern=r"^\d{3,5}x\d{3,5}$")]


class Grid(Strict):
    columns: int = Field(ge=1, le=48)
    rows: int = Field(ge=1, le=48)


class User(Strict):
    name: Identifier
    role: Literal["operator", "supervisor", "admin"]
    display_token: str | None = Field(
        None, description="kiosk token (${VAR}, 16+ characters): /wall/<id>?token=... signs a wall PC in for good"
    )
    password_hash: str | None = Field(None, description="from `wallboard hash-password`; usually ${VAR}")
    screens: list[Identifier] | None = Field(
        None, description="the walls a display_token may show (default: every wall); never /console"
    )

    @field_validator("display_token")
    @classmethod
    def _token_long_enough(cls, token: str | None) -> str | None:
        if token is not None and "${" not in token and len(token) < 16:
            raise ValueError("display_token must be at least 16 characters (better: ${VAR} from the environment)")
        return token

    @field_validator("password_hash")
    @classmethod
    def _hash_from_the_hasher(cls, digest: str | None) -> str | None:
        if digest is not None and "${" not in digest and not digest.startswith("$argon2"):
            raise ValueError("password_hash must come from `wallboard hash-password` (an $argon2id$ hash)")
        return digest

    @model_validator(mode="after")
    def _can_sign_in(self) -> User:
        if self.password_hash is None and self.display_token is None:
            raise ValueError(
                f"user {self.name!r} needs password_hash (make one with `wallboard hash-password`) or display_token"
            )
        return self


class Auth(Strict):
    """Sessions and the headers every answer carries; only matters once ``users:`` is set."""

    secret_key: str | None = Field(
        None, description="signs session and kiosk cookies (${VAR}); default: a key kept in .wallboard-secret"
    )
    session_max_age: Duration = timedelta(hours=12)
    kiosk_max_age: Duration = timedelta(days=400)
    frame_ancestors: list[Annotated[str, Field(pattern=r"^[^;,\s]+$")]] = Field(
        ["'self'"], description="who may show the pages in a frame (CSP frame-ancestors): 'self', 'none' or origins"
    )
    trusted_proxies: list[IPvAnyNetwork] = Field(
        [], description="proxies (CIDRs) whose X-Forwarded-For names the client; none by default"
    )
    hsts: bool = Field(False, description="send Strict-Transport-Security (only behind HTTPS)")


def _union(kind: str) -> Any:
    """A union keyed on ``type:`` of every registered type of this kind (see ``wallboard.config.types``)."""
    return Annotated[Union[config_types(kind)], Field(discriminator="type")]  # noqa: UP007 - built at run time


_ID_CHARS = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@cache
def config_model() -> type[BaseModel]:
    """The root model, built once from the registered panel, source and alert types."""
    PanelConfig = _union("panels")  # noqa: N806
    SourceConfig = _union("sources")  # noqa: N806

    class Page(Strict):
        panels: list[PanelConfig]  # type: ignore[valid-type]

    class Screen(Strict):
        id: Identifier
        title: Label | None = None
        resolution: Resolution = "1920x1080"
        grid: Grid
        displays: tuple[Annotated[int, Field(ge=1, le=16)], Annotated[int, Field(ge=1, le=16)]] = (1, 1)
        bezel: tuple[Annotated[int, Field(ge=0)], Annotated[int, Field(ge=0)]] = Field(
            (0, 0), description="pixels hidden behind each display's frame, horizontally and vertically"
        )
        rotate: Duration | None = None
        reload_at: ClockTime | None = Field(None, description="overrides site.reload_at for this screen")
        panels: list[PanelConfig] | None = None  # type: ignore[valid-type]
        pages: list[Page] | None = None

        @model_validator(mode="after")
        def _panels_or_pages(self) -> Any:
            if (self.panels is None) == (self.pages is None):
                raise ValueError("give either panels: or pages:, not both and not neither")
            return self

        def all_pages(self) -> list[list[Any]]:
            return [self.panels] if self.panels is not None else [p.panels for p in self.pages or []]

        def all_panels(self) -> list[Any]:
            return [panel for page in self.all_pages() for panel in page]

    fields: dict[str, Any] = {
        "site": (Site, ...),
        "database": (Database, Database()),
        "regions": (Regions, Regions()),
        "sources": (list[SourceConfig], []),  # type: ignore[valid-type]
        "indicators": (list[Indicator], []),
        "screens": (list[Screen], Field(min_length=1)),
        "users": (list[User], []),
        **sections(),
        "auth": (Auth, Auth()),
    }
    return create_model("WallboardConfig", __base__=_Root, **fields)


class _Root(Strict):
    """The root model's lookups; its fields are added by ``config_model()`` from the registries."""

    def indicator(self, indicator_id: str) -> Indicator:
        return self._indicators[indicator_id]

    def source(self, source_id: str) -> Any:
        return next(s for s in self.sources if s.id == source_id)

    def screen(self, screen_id: str) -> Any | None:
        return next((s for s in self.screens if s.id == screen_id), None)

    @property
    def _indicators(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.indicators}

    def stale_after(self, indicator_id: str, period: str | None = None) -> timedelta:
        """An indicator's own ``stale_after``, else three intervals of the source that feeds it.

        ``period``: the newest figure is for a month, quarter, half year or year (P1M ... P1Y),
        stored at the period's start; then three periods, since a monthly report arrives weeks
        after its month began and is not late until two more months went by without one.
        """
        indicator = self._indicators.get(indicator_id)
        if indicator is not None and indicator.stale_after is not None:
            return indicator.stale_after
        intervals = [s.interval for s in self.sources if indicator_id in s.indicator_ids()]
        if intervals:
            default = 3 * min(intervals)
        else:
            # Named by a data column: any of those sources may feed it; judge by the slowest.
            intervals = [s.interval for s in self.sources if s.indicators_from_data()]
            default = 3 * max(intervals) if intervals else timedelta(hours=3)
        if period:
            length = nominal_period(period)
            if length is not None:
                return max(default, 3 * length)
        return default
