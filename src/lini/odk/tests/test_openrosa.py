"""An OpenRosa client against Lini: list forms, download one with its media, submit filled
instances (once, twice, invalid, out of scope, unauthenticated), as ODK Collect would."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io

import pytest

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditAction, AuditEntry
from lini.kb.models import Service
from lini.odk.models import Submission, SubmissionStatus
from lini.odk.services import submission_file
from lini.odk.tests.helpers import (
    basic,
    blank_instance,
    fill,
    form_list,
    instance_xml,
    manifest,
    message,
    submit,
)
from lini.poktan.tests.helpers import group
from lini.regions.tests.places import KUTA_JAYA, SINGAMERTA
from lini.register.models import Couple
from lini.register.tests.factories import make_family

pytestmark = pytest.mark.django_db

WIFE_NIK = "3604094808820002"
KK = "3604091234560001"


@pytest.fixture
def cadre():  # type: ignore[no-untyped-def]
    return make_user(Role.CADRE, SINGAMERTA, username="kader.singamerta")


@pytest.fixture
def family():  # type: ignore[no-untyped-def]
    return make_family(SINGAMERTA, kk=KK, head_nik="3604090808800001", wife_nik=WIFE_NIK)


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def service_values(**changes: str) -> dict[str, str]:
    values = {
        "kode_desa": SINGAMERTA, "tanggal": "2019-11-05", "nik_istri": WIFE_NIK,
        "metode": "implan", "jenis_kunjungan": "ganti", "pasca_persalinan": "tidak",
        "informed_consent": "ya",
    }  # fmt: skip
    values.update(changes)
    return values


def test_unauthenticated_requests_get_a_basic_challenge(client: Client, cadre) -> None:  # type: ignore[no-untyped-def]
    urls = [
        ("get", reverse("odk:form_list")),
        ("get", reverse("odk:form_download", kwargs={"form_id": "lini_pelayanan_kb"})),
        ("head", reverse("odk:submission")),
        ("post", reverse("odk:submission")),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == 'Basic realm="Lini"'
        assert response["X-OpenRosa-Version"] == "1.0"
    assert "X-OpenRosa-Accept-Content-Length" in client.head(reverse("odk:submission"))
    # A wrong password is refused the same way (and the failed login is in the audit trail).
    wrong = client.get(reverse("odk:form_list"), **basic(cadre, "not-the-password"))
    assert wrong.status_code == 401
    assert AuditEntry.objects.filter(
        action=AuditAction.LOGIN_FAILED, object_repr=cadre.username
    ).exists()
    # A browser session is no OpenRosa login: these endpoints read Basic credentials only.
    client.force_login(cadre)
    assert client.get(reverse("odk:form_list")).status_code == 401


def test_an_account_with_two_step_login_cannot_use_its_password_alone(  # type: ignore[no-untyped-def]
    client: Client, cadre, settings
) -> None:
    """ODK Collect sends no second-step code: an account that logs in with one (or whose role
    must, under LINI_REQUIRE_2FA) is refused even with the right password."""
    from lini.accounts import totp
    from lini.accounts.services import two_factor_enrol

    url = reverse("odk:form_list")
    assert english(client).get(url, **basic(cadre)).status_code == 200
    key = totp.new_key()
    two_factor_enrol(user=cadre, key=key, code=totp.code_now(key))
    refused = client.get(url, **basic(cadre))
    assert refused.status_code == 403
    assert refused["X-OpenRosa-Version"] == "1.0"
    assert "second step" in refused.content.decode()

    officer = make_user(Role.DISTRICT_OFFICER, SINGAMERTA[:8], username="camat.ciruas")
    assert client.get(url, **basic(officer)).status_code == 200
    settings.LINI_REQUIRE_2FA = True
    assert client.get(url, **basic(officer)).status_code == 403


def test_the_form_list_offers_a_user_only_their_forms(client: Client, cadre) -> None:  # type: ignore[no-untyped-def]
    forms = form_list(client, cadre)
    # No poktan in Singamerta yet: no meeting form.
    assert set(forms) == {"lini_keluarga", "lini_pelayanan_kb", "lini_kampung_kb"}
    group(SINGAMERTA)
    forms = form_list(client, cadre)
    assert set(forms) == {
        "lini_keluarga",
        "lini_pelayanan_kb",
        "lini_kampung_kb",
        "lini_pertemuan_poktan",
    }
    for form_id, entry in forms.items():
        download = client.get(entry["downloadUrl"], **basic(cadre))
        assert download.status_code == 200
        assert download["X-OpenRosa-Version"] == "1.0"
        assert (
            entry["hash"]
            == "md5:" + hashlib.md5(download.content, usedforsecurity=False).hexdigest()
        )
        assert f'id="{form_id}"'.encode() in download.content
        assert entry["downloadUrl"].startswith("http://testserver/odk/")
        assert entry["manifestUrl"].startswith("http://testserver/odk/")
    only = client.get(reverse("odk:form_list") + "?formID=lini_keluarga", **basic(cadre))
    assert only.content.count(b"<xform>") == 1
    # A province officer changes no field data: no form, and no download either.
    officer = make_user(Role.PROVINCE_OFFICER, "36")
    assert form_list(client, officer) == {}
    denied = client.get(forms["lini_keluarga"]["downloadUrl"], **basic(officer))
    assert denied.status_code == 404
    assert denied["X-OpenRosa-Version"] == "1.0"


def test_media_files_hold_only_the_users_villages_with_masked_numbers(
    client: Client, cadre, family
) -> None:  # type: ignore[no-untyped-def]
    make_family(KUTA_JAYA, kk="3603121234560009", head_nik="3603120808800009")
    entry = form_list(client, cadre)["lini_keluarga"]
    files = manifest(client, cadre, entry["manifestUrl"])
    assert set(files) == {"villages.csv", "families.csv"}
    contents = {}
    for name, media in files.items():
        response = client.get(media["downloadUrl"], **basic(cadre))
        assert response.status_code == 200
        assert (
            media["hash"]
            == "md5:" + hashlib.md5(response.content, usedforsecurity=False).hexdigest()
        )
        contents[name] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["name"] for row in contents["villages.csv"]] == [SINGAMERTA]
    families = contents["families.csv"]
    assert [row["name"] for row in families] == [str(family.pk)]
    assert families[0]["desa"] == SINGAMERTA
    assert families[0]["label"].startswith("3604********0001 · Dadang")
    assert KK not in str(contents)
    export = AuditEntry.objects.get(action=AuditAction.EXPORT, model="odk.media")
    assert export.actor == cadre
    assert export.after == {"rows": 1, "personal": True}


def test_a_client_lists_downloads_and_submits_an_instance_once(
    client: Client, cadre, family
) -> None:  # type: ignore[no-untyped-def]
    entry = form_list(client, cadre)["lini_pelayanan_kb"]
    xform = client.get(entry["downloadUrl"], **basic(cadre)).content
    data = fill(blank_instance(xform), service_values(), instance_id="uuid:1b7e0c3a-0001")
    head = client.head(reverse("odk:submission"), **basic(cadre))
    assert head.status_code == 204
    assert head["X-OpenRosa-Accept-Content-Length"] == str(10 * 1024 * 1024)

    first = submit(client, cadre, data)
    assert first.status_code == 201, first.content
    assert first["X-OpenRosa-Version"] == "1.0"
    couple = Couple.objects.get(wife__nik=WIFE_NIK)
    assert couple.method == "implan"
    service = Service.objects.get(couple=couple)
    assert (service.served_on, service.visit_type, service.informed_consent) == (
        dt.date(2019, 11, 5),
        "ganti",
        True,
    )
    assert service.recorded_by == cadre
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.APPLIED
    assert (submission.instance_id, submission.submitted_by, submission.village.code) == (
        "uuid:1b7e0c3a-0001",
        cadre,
        SINGAMERTA,
    )
    assert submission_file(submission).read_bytes() == data  # kept as received, under Lini's name
    assert "submission" not in submission.xml_file
    assert AuditEntry.objects.filter(model="odk.submission", action=AuditAction.CREATE).count() == 1

    # Collect missed the answer and sends the same instance again: nothing new.
    again = submit(client, cadre, data)
    assert again.status_code == 201
    assert Service.objects.count() == 1
    assert Submission.objects.count() == 1
    # The same instanceID with other content is refused, not merged.
    other = fill(
        blank_instance(xform), service_values(metode="suntik"), instance_id="uuid:1b7e0c3a-0001"
    )
    conflict = submit(client, cadre, other)
    assert conflict.status_code == 409
    assert Service.objects.count() == 1


def test_an_invalid_instance_is_kept_for_review_and_nothing_is_applied(
    client: Client, cadre, family
) -> None:  # type: ignore[no-untyped-def]
    english(client)
    data = instance_xml(
        "lini_pelayanan_kb", service_values(nik_istri="3604094808829999", tanggal="2019-11-05")
    )
    response = submit(client, cadre, data)
    assert response.status_code == 202  # received and kept: Collect must not send it again
    assert "review" in message(response)
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.NEEDS_REVIEW
    with translation.override("en"):
        assert submission.errors == [
            {
                "field": "nik_istri",
                "message": "no couple with a wife of this NIK in the regions you may change",
            }
        ]
    assert not Service.objects.exists()
    assert Couple.objects.get(wife__nik=WIFE_NIK).method == "pil"
    assert submission_file(submission).exists()


def test_a_village_outside_the_users_regions_is_queued_not_applied(client: Client, cadre) -> None:  # type: ignore[no-untyped-def]
    english(client)
    make_family(
        KUTA_JAYA, kk="3603121234560001", head_nik="3603120808800012", wife_nik="3603124808820013"
    )
    data = instance_xml(
        "lini_pelayanan_kb", service_values(kode_desa=KUTA_JAYA, nik_istri="3603124808820013")
    )
    response = submit(client, cadre, data)
    assert response.status_code == 202
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.NEEDS_REVIEW
    # Filed under no village: it waits in the sender's queue, never in Kuta Jaya's, where a
    # reviewer could apply a stranger's form as their own.
    assert submission.village is None
    with translation.override("en"):
        assert submission.errors == [
            {"field": "kode_desa", "message": f"village {KUTA_JAYA} is outside your regions"}
        ]
    assert not Service.objects.exists()
    assert b"Tangerang" not in response.content


def test_the_family_form_adds_a_member_and_records_the_couples_status(
    client: Client, cadre, family
) -> None:  # type: ignore[no-untyped-def]
    values = {
        "kode_desa": SINGAMERTA, "mode": "ubah", "keluarga": str(family.pk),
        "tanggal_pendataan": "2019-11-04", "rt": "3",
        "anggota": [
            {"nik": "3604090505150003", "nama": "Asep", "jenis_kelamin": "L",
             "tanggal_lahir": "2015-05-05", "hubungan": "anak", "status_kawin": "belum_kawin",
             "keberadaan": "ada"},
        ],
        "status_kb": "tidak_pakai", "alasan_tidak_kb": "hamil", "tanggal_mulai_kb": "2019-10-01",
    }  # fmt: skip
    response = submit(client, cadre, instance_xml("lini_keluarga", values))
    assert response.status_code == 201, Submission.objects.get().errors
    family.refresh_from_db()
    assert list(family.members.order_by("position").values_list("name", flat=True)) == [
        "Dadang",
        "Euis",
        "Asep",
    ]
    assert family.rt == "003"
    couple = Couple.objects.get(wife__nik=WIFE_NIK)
    assert (couple.status, couple.reason, couple.status_since) == (
        "tidak_pakai",
        "hamil",
        dt.date(2019, 10, 1),
    )


def test_a_new_family_and_an_invalid_one(client: Client, cadre) -> None:  # type: ignore[no-untyped-def]
    english(client)
    head = {"nik": "3604090101800005", "nama": "Ujang", "jenis_kelamin": "L", "tanggal_lahir": "1980-01-01",
            "hubungan": "kepala", "status_kawin": "belum_kawin", "keberadaan": "ada"}  # fmt: skip
    values = {
        "kode_desa": SINGAMERTA,
        "mode": "baru",
        "no_kk": "3604099999990001",
        "anggota": [head],
    }
    assert submit(client, cadre, instance_xml("lini_keluarga", values)).status_code == 201
    # Two heads and an unreadable birth date: kept for review, with the fields named.
    second = {**head, "nik": "3604090101800006", "tanggal_lahir": "2019-02-30"}
    bad = {
        **values,
        "no_kk": "3604099999990002",
        "anggota": [head | {"nik": "3604090101800007"}, second],
    }
    response = submit(client, cadre, instance_xml("lini_keluarga", bad))
    assert response.status_code == 202
    errors = Submission.objects.get(status=SubmissionStatus.NEEDS_REVIEW).errors
    assert [e["field"] for e in errors] == ["anggota.2.tanggal_lahir"]
    assert "2019-02-30" in errors[0]["message"]


def test_the_meeting_form_records_who_was_present(client: Client, cadre, family) -> None:  # type: ignore[no-untyped-def]
    from lini.poktan.models import PoktanMeeting
    from lini.poktan.services import poktan_member_add

    poktan = group(SINGAMERTA, kind="uppka", name="Mawar")
    poktan_member_add(actor=None, poktan=poktan, family=family, joined_on=dt.date(2019, 1, 1))
    files = manifest(
        client, cadre, form_list(client, cadre)["lini_pertemuan_poktan"]["manifestUrl"]
    )
    members = client.get(
        files["poktan_members.csv"]["downloadUrl"], **basic(cadre)
    ).content.decode()
    assert f"{family.pk}," in members
    assert f",{poktan.pk}" in members
    values = {"kode_desa": SINGAMERTA, "poktan": str(poktan.pk), "tanggal": "2019-10-20",
              "topik": "Simpan pinjam", "hadir": str(family.pk)}  # fmt: skip
    assert submit(client, cadre, instance_xml("lini_pertemuan_poktan", values)).status_code == 201
    meeting = PoktanMeeting.objects.get()
    assert meeting.attendance == 1
    assert list(meeting.attendees.all()) == [family]


def test_the_kampung_form_saves_the_profile_that_the_next_form_starts_from(
    client: Client, cadre
) -> None:  # type: ignore[no-untyped-def]
    from lini.kampung.models import KampungKB

    values = {"kode_desa": SINGAMERTA, "nama": "Kampung KB Mekar", "kriteria": "utama_kb kumuh",
              "pokja_ada": "ya", "pokja_anggota": "12", "pokja_terlatih": "4",
              "rumah_dataku": "aktif", "rumah_dataku_sejak": "2019-03-01",
              "rumah_dataku_data": "pk rutin", "mitra_sektor": "Puskesmas; PKK"}  # fmt: skip
    assert submit(client, cadre, instance_xml("lini_kampung_kb", values)).status_code == 201
    kampung = KampungKB.objects.get(village__code=SINGAMERTA)
    assert (kampung.name, kampung.criteria, kampung.pokja_members) == (
        "Kampung KB Mekar",
        ["kumuh", "utama_kb"],
        12,
    )
    assert kampung.partners == ["Puskesmas", "PKK"]
    assert kampung.rumah_dataku == "aktif"
    files = manifest(client, cadre, form_list(client, cadre)["lini_kampung_kb"]["manifestUrl"])
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(files["kampung.csv"]["downloadUrl"], **basic(cadre)).content.decode()
            )
        )
    )
    assert rows[0]["desa"] == SINGAMERTA
    assert rows[0]["kriteria"] == "kumuh utama_kb"


def test_unreadable_or_unknown_instances_are_refused(client: Client, cadre) -> None:  # type: ignore[no-untyped-def]
    assert submit(client, cadre, b"<data id='lini_pelayanan_kb'><oops>").status_code == 400
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<data id="lini_pelayanan_kb"><catatan>&b;</catatan></data>'
    )
    assert submit(client, cadre, bomb).status_code == 400
    no_id = b'<data id="lini_pelayanan_kb"><catatan>x</catatan></data>'
    assert submit(client, cadre, no_id).status_code == 400
    too_long = instance_xml("lini_pelayanan_kb", {}, instance_id="uuid:" + "9" * 200)
    assert submit(client, cadre, too_long).status_code == 400
    unknown = b'<data id="other_form"><meta><instanceID>uuid:x</instanceID></meta></data>'
    response = submit(client, cadre, unknown)
    assert response.status_code == 404
    assert response["X-OpenRosa-Version"] == "1.0"
    missing = client.post(reverse("odk:submission"), {}, **basic(cadre))
    assert missing.status_code == 400
    # A browser resending cached Basic credentials for another site's form sends no OpenRosa
    # header: refused before the file is read (the CSRF guard of this csrf_exempt endpoint).
    headers = basic(cadre)
    del headers["HTTP_X_OPENROSA_VERSION"]
    data = instance_xml("lini_pelayanan_kb", service_values())
    upload = SimpleUploadedFile("x.xml", data, content_type="text/xml")
    forged = client.post(reverse("odk:submission"), {"xml_submission_file": upload}, **headers)
    assert forged.status_code == 400
    assert not Submission.objects.exists()


def test_an_instance_nested_without_end_is_refused_cleanly(client: Client, cadre) -> None:  # type: ignore[no-untyped-def]
    depth = 3000
    data = (
        '<data id="lini_pelayanan_kb">' + "<g>" * depth + "<x>1</x>" + "</g>" * depth
        + "<meta><instanceID>uuid:deep</instanceID></meta></data>"
    ).encode()  # fmt: skip
    response = submit(english(client), cadre, data)
    assert response.status_code == 400
    assert response["X-OpenRosa-Version"] == "1.0"
    assert "deep" in message(response)
    assert not Submission.objects.exists()
