from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from lini import __version__
from lini.accounts import scope
from lini.accounts.roles import Action
from lini.reminders.selectors import may_see_outbox


def lini(request: HttpRequest) -> dict[str, object]:
    """What the base layout needs on every page: the menu entries the user may see."""
    return {
        "lini_version": __version__,
        "lini_today_fixed": settings.LINI_TODAY,
        "can_manage_users": scope.role_allows(getattr(request, "user", None), Action.MANAGE_USERS),
        "reminders_on": settings.LINI_REMINDERS,
        "can_see_reminders": settings.LINI_REMINDERS
        and may_see_outbox(getattr(request, "user", None)),
    }
