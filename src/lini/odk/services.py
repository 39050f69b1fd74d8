"""Receiving submissions and reviewing the ones that could not be applied.

A submission is always kept: its XML in a file named by Lini, its row whatever its fate. It is
applied in the same transaction as its row is written (the changes, the row and the audit
entries commit together); one that fails validation stays "needs review" with its errors until
a reviewer corrects and applies it (through the same validation) or rejects it with a reason.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.models import AuditAction
from lini.audit.services import audit_record
from lini.odk.appliers import (
    FieldError,
    SubmissionRefusedError,
    submission_apply,
    submission_village,
)
from lini.odk.models import Submission, SubmissionStatus

if TYPE_CHECKING:
    from lini.accounts.models import User
    from lini.odk.openrosa import Instance, Values
    from lini.regions.models import Region

log = logging.getLogger(__name__)


def submissions_dir() -> Path:
    """Where the XML files live: inside LINI_HOME, named by Lini, never by the sender."""
    path = Path(settings.LINI_HOME) / "odk" / "submissions"
    path.mkdir(parents=True, exist_ok=True)
    return path


def submission_file(submission: Submission) -> Path:
    return submissions_dir() / submission.xml_file


def _store(data: bytes) -> str:
    """Write ``data`` under a new name; the name relative to :func:`submissions_dir`."""
    now = timezone.now()
    relative = Path(f"{now:%Y}") / f"{now:%m}" / f"{uuid.uuid4().hex}.xml"
    target = submissions_dir() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)
    return relative.as_posix()


def _errors(errors: list[FieldError]) -> list[dict[str, str]]:
    return [error.as_dict() for error in errors]


def _try_apply(
    form_id: str, values: dict[str, Any], actor: User
) -> tuple[str, list[dict[str, str]]]:
    """Apply in a savepoint: ("applied", summary) or ("", errors); nothing of a refusal stays."""
    try:
        with transaction.atomic():
            applied = submission_apply(form_id=form_id, values=values, actor=actor)
    except SubmissionRefusedError as exc:
        return "", _errors(exc.errors)
    except PermissionDenied:
        return "", [{"field": "", "message": _("outside the regions you may change")}]
    except Exception:  # kept for a person to look at, never lost: see the log for the cause
        log.exception("applying an ODK submission of %s failed", form_id)
        return "", [
            {
                "field": "",
                "message": _(
                    "Lini could not apply it (an internal error); try again or tell the administrator."
                ),
            }
        ]
    return applied.summary, []


def _audit_view(submission: Submission) -> dict[str, object]:
    return {
        "form_id": submission.form_id, "instance_id": submission.instance_id,
        "status": submission.status, "errors": submission.errors, "result": submission.result,
        "xml_file": submission.xml_file,
    }  # fmt: skip


@dataclass(frozen=True)
class Received:
    submission: Submission
    duplicate: bool  # the same instance was received before: nothing was done again


class DuplicateConflictError(Exception):
    """Another submission with this instanceID, but different content, was received."""


def _senders_village(values: Values, user: User) -> Region | None:
    """The village the submission names, if the sender may change its data; else None, so that a
    submission about another village waits in the sender's own queue only, never in that
    village's (where a reviewer could apply it as themselves)."""
    village = submission_village(values)
    if village is None or not scope.can(user, Action.CHANGE, village):
        return None
    return village


def submission_receive(*, user: User, instance: Instance, data: bytes) -> Received:
    """Keep a submitted instance and apply it as ``user``. The same instance sent again (ODK
    Collect resends when it missed the answer) is recognised by its instanceID and changes
    nothing; different content under a known instanceID raises DuplicateConflictError."""
    digest = hashlib.sha256(data).hexdigest()
    existing = Submission.objects.filter(instance_id=instance.instance_id).first()
    if existing is not None:
        return _duplicate(existing, digest)
    name = _store(data)
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                instance_id=instance.instance_id, form_id=instance.form_id,
                form_version=instance.version[:40], submitted_by=user, xml_file=name,
                xml_sha256=digest, values=instance.values,
                village=_senders_village(instance.values, user),
            )  # fmt: skip
            summary, errors = _try_apply(instance.form_id, instance.values, user)
            submission.errors = errors
            submission.result = summary[:200]
            submission.status = (
                SubmissionStatus.NEEDS_REVIEW if errors else SubmissionStatus.APPLIED
            )
            submission.save(update_fields=["errors", "result", "status", "updated_at"])
            audit_record(
                actor=user, action=AuditAction.CREATE, obj=submission,
                region_code=submission.village.code if submission.village else "",
                after=_audit_view(submission),
            )  # fmt: skip
    except IntegrityError:  # the same instance arrived twice at once: the other one won
        (submissions_dir() / name).unlink(missing_ok=True)
        existing = Submission.objects.filter(instance_id=instance.instance_id).first()
        if existing is None:
            raise
        return _duplicate(existing, digest)
    except BaseException:
        (submissions_dir() / name).unlink(missing_ok=True)
        raise
    return Received(submission=submission, duplicate=False)


def _duplicate(existing: Submission, digest: str) -> Received:
    if existing.xml_sha256 != digest:
        raise DuplicateConflictError(existing.instance_id)
    return Received(submission=existing, duplicate=True)


# Review ------------------------------------------------------------------------------------------


def may_review(user: User, submission: Submission) -> bool:
    """Whoever may change data of the submission's village, and its sender."""
    if submission.submitted_by_id == user.pk and user.is_active:
        return True
    return submission.village is not None and scope.can(user, Action.CHANGE, submission.village)


def _require_review(user: User, submission: Submission) -> Submission:
    if not may_review(user, submission):
        raise PermissionDenied
    locked = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("village")
        .get(pk=submission.pk)
    )
    if locked.status != SubmissionStatus.NEEDS_REVIEW:
        raise ValidationError(
            _("This submission is no longer waiting for a review (it is %(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def submission_review_apply(
    *, actor: User, submission: Submission, values: dict[str, Any]
) -> Submission:
    """Apply the reviewer's corrected ``values`` as the reviewer, through the same validation
    as any submission. Refused again: the new errors are kept and it stays in the queue."""
    with transaction.atomic():
        target = _require_review(actor, submission)
        before = {**_audit_view(target), "values": target.current_values}
        summary, errors = _try_apply(target.form_id, values, actor)
        target.corrected = values
        target.errors = errors
        fields = ["corrected", "errors", "updated_at"]
        if not errors:
            target.status = SubmissionStatus.APPLIED
            target.result = summary[:200]
            target.reviewed_by, target.reviewed_at = actor, timezone.now()
            target.village = submission_village(values) or target.village
            fields += ["status", "result", "reviewed_by", "reviewed_at", "village"]
        target.save(update_fields=fields)
        after = {**_audit_view(target), "values": target.current_values}
        audit_record(
            actor=actor, action=AuditAction.CHANGE, obj=target,
            region_code=target.village.code if target.village else "",
            before={k: v for k, v in before.items() if after.get(k) != v},
            after={k: v for k, v in after.items() if before.get(k) != v},
        )  # fmt: skip
    return target


def submission_reject(*, actor: User, submission: Submission, reason: str) -> Submission:
    """Reject a submission waiting for review; it is kept, with the reason, and never applied."""
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": _("Give the reason for rejecting it.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("The reason is longer than 500 characters.")})
    with transaction.atomic():
        target = _require_review(actor, submission)
        target.status = SubmissionStatus.REJECTED
        target.reject_reason = reason
        target.reviewed_by, target.reviewed_at = actor, timezone.now()
        target.save(
            update_fields=["status", "reject_reason", "reviewed_by", "reviewed_at", "updated_at"]
        )
        audit_record(
            actor=actor, action=AuditAction.CHANGE, obj=target,
            region_code=target.village.code if target.village else "",
            before={"status": SubmissionStatus.NEEDS_REVIEW},
            after={"status": target.status, "reject_reason": reason},
        )  # fmt: skip
    return target
