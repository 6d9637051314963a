"""The ``owners:``, ``alerts:`` and ``notify:`` sections of config.yaml.

Kept beside the alert code so the feature reads as one package; ``sections()`` is the registry
``config_model()`` learns them from (``wallboard.config.types``), so config never imports alerts.
Secrets (bot tokens, SMTP passwords, chat ids) stay as written (``${VAR}``) and are filled
in by the channel at the moment it sends, like sources do.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal, Union
from urllib.parse import urlsplit

from pydantic import Field

from wallboard.config.models import Strict
from wallboard.durations import Duration


def channel_host(target: str) -> str:
    """``kind:URL`` as the notification log shows it: the kind and the URL's host (and port), never
    its user info, path or query. Anything that is not a URL is left as it is (``email:a@b``)."""
    kind, _, rest = target.partition(":")
    if "://" not in rest:
        return target
    parts = urlsplit(rest.strip())
    host = parts.hostname or "?"
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: the host says enough
        port = None
    return f"{kind}:{host}" + (f":{port}" if port else "")


class TelegramContact(Strict):
    channel: Literal["telegram"]
    chat_id: str
    bot_token: str

    def target(self) -> str:
        """What the notification log shows: the chat as written in config (a ``${VAR}`` stays one)."""
        return f"telegram:{self.chat_id}"


class EmailContact(Strict):
    channel: Literal["email"]
    to: str

    def target(self) -> str:
        return f"email:{self.to}"


class WebhookContact(Strict):
    channel: Literal["webhook"]
    url: str

    def target(self) -> str:
        """Kind and host only: a webhook's path and query are often its secret (``/hooks/T0/B0/XyZ``)."""
        return channel_host(f"webhook:{self.url}")


Contact = Annotated[Union[TelegramContact, EmailContact, WebhookContact], Field(discriminator="channel")]  # noqa: UP007


class Owner(Strict):
    """A work unit (OPD) alerts escalate to; ``id`` is what indicators name as their ``owner``."""

    id: Annotated[str, Field(min_length=1, max_length=120)]
    name: str | None = None
    escalate_after: Duration = timedelta(minutes=10)
    notify_on_open: bool = Field(
        False, description="its contacts get one message as soon as an incident of its indicators opens",
    )
    contacts: list[Contact] = []
    next: str | None = Field(None, description="owner id notified after a further escalate_after")


class AlertSettings(Strict):
    min_duration: Duration | None = Field(
        timedelta(minutes=2),
        description="a crossing (or a return to normal) shorter than this opens (or closes) nothing",
    )
    hysteresis: float = Field(
        0.0, ge=0, le=0.5,
        description="fraction of the threshold a value must move back past before it counts as normal again",
    )
    retries: int = Field(5, ge=0, le=20, description="further attempts after a failed notification")
    retry_after: Duration = Field(timedelta(seconds=30), description="first retry delay; doubles each attempt")
    timeout: Duration = Field(timedelta(seconds=10), description="per attempt, for every channel")
    telegram_api: str = Field("https://api.telegram.org", description="Bot API base URL (a proxy or a test fake)")


class Smtp(Strict):
    host: str
    port: int = Field(587, ge=1, le=65535)
    username: str | None = None
    password: str | None = None
    sender: str
    security: Literal["starttls", "ssl", "none"] = "starttls"


class Notify(Strict):
    smtp: Smtp | None = None


def sections() -> dict[str, tuple[Any, Any]]:
    """The root keys alerts add to config.yaml, with their defaults, in the order the docs list them."""
    return {"owners": (list[Owner], []), "alerts": (AlertSettings, AlertSettings()), "notify": (Notify, Notify())}
