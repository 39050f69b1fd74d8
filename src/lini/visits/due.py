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
``grace_days``; for a resupply that means the couple is at risk of dropping out. An item that
comes back after a counselled or refused visit starts a new cycle due on its next date (a
resupply does not: it stays late until the client is served).

The computation takes a fixed number of queries for any set of villages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Min, Q, QuerySet
from django.utils.translation import gettext as _

from lini.core import clock
from lini.kb.choices import PRODUCT_METHOD, VisitType
from lini.kb.models import Service
from lini.poktan.models import Poktan, PoktanMember
from lini.poktan.selectors import AGE_RULES, birth_range
from lini.register.choices import UNMET_NEED, KBStatus, Method, Presence, Relation
from lini.register.models import ContraceptiveEvent, Couple, Family, Member
from lini.visits.choices import CONTACT_OUTCOMES, SUPPLY_KINDS, Outcome, RuleKind
from lini.visits.models import DueRule, Visit
from lini.visits.rules import rule_bring, rule_title

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
MIN_YEAR, MAX_YEAR = 1900, 2100  # weeks outside are typing mistakes (and break date arithmetic)
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
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(
                _("Choose a week between %(first)s and %(last)s.")
                % {"first": MIN_YEAR, "last": MAX_YEAR}
            )
        try:
            dt.date.fromisocalendar(year, number, 7)
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
    births: list[dt.date] = field(default_factory=list)  # of the members living in it
    couples: list[_Couple] = field(default_factory=list)


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _rows(queryset: QuerySet[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of a ``values_list`` queryset straight from the cursor (the ORM's per-value
    converters cost more than the computation); dates come back as dates (SQLite's declared
    types, or the driver's), timestamps are not selected through here."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(5000):
            yield from chunk


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _load_families(
    village_ids: Sequence[int], family_ids: Iterable[int] | None
) -> dict[int, _Family]:
    """The families with someone living in them, their head, the birth dates of the members
    living there and their couples (not ended, wife living there): four queries."""
    families = Family.objects.filter(village_id__in=village_ids)
    members = Member.objects.filter(family__village_id__in=village_ids, presence=Presence.PRESENT)
    couples = Couple.objects.filter(
        family__village_id__in=village_ids, ended_on__isnull=True, wife__presence=Presence.PRESENT
    )
    if family_ids is not None:
        wanted = list(family_ids)
        families = families.filter(pk__in=wanted)
        members = members.filter(family_id__in=wanted)
        couples = couples.filter(family_id__in=wanted)
    found: dict[int, _Family] = {}
    undated: list[int] = []
    for row in _rows(
        families.values_list(
            "pk", "village_id", "kk_number", "dusun", "rw", "rt", "address", "collected_on"
        )
    ):
        found[row[0]] = _Family(*row[:7], _date(row[7]), created_on=dt.date.min)  # type: ignore[arg-type]
        if row[7] is None:
            undated.append(row[0])
    # The creation day stands in for a missing collection date (timestamps are slow to read).
    if undated:
        for pk, created_at in families.filter(collected_on__isnull=True).values_list(
            "pk", "created_at"
        ):
            found[pk].created_on = created_at.date()
    living: set[int] = set()
    head_position: dict[int, int] = {}
    for family_id, birth, relation, name, position in _rows(
        members.values_list("family_id", "birth_date", "relation", "name", "position")
    ):
        family = found.get(family_id)
        if family is None:
            continue
        living.add(family_id)
        family.births.append(_date(birth))  # type: ignore[arg-type]
        if relation == Relation.HEAD and position < head_position.get(family_id, 1 << 30):
            head_position[family_id] = position
            family.head = name
    for row in _rows(couples.values_list(
        "pk", "family_id", "status", "method", "reason", "status_since", "wife__name",
        "wife__birth_date",
    )):  # fmt: skip
        family = found.get(row[1])
        if family is not None:
            family.couples.append(_Couple(*row[:5], _date(row[5]), row[6], _date(row[7])))  # type: ignore[arg-type]
    return {pk: family for pk, family in found.items() if pk in living}


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
    for couple_id, family_id, served, method, product, visit_type in _rows(rows):
        served_on: dt.date = _date(served)  # type: ignore[assignment]
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


def _latest_birth(family: _Family, since: dt.date, until: dt.date) -> dt.date | None:
    """The latest birth of a member living in the family between the two days."""
    found = [birth for birth in family.births if since <= birth <= until]
    return max(found) if found else None


@dataclass
class _Poktan:
    """Per kind: when each village's first group of the kind was formed, and the families that
    belong to a group of the kind on the day."""

    formed: dict[str, dict[int, dt.date]] = field(default_factory=dict)
    members: dict[str, set[int]] = field(default_factory=dict)


def _load_poktan(village_ids: Sequence[int], kinds: set[str], day: dt.date) -> _Poktan:
    found = _Poktan({kind: {} for kind in kinds}, {kind: set() for kind in kinds})
    if not kinds:
        return found
    groups = Poktan.objects.filter(village_id__in=village_ids, kind__in=kinds).filter(
        Q(formed_on__isnull=True) | Q(formed_on__lte=day)
    )
    for kind, village_id, formed_on, created_at in groups.values_list(
        "kind", "village_id", "formed_on", "created_at"
    ):
        began = formed_on or created_at.date()
        if began < found.formed[kind].get(village_id, dt.date.max):
            found.formed[kind][village_id] = began
    memberships = (
        PoktanMember.objects.filter(poktan__village_id__in=village_ids, poktan__kind__in=kinds)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=day))
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
    )
    for kind, family_id in memberships.values_list("poktan__kind", "family_id"):
        found.members[kind].add(family_id)
    return found


def _poktan_since(family: _Family, kind: str, day: dt.date, poktan: _Poktan) -> dt.date | None:
    """When a family that fits a group of ``kind`` on ``day`` and belongs to none became due:
    the day it began to fit (the youngest fitting member's birth for BKB, the day a member
    reached the lower age for BKR and BKL), not before the village's first group of the kind
    (a family cannot be invited to a group that does not exist). None: not due."""
    formed = poktan.formed[kind].get(family.village_id)
    if formed is None or family.id in poktan.members[kind]:
        return None
    found_range = birth_range(kind, day)
    if found_range is None:
        return None
    earliest, latest = found_range
    youngest_age = AGE_RULES[kind][0] or 0
    began = [
        _years_later(birth, youngest_age)
        for birth in family.births
        if birth <= latest and (earliest is None or birth >= earliest)
    ]
    return max(min(began), formed) if began else None


@dataclass
class _Visits:
    latest: dict[tuple[int, int, int], tuple[dt.date, str]] = field(default_factory=dict)
    family_last: dict[int, tuple[dt.date, str]] = field(default_factory=dict)  # any outcome
    family_met: dict[int, dt.date] = field(default_factory=dict)  # someone was met


def _load_visits(village_ids: Sequence[int], until: dt.date) -> _Visits:
    found = _Visits()
    rows = (
        Visit.objects.filter(family__village_id__in=village_ids, visited_on__lte=until)
        .order_by("visited_on", "pk")
        .values_list("rule_id", "family_id", "couple_id", "visited_on", "outcome")
    )
    for rule_id, family_id, couple_id, visited_on, outcome in rows:
        found.family_last[family_id] = (visited_on, outcome)
        if outcome in CONTACT_OUTCOMES:  # someone was met (not "not at home")
            found.family_met[family_id] = visited_on
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
    poktan = _load_poktan(
        village_ids, {r.poktan_kind for r in rules if r.kind == RuleKind.POKTAN}, ref
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
        next_on = cycle_due = due
        visit = visits.latest.get((rule.pk, family.id, couple.id if couple else 0))
        if visit is not None and visit[0] >= anchor:
            visited_on, outcome = visit
            if outcome in SNOOZING:
                next_on = max(due, visited_on + dt.timedelta(days=rule.repeat_days))
                if rule.kind not in SUPPLY_KINDS:
                    # Counselled (or referred): that visit was done; the next one is a new
                    # cycle, overdue only after its own grace. A resupply stays late until
                    # the client is served.
                    cycle_due = next_on
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
                rt=family.rt, address=family.address, anchor=anchor, due_on=cycle_due,
                next_on=next_on, overdue=ref > cycle_due + dt.timedelta(days=rule.grace_days),
                last_contact=contact_on, last_outcome=outcome, **extra,
            )
        )  # fmt: skip

    # Which couples each kind of rule looks at, indexed once.
    pairs = [(family, couple) for family in families.values() for couple in family.couples]
    using: dict[str, list[tuple[_Family, _Couple]]] = defaultdict(list)
    for family, couple in pairs:
        if couple.status == KBStatus.USING and couple.since is not None:
            using[couple.method].append((family, couple))
    unmet = [
        (family, couple)
        for family, couple in pairs
        if couple.status == KBStatus.NOT_USING
        and couple.reason in UNMET_NEED
        and couple.since is not None
        and pus(couple)
    ]
    for rule in rules:
        kind = str(rule.kind)
        if kind in (RuleKind.RESUPPLY, RuleKind.DEVICE_CHECK, RuleKind.DEVICE_END):
            for family, couple in using.get(rule.method, ()):
                _add_supply_item(rule, kind, family, couple, services, add)
        elif kind == RuleKind.UNMET_NEED:
            for family, couple in unmet:
                add(rule, family, couple, couple.since)  # type: ignore[arg-type]
        elif kind == RuleKind.NEWLY_MARRIED:
            # A couple that appeared in the register after its family's data collection: a
            # marriage recorded since (the register keeps no wedding date).
            for family, couple in pairs:
                first = first_recorded.get(couple.id)
                registered = family.collected_on or family.created_on
                if (
                    first is not None
                    and first > registered
                    and pus(couple)
                    and (couple.status != KBStatus.USING or couple.method in NOT_YET_PROTECTED)
                ):
                    add(rule, family, couple, first)
        elif kind == RuleKind.POKTAN:
            for family in families.values():
                began = _poktan_since(family, rule.poktan_kind, ref, poktan)
                if began is not None:
                    add(rule, family, None, began)
        elif kind == RuleKind.NOT_VISITED:
            for family in families.values():
                # Met someone (a visit where nobody was at home is no contact) or served.
                known = [
                    d
                    for d in (
                        visits.family_met.get(family.id),
                        services.family_last.get(family.id),
                        family.collected_on,
                    )
                    if d is not None
                ]
                add(rule, family, None, max(known) if known else family.created_on)
        elif kind == RuleKind.POSTPARTUM:
            since = ref - dt.timedelta(days=rule.interval_days + rule.window_days)
            for family in families.values():
                born = _latest_birth(family, since, end)
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
    return _sorted_and_capped(items)


def _add_supply_item(
    rule: DueRule,
    kind: str,
    family: _Family,
    couple: _Couple,
    services: _Services,
    add: Callable[..., None],
) -> None:
    """A current user's resupply, check-up or end-of-life item, when the rule fits its product."""
    product = services.product.get(couple.id, "")
    if not _rule_matches(rule, couple, product):
        return
    since: dt.date = couple.since  # type: ignore[assignment]
    extra = {"method": couple.method, "product": product or rule.product}
    if kind == RuleKind.RESUPPLY:
        add(rule, family, couple, max(services.last.get(couple.id, since), since), **extra)
    elif kind == RuleKind.DEVICE_CHECK:
        inserted = services.inserted.get(couple.id, since)
        checked = services.checked.get(couple.id)
        if checked is None or checked <= inserted:
            add(rule, family, couple, inserted, **extra)
    else:
        add(rule, family, couple, services.inserted.get(couple.id, since), **extra)


def _sort_key(item: DueItem) -> tuple[object, ...]:
    return (item.dusun, item.rw, item.rt, item.family_id, item.due_on, item.rule.position)


def _sorted_and_capped(items: list[DueItem]) -> list[DueItem]:
    """The oldest ``per_week`` items of each capped rule in each village, then everything in
    walking order."""
    by_rule: dict[tuple[int, int], list[DueItem]] = defaultdict(list)
    for item in items:
        by_rule[(item.rule.pk, item.village_id)].append(item)
    kept: list[DueItem] = []
    for rule_items in by_rule.values():
        rule = rule_items[0].rule
        if rule.per_week:
            rule_items.sort(key=lambda i: (i.due_on, i.family_id))
            rule_items = rule_items[: rule.per_week]
        kept.extend(rule_items)
    kept.sort(key=_sort_key)
    return kept
