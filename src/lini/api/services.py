"""Writes of API tokens: create one (its key is returned once, only its hash is kept) and revoke
one. Both are in the audit trail; neither records the key or its hash."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.api.models import ApiToken
from lini.audit.models import AuditAction
from lini.audit.services import audit_record

if TYPE_CHECKING:
    from lini.accounts.models import User

KEY_START = "lini_"
PREFIX_LENGTH = 12  # "lini_" and 7 characters of the random part: enough to tell keys apart
MAX_ACTIVE_TOKENS = 20
NAME_MAX = 100


def key_hash(key: str) -> str:
    """The stored form of a key: its SHA-256 (a key carries 256 random bits, so a plain hash
    cannot be reversed by trying keys)."""
    return hashlib.sha256(key.encode()).hexdigest()


def _view(token: ApiToken) -> dict[str, object]:
    return {"name": token.name, "prefix": token.prefix, "user": token.user.get_username()}


def token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token of ``actor`` (a user creates tokens only for themselves). Returns the token
    and its key, which is never stored and cannot be shown again."""
    if not scope.role_allows(actor, Action.VIEW):
        raise PermissionDenied
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the token a name (what it is for).")})
    if len(name) > NAME_MAX:
        raise ValidationError(
            {"name": _("The name has at most %(n)d characters.") % {"n": NAME_MAX}}
        )
    with transaction.atomic():
        active = ApiToken.objects.select_for_update().filter(user=actor, revoked_at=None)
        if len(active) >= MAX_ACTIVE_TOKENS:
            raise ValidationError(
                {
                    "name": _(
                        "You have %(n)d active tokens, the most allowed; revoke one you no "
                        "longer use first."
                    )
                    % {"n": len(active)}
                }
            )
        key = KEY_START + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=actor, name=name, key_hash=key_hash(key), prefix=key[:PREFIX_LENGTH]
        )
        audit_record(actor=actor, action=AuditAction.CREATE, obj=token, after=_view(token))
    return token, key


def can_revoke(actor: User, token: ApiToken) -> bool:
    """The token's owner, or an administrator who may manage the owner's account."""
    return token.user_id == actor.pk or scope.can_manage_user(actor, token.user)


def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke ``token`` for good: it is refused from the next request on."""
    if not actor.is_active or not can_revoke(actor, token):
        raise PermissionDenied
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
        if token.revoked_at is not None:
            raise ValidationError(_("This token is already revoked."))
        token.revoked_at, token.revoked_by = timezone.now(), actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=actor, action=AuditAction.CHANGE, obj=token, before={"revoked": False},
            after={"revoked": True, **_view(token)},
        )  # fmt: skip
    return token


def tokens_revoke_all(*, actor: User | None, user: User, why: str) -> int:
    """Revoke every live token of ``user`` (their account may be in other hands: an
    administrator reset its password or its two-step login); returns how many. The caller has
    checked the right to change the account."""
    now = timezone.now()
    revoked = 0
    for token in ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True):
        token.revoked_at, token.revoked_by = now, actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=actor, action=AuditAction.CHANGE, obj=token, before={"revoked": False},
            after={"revoked": True, "why": why, **_view(token)},
        )  # fmt: skip
        revoked += 1
    return revoked


def token_authenticate(key: str) -> ApiToken | None:
    """The active token of an active user with this key (None otherwise); notes its use at most
    once a minute."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_hash(key), revoked_at=None, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
