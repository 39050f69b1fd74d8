"""The OpenAPI schema (valid, with every endpoint and method the URLs serve) and the docs page
(Swagger UI from Lini's own static files, its start script a file of its own: no CDN, no inline
script)."""

from __future__ import annotations

import json
import re

import pytest
from drf_spectacular.validation import validate_schema

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.api.tests.helpers import api_for

pytestmark = pytest.mark.django_db

NOT_ENDPOINTS = {"api:schema", "api:docs", "api:token_list", "api:token_revoke", "api:user_tokens"}


def _patterns(patterns: list[object], namespace: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            found.append((f"{namespace}{entry.name}", entry))
    return found


def _endpoints() -> dict[str, tuple[str, set[str]]]:
    """API URL name -> (its path as the schema writes it, the HTTP methods it serves)."""
    found = {}
    for name, pattern in _patterns(get_resolver().url_patterns):
        if not name.startswith("api:") or name in NOT_ENDPOINTS:
            continue
        callback = pattern.callback
        kwargs = dict.fromkeys(pattern.pattern.regex.groupindex, "KEY")
        path = reverse(name, kwargs=kwargs)
        for key in kwargs:
            path = path.replace("KEY", "{" + ("id" if key == "pk" else key) + "}", 1)
        actions = getattr(callback, "actions", None)
        methods = set(actions) - {"head"} if actions else {"get"}  # DRF adds HEAD once called
        found[name] = (path, methods)
    return found


def test_the_schema_is_valid_and_holds_every_endpoint(client: Client) -> None:
    api = api_for(client, make_user(Role.CADRE, "36.04.09.2013"))
    response = api.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    endpoints = _endpoints()
    assert len(endpoints) >= 20
    for name, (path, methods) in endpoints.items():
        assert path in schema["paths"], name
        assert methods <= set(schema["paths"][path]), (name, methods)
    documented = {p for p in schema["paths"] if p.startswith("/api/v1/")}
    assert documented == {path for path, _m in endpoints.values()}
    assert schema["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"
    operation = schema["paths"]["/api/v1/families/{id}/"]["patch"]
    assert {"400", "401", "403", "404", "409"} <= set(operation["responses"])


def test_the_schema_needs_a_key(client: Client) -> None:
    assert client.get(reverse("api:schema")).status_code == 401


def test_the_docs_page_uses_no_cdn_and_no_inline_script(client: Client) -> None:
    client.force_login(make_user(Role.CADRE, "36.04.09.2013"))
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 3
    for attributes, body in scripts:
        assert body.strip() == "", "inline script"
        src = re.search(r'src="([^"]+)"', attributes)
        assert src is not None
        assert src.group(1).startswith(("/static/", reverse("api:docs")))
    assert "<style" not in html
    assert "style=" not in html
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not url.startswith(("http:", "https:", "//")), url
    start = re.findall(r'src="(/api/v1/docs/\?[^"]*)"', html)[0].replace("&amp;", "&")
    script = client.get(start)
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert reverse("api:schema") in script.content.decode()
    bundle = re.search(r'src="(/static/[^"]+swagger-ui-bundle\.js)"', html)
    assert bundle is not None
    assert client.get(bundle.group(1)).status_code == 200


def test_the_docs_page_needs_a_login(client: Client) -> None:
    response = client.get(reverse("api:docs"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
