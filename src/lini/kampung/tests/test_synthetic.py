"""The demo's Kampung KB profiles."""

from __future__ import annotations

import datetime as dt

import pytest

from lini.kampung import services
from lini.kampung.choices import KampungClass, RumahDataKuStatus
from lini.kampung.classification import KampungFigures, kampung_classify
from lini.kampung.models import KampungKB
from lini.kampung.synthetic import kampung_generate
from lini.regions.models import Region, RegionLevel
from lini.regions.tests.places import BANTEN, CIRUAS, SINGAMERTA

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 28)


def _state() -> list[tuple[object, ...]]:
    return list(
        KampungKB.objects.order_by("village__code").values_list("village__code", *services.FIELDS)
    )


def test_a_district_gets_valid_varied_repeatable_profiles() -> None:
    ciruas = Region.objects.get(code=CIRUAS)
    villages = Region.objects.filter(parent=ciruas, level=RegionLevel.VILLAGE).count()
    counts = kampung_generate(region=ciruas, seed=7, today=TODAY)
    assert counts["villages"] == villages
    assert counts["created"] == KampungKB.objects.count() > 0
    first = _state()
    # Nothing changes when run again; the same seed gives the same profiles from scratch.
    assert kampung_generate(region=ciruas, seed=7, today=TODAY)["created"] == 0
    KampungKB.objects.all().delete()
    kampung_generate(region=ciruas, seed=7, today=TODAY)
    assert _state() == first
    # Each profile passes the service's checks, as if typed in.
    for kampung in KampungKB.objects.select_related("village"):
        values = services.kampung_values(kampung)
        assert services.kampung_problems(values, today=TODAY) == {}, kampung.village.code
        assert services.kampung_unchanged(kampung, values)


def test_banten_has_about_forty_percent_with_every_class_possible() -> None:
    banten = Region.objects.get(code=BANTEN)
    counts = kampung_generate(region=banten, seed=2019, today=TODAY)
    share = counts["created"] / counts["villages"]
    assert 0.35 < share < 0.45
    profiles = list(KampungKB.objects.all())
    assert any(not k.pokja_exists for k in profiles)
    assert any(k.rumah_dataku == RumahDataKuStatus.NONE for k in profiles)
    assert any(k.rumah_dataku == RumahDataKuStatus.ACTIVE for k in profiles)
    assert not KampungKB.objects.filter(village__code=SINGAMERTA, launched_on__gt=TODAY).exists()
    # With the figures of a village whose register and poktan membership are strong, and of one
    # whose are weak (both with three poktan programmes and a counsellor), the profiles' input
    # and process scores spread over all four classes.
    strong = KampungFigures(
        pus=100, users=62, long_acting_users=16, unmet_need=8, families=200, poktan_families=70,
        poktan_kinds=frozenset({"bkb", "bkr", "bkl"}), counsellors=1,
    )  # fmt: skip
    weak = KampungFigures(
        pus=100, users=45, long_acting_users=8, unmet_need=15, families=200, poktan_families=10,
        poktan_kinds=frozenset({"bkb", "bkr", "bkl"}), counsellors=1,
    )  # fmt: skip
    classes = {kampung_classify(k, strong).kampung_class for k in profiles}
    classes |= {kampung_classify(k, weak).kampung_class for k in profiles}
    assert classes == set(KampungClass)
