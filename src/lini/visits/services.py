"""Writes of the due lists: the outcome of a home visit, and the rules' numbers.

A visit's outcome changes the register through the same services as every other page: "served"
records the KB service (:func:`lini.kb.services.service_record`), "moved" and "died" mark the
people through :func:`lini.register.services.family_save`. The visit itself is kept, with what it
created, so the due list and the follow-through figures can read it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.models import User
from lini.accounts.roles import Action
from lini.audit.services import audit_change, snapshot
from lini.core import clock
from lini.indicators.services import counts_refresh
from lini.kb.choices import VisitType
from lini.kb.services import service_record
from lini.register.choices import EventSource, KBStatus, MaritalStatus, Presence, Relation
from lini.register.models import Couple, Family, Member
from lini.register.services import family_record, family_save
from lini.visits.choices import COUPLE_KINDS, Outcome, RuleKind
from lini.visits.followthrough import counts_after_rule_change
from lini.visits.models import DueRule, Visit
from lini.visits.rule_checks import NUMBERS, rule_problems

# Kinds whose "served" is a repeat of the couple's current method, recorded in one tap.
REPEAT_KINDS = frozenset({RuleKind.RESUPPLY, RuleKind.DEVICE_CHECK})
# Kinds that have nothing to serve (the visit itself is the follow-through).
NOTHING_TO_SERVE = frozenset({RuleKind.POKTAN, RuleKind.NOT_VISITED})


def visit_problems(
    *,
    family: Family,
    couple: Couple | None,
    rule: DueRule | None,
    outcome: str,
    visited_on: dt.date,
    member: Member | None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if outcome not in Outcome.values:
        fail("outcome", _("Choose what came of the visit."))
    if visited_on > clock.today():
        fail("visited_on", _("The day of the visit is in the future."))
    if couple is not None and couple.family_id != family.pk:
        fail("couple", _("This couple is not of this family."))
    if rule is not None and rule.kind in COUPLE_KINDS and couple is None:
        fail("couple", _("This item is about a couple: say which."))
    if member is not None and member.family_id != family.pk:
        fail("member", _("This person is not a member of this family."))
    if outcome == Outcome.SERVED and rule is not None and rule.kind in NOTHING_TO_SERVE:
        fail("outcome", _("There is no KB service to give for this item: record it as counselled."))
    if outcome == Outcome.DIED and member is None and couple is None:
        fail("member", _("Say who died."))
    return errors


def _mark_people(
    *, actor: User, family: Family, nik_numbers: set[str], presence: str, day: dt.date
) -> None:
    """Mark these members of ``family`` as moved away or died, through the register's own write
    path (which ends the couple of a wife who is gone):

    - when the head moves away, the whole family has moved (every member living in it);
    - when a married member dies, the surviving spouse is widowed (the couple ends); when the
      head dies, the spouse living in the family becomes the head; with no spouse to take over,
      the new head must be chosen on the family's page first (refused with that message).
    """
    record = family_record(family)
    living = [m for m in record.members if m.presence == Presence.PRESENT]
    head = next((m for m in living if m.relation == Relation.HEAD), None)
    if presence == Presence.MOVED and head is not None and head.nik in nik_numbers:
        nik_numbers = {m.nik for m in living}
    gone = [m for m in living if m.nik in nik_numbers]
    survivors = [m for m in living if m.nik not in nik_numbers]
    changes: dict[str, dict[str, object]] = {
        m.nik: {"presence": presence, "presence_date": day} for m in gone
    }
    if presence == Presence.DIED and survivors:
        married_dead = [m for m in gone if m.marital_status == MaritalStatus.MARRIED]
        couple_roles = (Relation.HEAD, Relation.SPOUSE)
        spouse = next(
            (
                m for m in survivors
                if m.relation in couple_roles and m.marital_status == MaritalStatus.MARRIED
                and any(d.relation in couple_roles and d.sex != m.sex for d in married_dead)
            ),
            None,
        )  # fmt: skip
        if spouse is not None:
            changes[spouse.nik] = {"marital_status": MaritalStatus.WIDOWED}
        if head is not None and head.nik in nik_numbers:
            if spouse is None or spouse.relation != Relation.SPOUSE:
                raise ValidationError(
                    {
                        "member": _(
                            "The head of the family died and no spouse lives in the family to "
                            "take over: choose the new head on the family's page first."
                        )
                    }
                )
            changes[spouse.nik]["relation"] = Relation.HEAD
    members = [
        dataclasses.replace(m, **changes[m.nik]) if m.nik in changes else m  # type: ignore[arg-type]
        for m in record.members
    ]
    family_save(actor=actor, record=dataclasses.replace(record, members=members))


def visit_record(
    *,
    actor: User,
    family: Family,
    outcome: str,
    couple: Couple | None = None,
    rule: DueRule | None = None,
    due_on: dt.date | None = None,
    visited_on: dt.date | None = None,
    member: Member | None = None,
    method: str = "",
    product: str = "",
    visit_type: str = "",
    notes: str = "",
) -> Visit:
    """Record what came of a visit to ``family`` (about ``couple`` for a couple's item), and
    what the outcome means for the register, in one transaction:

    - served: a KB service on the day; by default a repeat of the couple's current method and
      product (``method``/``product``/``visit_type`` given for a new method);
    - moved: the wife and her husband (a couple's item) or every member living in the family;
      when the head is among them, the whole family;
    - died: ``member`` (the wife for a couple's item when no member is given); see
      :func:`_mark_people` for the spouse and the head.
    """
    visited_on = visited_on if visited_on is not None else clock.today()
    family = Family.objects.select_related("village").get(pk=family.pk)
    scope.require(actor, Action.CHANGE, family.village)
    if couple is not None:
        couple = Couple.objects.select_related("wife", "husband").get(pk=couple.pk)
    errors = visit_problems(
        family=family, couple=couple, rule=rule, outcome=outcome, visited_on=visited_on,
        member=member,
    )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        service = None
        if outcome == Outcome.SERVED and couple is not None:
            service = _serve(
                actor=actor, couple=couple, rule=rule, day=visited_on, method=method,
                product=product, visit_type=visit_type, notes=notes,
            )  # fmt: skip
        elif outcome == Outcome.MOVED:
            if couple is not None:
                gone = {couple.wife.nik} | ({couple.husband.nik} if couple.husband else set())
            else:
                gone = set(
                    family.members.filter(presence=Presence.PRESENT).values_list("nik", flat=True)
                )
            _mark_people(
                actor=actor, family=family, nik_numbers=gone, presence=Presence.MOVED,
                day=visited_on,
            )  # fmt: skip
        elif outcome == Outcome.DIED:
            person = member if member is not None else couple.wife  # type: ignore[union-attr]
            member = person
            _mark_people(
                actor=actor, family=family, nik_numbers={person.nik}, presence=Presence.DIED,
                day=visited_on,
            )  # fmt: skip
        visit = Visit.objects.create(
            family=family, couple=couple, rule=rule, due_on=due_on, visited_on=visited_on,
            outcome=outcome, member=member, service=service, notes=notes.strip()[:300],
            recorded_by=actor,
        )  # fmt: skip
        audit_change(actor=actor, obj=visit, before=None, region_code=family.village.code)
        counts_refresh([family.village_id])  # the follow-through counts read the visits
    return visit


def _serve(
    *,
    actor: User,
    couple: Couple,
    rule: DueRule | None,
    day: dt.date,
    method: str,
    product: str,
    visit_type: str,
    notes: str,
):  # type: ignore[no-untyped-def]
    using = couple.status == KBStatus.USING and couple.method
    if not method:
        if not using:
            raise ValidationError({"method": _("Choose the method given.")})
        method = couple.method
        if not product:
            product = _current_product(couple)
    if not visit_type:
        if (
            using
            and method == couple.method
            and rule is not None
            and rule.kind == RuleKind.DEVICE_END
        ):
            visit_type = VisitType.NEW  # the device is replaced: a new insertion restarts its life
        elif using and method == couple.method:
            visit_type = VisitType.REPEAT
        elif using:
            visit_type = VisitType.SWITCH
        else:
            visit_type = VisitType.NEW
    return service_record(
        actor=actor, couple=couple, served_on=day, method=method, visit_type=visit_type,
        product=product, notes=notes, source=EventSource.SERVICE,
    )  # fmt: skip


def _current_product(couple: Couple) -> str:
    """The product of the couple's latest service of its current method that names one."""
    found = (
        couple.services.filter(method=couple.method)
        .exclude(product="")
        .order_by("-served_on", "-pk")
        .values_list("product", flat=True)
        .first()
    )
    return found or ""


RULE_FIELDS = (
    "active", "interval_days", "grace_days", "repeat_days", "window_days", "per_week", "bring",
    "form",
)  # fmt: skip


def can_change_rules(user: object) -> bool:
    """National administrators change the due-list rules (they apply to every village)."""
    return scope.role_allows(user, Action.MANAGE_USERS) and scope.user_scope(user).national  # type: ignore[arg-type]


def rule_change(*, actor: User, rule: DueRule, version: int, **values: object) -> DueRule:
    """Change a rule's numbers (national administrators only); refused when someone else saved
    it since ``version`` was read. Audited."""
    if not can_change_rules(actor):
        raise PermissionDenied(_("Only national administrators change the due-list rules."))
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These cannot be changed: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    merged = {name: getattr(rule, name) for name in NUMBERS} | values
    problems = rule_problems(kind=rule.kind, values=merged)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        stored = DueRule.objects.select_for_update().get(pk=rule.pk)
        if stored.version != version:
            raise ValidationError(
                _("Someone else changed this rule since you read it. Read it again."),
                code="conflict",
            )
        before = snapshot(stored)
        for name, value in values.items():
            setattr(stored, name, value)
        stored.full_clean()
        stored.version += 1
        stored.updated_by = actor
        stored.save()
        audit_change(actor=actor, obj=stored, before=before, region_code="")
        counts_after_rule_change()  # every village's follow-through counts, in the background
    return stored
