"""Writing the audit trail. Every service that changes data, every import and export and every
view of an unmasked identity calls :func:`audit_record` inside its own transaction, so that the
entry exists exactly when the change does."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

from lini.audit.context import current_ip
from lini.audit.models import AuditAction, AuditEntry, AuditHead

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User

GENESIS = "0" * 64

# Sent inside the transaction of every recorded change of data (create, change, delete and the
# monthly approval steps), with the model label and the region code of the change: figures
# derived from the data (the indicator counts) are brought up to date in the same transaction.
data_changed = Signal()
WRITES = frozenset(
    {
        AuditAction.CREATE, AuditAction.CHANGE, AuditAction.DELETE, AuditAction.APPROVE,
        AuditAction.SEND_BACK, AuditAction.REOPEN,
    }
)  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The stored values of ``obj`` (concrete fields, foreign keys as ids), JSON-ready."""
    names = set(fields) if fields is not None else None
    values: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if names is not None and f.name not in names:
            continue
        if f.name in ("created_at", "updated_at"):
            continue
        values[f.attname] = _plain(getattr(obj, f.attname))
    return values


def changed_only(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The keys whose values differ, from each side."""
    keys = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def entry_hash(entry: AuditEntry) -> str:
    """The hash of an entry's content and of the entry before it."""
    at = entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    content = [
        entry.previous_hash, at, entry.actor_id, entry.actor_name, entry.ip, entry.action,
        entry.model, entry.object_id, entry.object_repr, entry.region_code, entry.before,
        entry.after,
    ]  # fmt: skip
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: AuditAction | str,
    obj: models.Model | None = None,
    model: str = "",
    object_id: object = "",
    description: str = "",
    region_code: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry at the end of the chain. ``obj`` fills model, id and description."""
    if obj is not None:
        model = model or obj._meta.label_lower
        object_id = object_id or obj.pk
        description = description or str(obj)
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            at=timezone.now(),
            actor=user,
            actor_name=user.get_username() if user is not None else "system",
            ip=current_ip.get(),
            action=str(action),
            model=model,
            object_id=str(object_id if object_id is not None else "")[:40],
            object_repr=description[:200],
            region_code=region_code,
            before=_plain(before) if before is not None else None,
            after=_plain(after) if after is not None else None,
            previous_hash=head.last_hash,
        )
        entry.hash = entry_hash(entry)
        entry.save()
        head.last_hash = entry.hash
        head.entries += 1
        head.save(update_fields=["last_hash", "entries"])
        if entry.action in WRITES:
            data_changed.send(sender=AuditEntry, model=entry.model, region_code=region_code)
    return entry


def audit_change(
    *,
    actor: User | AnonymousUser | None,
    obj: models.Model,
    before: dict[str, Any] | None,
    region_code: str,
    fields: Iterable[str] | None = None,
) -> AuditEntry | None:
    """Record the creation (``before`` None) or change of ``obj``; nothing when nothing changed."""
    after = snapshot(obj, fields)
    if before is None:
        return audit_record(
            actor=actor, action=AuditAction.CREATE, obj=obj, region_code=region_code, after=after
        )
    old, new = changed_only(before, after)
    if not old and not new:
        return None
    return audit_record(
        actor=actor, action=AuditAction.CHANGE, obj=obj, region_code=region_code,
        before=old, after=new,
    )  # fmt: skip


def delete_with_audit(
    *, actor: User | AnonymousUser | None, obj: models.Model, region_code: str
) -> AuditEntry:
    """Delete ``obj`` and record it (with its last values) once it is gone, so that what follows
    the change (the counts) sees the database without it."""
    before, label, pk, description = snapshot(obj), obj._meta.label_lower, obj.pk, str(obj)
    obj.delete()
    return audit_record(
        actor=actor, action=AuditAction.DELETE, model=label, object_id=pk,
        description=description, region_code=region_code, before=before,
    )  # fmt: skip


def audit_delete(
    *, actor: User | AnonymousUser | None, obj: models.Model, region_code: str
) -> AuditEntry:
    """Record the deletion of ``obj`` before it happens (prefer :func:`delete_with_audit`)."""
    return audit_record(
        actor=actor, action=AuditAction.DELETE, obj=obj, region_code=region_code,
        before=snapshot(obj),
    )  # fmt: skip


def chain_verify() -> tuple[int, list[str]]:
    """Walk the chain from the first entry; the number of entries and the problems found."""
    problems: list[str] = []
    previous = GENESIS
    count = 0
    for entry in AuditEntry.objects.order_by("pk").iterator(chunk_size=2000):
        count += 1
        if entry.previous_hash != previous:
            problems.append(
                f"entry {entry.pk}: the entry before it is missing or was changed "
                f"(expected link {previous[:12]}…, found {entry.previous_hash[:12]}…)"
            )
        if entry_hash(entry) != entry.hash:
            problems.append(f"entry {entry.pk}: its content was changed after it was written")
        previous = entry.hash
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != previous:
        problems.append("the newest entries were removed (the chain ends before its recorded head)")
    if head is not None and head.entries != count:
        problems.append(f"{head.entries} entries were written but {count} remain")
    return count, problems
