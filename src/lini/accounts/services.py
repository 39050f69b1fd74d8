"""Writes to accounts. Every change is checked against the actor's scope here, whatever calls it."""

from __future__ import annotations

import math
from collections.abc import Sequence

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lini.accounts import scope, selectors, totp
from lini.accounts.models import RegionAssignment, User
from lini.accounts.roles import ROLE_LEVELS, TWO_FACTOR_ROLES, Role
from lini.audit.models import AuditAction
from lini.audit.services import audit_record, changed_only
from lini.regions.models import Region, RegionLevel


def _check_regions(*, role: str, regions: Sequence[Region]) -> None:
    if role == Role.NATIONAL_ADMIN:
        if regions:
            raise ValidationError(
                {
                    "regions": _(
                        "A national administrator covers the whole country; assign no region."
                    )
                }
            )
        return
    if not regions:
        raise ValidationError({"regions": _("Assign at least one region.")})
    allowed = ROLE_LEVELS[role]
    wrong = [r for r in regions if r.level not in allowed]
    if wrong:
        levels = ", ".join(str(RegionLevel(level).label) for level in sorted(allowed))
        raise ValidationError(
            {
                "regions": _("%(regions)s: a %(role)s is assigned to a %(levels)s.")
                % {
                    "regions": ", ".join(r.code for r in wrong),
                    "role": Role(role).label,
                    "levels": levels,
                }
            }
        )


def _set_regions(*, user: User, regions: Sequence[Region]) -> None:
    wanted = {r.pk for r in regions}
    user.assignments.exclude(region_id__in=wanted).delete()
    have = set(user.assignments.values_list("region_id", flat=True))
    RegionAssignment.objects.bulk_create(
        [RegionAssignment(user=user, region_id=pk) for pk in sorted(wanted - have)]
    )
    scope.forget_scope(user)


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    role: str,
    regions: Sequence[Region],
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_active: bool = True,
) -> User:
    """Create an account. ``actor`` None means the system itself (the demo, a setup command);
    an administrator's creations, changes and password resets are recorded in the audit trail."""
    _check_regions(role=role, regions=regions)
    if actor is not None and not scope.can_assign(actor, role, regions):
        raise PermissionDenied(
            _("You may not create this account with this role and these regions.")
        )
    user = User(
        username=username,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_active=is_active,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    _set_regions(user=user, regions=regions)
    if actor is not None:
        audit_record(
            actor=actor, action=AuditAction.CREATE, obj=user, region_code=_region_code(user),
            after=_account_state(user),
        )  # fmt: skip
    return user


@transaction.atomic
def user_update(
    *,
    actor: User | None,
    user: User,
    role: str,
    regions: Sequence[Region],
    is_active: bool,
    first_name: str,
    last_name: str,
    email: str,
) -> User:
    """Change an account's role, regions, status or name, inside the actor's scope."""
    if actor is not None and not scope.can_manage_user(actor, user):
        raise PermissionDenied(_("You may not change this account."))
    _check_regions(role=role, regions=regions)
    if actor is not None and not scope.can_assign(actor, role, regions):
        raise PermissionDenied(_("You may not give this account this role and these regions."))
    before = _account_state(user)
    user.role, user.is_active = role, is_active
    user.first_name, user.last_name, user.email = first_name, last_name, email
    if role != Role.NATIONAL_ADMIN:  # a demoted superuser keeps no hidden powers
        user.is_superuser = user.is_staff = False
    user.full_clean()
    user.save(
        update_fields=[
            "role",
            "is_active",
            "first_name",
            "last_name",
            "email",
            "is_superuser",
            "is_staff",
        ]
    )
    _set_regions(user=user, regions=regions)
    old, new = changed_only(before, _account_state(user))
    if actor is not None and (old or new):
        audit_record(
            actor=actor, action=AuditAction.CHANGE, obj=user, region_code=_region_code(user),
            before=old, after=new,
        )  # fmt: skip
    return user


@transaction.atomic
def user_set_password(*, actor: User | None, user: User, password: str) -> User:
    """Set a new password for another account (an administrator's reset)."""
    if actor is not None and not scope.can_manage_user(actor, user):
        raise PermissionDenied(_("You may not change this account."))
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        if actor is not None:
            audit_record(
                actor=actor, action=AuditAction.CHANGE, obj=user, region_code=_region_code(user),
                after={"password": "reset"},
            )  # fmt: skip
        _api_tokens_revoke(actor, user, "password reset")
    return user


def _api_tokens_revoke(actor: User | None, user: User, why: str) -> None:
    """An account reset by an administrator may be in other hands: its API tokens end too."""
    from lini.api.services import tokens_revoke_all  # the API app builds on accounts

    tokens_revoke_all(actor=actor, user=user, why=why)


def password_changed(*, user: User) -> None:
    """Record that ``user`` changed their own password (Django's form has saved it)."""
    audit_record(
        actor=user, action=AuditAction.CHANGE, obj=user, region_code=_region_code(user),
        after={"password": "changed"},
    )  # fmt: skip


def _account_state(user: User) -> dict[str, object]:
    """What the audit trail keeps of an account (never its password hash)."""
    return {
        "username": user.username,
        "role": user.role,
        "is_active": user.is_active,
        "is_superuser": user.is_superuser,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "regions": sorted(user.assignments.values_list("region__code", flat=True)),
    }


# Login security: lock-outs and two-step login --------------------------------------------------


def _region_code(user: User) -> str:
    """The region an entry about ``user``'s account is filed under (so that the administrators
    of that region see it in the audit trail); empty for a national administrator."""
    return min(user.assignments.values_list("region__code", flat=True), default="")


@transaction.atomic
def login_unlock(*, actor: User | None, user: User) -> bool:
    """Clear the failed logins recorded for ``user``'s username, which ends a lock-out. True when
    there were any (recorded in the audit trail, with the lock-out it ended)."""
    if actor is not None and not scope.can_manage_user(actor, user):
        raise PermissionDenied(_("You may not change this account."))
    username = user.get_username()
    locked_until = selectors.login_locked_until(username)
    failures = AccessAttempt.objects.filter(username=username).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    if not failures:
        return False
    axes_reset(username=username)
    audit_record(
        actor=actor, action=AuditAction.CHANGE, obj=user, region_code=_region_code(user),
        before={"failed_logins": failures, "locked_until": locked_until},
        after={"failed_logins": 0, "locked_until": None},
    )  # fmt: skip
    return True


def _two_factor_audit(*, actor: User | None, user: User, on: bool) -> None:
    audit_record(
        actor=actor, action=AuditAction.CHANGE, obj=user, region_code=_region_code(user),
        before={"two_factor": not on}, after={"two_factor": on},
    )  # fmt: skip


@transaction.atomic
def two_factor_enrol(*, user: User, key: str, code: str) -> TOTPDevice:
    """Turn on two-step login for ``user`` with the secret ``key`` their app was given, once the
    app's ``code`` proves it holds the secret."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one enrolment at a time
    if selectors.two_factor_device(user) is not None:
        raise ValidationError({"code": _("Two-step login is already on for this account.")})
    if not totp.is_key(key):
        raise ValidationError({"code": _("The secret was lost; scan the new QR code.")})
    step = totp.code_step(key, code)
    if step is None:
        raise ValidationError(
            {"code": _("The code is not right. Check the time on the phone and try again.")}
        )
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="Lini", key=key, confirmed=True, last_t=step)
    _two_factor_audit(actor=user, user=user, on=True)
    return device


def two_factor_check(*, user: User, device: TOTPDevice, code: str) -> None:
    """Check a code of ``user``'s device (the second login step, or to turn it off). After each
    wrong code the next one is refused for 1, 2, 4, 8 ... seconds; wrong codes are recorded in
    the audit trail. Raises ValidationError (on ``code``) when the code is not accepted."""
    refused: str | None = None
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, info = device.verify_is_allowed()
        if not allowed:
            wait = (info or {}).get("locked_until")
            seconds = max(1, math.ceil((wait - timezone.now()).total_seconds())) if wait else 1
            refused = _("Too many wrong codes. Try again in %(seconds)s seconds.") % {
                "seconds": seconds
            }
        elif not device.verify_token(code):
            audit_record(
                actor=None, action=AuditAction.LOGIN_FAILED, model="accounts.user",
                object_id=user.pk, description=user.get_username(),
                after={"two_factor_code": "wrong"},
            )  # fmt: skip
            refused = _("The code is not right. Check the time on the phone and try again.")
    if refused is not None:
        raise ValidationError({"code": refused})


def two_factor_disable(*, user: User, code: str) -> None:
    """Turn off ``user``'s two-step login, with a code of their app (not when their role must
    use it)."""
    if settings.LINI_REQUIRE_2FA and user.role in TWO_FACTOR_ROLES:
        raise ValidationError({"code": _("Your role must log in with two steps.")})
    device = selectors.two_factor_device(user)
    if device is None:
        raise ValidationError({"code": _("Two-step login is not on for this account.")})
    two_factor_check(user=user, device=device, code=code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        _two_factor_audit(actor=user, user=user, on=False)


@transaction.atomic
def two_factor_reset(*, actor: User | None, user: User) -> bool:
    """An administrator turns off ``user``'s two-step login (a lost phone); the user's sessions
    end and, where their role must use it, they enrol again at their next login. True when it
    was on."""
    if actor is not None and not scope.can_manage_user(actor, user):
        raise PermissionDenied(_("You may not change this account."))
    with transaction.atomic():
        removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
        if not removed:
            return False
        _two_factor_audit(actor=actor, user=user, on=False)
        _api_tokens_revoke(actor, user, "two-step login reset")
    return True
