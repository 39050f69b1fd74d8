"""Reading the audit trail: administrators see the entries of their scope."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.models import AuditEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User


def entries_visible_to(user: User | AnonymousUser | None) -> QuerySet[AuditEntry]:
    """Entries about data of the user's regions (entries without a region, such as logins, only
    for national administrators); nothing for roles that do not administer users."""
    if not scope.role_allows(user, Action.MANAGE_USERS):
        return AuditEntry.objects.none()
    entries = AuditEntry.objects.all()
    if scope.user_scope(user).national:
        return entries
    return entries.filter(scope.user_scope(user).q("region_code"))


def entries_filter(
    entries: QuerySet[AuditEntry],
    *,
    actor: str = "",
    action: str = "",
    model: str = "",
    region: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    if actor:
        entries = entries.filter(actor_name__iexact=actor)
    if action:
        entries = entries.filter(action=action)
    if model:
        entries = entries.filter(model=model)
    if region:
        entries = entries.filter(region_code__startswith=region)
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    return entries
