"""Indicator and report endpoints: a region's indicators for a month or year (the indicator
page's table: ``indicators.selectors.indicator_rows``) and the monthly field-control report (the
report page's: ``indicators.report.monthly_report``), with the same figures as the pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from django.http import Http404
from django.utils.translation import get_language

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.core.privacy import Hidden
from lini.indicators import selectors, suppression
from lini.indicators.report import monthly_report, report_period
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import region_get


@extend_schema_field({"type": "number", "nullable": True})
class NumberField(serializers.Field):  # type: ignore[type-arg]
    """A whole number as it is, a decimal (rounded to 2 places by the report) as a number."""

    def to_representation(self, value: int | Decimal | Hidden | None) -> int | float | None:
        if value is None or isinstance(value, Hidden | int):  # a hidden figure: see `withheld`
            return None if isinstance(value, Hidden) else value
        return float(value)


def _mark(value: object) -> str | None:
    return str(value) if isinstance(value, Hidden) else None


class FigureQuerySerializer(serializers.Serializer):  # type: ignore[type-arg]
    region = serializers.CharField(
        max_length=40, help_text="Code of a village, district, regency or province."
    )
    period = serializers.CharField(
        max_length=20, required=False, allow_blank=True,
        help_text="A month (YYYY-MM) or, for indicators, a year (YYYY); default: this month.",
    )  # fmt: skip


class IndicatorRowSerializer(serializers.Serializer):  # type: ignore[type-arg]
    indicator = serializers.CharField(source="indicator.code")
    name = serializers.SerializerMethodField()
    unit = serializers.CharField(source="indicator.unit")
    direction = serializers.CharField(source="indicator.direction")
    value = NumberField(
        source="shown", help_text="Rounded half up to 2 decimals; null: none, or withheld."
    )
    withheld = serializers.SerializerMethodField(
        help_text='Set when the value is hidden to protect families\' privacy: "<5" (a count '
        'under the threshold) or "x" (a figure that would reveal one); value, numerator, '
        "denominator and achievement are null then."
    )
    numerator = serializers.SerializerMethodField(help_text="Exact, as text; null: withheld.")
    denominator = serializers.SerializerMethodField(help_text="Exact, as text; null: none.")
    target = NumberField()
    achievement_pct = NumberField(source="achievement")
    colour = serializers.CharField()

    def get_name(self, row: selectors.Row) -> str:
        indonesian = (get_language() or "").startswith("id")
        return row.indicator.name_id if indonesian else row.indicator.name_en

    @extend_schema_field({"type": "string", "nullable": True})
    def get_withheld(self, row: selectors.Row) -> str | None:
        return _mark(row.hidden)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_numerator(self, row: selectors.Row) -> str | None:
        return None if row.hidden is not None else selectors.plain(row.value.numerator)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_denominator(self, row: selectors.Row) -> str | None:
        denominator = row.value.denominator
        if row.hidden is not None:
            return None
        return None if denominator is None else selectors.plain(denominator)


class IndicatorTableSerializer(serializers.Serializer):  # type: ignore[type-arg]
    region = serializers.CharField()
    region_name = serializers.CharField()
    period = serializers.CharField()
    rows = IndicatorRowSerializer(many=True)


class ColumnSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    label = serializers.CharField()
    percent = serializers.BooleanField()


class LineSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    label = serializers.CharField()
    level = serializers.IntegerField()
    percent = serializers.BooleanField()
    values = serializers.ListField(child=NumberField(), help_text="null: none, or withheld.")
    withheld = serializers.SerializerMethodField(
        help_text='One entry per value: "<5" or "x" where the value is hidden to protect '
        "families' privacy, else null."
    )

    @extend_schema_field({"type": "array", "items": {"type": "string", "nullable": True}})
    def get_withheld(self, line: Any) -> list[str | None]:
        return [_mark(value) for value in line.values]


class SectionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    title = serializers.CharField()
    note = serializers.CharField()
    columns = ColumnSerializer(many=True)
    lines = LineSerializer(many=True)


class MonthlyReportSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField()
    region = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.display_name")
    period = serializers.CharField(source="period.text")
    previous = serializers.CharField(source="previous.text")
    sections = SectionSerializer(many=True)


def _query(request: Request) -> tuple[Region, str]:
    """The region (404 when unknown or below a village, 403 outside the user's scope, as the
    pages answer) and the period text of the request."""
    given = FigureQuerySerializer(data=request.query_params)
    given.is_valid(raise_exception=True)
    region = region_get(code=given.validated_data["region"])
    if region is None or region.level > RegionLevel.VILLAGE:
        raise Http404
    scope.require(request.user, Action.VIEW, region)
    return region, given.validated_data.get("period") or ""


def _period_error(error: ValueError) -> serializers.ValidationError:
    return serializers.ValidationError({"period": [str(error)]})


@extend_schema(tags=["indicators"])
class IndicatorView(APIView):
    @extend_schema(parameters=[FigureQuerySerializer], responses={200: IndicatorTableSerializer})
    def get(self, request: Request) -> Response:
        """Every indicator of a region for a month or a year: value, numerator, denominator,
        the target of the year, the achievement and its colour (the indicator page's table). A
        village's small counts are withheld, as in every file that leaves Lini."""
        region, text = _query(request)
        try:
            period = selectors.period_parse(text) if text else selectors.current_period()
        except ValueError as error:
            raise _period_error(error) from None
        rows = list(selectors.indicator_rows(root=region, level=region.level, period=period))
        # Machine output leaves Lini: a village's small counts are hidden as in every file.
        rows = suppression.rows_for_file(rows, period)
        table: dict[str, Any] = {
            "region": region.code, "region_name": region.display_name, "period": period.text,
            "rows": rows,
        }  # fmt: skip
        return Response(IndicatorTableSerializer(table).data)


@extend_schema(tags=["indicators"])
class MonthlyReportView(APIView):
    @extend_schema(parameters=[FigureQuerySerializer], responses={200: MonthlyReportSerializer})
    def get(self, request: Request) -> Response:
        """The monthly field-control report of a region for a month (the report page's figures):
        sections I-V, each line with one value per column (null: a percentage of nothing)."""
        region, text = _query(request)
        try:
            period = report_period(text or selectors.current_period().text)
        except ValueError as error:
            raise _period_error(error) from None
        report = suppression.report_withheld(monthly_report(region=region, period=period))
        return Response(MonthlyReportSerializer(report).data)
