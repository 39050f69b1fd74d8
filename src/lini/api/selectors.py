"""Reads of API tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import F, QuerySet

from lini.api.models import ApiToken

if TYPE_CHECKING:
    from lini.accounts.models import User


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """Every token of ``user``, active first, newest first."""
    return (
        ApiToken.objects.filter(user=user)
        .select_related("revoked_by")
        .order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-pk")
    )
