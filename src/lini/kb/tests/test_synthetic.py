"""The demo's KB facilities and services agree with the register's history."""

from __future__ import annotations

import datetime as dt

import pytest

from django.db.models import Count

from lini.kb.choices import FacilityKind, FacilityLevel, VisitType
from lini.kb.models import Facility, Service
from lini.kb.synthetic import kb_generate
from lini.regions.models import Region
from lini.regions.tests.places import CIRUAS
from lini.register.choices import KBStatus, Method
from lini.register.models import ContraceptiveEvent, Couple
from lini.register.synthetic import Parameters, population_generate

pytestmark = pytest.mark.django_db

TODAY = Parameters().reference_day  # the day the synthetic register was collected


def test_kb_generate_on_one_district() -> None:
    ciruas = Region.objects.get(code=CIRUAS)
    population_generate(region=ciruas, scale=0.02, seed=3)
    history_before = list(
        ContraceptiveEvent.objects.order_by("pk").values_list("pk", "effective_on", "method")
    )
    status_before = list(Couple.objects.order_by("pk").values_list("status", "method"))
    counts = kb_generate(region=ciruas, seed=3, today=TODAY)

    # facilities: one Puskesmas with its network, private ones, the regency's MUYAN
    puskesmas = Facility.objects.get(level=FacilityLevel.PUSKESMAS)
    assert puskesmas.region == ciruas
    assert 1 <= puskesmas.network.count() <= 3
    assert Facility.objects.filter(kind=FacilityKind.MOBILE, region__code="36.04").count() == 1
    assert counts["facilities_created"] == Facility.objects.count() >= 4
    # services: the register's history is untouched
    assert counts["services_created"] == Service.objects.count() > 0
    assert counts["services_new"] > 0
    assert counts["services_repeat"] > counts["services_new"]
    assert (
        list(ContraceptiveEvent.objects.order_by("pk").values_list("pk", "effective_on", "method"))
        == history_before
    )
    assert list(Couple.objects.order_by("pk").values_list("status", "method")) == status_before
    # a new acceptor's service is the couple's current status change
    start = TODAY - dt.timedelta(days=365)
    for service in Service.objects.exclude(event=None).select_related("couple", "event"):
        assert service.served_on == service.event.effective_on == service.couple.status_since
        assert service.method == service.couple.method
        assert start <= service.served_on <= TODAY
    recent_users = Couple.objects.filter(
        status=KBStatus.USING, status_since__gte=start, status_since__lte=TODAY
    ).count()
    assert Service.objects.exclude(event=None).count() == recent_users
    # repeat visits: injectable and pill users, within the year, after they started
    repeats = Service.objects.filter(visit_type=VisitType.REPEAT).select_related("couple")
    assert set(repeats.values_list("method", flat=True)) <= {Method.INJECTABLE, Method.PILL}
    for service in repeats:
        assert service.event_id is None
        assert start <= service.served_on <= TODAY
        assert service.served_on > service.couple.status_since
    busiest = repeats.values("couple").annotate(n=Count("pk")).order_by("-n").first()
    assert busiest is not None
    assert busiest["n"] <= 14
    # deterministic, and a second run adds nothing
    again = kb_generate(region=ciruas, seed=3, today=TODAY)
    assert again["facilities_created"] == again["services_created"] == 0
