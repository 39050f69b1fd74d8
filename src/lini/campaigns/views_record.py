"""Campaign (baksos) pages where a lokus team records, under /baksos/lokus/ and /baksos/foto/: the
KB services given (phone-first: find a couple of the village, then record), the daily log, and the
photos (kept, shown only to users who may see the lokus, deleted). Writes go through
:mod:`lini.campaigns.recording` and :mod:`lini.campaigns.photos`; access as in
:mod:`lini.campaigns.views_common`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.campaigns import photos, recording, selectors
from lini.campaigns.forms import CampaignServiceForm, DayLogForm, PhotoForm
from lini.campaigns.models import Campaign, DayLog, Lokus, Photo
from lini.campaigns.views_common import lokus_for, lokus_to_record
from lini.core import clock
from lini.kb.selectors import facilities_for_service
from lini.register.identity import mask
from lini.register.models import Couple
from lini.web.forms import errors_into

SEARCH_LIMIT = 20


def _campaign_day(campaign: Campaign, raw: str = "") -> tuple[dt.date, str]:
    """The day asked for (``YYYY-MM-DD``), else today, kept within the campaign's days that have
    begun; and a message when what was asked for could not be read."""
    today = clock.today()
    day, problem = today, ""
    if raw:
        try:
            day = dt.date.fromisoformat(raw.strip()[:10])
        except ValueError:
            problem = _("%(day)s is not a date (YYYY-MM-DD); showing the default day.") % {
                "day": raw[:20]
            }
    last = min(campaign.ends_on, max(today, campaign.starts_on))
    return min(max(day, campaign.starts_on), last), problem


def _couples_of(lokus: Lokus) -> QuerySet[Couple]:
    """The couples of the lokus's village (not ended), for the service form."""
    return Couple.objects.filter(family__village=lokus.village, ended_on__isnull=True)


def _couple_search(couples: QuerySet[Couple], text: str, *, identity: bool) -> QuerySet[Couple]:
    """By No. KK (its start for users who may see identity numbers, else only the whole number)
    or by the wife's or husband's name."""
    text = " ".join(text.split())
    digits = text.replace(" ", "")
    if digits.isdigit():
        if identity:
            return couples.filter(family__kk_number__startswith=digits)
        return couples.filter(family__kk_number=digits)
    return couples.filter(Q(wife__name__icontains=text) | Q(husband__name__icontains=text))


def _int_param(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


@require_http_methods(["GET", "POST"])
def service_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Phone-first: find a couple of the village, then record the KB service given to it."""
    lokus = lokus_to_record(request, pk)
    couples = _couples_of(lokus).select_related("family", "wife", "husband")
    identity = scope.can(request.user, Action.VIEW_IDENTITY, lokus.village)
    query = request.GET.get("q", "").strip()[:60]
    found = (
        _couple_search(couples, query, identity=identity).order_by("wife__name", "pk")
        if query
        else couples.none()
    )
    results = [{"couple": c, "kk": mask(c.family.kk_number)} for c in found[:SEARCH_LIMIT]]
    source = request.POST if request.method == "POST" else request.GET
    picked_pk = _int_param(source.get("couple"))
    picked = couples.filter(pk=picked_pk).first() if picked_pk is not None else None
    day, _problem = _campaign_day(lokus.campaign)
    initial: dict[str, Any] = {"served_on": day}
    if picked is not None:
        initial["couple"] = picked.pk
        if picked.method:
            initial["method"] = picked.method
    form = CampaignServiceForm(
        request.POST or None,
        couples=couples,
        facilities=facilities_for_service(user=request.user, village=lokus.village),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recording.campaign_service_record(
                actor=request.user,  # type: ignore[arg-type]
                lokus=lokus, couple=data["couple"], served_on=data["served_on"],
                method=data["method"], visit_type=data["visit_type"], product=data["product"],
                reason_after=data["reason_after"], postpartum=data["postpartum"],
                informed_consent=data["informed_consent"], facility=data["facility"],
                provider=data["provider"], notes=data["notes"],
            )  # fmt: skip
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, _("Service recorded for %(name)s. Find the next couple.") % {
                "name": data["couple"].wife.name})  # fmt: skip
            return redirect("campaigns:service_record", pk=lokus.pk)
    return render(
        request,
        "campaigns/service_form.html",
        {
            "lokus": lokus,
            "campaign": lokus.campaign,
            "query": query,
            "results": results,
            "picked": picked,
            "picked_kk": mask(picked.family.kk_number) if picked is not None else "",
            "form": form,
            "recorded_today": lokus.services.filter(service__served_on=clock.today()).count(),
        },
    )


@require_http_methods(["GET", "POST"])
def day_log(request: HttpRequest, pk: int) -> HttpResponse:
    """The daily log of a lokus for one day (``?day=YYYY-MM-DD``, default today)."""
    lokus = lokus_to_record(request, pk)
    campaign = lokus.campaign
    if request.method == "POST":
        form = DayLogForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            version = data["version"] if data["version"] is not None else -1
            try:
                log = recording.day_log_save(
                    actor=request.user,  # type: ignore[arg-type]
                    lokus=lokus, day=data["day"], families_visited=data["families_visited"],
                    counselling=data["counselling"], attendance=data["attendance"],
                    notes=data["notes"], version=version,
                )  # fmt: skip
            except ValidationError as error:
                errors_into(form, error)
            else:
                messages.success(request, _("Daily log of %(day)s saved.") % {
                    "day": log.day.strftime("%d/%m/%Y")})  # fmt: skip
                url = reverse("campaigns:day_log", kwargs={"pk": lokus.pk})
                return redirect(f"{url}?day={log.day.isoformat()}")
        day = form.cleaned_data.get("day") if hasattr(form, "cleaned_data") else None
        day = day or _campaign_day(campaign)[0]
    else:
        day, problem = _campaign_day(campaign, request.GET.get("day", ""))
        if problem:
            messages.error(request, problem)
        log = DayLog.objects.filter(lokus=lokus, day=day).first()
        initial: dict[str, Any] = {"day": day, "version": 0, "families_visited": 0,
                                   "counselling": 0, "attendance": 0}  # fmt: skip
        if log is not None:
            initial.update(
                families_visited=log.families_visited, counselling=log.counselling,
                attendance=log.attendance, notes=log.notes, version=log.version,
            )  # fmt: skip
        form = DayLogForm(initial=initial)
    logged = set(lokus.days.values_list("day", flat=True))
    last = min(campaign.ends_on, clock.today())
    days = [
        {"day": d, "logged": d in logged, "current": d == day}
        for d in (campaign.starts_on + dt.timedelta(days=i) for i in range(campaign.days))
        if d <= last
    ]
    return render(
        request,
        "campaigns/day_log_form.html",
        {"lokus": lokus, "campaign": campaign, "form": form, "day": day, "days": days},
    )


@require_http_methods(["GET", "POST"])
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    lokus = lokus_to_record(request, pk)
    day, _problem = _campaign_day(lokus.campaign)
    form = PhotoForm(request.POST or None, request.FILES or None, initial={"day": day})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            photos.photo_add(
                actor=request.user,  # type: ignore[arg-type]
                lokus=lokus, day=data["day"], upload=data["photo"], caption=data["caption"],
            )  # fmt: skip
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, _("Photo saved."))
            return redirect(lokus)
    return render(
        request,
        "campaigns/photo_form.html",
        {"lokus": lokus, "campaign": lokus.campaign, "form": form},
    )


def photo_view(request: HttpRequest, pk: int) -> FileResponse:
    """The photo's file, with the type Lini found in it, only to users who may see its lokus."""
    photo = get_object_or_404(Photo, pk=pk)
    if selectors.lokus_of(request.user, photo.lokus_id) is None:
        raise Http404
    folder = photos.photo_dir()
    path = folder / photo.file_name
    if path.parent != folder or not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=photo.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_http_methods(["POST"])
def photo_delete(request: HttpRequest, pk: int) -> HttpResponse:
    photo = get_object_or_404(Photo, pk=pk)
    lokus = lokus_for(request, photo.lokus_id)
    photo.lokus = lokus
    photos.photo_delete(actor=request.user, photo=photo)  # type: ignore[arg-type]
    messages.success(request, _("Photo deleted."))
    return redirect(lokus)
