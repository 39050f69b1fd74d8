"""The DHIS2 pages: the export of a region's month (preview, downloads, scope) and the mapping
pages of national administrators (list, add, edit, delete, CSV out and in)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditEntry
from lini.dhis2.exporting import AUDIT_MODEL, dhis2_export
from lini.dhis2.models import FigureMapping, OrgUnitMapping
from lini.regions.models import Region
from lini.regions.tests.places import KAB_SERANG, KAB_TANGERANG, SINGAMERTA

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("serang_november")]

Login = Callable[[User], Client]


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    """Pages answer in the language of the cookie (Indonesian without it), not the test's."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


EXPORT = reverse("dhis2:export")


def test_the_export_page_shows_the_values_and_downloads_both_formats(login: Login) -> None:
    client = login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    with translation.override("en"):
        page = client.get(EXPORT, {"region": KAB_SERANG, "period": "2019-11"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "KB_METODE_IUD" in text
    assert "for org unit 36.04, period 201911" in text
    assert not AuditEntry.objects.filter(model=AUDIT_MODEL).exists()  # a preview is no export
    download = client.get(EXPORT, {"region": KAB_SERANG, "period": "2019-11", "format": "json"})
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        'attachment; filename="lini-dhis2-36.04-2019-11.json"'
    )
    service = dhis2_export(actor=None, region=Region.objects.get(code=KAB_SERANG),
                           period="2019-11", fmt="json")  # fmt: skip
    assert json.loads(download.content) == json.loads(service.data)
    adx = client.get(EXPORT, {"region": KAB_SERANG, "period": "2019-11", "format": "adx"})
    assert adx["Content-Type"] == "application/adx+xml"
    assert b'period="2019-11-01/P1M"' in adx.content
    assert AuditEntry.objects.filter(model=AUDIT_MODEL, region_code=KAB_SERANG).count() == 3


def test_the_export_page_explains_a_month_without_data(login: Login) -> None:
    client = login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    with translation.override("en"):
        page = client.get(EXPORT, {"region": KAB_SERANG, "period": "2017-06", "format": "json"})
    assert page.status_code == 400
    assert b"no figures for" in page.content
    assert not AuditEntry.objects.filter(model=AUDIT_MODEL).exists()


def test_out_of_scope_users_get_403_and_nothing(login: Login) -> None:
    for user in (make_user(Role.REGENCY_OFFICER, KAB_TANGERANG), make_user(Role.CADRE, SINGAMERTA)):
        client = login(user)
        for query in ({"region": KAB_SERANG, "period": "2019-11"},
                      {"region": KAB_SERANG, "period": "2019-11", "format": "json"}):  # fmt: skip
            response = client.get(EXPORT, query)
            assert response.status_code == 403
            assert b"KB_PA" not in response.content
    assert not AuditEntry.objects.filter(model=AUDIT_MODEL).exists()


def test_mapping_pages_are_for_national_administrators(login: Login) -> None:
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)  # manages accounts, not nationwide
    client = login(officer)
    mapping = FigureMapping.objects.get(figure="I.pus")
    for url in (reverse("dhis2:mapping_list"),
                reverse("dhis2:mapping_create", args=["data"]),
                reverse("dhis2:mapping_edit", args=["data", mapping.pk]),
                reverse("dhis2:mapping_csv", args=["data"]),
                reverse("dhis2:mapping_import", args=["org-unit"])):  # fmt: skip
        assert client.get(url).status_code == 403, url
    assert (
        client.post(reverse("dhis2:mapping_delete", args=["data", mapping.pk])).status_code == 403
    )
    assert FigureMapping.objects.filter(pk=mapping.pk).exists()


def test_an_administrator_adds_changes_and_deletes_a_mapping(
    login: Login, national_admin: User
) -> None:
    client = login(national_admin)
    with translation.override("en"):
        listing = client.get(reverse("dhis2:mapping_list"))
    assert listing.status_code == 200
    assert b"KB_METODE=IUD" in listing.content
    fields = {"use": "export", "figure": "I.cpr", "data_set": "LINI_KB_BULANAN",
              "data_element": "KB_CPR"}  # fmt: skip
    response = client.post(reverse("dhis2:mapping_create", args=["data"]), fields)
    assert response.status_code == 302
    mapping = FigureMapping.objects.get(figure="I.cpr")
    # A clash is shown on its field, nothing stored.
    with translation.override("en"):
        refused = client.post(reverse("dhis2:mapping_edit", args=["data", mapping.pk]),
                              {**fields, "data_element": "KB_PUS"})  # fmt: skip
    assert refused.status_code == 200
    assert b"I.pus already is" in refused.content
    assert FigureMapping.objects.get(pk=mapping.pk).data_element == "KB_CPR"
    client.post(reverse("dhis2:mapping_edit", args=["data", mapping.pk]),
                {**fields, "data_element": "KB_CPR_2"})  # fmt: skip
    assert FigureMapping.objects.get(pk=mapping.pk).data_element == "KB_CPR_2"
    client.post(reverse("dhis2:mapping_delete", args=["data", mapping.pk]))
    assert not FigureMapping.objects.filter(pk=mapping.pk).exists()
    # An org unit.
    client.post(reverse("dhis2:mapping_create", args=["org-unit"]),
                {"region": KAB_SERANG, "org_unit": "OU_SERANG"})  # fmt: skip
    assert OrgUnitMapping.objects.get().org_unit == "OU_SERANG"
    actions = set(AuditEntry.objects.filter(actor=national_admin).values_list("action", flat=True))
    assert {"create", "change", "delete"} <= actions
    assert client.get(reverse("dhis2:mapping_edit", args=["nothing", 1])).status_code == 404


def test_the_mapping_csv_goes_out_and_comes_back(login: Login, national_admin: User) -> None:
    client = login(national_admin)
    data = client.get(reverse("dhis2:mapping_csv", args=["data"])).content
    FigureMapping.objects.filter(figure="I.pus").update(data_element="KB_PUS_OLD")
    upload = SimpleUploadedFile("mapping.csv", data, content_type="text/csv")
    response = client.post(reverse("dhis2:mapping_import", args=["data"]), {"file": upload})
    assert response.status_code == 302
    assert FigureMapping.objects.get(figure="I.pus").data_element == "KB_PUS"
    bad = b"use,figure,data_set,data_element\nexport,I.nothing,LINI_KB_BULANAN,KB_X\n"
    with translation.override("en"):
        refused = client.post(
            reverse("dhis2:mapping_import", args=["data"]),
            {"file": SimpleUploadedFile("wrong.csv", bad, content_type="text/csv")},
        )
    assert refused.status_code == 400
    assert "wrong.csv, row 2, figure: I.nothing is not a figure" in refused.content.decode()
    assert not FigureMapping.objects.filter(figure="I.nothing").exists()
