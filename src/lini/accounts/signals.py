"""Receivers: a lock-out after repeated failed logins goes to the audit trail; a login starts the
session's clocks (idle and absolute expiry)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from lini.accounts.middleware import stamp_login
from lini.audit.models import AuditAction
from lini.audit.services import audit_record


@receiver(user_locked_out, dispatch_uid="lini_audit_locked_out")
def _locked_out(sender: object, request: HttpRequest, username: str | None, **kwargs: Any) -> None:
    # axes also sends this for each attempt refused while locked; only the failure that reached
    # the limit (the one that set the count) starts a lock-out.
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    audit_record(
        actor=None, action=AuditAction.LOGIN_FAILED, model="accounts.user",
        description=str(username or "")[:150],
        after={"locked_out_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
    )  # fmt: skip


@receiver(user_logged_in, dispatch_uid="lini_session_started")
def _logged_in(sender: object, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        stamp_login(request)
