"""Helpers of the API tests: a key for a user, and requests that carry it."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.test import Client

from lini.accounts.models import User
from lini.api.services import token_create


def key_for(user: User, name: str = "test") -> str:
    """A new API key of ``user``."""
    return token_create(actor=user, name=name)[1]


class Api:
    """Requests to the API with a key (or none)."""

    def __init__(self, client: Client, key: str | None = None) -> None:
        self.client, self.key = client, key

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.key}"} if self.key else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {}, headers=self._headers())

    def post(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.post(
            path, json.dumps(data or {}), content_type="application/json", headers=self._headers()
        )

    def patch(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.patch(
            path, json.dumps(data), content_type="application/json", headers=self._headers()
        )


def api_for(client: Client, user: User | None) -> Api:
    return Api(client, key_for(user) if user is not None else None)


def english(client: Client) -> Client:
    """Answers in English (the language switch's cookie; the default language is Indonesian)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
