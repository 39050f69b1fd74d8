"""The webhook gateway against a real HTTP server on 127.0.0.1: what it posts, how it reads the
answer, and every way a message can fail."""

from __future__ import annotations

import socket
import time

import pytest

from django.core.exceptions import ImproperlyConfigured

from lini.reminders.gateways import (
    GatewayError,
    OutgoingMessage,
    WebhookGateway,
    gateway_load,
)
from lini.reminders.tests.conftest import TOKEN, Webhook

MESSAGE = OutgoingMessage(
    id="3f1c2a8e-0000-4000-8000-000000000001",
    to="+6281234567890",
    channel="whatsapp",
    text="Lini: your visit list for week 2019-W44: 23 families (5 overdue).",
)


def test_posts_the_message_as_json_with_the_bearer_token(webhook: Webhook) -> None:
    assert WebhookGateway().send(MESSAGE) == "gw-1"
    (request,) = webhook.requests
    assert request.method == "POST"
    assert request.path == "/lini/messages"
    assert request.json() == {
        "to": "+6281234567890",
        "channel": "whatsapp",
        "text": "Lini: your visit list for week 2019-W44: 23 families (5 overdue).",
        "id": "3f1c2a8e-0000-4000-8000-000000000001",
    }
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"].startswith("application/json")


def test_no_token_sends_no_authorization_header(webhook: Webhook, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_REMINDER_WEBHOOK_TOKEN = ""
    WebhookGateway().send(MESSAGE)
    assert "Authorization" not in webhook.requests[0].headers


def test_text_outside_ascii_arrives_as_utf8(webhook: Webhook) -> None:
    text = "Pengingat: suntik berikutnya 31/10/2019 — terima kasih ✓"
    WebhookGateway().send(OutgoingMessage(id=MESSAGE.id, to=MESSAGE.to, channel="sms", text=text))
    assert webhook.requests[0].json()["text"] == text


@pytest.mark.parametrize(
    ("status", "body", "content_type", "expected"),
    [
        (200, b'{"id": "abc-123"}', "application/json", "abc-123"),
        (201, b'{"message_id": 981}', "application/json", "981"),
        (202, b'{"status": "queued"}', "application/json", ""),
        (200, b"OK", "text/plain", ""),
        (204, b"", "text/plain", ""),
    ],
)
def test_any_2xx_is_sent_and_the_id_is_taken_from_a_json_answer(
    webhook: Webhook, status: int, body: bytes, content_type: str, expected: str
) -> None:
    webhook.answer(status, body, content_type)
    assert WebhookGateway().send(MESSAGE) == expected


def test_a_500_fails_with_the_status_and_an_excerpt_of_the_answer(webhook: Webhook) -> None:
    webhook.answer(500, "Internal error: the SMS provider refused the sender id " + "x" * 500)
    with pytest.raises(GatewayError) as failure:
        WebhookGateway().send(MESSAGE)
    text = str(failure.value)
    assert text.startswith("HTTP 500: Internal error: the SMS provider refused the sender id")
    assert len(text) < 260  # an excerpt, not the whole answer


def test_a_4xx_and_a_redirect_are_failures_too(webhook: Webhook) -> None:
    webhook.answer(401, '{"error": "bad token"}', "application/json")
    with pytest.raises(GatewayError, match=r"^HTTP 401: \{\"error\": \"bad token\"\}"):
        WebhookGateway().send(MESSAGE)
    webhook.headers["Location"] = webhook.url + "/elsewhere"
    webhook.answer(302, "moved")
    with pytest.raises(GatewayError, match=r"^HTTP 302"):
        WebhookGateway().send(MESSAGE)
    # The redirect was not followed (a POST would have turned into a GET without the message).
    assert [r.path for r in webhook.requests] == ["/lini/messages", "/lini/messages"]


def test_no_answer_within_the_timeout_fails(webhook: Webhook) -> None:
    webhook.delay = 10
    started = time.monotonic()
    with pytest.raises(GatewayError, match=r"no answer within 0\.3 s"):
        WebhookGateway(timeout=0.3).send(MESSAGE)
    assert time.monotonic() - started < 5
    assert len(webhook.requests) == 1  # it was delivered, but never answered


def test_an_unreachable_webhook_fails() -> None:
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(GatewayError, match="cannot reach the gateway"):
        WebhookGateway(url=f"http://127.0.0.1:{port}/x", timeout=2).send(MESSAGE)


def test_a_missing_or_odd_url_fails_without_a_request(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_REMINDER_WEBHOOK_URL = ""
    with pytest.raises(GatewayError, match="LINI_REMINDER_WEBHOOK_URL is not set"):
        WebhookGateway().send(MESSAGE)
    with pytest.raises(GatewayError, match="https://"):
        WebhookGateway(url="file:///etc/passwd").send(MESSAGE)


class RapidProBroadcast(WebhookGateway):
    """The subclass of docs/reminders.md: a RapidPro workspace's broadcasts endpoint."""

    def headers(self, message: OutgoingMessage) -> dict[str, str]:
        headers = super().headers(message)
        headers["Authorization"] = f"Token {self.token}"
        return headers

    def payload(self, message: OutgoingMessage) -> object:
        scheme = "whatsapp" if message.channel == "whatsapp" else "tel"
        urn = f"whatsapp:{message.to.lstrip('+')}" if scheme == "whatsapp" else f"tel:{message.to}"
        return {"urns": [urn], "text": {"ind": message.text}, "base_language": "ind"}


def test_a_subclass_adapts_the_request_to_a_providers_api(webhook: Webhook) -> None:
    webhook.answer(201, '{"uuid": "0199bb98-3637", "status": "queued"}', "application/json")
    assert RapidProBroadcast().send(MESSAGE) == "0199bb98-3637"
    (request,) = webhook.requests
    assert request.headers["Authorization"] == f"Token {TOKEN}"
    assert request.json() == {
        "urns": ["whatsapp:6281234567890"],
        "text": {"ind": MESSAGE.text},
        "base_language": "ind",
    }


def test_the_gateway_class_comes_from_the_setting(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_REMINDER_GATEWAY = "lini.reminders.tests.test_gateways.RapidProBroadcast"
    assert isinstance(gateway_load(), RapidProBroadcast)
    settings.LINI_REMINDER_GATEWAY = "lini.reminders.gateways.NoSuchGateway"
    with pytest.raises(ImproperlyConfigured, match="LINI_REMINDER_GATEWAY"):
        gateway_load()
