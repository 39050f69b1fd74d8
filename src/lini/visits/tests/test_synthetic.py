"""The demo's history of home visits (``visits.synthetic``) and the products of the synthetic KB
services it links to (issue 9, item 6)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

import pytest

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.kb.choices import Product, VisitType
from lini.kb.models import Service
from lini.kb.synthetic import kb_generate
from lini.regions.models import Region
from lini.regions.tests.places import SINGAMERTA
from lini.register.choices import Method
from lini.register.synthetic import Parameters, population_generate
from lini.visits.choices import Outcome
from lini.visits.due import Week, due_items
from lini.visits.models import Visit
from lini.visits.synthetic import WEEKS, visits_generate

pytestmark = pytest.mark.django_db

DATA_DAY = Parameters().reference_day  # 31 Oct 2019, as the demo's register
TODAY = DATA_DAY + dt.timedelta(days=1)  # the demo's today, Friday of 2019-W44
WEEK = Week.parse("2019-W44")


@pytest.fixture
def village() -> Region:
    village = Region.objects.get(code=SINGAMERTA)
    population_generate(region=village, scale=0.2, seed=5)
    kb_generate(region=village, seed=5, today=DATA_DAY)
    return village


def _visits() -> list[tuple[object, ...]]:
    return sorted(
        Visit.objects.values_list(
            "family__kk_number", "couple__wife__nik", "rule__code", "due_on", "visited_on",
            "outcome", "service_id", "recorded_by_id",
        ),
        key=str,
    )  # fmt: skip


def test_the_synthetic_services_record_their_product(village: Region) -> None:
    services = list(Service.objects.values_list("couple_id", "method", "product", "served_on"))
    products: dict[int, set[str]] = defaultdict(set)
    for couple_id, method, product, _day in services:
        products[couple_id].add(product)
        if method == Method.INJECTABLE:
            assert product in (Product.INJECTABLE_1M, Product.INJECTABLE_3M)
        elif method == Method.IMPLANT:
            assert product in (Product.IMPLANT_1, Product.IMPLANT_2)
        elif method == Method.IUD:
            assert product in (Product.IUD_CUT380A, Product.IUD_OTHER)
        else:
            assert product == ""
    assert all(len(found) == 1 for found in products.values())  # one product per couple
    users = {c: p for c, m, p, _d in services if m == Method.INJECTABLE}  # one product each
    injectable = list(users.values())
    assert injectable.count(Product.INJECTABLE_3M) > injectable.count(Product.INJECTABLE_1M) > 0
    # 1-monthly users come back every 28-31 days.
    days: dict[int, list[dt.date]] = defaultdict(list)
    repeats = Service.objects.filter(visit_type=VisitType.REPEAT, product=Product.INJECTABLE_1M)
    for couple_id, served_on in repeats.order_by("served_on").values_list("couple_id", "served_on"):
        days[couple_id].append(served_on)
    gaps = [b - a for found in days.values() for a, b in itertools.pairwise(found)]
    assert gaps
    assert all(dt.timedelta(days=28) <= gap <= dt.timedelta(days=31) for gap in gaps)


def test_a_history_of_visits_that_makes_the_week_walkable(village: Region) -> None:
    cadre = make_user(Role.CADRE, SINGAMERTA)
    before = due_items(village_ids=[village.pk], week=WEEK, today=TODAY)
    counts = visits_generate(region=village, seed=5, today=TODAY)
    assert counts["villages"] == 1
    assert counts["visits"] == Visit.objects.count() > 0
    outcomes = set(Visit.objects.values_list("outcome", flat=True))
    assert outcomes == {Outcome.SERVED, Outcome.COUNSELLED, Outcome.NOT_HOME, Outcome.REFUSED}
    assert counts[Outcome.SERVED] == Visit.objects.filter(outcome=Outcome.SERVED).count()
    # Every visit is before today, recorded by the village's cadre, about an item of a rule.
    assert not Visit.objects.filter(visited_on__gte=TODAY).exists()
    assert set(Visit.objects.values_list("recorded_by", flat=True)) == {cadre.pk}
    assert not Visit.objects.filter(rule=None).exists()
    # Most of them in the last six months (the others: the last visit of an old item).
    start = WEEK.shifted(-WEEKS).start
    assert Visit.objects.filter(visited_on__gte=start).count() > counts["visits"] * 0.7
    # "Served" is always a service of the couple on that day, never one made up.
    served = Visit.objects.filter(outcome=Outcome.SERVED).select_related("service", "rule")
    assert served.exists()
    for visit in served:
        assert visit.service is not None
        assert visit.service.couple_id == visit.couple_id
        assert visit.service.served_on == visit.visited_on
        assert visit.service.visit_type == VisitType.REPEAT
        assert visit.rule.kind == "resupply"
        assert visit.rule.method == visit.service.method
    assert not Visit.objects.exclude(outcome=Outcome.SERVED).exclude(service=None).exists()
    # Nobody at home, then visited again about the same item.
    retried = 0
    for visit in Visit.objects.filter(outcome=Outcome.NOT_HOME):
        retried += Visit.objects.filter(
            family_id=visit.family_id, couple_id=visit.couple_id, rule_id=visit.rule_id,
            visited_on__gt=visit.visited_on,
        ).exists()  # fmt: skip
    assert retried > 0
    # The week's list: what came due lately and what is left, not the whole backlog.
    after = due_items(village_ids=[village.pk], week=WEEK, today=TODAY)
    assert 0 < len(after) < len(before) / 2
    assert sum(i.overdue for i in after) < sum(i.overdue for i in before)
    assert any(i.last_contact is not None for i in after)


def test_deterministic_and_a_second_run_adds_nothing(village: Region) -> None:
    make_user(Role.CADRE, SINGAMERTA)
    first = visits_generate(region=village, seed=5, today=TODAY)
    made = _visits()
    assert visits_generate(region=village, seed=5, today=TODAY) == {"villages": 0, "visits": 0}
    assert _visits() == made
    Visit.objects.all().delete()
    assert visits_generate(region=village, seed=5, today=TODAY) == first
    assert _visits() == made
    Visit.objects.all().delete()
    visits_generate(region=village, seed=6, today=TODAY)
    assert _visits() != made


def test_a_district_is_filled_village_by_village(village: Region) -> None:
    """The demo passes districts: a village with visits already is kept as it is."""
    visits_generate(region=village, seed=5, today=TODAY)
    made = _visits()
    district = village.parent
    assert district is not None
    again = visits_generate(region=district, seed=5, today=TODAY)
    assert again["visits"] == 0  # the other villages of Ciruas have no register here
    assert again["villages"] == Region.objects.filter(parent=district).count() - 1
    assert _visits() == made
