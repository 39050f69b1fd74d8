"""The pages keep to the Content-Security-Policy (no inline scripts, event-handler attributes or
style attributes), every response carries the security headers, every POST form carries the
CSRF token, and no view is exempt from the CSRF check."""

from __future__ import annotations

import json
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from lini.web.tests.test_permission_walk import ALL_NAMES, CASES, world  # noqa: F401 (fixture)
from lini.web.tests.walk import World

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR) / "static" / "lini"


class PageCheck(HTMLParser):
    """Collects what the CSP would block or what lacks a CSRF token, with the line of each."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []  # inline scripts, styles, handlers, javascript: links
        self.post_forms: list[tuple[int, bool]] = []  # (line, has a CSRF token)
        self._form: int | None = None  # index in post_forms of the open POST form

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.inline.append(f"line {line}: <{tag} {name}=...>")
            if name == "style":
                self.inline.append(f"line {line}: <{tag} style=...>")
            if (value or "").strip().lower().startswith("javascript:"):
                self.inline.append(f"line {line}: <{tag} {name}=javascript:...>")
        if tag == "script" and not values.get("src"):
            self.inline.append(f"line {line}: <script> without src")
        if tag == "style":
            self.inline.append(f"line {line}: <style> element")
        if tag == "form" and (values.get("method") or "get").lower() == "post":
            self.post_forms.append((line, False))
            self._form = len(self.post_forms) - 1
        if (
            tag == "input"
            and values.get("name") == "csrfmiddlewaretoken"
            and self._form is not None
        ):
            self.post_forms[self._form] = (self.post_forms[self._form][0], True)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def _pages(client: Client, walk_world: World) -> Iterator[tuple[str, object]]:
    """(URL, response) of every page the walk reaches with GET, as the Tangerang officer (in
    scope for all of them), and a few more."""
    client.force_login(walk_world.tangerang_officer)
    for name in ALL_NAMES:
        case = CASES[name]
        if case.method != "get":
            continue
        url = reverse(name, kwargs=case.kwargs(walk_world)) + case.query
        yield url, client.get(url)
    # Pages outside the walk: the API's docs page (Swagger UI), then the anonymous login page.
    yield reverse("api:docs"), client.get(reverse("api:docs"))
    client.logout()
    yield reverse("accounts:login"), client.get(reverse("accounts:login"))


def _html(response) -> str | None:  # type: ignore[no-untyped-def]
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return None
    return response.content.decode()


def test_pages_have_no_inline_script_handler_or_style_and_carry_the_csp(
    client: Client,
    world: World,  # noqa: F811
) -> None:
    problems: list[str] = []
    checked = 0
    for url, response in _pages(client, world):
        assert response["Content-Security-Policy"] == settings.LINI_CONTENT_SECURITY_POLICY, url
        html = _html(response)
        if html is None:
            continue
        checked += 1
        page = PageCheck()
        page.feed(html)
        problems += [f"{url} {problem}" for problem in page.inline]
    assert checked >= 30, "the walk rendered too few pages to mean anything"
    assert not problems, "\n".join(problems)


def test_every_post_form_carries_the_csrf_token(client: Client, world: World) -> None:  # noqa: F811
    missing: list[str] = []
    forms = 0
    for url, response in _pages(client, world):
        html = _html(response)
        if html is None:
            continue
        page = PageCheck()
        page.feed(html)
        forms += len(page.post_forms)
        missing += [f"{url} line {line}" for line, token in page.post_forms if not token]
    assert forms >= 30, "the walk found too few forms to mean anything"
    assert not missing, "POST forms without csrfmiddlewaretoken:\n" + "\n".join(missing)


def _callbacks(patterns: list) -> Iterator[tuple[str, object]]:  # type: ignore[type-arg]
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _callbacks(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            yield str(entry.pattern), entry.callback


# Authentication that reads only the Authorization header, which a browser never sends by itself
# to another site's request: no CSRF risk. (HTTP Basic or Digest would be: browsers resend those.)
HEADER_ONLY_AUTHENTICATION = {
    "lini.api.authentication.ApiTokenAuthentication",
    "rest_framework.authentication.TokenAuthentication",
}


def _csrf_exempt_by_design(view: object) -> bool:
    """A Django REST framework view is exempt from Django's CSRF middleware by construction; it
    is safe when each way it authenticates either checks CSRF itself (DRF's session
    authentication does, on writes) or reads only the Authorization header."""
    from rest_framework.authentication import SessionAuthentication
    from rest_framework.views import APIView

    cls = getattr(view, "cls", None)
    if not isinstance(cls, type) or not issubclass(cls, APIView):
        return False
    for auth in cls.authentication_classes:
        if issubclass(auth, SessionAuthentication):
            continue
        if not {f"{k.__module__}.{k.__qualname__}" for k in auth.__mro__} & (
            HEADER_ONLY_AUTHENTICATION
        ):
            return False
    return True


def _exempt_with_a_reason(view: object) -> bool:
    """A view that is exempt on purpose says why, in ``CSRF_EXEMPT_BECAUSE`` (e.g. the OpenRosa
    endpoints, which authenticate each request with its own credentials, never the cookie)."""
    reason = getattr(view, "CSRF_EXEMPT_BECAUSE", "")
    return isinstance(reason, str) and len(reason.split()) >= 10


def test_no_view_is_exempt_from_the_csrf_check() -> None:
    callbacks = list(_callbacks(get_resolver().url_patterns))
    assert len(callbacks) >= len(ALL_NAMES)
    exempt = [
        route
        for route, view in callbacks
        if getattr(view, "csrf_exempt", False)
        and not _csrf_exempt_by_design(view)
        and not _exempt_with_a_reason(view)
    ]
    assert not exempt, (
        "views exempt from the CSRF check: allowed only for API views whose every way of "
        "authenticating checks CSRF itself or reads only the Authorization header, or for a view "
        f"that never uses the session and says why in CSRF_EXEMPT_BECAUSE: {exempt}"
    )


def test_the_csrf_check_refuses_a_form_post_without_the_token() -> None:
    from lini.accounts.roles import Role
    from lini.accounts.tests.factories import make_user
    from lini.regions.tests.places import SINGAMERTA

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user(Role.CADRE, SINGAMERTA))
    response = browser.post(reverse("accounts:logout"))
    assert response.status_code == 403
    assert browser.get("/").status_code == 200  # still logged in


def test_a_check_that_would_catch_an_inline_script_does_catch_it() -> None:
    page = PageCheck()
    page.feed(
        '<form method="POST"><button onclick="x()" style="color:red">Go</button></form>'
        "<script>alert(1)</script><a href='javascript:void(0)'>x</a><style>p{}</style>"
    )
    assert len(page.inline) == 5
    assert page.post_forms == [(1, False)]


@pytest.mark.parametrize(
    "url", ["/akun/masuk/", "/static/lini/lini.css", "/halaman-yang-tidak-ada/"]
)
def test_every_response_carries_the_security_headers(client: Client, url: str) -> None:
    response = client.get(url)
    assert response["Content-Security-Policy"] == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    assert "camera=(self)" in policy
    assert "geolocation=()" in policy
    assert "microphone=()" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_htmx_adds_no_inline_style_and_our_css_styles_its_indicator(client: Client) -> None:
    page = client.get(reverse("accounts:login")).content.decode()
    meta = page.split('<meta name="htmx-config" content=\'')[1].split("'")[0]
    assert json.loads(meta) == {"includeIndicatorStyles": False}
    css = (STATIC / "lini.css").read_text(encoding="utf-8")
    assert ".htmx-indicator { opacity: 0; }" in css
    assert ".htmx-request .htmx-indicator" in css
