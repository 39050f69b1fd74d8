"""The DHIS2 pages in the permission walk (see lini/web/tests/walk.py).

Kuta Jaya (Kab. Tangerang) has counts for October 2019, so that the in-scope officer's export
has values; Kab. Tangerang has an org unit code of its own. The mapping is national: the
out-of-scope users and the Tangerang officer alike get 403 on its pages."""

from __future__ import annotations

import datetime as dt

from lini.audit.models import AuditEntry
from lini.dhis2.exporting import AUDIT_MODEL
from lini.dhis2.models import FigureMapping, OrgUnitMapping
from lini.indicators.tests.helpers import put_counts
from lini.regions.models import Region
from lini.regions.tests.places import KAB_TANGERANG, KUTA_JAYA
from lini.web.tests.walk import Case, World


def _org_unit(w: World) -> dict[str, object]:
    return {"kind": "org-unit", "pk": w.extra["dhis2_org_unit"].pk}


CASES: dict[str, Case] = {
    "dhis2:export": Case(
        query=f"?region={KAB_TANGERANG}&period=2019-10&format=json",
        effect=lambda w: AuditEntry.objects.filter(
            model=AUDIT_MODEL, region_code=KAB_TANGERANG, action="export"
        ).exists(),
    ),
    "dhis2:mapping_list": Case(denied=False),
    "dhis2:mapping_create": Case(
        lambda w: {"kind": "org-unit"},
        denied=False,
        method="post",
        data={"region": KUTA_JAYA, "org_unit": "OU_KUTA_JAYA"},
    ),
    "dhis2:mapping_edit": Case(
        _org_unit,
        denied=False,
        method="post",
        data={"region": KAB_TANGERANG, "org_unit": "OU_TNG_2"},
    ),
    "dhis2:mapping_delete": Case(_org_unit, denied=False, method="post"),
    "dhis2:mapping_csv": Case(lambda w: {"kind": "org-unit"}, denied=False),
    "dhis2:mapping_import": Case(lambda w: {"kind": "data"}, denied=False, method="post"),
}


def prepare(world: World) -> None:
    put_counts(KUTA_JAYA, dt.date(2019, 10, 1), pus=12, pa=7, pa_pil=7, pa_modern=7)
    world.extra["dhis2_org_unit"] = OrgUnitMapping.objects.create(
        region=Region.objects.get(code=KAB_TANGERANG), org_unit="OU_TANGERANG"
    )


def snapshot() -> tuple[object, ...]:
    return (
        sorted(OrgUnitMapping.objects.values_list("region__code", "org_unit")),
        sorted(FigureMapping.objects.values_list("use", "figure", "data_element",
                                                 "category_option_combo")),
    )  # fmt: skip
