"""The due-list pages (issue 9): a user's list for a week, a family's items with its visit
history, and the outcome of a visit recorded from the list in two taps.

Views only read the request and call :func:`lini.visits.selectors.due_list` (which cuts the list to
the user's scope) and :func:`lini.visits.services.visit_record` (which checks it again and writes
through the register's and KB's own services).

- ``visits:due_list`` — ``?minggu=2019-W44&wilayah=<region code>``: the list in walking order, with
  a region picker when the scope holds more villages than one list covers.
- ``visits:visit_outcome`` — POST from an item's outcome buttons. With htmx the family's card is
  answered (updated, or a short confirmation when the family has nothing left this week) with the
  list's counts out of band; without htmx the answer redirects back to the list with a message.
- ``visits:due_family`` — the family's items, its visit history, and the forms of the outcomes
  that need more than a tap: "served" with a method chosen on the spot, "died" with the person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.models import AuditAction
from lini.audit.services import audit_record
from lini.core import clock
from lini.kb.choices import VisitType
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import region_get, village_counts
from lini.register.choices import KBStatus, Presence, Relation
from lini.register.identity import mask
from lini.register.models import Couple, Family
from lini.register.selectors import families_visible_to
from lini.visits import selectors, services
from lini.visits.choices import Outcome, RuleKind
from lini.visits.due import DueItem, Week, due_items
from lini.visits.forms import DiedForm, OutcomeForm, ServeForm
from lini.visits.models import DueRule, Visit
from lini.visits.selectors import DueFamily, DueList, TooWideError
from lini.web.forms import errors_into

# What each outcome is called on its button and in the confirmation ("Recorded: served").
SHORT_LABELS = {
    Outcome.SERVED: gettext_lazy("served"),
    Outcome.COUNSELLED: gettext_lazy("counselled"),
    Outcome.NOT_HOME: gettext_lazy("not at home"),
    Outcome.REFUSED: gettext_lazy("refused"),
    Outcome.MOVED: gettext_lazy("moved away"),
    Outcome.DIED: gettext_lazy("died"),
}
SERVE, DIED = "serve", "died"


# Presentation ------------------------------------------------------------------------------


@dataclass
class ItemView:
    item: DueItem
    serve: str  # "tap": one-tap service; "form": a method is chosen on the family page; "": none
    died: str  # "tap": the wife of the couple; "form": the person is chosen on the family page
    errors: list[str] = field(default_factory=list)

    @property
    def moved_later(self) -> bool:
        return self.item.next_on > self.item.due_on


@dataclass
class FamilyView:
    family: DueFamily
    items: list[ItemView]
    can_change: bool
    notice: str = ""
    errors: list[str] = field(default_factory=list)  # about no item of the card

    @property
    def last_contact(self) -> dt.date | None:
        return self.family.items[0].last_contact

    @property
    def last_outcome(self) -> str:
        outcome = self.family.items[0].last_outcome
        return str(SHORT_LABELS[Outcome(outcome)]) if outcome else ""


@dataclass
class GroupView:
    label: str
    families: list[FamilyView]


def _item_view(item: DueItem, errors: dict[str, list[str]]) -> ItemView:
    if item.rule.kind in services.NOTHING_TO_SERVE or item.couple_id is None:
        serve = ""
    else:
        serve = "tap" if item.one_tap_service else "form"
    return ItemView(
        item=item,
        serve=serve,
        died="tap" if item.couple_id is not None else "form",
        errors=errors.get(item.key, []),
    )


def _family_view(
    family: DueFamily, can_change: bool, errors: dict[str, list[str]] | None = None
) -> FamilyView:
    errors = errors or {}
    keys = {item.key for item in family.items}
    return FamilyView(
        family=family,
        items=[_item_view(item, errors) for item in family.items],
        can_change=can_change,
        errors=[e for key, found in errors.items() if key not in keys for e in found],
    )


def _views(user: object, due: DueList) -> tuple[list[GroupView], bool]:
    """The list's groups as the templates show them, and whether the user may record anything."""
    village_ids = {f.village_id for g in due.groups for f in g.families}
    codes = dict(Region.objects.filter(pk__in=village_ids).values_list("pk", "code"))
    can_change = {
        pk: scope.can(user, Action.CHANGE, code)  # type: ignore[arg-type]
        for pk, code in codes.items()
    }
    groups = [
        GroupView(
            label=group.label,
            families=[_family_view(f, can_change[f.village_id]) for f in group.families],
        )
        for group in due.groups
    ]
    return groups, any(can_change.values())


def _shows_identity(due: DueList) -> bool:
    return any(
        family.kk_number == family.items[0].kk_number
        for group in due.groups
        for family in group.families
    )


# Request helpers ---------------------------------------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _week_or_this(text: str) -> Week:
    try:
        return Week.parse(text) if text else Week.of(clock.today())
    except ValueError:
        return Week.of(clock.today())


def _list_query(week: Week | str, region_code: str) -> str:
    query = {"minggu": str(week)}
    if region_code:
        query["wilayah"] = region_code
    return urlencode(query)


def _list_url(week: Week | str, region_code: str) -> str:
    return f"{reverse('visits:due_list')}?{_list_query(week, region_code)}"


def _family_url(family_id: int, week: Week | str, region_code: str, **extra: str) -> str:
    query = _list_query(week, region_code)
    if extra:
        query += "&" + urlencode(extra)
    return f"{reverse('visits:due_family', kwargs={'family_id': family_id})}?{query}"


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that htmx follows as a whole-page visit."""
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _list_region(request: HttpRequest, code: str) -> Region | None:
    """The region of ``?wilayah=``: 404 when unknown or below a village, 403 out of scope."""
    if not code:
        return None
    region = region_get(code=code)
    if region is None or region.level > RegionLevel.VILLAGE:
        raise Http404
    scope.require(request.user, Action.VIEW, region)
    return region


def _region_choices(user: object, region: Region | None) -> list[tuple[Region, int | None]]:
    """Where the user can narrow the list down to: the regions just below ``region`` (or below
    the user's own region), each with its number of villages."""
    allowed = selectors.list_regions(user)
    if region is not None:
        choices = list(allowed.filter(parent=region).order_by("code"))
    else:
        own = scope.user_scope(user)  # type: ignore[arg-type]
        top = list(
            allowed.filter(parent=None) if own.national else allowed.filter(code__in=own.codes)
        )
        if len(top) == 1:  # one region of their own: what lies below it
            choices = list(allowed.filter(parent=top[0]).order_by("code"))
        else:
            choices = sorted(top, key=lambda r: r.code)
    counts: dict[str, int] = {}
    for level in {r.level for r in choices}:
        counts.update(village_counts(children=[r for r in choices if r.level == level]))
    return [(r, counts.get(r.code)) for r in choices]


def _confirmation(visit: Visit) -> str:
    outcome = SHORT_LABELS[Outcome(visit.outcome)]
    if visit.service_id is not None:
        effect = _("KB service added")
    elif visit.outcome == Outcome.MOVED:
        effect = _("marked as moved away in the register")
    elif visit.outcome == Outcome.DIED and visit.member is not None:
        effect = _("%(name)s marked as died in the register") % {"name": visit.member.name}
    elif visit.outcome == Outcome.NOT_HOME:
        again = visit.visited_on + dt.timedelta(days=settings.LINI_DUE_NOT_HOME_DAYS)
        if visit.due_on is not None:
            again = max(again, visit.due_on)
        effect = _("due again from %(day)s") % {"day": _day(again)}
    else:
        return _("Recorded: %(outcome)s.") % {"outcome": outcome}
    return _("Recorded: %(outcome)s — %(effect)s.") % {"outcome": outcome, "effect": effect}


def _day(day: dt.date) -> str:
    return date_format(day, "j M Y")


def _error_messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


# The list ----------------------------------------------------------------------------------


# A page lists at most this many villages at once unless asked for all (``?semua=1``).
PAGE_VILLAGES = 5


@require_GET
def due_list_page(request: HttpRequest) -> HttpResponse:
    """The user's due list for ``?minggu=`` (default: this week), of ``?wilayah=`` when given."""
    today = clock.today()
    code = request.GET.get("wilayah", "").strip()
    region = _list_region(request, code)
    code = region.code if region is not None else ""
    week, week_error = Week.of(today), ""
    week_text = request.GET.get("minggu", "").strip()
    if week_text:
        try:
            week = Week.parse(week_text)
        except ValueError as error:
            week_error = str(error)
    due: DueList | None = None
    too_wide, may_show_all = "", False
    if not week_error:
        try:
            villages = len(selectors.list_villages(user=request.user, region=region))
            if villages > PAGE_VILLAGES and request.GET.get("semua") != "1":
                # A page of several thousand families is neither walkable nor quick: pick first.
                too_wide = _(
                    "This list covers %(count)s villages: choose a district or a village below "
                    "(the whole list: show all, or download it)."
                ) % {"count": villages}
                may_show_all = True
            else:
                due = selectors.due_list(user=request.user, week=week, region=region)
        except TooWideError as error:
            too_wide = str(error)
    groups: list[GroupView] = []
    can_change = False
    if due is not None:
        groups, can_change = _views(request.user, due)
        if _shows_identity(due):  # every view of unmasked numbers is in the audit trail
            audit_record(
                actor=request.user, action=AuditAction.VIEW_IDENTITY, model="register.family",
                description=f"due list {week}: {due.families} families",
                region_code=code,
            )  # fmt: skip
    context = {
        "week": week,
        "week_error": week_error,
        "this_week": Week.of(today),
        "previous_week": week.shifted(-1),
        "next_week": week.shifted(1),
        "region": region,
        "region_code": code,
        "list_query": _list_query(week, code),
        "due": due,
        "groups": groups,
        "can_change": can_change,
        "too_wide": too_wide,
        "show_all_query": f"{_list_query(week, code)}&semua=1" if may_show_all else "",
        "choices": [] if week_error else _region_choices(request.user, region),
        "htmx": True,
        "back": "",
    }
    return render(request, "visits/due_list.html", context, status=400 if week_error else 200)


# One outcome, from the list ----------------------------------------------------------------


def _family_for(request: HttpRequest, family_id: object) -> Family:
    """The family if the user may see it (404 otherwise)."""
    try:
        pk = int(str(family_id))
    except ValueError:
        raise Http404 from None
    return get_object_or_404(families_visible_to(request.user).select_related("village"), pk=pk)


def _card(
    request: HttpRequest,
    family: Family,
    week: Week,
    region_code: str,
    *,
    notice: str = "",
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    """htmx's answer: the family's card as it is now (or a confirmation when it left the list),
    and the counts of the page's list out of band."""
    counts: DueList | None
    try:
        region = region_get(code=region_code) if region_code else None
        due = counts = selectors.due_list(user=request.user, week=week, region=region)
    except (TooWideError, PermissionDenied):  # not the page's list: the family's village only
        due, counts = selectors.due_list(user=request.user, week=week, region=family.village), None
    found = next((f for g in due.groups for f in g.families if f.family_id == family.pk), None)
    view = None
    if found is not None:
        can_change = scope.can(request.user, Action.CHANGE, family.village)
        view = _family_view(found, can_change, errors)
        view.notice = notice
        if scope.can(request.user, Action.VIEW_IDENTITY, family.village):  # shown unmasked
            audit_record(
                actor=request.user, action=AuditAction.VIEW_IDENTITY, obj=family,
                description=f"due list {week}: family card", region_code=family.village.code,
            )  # fmt: skip
    context = {
        "week": week,
        "region_code": region_code,
        "list_query": _list_query(week, region_code),
        "fv": view,
        "notice": notice,
        "family_id": family.pk,
        "counts": counts,
        "problems": [e for found_errors in (errors or {}).values() for e in found_errors],
        "htmx": True,
        "back": "",
    }
    return render(request, "visits/includes/due_card_response.html", context)


def _outcome_failed(
    request: HttpRequest,
    family: Family,
    week: Week,
    region_code: str,
    key: str,
    problems: list[str],
    back_to_family: bool,
) -> HttpResponse:
    if _is_htmx(request):
        return _card(request, family, week, region_code, errors={key: problems})
    for problem in problems:
        messages.error(request, problem)
    if back_to_family:
        return HttpResponseRedirect(_family_url(family.pk, week, region_code))
    return HttpResponseRedirect(_list_url(week, region_code))


@require_POST
def visit_outcome(request: HttpRequest) -> HttpResponse:
    """Record one outcome tapped on an item (hidden fields: family, couple, rule, due_on, week,
    region). "served" of an item that needs a method, and "died" of a family's item, go on to
    the family page to say which method or who."""
    family = _family_for(request, request.POST.get("family", ""))
    scope.require(request.user, Action.CHANGE, family.village)  # a province officer reads only
    form = OutcomeForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    week = _week_or_this(data.get("week") or "")
    region_code = data.get("region") or ""
    back_to_family = data.get("back") == "family"
    couple_id, rule_id = data.get("couple"), data.get("rule")
    key = f"{rule_id or 0}-{family.pk}-{couple_id or 0}"
    if form.errors:
        problems = [str(e) for errors in form.errors.values() for e in errors]
        return _outcome_failed(request, family, week, region_code, key, problems, back_to_family)
    couple = None
    if couple_id:
        couple = get_object_or_404(Couple.objects.filter(family=family), pk=couple_id)
    rule = get_object_or_404(DueRule, pk=rule_id) if rule_id else None
    outcome = data["outcome"]
    item_key = f"{rule.pk if rule else 0}-{family.pk}-{couple.pk if couple else 0}"
    due_on = data.get("due_on")
    if rule is not None:
        # The item as computed now, not as posted: the rule must apply to this family (and
        # couple) this week, and its due date is Lini's own.
        item = next(
            (
                i
                for i in due_items(
                    village_ids=[family.village_id], week=week, family_ids=[family.pk]
                )
                if i.key == item_key
            ),
            None,
        )
        if item is None:
            problem = _("This item is no longer due in week %(week)s: nothing was recorded.") % {
                "week": week
            }
            return _outcome_failed(
                request, family, week, region_code, key, [problem], back_to_family
            )
        due_on = item.due_on
    needs_method = rule is None or rule.kind not in services.NOTHING_TO_SERVE
    if outcome == Outcome.SERVED and needs_method and not _one_tap(rule, couple):
        return _redirect(
            request, _family_url(family.pk, week, region_code, item=item_key, action=SERVE)
        )
    if outcome == Outcome.DIED and couple is None:
        return _redirect(
            request, _family_url(family.pk, week, region_code, item=item_key, action=DIED)
        )
    try:
        visit = services.visit_record(
            actor=request.user,  # type: ignore[arg-type]
            family=family, outcome=outcome, couple=couple, rule=rule, due_on=due_on,
        )  # fmt: skip
    except ValidationError as error:
        return _outcome_failed(
            request, family, week, region_code, key, _error_messages(error), back_to_family
        )
    notice = _confirmation(visit)
    if _is_htmx(request):
        return _card(request, family, week, region_code, notice=notice)
    messages.success(request, notice)
    if back_to_family:
        return HttpResponseRedirect(_family_url(family.pk, week, region_code))
    return HttpResponseRedirect(_list_url(week, region_code))


def _one_tap(rule: DueRule | None, couple: Couple | None) -> bool:
    """Whether "served" is a repeat of the couple's current method (as ``DueItem.one_tap_service``)."""
    return (
        rule is not None
        and rule.kind in services.REPEAT_KINDS
        and couple is not None
        and couple.status == KBStatus.USING
        and bool(couple.method)
    )


# The family page ---------------------------------------------------------------------------


def _renamed(error: ValidationError, names: dict[str, str]) -> ValidationError:
    """The service's field names as the form's (the service's ``served_on`` is the visit's day)."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {names.get(name, name): errors for name, errors in error.error_dict.items()}
    )


@require_http_methods(["GET", "POST"])
def due_family(request: HttpRequest, family_id: int) -> HttpResponse:
    """A family's items of the week, its visit history and the forms of "served" with a method
    and "died" with the person (``?item=<key>&action=serve|died``)."""
    family = _family_for(request, family_id)
    params = request.POST if request.method == "POST" else request.GET
    week_text = (params.get("week") or params.get("minggu") or "").strip()
    week, week_error = Week.of(clock.today()), ""
    if week_text:
        try:
            week = Week.parse(week_text)
        except ValueError as error:
            week_error = str(error)
    region_code = (params.get("region") or params.get("wilayah") or "").strip()[:40]
    due = selectors.due_list(user=request.user, week=week, region=family.village)
    found = next((f for g in due.groups for f in g.families if f.family_id == family.pk), None)
    items = found.items if found is not None else []
    can_change = scope.can(request.user, Action.CHANGE, family.village)
    identity = scope.can(request.user, Action.VIEW_IDENTITY, family.village)
    action = params.get("action", "")
    key = params.get("item", "")
    item = next((i for i in items if i.key == key), None)
    if request.method == "POST":
        scope.require(request.user, Action.CHANGE, family.village)
        if item is None or action not in (SERVE, DIED):
            messages.warning(
                request,
                _("This item is no longer due in week %(week)s: nothing was recorded.")
                % {"week": week},
            )
            return HttpResponseRedirect(_list_url(week, region_code))
    hidden = {"item": key, "week": str(week), "region": region_code}
    members = family.members.filter(presence=Presence.PRESENT).order_by("position", "pk")
    serve_form: ServeForm | None = None
    died_form: DiedForm | None = None
    if can_change and item is not None and action == SERVE and item.couple_id is not None:
        serve_form = ServeForm(
            request.POST if request.method == "POST" else None,
            initial={**hidden, **_serve_initial(item)},
        )
        if request.method == "POST" and serve_form.is_valid():
            recorded = _record(
                request, serve_form, family, item, outcome=Outcome.SERVED,
                method=serve_form.cleaned_data["method"],
                product=serve_form.cleaned_data["product"],
                visit_type=serve_form.cleaned_data["visit_type"],
            )  # fmt: skip
            if recorded is not None:
                messages.success(request, _confirmation(recorded))
                return HttpResponseRedirect(_list_url(week, region_code))
    elif can_change and item is not None and action == DIED:
        died_form = DiedForm(
            request.POST if request.method == "POST" else None, initial=hidden, members=members
        )
        if request.method == "POST" and died_form.is_valid():
            recorded = _record(
                request, died_form, family, item, outcome=Outcome.DIED,
                member=died_form.cleaned_data["member"],
            )  # fmt: skip
            if recorded is not None:
                messages.success(request, _confirmation(recorded))
                return HttpResponseRedirect(_list_url(week, region_code))
    elif request.method == "POST":
        return HttpResponseRedirect(_family_url(family.pk, week, region_code))
    if identity:  # every view of unmasked identity numbers is in the audit trail
        audit_record(
            actor=request.user, action=AuditAction.VIEW_IDENTITY, obj=family,
            region_code=family.village.code,
        )  # fmt: skip
    view = _family_view(found, can_change) if found is not None else None
    history = list(
        selectors.visits_of_family(family_id=family.pk).select_related(
            "service", "member", "couple__wife"
        )[:50]
    )
    head = members.filter(relation=Relation.HEAD).values_list("name", flat=True).first()
    context = {
        "family": family,
        "person": found.person if found is not None else head,
        "fv": view,
        "kk_shown": family.kk_number if identity else mask(family.kk_number),
        "week": week,
        "week_error": week_error,
        "region_code": region_code,
        "list_query": _list_query(week, region_code),
        "list_url": _list_url(week, region_code),
        "item": item,
        "action": action,
        "serve_form": serve_form,
        "died_form": died_form,
        "history": history,
        "can_change": can_change,
        "htmx": False,
        "back": "family",
    }
    return render(request, "visits/due_family.html", context)


def _serve_initial(item: DueItem) -> dict[str, object]:
    couple = Couple.objects.filter(pk=item.couple_id).values("status", "method").first() or {}
    using = couple.get("status") == KBStatus.USING and couple.get("method")
    # A device at the end of its life is replaced: a new insertion, which restarts its life.
    repeat = using and item.rule.kind != RuleKind.DEVICE_END
    return {
        "method": couple.get("method", "") if using else "",
        "product": item.product if using else "",
        "visit_type": VisitType.REPEAT if repeat else VisitType.NEW,
    }


def _record(
    request: HttpRequest,
    form: ServeForm | DiedForm,
    family: Family,
    item: DueItem,
    *,
    outcome: str,
    **extra: object,
) -> Visit | None:
    """Record the outcome of ``item``; on refusal put the reasons into ``form``."""
    couple = Couple.objects.filter(family=family, pk=item.couple_id).first()
    try:
        return services.visit_record(
            actor=request.user,  # type: ignore[arg-type]
            family=family, outcome=outcome, couple=couple, rule=item.rule, due_on=item.due_on,
            visited_on=form.cleaned_data["visited_on"], **extra,  # type: ignore[arg-type]
        )  # fmt: skip
    except ValidationError as error:
        errors_into(form, _renamed(error, {"served_on": "visited_on"}))
        return None
