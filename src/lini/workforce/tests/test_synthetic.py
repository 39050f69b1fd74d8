"""The synthetic workforce of the demo."""

from __future__ import annotations

import pytest

from lini.regions.models import Region, RegionKind, RegionLevel
from lini.regions.selectors import subtree_q
from lini.regions.services import subunit_create
from lini.regions.tests.places import CIRUAS, KAB_SERANG, SINGAMERTA
from lini.workforce.models import Cadre, CadreKind, Counsellor
from lini.workforce.services import nip_problem
from lini.workforce.synthetic import workforce_generate

pytestmark = pytest.mark.django_db


def state() -> tuple[list[tuple[object, ...]], ...]:
    counsellors = sorted(
        Counsellor.objects.values_list("name", "nip", "kind", "district__code", "ipekb_level"),
        key=str,
    )
    links = sorted(
        Counsellor.villages.through.objects.values_list("counsellor__nip", "region__code"), key=str
    )
    cadres = sorted(
        Cadre.objects.values_list("name", "kind", "village__code", "area__code"), key=str
    )
    return counsellors, links, cadres


def test_one_district_is_filled_plausibly_and_deterministically() -> None:
    ciruas = Region.objects.get(code=CIRUAS)
    dusun = [
        subunit_create(actor=None, parent=Region.objects.get(code=SINGAMERTA), kind=RegionKind.DUSUN, name=n)
        for n in ("Krajan", "Pasir")
    ]  # fmt: skip
    counts = workforce_generate(region=ciruas, seed=2019)
    villages = Region.objects.filter(subtree_q([CIRUAS]), level=RegionLevel.VILLAGE).count()
    assert villages > 10
    assert counts["counsellors"] == Counsellor.objects.count()
    assert villages / 4 <= counts["counsellors"] <= villages / 2 + 1
    looked_after = Region.objects.filter(counsellors__isnull=False).distinct().count()
    assert counts["villages_looked_after"] == looked_after
    assert looked_after <= villages  # each village has at most one counsellor
    assert Counsellor.objects.exclude(district=ciruas).count() == 0
    for nip in Counsellor.objects.exclude(nip=None).values_list("nip", flat=True):
        assert nip_problem(nip) == "", nip
    assert counts["ppkbd"] <= villages
    assert counts["ppkbd"] >= villages * 0.6
    assert 2 * villages <= counts["poktan"] <= 5 * villages
    subs = Cadre.objects.filter(kind=CadreKind.SUB_PPKBD)
    assert sorted(subs.values_list("area", flat=True)) == sorted(d.pk for d in dusun)
    assert counts["sub_ppkbd"] == 2

    # Running again adds nothing; the same seed on an empty table gives the same people.
    before = state()
    again = workforce_generate(region=ciruas, seed=2019)
    assert sum(again.values()) == 0
    assert state() == before
    Counsellor.objects.all().delete()
    Cadre.objects.all().delete()
    workforce_generate(region=ciruas, seed=2019)
    assert state() == before
    Counsellor.objects.all().delete()
    Cadre.objects.all().delete()
    workforce_generate(region=ciruas, seed=7)
    assert state() != before


def test_a_regency_has_some_villages_without_counsellor_and_ipekb_boards() -> None:
    counts = workforce_generate(region=Region.objects.get(code=KAB_SERANG), seed=2019)
    villages = Region.objects.filter(subtree_q([KAB_SERANG]), level=RegionLevel.VILLAGE).count()
    uncovered = villages - counts["villages_looked_after"]
    assert 0.03 * villages <= uncovered <= 0.15 * villages
    members = Counsellor.objects.filter(ipekb_member=True).count()
    assert 0.45 <= members / counts["counsellors"] <= 0.75
    assert Counsellor.objects.exclude(ipekb_level="").exists()
    assert Counsellor.objects.filter(nip=None).exists()
