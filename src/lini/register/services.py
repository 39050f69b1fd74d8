"""Writes to the register from pages: the same records, checks and write path as the importer."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.models import AuditAction
from lini.audit.services import audit_record, changed_only, snapshot
from lini.core import clock
from lini.indicators.services import counts_refresh
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


def family_save(*, actor: User, record: FamilyRecord, version: int | None = None) -> Family:
    """Create or change a family (and its members) as the importer would, for one user.
    ``version``: the family's version the change was based on (the API gives it); a family saved
    since then is refused (a ``ValidationError`` with the code ``conflict``), nothing written."""
    village = Region.objects.get(pk=record.village_id)
    scope.require(actor, Action.CHANGE, village)
    problems = family_problems(record)
    if problems:
        raise ValidationError([p.message for p in problems])
    stored = Family.objects.filter(kk_number=record.kk_number).select_related("village").first()
    before = _audit_view(family_record(stored)) if stored is not None else None
    with transaction.atomic():
        if version is not None:
            current = (
                Family.objects.select_for_update()
                .filter(kk_number=record.kk_number)
                .values_list("version", flat=True)
                .first()
            )
            if current != version:
                raise ValidationError(
                    _(
                        "Someone else changed this family since you read it (version "
                        "%(theirs)s, yours %(yours)s). Read it again and redo your change."
                    )
                    % {"theirs": current, "yours": version},
                    code="conflict",
                )
        result = register_write(
            records=[record],
            source=EventSource.EDIT,
            by_id=actor.pk,
            allowed_village_ids=changeable_village_ids(actor),
        )
        if result.rejected:
            raise ValidationError([p.message for p in result.rejected[0][1]])
        family = Family.objects.select_related("village").get(kk_number=record.kk_number)
        if stored is not None and stored.village_id != family.village_id:
            counts_refresh([stored.village_id])  # the family moved: its old village too
        after = _audit_view(family_record(family))
        if before is None:
            audit_record(
                actor=actor, action=AuditAction.CREATE, obj=family, region_code=village.code,
                after=after,
            )  # fmt: skip
        elif before != after:
            old, new = changed_only(before, after)
            audit_record(
                actor=actor, action=AuditAction.CHANGE, obj=family, region_code=village.code,
                before=old, after=new,
            )  # fmt: skip
    return family


def _audit_view(record: FamilyRecord) -> dict[str, object]:
    """A family as the audit trail keeps it: its fields and its members by NIK."""
    data = dataclasses.asdict(record)
    members = data.pop("members")
    data.pop("village_code", None)
    for member in members:
        member.pop("line", None)
        member.pop("status", None)  # status changes are events, audited on their own
        data[f"member {member.pop('nik')}"] = member
    return data


def couple_status_change(
    *, actor: User, couple: Couple, status: StatusRecord, effective_on: dt.date
) -> ContraceptiveEvent:
    """Record a new contraceptive status of a couple (a dated event kept for ever)."""
    scope.require(actor, Action.CHANGE, couple.family.village)
    if effective_on > clock.today():
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
    with transaction.atomic():
        event = couple_status_record(
            couple=couple,
            status=status,
            effective_on=effective_on,
            source=EventSource.EDIT,
            by_id=actor.pk,
        )
        audit_record(
            actor=actor, action=AuditAction.CREATE, obj=event,
            region_code=couple.family.village.code, after=snapshot(event),
        )  # fmt: skip
    return event
