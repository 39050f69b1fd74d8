"""Performance-agreement targets for the demo: Banten's 2019 agreement, set a little above what
the province as a whole achieves, so that the regencies below the provincial level (Kab. Serang
and Kab. Tangerang in the synthetic register, as in 2019: SCENARIO-2019.md) are behind.

Parameters [GK]: each target is the province's own value in October 2019 moved by ``STRETCH`` in
the good direction (CPR and modern CPR +3 points, MKJP share +2 points, unmet need -2 points),
the same for the province and each regency/city, as a provincial agreement hands one target down.
"""

from __future__ import annotations

from decimal import Decimal

from lini.indicators.models import Indicator, Target
from lini.indicators.selectors import indicator_values
from lini.regions.models import Region, RegionLevel

STRETCH: dict[str, Decimal] = {
    "cpr": Decimal(3),
    "mcpr": Decimal(3),
    "mkjp_share": Decimal(2),
    "unmet_need": Decimal(-2),
}
PERIOD = "2019-10"  # the demo's data day is 31 October 2019


def targets_generate(*, province: Region, year: int = 2019) -> int:
    """The targets of ``province`` and its regencies for ``year`` (existing ones are kept);
    returns how many were created. Needs the counts (``counts_rebuild``)."""
    values = indicator_values(region=province, period=PERIOD)
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=STRETCH)}
    regions = [province, *Region.objects.filter(parent=province, level=RegionLevel.REGENCY)]
    existing = set(
        Target.objects.filter(year=year, region__in=regions).values_list(
            "indicator__code", "region_id"
        )
    )
    created = [
        Target(indicator=indicators[code], region=region, year=year,
               value=(values[code].value + stretch).quantize(Decimal("0.01")))
        for code, stretch in STRETCH.items()
        if code in indicators and values[code].value is not None
        for region in regions
        if (code, region.pk) not in existing
    ]  # fmt: skip
    Target.objects.bulk_create(created)
    return len(created)
