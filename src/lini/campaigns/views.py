"""Campaign (baksos) pages, under /baksos/: the list, the plan (campaign, lokus suggested from the
ranking, targets, teams), what a lokus team records (KB services, the daily log, photos), and the
report, its downloads and the printable summary.

Every page asks the campaign helpers (which ask :mod:`lini.accounts.scope`): a campaign or lokus
the user may not see is a 404; a page the user may see but not use (planning without the right,
recording outside one's own team) is a 403. Writes go through :mod:`lini.campaigns.services`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.campaigns import planning, report_writers, selectors, services
from lini.campaigns.choices import (
    COUNSELLING_KEY,
    FAMILIES_KEY,
    MKJP_KEY,
    POKTAN_KINDS,
    RUMAH_DATAKU_KEY,
    SERVICE_KEYS,
    TARGET_KEYS,
    TARGET_VISITS,
)
from lini.campaigns.forms import (
    CampaignForm,
    CampaignServiceForm,
    DayLogForm,
    LokusAddForm,
    LokusPlanForm,
    PhotoForm,
    SuggestForm,
    TeamMemberForm,
)
from lini.campaigns.models import Campaign, DayLog, Lokus, Photo, TeamMember
from lini.campaigns.selectors import Effect, Line
from lini.core import clock
from lini.kampung.models import KampungKB
from lini.kb.choices import VisitType
from lini.kb.selectors import facilities_for_service
from lini.regions.codes import is_within
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import region_ancestors
from lini.register.choices import Method
from lini.register.identity import mask
from lini.register.models import Couple
from lini.web.forms import errors_into
from lini.workforce.models import Cadre, Counsellor

if TYPE_CHECKING:
    from lini.accounts.models import User

REPORT_FORMATS = ("xlsx", "pdf", "csv")
SEARCH_LIMIT = 20


# Finding what the user may open ----------------------------------------------------------------


def _campaign_for(request: HttpRequest, pk: int) -> Campaign:
    """A campaign the user may see (404 otherwise)."""
    return get_object_or_404(
        selectors.campaigns_visible_to(request.user).select_related("region"), pk=pk
    )


def _campaign_to_plan(request: HttpRequest, pk: int) -> Campaign:
    """A campaign the user may see (else 404) and plan (else 403)."""
    campaign = _campaign_for(request, pk)
    services.require_plan(request.user, campaign)  # type: ignore[arg-type]
    return campaign


def _lokus_for(request: HttpRequest, pk: int) -> Lokus:
    """A lokus the user may see (404 otherwise)."""
    lokus = selectors.lokus_of(request.user, pk)
    if lokus is None:
        raise Http404
    return lokus


def _lokus_to_plan(request: HttpRequest, pk: int) -> Lokus:
    lokus = _lokus_for(request, pk)
    services.require_plan(request.user, lokus.campaign)  # type: ignore[arg-type]
    return lokus


def _lokus_to_record(request: HttpRequest, pk: int) -> Lokus:
    """A lokus of a campaign the user sees (else 404) whose team the user records for (else
    403: a team member sees the campaign, but records only in their own lokus)."""
    lokus = get_object_or_404(
        Lokus.objects.select_related("campaign", "campaign__region", "village").filter(
            campaign__in=selectors.campaigns_visible_to(request.user)
        ),
        pk=pk,
    )
    services.require_record(request.user, lokus)  # type: ignore[arg-type]
    return lokus


def _recording_ids(user: Any, campaign: Campaign) -> set[int]:
    """The lokus of ``campaign`` where ``user`` records (on the team, may change the village)."""
    return {
        lokus.pk
        for lokus in selectors.lokus_for_recording(user).filter(campaign=campaign)
        if scope.can(user, Action.CHANGE, lokus.village)
    }


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


def _timing(campaign: Campaign) -> dict[str, Any]:
    """Where today lies: before the campaign, on its day X of N, or after it."""
    today = clock.today()
    if today < campaign.starts_on:
        return {"state": "before", "days_left": (campaign.starts_on - today).days}
    if today > campaign.ends_on:
        return {"state": "after"}
    return {"state": "running", "day": (today - campaign.starts_on).days + 1}


# The list --------------------------------------------------------------------------------------


def _lokus_counts(user: Any, campaigns: list[Campaign]) -> dict[int, tuple[int, int]]:
    """(lokus, KB services) of each campaign counted over the lokus ``user`` may see
    (:func:`selectors.lokus_visible_to`: every lokus where the user may view the planning
    region, else those in their own regions), in one query."""
    visible = [selectors.lokus_visible_to(user, campaign) for campaign in campaigns]
    if not visible:
        return {}
    lokus = visible[0]
    for more in visible[1:]:
        lokus = lokus | more  # one query: each campaign's condition, joined by OR
    return {
        row["campaign_id"]: (row["lokus_n"], row["services_n"])
        for row in lokus.order_by()
        .values("campaign_id")
        .annotate(lokus_n=Count("pk", distinct=True), services_n=Count("services", distinct=True))
    }


def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = (
        selectors.campaigns_visible_to(request.user)
        .select_related("region")
        .order_by("-starts_on", "name", "pk")
    )
    page = Paginator(campaigns, 30).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    counts = _lokus_counts(request.user, page.object_list)
    for campaign in page.object_list:
        campaign.lokus_count, campaign.service_count = counts.get(campaign.pk, (0, 0))  # type: ignore[attr-defined]
    mine = [
        lokus
        for lokus in selectors.lokus_for_recording(request.user)[:50]
        if scope.can(request.user, Action.CHANGE, lokus.village)
    ]
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "page": page,
            "mine": mine,
            "can_create": scope.role_allows(request.user, Action.PLAN),
        },
    )


# The campaign ----------------------------------------------------------------------------------


def _offices(user: Any) -> list[Region] | None:
    """The planning offices the user chooses among: their own provinces and regencies; None
    for a national administrator (any province or regency, by its code)."""
    own = scope.user_scope(user)
    if own.national:
        return None
    return [
        region
        for region in Region.objects.filter(
            code__in=own.codes, level__in=services.PLAN_LEVELS
        ).order_by("code")
        if scope.can(user, Action.PLAN, region)
    ]


def _campaign_saved(
    request: HttpRequest, form: CampaignForm, campaign: Campaign | None
) -> Campaign | None:
    data = form.cleaned_data
    values = services.CampaignValues(
        name=data["name"], region=data["region"], starts_on=data["starts_on"],
        ends_on=data["ends_on"], theme=data["theme"], organisers=data["organisers"],
        notes=data["notes"], areas=tuple(data["areas"]),
    )  # fmt: skip
    version = None if campaign is None else data.get("version") or -1
    try:
        return services.campaign_save(
            actor=request.user,  # type: ignore[arg-type]
            values=values, campaign=campaign, version=version,
        )  # fmt: skip
    except ValidationError as error:
        errors_into(form, error)
        return None


@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    if not scope.role_allows(request.user, Action.PLAN):
        raise PermissionDenied
    offices = _offices(request.user)
    if offices == []:
        raise PermissionDenied
    form = CampaignForm(request.POST or None, offices=offices)
    if request.method == "POST" and form.is_valid():
        campaign = _campaign_saved(request, form, None)
        if campaign is not None:
            messages.success(request, _("Campaign saved. Now choose its lokus."))
            return redirect("campaigns:lokus_suggest", pk=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_to_plan(request, pk)
    offices = _offices(request.user)
    if offices is not None and campaign.region not in offices:
        offices = [campaign.region, *offices]
    initial = {
        "name": campaign.name, "theme": campaign.theme, "organisers": campaign.organisers,
        "region": campaign.region.code, "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on, "notes": campaign.notes, "version": campaign.version,
        "areas": ", ".join(campaign.areas.order_by("code").values_list("code", flat=True)),
    }  # fmt: skip
    form = CampaignForm(request.POST or None, offices=offices, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _campaign_saved(request, form, campaign)
        if saved is not None:
            messages.success(request, _("Campaign saved."))
            return redirect(saved)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_for(request, pk)
    lokus = list(selectors.lokus_visible_to(request.user, campaign).order_by("village__code"))
    progress = selectors.progress(campaign, lokus)
    teams = dict(
        TeamMember.objects.filter(lokus__in=[item.pk for item in lokus])
        .values("lokus_id")
        .annotate(n=Count("pk"))
        .values_list("lokus_id", "n")
    )
    recording = _recording_ids(request.user, campaign)
    cards = [
        {"p": p, "team": teams.get(p.lokus.pk, 0), "can_record": p.lokus.pk in recording}
        for p in progress.lokus
    ]
    can_plan = services.can_plan(request.user, campaign)  # type: ignore[arg-type]
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "areas": list(campaign.areas.order_by("code")),
            "timing": _timing(campaign),
            "progress": progress,
            "cards": cards,
            "can_plan": can_plan,
            "empty": can_plan
            and not any(p.services or p.days_logged or p.photos for p in progress.lokus),
            "formats": REPORT_FORMATS,
        },
    )


@require_http_methods(["POST"])
def campaign_delete(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_for(request, pk)
    try:
        services.campaign_delete(actor=request.user, campaign=campaign)  # type: ignore[arg-type]
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(campaign)
    messages.success(request, _("Campaign %(name)s deleted.") % {"name": campaign.name})
    return redirect("campaigns:campaign_list")


# Lokus: suggestions, adding and removing ------------------------------------------------------


def _default_regions(campaign: Campaign) -> list[Region]:
    areas = list(campaign.areas.order_by("code"))
    if areas:
        return areas
    return [campaign.region] if campaign.region.level == RegionLevel.REGENCY else []


def _suggest_url(campaign: Campaign, query: dict[str, Any] | None = None) -> str:
    url = reverse("campaigns:lokus_suggest", kwargs={"pk": campaign.pk})
    return f"{url}?{urlencode(query)}" if query else url


@require_http_methods(["GET", "POST"])
def lokus_suggest(request: HttpRequest, pk: int) -> HttpResponse:
    """Suggested villages in the chosen regencies or districts (GET), and the ticked ones
    accepted as lokus (POST)."""
    campaign = _campaign_to_plan(request, pk)
    if request.method == "POST":
        return _accept(request, campaign)
    defaults = {
        "regions": ", ".join(r.code for r in _default_regions(campaign)),
        "count": 8,
        "year": campaign.starts_on.year,
    }
    asked = "regions" in request.GET
    form = SuggestForm(request.GET if asked else (defaults if defaults["regions"] else None),
                       initial=defaults)  # fmt: skip
    chosen = {
        item.village.code: item
        for item in campaign.lokus.select_related("village", "village__parent")
    }
    suggestions: list[dict[str, Any]] = []
    query: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        regions: list[Region] = form.cleaned_data["regions"]
        outside = [r for r in regions if not is_within(r.code, campaign.region.code)]
        if outside:
            form.add_error("regions", _("%(names)s lie outside %(region)s.") % {
                "names": ", ".join(r.display_name for r in outside),
                "region": campaign.region.display_name,
            })  # fmt: skip
        else:
            try:
                found = services.lokus_suggest(
                    user=request.user,  # type: ignore[arg-type]
                    regions=regions, year=form.cleaned_data["year"],
                    count=form.cleaned_data["count"],
                )  # fmt: skip
            except PermissionDenied:
                form.add_error("regions", _("These regions lie outside your regions."))
            except ValueError as error:
                form.add_error("regions", str(error))
            else:
                suggestions = [{"s": s, "chosen": s.village.code in chosen} for s in found]
                query = {
                    "regions": ", ".join(r.code for r in regions),
                    "count": form.cleaned_data["count"],
                    "year": form.cleaned_data["year"],
                }
    return render(
        request,
        "campaigns/lokus_suggest.html",
        {
            "campaign": campaign,
            "form": form,
            "suggestions": suggestions,
            "query": query,
            "chosen": sorted(chosen.values(), key=lambda item: item.village.code),
            "add_form": LokusAddForm(),
        },
    )


def _accept(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    """Add the ticked villages as lokus (:func:`lini.campaigns.planning.lokus_accept`): all of
    them, or none when one is refused; back to the suggestions asked for."""
    codes = request.POST.getlist("accept")
    back = {k: request.POST.get(k, "")[:400] for k in ("regions", "count", "year")}
    back_url = _suggest_url(campaign, {k: v for k, v in back.items() if v})
    try:
        year = int(back["year"] or campaign.starts_on.year)
    except ValueError:
        year = 0  # refused with the message on the year
    try:
        added = planning.lokus_accept(
            actor=request.user,  # type: ignore[arg-type]
            campaign=campaign, codes=codes, year=year,
        )  # fmt: skip
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        if any(code.strip() for code in codes):
            messages.error(request, _("No village was added; correct the choice and try again."))
        return redirect(back_url)
    messages.success(
        request,
        ngettext("%(n)d lokus added.", "%(n)d lokus added.", len(added)) % {"n": len(added)},
    )
    return redirect(back_url)


@require_http_methods(["POST"])
def lokus_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add any village of the campaign's region as a lokus, by its code."""
    campaign = _campaign_to_plan(request, pk)
    form = LokusAddForm(request.POST)
    village = None
    if form.is_valid():
        village = Region.objects.filter(code=form.cleaned_data["code"].strip()).first()
        if village is None:
            form.add_error("code", _("No region has the code %(code)s.") % {
                "code": form.cleaned_data["code"].strip()})  # fmt: skip
    if village is not None:
        try:
            lokus = services.lokus_add(
                actor=request.user,  # type: ignore[arg-type]
                campaign=campaign, village=village,
            )  # fmt: skip
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, _("%(name)s added as a lokus.") % {
                "name": lokus.village.display_name})  # fmt: skip
            return redirect(_suggest_url(campaign))
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for message in errors:
            messages.error(
                request,
                _("%(field)s: %(message)s") % {"field": label, "message": message}
                if label
                else message,
            )
    return redirect(_suggest_url(campaign))


@require_http_methods(["POST"])
def lokus_remove(request: HttpRequest, pk: int) -> HttpResponse:
    lokus = _lokus_to_plan(request, pk)
    try:
        services.lokus_remove(actor=request.user, lokus=lokus)  # type: ignore[arg-type]
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s removed from the campaign.") % {
            "name": lokus.village.display_name})  # fmt: skip
    return redirect(_suggest_url(lokus.campaign))


# A lokus: its page, plan and team -------------------------------------------------------------


def lokus_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lokus = _lokus_for(request, pk)
    campaign = lokus.campaign
    progress = selectors.progress(campaign, [lokus]).lokus[0]
    names_shown = scope.can(request.user, Action.VIEW, lokus.village)
    return render(
        request,
        "campaigns/lokus_detail.html",
        {
            "lokus": lokus,
            "campaign": campaign,
            "place": ", ".join(
                a.display_name
                for a in reversed(region_ancestors(region=lokus.village))
                if a.level > RegionLevel.PROVINCE
            ),
            "progress": progress,
            "team": list(lokus.team.all()),
            "days": list(lokus.days.order_by("day")),
            "photos": list(lokus.photos.order_by("day", "pk")),
            "services": list(
                selectors.campaign_services(lokus).select_related("service__couple__husband")
            ),
            "names_shown": names_shown,
            "timing": _timing(campaign),
            "can_record": services.can_record(request.user, lokus),  # type: ignore[arg-type]
            "can_plan": services.can_plan(request.user, campaign),  # type: ignore[arg-type]
            # Poktan formed and the Kampung KB profile (Rumah DataKu, checklist items) are
            # recorded on their own pages; the lokus counts them from there.
            "kampung": KampungKB.objects.filter(village=lokus.village).first(),
        },
    )


def _checklist(lokus: Lokus) -> tuple[list[tuple[str, str]], bool]:
    """The Kampung KB checklist of the lokus's village as (code, label) choices (an item
    already done says so), and whether the village has a Kampung KB profile."""
    from lini.kampung.models import KampungKB
    from lini.kampung.selectors import kampung_assess

    kampung = KampungKB.objects.filter(village=lokus.village).first()
    if kampung is None:
        return [], False
    choices = [
        (item.code, _("%(item)s (done)") % {"item": item.label} if item.done else str(item.label))
        for item in kampung_assess(kampung).checklist
    ]
    return choices, True


@require_http_methods(["GET", "POST"])
def lokus_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The targets of a lokus (one number per target key) and its tidy-up items."""
    lokus = _lokus_to_plan(request, pk)
    checklist, has_kampung = _checklist(lokus)
    initial: dict[str, Any] = {
        **lokus.targets,
        "tidy_items": list(lokus.tidy_items),
        "version": lokus.version,
    }
    form = LokusPlanForm(request.POST or None, checklist=checklist, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.lokus_plan_save(
                actor=request.user,  # type: ignore[arg-type]
                lokus=lokus, targets={key: data.get(key) for key in TARGET_KEYS},
                tidy_items=list(data["tidy_items"]), version=data.get("version") or -1,
            )  # fmt: skip
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, _("Plan of %(name)s saved.") % {
                "name": lokus.village.display_name})  # fmt: skip
            return redirect(lokus)
    visits = list(TARGET_VISITS)
    return render(
        request,
        "campaigns/lokus_plan.html",
        {
            "lokus": lokus,
            "campaign": lokus.campaign,
            "form": form,
            "visit_labels": [VisitType(v).label for v in visits],
            "service_rows": [
                (label, [form[f"svc_{method}_{visit}"] for visit in visits])
                for method, label in Method.choices
            ],
            "groups": [
                (_("Long-acting methods"), [form[MKJP_KEY]]),
                (_("New poktan"), [form[f"poktan_{kind}"] for kind in POKTAN_KINDS]),
                (_("Rumah DataKu"), [form[RUMAH_DATAKU_KEY]]),
                (_("Families and counselling"), [form[FAMILIES_KEY], form[COUNSELLING_KEY]]),
            ],
            "has_kampung": has_kampung,
        },
    )


def _team_rows(members: list[TeamMember], village: Region) -> list[dict[str, Any]]:
    """Each member with a warning when they will not be able to record in the lokus (no
    account, or an account that may not change data of ``village``). Members must come with
    their accounts (``select_related``); each distinct account's scope is read once."""
    allowed: dict[int, bool] = {}
    rows = []
    for member in members:
        account: User | None = member.account
        warning = ""
        if account is None:
            warning = _("No account in Lini: cannot record in this lokus.")
        else:
            if account.pk not in allowed:
                allowed[account.pk] = scope.can(account, Action.CHANGE, village)
            if not allowed[account.pk]:
                warning = _("The account %(user)s may not change data of %(village)s: it cannot "
                            "record in this lokus.") % {"user": account.username,
                                                        "village": village.display_name}  # fmt: skip
        rows.append({"member": member, "warning": warning})
    return rows


@require_http_methods(["GET", "POST"])
def team_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The team of a lokus: add a counsellor, a cadre or a partner; the list with warnings for
    members who will not be able to record."""
    lokus = _lokus_to_plan(request, pk)
    village = lokus.village
    district = village.code.rsplit(".", 1)[0]
    counsellors = (
        Counsellor.objects.filter(active=True)
        .filter(Q(district__code=district) | Q(villages=village))
        .exclude(campaign_teams__lokus=lokus)
        .distinct()
        .order_by("name", "pk")
    )
    cadres = (
        Cadre.objects.filter(village=village, active=True)
        .exclude(campaign_teams__lokus=lokus)
        .order_by("kind", "name", "pk")
    )
    form = TeamMemberForm(request.POST or None, counsellors=counsellors, cadres=cadres)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.team_member_add(
                actor=request.user,  # type: ignore[arg-type]
                lokus=lokus, role=data["role"], counsellor=data["counsellor"],
                cadre=data["cadre"], name=data["name"], organisation=data["organisation"],
            )  # fmt: skip
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, _("%(name)s is on the team.") % {"name": member.name})
            return redirect("campaigns:team_add", pk=lokus.pk)
    members = list(
        lokus.team.select_related("user", "counsellor__user", "cadre__user").order_by(
            "role", "name", "pk"
        )
    )
    rows = _team_rows(members, village)
    return render(
        request,
        "campaigns/team_form.html",
        {"lokus": lokus, "campaign": lokus.campaign, "form": form, "rows": rows},
    )


@require_http_methods(["POST"])
def team_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(TeamMember, pk=pk)
    lokus = _lokus_for(request, member.lokus_id)
    member.lokus = lokus
    services.team_member_remove(actor=request.user, member=member)  # type: ignore[arg-type]
    messages.success(request, _("%(name)s left the team.") % {"name": member.name})
    return redirect("campaigns:team_add", pk=lokus.pk)


# Recording in a lokus -------------------------------------------------------------------------


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
    lokus = _lokus_to_record(request, pk)
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
            services.campaign_service_record(
                actor=request.user,  # type: ignore[arg-type]
                lokus=lokus, couple=data["couple"], served_on=data["served_on"],
                method=data["method"], visit_type=data["visit_type"],
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
    lokus = _lokus_to_record(request, pk)
    campaign = lokus.campaign
    if request.method == "POST":
        form = DayLogForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            version = data["version"] if data["version"] is not None else -1
            try:
                log = services.day_log_save(
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
    lokus = _lokus_to_record(request, pk)
    day, _problem = _campaign_day(lokus.campaign)
    form = PhotoForm(request.POST or None, request.FILES or None, initial={"day": day})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.photo_add(
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
    folder = services.photo_dir()
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
    lokus = _lokus_for(request, photo.lokus_id)
    photo.lokus = lokus
    services.photo_delete(actor=request.user, photo=photo)  # type: ignore[arg-type]
    messages.success(request, _("Photo deleted."))
    return redirect(lokus)


# The report and the summary -------------------------------------------------------------------


def _effect_rows(
    effects: list[Effect], codes: tuple[str, ...] = selectors.EFFECT_INDICATORS
) -> list[dict[str, Any]]:
    """Each region of an effect table: per indicator its value in the month before,
    in the campaign's month and the difference (None where a value is missing)."""
    from lini.indicators.dashboard import display_name
    from lini.indicators.models import Indicator

    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    regions = []
    for item in effects:
        rows = []
        for code in codes:
            indicator = indicators.get(code)
            if indicator is None:
                continue
            before, during = item.before.get(code), item.during.get(code)
            old = before.shown if before is not None else None
            new = during.shown if during is not None else None
            rows.append(
                {
                    "name": display_name(indicator), "unit": indicator.unit, "before": old,
                    "during": new, "diff": new - old if old is not None and new is not None else None,
                }
            )  # fmt: skip
        regions.append({"region": item.region, "rows": rows})
    return regions


def campaign_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The report page; ``?format=xlsx|pdf|csv`` downloads it (recorded as an export)."""
    campaign = _campaign_for(request, pk)
    fmt = request.GET.get("format", "").strip().lower()
    if fmt and fmt not in REPORT_FORMATS:
        raise Http404
    # Over the lokus the user may see, with the effect on the regions whose figures they may see.
    report = report_writers.report_for(request.user, campaign)
    if fmt:
        # render() and the EXPORT entry of the audit trail (model "campaigns.report"), in one place
        content, content_type, file_name = report_writers.report_export(
            actor=request.user, report=report, fmt=fmt
        )
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{file_name}"'
        return response
    sections = [
        {
            "p": p,
            "methods": selectors.method_rows(p.by_method),
            "team": report.team[p.lokus.pk],
            "days": report.days[p.lokus.pk],
            "photos": report.photos[p.lokus.pk],
        }
        for p in report.progress.lokus
    ]
    return render(
        request,
        "campaigns/campaign_report.html",
        {
            "campaign": campaign,
            "report": report,
            "progress": report.progress,
            "methods": selectors.method_rows(report.progress.by_method),
            "visit_labels": VisitType.labels,
            "sections": sections,
            "effect": _effect_rows(report.effect),
            "formats": REPORT_FORMATS,
        },
    )


def _key_lines(lines: list[Line]) -> list[Line]:
    """The summary's key lines: the KB services targeted (new acceptors, switches and transfers,
    counted as the PDF summary counts them), new acceptors, MKJP, poktan formed, Rumah DataKu
    established and families visited (target and achievement of each)."""
    by_key = {line.key: line for line in lines}

    def summed(keys: list[str]) -> tuple[int, int]:
        found = [by_key[k] for k in keys if k in by_key]
        return sum(x.target for x in found), sum(x.achieved for x in found)

    new_keys = [k for k in SERVICE_KEYS if k.rsplit("_", 1)[1] == VisitType.NEW]
    return [
        Line("services", _("KB services: new acceptors, switches and transfers"),
             *report_writers.service_summary(lines)),
        Line("new", _("new acceptors"), *summed(new_keys)),
        Line(MKJP_KEY, _("long-acting methods (MKJP)"), *summed([MKJP_KEY])),
        Line("poktan", _("poktan formed"), *summed([f"poktan_{k}" for k in POKTAN_KINDS])),
        Line(RUMAH_DATAKU_KEY, _("Rumah DataKu established"), *summed([RUMAH_DATAKU_KEY])),
        Line(FAMILIES_KEY, _("families visited"), *summed([FAMILIES_KEY])),
    ]  # fmt: skip


def campaign_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """A one-page summary for the head of office, made to be printed on A4: the report's figures
    (the lokus the user may see, the effect on the regions whose figures they may see)."""
    campaign = _campaign_for(request, pk)
    report = report_writers.report_for(request.user, campaign)
    progress = report.progress
    return render(
        request,
        "campaigns/campaign_summary.html",
        {
            "campaign": campaign,
            "progress": progress,
            "totals": _key_lines(progress.total),
            "rows": [{"p": p, "lines": _key_lines(p.lines)} for p in progress.lokus],
            "effect": _effect_rows(report.effect, ("cpr", "mcpr")),
            "month_before": report.month_before,
            "month_during": report.month_during,
            "today": clock.today(),
        },
    )
