"""The hand-computed example: Kampung KB Singamerta, classified by DOMAIN.md §7.11."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from lini.kampung import selectors, services
from lini.kampung.choices import KampungClass, RumahDataKuStatus
from lini.kampung.tests.factories import singamerta_values, singamerta_world
from lini.regions.models import Region
from lini.regions.tests.places import SINGAMERTA

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 28)


@pytest.fixture
def village() -> Region:
    return Region.objects.get(code=SINGAMERTA)


def test_the_classification_of_singamerta_matches_the_hand_computed_example(
    village: Region,
) -> None:
    world = singamerta_world(village)
    kampung = services.kampung_save(actor=None, village=village, values=singamerta_values())
    figures = selectors.kampung_figures(village, day=DAY)

    # The register: 16 families. 12 PUS couples (7 using, 5 not); a wife of 56 (born 1970) and
    # a couple that ended are not PUS.
    assert (figures.families, figures.pus, figures.users) == (16, 12, 7)
    # Users: 3 injectable, pill, condom, implant, IUD -> 2 MKJP (the ended MOW does not count).
    assert figures.long_acting_users == 2
    # Non-users: 2 pregnant, 2 IAS, 1 IAT -> unmet need = IAT + TIAL = 1.
    assert figures.unmet_need == 1
    # Poktan: families 1-4 and 13 are members (family 1 of two groups, family 5 left) -> 5.
    assert figures.poktan_families == 5
    assert figures.poktan_kinds == {"bkb", "bkr", "uppka"}
    assert figures.counsellors == 1  # Ibu Sri; Pak Karta is no longer active

    result = selectors.kampung_assess(kampung, figures=figures, day=DAY).classification
    scores = {s.code: s.value for s in result.scores}
    expected = {
        # Input
        "pokja": 3,  # exists, 9 members, none trained -> "+members or training" = 3
        "funding": 3,  # APBD, Dana Desa: 2 sources -> "2-4" = 3
        "poktan": 3,  # BKB (two groups count once), BKR, UPPKA: 3 programmes -> "3-4" = 3
        "sarana": 2,  # secretariat yes, Rumah DataKu only being set up -> 1 of 2 = 2
        "plkb_regulation": 2,  # a counsellor yes, regulation no -> one = 2
        # Process
        "data_use": 3,  # PK, routine: 2 -> "2-3" = 3
        "operations": 3,  # planning, coordination, socialisation: 3 -> "3-4" = 3
        "partners": 3,  # Puskesmas, KUA, Dinas Sosial, PKK: 4 -> "4-6" = 3
        # Output
        "participation": 4,  # 5 / 16 families = 31.25% -> ">30" = 4
        "cpr": 4,  # 7 / 12 PUS = 58.3% -> ">50" = 4
        "mkjp": 4,  # 2 / 7 users = 28.6% -> ">24" = 4
        "unmet": 3,  # 1 / 12 PUS = 8.3% -> "6.1-9" = 3
    }
    assert scores == expected
    # Input = (3 + 3 + 3 + 2 + 2) / 5 = 13/5 = 2.6 -> below 3
    assert result.input.value == Fraction(13, 5)
    assert not result.input.reached
    # Process = (3 + 3 + 3) / 3 = 3.0 -> reaches 3 (exactly)
    assert result.process.value == 3
    assert result.process.reached
    # Output = (4 + 4 + 4 + 3) / 4 = 15/4 = 3.75 -> reaches 3
    assert result.output.value == Fraction(15, 4)
    assert result.output.reached
    # Output >= 3 and (input or process) >= 3, not all three -> Mandiri
    assert result.kampung_class == KampungClass.MANDIRI
    assert [s.basis for s in result.scores if s.code == "cpr"] == ["58.3% (7/12)"]

    # An active Rumah DataKu (sarana 3) and a village regulation (PLKB + regulation 3) lift the
    # input to (3 + 3 + 3 + 3 + 3) / 5 = 3: all three indices reach 3 -> Berkelanjutan.
    kampung = services.kampung_save(
        actor=None, village=village,
        values=singamerta_values(rumah_dataku=RumahDataKuStatus.ACTIVE, regulation=True),
    )  # fmt: skip
    better = selectors.kampung_assess(kampung, day=DAY).classification
    assert better.input.value == 3
    assert better.kampung_class == KampungClass.BERKELANJUTAN

    # Without its counsellor and partners: input (3+3+3+3+2)/5 = 2.8, process (3+3+1)/3 = 2.33,
    # output 3.75 -> only one index reaches 3 -> Dasar.
    world["counsellor"].villages.clear()  # type: ignore[attr-defined]
    kampung = services.kampung_save(
        actor=None, village=village,
        values=singamerta_values(rumah_dataku=RumahDataKuStatus.ACTIVE, regulation=True,
                                 partners=[]),
    )  # fmt: skip
    worse = selectors.kampung_assess(kampung, day=DAY).classification
    assert (worse.input.value, worse.process.value) == (Fraction(14, 5), Fraction(7, 3))
    assert worse.kampung_class == KampungClass.DASAR


def test_the_checklist_of_singamerta_lists_what_is_missing(village: Region) -> None:
    singamerta_world(village)
    kampung = services.kampung_save(actor=None, village=village, values=singamerta_values())
    assessment = selectors.kampung_assess(kampung, day=DAY)
    missing = [item.code for item in assessment.missing]
    assert missing == [
        "pokja_trained",  # 9 members, none trained
        "regulation",
        "poktan_bkl",  # BKB, BKR and UPPKA exist
        "poktan_pikr",
        "rumah_dataku",  # only being set up
        "rumah_dataku_updated",  # last updated 1 Oct 2019, more than 12 months before DAY
    ]
    done = {item.code for item in assessment.checklist if item.done}
    assert {"launch_date", "pokja", "pokja_decree", "counsellor", "poktan_bkb"} <= done


def test_figures_for_many_villages_take_a_fixed_number_of_queries(
    village: Region, django_assert_num_queries: object
) -> None:
    singamerta_world(village)
    villages = list(Region.objects.filter(parent=village.parent))
    with django_assert_num_queries(5):  # type: ignore[operator]
        figures = selectors.figures_for_villages([v.pk for v in villages], day=DAY)
    assert figures[village.pk].pus == 12
    others = [f for pk, f in figures.items() if pk != village.pk]
    assert others
    assert all(f.pus == 0 and f.families == 0 for f in others)
