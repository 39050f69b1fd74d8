"""The public privacy page (UU 27/2022): open without a login, linked from every page, its facts
read from the code and the settings (rights of the roles, personal kinds, threshold, database,
the data protection officer's contact)."""

from __future__ import annotations

import html
import re

import pytest

from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from lini.accounts import roles
from lini.accounts.roles import ROLE_ACTIONS, Action, Role
from lini.exchange.registry import kinds

pytestmark = pytest.mark.django_db


def page(client: Client) -> str:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("web:privacy"))
    assert response.status_code == 200
    return response.content.decode()


def words(page_html: str) -> str:
    """The page's text as read: no tags, entities resolved, spaces squeezed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page_html)).split())


def rights_table(text: str) -> dict[str, list[bool]]:
    """Role label -> one yes/no per right, as the page shows them."""
    section = text.split('id="rights"', 1)[1].split("</table>", 1)[0]
    table = {}
    for row in re.findall(r"<tr>\s*<td><strong>(.*?)</strong></td>(.*?)</tr>", section, re.S):
        label, cells = row
        table[label] = [cell == "yes" for cell in re.findall(r"<td>(.*?)</td>", cells)]
    return table


def test_anyone_may_read_it_and_every_page_links_to_it(client: Client) -> None:
    text = words(page(client))
    assert "Privacy: the personal data Lini holds" in text
    assert "UU 27/2022" in text
    login = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{reverse("web:privacy")}"' in login


def test_the_rights_are_read_from_the_roles(client: Client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    table = rights_table(page(client))
    actions = list(Action)
    with_identity = actions.index(Action.VIEW_IDENTITY)
    labels = dict(Role.choices)
    assert set(table) == {str(label) for label in labels.values()}
    for role, label in labels.items():
        assert table[str(label)] == [a in ROLE_ACTIONS[role] for a in actions]
    assert not table[str(labels[Role.PROVINCE_OFFICER])][with_identity]
    assert table[str(labels[Role.COUNSELLOR])][with_identity]
    # A change of the roles shows on the page without touching it.
    changed = {**ROLE_ACTIONS, Role.CADRE: frozenset({Action.VIEW, Action.VIEW_IDENTITY})}
    monkeypatch.setattr(roles, "ROLE_ACTIONS", changed)
    monkeypatch.setattr("lini.web.views.ROLE_ACTIONS", changed)
    assert rights_table(page(client))[str(labels[Role.CADRE])][with_identity]


def test_it_names_the_personal_kinds_the_threshold_and_the_database(
    client: Client, settings
) -> None:  # type: ignore[no-untyped-def]
    text = words(page(client))
    for kind in kinds().values():
        assert str(kind.title) in text
    assert "couples below 5 (zero aside) are shown as <5" in text
    database = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[connection.vendor]
    assert f"In this server's {database} database" in text
    settings.LINI_SMALL_CELL_THRESHOLD = 3
    assert "are shown as <3" in words(page(client))
    settings.LINI_SMALL_CELL_THRESHOLD = 0
    assert "switched off on this server" in words(page(client))


def test_the_contact_of_the_data_protection_officer_when_set(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_DPO_CONTACT = ""
    text = words(page(client))
    assert "Data protection officer:" not in text
    assert "Ask the field counsellor" in text
    settings.LINI_DPO_CONTACT = "ppid@bkkbn-banten.example, (0254) 123456"
    text = words(page(client))
    assert "Data protection officer: ppid@bkkbn-banten.example, (0254) 123456" in text
