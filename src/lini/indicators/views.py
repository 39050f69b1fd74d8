"""Indicator pages: a region's indicators for a period with target, achievement and colour; the
targets of a region and year (one form with every indicator); the catalog and, for national
administrators, the form to add or change an indicator. Views only read the request and call the
selectors and services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.core import clock
from lini.indicators import selectors, suppression
from lini.indicators.achievement import BAND_LABELS
from lini.indicators.catalog import COUNT_KEYS
from lini.indicators.forms import IndicatorForm, TargetForm, field_name
from lini.indicators.models import Indicator, Target
from lini.indicators.targets import can_edit_catalog, indicator_save, target_delete, target_save
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import region_ancestors, region_children, region_get
from lini.web.forms import errors_into


def _named(indicators: list[Indicator]) -> list[Indicator]:
    """Each indicator with ``display_name`` in the page's language."""
    indonesian = (get_language() or "").startswith("id")
    for indicator in indicators:
        indicator.display_name = indicator.name_id if indonesian else indicator.name_en  # type: ignore[attr-defined]
    return indicators


def _default_region(request: HttpRequest) -> Region | None:
    """The user's first assigned region (a national administrator: the first province)."""
    user = request.user
    if not scope.role_allows(user, Action.VIEW):
        return None
    first = (
        user.assignments.select_related("region").order_by("region__code").first()  # type: ignore[union-attr]
    )
    if first is not None:
        return first.region
    if scope.user_scope(user).national:
        return Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code").first()
    return None


def _region_from(request: HttpRequest, action: Action) -> Region | None:
    code = request.GET.get("region", "").strip()
    region = region_get(code=code) if code else _default_region(request)
    if code and region is None:
        raise Http404
    if region is not None:
        if region.level > RegionLevel.VILLAGE:
            raise Http404
        scope.require(request.user, action, region)
    return region


def indicator_list(request: HttpRequest) -> HttpResponse:
    """``?region=CODE&period=YYYY-MM|YYYY``: every indicator of the region with its value, the
    target of the period's year, the achievement and its colour."""
    region = _region_from(request, Action.VIEW)
    period_text = request.GET.get("period", "").strip()
    error = ""
    try:
        period = selectors.period_parse(period_text) if period_text else selectors.current_period()
    except ValueError as exc:
        error, period = str(exc), selectors.current_period()
    rows: list[selectors.Row] = []
    children: list[Region] = []
    if region is not None:
        indicators = _named(selectors.indicators_all())
        rows = list(
            selectors.indicator_rows(
                root=region, level=region.level, period=period, indicators=indicators
            )
        )
        rows = suppression.rows_for_page(rows, period, request.user)
        if region.level < RegionLevel.VILLAGE:
            children = list(
                scope.restrict(region_children(parent=region), request.user, Action.VIEW)
            )
    return render(
        request,
        "indicators/indicator_list.html",
        {
            "region": region,
            "ancestors": region_ancestors(region=region) if region else [],
            "children": children,
            "period": period,
            "period_error": error,
            "rows": rows,
            "privacy_legend": suppression.legend() if any(r.hidden for r in rows) else "",
            "bands": BAND_LABELS,
            "can_edit_targets": region is not None
            and scope.can(request.user, Action.CHANGE, region),
        },
    )


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "").strip()
    if not raw:
        return clock.today().year
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise Http404
    return int(raw)


@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest) -> HttpResponse:
    """``?region=CODE&year=YYYY``: the targets of every indicator for the region and year."""
    if not request.GET.get("region"):
        raise Http404
    region = _region_from(request, Action.CHANGE)
    assert region is not None  # noqa: S101 - a code was given
    year = _year(request)
    indicators = _named(selectors.indicators_all())
    existing = {
        t.indicator.code: t
        for t in Target.objects.filter(region=region, year=year).select_related(
            "indicator", "region"
        )
    }
    current = {code: t.value for code, t in existing.items()}
    form = TargetForm(
        request.POST if request.method == "POST" else None, indicators=indicators, current=current
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _targets_saved(request, form, region, year, existing)
    ):
        messages.success(request, _("Saved."))
        url = reverse("indicators:indicator_list")
        return redirect(f"{url}?region={region.code}&period={year}")
    return render(
        request,
        "indicators/target_form.html",
        {"region": region, "year": year, "form": form,
         "ancestors": region_ancestors(region=region)},
    )  # fmt: skip


def _targets_saved(
    request: HttpRequest, form: TargetForm, region: Region, year: int, existing: dict[str, Target]
) -> bool:
    """Save every changed target in one transaction; on refusal put the reasons on the fields."""
    failed = False
    with transaction.atomic():
        for indicator in form.indicators:
            name = field_name(indicator.code)
            raw = (form.cleaned_data.get(name) or "").strip()
            old = existing.get(indicator.code)
            try:
                if not raw:
                    if old is not None:
                        target_delete(actor=request.user, target=old)  # type: ignore[arg-type]
                    continue
                target_save(
                    actor=request.user, indicator=indicator, region=region, year=year,  # type: ignore[arg-type]
                    value=raw,
                )  # fmt: skip
            except ValidationError as error:
                failed = True
                for messages_ in error.message_dict.values():
                    form.add_error(name, messages_)
        if failed:
            transaction.set_rollback(True)
    return not failed


def indicator_catalog(request: HttpRequest) -> HttpResponse:
    """Every indicator with its formula, for anyone who may view data."""
    if not scope.role_allows(request.user, Action.VIEW):
        raise PermissionDenied
    return render(
        request,
        "indicators/catalog.html",
        {
            "indicators": _named(selectors.indicators_all()),
            "can_edit": can_edit_catalog(request.user),
        },
    )


def _initial(indicator: Indicator) -> dict[str, Any]:
    fields = ("code", "name_id", "name_en", "numerator", "denominator", "factor", "unit",
              "direction", "definition", "source", "position")  # fmt: skip
    return {name: getattr(indicator, name) for name in fields}


@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Add (no ``code``) or change an indicator: national administrators only."""
    if not can_edit_catalog(request.user):
        raise PermissionDenied
    indicator = get_object_or_404(Indicator, code=code) if code else None
    form = IndicatorForm(
        request.POST if request.method == "POST" else None,
        initial=_initial(indicator) if indicator else None,
    )
    if indicator is not None and indicator.builtin:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        fields["factor"] = Decimal(fields["factor"])
        try:
            saved = indicator_save(actor=request.user, indicator=indicator, fields=fields)  # type: ignore[arg-type]
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('indicators:indicator_catalog')}#{saved.code}")
    return render(
        request,
        "indicators/indicator_form.html",
        {"form": form, "indicator": indicator, "keys": sorted(COUNT_KEYS)},
    )
