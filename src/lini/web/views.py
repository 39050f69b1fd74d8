"""The home page (who the user is and the regions they work in) and the public privacy page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from lini.accounts import scope
from lini.accounts.roles import ROLE_ACTIONS, Action, Role
from lini.core import privacy as small_cells
from lini.exchange.models import ExportPurpose
from lini.exchange.registry import kinds
from lini.regions.models import Region
from lini.regions.selectors import region_ancestors

# What each right means, in words (the table of rights on the privacy page is read from
# ROLE_ACTIONS, so it stays true when the roles change; a right without words shows its code).
ACTION_WORDS = {
    Action.VIEW: _("read pages, lists and figures of their regions (identity numbers masked)"),
    Action.CHANGE: _("enter and correct data, import files"),
    Action.APPROVE: _("approve monthly inputs, reopen a locked month"),
    Action.VIEW_IDENTITY: _("see NIK and No. KK unmasked; export personal data"),
    Action.MANAGE_USERS: _("create and change accounts inside their regions"),
    Action.PLAN: _("plan campaigns (baksos)"),
}
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def home(request: HttpRequest) -> HttpResponse:
    user_scope = scope.user_scope(request.user)
    regions = list(Region.objects.filter(code__in=user_scope.codes).order_by("code"))
    assigned = [{"region": r, "ancestors": region_ancestors(region=r)} for r in regions]
    return render(
        request,
        "web/home.html",
        {"assigned": assigned, "national": user_scope.national},
    )


@login_not_required
def privacy(request: HttpRequest) -> HttpResponse:
    """What personal data Lini holds, why, who sees it and how it is protected (UU 27/2022):
    public, like every privacy notice; its facts are read from the code and the settings."""
    actions = list(Action)
    rights = [
        (label, [action in ROLE_ACTIONS.get(role, frozenset()) for action in actions])
        for role, label in Role.choices
    ]
    registered = sorted(kinds().values(), key=lambda kind: kind.slug)
    return render(
        request,
        "web/privacy.html",
        {
            "actions": [(a.value, ACTION_WORDS.get(a, a.value)) for a in actions],
            "rights": rights,
            "personal_kinds": [k.title for k in registered if k.personal],
            "other_kinds": [k.title for k in registered if not k.personal],
            "purposes": [label for _value, label in ExportPurpose.choices],
            "threshold": small_cells.threshold(),
            "withheld_mark": small_cells.WITHHELD_MARK,
            "database": DATABASES.get(connection.vendor, connection.vendor),
            "session_hours": round(settings.SESSION_COOKIE_AGE / 3600, 1),
            "session_idle_minutes": getattr(settings, "LINI_SESSION_IDLE_MINUTES", None),
            "dpo_contact": settings.LINI_DPO_CONTACT,
        },
    )
