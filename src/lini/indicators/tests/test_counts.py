"""The counts of a village follow every change at once: status changes (also back-dated), KB
services, poktan, the wife's age crossing the PUS limit as time passes, and a rebuild agrees."""

from __future__ import annotations

import datetime as dt

import pytest

from django.core.management import CommandError, call_command

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.indicators.models import RegionMonthCount, VillageMonthCount
from lini.indicators.services import counts_check, counts_rebuild
from lini.kb.choices import VisitType
from lini.kb.services import service_record
from lini.kb.tests.factories import make_couple
from lini.poktan.services import meeting_record, poktan_member_add, poktan_save
from lini.regions.models import Region
from lini.regions.tests.places import CIRUAS, SINGAMERTA
from lini.register.choices import KBStatus, Method, NotUsingReason
from lini.register.models import Couple
from lini.register.records import StatusRecord
from lini.register.services import couple_status_change
from lini.register.tests.factories import make_family

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("live_counts")]

OCT, NOV = dt.date(2019, 10, 1), dt.date(2019, 11, 1)


def counts(month: dt.date, village: str = SINGAMERTA) -> dict[str, int]:
    return dict(
        VillageMonthCount.objects.filter(village__code=village, month=month).values_list(
            "key", "value"
        )
    )


def _village(code: str = SINGAMERTA) -> Region:
    return Region.objects.get(code=code)


@pytest.fixture
def couple() -> Couple:
    """A couple of Singamerta, the wife born 8 Aug 1982, using the pill since 1 Jan 2018."""
    couple = make_couple(SINGAMERTA)
    counts_rebuild(village_ids=[couple.family.village_id])  # written in bulk: counted once
    return couple


def test_a_village_counts_its_couples_families_and_itself(couple: Couple) -> None:
    october = counts(OCT)
    assert {k: october[k] for k in ("villages", "families", "pus", "pa", "pa_pil")} == {
        "villages": 1, "families": 1, "pus": 1, "pa": 1, "pa_pil": 1,
    }  # fmt: skip
    assert october["pa_modern"] == 1
    assert "pa_mkjp" not in october  # zeros are not stored
    # Its first status, the pill from January 2018, made it a new acceptor that month.
    assert (counts(dt.date(2018, 1, 1))["pb"], counts(dt.date(2018, 1, 1))["pb_pil"]) == (1, 1)


def test_a_status_change_moves_the_counts_at_once_and_from_its_month(couple: Couple) -> None:
    pkb = make_user(Role.COUNSELLOR, CIRUAS)
    implant = StatusRecord(status=KBStatus.USING, method=Method.IMPLANT)
    couple_status_change(
        actor=pkb, couple=couple, status=implant, effective_on=dt.date(2019, 11, 5)
    )
    assert counts(OCT)["pa_pil"] == 1  # October's state is as it was
    november = counts(NOV)
    assert (november["pa_implan"], november["pa_mkjp"], november.get("pa_pil", 0)) == (1, 1, 0)
    assert november["switch"] == 1
    assert counts(dt.date(2020, 3, 1))["pa_implan"] == 1  # and it holds in the months after

    # Back-dated: the couple stopped in June (wants to delay), before the implant in November.
    delay = StatusRecord(status=KBStatus.NOT_USING, reason=NotUsingReason.WANTS_TO_DELAY)
    couple_status_change(actor=pkb, couple=couple, status=delay, effective_on=dt.date(2019, 6, 1))
    june, october, november = counts(dt.date(2019, 6, 1)), counts(OCT), counts(NOV)
    assert (june["dropout"], june["unmet"], june["nonuser_iat"], june.get("pa", 0)) == (1, 1, 1, 0)
    assert (october["unmet"], october.get("pa", 0)) == (1, 0)
    assert (november["pb"], november["pb_implan"], november.get("switch", 0)) == (1, 1, 0)
    assert counts(dt.date(2019, 5, 1))["pa_pil"] == 1
    assert counts_check(village_ids=[couple.family.village_id]) == []


def test_time_alone_takes_a_wife_out_of_pus_age() -> None:
    family = make_family(SINGAMERTA, kk="3604091234560009", head_nik="3604090101700009",
                         wife_nik="3604095503750009")  # fmt: skip
    wife = family.members.get(nik="3604095503750009")
    wife.birth_date = dt.date(1975, 3, 15)  # 50 on 15 March 2025
    wife.save()
    counts_rebuild(village_ids=[family.village_id])
    assert counts(dt.date(2025, 2, 1))["pus"] == 1
    assert "pus" not in counts(dt.date(2025, 3, 1))  # 50 at the end of March: no longer PUS


def test_a_kb_service_counts_as_a_service_and_as_the_status_it_starts(couple: Couple) -> None:
    service_record(actor=None, couple=couple, served_on=dt.date(2019, 11, 7), method=Method.IUD,
                   visit_type=VisitType.SWITCH, postpartum=True)  # fmt: skip
    november = counts(NOV)
    assert (november["svc"], november["svc_ganti"], november["svc_m_iud"]) == (1, 1, 1)
    assert (november["svc_postpartum"], november["pa_iud"], november["switch"]) == (1, 1, 1)


def test_poktan_groups_members_and_meetings(couple: Couple) -> None:
    group = poktan_save(actor=None, village=_village(), kind="bkb", name="Melati",
                        formed_on=dt.date(2019, 1, 10))  # fmt: skip
    poktan_member_add(actor=None, poktan=group, family=couple.family, joined_on=dt.date(2019, 2, 1))
    meeting_record(actor=None, poktan=group, held_on=dt.date(2019, 10, 3), topic="Gizi balita",
                   attendance=1)  # fmt: skip
    october = counts(OCT)
    assert (october["poktan_bkb"], october["poktan_members_bkb"], october["meetings_bkb"]) == (
        1, 1, 1,
    )  # fmt: skip
    assert (october["poktan_active_bkb"], october["poktan_families"]) == (1, 1)
    assert "poktan_members_bkb" not in counts(dt.date(2019, 1, 1))  # joined in February
    # Active within LINI_POKTAN_ACTIVE_MONTHS (3): October, November, December; not January.
    assert counts(dt.date(2019, 12, 1))["poktan_active_bkb"] == 1
    assert "poktan_active_bkb" not in counts(dt.date(2020, 1, 1))


def test_rebuild_check_finds_a_count_that_is_not_fresh(couple: Couple) -> None:
    call_command("rebuild_aggregates", "--check", "--region", SINGAMERTA)  # fresh
    VillageMonthCount.objects.filter(village__code=SINGAMERTA, month=OCT, key="pa").update(value=7)
    differences = counts_check(village_ids=[couple.family.village_id])
    village = Region.objects.get(code=SINGAMERTA)
    district = village.parent
    assert differences[0] == f"village {village.pk} 2019-10 pa: stored 7, recomputed 1"
    # ... and the totals above it no longer add up to the villages' counts (district, regency,
    # province: 1 stored, 7 summed).
    assert differences[1:] == [
        f"region {region.pk} 2019-10 pa: total 1, sum of the villages 7"
        for region in sorted(
            (district, district.parent, district.parent.parent), key=lambda r: r.pk
        )
    ]
    with pytest.raises(CommandError, match="4 counts differ"):
        call_command("rebuild_aggregates", "--check", "--region", SINGAMERTA)
    call_command("rebuild_aggregates", "--region", SINGAMERTA)
    assert counts(OCT)["pa"] == 1
    assert counts_check(village_ids=[village.pk]) == []


def test_rebuild_check_finds_a_total_that_is_not_fresh_and_the_rebuild_mends_it(
    couple: Couple,
) -> None:
    regency = Region.objects.get(code=SINGAMERTA[:5])
    RegionMonthCount.objects.filter(region=regency, month=OCT, key="pa").update(value=9)
    village = [couple.family.village_id]
    assert counts_check(village_ids=village) == [
        f"region {regency.pk} 2019-10 pa: total 9, sum of the villages 1"
    ]
    call_command("rebuild_aggregates", "--region", SINGAMERTA)
    assert counts_check(village_ids=village) == []
    assert RegionMonthCount.objects.get(region=regency, month=OCT, key="pa").value == 1
