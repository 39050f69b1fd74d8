"""Reads of the due lists, cut to what the user may see (:mod:`lini.accounts.scope`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import subtree_q
from lini.register.identity import mask
from lini.visits.due import DueItem, Week, due_items
from lini.visits.models import DueRule, Visit


class TooWideError(Exception):
    """The chosen region holds more villages than one due list covers."""

    def __init__(self, villages: int) -> None:
        super().__init__(
            _(
                "A due list covers at most %(limit)s villages and this choice holds %(count)s: "
                "choose a district or a village."
            )
            % {"limit": settings.LINI_DUE_MAX_VILLAGES, "count": villages}
        )
        self.villages = villages


@dataclass
class DueFamily:
    """One family of the list with all its items (a family is visited once for all of them)."""

    family_id: int
    village_id: int
    kk_number: str  # masked unless the user may see identity numbers
    person: str
    address: str
    items: list[DueItem] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return any(item.overdue for item in self.items)

    @property
    def due_since(self) -> dt.date:
        return min(item.due_on for item in self.items)


@dataclass
class DueGroup:
    """The families of one dusun / RW / RT, in walking order."""

    village: str
    dusun: str
    rw: str
    rt: str
    families: list[DueFamily] = field(default_factory=list)

    @property
    def label(self) -> str:
        parts = [self.village]
        if self.dusun:
            parts.append(_("Dusun %(name)s") % {"name": self.dusun})
        if self.rw:
            parts.append(_("RW %(number)s") % {"number": self.rw})
        if self.rt:
            parts.append(_("RT %(number)s") % {"number": self.rt})
        return " · ".join(parts)


@dataclass
class DueList:
    week: Week
    reference_day: dt.date
    regions: list[Region]
    items: list[DueItem]
    groups: list[DueGroup]

    @property
    def families(self) -> int:
        return sum(len(g.families) for g in self.groups)

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue)

    @property
    def dropout_risk(self) -> int:
        return sum(1 for item in self.items if item.dropout_risk)


def list_regions(user: object) -> QuerySet[Region]:
    """The regions a user may ask a due list for (their own and everything below them, down to
    villages)."""
    regions = Region.objects.filter(
        level__in=(
            RegionLevel.PROVINCE,
            RegionLevel.REGENCY,
            RegionLevel.DISTRICT,
            RegionLevel.VILLAGE,
        )
    )
    return scope.restrict(regions, user, Action.VIEW)  # type: ignore[arg-type]


def list_villages(*, user: object, region: Region | None) -> list[Region]:
    """The villages of the list: those of ``region`` (or of the whole scope) the user may see.
    Raises PermissionDenied out of scope, :class:`TooWideError` beyond ``LINI_DUE_MAX_VILLAGES``."""
    villages = scope.restrict(
        Region.objects.filter(level=RegionLevel.VILLAGE),
        user,
        Action.VIEW,  # type: ignore[arg-type]
    )
    if region is not None:
        if not scope.can(user, Action.VIEW, region):  # type: ignore[arg-type]
            raise PermissionDenied
        villages = villages.filter(subtree_q([region.code]))
    count = villages.count()
    if count > settings.LINI_DUE_MAX_VILLAGES:
        raise TooWideError(count)
    return list(villages.order_by("code"))


def due_list(
    *, user: object, week: Week, region: Region | None = None, today: dt.date | None = None
) -> DueList:
    """The user's due list for ``week``: the families of their villages (or of ``region``) with
    what each is due for, grouped by village, dusun, RW and RT in walking order."""
    villages = list_villages(user=user, region=region)
    names = {v.pk: v.name for v in villages}
    items = due_items(village_ids=list(names), week=week, today=today)
    identity = {v.pk: scope.can(user, Action.VIEW_IDENTITY, v) for v in villages}  # type: ignore[arg-type]
    groups: list[DueGroup] = []
    by_family: dict[int, DueFamily] = {}
    for item in sorted(
        items, key=lambda i: (names[i.village_id], i.dusun, i.rw, i.rt, i.family_id, i.due_on)
    ):
        place = (names[item.village_id], item.dusun, item.rw, item.rt)
        if (
            not groups
            or (groups[-1].village, groups[-1].dusun, groups[-1].rw, groups[-1].rt) != place
        ):
            groups.append(DueGroup(*place))
        family = by_family.get(item.family_id)
        if family is None:
            family = DueFamily(
                family_id=item.family_id,
                village_id=item.village_id,
                kk_number=item.kk_number if identity[item.village_id] else mask(item.kk_number),
                person=item.person,
                address=item.address,
            )
            by_family[item.family_id] = family
            groups[-1].families.append(family)
        family.items.append(item)
    return DueList(
        week=week,
        reference_day=week.reference_day(today),
        regions=[region] if region is not None else villages,
        items=items,
        groups=groups,
    )


def rules_all() -> QuerySet[DueRule]:
    """Every due-list rule in the order of the rules page, with who changed it last."""
    return DueRule.objects.select_related("updated_by").order_by("position", "code")


def visits_of_family(*, family_id: int) -> QuerySet[Visit]:
    return Visit.objects.filter(family_id=family_id).select_related("rule", "recorded_by")
