"""The synthetic population: real totals, places that differ, deterministic for a seed."""

from __future__ import annotations

import io
import statistics

import pytest

from django.core.management import call_command
from django.db.models import Count, Q

from lini.regions.models import Region
from lini.register.choices import KBStatus, NotUsingReason
from lini.register.models import ContraceptiveEvent, Couple, Family, Member
from lini.register.synthetic import Parameters, plan_places, population_generate, regency_population

pytestmark = pytest.mark.django_db

SCALE = 0.004  # ~7,000 people in Kab. Serang, ~13,000 in Kab. Tangerang


def test_totals_follow_the_regency_population() -> None:
    serang = Region.objects.get(code="36.04")
    counts = population_generate(region=serang, scale=SCALE, seed=7)
    people = Member.objects.count()
    expected = regency_population()["36.04"] * SCALE
    assert abs(people - expected) / expected < 0.02
    assert counts.members_created == people
    assert 3.2 < people / Family.objects.count() < 4.2  # household size about 3.7
    assert (
        Family.objects.filter(village__code__startswith="36.04.").count() == Family.objects.count()
    )
    # every couple has a status recorded as a dated event from the data collection
    assert ContraceptiveEvent.objects.count() == Couple.objects.count() > 0
    assert not ContraceptiveEvent.objects.exclude(source="pendataan").exists()


def test_same_seed_same_register_and_a_second_run_changes_nothing() -> None:
    village = Region.objects.get(code="36.04.09.2013")
    population_generate(region=village, scale=0.05, seed=11)
    first = list(
        Member.objects.order_by("nik").values_list("nik", "name", "birth_date", "family__kk_number")
    )
    again = population_generate(region=village, scale=0.05, seed=11)
    assert again.members_created == again.families_created == again.events_created == 0
    assert again.members_unchanged == len(first)
    assert (
        list(
            Member.objects.order_by("nik").values_list(
                "nik", "name", "birth_date", "family__kk_number"
            )
        )
        == first
    )


def test_a_village_comes_out_the_same_alone_or_with_its_district() -> None:
    alone = {
        p.code: p.people
        for p in plan_places(
            region=Region.objects.get(code="36.04.09.2013"), scale=1, seed=3, params=Parameters()
        )
    }
    district = {
        p.code: p.people
        for p in plan_places(
            region=Region.objects.get(code="36.04.09"), scale=1, seed=3, params=Parameters()
        )
    }
    assert alone["36.04.09.2013"] == district["36.04.09.2013"]


def test_nik_encodes_birth_date_and_sex_and_is_unique() -> None:
    population_generate(region=Region.objects.get(code="36.04.09"), scale=0.01, seed=5)
    from lini.register.identity import nik_warnings

    members = list(Member.objects.all()[:500])
    assert members
    for member in members:
        assert member.nik.startswith("360409")
        assert nik_warnings(member.nik, sex=member.sex, birth_date=member.birth_date) == []
    assert Member.objects.values("nik").distinct().count() == Member.objects.count()


def test_serang_and_tangerang_are_behind_and_villages_differ() -> None:
    for code in ("36.04", "36.03", "36.01", "36.02"):
        population_generate(region=Region.objects.get(code=code), scale=SCALE, seed=2019)
    pus = Couple.objects.filter(wife__birth_date__gte="1970-11-01")

    def cpr(prefix: str) -> float:
        couples = pus.filter(family__village__code__startswith=prefix)
        return couples.filter(status=KBStatus.USING).count() / couples.count()

    behind = max(cpr("36.04."), cpr("36.03."))
    ahead = min(cpr("36.01."), cpr("36.02."))
    assert behind + 0.04 < ahead
    per_village = (
        pus.values("family__village")
        .annotate(n=Count("id"), using=Count("id", filter=Q(status=KBStatus.USING)))
        .filter(n__gte=20)
    )
    rates = [row["using"] / row["n"] for row in per_village]
    assert statistics.pstdev(rates) > 0.04  # some villages clearly behind others
    unmet = pus.filter(
        reason__in=[NotUsingReason.WANTS_TO_DELAY, NotUsingReason.NO_MORE_CHILDREN]
    ).count()
    assert 0.05 < unmet / pus.count() < 0.25


def test_command() -> None:
    out = io.StringIO()
    call_command(
        "generate_population",
        "--region",
        "36.04.09.2013",
        "--scale",
        "0.1",
        "--seed",
        "1",
        stdout=out,
    )
    assert "families:" in out.getvalue()
    assert Family.objects.exists()
