"""The review queue: who sees a submission that could not be applied, correcting and applying it
through the same validation, rejecting it with a reason."""

from __future__ import annotations

import pytest

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditAction, AuditEntry
from lini.kb.models import Service
from lini.odk.models import Submission, SubmissionStatus
from lini.odk.tests.helpers import instance_xml, submit
from lini.regions.tests.places import CIRUAS, KAB_SERANG, KUTA_JAYA, PULO, SINGAMERTA
from lini.register.models import Couple
from lini.register.tests.factories import make_family

pytestmark = pytest.mark.django_db

WIFE_NIK = "3604094808820002"
WRONG_NIK = "3604094808829999"


@pytest.fixture
def queued(client: Client) -> Submission:
    """A KB service sent by a cadre of Singamerta with a NIK registered nowhere (its errors are
    kept in the language of the request that found them: English here)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    make_family(SINGAMERTA, kk="3604091234560001", head_nik="3604090808800001", wife_nik=WIFE_NIK)
    cadre = make_user(Role.CADRE, SINGAMERTA, username="kader.singamerta")
    values = {
        "kode_desa": SINGAMERTA, "tanggal": "2019-11-05", "nik_istri": WRONG_NIK,
        "metode": "implan", "jenis_kunjungan": "ganti", "pasca_persalinan": "tidak",
        "informed_consent": "tidak", "petugas": "Bidan Siti",
    }  # fmt: skip
    assert submit(client, cadre, instance_xml("lini_pelayanan_kb", values)).status_code == 202
    return Submission.objects.get()


def logged_in(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_queue_shows_a_submission_to_those_who_may_change_its_village(
    client: Client, queued: Submission
) -> None:
    counsellor = make_user(Role.COUNSELLOR, CIRUAS)
    page = logged_in(client, counsellor).get(reverse("odk:review_list"))
    assert page.status_code == 200
    assert reverse("odk:review_detail", kwargs={"pk": queued.pk}).encode() in page.content
    with translation.override("en"):
        assert b"no couple with a wife of this NIK" in page.content
    for outsider in (make_user(Role.CADRE, PULO), make_user(Role.REGENCY_OFFICER, "36.03")):
        client.force_login(outsider)
        assert (
            reverse("odk:review_detail", kwargs={"pk": queued.pk}).encode()
            not in client.get(reverse("odk:review_list")).content
        )
        detail = client.get(reverse("odk:review_detail", kwargs={"pk": queued.pk}))
        assert detail.status_code == 404


def test_a_reviewer_corrects_and_applies_through_the_same_validation(
    client: Client, queued: Submission
) -> None:
    counsellor = make_user(Role.COUNSELLOR, CIRUAS)
    logged_in(client, counsellor)
    url = reverse("odk:review_detail", kwargs={"pk": queued.pk})
    page = client.get(url)
    # The error stands next to the field it is about, the NIK shown in full to a counsellor...
    assert b'name="nik_istri"' in page.content
    assert WRONG_NIK.encode() in page.content
    assert b"no couple with a wife of this NIK" in page.content
    # ... and that view of an identity number is recorded.
    assert AuditEntry.objects.filter(action=AuditAction.VIEW_IDENTITY, actor=counsellor).exists()
    data = {
        "kode_desa": SINGAMERTA, "tanggal": "2019-11-05", "nik_istri": WRONG_NIK,
        "metode": "implan", "jenis_kunjungan": "cabut", "pasca_persalinan": "tidak",
        "informed_consent": "tidak", "petugas": "Bidan Siti",
    }  # fmt: skip
    # Still wrong (the NIK is unknown): stays in the queue.
    assert client.post(url, data).status_code == 302
    queued.refresh_from_db()
    assert queued.status == SubmissionStatus.NEEDS_REVIEW
    assert [e["field"] for e in queued.errors] == ["nik_istri"]
    # The NIK found, but a removal needs the reason for not using afterwards: the service's rule.
    client.post(url, {**data, "nik_istri": WIFE_NIK})
    queued.refresh_from_db()
    assert queued.status == SubmissionStatus.NEEDS_REVIEW
    assert [e["field"] for e in queued.errors] == ["alasan_setelah_cabut"]
    assert "A removal needs the reason" in client.get(url).content.decode()
    assert not Service.objects.exists()
    # Corrected: applied as the reviewer.
    response = client.post(url, {**data, "nik_istri": WIFE_NIK, "jenis_kunjungan": "ganti"})
    assert response.status_code == 302
    assert response.url == reverse("odk:review_list")
    queued.refresh_from_db()
    assert queued.status == SubmissionStatus.APPLIED
    assert (queued.reviewed_by, queued.errors) == (counsellor, [])
    assert queued.values["nik_istri"] == WRONG_NIK  # what the phone sent stays
    assert queued.corrected["nik_istri"] == WIFE_NIK
    service = Service.objects.get()
    assert (service.recorded_by, service.provider) == (counsellor, "Bidan Siti")
    assert Couple.objects.get(wife__nik=WIFE_NIK).method == "implan"
    change = AuditEntry.objects.filter(model="odk.submission", action=AuditAction.CHANGE).first()
    assert change.after["status"] == SubmissionStatus.APPLIED
    # Applied once: the page no longer offers to apply it again.
    assert client.post(url, data).status_code == 302
    assert Service.objects.count() == 1


def test_a_cadre_reviewer_sees_identity_numbers_masked_and_keeps_them(
    client: Client, queued: Submission
) -> None:
    other = make_user(Role.CADRE, SINGAMERTA)
    logged_in(client, other)
    url = reverse("odk:review_detail", kwargs={"pk": queued.pk})
    page = client.get(url)
    assert WRONG_NIK.encode() not in page.content
    assert b"3604********9999" in page.content
    client.post(url, {"kode_desa": SINGAMERTA, "tanggal": "2019-11-06", "nik_istri": WIFE_NIK,
                      "metode": "implan", "jenis_kunjungan": "ganti"})  # fmt: skip
    queued.refresh_from_db()
    assert queued.corrected["nik_istri"] == WRONG_NIK  # a masked field cannot be changed
    assert queued.corrected["tanggal"] == "2019-11-06"
    assert queued.status == SubmissionStatus.NEEDS_REVIEW


def test_a_reviewer_rejects_with_a_reason(client: Client, queued: Submission) -> None:
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    logged_in(client, officer)
    url = reverse("odk:review_reject", kwargs={"pk": queued.pk})
    client.post(url, {"reason": "  "})
    queued.refresh_from_db()
    assert queued.status == SubmissionStatus.NEEDS_REVIEW
    response = client.post(url, {"reason": "Dikirim dua kali, sudah dicatat di Puskesmas"})
    assert response.status_code == 302
    queued.refresh_from_db()
    assert queued.status == SubmissionStatus.REJECTED
    assert (queued.reviewed_by, queued.reject_reason) == (
        officer,
        "Dikirim dua kali, sudah dicatat di Puskesmas",
    )
    assert not Service.objects.exists()
    entry = AuditEntry.objects.get(model="odk.submission", action=AuditAction.CHANGE)
    assert entry.after == {"status": "rejected", "reject_reason": queued.reject_reason}
    # Still listed, among the rejected ones.
    listed = client.get(reverse("odk:review_list") + "?status=rejected")
    assert reverse("odk:review_detail", kwargs={"pk": queued.pk}).encode() in listed.content


def test_the_sender_sees_their_own_submission_of_a_foreign_village(client: Client) -> None:
    cadre = make_user(Role.CADRE, SINGAMERTA)
    values = {"kode_desa": KUTA_JAYA, "tanggal": "2019-11-05", "nik_istri": WIFE_NIK,
              "metode": "pil", "jenis_kunjungan": "ulang"}  # fmt: skip
    assert submit(client, cadre, instance_xml("lini_pelayanan_kb", values)).status_code == 202
    submission = Submission.objects.get()
    logged_in(client, cadre)
    assert client.get(reverse("odk:review_detail", kwargs={"pk": submission.pk})).status_code == 200
    tangerang = make_user(Role.REGENCY_OFFICER, "36.03")  # the named village's officer: not theirs
    client.force_login(tangerang)
    assert client.get(reverse("odk:review_detail", kwargs={"pk": submission.pk})).status_code == 404
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    assert client.get(reverse("odk:review_detail", kwargs={"pk": submission.pk})).status_code == 404


def test_a_member_of_a_family_is_corrected_in_its_own_section(client: Client) -> None:
    from lini.register.models import Family

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    cadre = make_user(Role.CADRE, SINGAMERTA)
    head = {"nik": "3604090101800005", "nama": "Ujang", "jenis_kelamin": "L",
            "tanggal_lahir": "1980-01-01", "hubungan": "kepala", "status_kawin": "belum_kawin",
            "keberadaan": "ada"}  # fmt: skip
    child = {**head, "nik": "3604090101150006", "nama": "Ade", "hubungan": "anak",
             "tanggal_lahir": "2015-02-30"}  # fmt: skip
    values = {"kode_desa": SINGAMERTA, "mode": "baru", "no_kk": "3604099999990001",
              "tanggal_pendataan": "2019-11-01", "anggota": [head, child]}  # fmt: skip
    assert submit(client, cadre, instance_xml("lini_keluarga", values)).status_code == 202
    submission = Submission.objects.get()
    counsellor = make_user(Role.COUNSELLOR, SINGAMERTA)
    logged_in(client, counsellor)
    url = reverse("odk:review_detail", kwargs={"pk": submission.pk})
    page = client.get(url).content.decode()
    field = page.index('name="anggota.2.tanggal_lahir"')
    assert page.index("Members added or changed · 2") < field
    assert "2015-02-30" in page[field : page.index("</div>", field)]  # the error by its field
    data = {"kode_desa": SINGAMERTA, "mode": "baru", "no_kk": "3604099999990001",
            "tanggal_pendataan": "2019-11-01"}  # fmt: skip
    for number, member in enumerate([head, {**child, "tanggal_lahir": "2015-02-28"}], start=1):
        data.update({f"anggota.{number}.{k}": v for k, v in member.items()})
    client.post(url, data)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPLIED, submission.errors
    family = Family.objects.get(kk_number="3604099999990001")
    assert list(family.members.values_list("name", "birth_date__day")) == [
        ("Ujang", 1),
        ("Ade", 28),
    ]
