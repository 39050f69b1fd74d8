"""Writes of the monthly field-control inputs (F/I/Dal, DOMAIN.md §4.11) and their approval.

The workflow of one village's month::

    draft ──submit──> submitted ──approve──> approved (locked)
      ^                  │                       │
      │              send back                 reopen
      │              (comment)                   │
      └── sent_back <────┘      draft <──────────┘

- The counsellor (or anyone who may CHANGE the village) enters and corrects the input while it is
  a draft, sent back, or submitted but not yet decided: a correction of a submitted input keeps
  it submitted, and because every save raises the version, an approver who opened the older
  version is refused (``version`` of :func:`monthly_approve`) and sees the correction first.
- Only the approver (Action.APPROVE on the village: regency, province, national) approves, sends
  back (with a comment) or reopens an approved month; an approved month is locked for everybody.
- Every save carries the version the user opened; a stale one is refused and the stored data
  kept (optimistic locking). Every step is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.models import AuditAction
from lini.audit.services import audit_change, audit_record, changed_only, snapshot
from lini.core import clock
from lini.monthly.models import INSTITUTIONS, MonthlyInput, MonthlyStatus
from lini.regions.models import Region, RegionLevel

if TYPE_CHECKING:
    from lini.accounts.models import User

# The operational counts of section II.
OPERATIONAL_FIELDS: tuple[str, ...] = (
    "coordination_meetings",
    "counselling_sessions",
    "kie_sessions",
    "kie_leaders_active",
)
INSTITUTION_FIELDS: tuple[str, ...] = tuple(
    f"{key}_{side}" for key, _label in INSTITUTIONS for side in ("exist", "reported")
)
COUNT_FIELDS: tuple[str, ...] = INSTITUTION_FIELDS + OPERATIONAL_FIELDS
VALUE_FIELDS: tuple[str, ...] = (*COUNT_FIELDS, "notes")
MAX_COUNT = 100_000  # far above any village's real numbers; catches typing slips
NOTES_MAX = 2000

EDITABLE = (MonthlyStatus.DRAFT, MonthlyStatus.SENT_BACK, MonthlyStatus.SUBMITTED)


def month_first(day: dt.date) -> dt.date:
    return day.replace(day=1)


def current_month() -> dt.date:
    return month_first(clock.today())


def _conflict() -> ValidationError:
    return ValidationError(
        _(
            "This input was changed by someone else since you opened it. "
            "Your changes were not saved; open it again to see the stored data."
        ),
        code="conflict",
    )


def monthly_values(monthly_input: MonthlyInput) -> dict[str, Any]:
    """The entered values of an input (counts and notes), as :func:`monthly_save` takes them."""
    return {name: getattr(monthly_input, name) for name in VALUE_FIELDS}


def clean_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Every value field, counts as whole numbers >= 0 (missing ones 0) and reported <= exist
    for each institution; a ValidationError with a message per field otherwise."""
    unknown = sorted(set(values) - set(VALUE_FIELDS))
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(unknown)}")
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in COUNT_FIELDS:
        value = values.get(name, 0)
        if value is None or value == "":
            value = 0
        if isinstance(value, bool) or not isinstance(value, int):
            errors[name] = [_("a whole number of 0 or more is needed")]
            continue
        if value < 0 or value > MAX_COUNT:
            errors[name] = [
                _("must be between 0 and %(max)d (%(value)d)") % {"max": MAX_COUNT, "value": value}
            ]
            continue
        cleaned[name] = value
    notes = str(values.get("notes") or "").replace("\r\n", "\n").strip()
    if len(notes) > NOTES_MAX:
        errors["notes"] = [_("longer than %(max)d characters") % {"max": NOTES_MAX}]
    cleaned["notes"] = notes
    for key, label in INSTITUTIONS:
        exist, reported = cleaned.get(f"{key}_exist"), cleaned.get(f"{key}_reported")
        if exist is not None and reported is not None and reported > exist:
            errors.setdefault(f"{key}_reported", []).append(
                _(
                    "%(institution)s: %(reported)d reported, but only %(exist)d exist; "
                    "no more can report than exist"
                )
                % {"institution": label, "reported": reported, "exist": exist}
            )
    if errors:
        raise ValidationError(errors)
    return cleaned


def check_month(month: dt.date) -> None:
    if month.day != 1:
        raise ValidationError({"month": _("The month must be given by its first day.")})
    if month > current_month():
        raise ValidationError(
            {"month": _("%(month)s is in the future.") % {"month": month.strftime("%Y-%m")}}
        )


def _check_village(village: Region) -> None:
    if village.level != RegionLevel.VILLAGE:
        raise ValidationError({"village": _("Monthly inputs are entered for a village.")})


def locked_message(monthly_input: MonthlyInput) -> str:
    return _("%(month)s of %(village)s is approved and locked; the approver can reopen it.") % {
        "month": monthly_input.month.strftime("%Y-%m"),
        "village": monthly_input.village.name,
    }


def monthly_prefill(*, village: Region, month: dt.date) -> dict[str, Any]:
    """Initial values of a new input: the institutions that exist according to the other apps
    (active PPKBD and Sub-PPKBD cadres, poktan formed by the month's end) and, for Kelompok KB
    (no register of its own), the number of the village's latest earlier input."""
    from lini.poktan.models import Poktan, PoktanKind
    from lini.workforce.models import Cadre, CadreKind

    initial: dict[str, Any] = dict.fromkeys(COUNT_FIELDS, 0)
    initial["notes"] = ""
    cadres = Cadre.objects.filter(village=village, active=True).aggregate(
        ppkbd=Count("pk", filter=Q(kind=CadreKind.PPKBD)),
        sub_ppkbd=Count("pk", filter=Q(kind=CadreKind.SUB_PPKBD)),
    )
    initial["ppkbd_exist"] = cadres["ppkbd"]
    initial["sub_ppkbd_exist"] = cadres["sub_ppkbd"]
    next_month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    groups = (
        Poktan.objects.filter(village=village)
        .filter(Q(formed_on__isnull=True) | Q(formed_on__lt=next_month))
        .values("kind")
        .annotate(n=Count("pk"))
    )
    by_kind = {row["kind"]: row["n"] for row in groups}
    for kind in (PoktanKind.BKB, PoktanKind.BKR, PoktanKind.BKL, PoktanKind.UPPKA):
        initial[f"{kind}_exist"] = by_kind.get(kind, 0)
    previous = (
        MonthlyInput.objects.filter(village=village, month__lt=month).order_by("-month").first()
    )
    if previous is not None:
        initial["kelompok_kb_exist"] = previous.kelompok_kb_exist
    return initial


def monthly_save(
    *,
    actor: User | None,
    village: Region,
    month: dt.date,
    values: Mapping[str, Any],
    version: int | None,
) -> MonthlyInput:
    """Create (``version`` None) or change the input of ``village`` for ``month``.

    ``version`` is the version the user opened; when the stored input has another one (or an
    input was created meanwhile) the save is refused and the stored data kept. Nothing is written
    (no new version, no audit entry) when the values are the ones stored."""
    if actor is not None:
        scope.require(actor, Action.CHANGE, village)
    _check_village(village)
    check_month(month)
    cleaned = clean_values(values)
    with transaction.atomic():
        stored = (
            MonthlyInput.objects.select_for_update()
            .select_related("village")
            .filter(village=village, month=month)
            .first()
        )
        if stored is None and version is not None:
            raise _conflict()  # it was opened, but is gone
        if stored is not None:
            if version is None or stored.version != version:
                raise _conflict()
            if stored.locked:
                raise ValidationError(locked_message(stored), code="locked")
            if monthly_values(stored) == cleaned:
                return stored
            before = snapshot(stored)
            for name, value in cleaned.items():
                setattr(stored, name, value)
            stored.version += 1
            stored.save()
            audit_change(actor=actor, obj=stored, before=before, region_code=village.code)
            return stored
        created = MonthlyInput(village=village, month=month, **cleaned)
        try:
            with transaction.atomic():
                created.save()
        except IntegrityError:  # created by someone else between our read and our write
            raise _conflict() from None
        audit_change(actor=actor, obj=created, before=None, region_code=village.code)
        return created


def _transition(
    *,
    actor: User | None,
    monthly_input: MonthlyInput,
    action: Action,
    allowed_from: tuple[str, ...],
    refusal: str,
    version: int | None,
    audit_action: AuditAction,
    changes: dict[str, Any],
) -> MonthlyInput:
    village = monthly_input.village
    if actor is not None:
        scope.require(actor, action, village)
    with transaction.atomic():
        stored = (
            MonthlyInput.objects.select_for_update()
            .select_related("village")
            .get(pk=monthly_input.pk)
        )
        if version is not None and stored.version != version:
            raise _conflict()
        if stored.status not in allowed_from:
            raise ValidationError(refusal, code="status")
        before = snapshot(stored)
        for name, value in changes.items():
            setattr(stored, name, value)
        stored.version += 1
        stored.save()
        old, new = changed_only(before, snapshot(stored))
        audit_record(
            actor=actor, action=audit_action, obj=stored, region_code=village.code,
            before=old, after=new,
        )  # fmt: skip
    monthly_input.refresh_from_db()
    return stored


def _who(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def monthly_submit(
    *, actor: User | None, monthly_input: MonthlyInput, version: int | None = None
) -> MonthlyInput:
    """Send a draft (or a sent back input) to the approver."""
    return _transition(
        actor=actor, monthly_input=monthly_input, action=Action.CHANGE,
        allowed_from=(MonthlyStatus.DRAFT, MonthlyStatus.SENT_BACK),
        refusal=_("Only a draft or an input sent back can be submitted."), version=version,
        audit_action=AuditAction.CHANGE,
        changes={
            "status": MonthlyStatus.SUBMITTED, "submitted_by": _who(actor),
            "submitted_at": timezone.now(),
        },
    )  # fmt: skip


def monthly_approve(
    *,
    actor: User | None,
    monthly_input: MonthlyInput,
    comment: str = "",
    version: int | None = None,
) -> MonthlyInput:
    """Approve a submitted input: the month is locked. Nobody approves an input they submitted
    themselves (a regency officer may enter and approve, but not the same report)."""
    if actor is not None and (
        MonthlyInput.objects.filter(pk=monthly_input.pk, submitted_by=actor).exists()
    ):
        raise ValidationError(
            _("You submitted this input yourself; another approver must decide on it."),
            code="own",
        )
    return _transition(
        actor=actor, monthly_input=monthly_input, action=Action.APPROVE,
        allowed_from=(MonthlyStatus.SUBMITTED,),
        refusal=_("Only a submitted input can be approved."), version=version,
        audit_action=AuditAction.APPROVE,
        changes={
            "status": MonthlyStatus.APPROVED, "decided_by": _who(actor),
            "decided_at": timezone.now(), "comment": comment.strip(),
        },
    )  # fmt: skip


def monthly_send_back(
    *,
    actor: User | None,
    monthly_input: MonthlyInput,
    comment: str,
    version: int | None = None,
) -> MonthlyInput:
    """Return a submitted input to the counsellor for correction; the comment says what to fix."""
    comment = comment.strip()
    if not comment:
        raise ValidationError(
            {"comment": _("Say what must be corrected: a comment is required to send it back.")}
        )
    return _transition(
        actor=actor, monthly_input=monthly_input, action=Action.APPROVE,
        allowed_from=(MonthlyStatus.SUBMITTED,),
        refusal=_("Only a submitted input can be sent back."), version=version,
        audit_action=AuditAction.SEND_BACK,
        changes={
            "status": MonthlyStatus.SENT_BACK, "decided_by": _who(actor),
            "decided_at": timezone.now(), "comment": comment,
        },
    )  # fmt: skip


def monthly_reopen(
    *,
    actor: User | None,
    monthly_input: MonthlyInput,
    comment: str = "",
    version: int | None = None,
) -> MonthlyInput:
    """Unlock an approved month (back to draft) so that it can be corrected and submitted again."""
    changes: dict[str, Any] = {"status": MonthlyStatus.DRAFT, "decided_by": _who(actor),
                               "decided_at": timezone.now()}  # fmt: skip
    if comment.strip():
        changes["comment"] = comment.strip()
    return _transition(
        actor=actor, monthly_input=monthly_input, action=Action.APPROVE,
        allowed_from=(MonthlyStatus.APPROVED,),
        refusal=_("Only an approved input can be reopened."), version=version,
        audit_action=AuditAction.REOPEN, changes=changes,
    )  # fmt: skip
