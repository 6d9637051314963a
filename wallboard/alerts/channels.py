"""The three channels, as real clients: webhook (httpx JSON POST), e-mail (smtplib), Telegram Bot API.

Each ``send`` either returns or raises with a one-line reason; retrying, back-off and logging are
the service's job. Every call has a timeout, so a channel that hangs costs one delivery thread for
that long and nothing else. ``${VAR}`` in a contact or in ``notify.smtp`` is filled in here, at the
moment of sending, and ``secrets.redact`` keeps the values out of every recorded error.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import httpx

from wallboard.secrets import expand


class DeliveryError(Exception):
    """A channel answered with an error, garbage, or not at all."""


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    payload: dict[str, Any]


def send(contact: Any, message: Message, config: Any, timeout: float) -> None:
    senders = {"webhook": send_webhook, "email": send_email, "telegram": send_telegram}
    senders[contact.channel](contact, message, config, timeout)


def send_webhook(contact: Any, message: Message, config: Any, timeout: float) -> None:
    response = httpx.post(expand(contact.url), json=message.payload, timeout=timeout)
    if response.status_code >= 300:
        raise DeliveryError(f"webhook answered HTTP {response.status_code}")


def send_telegram(contact: Any, message: Message, config: Any, timeout: float) -> None:
    base = config.alerts.telegram_api.rstrip("/")
    url = f"{base}/bot{expand(contact.bot_token)}/sendMessage"
    response = httpx.post(url, json={"chat_id": expand(contact.chat_id), "text": message.text}, timeout=timeout)
    try:
        body = response.json()
    except ValueError:
        raise DeliveryError(f"Telegram answered HTTP {response.status_code} without JSON") from None
    if not isinstance(body, dict) or body.get("ok") is not True:
        description = body.get("description") if isinstance(body, dict) else None
        raise DeliveryError(f"Telegram refused the message (HTTP {response.status_code}): {description or body!r}")


def send_email(contact: Any, message: Message, config: Any, timeout: float) -> None:
    smtp = config.notify.smtp
    if smtp is None:
        raise DeliveryError("notify.smtp is not configured")
    mail = EmailMessage()
    mail["From"] = expand(smtp.sender)
    mail["To"] = expand(contact.to)
    mail["Subject"] = message.subject
    mail.set_content(message.text)
    host = expand(smtp.host)
    if smtp.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, smtp.port, timeout=timeout,
                                                context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, smtp.port, timeout=timeout)
    with client:
        if smtp.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if smtp.username:
            client.login(expand(smtp.username), expand(smtp.password or ""))
        client.send_message(mail)
