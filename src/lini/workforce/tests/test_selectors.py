"""Who a user sees, who looks after a village, and what is due in a counsellor's villages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.kampung.models import KampungKB
from lini.monthly.models import MonthlyInput, MonthlyStatus
from lini.poktan.models import Poktan, PoktanMeeting
from lini.regions.models import RegionKind
from lini.regions.services import subunit_create
from lini.regions.tests.places import (
    CIRUAS,
    KAB_SERANG,
    KUTA_JAYA,
    PASAR_KEMIS,
    PULO,
    SINGAMERTA,
)
from lini.workforce.models import CadreKind
from lini.workforce.selectors import (
    cadres_visible_to,
    counsellor_due,
    counsellor_search,
    counsellors_visible_to,
    months_before,
    village_people,
)
from lini.workforce.tests.factories import NIP, make_cadre, make_counsellor, region

pytestmark = pytest.mark.django_db

TODAY = dt.date(2019, 11, 20)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_visibility_follows_the_scope() -> None:
    ciruas = make_counsellor(CIRUAS, SINGAMERTA, name="Siti")
    tangerang = make_counsellor(PASAR_KEMIS, KUTA_JAYA, name="Budi")
    serang_cadre = make_cadre(SINGAMERTA)
    tangerang_cadre = make_cadre(KUTA_JAYA)
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    assert list(counsellors_visible_to(officer)) == [ciruas]
    assert list(cadres_visible_to(officer)) == [serang_cadre]
    # A cadre of Singamerta sees the counsellor looking after her village, though he is based
    # in the district above her.
    cadre_user = make_user(Role.CADRE, SINGAMERTA)
    assert list(counsellors_visible_to(cadre_user)) == [ciruas]
    assert list(cadres_visible_to(cadre_user)) == [serang_cadre]
    pulo_cadre = make_user(Role.CADRE, PULO)
    assert not counsellors_visible_to(pulo_cadre).exists()
    province = make_user(Role.PROVINCE_OFFICER, "36")
    assert set(counsellors_visible_to(province)) == {ciruas, tangerang}
    assert not counsellors_visible_to(province, action="change").exists()  # type: ignore[arg-type]
    assert list(cadres_visible_to(make_user(Role.REGENCY_OFFICER, "36.03"))) == [tangerang_cadre]


def test_search_by_name_nip_and_region() -> None:
    siti = make_counsellor(CIRUAS, SINGAMERTA, name="Siti Hasanah", nip=NIP)
    budi = make_counsellor(CIRUAS, PULO, name="Budi Santoso", phone="0819 777 1234")
    everyone = counsellors_visible_to(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    assert list(counsellor_search(counsellors=everyone, query="hasanah")) == [siti]
    assert list(counsellor_search(counsellors=everyone, query="19850312")) == [siti]
    assert list(counsellor_search(counsellors=everyone, query="777")) == [budi]
    assert list(counsellor_search(counsellors=everyone, region=region(PULO))) == [budi]
    assert set(counsellor_search(counsellors=everyone, region=region(CIRUAS))) == {siti, budi}


def test_village_people_lists_active_counsellors_and_cadres_by_kind() -> None:
    dusun = subunit_create(
        actor=None, parent=region(SINGAMERTA), kind=RegionKind.DUSUN, name="Krajan"
    )
    siti = make_counsellor(CIRUAS, SINGAMERTA, PULO, name="Siti")
    make_counsellor(CIRUAS, SINGAMERTA, name="Retired", active=False)
    ppkbd = make_cadre(SINGAMERTA, name="Euis")
    sub = make_cadre(SINGAMERTA, CadreKind.SUB_PPKBD, name="Imas", area=dusun)
    poktan = [make_cadre(SINGAMERTA, CadreKind.POKTAN, name=n) for n in ("Ai", "Cucu")]
    make_cadre(SINGAMERTA, CadreKind.POKTAN, name="Gone", active=False)
    make_cadre(PULO, name="Other village")
    people = village_people(region(SINGAMERTA))
    assert people["village"] == region(SINGAMERTA)
    assert people["counsellors"] == [siti]
    assert people["ppkbd"] == [ppkbd]
    assert people["sub_ppkbd"] == [sub]
    assert people["poktan_cadres"] == poktan


def test_months_before() -> None:
    assert months_before(dt.date(2019, 3, 31), 1) == dt.date(2019, 2, 28)
    assert months_before(dt.date(2019, 1, 15), 3) == dt.date(2018, 10, 15)
    assert months_before(dt.date(2020, 5, 31), 3) == dt.date(2020, 2, 29)


def test_what_is_due_in_each_village(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_POKTAN_ACTIVE_MONTHS = 3
    counsellor = make_counsellor(CIRUAS, SINGAMERTA, PULO, "36.04.09.2001")
    singamerta, pulo, third = region(SINGAMERTA), region(PULO), region("36.04.09.2001")
    october = dt.date(2019, 10, 1)
    MonthlyInput.objects.create(village=singamerta, month=october, status=MonthlyStatus.DRAFT)
    MonthlyInput.objects.create(
        village=pulo, month=october, status=MonthlyStatus.SENT_BACK, comment="BKB count is off."
    )
    MonthlyInput.objects.create(village=third, month=october, status=MonthlyStatus.APPROVED)
    MonthlyInput.objects.create(  # September's report does not count in November
        village=third, month=dt.date(2019, 9, 1), status=MonthlyStatus.DRAFT
    )
    quiet = Poktan.objects.create(kind="bkb", name="Mawar", village=singamerta)
    PoktanMeeting.objects.create(poktan=quiet, held_on=dt.date(2019, 8, 19), topic="Gizi")
    busy = Poktan.objects.create(kind="bkr", name="Melati", village=singamerta)
    PoktanMeeting.objects.create(poktan=busy, held_on=dt.date(2019, 8, 20), topic="Remaja")
    Poktan.objects.create(kind="bkl", name="Kenanga", village=pulo)
    KampungKB.objects.create(village=singamerta, name="KB Singamerta", rumah_dataku="rencana")
    KampungKB.objects.create(village=third, name="KB Tiga", rumah_dataku="aktif")

    due = counsellor_due(counsellor, TODAY)
    assert [d.village for d in due] == [third, pulo, singamerta]  # by code
    by_village = {d.village.code: [(i.kind, i.message) for i in d.items] for d in due}
    assert by_village[SINGAMERTA] == [
        ("monthly", "The monthly report of October 2019 is still a draft."),
        ("poktan", "BKB Mawar: no meeting since Aug. 19, 2019."),
        ("rumah_dataku", "The Rumah DataKu is not active (being set up)."),
    ]
    assert by_village[PULO] == [
        ("monthly", "The monthly report of October 2019 was sent back for correction. "
                    "BKB count is off."),
        ("poktan", "BKL Kenanga: no meeting recorded."),
        ("kampung", "No Kampung KB profile."),
    ]  # fmt: skip
    assert by_village["36.04.09.2001"] == []

    MonthlyInput.objects.filter(village=singamerta).delete()
    first = counsellor_due(counsellor, TODAY)[2].items[0]
    assert first.message == "The monthly report of October 2019 is missing."
