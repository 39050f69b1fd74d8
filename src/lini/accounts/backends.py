"""The login throttling's authentication backend."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend

from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check that refuses a login while its username is locked out. Every login
    from outside (the login page, the OpenRosa endpoints) passes its request; a call without one
    (code on the server, e.g. the test client's ``login``) cannot be attributed to a client and
    is left to the next backend instead of failing."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)  # type: ignore[no-any-return]
