"""Campaign (baksos) pages of the plan, under /baksos/: the list, the campaign (created, changed,
shown, deleted), its lokus (suggested from the ranking, accepted, added by code, removed), a lokus's
page, its targets and tidy-up items, and its team. Writes go through
:mod:`lini.campaigns.planning`; access as in :mod:`lini.campaigns.views_common`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.campaigns import planning, selectors, services
from lini.campaigns.choices import (
    COUNSELLING_KEY,
    FAMILIES_KEY,
    MKJP_KEY,
    POKTAN_KINDS,
    RUMAH_DATAKU_KEY,
    TARGET_KEYS,
    TARGET_VISITS,
)
from lini.campaigns.forms import (
    CampaignForm,
    LokusAddForm,
    LokusPlanForm,
    SuggestForm,
    TeamMemberForm,
)
from lini.campaigns.models import Campaign, Lokus, TeamMember
from lini.campaigns.views_common import (
    REPORT_FORMATS,
    campaign_for,
    campaign_to_plan,
    lokus_for,
    lokus_to_plan,
)
from lini.core import clock
from lini.kampung.models import KampungKB
from lini.kb.choices import VisitType
from lini.regions.codes import is_within
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import region_ancestors
from lini.register.choices import Method
from lini.web.forms import errors_into
from lini.workforce.models import Cadre, Counsellor

if TYPE_CHECKING:
    from lini.accounts.models import User


def _recording_ids(user: Any, campaign: Campaign) -> set[int]:
    """The lokus of ``campaign`` where ``user`` records (on the team, may change the village)."""
    return {
        lokus.pk
        for lokus in selectors.lokus_for_recording(user).filter(campaign=campaign)
        if scope.can(user, Action.CHANGE, lokus.village)
    }


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
            code__in=own.codes, level__in=planning.PLAN_LEVELS
        ).order_by("code")
        if scope.can(user, Action.PLAN, region)
    ]


def _campaign_saved(
    request: HttpRequest, form: CampaignForm, campaign: Campaign | None
) -> Campaign | None:
    data = form.cleaned_data
    values = planning.CampaignValues(
        name=data["name"], region=data["region"], starts_on=data["starts_on"],
        ends_on=data["ends_on"], theme=data["theme"], organisers=data["organisers"],
        notes=data["notes"], areas=tuple(data["areas"]),
    )  # fmt: skip
    version = None if campaign is None else data.get("version") or -1
    try:
        return planning.campaign_save(
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
    campaign = campaign_to_plan(request, pk)
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
    campaign = campaign_for(request, pk)
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
    campaign = campaign_for(request, pk)
    try:
        planning.campaign_delete(actor=request.user, campaign=campaign)  # type: ignore[arg-type]
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
    campaign = campaign_to_plan(request, pk)
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
                found = planning.lokus_suggest(
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
    campaign = campaign_to_plan(request, pk)
    form = LokusAddForm(request.POST)
    village = None
    if form.is_valid():
        village = Region.objects.filter(code=form.cleaned_data["code"].strip()).first()
        if village is None:
            form.add_error("code", _("No region has the code %(code)s.") % {
                "code": form.cleaned_data["code"].strip()})  # fmt: skip
    if village is not None:
        try:
            lokus = planning.lokus_add(
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
    lokus = lokus_to_plan(request, pk)
    try:
        planning.lokus_remove(actor=request.user, lokus=lokus)  # type: ignore[arg-type]
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s removed from the campaign.") % {
            "name": lokus.village.display_name})  # fmt: skip
    return redirect(_suggest_url(lokus.campaign))


# A lokus: its page, plan and team -------------------------------------------------------------


def lokus_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lokus = lokus_for(request, pk)
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
    lokus = lokus_to_plan(request, pk)
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
            planning.lokus_plan_save(
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
    lokus = lokus_to_plan(request, pk)
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
            member = planning.team_member_add(
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
    lokus = lokus_for(request, member.lokus_id)
    member.lokus = lokus
    planning.team_member_remove(actor=request.user, member=member)  # type: ignore[arg-type]
    messages.success(request, _("%(name)s left the team.") % {"name": member.name})
    return redirect("campaigns:team_add", pk=lokus.pk)
