"""Language choice (Bahasa Indonesia unless the user picked another language) and the security
headers every response carries."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Like Django's, but ignores the browser's Accept-Language: many phones in Indonesia are set
    to English, yet the programme's language is Indonesian. The language switch (a cookie) wins."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy (no inline scripts or styles) and the Permissions-Policy
    of the settings to every response, static files and error pages included, unless the view
    set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.LINI_CONTENT_SECURITY_POLICY:
            response.headers.setdefault(
                "Content-Security-Policy", settings.LINI_CONTENT_SECURITY_POLICY
            )
        if settings.LINI_PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.LINI_PERMISSIONS_POLICY)
        return response
