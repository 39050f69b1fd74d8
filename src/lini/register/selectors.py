"""Reads of the register: what a user may see, searches, and the contraceptive history by month."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.register.choices import KBStatus
from lini.register.models import ContraceptiveEvent, Couple, Family, Member


def families_visible_to(user: object, *, action: Action = Action.VIEW) -> QuerySet[Family]:
    return scope.restrict(Family.objects.all(), user, action, field="village__code")  # type: ignore[arg-type]


def family_search(
    *, families: QuerySet[Family], query: str, whole_numbers_only: bool = False
) -> QuerySet[Family]:
    """By name (of any member), NIK, No. KK or address. Numbers match by their start, or only
    whole when ``whole_numbers_only`` (roles that may not see identity numbers must not be able
    to rebuild one digit by digit)."""
    query = " ".join(query.split())
    if not query:
        return families
    # No join of the members (it needs DISTINCT over whole rows: 0.4 s for a village of 2,500
    # families on SQLite): a whole NIK is looked up by its index, a part of a NIK or of a name
    # through EXISTS, one look-up by family id per family of the list.
    members = Member.objects.filter(family=OuterRef("pk"))
    digits = query.replace(" ", "")
    if digits.isdigit():
        if whole_numbers_only:
            owners = Member.objects.filter(nik=digits).values("family_id")
            return families.filter(Q(kk_number=digits) | Q(pk__in=owners))
        return families.filter(
            Q(kk_number__startswith=digits) | Exists(members.filter(nik__startswith=digits))
        )
    return families.filter(
        Exists(members.filter(name__icontains=query)) | Q(address__icontains=query)
    )


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def is_pus(wife_birth_date: dt.date, *, on: dt.date) -> bool:
    """Whether a married woman born on ``wife_birth_date`` is of PUS age on ``on``."""
    age = (
        on.year
        - wife_birth_date.year
        - ((on.month, on.day) < (wife_birth_date.month, wife_birth_date.day))
    )
    return settings.LINI_PUS_MIN_AGE <= age <= settings.LINI_PUS_MAX_AGE


def couples_with_status_on(*, couples: QuerySet[Couple], day: dt.date) -> QuerySet[Couple]:
    """``couples`` annotated with ``status_then``, ``method_then`` and ``reason_then``: their
    status on ``day`` as the history tells it (empty when nothing was recorded by then)."""
    latest = ContraceptiveEvent.objects.filter(
        couple=OuterRef("pk"), effective_on__lte=day
    ).order_by("-effective_on", "-pk")
    return couples.annotate(
        status_then=Subquery(latest.values("status")[:1]),
        method_then=Subquery(latest.values("method")[:1]),
        reason_then=Subquery(latest.values("reason")[:1]),
    )


@dataclass
class MonthFlows:
    """What happened to the couples' contraception in one month."""

    new_acceptors: int = 0  # started a method, having used none before (PB)
    dropouts: int = 0  # stopped using
    switches: int = 0  # changed from one method to another
    users_at_end: int = 0
    non_users_at_end: int = 0


def month_flows(*, couples: QuerySet[Couple], month: dt.date) -> MonthFlows:
    """New acceptors, dropouts and switches in ``month`` and the status at its end."""
    first, last = month.replace(day=1), month_end(month)
    before = couples_with_status_on(couples=couples, day=first - dt.timedelta(days=1))
    previous = {
        pk: (status or "", method or "")
        for pk, status, method in before.values_list("pk", "status_then", "method_then")
    }
    events = (
        ContraceptiveEvent.objects.filter(
            couple__in=couples.values("pk"), effective_on__range=(first, last)
        )
        .order_by("couple_id", "effective_on", "pk")
        .values_list("couple_id", "status", "method")
    )
    flows = MonthFlows()
    state = dict(previous)
    changes: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for couple_id, status, method in events:
        changes[couple_id].append((status, method))
    for couple_id, steps in changes.items():
        status_before, method_before = state.get(couple_id, ("", ""))
        for status, method in steps:
            if status == KBStatus.USING and status_before != KBStatus.USING:
                flows.new_acceptors += 1
            elif status == KBStatus.USING and method != method_before:
                flows.switches += 1
            elif status == KBStatus.NOT_USING and status_before == KBStatus.USING:
                flows.dropouts += 1
            status_before, method_before = status, method
        state[couple_id] = (status_before, method_before)
    for status, _method in state.values():
        if status == KBStatus.USING:
            flows.users_at_end += 1
        elif status == KBStatus.NOT_USING:
            flows.non_users_at_end += 1
    return flows
