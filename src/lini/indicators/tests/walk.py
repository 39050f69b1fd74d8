"""The indicator pages in the permission walk (see lini/web/tests/walk.py)."""

from __future__ import annotations

from decimal import Decimal

from lini.audit.models import AuditEntry
from lini.indicators.models import Indicator, Target
from lini.indicators.targets import target_save
from lini.regions.models import Region
from lini.regions.tests.places import KAB_TANGERANG
from lini.web.tests.walk import Case, World

NEW_INDICATOR = {
    "code": "walk_share", "name_id": "Uji", "name_en": "Test", "numerator": '{"pa": 1}',
    "denominator": '{"pus": 1}', "factor": "100", "unit": "%", "direction": "naik",
    "position": "1",
}  # fmt: skip

CASES: dict[str, Case] = {
    "indicators:indicator_list": Case(query=f"?region={KAB_TANGERANG}&period=2019-10"),
    "indicators:dashboard": Case(
        query=f"?region={KAB_TANGERANG}&period=2019-10&download=csv&chart=children",
        effect=lambda w: AuditEntry.objects.filter(
            model="indicators.dashboard", region_code=KAB_TANGERANG, action="export"
        ).exists(),
    ),
    "indicators:rank_list": Case(query=f"?region={KAB_TANGERANG}&level=kecamatan&year=2019"),
    "indicators:report_monthly": Case(
        query=f"?region={KAB_TANGERANG}&period=2019-10&format=csv",
        effect=lambda w: AuditEntry.objects.filter(
            model="indicators.monthly_report", region_code=KAB_TANGERANG, action="export"
        ).exists(),
    ),
    "indicators:target_edit": Case(
        query=f"?region={KAB_TANGERANG}&year=2019",
        method="post",
        data={"target_cpr": "65", "target_unmet_need": "7.4"},
        effect=lambda w: Target.objects.filter(
            region__code=KAB_TANGERANG, indicator__code="cpr", value=Decimal(65)
        ).exists(),
    ),
    # The catalog is national: readable by everyone, changed by national administrators only.
    "indicators:indicator_catalog": Case(denied=False),
    "indicators:indicator_create": Case(denied=False, method="post", data=NEW_INDICATOR),
    "indicators:indicator_edit": Case(
        lambda w: {"code": "cpr"},
        denied=False,
        method="post",
        data={**NEW_INDICATOR, "code": "cpr"},
    ),
}


def prepare(world: World) -> None:
    target_save(
        actor=None, indicator=Indicator.objects.get(code="unmet_need"),
        region=Region.objects.get(code=KAB_TANGERANG), year=2019, value="8",
    )  # fmt: skip


def snapshot() -> tuple[object, ...]:
    return (
        sorted(Target.objects.values_list("indicator__code", "region__code", "year", "value")),
        sorted(
            Indicator.objects.values_list("code", "name_id", "numerator", "denominator", "factor")
        ),
    )
