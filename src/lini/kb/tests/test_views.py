"""KB pages: the service form for a couple, the lists, masking, and the facility registry."""

from __future__ import annotations

import pytest

from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditEntry
from lini.core import clock
from lini.kb.choices import FacilityKind, FacilityLevel, VisitType
from lini.kb.models import Facility, Service
from lini.kb.services import service_record
from lini.kb.tests.factories import day, make_couple, make_facility
from lini.regions.tests.places import (
    CIRUAS,
    KAB_SERANG,
    KAB_TANGERANG,
    KUTA_JAYA,
    PASAR_KEMIS,
    SINGAMERTA,
)
from lini.register.choices import KBStatus, Method
from lini.register.models import ContraceptiveEvent, Couple

pytestmark = pytest.mark.django_db


def test_the_service_form_records_a_service_and_changes_the_status(client: Client) -> None:
    couple = make_couple(SINGAMERTA)
    puskesmas = make_facility(CIRUAS, code="P1")
    make_facility(PASAR_KEMIS, code="T1", name="Puskesmas Pasar Kemis")
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    url = reverse("kb:service_create", kwargs={"couple_pk": couple.pk})
    page = client.get(url).content.decode()
    assert "Puskesmas Ciruas" in page  # the district's Puskesmas, above the cadre's village
    assert "Pasar Kemis" not in page  # another regency's facility is not offered
    response = client.post(
        url,
        {"served_on": "2019-11-05", "method": "iud", "visit_type": "ganti",
         "informed_consent": "on", "facility": puskesmas.pk, "provider": "Bidan Lilis"},
    )  # fmt: skip
    service = Service.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("kb:service_detail", kwargs={"pk": service.pk})
    couple = Couple.objects.get(pk=couple.pk)
    assert (couple.status, couple.method, couple.status_since) == (
        KBStatus.USING, Method.IUD, day("2019-11-05"),
    )  # fmt: skip
    assert service.informed_consent
    assert service.facility == puskesmas


def test_the_service_form_shows_the_reasons_on_the_fields(client: Client) -> None:
    couple = make_couple(SINGAMERTA)
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    url = reverse("kb:service_create", kwargs={"couple_pk": couple.pk})
    response = client.post(url, {"served_on": "2019-11-05", "method": "iud", "visit_type": "cabut"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "reason_after" in errors
    assert not Service.objects.exists()


def test_out_of_scope_and_view_only_users_cannot_record(client: Client) -> None:
    couple = make_couple(KUTA_JAYA)
    url = reverse("kb:service_create", kwargs={"couple_pk": couple.pk})
    data = {"served_on": "2019-11-05", "method": "iud", "visit_type": "ganti"}
    for user in (
        make_user(Role.REGENCY_OFFICER, KAB_SERANG),
        make_user(Role.PROVINCE_OFFICER, "36"),
    ):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403
    assert not Service.objects.exists()
    assert ContraceptiveEvent.objects.filter(couple=couple).count() == 1
    assert client.get(reverse("kb:service_create", kwargs={"couple_pk": 999999})).status_code == 404


def test_service_detail_masks_the_nik_unless_the_user_may_see_identities(client: Client) -> None:
    couple = make_couple(SINGAMERTA)
    service = service_record(
        actor=None, couple=couple, served_on=day("2019-03-01"), method=Method.PILL,
        visit_type=VisitType.REPEAT,
    )  # fmt: skip
    url = reverse("kb:service_detail", kwargs={"pk": service.pk})
    nik = couple.wife.nik
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    page = client.get(url).content.decode()
    assert "Euis" in page
    assert nik not in page
    assert f"{nik[:4]}********{nik[-4:]}" in page
    counsellor = make_user(Role.COUNSELLOR, CIRUAS)
    client.force_login(counsellor)
    assert nik in client.get(url).content.decode()
    assert AuditEntry.objects.filter(actor=counsellor, action="view_identity").exists()
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_TANGERANG))
    assert client.get(url).status_code == 404


def test_service_list_filters_and_counts_by_month_method_and_visit(client: Client) -> None:
    couple = make_couple(SINGAMERTA)
    other = make_couple(SINGAMERTA, serial=2)
    for target, when, method, visit in (
        (couple, "2019-11-02", Method.PILL, VisitType.REPEAT),
        (other, "2019-11-20", Method.IUD, VisitType.SWITCH),
        (couple, "2019-10-02", Method.PILL, VisitType.REPEAT),
    ):
        service_record(
            actor=None, couple=target, served_on=day(when), method=method, visit_type=visit
        )
    tangerang = make_couple(KUTA_JAYA)
    service_record(
        actor=None, couple=tangerang, served_on=day("2019-11-03"), method=Method.CONDOM,
        visit_type=VisitType.SWITCH,
    )  # fmt: skip
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    url = reverse("kb:service_list")
    response = client.get(url, {"region": CIRUAS, "month": "2019-11"})
    counts = response.context["counts"]
    assert counts.total == 2
    assert [(v, n) for v, _label, n in counts.by_method] == [("iud", 1), ("pil", 1)]
    assert [(v, n) for v, _label, n in counts.by_visit_type] == [("ulang", 1), ("ganti", 1)]
    assert len(response.context["page"]) == 2
    response = client.get(url, {"month": "2019-11", "method": "iud"})  # whole scope
    assert [s.couple_id for s in response.context["page"]] == [other.pk]
    response = client.get(url, {"month": "2019-11", "visit_type": "ulang"})
    assert [s.couple_id for s in response.context["page"]] == [couple.pk]
    assert client.get(url, {"region": KUTA_JAYA}).status_code == 403
    # A month that cannot be read: this month is shown, and the page says why.
    response = client.get(url, {"month": "2019-13"})
    assert response.context["month"] == clock.today().replace(day=1)
    assert [str(m) for m in response.context["messages"]] == [
        gettext("%(why)s; showing this month.")
        % {"why": gettext("%(value)s is not a month; write it as yyyy-mm (e.g. 2019-11)")
           % {"value": "2019-13"}}
    ]  # fmt: skip


def test_delete_from_the_page(client: Client) -> None:
    couple = make_couple(SINGAMERTA)
    service = service_record(
        actor=None, couple=couple, served_on=day("2019-03-01"), method=Method.IUD,
        visit_type=VisitType.SWITCH,
    )  # fmt: skip
    url = reverse("kb:service_delete", kwargs={"pk": service.pk})
    client.force_login(make_user(Role.PROVINCE_OFFICER, "36"))
    assert client.post(url).status_code == 403
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert not Service.objects.exists()
    assert Couple.objects.get(pk=couple.pk).method == Method.PILL


def test_facility_pages(client: Client) -> None:
    main = make_facility(CIRUAS, code="P1")
    make_facility(
        SINGAMERTA, code="P2", name="Pustu Singamerta", kind=FacilityKind.NETWORK,
        level=FacilityLevel.PUSTU, parent=main,
    )  # fmt: skip
    make_facility(PASAR_KEMIS, code="T1", name="Puskesmas Pasar Kemis")
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    page = client.get(reverse("kb:facility_list")).content.decode()
    assert "Puskesmas Ciruas" in page
    assert "Pustu Singamerta" in page
    assert "Pasar Kemis" not in page
    page = client.get(reverse("kb:facility_detail", kwargs={"pk": main.pk})).content.decode()
    assert "Pustu Singamerta" in page
    # the cadre may change its own village only: not the district's Puskesmas
    assert client.get(reverse("kb:facility_edit", kwargs={"pk": main.pk})).status_code == 403
    officer = make_user(Role.DISTRICT_OFFICER, CIRUAS)
    client.force_login(officer)
    url = reverse("kb:facility_create", kwargs={"code": SINGAMERTA})
    response = client.post(
        url,
        {"code": "B1", "name": "PMB Bidan Ani", "kind": "jaringan", "level": "pmb_jejaring",
         "ownership": "perorangan", "parent": main.pk, "bpjs": "on", "bpjs_agreement": "PKS 9",
         "bpjs_until": "2020-12-31", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    created = Facility.objects.get(code="B1")
    assert (created.parent, created.bpjs_until) == (main, day("2020-12-31"))
    response = client.post(
        url, {"code": "B2", "name": "PMB", "kind": "jaringan", "level": "pmb_jejaring",
              "ownership": "perorangan"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert (
        client.get(reverse("kb:facility_create", kwargs={"code": PASAR_KEMIS})).status_code == 403
    )
