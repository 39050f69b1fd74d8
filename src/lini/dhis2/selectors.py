"""Reading the DHIS2 mapping."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from lini.dhis2.models import FigureMapping, OrgUnitMapping
from lini.regions.models import Region, RegionLevel

DEFAULT_COMBO = "default"  # DHIS2's code of the default category (option) combination


def combo(code: str) -> str:
    """A category or attribute option combo code as stored: "" for DHIS2's default."""
    code = (code or "").strip()
    return "" if code.lower() == DEFAULT_COMBO else code


def figure_mappings(*, use: str | None = None) -> QuerySet[FigureMapping]:
    rows = FigureMapping.objects.all()
    return rows.filter(use=use) if use else rows


def org_unit_mappings() -> QuerySet[OrgUnitMapping]:
    return OrgUnitMapping.objects.select_related("region").order_by("region__code")


def org_unit_of(region: Region) -> str:
    """The DHIS2 org unit code of ``region``: its mapping, else its Kemendagri code."""
    mapped = OrgUnitMapping.objects.filter(region=region).values_list("org_unit", flat=True).first()
    return mapped or region.code


def regions_of_org_units(codes: Iterable[str]) -> dict[str, Region]:
    """Org unit code -> region, for the codes that name a province, regency, district or village:
    a mapped org unit, or the Kemendagri code of a region that has no mapping of its own."""
    codes = sorted({c for c in codes if c})
    found: dict[str, Region] = {
        m.org_unit: m.region
        for m in OrgUnitMapping.objects.filter(org_unit__in=codes).select_related("region")
    }
    rest = [c for c in codes if c not in found]
    for region in Region.objects.filter(
        code__in=rest, level__lte=RegionLevel.VILLAGE, dhis2_org_unit__isnull=True
    ):
        found[region.code] = region
    return {code: region for code, region in found.items() if region.level <= RegionLevel.VILLAGE}
