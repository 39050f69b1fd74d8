"""The due list: which families of some villages should be visited in a week, and why.

Computed on demand from the register (couples, members), the KB services, the poktan
memberships and the home visits, with the rules of :class:`~lini.visits.models.DueRule`. Each
item has an *anchor* (the last service, the insertion, the birth, the last contact, ...), a *due
date* (anchor + ``interval_days``) and, once a visit moved it, a *next date*:

- a counselled, refused or served visit (or a move or death recorded from the list) on or after
  the anchor moves the item to the visit + ``repeat_days``; a service that re-anchors the item
  (a repeat injection, a resupply) starts a new cycle instead;
- a visit where nobody was at home moves it to the visit + ``LINI_DUE_NOT_HOME_DAYS``.

An item is on a week's list when its next date is on or before the week's Sunday and its due
date + ``window_days`` (when set) has not passed on the *reference day*: today when today lies in
the week, otherwise the week's Monday. It is overdue when the reference day is past its due date +
``grace_days``; for a resupply that means the couple is at risk of dropping out.

The computation takes a fixed number of queries for any set of villages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Min, Q
from django.utils.translation import gettext as _

from lini.core import clock
from lini.kb.choices import PRODUCT_METHOD, VisitType
from lini.kb.models import Service
from lini.poktan.models import PoktanMember
from lini.poktan.selectors import AGE_RULES, birth_range
from lini.register.choices import UNMET_NEED, KBStatus, Method, Presence, Relation
from lini.register.models import ContraceptiveEvent, Couple, Family, Member
from lini.visits.choices import SUPPLY_KINDS, Outcome, RuleKind
from lini.visits.models import DueRule, Visit
from lini.visits.rules import rule_bring, rule_title

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
SNOOZING = frozenset(
    {Outcome.SERVED, Outcome.COUNSELLED, Outcome.REFUSED, Outcome.MOVED, Outcome.DIED}
)
# Methods after which a recent mother still needs post-partum KB counselling.
NOT_YET_PROTECTED = frozenset({Method.MAL, Method.TRADITIONAL})


@dataclass(frozen=True)
class Week:
    """An ISO week, Monday to Sunday."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Week:
        """``2019-W44`` -> Week; ValueError with a readable message otherwise."""
        found = WEEK_RE.match(text.strip())
        if found is None:
            raise ValueError(_("Write the week as YYYY-Www, for example 2019-W44."))
        year, number = int(found.group(1)), int(found.group(2))
        try:
            dt.date.fromisocalendar(year, number, 1)
        except ValueError:
            raise ValueError(
                _("%(year)s has no week %(number)s.") % {"year": year, "number": number}
            ) from None
        return cls(year, number)

    @classmethod
    def of(cls, day: dt.date) -> Week:
        year, number, _weekday = day.isocalendar()
        return cls(year, number)

    @property
    def start(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def end(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 7)

    def shifted(self, weeks: int) -> Week:
        return Week.of(self.start + dt.timedelta(weeks=weeks))

    def reference_day(self, today: dt.date | None = None) -> dt.date:
        """Today when today lies in the week, otherwise its Monday."""
        today = today if today is not None else clock.today()
        return today if self.start <= today <= self.end else self.start

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"


@dataclass
class DueItem:
    """One reason to visit one family (about one of its couples, or the family itself)."""

    rule: DueRule
    family_id: int
    couple_id: int | None
    village_id: int
    kk_number: str
    person: str  # the wife for a couple's item, the head for the family's
    dusun: str
    rw: str
    rt: str
    address: str
    anchor: dt.date
    due_on: dt.date
    next_on: dt.date
    overdue: bool
    method: str = ""
    product: str = ""
    last_contact: dt.date | None = None
    last_outcome: str = ""

    @property
    def title(self) -> str:
        return rule_title(self.rule)

    @property
    def bring(self) -> str:
        return rule_bring(self.rule)

    @property
    def dropout_risk(self) -> bool:
        return self.overdue and self.rule.kind in SUPPLY_KINDS

    @property
    def overdue_since(self) -> dt.date:
        return self.due_on + dt.timedelta(days=self.rule.grace_days + 1)

    @property
    def key(self) -> str:
        """Stable id of the item on a page: rule, family, couple."""
        return f"{self.rule.pk}-{self.family_id}-{self.couple_id or 0}"

    @property
    def one_tap_service(self) -> bool:
        """Whether "served" can be recorded at once (a repeat of the current method)."""
        return self.rule.kind in (RuleKind.RESUPPLY, RuleKind.DEVICE_CHECK) and bool(self.method)


@dataclass
class _Couple:
    id: int
    family_id: int
    status: str
    method: str
    reason: str
    since: dt.date | None
    wife: str
    wife_birth: dt.date


@dataclass
class _Family:
    id: int
    village_id: int
    kk_number: str
    dusun: str
    rw: str
    rt: str
    address: str
    collected_on: dt.date | None
    created_on: dt.date
    head: str = ""
    couples: list[_Couple] = field(default_factory=list)


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _load_families(
    village_ids: Sequence[int], family_ids: Iterable[int] | None
) -> dict[int, _Family]:
    families = Family.objects.filter(village_id__in=village_ids).filter(
        members__presence=Presence.PRESENT
    )
    if family_ids is not None:
        families = families.filter(pk__in=list(family_ids))
    found: dict[int, _Family] = {}
    for row in families.distinct().values_list(
        "pk", "village_id", "kk_number", "dusun", "rw", "rt", "address", "collected_on",
        "created_at",
    ):  # fmt: skip
        found[row[0]] = _Family(*row[:8], created_on=row[8].date())
    heads = Member.objects.filter(
        family__village_id__in=village_ids, relation=Relation.HEAD
    ).order_by("position")
    for family_id, name in heads.values_list("family_id", "name"):
        family = found.get(family_id)
        if family is not None and not family.head:
            family.head = name
    couples = Couple.objects.filter(
        family__village_id__in=village_ids, ended_on__isnull=True, wife__presence=Presence.PRESENT
    )
    for row in couples.values_list(
        "pk", "family_id", "status", "method", "reason", "status_since", "wife__name",
        "wife__birth_date",
    ):  # fmt: skip
        family = found.get(row[1])
        if family is not None:
            family.couples.append(_Couple(*row))
    return found


@dataclass
class _Services:
    """Per couple, the services of its current method since the current use began."""

    last: dict[int, dt.date] = field(default_factory=dict)  # latest service (not a removal)
    inserted: dict[int, dt.date] = field(default_factory=dict)  # latest insertion (new, switch...)
    checked: dict[int, dt.date] = field(default_factory=dict)  # latest repeat visit
    product: dict[int, str] = field(default_factory=dict)  # latest recorded product
    family_last: dict[int, dt.date] = field(default_factory=dict)  # latest service, any couple


def _load_services(couples: dict[int, _Couple], village_ids: Sequence[int]) -> _Services:
    found = _Services()
    rows = (
        Service.objects.filter(couple__family__village_id__in=village_ids)
        .order_by("served_on", "pk")
        .values_list(
            "couple_id", "couple__family_id", "served_on", "method", "product", "visit_type"
        )
    )
    for couple_id, family_id, served_on, method, product, visit_type in rows:
        found.family_last[family_id] = served_on
        couple = couples.get(couple_id)
        if couple is None or couple.status != KBStatus.USING or method != couple.method:
            continue
        if visit_type == VisitType.REMOVAL or (couple.since and served_on < couple.since):
            continue
        found.last[couple_id] = served_on
        if visit_type == VisitType.REPEAT:
            found.checked[couple_id] = served_on
        else:
            found.inserted[couple_id] = served_on
        if product:
            found.product[couple_id] = product
    return found


def _rule_matches(rule: DueRule, couple: _Couple, product: str) -> bool:
    if couple.status != KBStatus.USING or couple.method != rule.method:
        return False
    if not rule.product:
        return True
    if product:
        return product == rule.product and PRODUCT_METHOD.get(product) == rule.method
    return rule.unknown_product


def _first_recorded(couple_ids: list[int]) -> dict[int, dt.date]:
    rows = (
        ContraceptiveEvent.objects.filter(couple_id__in=couple_ids)
        .values("couple_id")
        .annotate(first=Min("effective_on"))
        .values_list("couple_id", "first")
    )
    return dict(rows)


def _births(village_ids: Sequence[int], since: dt.date, until: dt.date) -> dict[int, dt.date]:
    """Per family, the latest birth of a member living in it between the two days."""
    rows = Member.objects.filter(
        family__village_id__in=village_ids,
        presence=Presence.PRESENT,
        birth_date__gte=since,
        birth_date__lte=until,
    ).values_list("family_id", "birth_date")
    found: dict[int, dt.date] = {}
    for family_id, birth in rows:
        if birth > found.get(family_id, dt.date.min):
            found[family_id] = birth
    return found


def _poktan_due(village_ids: Sequence[int], kind: str, day: dt.date) -> dict[int, dt.date]:
    """Families that fit a group of ``kind`` on ``day`` and belong to none of that kind, with the
    day they began to fit (the youngest fitting member's birth for BKB, the day a member reached
    the lower age for BKR and BKL)."""
    found_range = birth_range(kind, day)
    if found_range is None:
        return {}
    earliest, latest = found_range
    members = Member.objects.filter(
        family__village_id__in=village_ids, presence=Presence.PRESENT, birth_date__lte=latest
    )
    if earliest is not None:
        members = members.filter(birth_date__gte=earliest)
    youngest_age = AGE_RULES[kind][0] or 0
    since: dict[int, dt.date] = {}
    for family_id, birth in members.values_list("family_id", "birth_date"):
        began = _years_later(birth, youngest_age)
        if began < since.get(family_id, dt.date.max):
            since[family_id] = began
    belonging = set(
        PoktanMember.objects.filter(poktan__kind=kind, family_id__in=list(since))
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=day))
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .values_list("family_id", flat=True)
    )
    return {family_id: began for family_id, began in since.items() if family_id not in belonging}


@dataclass
class _Visits:
    latest: dict[tuple[int, int, int], tuple[dt.date, str]] = field(default_factory=dict)
    family_last: dict[int, tuple[dt.date, str]] = field(default_factory=dict)


def _load_visits(village_ids: Sequence[int], until: dt.date) -> _Visits:
    found = _Visits()
    rows = (
        Visit.objects.filter(family__village_id__in=village_ids, visited_on__lte=until)
        .order_by("visited_on", "pk")
        .values_list("rule_id", "family_id", "couple_id", "visited_on", "outcome")
    )
    for rule_id, family_id, couple_id, visited_on, outcome in rows:
        found.family_last[family_id] = (visited_on, outcome)
        if rule_id is not None:
            found.latest[(rule_id, family_id, couple_id or 0)] = (visited_on, outcome)
    return found


def due_items(
    *,
    village_ids: Sequence[int],
    week: Week,
    rules: Sequence[DueRule] | None = None,
    family_ids: Iterable[int] | None = None,
    today: dt.date | None = None,
) -> list[DueItem]:
    """Every item due in ``week`` for the families of ``village_ids`` (optionally only
    ``family_ids``), sorted by dusun, RW, RT, family, due date. No scope check: callers pass
    villages the user may see (:func:`lini.visits.selectors.due_list`)."""
    if rules is None:
        rules = list(DueRule.objects.filter(active=True))
    village_ids = list(village_ids)
    ref = week.reference_day(today)
    end = week.end
    families = _load_families(village_ids, family_ids)
    couples = {c.id: c for f in families.values() for c in f.couples}
    services = _load_services(couples, village_ids)
    visits = _load_visits(village_ids, end)
    not_home_days = dt.timedelta(days=settings.LINI_DUE_NOT_HOME_DAYS)
    min_age, max_age = settings.LINI_PUS_MIN_AGE, settings.LINI_PUS_MAX_AGE

    def pus(couple: _Couple) -> bool:
        return min_age <= _age_on(couple.wife_birth, ref) <= max_age

    kinds = {rule.kind for rule in rules}
    first_recorded = _first_recorded(list(couples)) if RuleKind.NEWLY_MARRIED in kinds else {}
    postpartum = [r for r in rules if r.kind == RuleKind.POSTPARTUM]
    births = (
        _births(
            village_ids,
            ref - dt.timedelta(days=max(r.interval_days + r.window_days for r in postpartum)),
            end,
        )
        if postpartum
        else {}
    )
    items: list[DueItem] = []

    def last_contact(family_id: int) -> tuple[dt.date | None, str]:
        visit = visits.family_last.get(family_id)
        served = services.family_last.get(family_id)
        if visit is not None and (served is None or visit[0] >= served):
            return visit
        if served is not None:
            return served, Outcome.SERVED
        return None, ""

    def add(
        rule: DueRule, family: _Family, couple: _Couple | None, anchor: dt.date, **extra: str
    ) -> None:
        due = anchor + dt.timedelta(days=rule.interval_days)
        next_on = due
        visit = visits.latest.get((rule.pk, family.id, couple.id if couple else 0))
        if visit is not None and visit[0] >= anchor:
            visited_on, outcome = visit
            if outcome in SNOOZING:
                next_on = max(due, visited_on + dt.timedelta(days=rule.repeat_days))
            elif outcome == Outcome.NOT_HOME:
                next_on = max(due, visited_on + not_home_days)
        if next_on > end:
            return
        if rule.window_days and ref > due + dt.timedelta(days=rule.window_days):
            return
        contact_on, outcome = last_contact(family.id)
        items.append(
            DueItem(
                rule=rule, family_id=family.id, couple_id=couple.id if couple else None,
                village_id=family.village_id, kk_number=family.kk_number,
                person=couple.wife if couple else family.head, dusun=family.dusun, rw=family.rw,
                rt=family.rt, address=family.address, anchor=anchor, due_on=due, next_on=next_on,
                overdue=ref > due + dt.timedelta(days=rule.grace_days),
                last_contact=contact_on, last_outcome=outcome, **extra,
            )
        )  # fmt: skip

    for rule in rules:
        if rule.kind == RuleKind.POKTAN:
            for family_id, began in _poktan_due(village_ids, rule.poktan_kind, ref).items():
                family = families.get(family_id)
                if family is not None:
                    add(rule, family, None, began)
            continue
        for family in families.values():
            if rule.kind == RuleKind.NOT_VISITED:
                contact_on, _outcome = last_contact(family.id)
                known = [d for d in (contact_on, family.collected_on) if d is not None]
                add(rule, family, None, max(known) if known else family.created_on)
                continue
            if rule.kind == RuleKind.POSTPARTUM:
                born = births.get(family.id)
                if born is None:
                    continue
                mothers = [
                    c for c in family.couples
                    if pus(c) and c.wife_birth < born
                    and (c.status != KBStatus.USING or c.method in NOT_YET_PROTECTED)
                ]  # fmt: skip
                if mothers:
                    mother = max(mothers, key=lambda c: c.wife_birth)  # the youngest wife
                    add(rule, family, mother, born)
                continue
            for couple in family.couples:
                _add_couple_item(rule, family, couple, services, first_recorded, pus, ref, add)
    return _sorted_and_capped(items)


def _add_couple_item(rule, family, couple, services, first_recorded, pus, ref, add) -> None:  # type: ignore[no-untyped-def]
    kind = rule.kind
    if kind in (RuleKind.RESUPPLY, RuleKind.DEVICE_CHECK, RuleKind.DEVICE_END):
        product = services.product.get(couple.id, "")
        if not _rule_matches(rule, couple, product) or couple.since is None:
            return
        extra = {"method": couple.method, "product": product or rule.product}
        if kind == RuleKind.RESUPPLY:
            anchor = max(services.last.get(couple.id, couple.since), couple.since)
            add(rule, family, couple, anchor, **extra)
        elif kind == RuleKind.DEVICE_CHECK:
            inserted = services.inserted.get(couple.id, couple.since)
            checked = services.checked.get(couple.id)
            if checked is None or checked <= inserted:
                add(rule, family, couple, inserted, **extra)
        else:
            add(rule, family, couple, services.inserted.get(couple.id, couple.since), **extra)
    elif kind == RuleKind.UNMET_NEED:
        if (
            couple.status == KBStatus.NOT_USING
            and couple.reason in UNMET_NEED
            and couple.since is not None
            and pus(couple)
        ):
            add(rule, family, couple, couple.since)
    elif kind == RuleKind.NEWLY_MARRIED:
        first = first_recorded.get(couple.id)
        if (
            first is not None
            and pus(couple)
            and _age_on(couple.wife_birth, ref) < 30
            and (couple.status != KBStatus.USING or couple.method in NOT_YET_PROTECTED)
        ):
            add(rule, family, couple, first)


def _sort_key(item: DueItem) -> tuple[object, ...]:
    return (item.dusun, item.rw, item.rt, item.family_id, item.due_on, item.rule.position)


def _sorted_and_capped(items: list[DueItem]) -> list[DueItem]:
    """The oldest ``per_week`` items of each capped rule, then everything in walking order."""
    by_rule: dict[int, list[DueItem]] = defaultdict(list)
    for item in items:
        by_rule[item.rule.pk].append(item)
    kept: list[DueItem] = []
    for rule_items in by_rule.values():
        rule = rule_items[0].rule
        if rule.per_week:
            rule_items.sort(key=lambda i: (i.due_on, i.family_id))
            rule_items = rule_items[: rule.per_week]
        kept.extend(rule_items)
    kept.sort(key=_sort_key)
    return kept
