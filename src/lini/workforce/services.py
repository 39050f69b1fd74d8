"""Writes of the workforce: field counsellors (PKB/PLKB) and village cadres. Pages, imports and
the demo all come through here, so scope, checks and the audit trail are the same everywhere.

A save that changes nothing writes nothing (no audit entry, no new ``updated_at``), so importing
the same file twice leaves the database as it was."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.models import User
from lini.accounts.roles import Action, Role
from lini.audit.models import AuditAction
from lini.audit.services import audit_record, changed_only, delete_with_audit, snapshot
from lini.core import clock
from lini.indicators.services import counts_refresh
from lini.regions.codes import is_within
from lini.regions.models import Region, RegionLevel
from lini.workforce.models import Cadre, CadreKind, Counsellor, CounsellorKind, IPeKBLevel

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Actor = User | AnonymousUser | None

NIP_LENGTH = 18
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-.]{4,18}$")
_NIP_SEPARATORS = re.compile(r"[\s.\-]")


# Reading values people type ----------------------------------------------------------------


def clean_name(value: str) -> str:
    return " ".join(str(value or "").split())


def clean_nip(value: str | None) -> str:
    """The NIP without the spaces or dots people put in it ("" when none)."""
    return _NIP_SEPARATORS.sub("", str(value or ""))


def nip_problem(nip: str) -> str:
    """Why ``nip`` (already cleaned) is not a civil servant's NIP, or ""."""
    if not nip.isdigit() or len(nip) != NIP_LENGTH:
        return _(
            "an NIP has 18 digits (birth date, appointment month, sex, number); %(n)d given"
        ) % {"n": len([c for c in nip if c.isdigit()])}
    try:
        dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return _("the first 8 digits of an NIP are the birth date (yyyymmdd); %(d)s is no date") % {
            "d": nip[0:8]
        }
    if nip[14] not in "12":
        return _("digit 15 of an NIP is the sex (1 or 2), not %(d)s") % {"d": nip[14]}
    return ""


def _phone_problem(phone: str) -> str:
    if phone and not _PHONE.match(phone):
        return _("%(value)s is not a phone number (digits, spaces, +, -)") % {"value": phone[:20]}
    return ""


def _check_scope(actor: Actor, regions: Iterable[Region]) -> None:
    if actor is None:
        return
    for region in regions:
        scope.require(actor, Action.CHANGE, region)


def _linked_account(
    actor: Actor,
    *,
    username: str,
    role: str,
    current: User | None,
    taken_by: Any,
    problem: Callable[[str, str], None],
) -> User | None:
    """The account named ``username`` for linking (None for ""). It must exist, have ``role``,
    lie in the actor's scope and not be linked elsewhere; else ``problem("user", why)`` is
    called and None returned."""
    username = username.strip()
    if not username:
        return None
    if current is not None and current.username == username:
        return current
    # One answer for "no such account", "another role" and "elsewhere": linking must not
    # become a way to list the accounts and roles of other regions.
    refusal = _(
        "%(name)s is not an account you can link here: it must be an account of a "
        "%(needed)s assigned only to regions inside yours."
    ) % {"name": username, "needed": Role(role).label}
    account = User.objects.filter(username=username, role=role).first()
    # An account with no region cannot be anybody's counsellor or cadre.
    codes = list(account.assignments.values_list("region__code", flat=True)) if account else []
    own = scope.user_scope(actor) if actor is not None else None
    if not codes or (own is not None and not all(own.covers(code) for code in codes)):
        problem("user", refusal)
        return None
    if taken_by.filter(user=account).exists():
        problem(
            "user",
            _("The account %(name)s is already linked to someone else.") % {"name": username},
        )
        return None
    return account


# Counsellors --------------------------------------------------------------------------------


def counsellor_view(counsellor: Counsellor) -> dict[str, Any]:
    """A counsellor as the audit trail keeps it: the fields and the villages by code."""
    data = snapshot(counsellor)
    data["villages"] = sorted(counsellor.villages.values_list("code", flat=True))
    return data


def counsellor_save(
    *,
    actor: Actor,
    counsellor: Counsellor | None = None,
    name: str,
    district: Region,
    villages: Iterable[Region] = (),
    kind: str = CounsellorKind.PKB,
    nip: str | None = "",
    phone: str = "",
    ipekb_member: bool = False,
    ipekb_level: str = "",
    ipekb_position: str = "",
    username: str = "",
    active: bool = True,
) -> Counsellor:
    """Create (``counsellor`` None) or change a field counsellor. The actor must be allowed to
    change the base district and every village looked after, before and after the change."""
    villages = sorted(set(villages), key=lambda r: r.code)
    old_villages = list(counsellor.villages.all()) if counsellor is not None else []
    old_district = [counsellor.district] if counsellor is not None else []
    _check_scope(actor, [*old_district, district, *old_villages, *villages])

    errors: dict[str, list[str]] = {}

    def problem(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    name = clean_name(name)
    if not name:
        problem("name", _("Give the name."))
    elif len(name) > 100:
        problem("name", _("The name is longer than 100 characters."))
    nip = clean_nip(nip)
    if nip:
        why = nip_problem(nip)
        if why:
            problem("nip", why)
        else:
            others = Counsellor.objects.filter(nip=nip)
            if counsellor is not None:
                others = others.exclude(pk=counsellor.pk)
            holder = others.first()
            if holder is not None:
                problem("nip", _("This NIP is already registered for another counsellor."))
    if kind not in CounsellorKind.values:
        problem("kind", _("Choose PKB or PLKB."))
    if district.level != RegionLevel.DISTRICT:
        problem("district", _("%(region)s is not a district.") % {"region": district})
    not_villages = [v for v in villages if v.level != RegionLevel.VILLAGE]
    if not_villages:
        problem(
            "villages",
            _("Only villages can be looked after, not %(regions)s.")
            % {"regions": ", ".join(str(r) for r in not_villages)},
        )
    phone = clean_name(phone)
    if _phone_problem(phone):
        problem("phone", _phone_problem(phone))
    ipekb_level = ipekb_level or ""
    ipekb_position = clean_name(ipekb_position)
    if ipekb_level not in IPeKBLevel.values:
        problem("ipekb_level", _("Unknown IPeKB board level."))
    elif not ipekb_member and (ipekb_level or ipekb_position):
        problem("ipekb_member", _("Only an IPeKB member sits on an IPeKB board."))
    if ipekb_position and not ipekb_level:
        problem("ipekb_level", _("Give the board on which this position is held."))
    if len(ipekb_position) > 60:
        problem("ipekb_position", _("The position is longer than 60 characters."))
    account = _linked_account(
        actor,
        username=username,
        role=Role.COUNSELLOR,
        current=counsellor.user if counsellor is not None else None,
        taken_by=Counsellor.objects.exclude(pk=counsellor.pk if counsellor else None),
        problem=problem,
    )
    if errors:
        raise ValidationError(errors)

    values = {
        "name": name, "nip": nip or None, "kind": kind, "district": district, "phone": phone,
        "ipekb_member": ipekb_member, "ipekb_level": ipekb_level,
        "ipekb_position": ipekb_position, "user": account, "active": active,
    }  # fmt: skip
    with transaction.atomic():
        before = counsellor_view(counsellor) if counsellor is not None else None
        looked_after = (
            set(counsellor.villages.values_list("pk", flat=True)) if counsellor else set()
        )
        target = counsellor or Counsellor()
        for field, value in values.items():
            setattr(target, field, value)
        after = {**snapshot(target), "villages": [v.code for v in villages]}
        if before is not None and before == after:
            return target
        target.save()
        target.villages.set(villages)
        _audit(actor, target, before, counsellor_view(target), region_code=district.code)
        # The villages before and after: who looks after them changed.
        counts_refresh(looked_after | {v.pk for v in villages})
    return target


def counsellor_delete(*, actor: Actor, counsellor: Counsellor) -> None:
    """Remove a counsellor entered by mistake. One whose guidance visits are recorded stays
    (set them inactive instead), so the groups' history keeps its counsellor."""
    _check_scope(actor, [counsellor.district, *counsellor.villages.all()])
    if counsellor.poktan_events.exists():
        raise ValidationError(
            _(
                "%(name)s has recorded guidance visits to poktan groups; mark them inactive "
                "instead of removing them."
            )
            % {"name": counsellor.name}
        )
    with transaction.atomic():
        looked_after = list(counsellor.villages.values_list("pk", flat=True))
        delete_with_audit(actor=actor, obj=counsellor, region_code=counsellor.district.code)
        counts_refresh(looked_after)


# Cadres -------------------------------------------------------------------------------------


def cadre_save(
    *,
    actor: Actor,
    cadre: Cadre | None = None,
    name: str,
    kind: str,
    village: Region,
    area: Region | None = None,
    phone: str = "",
    trained: bool = False,
    since: dt.date | None = None,
    username: str = "",
    active: bool = True,
) -> Cadre:
    """Create (``cadre`` None) or change a cadre: a PPKBD of the village, a Sub-PPKBD of one of
    its dusun or RW (``area``), or a poktan cadre (optionally of a dusun or RW)."""
    _check_scope(actor, [*([cadre.village] if cadre is not None else []), village])
    errors: dict[str, list[str]] = {}

    def problem(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    name = clean_name(name)
    if not name:
        problem("name", _("Give the name."))
    elif len(name) > 100:
        problem("name", _("The name is longer than 100 characters."))
    if kind not in CadreKind.values:
        problem(
            "kind",
            _("The kind of cadre is one of: %(allowed)s")
            % {"allowed": ", ".join(CadreKind.values)},
        )
    if village.level != RegionLevel.VILLAGE:
        problem("village", _("%(region)s is not a village.") % {"region": village})
    if area is not None:
        if area.level not in (RegionLevel.DUSUN, RegionLevel.RW) or not is_within(
            area.code, village.code
        ):
            problem(
                "area",
                _("%(area)s is not a dusun or RW of %(village)s.")
                % {"area": area.code, "village": village.display_name},
            )
        elif kind == CadreKind.PPKBD:
            problem("area", _("A PPKBD works for the whole village: leave the dusun/RW empty."))
    elif kind == CadreKind.SUB_PPKBD:
        problem("area", _("A Sub-PPKBD works in a dusun or RW: choose it."))
    phone = clean_name(phone)
    if _phone_problem(phone):
        problem("phone", _phone_problem(phone))
    if since is not None and since > clock.today():
        problem("since", _("The date is in the future."))
    if not errors:
        same = Cadre.objects.filter(village=village, kind=kind, name__iexact=name)
        if cadre is not None:
            same = same.exclude(pk=cadre.pk)
        if same.exists():
            problem(
                "name",
                _("%(village)s already has a %(kind)s named %(name)s.")
                % {"village": village.display_name, "kind": CadreKind(kind).label, "name": name},
            )
    account = _linked_account(
        actor,
        username=username,
        role=Role.CADRE,
        current=cadre.user if cadre is not None else None,
        taken_by=Cadre.objects.exclude(pk=cadre.pk if cadre else None),
        problem=problem,
    )
    if errors:
        raise ValidationError(errors)

    values = {
        "name": name, "kind": kind, "village": village, "area": area, "phone": phone,
        "trained": trained, "since": since, "user": account, "active": active,
    }  # fmt: skip
    with transaction.atomic():
        before = snapshot(cadre) if cadre is not None else None
        target = cadre or Cadre()
        for field, value in values.items():
            setattr(target, field, value)
        after = snapshot(target)
        if before is not None and before == after:
            return target
        target.save()
        _audit(actor, target, before, snapshot(target), region_code=village.code)
    return target


def cadre_delete(*, actor: Actor, cadre: Cadre) -> None:
    """Remove a cadre entered by mistake; one who is a cadre of poktan groups stays (take them
    out of the groups first, or mark them inactive)."""
    _check_scope(actor, [cadre.village])
    if cadre.poktan.exists():
        raise ValidationError(
            _("%(name)s is a cadre of poktan groups; mark them inactive instead of removing them.")
            % {"name": cadre.name}
        )
    with transaction.atomic():
        delete_with_audit(actor=actor, obj=cadre, region_code=cadre.village.code)


def _audit(
    actor: Actor,
    obj: Counsellor | Cadre,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    *,
    region_code: str,
) -> None:
    if before is None:
        audit_record(
            actor=actor, action=AuditAction.CREATE, obj=obj, region_code=region_code, after=after
        )
        return
    old, new = changed_only(before, after)
    if old or new:
        audit_record(
            actor=actor, action=AuditAction.CHANGE, obj=obj, region_code=region_code,
            before=old, after=new,
        )  # fmt: skip
