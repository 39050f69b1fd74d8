"""The OpenRosa 1.0 server (form list, form and media download, submission) for ODK Collect and
other OpenRosa clients, and the review queue pages.

OpenRosa requests authenticate with HTTP Basic on every request, never with the session cookie;
an unauthenticated one gets 401 with the challenge, and every answer carries
``X-OpenRosa-Version: 1.0``. Digest authentication would need the password or an MD5 of it on
the server, which Argon2 hashes do not give: Lini offers Basic only, over HTTPS.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from lini.accounts import scope
from lini.accounts.roles import TWO_FACTOR_ROLES, Action
from lini.accounts.selectors import two_factor_device
from lini.audit.models import AuditAction
from lini.audit.services import audit_record
from lini.odk import services
from lini.odk.definitions import definitions
from lini.odk.media import MEDIA_FILES, media_file
from lini.odk.models import SubmissionStatus
from lini.odk.openrosa import (
    FormEntry,
    InstanceError,
    MediaEntry,
    form_list_xml,
    manifest_xml,
    parse_instance,
    response_xml,
)
from lini.odk.openrosa import basic_credentials as read_basic_credentials
from lini.odk.review_forms import CorrectionForm, RejectForm
from lini.odk.selectors import form_for, forms_for, submissions_reviewable_by
from lini.odk.xforms import xform

if TYPE_CHECKING:
    from lini.accounts.models import User

REALM = "Lini"
# The largest POST body a client should send (X-OpenRosa-Accept-Content-Length); the forms have
# no photos, so a submission is a few kilobytes.
ACCEPT_CONTENT_LENGTH = 10 * 1024 * 1024
MAX_XML_BYTES = 2 * 1024 * 1024
XML = "text/xml; charset=utf-8"

# Why the OpenRosa views are exempt from CSRF protection (read by the test that lists them).
CSRF_EXEMPT_BECAUSE = (
    "OpenRosa endpoints for ODK Collect, which cannot fetch or send a CSRF token: every request "
    "authenticates with HTTP Basic credentials and the session cookie is ignored. A browser may "
    "resend Basic credentials it cached, so the one request that changes data (POST submission) "
    "must also carry the X-OpenRosa-Version header, which a cross-site form cannot send and a "
    "cross-site script can send only after a CORS preflight that Lini never approves."
)


def _openrosa(response: HttpResponse, *, submission: bool = False) -> HttpResponse:
    response["X-OpenRosa-Version"] = "1.0"
    response["Date"] = http_date()
    response["Content-Language"] = translation.get_language() or "id"
    if submission:
        response["X-OpenRosa-Accept-Content-Length"] = str(ACCEPT_CONTENT_LENGTH)
    return response


def _message(
    status: int, message: str, *, nature: str = "", submission: bool = False
) -> HttpResponse:
    body = response_xml(message, nature=nature)
    return _openrosa(HttpResponse(body, status=status, content_type=XML), submission=submission)


def _basic_user(request: HttpRequest) -> User | HttpResponse | None:
    """The user of the request's Basic credentials (through ``authenticate``, so the login
    throttling and the audit of failed logins apply), an answer, or None (no or wrong ones)."""
    credentials = read_basic_credentials(request)
    if credentials is None:
        return None
    username, password = credentials
    user = authenticate(request, username=username, password=password)
    if user is None and getattr(request, "axes_locked_out", False):
        # Answered here in OpenRosa's format; the throttling middleware would answer with a page.
        request.axes_locked_out = False  # type: ignore[attr-defined]
        return _message(403, _("Too many failed logins with this user name; try again later."))
    if user is None or not user.is_active:
        return None
    if two_factor_device(user) is not None or (  # type: ignore[arg-type]
        settings.LINI_REQUIRE_2FA and user.role in TWO_FACTOR_ROLES  # type: ignore[attr-defined]
    ):
        # A password alone must not open an account that logs in with a second step, and ODK
        # Collect cannot send a code: such accounts use the web pages, not ODK.
        return _message(
            403,
            _(
                "This account logs in with a second step (a code), which ODK Collect cannot "
                "send. Collect data with an account without two-step login."
            ),
        )
    return user  # type: ignore[return-value]


def openrosa_view(*, submission: bool = False) -> Callable[..., Callable[..., HttpResponse]]:
    """An OpenRosa endpoint: Basic authentication on each request (401 with the challenge
    without it), the OpenRosa headers on every answer, no login page and no CSRF token."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            found = _basic_user(request)
            if isinstance(found, HttpResponse):
                return _openrosa(found, submission=submission)
            if found is None:
                response = _message(
                    401, _("Log in with your Lini user name and password."), submission=submission
                )
                response["WWW-Authenticate"] = f'Basic realm="{REALM}"'
                return response
            return _openrosa(view(request, found, *args, **kwargs), submission=submission)

        wrapper.CSRF_EXEMPT_BECAUSE = CSRF_EXEMPT_BECAUSE  # type: ignore[attr-defined]
        return login_not_required(csrf_exempt(wrapper))

    return decorate


def _not_allowed(methods: str, *, submission: bool = False) -> HttpResponse:
    response = _message(405, _("This address does not answer this request."), submission=submission)
    response["Allow"] = methods
    return response


def _title(form_id: str) -> str:
    definition = definitions().get(form_id)
    return definition.title.get(translation.get_language() or "id") if definition else form_id


@openrosa_view()
def form_list(request: HttpRequest, user: User) -> HttpResponse:
    """The forms the user may fill (OpenRosa Form List API)."""
    if request.method not in ("GET", "HEAD"):
        return _not_allowed("GET, HEAD")
    wanted = request.GET.get("formID", "")
    entries = []
    for form in forms_for(user):
        if wanted and form.form_id != wanted:
            continue
        found = xform(form.form_id)
        manifest = reverse("odk:form_manifest", kwargs={"form_id": form.form_id})
        entries.append(
            FormEntry(
                form_id=form.form_id, name=_title(form.form_id), version=found.version,
                hash=found.hash,
                download_url=request.build_absolute_uri(
                    reverse("odk:form_download", kwargs={"form_id": form.form_id})
                ),
                manifest_url=request.build_absolute_uri(manifest) if form.media else "",
            )
        )  # fmt: skip
    return HttpResponse(form_list_xml(entries), content_type=XML)


@openrosa_view()
def form_download(request: HttpRequest, user: User, form_id: str) -> HttpResponse:
    if form_for(user, form_id) is None:
        return _message(404, _("You have no form %(form)s.") % {"form": form_id})
    response = HttpResponse(xform(form_id).xml, content_type=XML)
    response["Content-Disposition"] = f'inline; filename="{form_id}.xml"'
    return response


@openrosa_view()
def form_manifest(request: HttpRequest, user: User, form_id: str) -> HttpResponse:
    """The per-user media files of a form, with their hashes (OpenRosa manifest)."""
    form = form_for(user, form_id)
    if form is None:
        return _message(404, _("You have no form %(form)s.") % {"form": form_id})
    entries = []
    for filename in form.media:
        url = reverse("odk:media_download", kwargs={"form_id": form_id, "filename": filename})
        entries.append(
            MediaEntry(
                filename=filename,
                hash=f"md5:{media_file(user, filename).md5}",
                download_url=request.build_absolute_uri(url),
            )
        )
    return HttpResponse(manifest_xml(entries), content_type=XML)


@openrosa_view()
def media_download(request: HttpRequest, user: User, form_id: str, filename: str) -> HttpResponse:
    form = form_for(user, form_id)
    if form is None or filename not in form.media or filename not in MEDIA_FILES:
        return _message(404, _("You have no file %(file)s.") % {"file": filename})
    found = media_file(user, filename)
    if found.personal:  # names of people leave the server: recorded like an export
        audit_record(
            actor=user, action=AuditAction.EXPORT, model="odk.media", description=f"{form_id}/{filename}",
            after={"rows": found.rows, "personal": True},
        )  # fmt: skip
    response = HttpResponse(found.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _repeats() -> set[str]:
    return {name for form in definitions().values() for name in form.repeats}


@openrosa_view(submission=True)
def submission(request: HttpRequest, user: User) -> HttpResponse:
    """OpenRosa Form Submission API: HEAD answers 204; POST takes the multipart
    ``xml_submission_file`` and answers 201 (applied), 202 (kept for review) or an error."""
    if request.method == "HEAD":
        return HttpResponse(status=204)
    if request.method != "POST":
        return _not_allowed("HEAD, POST", submission=True)
    if request.headers.get("X-OpenRosa-Version", "").strip() != "1.0":  # see CSRF_EXEMPT_BECAUSE
        return _message(400, _("Send forms with an OpenRosa client (X-OpenRosa-Version: 1.0)."))
    # Other parts (photos, files) are not kept: Lini's forms ask for none.
    upload = request.FILES.get("xml_submission_file")
    if upload is None:
        return _message(400, _("The submission has no xml_submission_file part."))
    if upload.size is not None and upload.size > MAX_XML_BYTES:
        return _message(413, _("The form's XML is larger than 2 MB."))
    data = upload.read()
    try:
        instance = parse_instance(data, repeats=_repeats())
    except InstanceError as exc:
        return _message(400, str(exc))
    if instance.form_id not in definitions():
        return _message(404, _("Lini has no form %(form)s.") % {"form": instance.form_id})
    if not scope.role_allows(user, Action.CHANGE):
        return _message(403, _("Your account may not send data to Lini."))
    try:
        received = services.submission_receive(user=user, instance=instance, data=data)
    except services.DuplicateConflictError:
        return _message(
            409,
            _("Another submission with the same instanceID and different content was received."),
        )
    return _received_answer(received)


def _received_answer(received: services.Received) -> HttpResponse:
    found = received.submission
    if found.status == SubmissionStatus.APPLIED:
        message = (
            _("Already received and saved in Lini.") if received.duplicate else _("Saved in Lini.")
        )
        return _message(201, message, nature="submit_success")
    if found.status == SubmissionStatus.REJECTED:
        return _message(
            202,
            _("Already received; a reviewer rejected it: %(why)s") % {"why": found.reject_reason},
        )
    why = "; ".join(
        f"{e['field']}: {e['message']}" if e.get("field") else e.get("message", "")
        for e in found.errors[:3]
    )
    return _message(
        202,
        _("Received and kept for a review in Lini (do not send it again): %(why)s") % {"why": why},
        nature="submit_success",
    )


# Review queue --------------------------------------------------------------------------------------

STATUS_FILTERS = ("needs_review", "applied", "rejected", "all")


def review_list(request: HttpRequest) -> HttpResponse:
    """Submissions of the user's villages (and their own), those waiting for a review first."""
    status = request.GET.get("status", SubmissionStatus.NEEDS_REVIEW)
    if status not in STATUS_FILTERS:
        status = SubmissionStatus.NEEDS_REVIEW
    submissions = submissions_reviewable_by(request.user).select_related("village", "submitted_by")
    if status != "all":
        submissions = submissions.filter(status=status)
    page = Paginator(submissions.order_by("-received_at", "-pk"), 50).get_page(
        request.GET.get("page")
    )
    for item in page:
        item.title = _title(item.form_id)
        item.first_error = item.errors[0]["message"] if item.errors else ""
    filters = [(value, label) for value, label in (*SubmissionStatus.choices, ("all", _("all")))]
    return render(
        request,
        "odk/review_list.html",
        {"page": page, "status": status, "filters": filters},
    )


@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One submission: its answers with the errors next to them; correct and apply."""
    found = get_object_or_404(
        submissions_reviewable_by(request.user).select_related(
            "village", "submitted_by", "reviewed_by"
        ),
        pk=pk,
    )
    definition = definitions().get(found.form_id)
    if definition is None:
        raise PermissionDenied
    village = found.village
    identity = village is not None and scope.can(request.user, Action.VIEW_IDENTITY, village)
    waiting = found.status == SubmissionStatus.NEEDS_REVIEW
    form = CorrectionForm(
        request.POST if request.method == "POST" else None, definition=definition,
        values=found.current_values, user=request.user, identity=identity,  # type: ignore[arg-type]
        editable=waiting,
    )  # fmt: skip
    if request.method == "POST":
        if not waiting:
            messages.error(request, _("This submission is no longer waiting for a review."))
            return redirect(found)
        if form.is_valid():
            try:
                updated = services.submission_review_apply(
                    actor=request.user,
                    submission=found,
                    values=form.corrected_values(),  # type: ignore[arg-type]
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                if updated.status == SubmissionStatus.APPLIED:
                    messages.success(request, _("Applied: %(result)s") % {"result": updated.result})
                    return redirect("odk:review_list")
                messages.error(request, _("Still refused; the reasons are next to the answers."))
            return redirect(found)
    if form.shows_identity:  # every view of unmasked identity numbers is in the audit trail
        audit_record(
            actor=request.user, action=AuditAction.VIEW_IDENTITY, obj=found,
            region_code=village.code if village else "",
        )  # fmt: skip
    return render(
        request,
        "odk/review_detail.html",
        {
            "submission": found,
            "title": definition.title.get(translation.get_language() or "id"),
            "form": form,
            "sections": list(form.sections(found.errors)),
            "general_errors": form.general_errors(found.errors),
            "waiting": waiting,
            "reject_form": RejectForm(),
        },
    )


@require_POST
def review_reject(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(submissions_reviewable_by(request.user), pk=pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(found)
    try:
        services.submission_reject(
            actor=request.user, submission=found, reason=form.cleaned_data["reason"]
        )  # type: ignore[arg-type]
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(found)
    messages.success(request, _("Rejected; it stays in Lini with your reason."))
    return redirect("odk:review_list")
