"""Creating and running import/export jobs (the pages create them, a worker runs them)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lini.exchange.models import DataJob, Direction, JobStatus
from lini.exchange.readers import FileError, check_suffix
from lini.exchange.registry import get_kind
from lini.exchange.services import export_run, import_run

if TYPE_CHECKING:
    from lini.accounts.models import User
    from lini.regions.models import Region

log = logging.getLogger(__name__)
PROGRESS_EVERY_ROWS = 2000


def jobs_dir() -> Path:
    """Where uploaded and produced files live: inside LINI_HOME, named by Lini, never by users."""
    path = Path(settings.LINI_HOME) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _estimate_rows(path: Path) -> int:
    if path.suffix.lower() == ".csv":
        with path.open("rb") as handle:
            return max(
                0, sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1
            )
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
        rows = (book.worksheets[0].max_row or 1) - 1
        book.close()
    except Exception:
        return 0
    return max(0, rows)


def import_job_create(
    *, user: User, kind_slug: str, upload: UploadedFile, dry_run: bool
) -> DataJob:
    kind = get_kind(kind_slug)
    suffix = check_suffix(Path(upload.name or ""))
    limit = settings.LINI_UPLOAD_MAX_MB * 1024 * 1024
    if upload.size and upload.size > limit:
        raise FileError(
            _("%(name)s is larger than %(mb)d MB")
            % {"name": upload.name, "mb": settings.LINI_UPLOAD_MAX_MB}
        )
    job = DataJob.objects.create(
        direction=Direction.IMPORT, kind=kind.slug, user=user, dry_run=dry_run,
        original_name=(upload.name or "")[:200],
    )  # fmt: skip
    path = jobs_dir() / f"{job.token}-input{suffix}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job.input_path = str(path)
    job.rows_total = _estimate_rows(path)
    job.save(update_fields=["input_path", "rows_total", "updated_at"])
    _enqueue(job)
    return job


def import_job_repeat(*, job: DataJob, user: User) -> DataJob:
    """Run a checked file for real (after a dry run)."""
    if job.user_id != user.pk or job.direction != Direction.IMPORT:
        raise PermissionDenied
    again = DataJob.objects.create(
        direction=Direction.IMPORT, kind=job.kind, user=user, dry_run=False,
        original_name=job.original_name, rows_total=job.rows_total,
    )  # fmt: skip
    path = jobs_dir() / f"{again.token}-input{Path(job.input_path).suffix}"
    shutil.copyfile(job.input_path, path)
    again.input_path = str(path)
    again.save(update_fields=["input_path", "updated_at"])
    _enqueue(again)
    return again


def export_job_create(*, user: User, kind_slug: str, region: Region, suffix: str) -> DataJob:
    kind = get_kind(kind_slug)
    job = DataJob.objects.create(
        direction=Direction.EXPORT, kind=kind.slug, user=user, region=region
    )
    job.output_path = str(jobs_dir() / f"{job.token}-{kind.slug}-{region.code}{suffix}")
    job.save(update_fields=["output_path", "updated_at"])
    _enqueue(job)
    return job


def _enqueue(job: DataJob) -> None:
    from lini.exchange.tasks import data_job_run

    transaction.on_commit(lambda: data_job_run.enqueue(job.pk))


def data_job_run(job_id: int) -> None:
    """Run a pending job once: a second worker finds it claimed and leaves it."""
    claimed = DataJob.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    job = DataJob.objects.select_related("user", "region").get(pk=job_id)
    kind = get_kind(job.kind)

    def progress(rows: int) -> None:
        if rows - job.rows_done >= PROGRESS_EVERY_ROWS or rows < job.rows_done:
            job.rows_done = rows
            DataJob.objects.filter(pk=job.pk).update(rows_done=rows)

    try:
        if job.direction == Direction.IMPORT:
            rejects = Path(job.input_path).with_name(
                f"{job.token}-rejects{Path(job.input_path).suffix}"
            )
            report = import_run(
                kind=kind, path=Path(job.input_path), user=job.user, dry_run=job.dry_run,
                rejects_path=rejects, progress=progress, name=job.original_name,
            )  # fmt: skip
            job.summary = report.as_dict()
            job.rows_done = report.rows_read
            job.output_path = str(rejects) if report.rows_rejected else ""
            if not report.rows_rejected:
                rejects.unlink(missing_ok=True)
        else:
            rows = export_run(
                kind=kind, region=job.region, path=Path(job.output_path), user=job.user
            )
            job.summary = {"rows": rows}
            job.rows_done = job.rows_total = rows
        job.status = JobStatus.DONE
    except (FileError, PermissionDenied) as exc:
        job.status, job.error = JobStatus.FAILED, str(exc) or _("Not allowed.")
    except Exception as exc:
        log.exception("data job %s failed", job.pk)
        job.status, job.error = JobStatus.FAILED, _("Unexpected error: %(error)s") % {"error": exc}
    job.finished_at = timezone.now()
    job.save(
        update_fields=["status", "error", "summary", "rows_done", "rows_total", "output_path",
                       "finished_at", "updated_at"]
    )  # fmt: skip
