"""Session expiry (idle and absolute) and two-step login, checked on every request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django_otp import DEVICE_ID_SESSION_KEY

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from lini.accounts import selectors
from lini.accounts.roles import TWO_FACTOR_ROLES

# Session keys: when the user logged in and when the session was last used (Unix seconds).
STARTED_KEY = "lini_started"
SEEN_KEY = "lini_seen"
# The last-seen stamp is written at most this often, so that most requests do not save the session.
TOUCH_SECONDS = 60

# Pages a user who must still enrol for two-step login may open.
ENROLMENT_OPEN = frozenset(
    {"accounts:two_factor", "accounts:logout", "accounts:login", "accounts:login_code"}
    | {"set_language"}
)


def stamp_login(request: HttpRequest) -> None:
    """Mark the session as started and used now (at login)."""
    now = int(time.time())
    request.session[STARTED_KEY] = now
    request.session[SEEN_KEY] = now


class SessionExpiryMiddleware:
    """Ends a login idle for longer than LINI_SESSION_IDLE_MINUTES, or older than
    SESSION_COOKIE_AGE seconds since the login (the session's own expiry moves with each save,
    so it alone would not bound the age)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        session = request.session
        now = int(time.time())
        started, seen = session.get(STARTED_KEY), session.get(SEEN_KEY)
        if not isinstance(started, int) or not isinstance(seen, int):
            stamp_login(request)  # a session from before these stamps: start counting now
            return
        if now - seen > settings.LINI_SESSION_IDLE_MINUTES * 60:
            logout(request)
            messages.info(request, _("You were logged out after a long time without activity."))
        elif now - started > settings.SESSION_COOKIE_AGE:
            logout(request)
            messages.info(request, _("Your session has ended. Please log in again."))
        elif now - seen >= TOUCH_SECONDS:
            session[SEEN_KEY] = now


class TwoFactorMiddleware:
    """A user with two-step login on must have passed it in this session (a session from before
    it was turned on, or whose device was removed since, is ended). With LINI_REQUIRE_2FA,
    officers and national administrators without it are sent to enrol before any other page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            response = self._check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        device = selectors.two_factor_device(user)  # type: ignore[arg-type]
        verified_with = request.session.get(DEVICE_ID_SESSION_KEY)
        # Verified with another device than the user's (or with one removed since): the session
        # predates a change of the user's two-step login.
        stale = verified_with != device.persistent_id if device is not None else bool(verified_with)
        if stale:
            logout(request)
            messages.info(request, _("Two-step login changed for this account. Log in again."))
            return redirect_to_login(request.get_full_path())
        if (
            device is None
            and settings.LINI_REQUIRE_2FA
            and getattr(user, "role", None) in TWO_FACTOR_ROLES
            and _url_name(request) not in ENROLMENT_OPEN
        ):
            messages.warning(
                request, _("Your role must log in with two steps. Turn it on to continue.")
            )
            return redirect("accounts:two_factor")
        return None


def _url_name(request: HttpRequest) -> str | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return str(match.view_name)
