"""Reads of the workforce: who a user may see, who looks after a village, and what is due in the
villages of a counsellor (the monthly report, poktan meetings, the Kampung KB and its Rumah
DataKu)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.urls import NoReverseMatch
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.kampung.choices import RumahDataKuStatus
from lini.kampung.models import KampungKB
from lini.monthly.models import MonthlyInput, MonthlyStatus
from lini.poktan.models import Poktan
from lini.regions.models import Region
from lini.regions.selectors import subtree_q
from lini.workforce.models import Cadre, CadreKind, Counsellor

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User


def counsellors_visible_to(
    user: User | AnonymousUser | None, *, action: Action = Action.VIEW
) -> QuerySet[Counsellor]:
    """Counsellors based in the user's regions or looking after a village in them (a cadre sees
    the counsellor of her village, although the counsellor is based in the district)."""
    everyone = Counsellor.objects.all()
    based = scope.restrict(everyone, user, action, field="district__code").values("pk")
    visiting = scope.restrict(everyone, user, action, field="villages__code").values("pk")
    return Counsellor.objects.filter(Q(pk__in=based) | Q(pk__in=visiting))


def cadres_visible_to(
    user: User | AnonymousUser | None, *, action: Action = Action.VIEW
) -> QuerySet[Cadre]:
    return scope.restrict(Cadre.objects.all(), user, action, field="village__code")


def counsellor_search(
    *, counsellors: QuerySet[Counsellor], query: str = "", region: Region | None = None
) -> QuerySet[Counsellor]:
    """By name, NIP (its start) or phone; ``region``: based in it or looking after a village of it."""
    if region is not None:
        inside = Counsellor.objects.filter(
            subtree_q([region.code], field="district__code")
            | subtree_q([region.code], field="villages__code")
        ).values("pk")
        counsellors = counsellors.filter(pk__in=inside)
    query = " ".join(query.split())
    if query:
        digits = query.replace(" ", "").replace(".", "")
        condition = Q(name__icontains=query) | Q(phone__icontains=query)
        if digits.isdigit():
            condition |= Q(nip__startswith=digits)
        counsellors = counsellors.filter(condition)
    return counsellors


def village_people(village: Region) -> dict[str, Any]:
    """Who looks after ``village``: its active counsellors, PPKBD, Sub-PPKBD (by dusun/RW) and
    poktan cadres."""
    cadres = list(
        Cadre.objects.filter(village=village, active=True)
        .select_related("area", "user")
        .order_by("kind", "area__code", "name")
    )
    return {
        "village": village,
        "counsellors": list(
            Counsellor.objects.filter(villages=village, active=True)
            .select_related("district", "user")
            .order_by("name", "pk")
        ),
        "ppkbd": [c for c in cadres if c.kind == CadreKind.PPKBD],
        "sub_ppkbd": [c for c in cadres if c.kind == CadreKind.SUB_PPKBD],
        "poktan_cadres": [c for c in cadres if c.kind == CadreKind.POKTAN],
    }


# What is due ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    kind: str  # "monthly", "poktan", "kampung", "rumah_dataku"
    message: str
    url: str = ""


@dataclass
class VillageDue:
    village: Region
    items: list[DueItem] = field(default_factory=list)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def _url(get: Callable[[], str]) -> str:
    """A link to another app's page, or "" while that page does not exist."""
    try:
        return get()
    except NoReverseMatch:
        return ""


def counsellor_due(counsellor: Counsellor, today: dt.date) -> list[VillageDue]:
    """For each village the counsellor looks after (by code): what is due there on
    ``today``. Last month's report missing, still a draft or sent back; poktan groups without
    a meeting in the last ``LINI_POKTAN_ACTIVE_MONTHS`` months; no Kampung KB profile, or a
    Rumah DataKu that is not active. A few queries whatever the number of villages."""
    villages = list(counsellor.villages.order_by("code"))
    ids = [v.pk for v in villages]
    month = months_before(today.replace(day=1), 1)
    month_text = date_format(month, "YEAR_MONTH_FORMAT")
    inputs = {i.village_id: i for i in MonthlyInput.objects.filter(village_id__in=ids, month=month)}
    active_months = settings.LINI_POKTAN_ACTIVE_MONTHS
    since = months_before(today, active_months)
    groups: dict[int, list[Poktan]] = defaultdict(list)
    for group in (
        Poktan.objects.filter(village_id__in=ids)
        .annotate(last_meeting=Max("meetings__held_on"))
        .order_by("kind", "name", "pk")
    ):
        groups[group.village_id].append(group)
    kampungs = {k.village_id: k for k in KampungKB.objects.filter(village_id__in=ids)}

    result = []
    for village in villages:
        due = VillageDue(village=village)
        report = inputs.get(village.pk)
        if report is None:
            due.items.append(
                DueItem(
                    "monthly",
                    _("The monthly report of %(month)s is missing.") % {"month": month_text},
                )
            )
        elif report.status == MonthlyStatus.DRAFT:
            due.items.append(
                DueItem(
                    "monthly",
                    _("The monthly report of %(month)s is still a draft.") % {"month": month_text},
                    _url(report.get_absolute_url),
                )
            )
        elif report.status == MonthlyStatus.SENT_BACK:
            message = _("The monthly report of %(month)s was sent back for correction.") % {
                "month": month_text
            }
            if report.comment:
                message = f"{message} {report.comment}"
            due.items.append(DueItem("monthly", message, _url(report.get_absolute_url)))
        for group in groups.get(village.pk, []):
            if group.last_meeting is None:
                message = _("%(group)s: no meeting recorded.") % {"group": group}
            elif group.last_meeting < since:
                message = _("%(group)s: no meeting since %(date)s.") % {
                    "group": group,
                    "date": date_format(group.last_meeting, "DATE_FORMAT"),
                }
            else:
                continue
            due.items.append(DueItem("poktan", message, _url(group.get_absolute_url)))
        kampung = kampungs.get(village.pk)
        if kampung is None:
            due.items.append(DueItem("kampung", _("No Kampung KB profile.")))
        elif kampung.rumah_dataku != RumahDataKuStatus.ACTIVE:
            due.items.append(
                DueItem(
                    "rumah_dataku",
                    _("The Rumah DataKu is not active (%(status)s).")
                    % {"status": kampung.get_rumah_dataku_display()},
                    _url(kampung.get_absolute_url),
                )
            )
        result.append(due)
    return result
