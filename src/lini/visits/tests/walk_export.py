"""The due list's download in the permission walk (see lini/web/tests/walk.py): a list of Kuta
Jaya (Kab. Tangerang) is refused to the users out of scope, who leave no export in the audit
trail; the officer of Kab. Tangerang gets the file, recorded as an export."""

from __future__ import annotations

from lini.audit.models import AuditAction, AuditEntry
from lini.regions.tests.places import KUTA_JAYA
from lini.visits.writers import AUDIT_MODEL
from lini.web.tests.walk import Case, World


def _exported(world: World) -> bool:
    return AuditEntry.objects.filter(
        action=AuditAction.EXPORT, model=AUDIT_MODEL, actor=world.tangerang_officer,
        region_code=KUTA_JAYA,
    ).exists()  # fmt: skip


CASES: dict[str, Case] = {
    "visits:due_export": Case(
        query=f"?minggu=2019-W44&wilayah={KUTA_JAYA}&format=csv", effect=_exported
    ),
}


def prepare(world: World) -> None:
    return None


def snapshot() -> object:
    return AuditEntry.objects.filter(action=AuditAction.EXPORT, model=AUDIT_MODEL).count()
