"""Data of two places for the API tests: Desa Kuta Jaya (Kab. Tangerang) and Desa Singamerta
(Kab. Serang), each with a family and its couple, a KB service, a poktan group with a meeting, a
Kampung KB profile and a campaign of its regency with the village as lokus."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from lini.campaigns.models import Campaign, Lokus
from lini.campaigns.tests.factories import add_lokus, make_campaign
from lini.kampung.models import KampungKB
from lini.kampung.services import KampungValues, kampung_save
from lini.kb.choices import VisitType
from lini.kb.models import Service
from lini.kb.services import service_record
from lini.poktan.models import Poktan, PoktanMeeting
from lini.poktan.services import meeting_record, poktan_member_add, poktan_save
from lini.regions.models import Region
from lini.regions.tests.places import KAB_SERANG, KAB_TANGERANG, KUTA_JAYA, SINGAMERTA
from lini.register.choices import Method
from lini.register.models import Couple, Family, Member
from lini.register.tests.factories import make_family


@dataclass
class Place:
    village: Region
    family: Family
    head: Member
    wife: Member
    couple: Couple
    service: Service
    poktan: Poktan
    meeting: PoktanMeeting
    kampung: KampungKB
    campaign: Campaign
    lokus: Lokus


@dataclass
class Places:
    tangerang: Place  # Desa Kuta Jaya, Kec. Pasar Kemis, Kab. Tangerang
    serang: Place  # Desa Singamerta, Kec. Ciruas, Kab. Serang


def make_place(village_code: str, regency_code: str, *, digits: str) -> Place:
    village = Region.objects.get(code=village_code)
    family = make_family(
        village_code, kk=f"{digits}1234560001", head_nik=f"{digits}0808800012",
        wife_nik=f"{digits}4808820013",
    )  # fmt: skip
    couple = Couple.objects.select_related("family__village", "wife").get(family=family)
    service = service_record(
        actor=None, couple=couple, served_on=dt.date(2019, 10, 2), method=Method.PILL,
        visit_type=VisitType.REPEAT,
    )  # fmt: skip
    poktan = poktan_save(actor=None, village=village, kind="bkb", name="Melati")
    poktan_member_add(actor=None, poktan=poktan, family=family)
    meeting = meeting_record(
        actor=None, poktan=poktan, held_on=dt.date(2019, 10, 7), topic="Tumbuh kembang",
        attendance=1,
    )  # fmt: skip
    kampung = kampung_save(
        actor=None, village=village, values=KampungValues(name=f"Kampung KB {village.name}")
    )
    campaign = make_campaign(regency_code, name=f"Baksos {regency_code}")
    return Place(
        village=village, family=family, head=family.members.get(relation="kepala"),
        wife=family.members.get(relation="pasangan"), couple=couple, service=service,
        poktan=poktan, meeting=meeting, kampung=kampung, campaign=campaign,
        lokus=add_lokus(campaign, village_code),
    )  # fmt: skip


@pytest.fixture
def places(db: None) -> Places:
    return Places(
        tangerang=make_place(KUTA_JAYA, KAB_TANGERANG, digits="360312"),
        serang=make_place(SINGAMERTA, KAB_SERANG, digits="360409"),
    )
