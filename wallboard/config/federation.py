"""The ``api_tokens:`` and ``federation:`` sections of config.yaml: what this wall shares, and with whom.

A region owns its data: nothing is readable through ``/api/v1`` unless a token here names it, and a
token reads only the indicators it lists (or ``all``). A token with a ``region`` may also write
(``POST /api/v1/readings``, a kabupaten pushing to its province), and only codes inside that region.
Tokens stay as written (``${PROV_TOKEN}``) and are filled in at the moment a request is compared,
so validation, logs and /admin only ever see the placeholder. ``sections()`` is the registry the
config model learns these keys from (``wallboard.config.types``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from wallboard.config.models import Identifier, Strict
from wallboard.durations import Duration


class ApiToken(Strict):
    """One peer allowed to read (and, with ``region``, to write) through ``/api/v1``."""

    name: Annotated[str, Field(min_length=1, max_length=64, description="who holds it, as the audit log names it")]
    token: str = Field(description="the shared secret, written as ${VAR}; compared in constant time, never shown")
    indicators: list[Identifier] | Literal["all"] = Field(description="the indicators it may read: a list, or all")
    region: str | None = Field(
        None, description="Kemendagri code the holder speaks for: it may POST readings for codes inside it only"
    )

    @field_validator("token")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        if len(value.strip()) < 8 and "${" not in value:
            raise ValueError("a token needs at least 8 characters; write it as ${VAR}")
        return value

    def reads(self, indicator_id: str) -> bool:
        return self.indicators == "all" or indicator_id in self.indicators


class PushTarget(Strict):
    """A province this wall sends its shared readings to, for a kabupaten it cannot reach (NAT)."""

    url: str = Field(description="the province's base URL, e.g. https://cc.jatengprov.go.id")
    token: str = Field(description="the token the province gave this wall (its api_tokens entry), as ${VAR}")
    indicators: list[Identifier] | Literal["all"] = "all"


class Federation(Strict):
    push: list[PushTarget] = []
    every: Duration = Field(timedelta(seconds=10), description="how often the outbox is sent")
    retry_after: Duration = Field(timedelta(seconds=5), description="first retry delay; doubles up to 5 min")
    batch: int = Field(2000, ge=1, le=50_000, description="readings per POST")


def sections() -> dict[str, tuple[Any, Any]]:
    return {"api_tokens": (list[ApiToken], []), "federation": (Federation, Federation())}


def shared_indicators(config: Any) -> frozenset[str]:
    """The indicators another wallboard may read or is sent: their writes are logged for peers."""
    every = {i.id for i in config.indicators}
    out: set[str] = set()
    for entry in [*config.api_tokens, *config.federation.push]:
        out |= every if entry.indicators == "all" else set(entry.indicators) & every
    return frozenset(out)
