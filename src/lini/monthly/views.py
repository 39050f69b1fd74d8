"""Monthly input pages: a region's month (statuses and coverage), one village's input, the form
to enter or correct it, and the steps of its approval (submit, approve, send back, reopen)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.monthly import selectors, services
from lini.monthly.forms import DecisionForm, MonthlyInputForm
from lini.monthly.models import MonthlyInput, MonthlyStatus
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import region_ancestors, region_get
from lini.web.forms import errors_into


def parse_month(text: str) -> dt.date | None:
    """``2019-11`` -> 1 Nov 2019; None when it is not such a month."""
    parts = text.split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        return None
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12 or year < 1900:
        return None
    return dt.date(year, month, 1)


def default_month() -> dt.date:
    """The month just ended: the one being reported at the start of a month."""
    return (services.current_month() - dt.timedelta(days=1)).replace(day=1)


def _shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _default_region(request: HttpRequest) -> Region | None:
    own = scope.user_scope(request.user)
    if own.national or not own.codes:
        return None
    return Region.objects.filter(code=own.codes[0]).first()


def input_list(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("region", "").strip()
    if code:
        region = region_get(code=code)
        if region is None or region.level > RegionLevel.VILLAGE:
            raise Http404
        if not scope.can_navigate(request.user, region):
            raise PermissionDenied
    else:
        region = _default_region(request)
        if region is None and not scope.user_scope(request.user).national:
            raise PermissionDenied
    month = parse_month(request.GET.get("month", "")) or default_month()
    overview = selectors.month_overview(user=request.user, region=region, month=month)
    can_change = region is not None and scope.can(request.user, Action.CHANGE, region)
    can_enter = {
        row.village.pk
        for row in overview.villages
        if scope.can(request.user, Action.CHANGE, row.village)
    }
    for row in overview.villages:
        row.can_enter = row.village.pk in can_enter  # type: ignore[attr-defined]
    return render(
        request,
        "monthly/input_list.html",
        {
            "region": region,
            "ancestors": region_ancestors(region=region) if region else [],
            "month": month,
            "month_value": month.strftime("%Y-%m"),
            "previous_month": _shift(month, -1).strftime("%Y-%m"),
            "next_month": _shift(month, 1).strftime("%Y-%m")
            if month < services.current_month()
            else "",
            "overview": overview,
            "can_change": can_change,
            "statuses": MonthlyStatus,
        },
    )


def _village_month(code: str, month_text: str) -> tuple[Region, dt.date]:
    village = region_get(code=code)
    month = parse_month(month_text)
    if village is None or village.level != RegionLevel.VILLAGE or month is None:
        raise Http404
    return village, month


def _input_for(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> MonthlyInput:
    found = get_object_or_404(
        selectors.inputs_visible_to(request.user).select_related(
            "village", "submitted_by", "decided_by"
        ),
        pk=pk,
    )
    scope.require(request.user, action, found.village)
    return found


@require_http_methods(["GET", "POST"])
def input_create(request: HttpRequest, code: str, month: str) -> HttpResponse:
    village, first = _village_month(code, month)
    scope.require(request.user, Action.CHANGE, village)
    existing = MonthlyInput.objects.filter(village=village, month=first).first()
    if existing is not None:
        return redirect("monthly:input_edit", pk=existing.pk)
    if first > services.current_month():
        messages.error(request, _("%(month)s is in the future.") % {"month": month})
        return redirect(f"{reverse('monthly:input_list')}?region={village.code}")
    form = MonthlyInputForm(
        request.POST or None, initial=services.monthly_prefill(village=village, month=first)
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.monthly_save(
                actor=request.user,  # type: ignore[arg-type]
                village=village,
                month=first,
                values=form.values(),
                version=None,
            )
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, _("Saved as a draft. Submit it when it is complete."))
            return redirect(saved)
    return render(
        request,
        "monthly/input_form.html",
        {"village": village, "month": first, "form": form, "creating": True,
         "ancestors": region_ancestors(region=village)},
    )  # fmt: skip


def input_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = _input_for(request, pk)
    village = found.village
    return render(
        request,
        "monthly/input_detail.html",
        {
            "input": found,
            "village": village,
            "ancestors": region_ancestors(region=village),
            "form": MonthlyInputForm(initial=services.monthly_values(found)),
            "decision_form": DecisionForm(initial={"version": found.version}),
            "can_edit": found.status in services.EDITABLE
            and scope.can(request.user, Action.CHANGE, village),
            "can_submit": found.status in (MonthlyStatus.DRAFT, MonthlyStatus.SENT_BACK)
            and scope.can(request.user, Action.CHANGE, village),
            "can_decide": found.status == MonthlyStatus.SUBMITTED
            and scope.can(request.user, Action.APPROVE, village),
            "can_reopen": found.locked and scope.can(request.user, Action.APPROVE, village),
            "history": selectors.input_history(monthly_input=found, user=request.user)[:20],
            "others": selectors.months_of_village(village=village, user=request.user)[:12],
        },
    )


@require_http_methods(["GET", "POST"])
def input_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = _input_for(request, pk, Action.CHANGE)
    if found.locked:
        messages.error(request, services.locked_message(found))
        return redirect(found)
    initial = {**services.monthly_values(found), "version": found.version}
    form = MonthlyInputForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version")
        try:
            services.monthly_save(
                actor=request.user,  # type: ignore[arg-type]
                village=found.village,
                month=found.month,
                values=form.values(),
                version=-1 if version is None else version,  # a form without it is stale
            )
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(found)
    return render(
        request,
        "monthly/input_form.html",
        {"input": found, "village": found.village, "month": found.month, "form": form,
         "creating": False, "ancestors": region_ancestors(region=found.village)},
    )  # fmt: skip


def _decide(
    request: HttpRequest,
    pk: int,
    action: Action,
    step: Callable[..., MonthlyInput],
    done: str,
) -> HttpResponse:
    found = _input_for(request, pk, action)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(found)
    # The version the user saw: a decision on data they have not seen is refused.
    version = form.cleaned_data.get("version")
    kwargs = {"version": -1 if version is None else version}
    if step is not services.monthly_submit:
        kwargs["comment"] = form.cleaned_data.get("comment") or ""
    try:
        step(actor=request.user, monthly_input=found, **kwargs)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(found)


@require_POST
def input_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request, pk, Action.CHANGE, services.monthly_submit, _("Submitted for approval.")
    )


@require_POST
def input_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request, pk, Action.APPROVE, services.monthly_approve, _("Approved; the month is locked.")
    )


@require_POST
def input_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request, pk, Action.APPROVE, services.monthly_send_back, _("Sent back for correction.")
    )


@require_POST
def input_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request, pk, Action.APPROVE, services.monthly_reopen, _("Reopened; it is a draft again.")
    )
