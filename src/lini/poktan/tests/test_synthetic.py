"""The demo's poktan: varied, fitting members, about a quarter inactive, deterministic."""

from __future__ import annotations

import datetime as dt

import pytest

from lini.poktan.models import Poktan, PoktanEvent, PoktanMeeting, PoktanMember
from lini.poktan.selectors import qualifying_family_ids, with_activity
from lini.poktan.synthetic import poktan_generate
from lini.regions.models import Region
from lini.regions.tests.places import CIRUAS
from lini.register.synthetic import population_generate
from lini.workforce.models import Cadre, CadreKind, Counsellor

pytestmark = pytest.mark.django_db

TODAY = dt.date(2019, 11, 28)


def state() -> tuple[object, ...]:
    return (
        sorted(Poktan.objects.values_list("village__code", "kind", "name", "formed_on", "chair")),
        sorted(PoktanMember.objects.values_list("poktan__name", "poktan__village__code", "family_id")),
        sorted(PoktanMeeting.objects.values_list("poktan__name", "poktan__village__code", "held_on", "attendance")),
    )  # fmt: skip


def test_poktan_generate_on_one_district(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_POKTAN_ACTIVE_MONTHS = 3
    district = Region.objects.get(code=CIRUAS)
    population_generate(region=district, scale=0.02, seed=1)
    village = Region.objects.filter(parent=district).order_by("code").first()
    cadre = Cadre.objects.create(name="Bu Kader", kind=CadreKind.POKTAN, village=village)
    Counsellor.objects.create(name="Pak PKB", district=district)

    counts = poktan_generate(region=district, seed=7, today=TODAY)

    assert counts["poktan"] == Poktan.objects.count() > 10
    assert counts["meetings"] == PoktanMeeting.objects.count()
    kinds = set(Poktan.objects.values_list("kind", flat=True))
    assert {"bkb", "bkr", "bkl"} <= kinds
    for poktan in Poktan.objects.all():
        ids = list(poktan.members.values_list("family_id", flat=True))
        assert ids, poktan
        assert set(poktan.members.values_list("family__village_id", flat=True)) == {
            poktan.village_id
        }
        fitting = qualifying_family_ids(poktan.kind, ids, TODAY)
        assert fitting is None or fitting == set(ids), poktan
        assert PoktanEvent.objects.filter(poktan=poktan, kind="dibentuk").count() == 1
        assert not poktan.meetings.filter(held_on__gt=TODAY).exists()
        assert not poktan.meetings.filter(held_on__lt=poktan.formed_on).exists()
        assert all(m.attendance <= len(ids) for m in poktan.meetings.all())
    annotated = list(with_activity(Poktan.objects.all(), TODAY))
    inactive = sum(1 for p in annotated if not p.active) / len(annotated)
    assert 0.1 <= inactive <= 0.5
    assert PoktanEvent.objects.filter(kind="pembinaan", counsellor__name="Pak PKB").exists()
    if Poktan.objects.filter(village=village).exists():
        assert Poktan.objects.filter(village=village, cadres=cadre).exists()

    before = state()
    assert poktan_generate(region=district, seed=7, today=TODAY)["poktan"] == 0  # adds nothing
    Poktan.objects.all().delete()
    poktan_generate(region=district, seed=7, today=TODAY)
    assert state() == before  # the same again for the same seed
