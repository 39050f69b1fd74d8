"""The data kind of this app: performance-agreement targets (``lini import targets FILE``).

One row is the target of one indicator for one region (province, regency, district or village)
and one year; each row goes through :func:`lini.indicators.targets.target_save`, so scope, checks
and the audit trail are those of the target page."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lini.exchange.cells import is_blank, shown
from lini.exchange.records import CREATED, UNCHANGED, UPDATED, RecordKind, RowReader
from lini.exchange.registry import Column, register_kind
from lini.indicators.models import Indicator, Target
from lini.indicators.selectors import plain, targets_visible_to
from lini.indicators.targets import YEARS, target_save, target_value
from lini.regions.models import RegionLevel
from lini.regions.selectors import subtree_q

if TYPE_CHECKING:
    from lini.accounts.models import User
    from lini.regions.models import Region


@register_kind
class TargetKind(RecordKind):
    slug = "targets"
    title = gettext_lazy("Performance-agreement targets (Perjanjian Kinerja) per indicator")
    entity = "target"
    personal = False
    key_columns = ("kode_wilayah", "tahun", "indikator")
    field_columns = {"region": "kode_wilayah", "year": "tahun", "value": "target"}
    columns = (
        Column("kode_wilayah", gettext_lazy(
            "Kemendagri code of the province, regency, district or village (36.04)"), True),
        Column("tahun", gettext_lazy("Year of the agreement (2019)"), True),
        Column("indikator", gettext_lazy(
            "Indicator code of Lini's catalog (cpr, mcpr, unmet_need, mkjp_share ...)"), True),
        Column("target", gettext_lazy(
            "The target, a number with at most 4 decimals (a percentage as 61.5)"), True),
    )  # fmt: skip

    def row_save(self, cells: RowReader, user: User | None) -> str:
        levels = (RegionLevel.PROVINCE, RegionLevel.REGENCY, RegionLevel.DISTRICT,
                  RegionLevel.VILLAGE)  # fmt: skip
        region = cells.region("kode_wilayah", levels=levels)
        year = cells.number("tahun", required=True)
        if year and not YEARS[0] <= year <= YEARS[1]:
            cells.problems.append(
                ("tahun", str(year), _("The year must lie between %(low)d and %(high)d.")
                 % {"low": YEARS[0], "high": YEARS[1]})
            )  # fmt: skip
        code = cells.text("indikator", max_length=40, required=True).lower()
        indicator = Indicator.objects.filter(code=code).first() if code else None
        if code and indicator is None:
            cells.problems.append(
                ("indikator", code, _("there is no indicator with the code %(code)s")
                 % {"code": code})
            )  # fmt: skip
        raw = cells.raw("target")
        value = None
        if is_blank(raw):
            cells.problems.append(("target", "", _("required; the cell is empty")))
        else:
            try:
                value = target_value(raw)
            except ValidationError as exc:  # its message quotes the cell: keep it short
                why = shown("; ".join(exc.messages), limit=200)
                cells.problems.append(("target", shown(raw, limit=60), why))
        cells.check()
        if region is None or indicator is None or value is None:  # cells.check() refused it
            raise AssertionError
        existing = Target.objects.filter(indicator=indicator, region=region, year=year).first()
        if existing is not None and existing.value == value:
            return UNCHANGED
        target_save(actor=user, indicator=indicator, region=region, year=year, value=value)
        return CREATED if existing is None else UPDATED

    def export_rows(self, *, user: User | None, region: Region) -> Iterator[Sequence[Any]]:
        targets = Target.objects.all() if user is None else targets_visible_to(user)
        rows = (
            targets.filter(subtree_q([region.code], field="region__code"))
            .order_by("region__code", "year", "indicator__position", "indicator__code")
            .values_list("region__code", "year", "indicator__code", "value")
        )
        for code, year, indicator, value in rows.iterator(chunk_size=2000):
            yield (code, year, indicator, plain(value))
