"""Pages to import and export data: upload, check, run in the background, follow, download."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.exchange import jobs
from lini.exchange.forms import ExportForm, ImportForm
from lini.exchange.models import DataJob, Direction
from lini.exchange.readers import FileError
from lini.exchange.registry import get_kind, kinds
from lini.exchange.services import template_write
from lini.regions.models import Region
from lini.regions.selectors import region_get


def _recent_jobs(request: HttpRequest) -> list[DataJob]:
    return list(DataJob.objects.filter(user=request.user).select_related("region")[:10])


@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    if not scope.role_allows(request.user, Action.CHANGE):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.import_job_create(
                user=request.user,  # type: ignore[arg-type]
                kind_slug=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except FileError as error:
            form.add_error("file", str(error))
        else:
            return redirect(job)
    return render(request, "exchange/import.html", {"form": form, "jobs": _recent_jobs(request)})


@require_http_methods(["GET", "POST"])
def export_start(request: HttpRequest) -> HttpResponse:
    if not scope.role_allows(request.user, Action.VIEW):
        raise PermissionDenied
    codes = scope.user_scope(request.user).codes
    form = ExportForm(request.POST or None, initial={"region": codes[0] if codes else ""})
    if request.method == "POST":
        form.is_valid()
        # The rights are checked even when the purpose is missing: a refusal is said first.
        region = _export_region(request, form)
        if region is not None and not form.errors:
            job = jobs.export_job_create(
                user=request.user, kind_slug=form.cleaned_data["kind"], region=region,  # type: ignore[arg-type]
                suffix=form.cleaned_data["file_format"], purpose=form.cleaned_data["purpose"],
                purpose_kind=form.cleaned_data["purpose_kind"],
            )  # fmt: skip
            return redirect(job)
    personal = [kind.title for _slug, kind in sorted(kinds().items()) if kind.personal]
    return render(
        request,
        "exchange/export.html",
        {"form": form, "jobs": _recent_jobs(request), "personal_kinds": personal},
    )


def _export_region(request: HttpRequest, form: ExportForm) -> Region | None:
    """The region of the export form when the user may export its kind there (else an error on
    the form and None)."""
    data = form.cleaned_data
    if "kind" not in data or "region" not in data:
        return None
    region = region_get(code=data["region"])
    kind = get_kind(data["kind"])
    needed = Action.VIEW_IDENTITY if kind.personal else Action.VIEW
    if region is None:
        form.add_error("region", _("No region has the code %(code)s.") % {"code": data["region"]})
        return None
    if not scope.can(request.user, needed, region):
        form.add_error("region", _("You may not export this data of this region."))
        return None
    return region


def _own_job(request: HttpRequest, token: str) -> DataJob:
    return get_object_or_404(
        DataJob.objects.select_related("region"), token=token, user=request.user
    )


def job_detail(request: HttpRequest, token: str) -> HttpResponse:
    job = _own_job(request, token)
    if jobs.job_is_stale(job):  # its worker died: say so instead of "running" for ever
        jobs.stale_jobs_fail()
        job.refresh_from_db()
    template = (
        "exchange/includes/job_status.html"
        if request.headers.get("HX-Request")
        else "exchange/job_detail.html"
    )
    return render(request, template, {"job": job, "kind": get_kind(job.kind)})


@require_POST
def job_run_for_real(request: HttpRequest, token: str) -> HttpResponse:
    job = _own_job(request, token)
    if not (job.dry_run and job.finished):
        raise PermissionDenied
    again = jobs.import_job_repeat(job=job, user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("The import is running."))
    return redirect(again)


def job_download(request: HttpRequest, token: str) -> FileResponse:
    job = _own_job(request, token)
    if not job.output_path or not Path(job.output_path).exists():
        raise Http404
    # Rights are checked again: an account whose role or regions changed since the job ran
    # may no longer take its file.
    if job.direction == Direction.EXPORT:
        needed = Action.VIEW_IDENTITY if get_kind(job.kind).personal else Action.VIEW
        scope.require(request.user, needed, job.region)
    elif not scope.role_allows(request.user, Action.CHANGE):
        raise PermissionDenied
    if job.direction == Direction.EXPORT:
        name = f"{job.kind}-{job.region.code}{Path(job.output_path).suffix}"
    else:
        name = f"{Path(job.original_name).stem}-ditolak{Path(job.output_path).suffix}"
    return FileResponse(Path(job.output_path).open("rb"), as_attachment=True, filename=name)


def template_download(request: HttpRequest, kind: str, suffix: str) -> FileResponse:
    try:
        data_kind = get_kind(kind)
    except KeyError as exc:
        raise Http404 from exc
    if suffix not in ("xlsx", "csv"):
        raise Http404
    path = Path(tempfile.mkdtemp(prefix="lini-template-")) / f"templat-{data_kind.slug}.{suffix}"
    template_write(kind=data_kind, path=path)
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
