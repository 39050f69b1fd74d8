"""Logins and failed logins go to the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from lini.audit.models import AuditAction
from lini.audit.services import audit_record


@receiver(user_logged_in, dispatch_uid="lini_audit_login")
def _logged_in(sender: object, request: object, user: Any, **kwargs: object) -> None:
    audit_record(actor=user, action=AuditAction.LOGIN, obj=user)


@receiver(user_login_failed, dispatch_uid="lini_audit_login_failed")
def _login_failed(sender: object, credentials: dict[str, Any], **kwargs: object) -> None:
    name = str(credentials.get("username", ""))[:150]
    audit_record(
        actor=None, action=AuditAction.LOGIN_FAILED, model="accounts.user", description=name
    )
