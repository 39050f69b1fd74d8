"""A real webhook for the reminders' tests: a small HTTP server on 127.0.0.1 (a free port), in a
thread, that records every request and answers what the test tells it to."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from django.utils import translation

TOKEN = "s3cret-token"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Webhook:
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    # Answers to give, in order: (status, body, content type); then the default one.
    answers: list[tuple[int, bytes, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # extra headers of every answer
    delay: float = 0.0  # seconds to wait before answering (released at the end of the test)
    release: threading.Event = field(default_factory=threading.Event)

    def answer(
        self, status: int, body: bytes | str = b"", content_type: str = "text/plain"
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.answers.append((status, data, content_type))

    def next_answer(self) -> tuple[int, bytes, str]:
        if self.answers:
            return self.answers.pop(0)
        number = len(self.requests)
        return 200, json.dumps({"id": f"gw-{number}"}).encode(), "application/json"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        hook = self.server.hook
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        hook.requests.append(
            Recorded(method="POST", path=self.path, headers=dict(self.headers.items()), body=body)
        )
        if hook.delay:
            hook.release.wait(hook.delay)
        status, answer, content_type = hook.next_answer()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(answer)))
        for name, value in hook.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read the recorded requests, not the server's log."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hook: Webhook

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (the timeout test) breaks the pipe: expected


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages and refusals in English (pages read the language cookie: ``english(client)``)."""
    with translation.override("en"):
        yield


@pytest.fixture
def webhook(settings) -> Iterator[Webhook]:  # type: ignore[no-untyped-def]
    """The running server; the settings point the webhook gateway at it, with a token."""
    server = _Server(("127.0.0.1", 0), _Handler)
    hook = Webhook(url=f"http://127.0.0.1:{server.server_address[1]}/lini/messages")
    server.hook = hook
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.LINI_REMINDER_WEBHOOK_URL = hook.url
    settings.LINI_REMINDER_WEBHOOK_TOKEN = TOKEN
    settings.LINI_REMINDER_WEBHOOK_TIMEOUT = 5
    try:
        yield hook
    finally:
        hook.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def reminders_on(settings) -> None:  # type: ignore[no-untyped-def]
    """Reminders turned on, messages in English, sent through the webhook gateway."""
    settings.LINI_REMINDERS = True
    settings.LINI_REMINDER_LANGUAGE = "en"
    settings.LINI_REMINDER_GATEWAY = "lini.reminders.gateways.WebhookGateway"
    settings.LINI_REMINDER_MAX_ATTEMPTS = 3
    settings.LINI_REMINDER_DAYS_BEFORE = 2
    settings.LINI_REMINDER_WORKER_CHANNEL = "sms"
