from __future__ import annotations

import pytest

from django.test import Client
from django.urls import reverse

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.regions.models import Region, RegionKind
from lini.regions.tests.places import BANTEN, CIRUAS, KAB_SERANG, PULO, SINGAMERTA

pytestmark = pytest.mark.django_db


def detail(code: str) -> str:
    return reverse("regions:region_detail", kwargs={"code": code})


def test_counsellor_drills_down_with_breadcrumbs_and_counts(client: Client) -> None:
    client.force_login(make_user(Role.COUNSELLOR, CIRUAS))
    index = client.get(reverse("regions:region_index"))
    assert index.status_code == 200
    assert detail(BANTEN).encode() in index.content
    assert b"Aceh" not in index.content

    banten = client.get(detail(BANTEN)).content.decode()
    assert "Kabupaten Serang" in banten
    assert "Kabupaten Lebak" not in banten  # only the counsellor's branch is listed

    serang = client.get(detail(KAB_SERANG)).content.decode()
    assert "Kec. Ciruas" in serang
    assert "Kec. Kragilan" not in serang

    ciruas = client.get(detail(CIRUAS)).content.decode()
    breadcrumbs = ciruas.split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert "Kec. Ciruas" in breadcrumbs
    assert detail(BANTEN) in ciruas
    assert detail(KAB_SERANG) in ciruas
    villages = Region.objects.filter(parent__code=CIRUAS)
    for village in villages:
        assert village.name in ciruas
    assert client.get(detail(SINGAMERTA)).status_code == 200


def test_region_page_accepts_a_code_without_dots(client: Client) -> None:
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    response = client.get(detail("3604092013"))
    assert response.status_code == 200
    assert "Singamerta" in response.content.decode()


def test_unknown_code_is_404(client: Client) -> None:
    client.force_login(make_user(Role.NATIONAL_ADMIN))
    assert client.get(detail("36.99")).status_code == 404


def test_search_page_and_htmx_partial(client: Client) -> None:
    client.force_login(make_user(Role.DISTRICT_OFFICER, CIRUAS))
    url = reverse("regions:region_search")
    page = client.get(url, {"q": "singamerta"})
    assert page.status_code == 200
    assert b"<html" in page.content
    assert detail(SINGAMERTA).encode() in page.content
    partial = client.get(url, {"q": "SINGAMÉRTA"}, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content
    assert detail(SINGAMERTA).encode() in partial.content
    # a village of another district is not found for this officer
    assert b"Cisait" not in client.get(url, {"q": "cisait"}).content


def test_cadre_adds_rw_and_rt_under_their_village(client: Client) -> None:
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    url = reverse("regions:subunit_create", kwargs={"code": SINGAMERTA})
    response = client.post(url, {"kind": RegionKind.RW, "number": "3"})
    assert response.status_code == 302
    rw = Region.objects.get(code=f"{SINGAMERTA}.RW003")
    assert rw.name == "RW 003"
    assert rw.parent.code == SINGAMERTA
    client.post(
        reverse("regions:subunit_create", kwargs={"code": rw.code}), {"kind": "rt", "number": "1"}
    )
    assert Region.objects.filter(code=f"{rw.code}.RT001", parent=rw).exists()
    again = client.post(url, {"kind": RegionKind.RW, "number": "3"}, follow=True)
    assert "sudah ada" in again.content.decode() or "already exists" in again.content.decode()
    assert Region.objects.filter(code=f"{SINGAMERTA}.RW003").count() == 1


def test_a_rt_cannot_stand_directly_under_a_village(client: Client) -> None:
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    client.post(
        reverse("regions:subunit_create", kwargs={"code": SINGAMERTA}),
        {"kind": "rt", "number": "1"},
    )
    assert not Region.objects.filter(parent__code=SINGAMERTA).exists()


def test_dusun_is_named_renamed_and_removed(client: Client) -> None:
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    client.post(
        reverse("regions:subunit_create", kwargs={"code": SINGAMERTA}),
        {"kind": "dusun", "name": "Krajan"},
    )
    dusun = Region.objects.get(parent__code=SINGAMERTA, kind=RegionKind.DUSUN)
    assert dusun.code == f"{SINGAMERTA}.D01"
    client.post(
        reverse("regions:subunit_edit", kwargs={"code": dusun.code}), {"name": "Krajan Lor"}
    )
    dusun.refresh_from_db()
    assert dusun.name == "Krajan Lor"
    client.post(reverse("regions:subunit_delete", kwargs={"code": dusun.code}))
    assert not Region.objects.filter(pk=dusun.pk).exists()


def test_official_regions_cannot_be_removed_or_renamed(client: Client) -> None:
    client.force_login(make_user(Role.NATIONAL_ADMIN))
    assert client.post(reverse("regions:subunit_delete", kwargs={"code": PULO})).status_code == 403
    assert (
        client.post(
            reverse("regions:subunit_edit", kwargs={"code": PULO}), {"name": "X"}
        ).status_code
        == 403
    )
    assert Region.objects.get(code=PULO).name == "Pulo"


def test_province_officer_reads_but_does_not_add_units(client: Client) -> None:
    client.force_login(make_user(Role.PROVINCE_OFFICER, BANTEN))
    page = client.get(detail(SINGAMERTA))
    assert page.status_code == 200
    assert (
        reverse("regions:subunit_create", kwargs={"code": SINGAMERTA}).encode() not in page.content
    )
    response = client.post(
        reverse("regions:subunit_create", kwargs={"code": SINGAMERTA}),
        {"kind": "rw", "number": "1"},
    )
    assert response.status_code == 403


def test_a_unit_in_use_is_not_removed(client: Client) -> None:
    from lini.regions.services import subunit_create

    unit = subunit_create(
        actor=None, parent=Region.objects.get(code=SINGAMERTA), kind="rw", number=2
    )
    make_user(Role.CADRE, unit.code)  # a cadre works in this RW
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    response = client.post(
        reverse("regions:subunit_delete", kwargs={"code": unit.code}), follow=True
    )
    assert response.status_code == 200
    assert (
        "masih dipakai" in response.content.decode() or "still in use" in response.content.decode()
    )
    assert Region.objects.filter(pk=unit.pk).exists()


def test_rw_numbers_are_unique_in_a_village_with_or_without_dusun() -> None:
    from django.core.exceptions import ValidationError

    from lini.regions.services import subunit_create

    village = Region.objects.get(code=SINGAMERTA)
    dusun = subunit_create(actor=None, parent=village, kind="dusun", name="Krajan")
    subunit_create(actor=None, parent=dusun, kind="rw", number=1)
    with pytest.raises(ValidationError):
        subunit_create(actor=None, parent=village, kind="rw", number=1)


def test_services_check_the_actor_whatever_calls_them() -> None:
    from django.core.exceptions import PermissionDenied

    from lini.regions.services import subunit_create

    outsider = make_user(Role.CADRE, PULO)
    with pytest.raises(PermissionDenied):
        subunit_create(
            actor=outsider, parent=Region.objects.get(code=SINGAMERTA), kind="rw", number=4
        )
    assert not Region.objects.filter(parent__code=SINGAMERTA).exists()


def test_pages_above_the_scope_show_names_not_counts(client: Client) -> None:
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    page = client.get(detail(KAB_SERANG)).content.decode()
    row = page.split(f">{CIRUAS}</td>")[1].split("</tr>")[0]
    assert "Kec. Ciruas" in row
    assert ">15<" not in row
    assert "\u2013" in row  # an en dash stands for the hidden figures
