"""How API requests authenticate: ``Authorization: Token <key>`` (or ``Bearer <key>``) with a key
from the token pages, or the session of a logged-in user (with its CSRF check on writes), so the
docs page works in the browser."""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from django.utils.translation import gettext as _

from lini.api.services import token_authenticate

SCHEMES = ("token", "bearer")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A key of an :class:`~lini.api.models.ApiToken`: refused when revoked, unknown, or when its
    user is inactive."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in SCHEMES:
            return None  # not ours: another scheme, or none (then the session may apply)
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the key after the word Token: Authorization: Token <key>.")
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The key is not valid.")) from None
        token = token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("The key is not valid: unknown, revoked, or of an inactive account.")
            )
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Token realm="api"'
