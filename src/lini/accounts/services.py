"""Writes to accounts. Every change is checked against the actor's scope here, whatever calls it."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.models import RegionAssignment, User
from lini.accounts.roles import ROLE_LEVELS, Role
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
    """Create an account. ``actor`` None means the system itself (the demo, a setup command)."""
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
    return user


@transaction.atomic
def user_set_password(*, actor: User | None, user: User, password: str) -> User:
    """Set a new password for another account (an administrator's reset)."""
    if actor is not None and not scope.can_manage_user(actor, user):
        raise PermissionDenied(_("You may not change this account."))
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user
