"""Writes to the register from pages: the same records, checks and write path as the importer."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.regions.models import Region, RegionLevel
from lini.register.choices import EventSource, KBStatus, NotUsingReason
from lini.register.models import ContraceptiveEvent, Couple, Family
from lini.register.records import FamilyRecord, MemberRecord, StatusRecord, family_problems
from lini.register.writer import couple_status_record, register_write

if TYPE_CHECKING:
    from lini.accounts.models import User


def changeable_village_ids(actor: User) -> set[int] | None:
    """The villages ``actor`` may change (None: every village)."""
    if scope.user_scope(actor).national and scope.role_allows(actor, Action.CHANGE):
        return None
    villages = Region.objects.filter(level=RegionLevel.VILLAGE)
    return set(scope.restrict(villages, actor, Action.CHANGE).values_list("pk", flat=True))


def family_record(family: Family) -> FamilyRecord:
    """The stored family as a record, ready to be changed and saved again."""
    members = [
        MemberRecord(
            nik=m.nik, name=m.name, sex=m.sex, birth_date=m.birth_date, relation=m.relation,
            marital_status=m.marital_status, education=m.education, occupation=m.occupation,
            presence=m.presence, presence_date=m.presence_date, line=m.position,
        )
        for m in family.members.order_by("position", "pk")
    ]  # fmt: skip
    return FamilyRecord(
        kk_number=family.kk_number, village_id=family.village_id, village_code=family.village.code,
        dusun=family.dusun, rw=family.rw, rt=family.rt, address=family.address,
        collected_on=family.collected_on, collector_name=family.collector_name, members=members,
    )  # fmt: skip


def family_save(*, actor: User, record: FamilyRecord) -> Family:
    """Create or change a family (and its members) as the importer would, for one user."""
    village = Region.objects.get(pk=record.village_id)
    scope.require(actor, Action.CHANGE, village)
    problems = family_problems(record)
    if problems:
        raise ValidationError([p.message for p in problems])
    result = register_write(
        records=[record],
        source=EventSource.EDIT,
        by_id=actor.pk,
        allowed_village_ids=changeable_village_ids(actor),
    )
    if result.rejected:
        raise ValidationError([p.message for p in result.rejected[0][1]])
    return Family.objects.get(kk_number=record.kk_number)


def couple_status_change(
    *, actor: User, couple: Couple, status: StatusRecord, effective_on: dt.date
) -> ContraceptiveEvent:
    """Record a new contraceptive status of a couple (a dated event kept for ever)."""
    scope.require(actor, Action.CHANGE, couple.family.village)
    if effective_on > timezone.localdate():
        raise ValidationError({"effective_on": _("The date is in the future.")})
    if status.status == KBStatus.USING and not status.method:
        raise ValidationError({"method": _("a couple using KB needs the method")})
    if status.status == KBStatus.NOT_USING and not status.reason:
        raise ValidationError(
            {
                "reason": _("give the reason for not using: %(allowed)s")
                % {"allowed": ", ".join(NotUsingReason.values)}
            }
        )
    return couple_status_record(
        couple=couple,
        status=status,
        effective_on=effective_on,
        source=EventSource.EDIT,
        by_id=actor.pk,
    )
