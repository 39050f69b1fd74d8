"""Running imports, exports and templates for any registered kind (commands, pages and tasks call
these)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.models import AuditAction
from lini.audit.services import audit_record
from lini.core.statistics import AFTER_IMPORTED_ROWS, statistics_refresh
from lini.exchange.models import ExportPurpose
from lini.exchange.readers import FileError, Row, read_rows
from lini.exchange.registry import DataKind, ImportContext, ImportReport
from lini.exchange.writers import TableWriter

if TYPE_CHECKING:
    from lini.accounts.models import User
    from lini.regions.models import Region


def template_write(*, kind: DataKind, path: Path) -> None:
    """An empty template: the header row and, in XLSX, an explanation sheet of every column."""
    with TableWriter(path, kind.column_names) as out:
        out.add_sheet(
            "petunjuk",
            [
                (_("column"), _("required"), _("what to write"), _("allowed values")),
                *(
                    (c.name, _("yes") if c.required else _("no"), c.description, c.allowed)
                    for c in kind.columns
                ),
            ],
        )


def import_run(
    *,
    kind: DataKind,
    path: Path,
    user: User | None,
    dry_run: bool = False,
    rejects_path: Path | None = None,
    progress: Callable[[int], None] | None = None,
    name: str | None = None,
) -> ImportReport:
    """Import ``path``; rejected rows go to ``rejects_path`` (same columns plus the reason).

    ``user`` None is the system (command line without ``--user``); a user may import only rows of
    villages in their scope where their role may change data."""
    if user is not None and not scope.role_allows(user, Action.CHANGE):
        raise PermissionDenied(_("Your role may not import data."))
    name = name or path.name
    header, rows = read_rows(path, name=name)
    missing = [c.name for c in kind.columns if c.required and c.name not in header]
    if missing:
        raise FileError(
            _("%(name)s lacks the column(s) %(cols)s; download the template to see them all")
            % {"name": name, "cols": ", ".join(missing)}
        )
    columns = [name for name in header if name and name != kind.error_column]
    writer = None
    if rejects_path is not None:
        writer = TableWriter(rejects_path, [*columns, kind.error_column]).__enter__()

    def reject(row: Row, why: str) -> None:
        if writer is not None:
            writer.write([*(row.values.get(c) for c in columns), why])

    context = ImportContext(
        user=user,
        dry_run=dry_run,
        reject=reject,
        progress=progress or (lambda rows: None),
        reread=lambda columns=None: read_rows(path, name=name, only=columns)[1],
    )
    if not dry_run:
        # An import commits batch by batch: the trail says it began before anything is written,
        # so that rows of an import stopped half-way (even killed) are never unaccounted for.
        audit_record(
            actor=user, action=AuditAction.IMPORT, model=kind.slug, description=name,
            after={"state": "started"},
        )  # fmt: skip
    try:
        report = kind.import_rows(rows, context)
    except Exception as exc:
        if not dry_run:
            audit_record(
                actor=user, action=AuditAction.IMPORT, model=kind.slug, description=name,
                after={"state": "stopped", "error": str(exc)[:500]},
            )  # fmt: skip
        raise
    finally:
        if writer is not None:
            writer.__exit__(None, None, None)
    report.dry_run = dry_run
    if not dry_run and report.rows_read >= AFTER_IMPORTED_ROWS:
        statistics_refresh()  # the planner must know the new sizes (lini.core.statistics)
    if not dry_run:
        summary = {k: v for k, v in report.as_dict().items() if isinstance(v, int | bool)}
        audit_record(
            actor=user, action=AuditAction.IMPORT, model=kind.slug, description=name,
            after={"state": "finished", **summary},
        )  # fmt: skip
    return report


PURPOSE_MIN_CHARS = 10
PURPOSE_MAX_CHARS = 300


def export_purpose_clean(*, kind: DataKind, purpose: str, purpose_kind: str = "") -> str:
    """The stated purpose of an export, tidied (spaces squeezed). An export of personal data
    needs one of at least PURPOSE_MIN_CHARS characters; every export may carry one.
    ValidationError (with a message that says what to write) otherwise."""
    text = " ".join((purpose or "").split())
    if purpose_kind and purpose_kind not in ExportPurpose.values:
        raise ValidationError(
            _("%(value)s is not a kind of purpose; choose one of %(kinds)s.")
            % {"value": purpose_kind[:40], "kinds": ", ".join(ExportPurpose.values)},
            code="purpose_kind",
        )
    if kind.personal and len(text) < PURPOSE_MIN_CHARS:
        raise ValidationError(
            _(
                "%(kind)s holds personal data: state the purpose of this export in at least "
                "%(n)d characters (who needs the data and why)."
            )
            % {"kind": kind.title, "n": PURPOSE_MIN_CHARS},
            code="purpose_required",
        )
    if len(text) > PURPOSE_MAX_CHARS:
        raise ValidationError(
            _("The purpose is %(length)d characters long; keep it to %(n)d.")
            % {"length": len(text), "n": PURPOSE_MAX_CHARS},
            code="purpose_long",
        )
    return text


def export_run(
    *,
    kind: DataKind,
    region: Region,
    path: Path,
    user: User | None,
    purpose: str = "",
    purpose_kind: str = "",
) -> int:
    """Write the rows of ``region`` to ``path``; returns the number of rows. The stated purpose
    (which the page, the job and ``lini export`` require for personal data, see
    :func:`export_purpose_clean`) goes into the audit entry."""
    if user is not None:
        scope.require(user, Action.VIEW, region)
        if kind.personal:  # names, NIK, contraceptive use: only for roles that may see identity
            scope.require(user, Action.VIEW_IDENTITY, region)
    with TableWriter(path, kind.column_names) as out:
        out.write_all(kind.export_rows(user=user, region=region))
        rows = out.rows
    stated = {"purpose_kind": purpose_kind, "purpose": purpose} if purpose else {}
    audit_record(
        actor=user, action=AuditAction.EXPORT, model=kind.slug, description=path.name,
        region_code=region.code, after={"rows": rows, "personal": kind.personal, **stated},
    )  # fmt: skip
    return rows
