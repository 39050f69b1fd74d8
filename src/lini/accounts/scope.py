"""Region scope: the one place that decides what a user may read and change.

Every page, API call, import and export asks this module, never the role or the assignments
directly:

- :func:`can` — may ``user`` do ``action`` on data of ``region``?
- :func:`require` — the same, raising ``PermissionDenied``.
- :func:`restrict` — a queryset cut down to what ``user`` may do ``action`` on.
- :func:`can_navigate` — may ``user`` open the page of ``region`` to find their way down to their
  own regions (the regions above their assignments: shown, but only their own branch)?
- :func:`can_manage_user` / :func:`manageable_users` — user administration inside the scope.

A user's scope is their assigned regions and everything below them; a national administrator's is
the whole country. An inactive or anonymous user may do nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

from lini.accounts.roles import ROLE_ACTIONS, ROLE_RANK, Action, Role
from lini.regions.codes import is_within
from lini.regions.selectors import subtree_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User
    from lini.regions.models import Region

M = TypeVar("M", bound=Model)

_CACHE_ATTR = "_lini_scope"


@dataclass(frozen=True)
class Scope:
    """The regions a user works in: ``codes`` (minimal: none lies below another) or the nation."""

    codes: tuple[str, ...]
    national: bool = False

    def covers(self, code: str) -> bool:
        """True when ``code`` is one of the user's regions or lies below one."""
        return self.national or any(is_within(code, own) for own in self.codes)

    def leads_to(self, code: str) -> bool:
        """True when ``code`` is a region above one of the user's regions."""
        return not self.national and any(own.startswith(code + ".") for own in self.codes)

    def q(self, field: str = "code") -> Q:
        """A filter for rows whose region code (reached through ``field``) is in the scope."""
        return Q() if self.national else subtree_q(self.codes, field=field)


EMPTY_SCOPE = Scope(codes=())


def _minimal(codes: Iterable[str]) -> tuple[str, ...]:
    ordered = sorted(set(codes))
    kept: list[str] = []
    for code in ordered:
        if not any(is_within(code, other) for other in kept):
            kept.append(code)
    return tuple(kept)


def _is_active_user(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def user_scope(user: User | AnonymousUser | None) -> Scope:
    """The user's scope, computed once per user object (one query)."""
    if not _is_active_user(user):
        return EMPTY_SCOPE
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if user.role == Role.NATIONAL_ADMIN:  # type: ignore[union-attr]
        scope = Scope(codes=(), national=True)
    else:
        codes = user.assignments.values_list("region__code", flat=True)  # type: ignore[union-attr]
        scope = Scope(codes=_minimal(codes))
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user: User) -> None:
    """Drop the cached scope after the user's role or assignments changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def role_allows(user: User | AnonymousUser | None, action: Action) -> bool:
    """Whether the user's role includes ``action`` at all (somewhere in their scope)."""
    if not _is_active_user(user):
        return False
    return action in ROLE_ACTIONS.get(user.role, frozenset())  # type: ignore[union-attr]


def _code_of(region: Region | str) -> str:
    return region if isinstance(region, str) else region.code


def can(user: User | AnonymousUser | None, action: Action, region: Region | str) -> bool:
    """May ``user`` do ``action`` on data of ``region`` (a Region or its code)?"""
    return role_allows(user, action) and user_scope(user).covers(_code_of(region))


def require(user: User | AnonymousUser | None, action: Action, region: Region | str) -> None:
    """Raise ``PermissionDenied`` unless :func:`can`."""
    if not can(user, action, region):
        raise PermissionDenied


def can_navigate(user: User | AnonymousUser | None, region: Region | str) -> bool:
    """May ``user`` open the page of ``region``: inside their scope, or above it on the way down."""
    if not role_allows(user, Action.VIEW):
        return False
    scope = user_scope(user)
    code = _code_of(region)
    return scope.covers(code) or scope.leads_to(code)


def restrict(
    queryset: QuerySet[M],
    user: User | AnonymousUser | None,
    action: Action = Action.VIEW,
    *,
    field: str = "code",
) -> QuerySet[M]:
    """``queryset`` cut down to the rows whose region (reached through ``field``, e.g.
    ``"village__code"``) lies in the user's scope, or to nothing when the role lacks ``action``."""
    if not role_allows(user, action):
        return queryset.none()
    return queryset.filter(user_scope(user).q(field))


def navigable_q(user: User | AnonymousUser | None, *, field: str = "code") -> Q:
    """A filter for the regions :func:`can_navigate` allows (scope plus the regions above it)."""
    if not role_allows(user, Action.VIEW):
        return Q(pk__in=[])
    scope = user_scope(user)
    if scope.national:
        return Q()
    above = {own.rsplit(".", i)[0] for own in scope.codes for i in range(1, own.count(".") + 1)}
    return scope.q(field) | Q(**{f"{field}__in": sorted(above)})


# User administration ------------------------------------------------------------------------


def _grants_no_more(actor: User, role: str) -> bool:
    """An administrator may hand out only roles whose rights are a subset of their own and
    ranked below theirs; only a superuser creates or manages national administrators."""
    if actor.is_superuser:
        return True
    return (
        ROLE_RANK[role] < ROLE_RANK[actor.role] and ROLE_ACTIONS[role] <= ROLE_ACTIONS[actor.role]
    )


def can_assign(actor: User | AnonymousUser | None, role: str, regions: Iterable[Region]) -> bool:
    """May ``actor`` give an account this role and these regions?"""
    if not role_allows(actor, Action.MANAGE_USERS) or not _grants_no_more(actor, role):  # type: ignore[arg-type]
        return False
    scope = user_scope(actor)
    regions = list(regions)
    if not scope.national and not regions:
        return False
    return all(scope.covers(region.code) for region in regions)


def can_manage_user(actor: User | AnonymousUser | None, target: User) -> bool:
    """May ``actor`` edit ``target``'s account: a lower role with no more rights than the
    actor's, every region of it in the actor's scope, and never the actor's own account."""
    if not role_allows(actor, Action.MANAGE_USERS) or target.pk == actor.pk:  # type: ignore[union-attr]
        return False
    if target.is_superuser and not actor.is_superuser:  # type: ignore[union-attr]
        return False
    if not _grants_no_more(actor, target.role):  # type: ignore[arg-type]
        return False
    scope = user_scope(actor)
    if scope.national:
        return True
    codes = list(target.assignments.values_list("region__code", flat=True))
    return bool(codes) and all(scope.covers(code) for code in codes)


def manageable_users(actor: User | AnonymousUser | None) -> QuerySet[User]:
    """The accounts :func:`can_manage_user` allows, as one queryset."""
    from lini.accounts.models import RegionAssignment, User

    if not role_allows(actor, Action.MANAGE_USERS):
        return User.objects.none()
    users = User.objects.exclude(pk=actor.pk)  # type: ignore[union-attr]
    if actor.is_superuser:  # type: ignore[union-attr]
        return users
    users = users.filter(
        is_superuser=False,
        role__in=[r for r in Role.values if _grants_no_more(actor, r)],  # type: ignore[arg-type]
    )
    scope = user_scope(actor)
    if scope.national:
        return users
    inside = RegionAssignment.objects.filter(scope.q("region__code")).values("user_id")
    outside = RegionAssignment.objects.exclude(scope.q("region__code")).values("user_id")
    return users.filter(pk__in=inside).exclude(pk__in=outside)


def grantable_roles(actor: User | AnonymousUser | None) -> list[str]:
    """The roles ``actor`` may give to accounts (none without the right to manage users)."""
    if not role_allows(actor, Action.MANAGE_USERS):
        return []
    return [role for role in Role.values if _grants_no_more(actor, role)]  # type: ignore[arg-type]
