"""Reminder pages: a family's consents (record, replace, withdraw) and the outbox for
administrators. Views only read the request and call the selectors and services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.models import AuditAction
from lini.audit.services import audit_record
from lini.core import clock
from lini.regions.models import Region
from lini.regions.selectors import region_get
from lini.register.models import Family
from lini.register.selectors import families_visible_to
from lini.reminders import selectors, services
from lini.reminders.choices import Status
from lini.reminders.forms import ConsentForm, OutboxFilterForm
from lini.reminders.models import ReminderConsent
from lini.reminders.phone import phone_mask
from lini.web.forms import errors_into


def _family_for(request: HttpRequest, family_id: int) -> Family:
    """The family, when the user may change data of its village (404 when they may not see it)."""
    family = get_object_or_404(
        families_visible_to(request.user).select_related("village"), pk=family_id
    )
    scope.require(request.user, Action.CHANGE, family.village)
    return family


@require_http_methods(["GET", "POST"])
def family_consent(request: HttpRequest, family_id: int) -> HttpResponse:
    family = _family_for(request, family_id)
    couples = selectors.couples_of_family(family)
    today = clock.today()
    form = ConsentForm(request.POST or None, couples=couples, initial={"given_on": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                actor=request.user,  # type: ignore[arg-type]
                couple=data["couple"], phone=data["phone"], channel=data["channel"],
                given_on=data["given_on"], note=data["note"],
            )  # fmt: skip
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("reminders:family_consent", family_id=family.pk)
    consents = list(selectors.consents_of_family(family))
    for consent in consents:
        consent.current = consent.is_current_on(today)
    return render(
        request,
        "reminders/family_consent.html",
        {
            "family": family,
            "couples": couples,
            "consents": consents,
            "form": form,
            "enabled": services.reminders_enabled(),
        },
    )


@require_POST
def consent_withdraw(request: HttpRequest, family_id: int, consent_id: int) -> HttpResponse:
    family = _family_for(request, family_id)
    consent = get_object_or_404(ReminderConsent, pk=consent_id, couple__family=family)
    try:
        services.consent_withdraw(actor=request.user, consent=consent)  # type: ignore[arg-type]
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Consent withdrawn: no more reminders go to this number."))
    return redirect("reminders:family_consent", family_id=family.pk)


def outbox(request: HttpRequest) -> HttpResponse:
    """The outbox of the user's regions (of ``?region=CODE`` when given), newest first, with
    filters by status, recipient kind and week. Regency officers and above."""
    if not selectors.may_see_outbox(request.user):
        raise PermissionDenied
    reminders = selectors.outbox_visible_to(request.user)
    region: Region | None = None
    code = request.GET.get("region", "").strip()
    if code:
        region = region_get(code=code)
        if region is None:
            raise Http404
        scope.require(request.user, Action.VIEW, region)
        reminders = selectors.outbox_of_region(reminders, region)
    filters = OutboxFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    if chosen.get("kind"):
        reminders = reminders.filter(kind=chosen["kind"])
    if chosen.get("week"):
        reminders = reminders.filter(week=chosen["week"])
    counts = selectors.outbox_counts(reminders)
    if chosen.get("status"):
        reminders = reminders.filter(status=chosen["status"])
    page = Paginator(
        reminders.select_related("user", "region").order_by("-scheduled_for", "-pk"), 50
    ).get_page(request.GET.get("page"))
    identity: dict[int | None, bool] = {}
    for reminder in page:
        if reminder.region_id not in identity:
            identity[reminder.region_id] = selectors.may_see_numbers(request.user, reminder.region)
        reminder.phone_shown = (
            reminder.phone if identity[reminder.region_id] else phone_mask(reminder.phone)
        )
    if any(identity.values()) and len(page):  # whole numbers shown: an identity view
        audit_record(
            actor=request.user, action=AuditAction.VIEW_IDENTITY, model="reminders.reminder",
            description=f"reminders outbox, page {page.number}: phone numbers",
            region_code=region.code if region is not None else "",
        )  # fmt: skip
    return render(
        request,
        "reminders/outbox.html",
        {
            "page": page,
            "region": region,
            "filters": filters,
            "counts": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
            "enabled": services.reminders_enabled(),
            "max_attempts": settings.LINI_REMINDER_MAX_ATTEMPTS,
        },
    )
