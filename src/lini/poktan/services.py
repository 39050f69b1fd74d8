"""Writes of the poktan app: groups, their member families, meetings and guidance visits.

Every function takes the acting user first (``None``: the system, e.g. the demo or a command run
without ``--user``), checks that the user may change data of the group's village, validates
(a ``ValidationError`` whose keys are the form fields), writes in one transaction and records
the change in the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.models import AuditAction
from lini.audit.services import audit_change, audit_record, changed_only, snapshot
from lini.core import clock
from lini.poktan.models import (
    Poktan,
    PoktanEvent,
    PoktanEventKind,
    PoktanKind,
    PoktanMeeting,
    PoktanMember,
)
from lini.poktan.selectors import family_qualifies, member_families_on, not_qualified_message
from lini.regions.codes import is_within
from lini.regions.models import Region, RegionLevel

if TYPE_CHECKING:
    from lini.accounts.models import User
    from lini.kampung.models import KampungKB
    from lini.register.models import Family
    from lini.workforce.models import Cadre, Counsellor


def _require(actor: User | None, village: Region) -> None:
    if actor is not None:
        scope.require(actor, Action.CHANGE, village)


def _not_in_future(day: dt.date | None, field: str) -> None:
    if day is not None and day > clock.today():
        raise ValidationError({field: _("The date %(day)s is in the future.") % {"day": day}})


def _poktan_state(poktan: Poktan) -> dict[str, Any]:
    state = snapshot(poktan)
    state.pop("version", None)
    state["cadres"] = sorted(poktan.cadres.values_list("pk", flat=True)) if poktan.pk else []
    return state


def poktan_save(
    *,
    actor: User | None,
    village: Region,
    kind: str,
    name: str,
    poktan: Poktan | None = None,
    area: Region | None = None,
    kampung: KampungKB | None = None,
    formed_on: dt.date | None = None,
    decree: str = "",
    chair: str = "",
    secretary: str = "",
    treasurer: str = "",
    capital_source: str = "",
    cadres: Sequence[Cadre] = (),
    version: int | None = None,
) -> Poktan:
    """Create a group in ``village`` (``poktan`` None) or change ``poktan``; ``version`` (pages
    give it) refuses a change to a group someone saved since the form was opened. A formation date
    records the FORMED event (moved when the date changes). Nothing is written, and no audit
    entry, when nothing changed."""
    if poktan is not None:
        village = poktan.village
    _require(actor, village)
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if village.level != RegionLevel.VILLAGE:
        errors["village"] = _("A poktan belongs to a village (desa/kelurahan).")
    if kind not in PoktanKind.values:
        errors["kind"] = _("%(kind)s is not one of: %(allowed)s") % {
            "kind": kind,
            "allowed": ", ".join(PoktanKind.values),
        }
    if not name:
        errors["name"] = _("The group needs a name.")
    elif (
        Poktan.objects.filter(village=village, kind=kind, name__iexact=name)
        .exclude(pk=poktan.pk if poktan else None)
        .exists()
    ):
        errors["name"] = _("This village already has a group of this kind with this name.")
    if area is not None and (
        area.level not in (RegionLevel.DUSUN, RegionLevel.RW)
        or not is_within(area.code, village.code)
    ):
        errors["area"] = _("%(area)s is not a dusun or RW of %(village)s.") % {
            "area": area.code,
            "village": village.display_name,
        }
    if kampung is not None and kampung.village_id != village.pk:
        errors["kampung"] = _("This Kampung KB is of another village.")
    foreign = [c.name for c in cadres if c.village_id != village.pk]
    if foreign:
        errors["cadres"] = _("Not cadres of %(village)s: %(names)s") % {
            "village": village.display_name,
            "names": ", ".join(foreign),
        }
    if capital_source and kind != PoktanKind.UPPKA:
        errors["capital_source"] = _("Only UPPKA groups have a capital source.")
    if formed_on is not None and formed_on > clock.today():
        errors["formed_on"] = _("The date %(day)s is in the future.") % {"day": formed_on}
    if errors:
        raise ValidationError(errors)

    creating = poktan is None
    target = poktan if poktan is not None else Poktan(village=village)
    before = None if creating else _poktan_state(target)
    old_formed_on = None if creating else target.formed_on
    values = {
        "kind": kind, "name": name, "area": area, "kampung": kampung, "formed_on": formed_on,
        "decree": " ".join(decree.split()), "chair": " ".join(chair.split()),
        "secretary": " ".join(secretary.split()), "treasurer": " ".join(treasurer.split()),
        "capital_source": " ".join(capital_source.split()),
    }  # fmt: skip
    for field, value in values.items():
        setattr(target, field, value)
    cadre_ids = sorted({c.pk for c in cadres})
    with transaction.atomic():
        if not creating and version is not None:
            stored = Poktan.objects.select_for_update().get(pk=target.pk).version
            if stored != version:  # someone saved the group since this form was opened
                raise ValidationError(
                    _(
                        "Someone else changed this group since you opened it (version "
                        "%(theirs)d, your form had %(yours)d). Open it again and redo your "
                        "change."
                    )
                    % {"theirs": stored, "yours": version}
                )
        if creating:
            target.save()
        else:
            after = snapshot(target)
            after.pop("version", None)
            after["cadres"] = cadre_ids
            old, new = changed_only(before or {}, after)
            if not old and not new:
                return target
            target.version += 1
            target.save()
        target.cadres.set(cadre_ids)
        if formed_on != old_formed_on:
            formed = target.events.filter(kind=PoktanEventKind.FORMED).first()
            if formed_on is None and formed is not None:
                formed.delete()
            elif formed is not None:
                formed.happened_on = formed_on  # type: ignore[assignment]
                formed.save(update_fields=["happened_on"])
            elif formed_on is not None:
                PoktanEvent.objects.create(
                    poktan=target, kind=PoktanEventKind.FORMED, happened_on=formed_on,
                    recorded_by=actor,
                )  # fmt: skip
        state = _poktan_state(target)
        if before is None:
            audit_record(
                actor=actor, action=AuditAction.CREATE, obj=target, region_code=village.code,
                after=state,
            )  # fmt: skip
        else:
            old, new = changed_only(before, state)
            audit_record(
                actor=actor, action=AuditAction.CHANGE, obj=target, region_code=village.code,
                before=old, after=new,
            )  # fmt: skip
    return target


def poktan_member_add(
    *,
    actor: User | None,
    poktan: Poktan,
    family: Family,
    joined_on: dt.date | None = None,
) -> tuple[PoktanMember, list[str]]:
    """Add a family of the group's village (or bring back one that had left). Returns the
    membership and the warnings (e.g. a BKB family without an under-five): never refused for
    them."""
    village = poktan.village
    _require(actor, village)
    if family.village_id != village.pk:
        raise ValidationError(
            {"kk_number": _("This family is not registered in %(village)s.")
             % {"village": village.display_name}}
        )  # fmt: skip
    _not_in_future(joined_on, "joined_on")
    existing = PoktanMember.objects.filter(poktan=poktan, family=family).first()
    if existing is not None and existing.left_on is None:
        raise ValidationError({"kk_number": _("This family is already a member of the group.")})
    on = joined_on or clock.today()
    warnings = []
    if family_qualifies(poktan.kind, family, on) is False:
        warnings.append(not_qualified_message(poktan.kind))
    with transaction.atomic():
        if existing is None:
            member = PoktanMember.objects.create(poktan=poktan, family=family, joined_on=joined_on)
            audit_change(actor=actor, obj=member, before=None, region_code=village.code)
        else:
            before = snapshot(existing)
            existing.left_on = None
            existing.joined_on = joined_on
            existing.save(update_fields=["left_on", "joined_on"])
            member = existing
            audit_change(actor=actor, obj=member, before=before, region_code=village.code)
    return member, warnings


def poktan_member_remove(
    *, actor: User | None, member: PoktanMember, left_on: dt.date | None = None
) -> PoktanMember:
    """The family leaves the group on ``left_on`` (today when not given); it stays listed in
    the group's past."""
    village = member.poktan.village
    _require(actor, village)
    left_on = left_on or clock.today()
    _not_in_future(left_on, "left_on")
    if member.left_on is not None:
        raise ValidationError({"left_on": _("This family has already left the group.")})
    if member.joined_on is not None and left_on < member.joined_on:
        raise ValidationError(
            {"left_on": _("A family cannot leave before it joined (%(day)s).")
             % {"day": member.joined_on}}
        )  # fmt: skip
    before = snapshot(member)
    with transaction.atomic():
        member.left_on = left_on
        member.save(update_fields=["left_on"])
        audit_change(actor=actor, obj=member, before=before, region_code=village.code)
    return member


def meeting_record(
    *,
    actor: User | None,
    poktan: Poktan,
    held_on: dt.date,
    topic: str,
    attendance: int | None = None,
    attendees: Iterable[Family] = (),
    notes: str = "",
    meeting: PoktanMeeting | None = None,
) -> PoktanMeeting:
    """Record a meeting (or change ``meeting``). ``attendance`` is the number of families
    present; when not given it is the number of ``attendees`` ticked. It may not exceed the
    number of member families on that day, and the families ticked must be members."""
    village = poktan.village
    _require(actor, village)
    topic = " ".join(topic.split())
    attendee_list = list({f.pk: f for f in attendees}.values())
    errors: dict[str, str] = {}
    if held_on > clock.today():
        errors["held_on"] = _("The date %(day)s is in the future.") % {"day": held_on}
    if not topic:
        errors["topic"] = _("Write the topic of the meeting.")
    elif (
        PoktanMeeting.objects.filter(poktan=poktan, held_on=held_on, topic__iexact=topic)
        .exclude(pk=meeting.pk if meeting else None)
        .exists()
    ):
        errors["topic"] = _("A meeting with this topic on this day is already recorded.")
    members = member_families_on(poktan, held_on)
    outsiders = [f for f in attendee_list if f.pk not in members]
    if outsiders:
        errors["attendees"] = _("%(n)d of the families ticked are not members of the group.") % {
            "n": len(outsiders)
        }
    if attendance is None:
        attendance = len(attendee_list)
    if attendance < 0:
        errors["attendance"] = _("The attendance cannot be negative.")
    elif attendance > len(members):
        errors["attendance"] = _(
            "%(n)d families present, but the group had only %(members)d member families on "
            "%(day)s. Add the families to the group first."
        ) % {"n": attendance, "members": len(members), "day": held_on}
    elif attendance < len(attendee_list):
        errors["attendance"] = _(
            "%(n)d families present, but %(ticked)d families are ticked as present."
        ) % {"n": attendance, "ticked": len(attendee_list)}
    if errors:
        raise ValidationError(errors)
    notes = notes.strip()
    with transaction.atomic():
        if meeting is None:
            meeting = PoktanMeeting.objects.create(
                poktan=poktan, held_on=held_on, topic=topic, attendance=attendance, notes=notes,
                recorded_by=actor,
            )  # fmt: skip
            meeting.attendees.set(attendee_list)
            audit_change(actor=actor, obj=meeting, before=None, region_code=village.code)
        else:
            before = snapshot(meeting)
            meeting.held_on, meeting.topic = held_on, topic
            meeting.attendance, meeting.notes = attendance, notes
            meeting.save()
            if attendee_list:
                meeting.attendees.set(attendee_list)
            audit_change(actor=actor, obj=meeting, before=before, region_code=village.code)
    return meeting


def counsellor_may_guide(counsellor: Counsellor, village: Region) -> bool:
    """A counsellor who looks after the village, or any counsellor based in its district."""
    return (
        counsellor.district_id == village.parent_id
        or counsellor.villages.filter(pk=village.pk).exists()
    )


def guidance_record(
    *,
    actor: User | None,
    poktan: Poktan,
    counsellor: Counsellor,
    happened_on: dt.date,
    notes: str = "",
) -> PoktanEvent:
    """Record a counsellor's guidance visit (pembinaan) to the group."""
    village = poktan.village
    _require(actor, village)
    errors: dict[str, str] = {}
    if happened_on > clock.today():
        errors["happened_on"] = _("The date %(day)s is in the future.") % {"day": happened_on}
    if not counsellor_may_guide(counsellor, village):
        errors["counsellor"] = _(
            "%(name)s neither looks after %(village)s nor is based in its district."
        ) % {"name": counsellor.name, "village": village.display_name}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        event = PoktanEvent.objects.create(
            poktan=poktan, kind=PoktanEventKind.GUIDANCE, happened_on=happened_on,
            counsellor=counsellor, notes=notes.strip(), recorded_by=actor,
        )  # fmt: skip
        audit_change(actor=actor, obj=event, before=None, region_code=village.code)
    return event
