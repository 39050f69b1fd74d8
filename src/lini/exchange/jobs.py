"""Creating and running import/export jobs (the pages create them, a worker runs them)."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from lini.exchange.models import DataJob, Direction, JobStatus
from lini.exchange.readers import FileError, check_suffix, xlsx_check
from lini.exchange.registry import get_kind
from lini.exchange.services import export_purpose_clean, export_run, import_run

if TYPE_CHECKING:
    from lini.accounts.models import User
    from lini.regions.models import Region

log = logging.getLogger(__name__)
PROGRESS_EVERY_ROWS = 2000
BEAT_SECONDS = 15  # how often a running job shows it is alive


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
    if suffix == ".xlsx":  # checked before openpyxl opens it to count the rows (zip bombs)
        try:
            xlsx_check(path, upload.name or path.name)
        except FileError:
            path.unlink(missing_ok=True)
            job.delete()  # nothing to run: the form says why
            raise
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


def export_job_create(
    *,
    user: User,
    kind_slug: str,
    region: Region,
    suffix: str,
    purpose: str = "",
    purpose_kind: str = "",
) -> DataJob:
    """A pending export; ValidationError when personal data is asked for without a purpose."""
    kind = get_kind(kind_slug)
    purpose = export_purpose_clean(kind=kind, purpose=purpose, purpose_kind=purpose_kind)
    job = DataJob.objects.create(
        direction=Direction.EXPORT, kind=kind.slug, user=user, region=region, purpose=purpose,
        purpose_kind=purpose_kind if purpose else "",
    )  # fmt: skip
    job.output_path = str(jobs_dir() / f"{job.token}-{kind.slug}-{region.code}{suffix}")
    job.save(update_fields=["output_path", "updated_at"])
    _enqueue(job)
    return job


def _enqueue(job: DataJob) -> None:
    from lini.exchange.tasks import data_job_run

    transaction.on_commit(lambda: data_job_run.enqueue(job.pk))


def stale_jobs_fail(*, now: dt.datetime | None = None) -> int:
    """Mark failed the running jobs whose worker stopped beating (it was killed or its machine
    went down); returns how many. What such a job wrote is whole: imports write in batches that
    are each one transaction, and the villages of an unfinished batch are marked for a rewrite of
    their counts (see ``indicators.PendingCounts``). Running the file again completes it."""
    now = now or timezone.now()
    limit = now - dt.timedelta(minutes=settings.LINI_JOB_STALE_MINUTES)
    stale = DataJob.objects.filter(status=JobStatus.RUNNING).annotate(
        alive=Coalesce("beat_at", "started_at", "updated_at")
    )
    return stale.filter(Q(alive__lt=limit)).update(
        status=JobStatus.FAILED,
        finished_at=now,
        error=_(
            "The worker running this job stopped (it was killed or its machine restarted) and "
            "it did not finish. Rows stored before it stopped are kept whole; run the file "
            "again to complete it: rows already stored are updated, not added twice."
        ),
    )


def job_is_stale(job: DataJob, *, now: dt.datetime | None = None) -> bool:
    """Whether a running job's worker has shown no sign of life for too long."""
    if job.status != JobStatus.RUNNING:
        return False
    alive = job.beat_at or job.started_at or job.updated_at
    limit = (now or timezone.now()) - dt.timedelta(minutes=settings.LINI_JOB_STALE_MINUTES)
    return alive < limit


class _Heartbeat:
    """A thread that writes ``beat_at`` of a running job every BEAT_SECONDS until stopped. It
    dies with its process, which is the point: a killed worker stops beating."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"job-{job_id}-beat", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join(timeout=30)  # at most one write in flight (busy_timeout is 5 s)

    def _run(self) -> None:
        try:
            while not self.done.wait(BEAT_SECONDS):
                try:
                    DataJob.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
                        beat_at=timezone.now()
                    )
                except OperationalError:  # SQLite busy with the job's own batch: next time
                    log.debug("job %s: heartbeat skipped (database busy)", self.job_id)
        finally:
            connection.close()  # the thread's own connection


def data_job_run(job_id: int) -> None:
    """Run a pending job once: a second worker finds it claimed and leaves it. Running jobs of
    dead workers are marked failed first."""
    stale_jobs_fail()
    now = timezone.now()
    claimed = DataJob.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, started_at=now, beat_at=now
    )
    if not claimed:
        return
    with _Heartbeat(job_id):
        _run_claimed(job_id)


def _run_claimed(job_id: int) -> None:
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
                kind=kind, region=job.region, path=Path(job.output_path), user=job.user,
                purpose=job.purpose, purpose_kind=job.purpose_kind,
            )  # fmt: skip
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
