"""Gateways: what carries a reminder to a phone. Lini talks to one gateway, named by the setting
``LINI_REMINDER_GATEWAY`` (the dotted path of a class built without arguments); the default,
:class:`WebhookGateway`, POSTs each message as JSON to ``LINI_REMINDER_WEBHOOK_URL``, where an
adapter (a RapidPro flow or channel, an SMS or WhatsApp provider's API, a small relay) takes it.
A provider with its own API can also be a subclass that changes the URL, the headers, the body or
how the answer is read (``docs/reminders.md``).

A gateway's ``send`` returns the provider's id of the message ("" when it gives none) or raises
:class:`GatewayError` with a short reason, which is kept on the outbox row.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

# How much of an answer is read, and how much of it is kept in an error.
MAX_ANSWER_BYTES = 64 * 1024
EXCERPT_CHARS = 200
# Keys of a JSON answer that may hold the provider's id of the message, in this order.
ID_KEYS = ("id", "message_id", "messageId", "uuid", "sid")


@dataclass(frozen=True)
class OutgoingMessage:
    """What a gateway gets: our id of the message (a UUID: the same on every attempt, so a
    provider can drop a repeat), the number as +62..., the channel ("sms" or "whatsapp") and the
    text."""

    id: str
    to: str
    channel: str
    text: str


class GatewayError(Exception):
    """The gateway did not take the message; the text says why (kept on the outbox row)."""


class Gateway(Protocol):
    def send(self, message: OutgoingMessage) -> str:
        """Hand the message over; the provider's id of it ("" when none). Raises GatewayError."""
        ...


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other non-2xx one: the message was not taken (urllib
    would repeat a POST as a GET without its body)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _excerpt(data: bytes) -> str:
    text = " ".join(data.decode("utf-8", errors="replace").split())
    return text[:EXCERPT_CHARS] + ("…" if len(text) > EXCERPT_CHARS else "")


class WebhookGateway:
    """POST ``{"to": "+62...", "channel": "sms", "text": "...", "id": "<uuid>"}`` (UTF-8 JSON) to
    the webhook, with ``Authorization: Bearer <token>`` when a token is set. A 2xx answer means
    the message was taken (its id read from a JSON answer's ``id``, ``message_id``, ...); anything
    else, a redirect, a refused connection or no answer within the timeout is a failure.

    Subclasses adapt it to a provider's own API by overriding :meth:`endpoint`,
    :meth:`headers`, :meth:`payload` and :meth:`result_id`."""

    def __init__(
        self, *, url: str | None = None, token: str | None = None, timeout: float | None = None
    ) -> None:
        self.url = settings.LINI_REMINDER_WEBHOOK_URL if url is None else url
        self.token = settings.LINI_REMINDER_WEBHOOK_TOKEN if token is None else token
        self.timeout = settings.LINI_REMINDER_WEBHOOK_TIMEOUT if timeout is None else timeout
        self._opener = urllib.request.build_opener(_NoRedirects())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({urlsplit(self.url).netloc or 'no URL'})"

    def endpoint(self, message: OutgoingMessage) -> str:
        return self.url

    def headers(self, message: OutgoingMessage) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "User-Agent": "Lini-reminders/1",
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def payload(self, message: OutgoingMessage) -> object:
        return {
            "to": message.to,
            "channel": message.channel,
            "text": message.text,
            "id": message.id,
        }

    def result_id(self, answer: object) -> str:
        """The provider's id of the message from its (decoded JSON) answer, or ""."""
        if isinstance(answer, dict):
            for key in ID_KEYS:
                value = answer.get(key)
                if isinstance(value, str | int) and not isinstance(value, bool) and value != "":
                    return str(value)[:100]
        return ""

    def send(self, message: OutgoingMessage) -> str:
        url = self.endpoint(message)
        if not url:
            raise GatewayError("LINI_REMINDER_WEBHOOK_URL is not set")
        if urlsplit(url).scheme not in ("http", "https"):
            raise GatewayError("the webhook URL must start with https:// or http://")
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
            url,
            data=json.dumps(self.payload(message), ensure_ascii=False).encode("utf-8"),
            headers=self.headers(message),
            method="POST",
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = response.status
                body = response.read(MAX_ANSWER_BYTES)
        except urllib.error.HTTPError as exc:
            body = exc.read(MAX_ANSWER_BYTES) if exc.fp is not None else b""
            raise GatewayError(f"HTTP {exc.code}: {_excerpt(body)}".strip()) from None
        except TimeoutError:
            raise GatewayError(f"no answer within {self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise GatewayError(f"no answer within {self.timeout:g} s") from None
            raise GatewayError(f"cannot reach the gateway: {exc.reason}") from None
        except (OSError, http.client.HTTPException) as exc:  # broken connection, bad answer
            raise GatewayError(f"the connection failed: {exc!r}") from None
        if not 200 <= status < 300:
            raise GatewayError(f"HTTP {status}: {_excerpt(body)}".strip())
        try:
            answer = json.loads(body) if body else None
        except ValueError:
            answer = None
        return self.result_id(answer)


def gateway_load() -> Gateway:
    """The gateway of ``LINI_REMINDER_GATEWAY``."""
    path = settings.LINI_REMINDER_GATEWAY
    try:
        gateway_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"LINI_REMINDER_GATEWAY={path!r} cannot be imported: {exc}"
        ) from exc
    gateway: Gateway = gateway_class()
    return gateway
