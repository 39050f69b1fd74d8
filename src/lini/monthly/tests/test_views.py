"""The monthly input pages and the month overview (statuses, coverage) as each role sees them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from django.test import Client
from django.urls import reverse
from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.monthly import selectors
from lini.monthly.models import MonthlyInput, MonthlyStatus
from lini.monthly.tests.factories import GOOD, make_input
from lini.regions.models import Region, RegionLevel
from lini.regions.tests.places import (
    BANTEN,
    CIRUAS,
    KAB_SERANG,
    KAB_TANGERANG,
    KUTA_JAYA,
    PULO,
    SINGAMERTA,
)
from lini.workforce.models import Cadre

pytestmark = pytest.mark.django_db

NOV = dt.date(2019, 11, 1)
FORM = {k: str(v) for k, v in GOOD.items()}


@pytest.fixture(autouse=True)
def _english(client: Client) -> Iterator[None]:
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def _list(client: Client, region: str, month: str = "2019-11"):  # type: ignore[no-untyped-def]
    return client.get(reverse("monthly:input_list"), {"region": region, "month": month})


def test_overview_of_a_district_lists_every_village_with_its_status_and_coverage() -> None:
    make_input(SINGAMERTA, NOV, status="approved")
    make_input(PULO, NOV, status="submitted")
    ciruas = Region.objects.get(code=CIRUAS)
    villages = ciruas.children.count()
    make_input(KUTA_JAYA, NOV, status="approved")  # another regency: not counted
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)

    overview = selectors.month_overview(user=officer, region=ciruas, month=NOV)

    assert overview.coverage.villages == villages
    assert (overview.coverage.sent, overview.coverage.approved) == (2, 1)
    assert overview.coverage.missing == villages - 2
    assert overview.coverage.percent == round(200 / villages, 1)
    statuses = {row.village.code: row.monthly_input for row in overview.villages}
    assert len(statuses) == villages
    assert statuses[SINGAMERTA].status == MonthlyStatus.APPROVED
    assert sum(1 for i in statuses.values() if i is None) == villages - 2
    bkb = next(t for t in overview.institutions if t.label == "BKB")
    assert (bkb.exist, bkb.reported) == (4, 4)


def test_overview_of_a_regency_sums_its_districts_and_lists_inputs_to_decide() -> None:
    make_input(SINGAMERTA, NOV, status="submitted")
    make_input(PULO, NOV)  # a draft is entered, not sent
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    overview = selectors.month_overview(
        user=officer, region=Region.objects.get(code=KAB_SERANG), month=NOV
    )
    ciruas = next(a for a in overview.areas if a.region.code == CIRUAS)
    assert (ciruas.coverage.entered, ciruas.coverage.sent, ciruas.coverage.waiting) == (2, 1, 1)
    assert sum(a.coverage.villages for a in overview.areas) == overview.coverage.villages
    assert (
        overview.coverage.villages
        == Region.objects.filter(
            code__startswith=f"{KAB_SERANG}.", level=RegionLevel.VILLAGE
        ).count()
    )
    assert [i.village.code for i in overview.waiting] == [SINGAMERTA]


def test_a_cadre_sees_only_their_village_in_the_regency_overview() -> None:
    make_input(SINGAMERTA, NOV, status="submitted")
    make_input(PULO, NOV, status="submitted")
    cadre = make_user(Role.CADRE, SINGAMERTA)
    overview = selectors.month_overview(
        user=cadre, region=Region.objects.get(code=KAB_SERANG), month=NOV
    )
    assert overview.coverage.villages == 1
    assert overview.coverage.sent == 1
    assert [a.region.code for a in overview.areas] == [CIRUAS]


def test_list_page_shows_statuses_and_links_to_enter(client: Client) -> None:
    make_input(SINGAMERTA, NOV, status="sent_back")
    client.force_login(make_user(Role.COUNSELLOR, CIRUAS))
    response = _list(client, CIRUAS)
    assert response.status_code == 200
    body = response.content.decode()
    assert "sent back for correction" in body
    assert reverse("monthly:input_create", kwargs={"code": PULO, "month": "2019-11"}) in body
    assert "Kec. Ciruas" in body


def test_list_page_without_a_region_uses_the_users_own(client: Client) -> None:
    client.force_login(make_user(Role.COUNSELLOR, CIRUAS))
    response = client.get(reverse("monthly:input_list"))
    assert response.status_code == 200
    assert response.context["region"].code == CIRUAS


def test_list_page_refuses_another_regency(client: Client) -> None:
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    assert _list(client, KAB_TANGERANG).status_code == 403
    assert _list(client, KUTA_JAYA).status_code == 403
    assert _list(client, "36.99").status_code == 404


def test_create_prefills_from_the_cadres_and_saves_a_draft(client: Client) -> None:
    Cadre.objects.create(name="Ibu Ani", kind="ppkbd", village=Region.objects.get(code=SINGAMERTA))
    client.force_login(make_user(Role.COUNSELLOR, CIRUAS))
    url = reverse("monthly:input_create", kwargs={"code": SINGAMERTA, "month": "2019-11"})
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["ppkbd_exist"].value() == 1
    response = client.post(url, FORM)
    item = MonthlyInput.objects.get(village__code=SINGAMERTA, month=NOV)
    assert response.status_code == 302
    assert response.url == item.get_absolute_url()
    assert item.status == MonthlyStatus.DRAFT
    assert item.kelompok_kb_reported == 8
    # Once it exists, the create link leads to the edit page.
    assert client.get(url).url == reverse("monthly:input_edit", kwargs={"pk": item.pk})


def test_create_shows_reported_above_exist_on_its_field(client: Client) -> None:
    client.force_login(make_user(Role.COUNSELLOR, CIRUAS))
    url = reverse("monthly:input_create", kwargs={"code": SINGAMERTA, "month": "2019-11"})
    response = client.post(url, {**FORM, "bkl_exist": "1", "bkl_reported": "2"})
    assert response.status_code == 200
    assert response.context["form"].errors["bkl_reported"] == [
        "BKL: 2 reported, but only 1 exist; no more can report than exist"
    ]
    assert not MonthlyInput.objects.exists()


def test_create_refuses_a_future_month_and_a_region_that_is_not_a_village(client: Client) -> None:
    client.force_login(make_user(Role.COUNSELLOR, CIRUAS))
    future = reverse("monthly:input_create", kwargs={"code": SINGAMERTA, "month": "2999-01"})
    assert client.post(future, FORM).status_code == 302
    district = reverse("monthly:input_create", kwargs={"code": CIRUAS, "month": "2019-11"})
    assert client.get(district).status_code == 404
    bad_month = reverse("monthly:input_create", kwargs={"code": SINGAMERTA, "month": "2019-13"})
    assert client.get(bad_month).status_code == 404
    assert not MonthlyInput.objects.exists()


def test_edit_with_a_stale_version_keeps_the_stored_data(client: Client) -> None:
    item = make_input(SINGAMERTA, NOV)
    MonthlyInput.objects.filter(pk=item.pk).update(version=5, kie_sessions=9)  # someone else
    client.force_login(make_user(Role.COUNSELLOR, CIRUAS))
    url = reverse("monthly:input_edit", kwargs={"pk": item.pk})
    response = client.post(url, {**FORM, "kie_sessions": "1", "version": "1"})
    assert response.status_code == 200
    assert "changed by someone else since you opened it" in response.content.decode()
    assert MonthlyInput.objects.get(pk=item.pk).kie_sessions == 9


def test_edit_of_a_locked_month_is_refused(client: Client) -> None:
    item = make_input(SINGAMERTA, NOV, status="approved")
    client.force_login(make_user(Role.COUNSELLOR, CIRUAS))
    url = reverse("monthly:input_edit", kwargs={"pk": item.pk})
    assert client.get(url).url == item.get_absolute_url()
    client.post(url, {**FORM, "kie_sessions": "1", "version": str(item.version)})
    assert MonthlyInput.objects.get(pk=item.pk).kie_sessions == GOOD["kie_sessions"]


def test_workflow_through_the_pages(client: Client) -> None:
    item = make_input(SINGAMERTA, NOV)
    counsellor = make_user(Role.COUNSELLOR, CIRUAS)
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    client.force_login(counsellor)
    detail = client.get(item.get_absolute_url())
    assert detail.context["can_submit"]
    assert not detail.context["can_decide"]
    client.post(reverse("monthly:input_submit", kwargs={"pk": item.pk}), {"version": "1"})
    assert MonthlyInput.objects.get(pk=item.pk).status == MonthlyStatus.SUBMITTED
    # The counsellor may not approve.
    response = client.post(reverse("monthly:input_approve", kwargs={"pk": item.pk}))
    assert response.status_code == 403

    client.force_login(officer)
    detail = client.get(item.get_absolute_url())
    assert detail.context["can_decide"]
    send_back = reverse("monthly:input_send_back", kwargs={"pk": item.pk})
    client.post(send_back, {"comment": "", **_seen(item)})
    assert MonthlyInput.objects.get(pk=item.pk).status == MonthlyStatus.SUBMITTED
    client.post(send_back, {"comment": "UPPKA belum lapor?", **_seen(item)})
    item.refresh_from_db()
    assert (item.status, item.comment) == (MonthlyStatus.SENT_BACK, "UPPKA belum lapor?")

    client.force_login(counsellor)
    client.post(reverse("monthly:input_submit", kwargs={"pk": item.pk}), _seen(item))
    client.force_login(officer)
    approve = reverse("monthly:input_approve", kwargs={"pk": item.pk})
    client.post(approve)  # a form that does not say which version was seen: refused
    assert MonthlyInput.objects.get(pk=item.pk).status == MonthlyStatus.SUBMITTED
    client.post(approve, _seen(item))
    assert MonthlyInput.objects.get(pk=item.pk).locked
    assert client.get(item.get_absolute_url()).context["can_reopen"]
    client.post(
        reverse("monthly:input_reopen", kwargs={"pk": item.pk}), {"comment": "salah", **_seen(item)}
    )
    assert MonthlyInput.objects.get(pk=item.pk).status == MonthlyStatus.DRAFT


def test_province_officer_sees_and_approves_but_gets_no_form(client: Client) -> None:
    item = make_input(SINGAMERTA, NOV, status="submitted")
    client.force_login(make_user(Role.PROVINCE_OFFICER, BANTEN))
    detail = client.get(item.get_absolute_url())
    assert detail.status_code == 200
    assert not detail.context["can_edit"]
    assert client.get(reverse("monthly:input_edit", kwargs={"pk": item.pk})).status_code == 403
    create = reverse("monthly:input_create", kwargs={"code": PULO, "month": "2019-11"})
    assert client.post(create, FORM).status_code == 403
    client.post(reverse("monthly:input_approve", kwargs={"pk": item.pk}), _seen(item))
    assert MonthlyInput.objects.get(pk=item.pk).locked


def test_another_regencys_input_is_not_found(client: Client) -> None:
    item = make_input(KUTA_JAYA, NOV, status="submitted")
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    assert client.get(item.get_absolute_url()).status_code == 404
    assert client.post(reverse("monthly:input_approve", kwargs={"pk": item.pk})).status_code == 404
    assert MonthlyInput.objects.get(pk=item.pk).status == MonthlyStatus.SUBMITTED


def test_a_national_administrator_sees_the_provinces() -> None:
    make_input(SINGAMERTA, NOV, status="approved")
    admin = make_user(Role.NATIONAL_ADMIN)
    overview = selectors.month_overview(user=admin, region=None, month=NOV)
    banten = next(a for a in overview.areas if a.region.code == BANTEN)
    assert banten.coverage.approved == 1


def test_the_list_page_of_a_national_administrator_shows_the_provinces(client: Client) -> None:
    make_input(SINGAMERTA, NOV, status="submitted")
    client.force_login(make_user(Role.NATIONAL_ADMIN))
    response = client.get(reverse("monthly:input_list"), {"month": "2019-11"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "?region=36&amp;month=2019-11" in body
    assert "Desa Singamerta" in body  # waiting for approval


def _seen(item: MonthlyInput) -> dict[str, str]:
    """What a decision form posts back: the version the page showed."""
    return {"version": str(MonthlyInput.objects.get(pk=item.pk).version)}
