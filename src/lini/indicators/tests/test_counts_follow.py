"""With the counts live (as in production), the everyday services of every app update the
counts of their village in the same call: family edits, Kampung KB profiles, counsellors,
cadres and monthly inputs."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.indicators.models import VillageMonthCount
from lini.indicators.services import counts_check
from lini.kampung.services import kampung_save
from lini.kampung.tests.factories import singamerta_values
from lini.monthly import services as monthly
from lini.monthly.tests.factories import make_input
from lini.regions.models import Region
from lini.regions.tests.places import CIRUAS, SINGAMERTA
from lini.register.choices import MaritalStatus, Presence, Relation, Sex
from lini.register.records import MemberRecord
from lini.register.services import family_record, family_save
from lini.register.tests.factories import make_family
from lini.workforce.models import CadreKind
from lini.workforce.services import cadre_delete
from lini.workforce.tests.factories import make_cadre, make_counsellor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("live_counts")]

NOV = dt.date(2019, 11, 1)


def count(key: str, month: dt.date = NOV) -> int:
    row = VillageMonthCount.objects.filter(village__code=SINGAMERTA, month=month, key=key).first()
    return row.value if row else 0


def _village() -> Region:
    return Region.objects.get(code=SINGAMERTA)


def test_a_child_added_on_the_family_page_makes_a_family_with_an_under_five() -> None:
    family = make_family(SINGAMERTA, kk="3604091234560001", head_nik="3604090808800012",
                         wife_nik="3604094808820013")  # fmt: skip
    record = family_record(family)
    child = MemberRecord(
        nik="3604090303180004", name="Dede", sex=Sex.MALE, birth_date=dt.date(2018, 3, 3),
        relation=Relation.CHILD, marital_status=MaritalStatus.SINGLE, presence=Presence.PRESENT,
    )  # fmt: skip
    pkb = make_user(Role.COUNSELLOR, CIRUAS)
    family_save(actor=pkb, record=dataclasses.replace(record, members=[*record.members, child]))
    assert (count("families_under5"), count("families"), count("pus")) == (1, 1, 1)
    assert count("families_under5", dt.date(2018, 2, 1)) == 0  # not born yet


def test_a_kampung_kb_profile_counts_from_its_launch_with_its_class() -> None:
    kampung_save(actor=None, village=_village(), values=singamerta_values())
    assert count("kampung") == 1
    classes = [count(f"kampung_{c}") for c in ("dasar", "berkembang", "mandiri", "berkelanjutan")]
    assert sorted(classes) == [0, 0, 0, 1]


def test_counsellors_cadres_and_monthly_inputs() -> None:
    counsellor = make_counsellor(CIRUAS, SINGAMERTA)
    assert (count("counsellor_assigned"), count("counsellors")) == (1, 1)
    cadre = make_cadre(SINGAMERTA)
    make_cadre(SINGAMERTA, kind=CadreKind.POKTAN, name="Imas")
    assert (count("cadres"), count("ppkbd")) == (2, 1)
    cadre_delete(actor=None, cadre=cadre)
    assert (count("cadres"), count("ppkbd")) == (1, 0)
    draft = make_input(SINGAMERTA, NOV)
    assert count("monthly_sent") == 0  # a draft is not sent
    monthly.monthly_submit(actor=None, monthly_input=draft, version=draft.version)
    assert (count("monthly_sent"), count("inst_bkb_exist"), count("inst_bkb_reported")) == (1, 2, 2)
    assert counts_check(village_ids=[_village().pk]) == []
    assert counsellor.villages.count() == 1
