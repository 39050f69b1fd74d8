"""The ODK pages and OpenRosa endpoints in the permission walk (see lini/web/tests/walk.py).

The OpenRosa endpoints take HTTP Basic credentials only (the walk sends the user's password;
anonymous requests get 401). Their answers are the user's own (forms, media of their villages);
a submission naming a Tangerang village from outside is kept for review (202), never applied."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from lini.odk.models import Submission, SubmissionStatus
from lini.odk.openrosa import parse_instance
from lini.odk.services import submission_receive
from lini.odk.tests.helpers import instance_xml
from lini.regions.tests.places import KUTA_JAYA
from lini.web.tests.walk import Case, World

QUEUED = "uuid:walk-queued-tangerang"
WIFE_NIK = "3603124808820013"  # the wife of the walk's family of Kuta Jaya


def _service(nik: str) -> dict[str, str]:
    return {
        "kode_desa": KUTA_JAYA, "tanggal": "2019-11-05", "nik_istri": nik, "metode": "implan",
        "jenis_kunjungan": "ganti", "pasca_persalinan": "tidak", "informed_consent": "tidak",
    }  # fmt: skip


def prepare(world: World) -> None:
    """A KB service sent by the Tangerang cadre with a NIK registered nowhere: in the queue."""
    data = instance_xml("lini_pelayanan_kb", _service("3603124808829999"), instance_id=QUEUED)
    received = submission_receive(
        user=world.tangerang_cadre, instance=parse_instance(data), data=data
    )
    assert received.submission.status == SubmissionStatus.NEEDS_REVIEW
    world.extra["odk_submission"] = received.submission


def snapshot() -> tuple[object, ...]:
    return tuple(
        Submission.objects.filter(instance_id=QUEUED).values_list(
            "status", "corrected", "errors", "reviewed_by_id", "reject_reason"
        )
    )


def _upload(world: World) -> dict[str, SimpleUploadedFile]:
    data = instance_xml("lini_pelayanan_kb", _service(WIFE_NIK), instance_id="uuid:walk-sent")
    return {"xml_submission_file": SimpleUploadedFile("x.xml", data, content_type="text/xml")}


def _status(world: World) -> str:
    return Submission.objects.get(pk=world.extra["odk_submission"].pk).status


CASES: dict[str, Case] = {
    "odk:form_list": Case(denied=False),
    "odk:form_download": Case(lambda w: {"form_id": "lini_pelayanan_kb"}, denied=False),
    "odk:form_manifest": Case(lambda w: {"form_id": "lini_keluarga"}, denied=False),
    "odk:media_download": Case(
        lambda w: {"form_id": "lini_keluarga", "filename": "families.csv"}, denied=False
    ),
    "odk:submission": Case(method="post", data=_upload, denied=False),  # type: ignore[arg-type]
    "odk:review_list": Case(denied=False),
    "odk:review_detail": Case(
        lambda w: {"pk": w.extra["odk_submission"].pk},
        method="post",
        data=_service(WIFE_NIK),
        effect=lambda w: _status(w) == SubmissionStatus.APPLIED,
    ),
    "odk:review_reject": Case(
        lambda w: {"pk": w.extra["odk_submission"].pk},
        method="post",
        data={"reason": "Dikirim ke desa yang salah"},
        effect=lambda w: _status(w) == SubmissionStatus.REJECTED,
    ),
}
