"""Import and export from the web: upload, check, background run with progress, results."""

from __future__ import annotations

from pathlib import Path

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.exchange.models import DataJob, JobStatus
from lini.register.models import Family
from lini.register.tests.files import read_table, write_xlsx
from lini.register.tests.test_import import HEADER, ROWS

pytestmark = pytest.mark.django_db


def upload(tmp_path: Path) -> SimpleUploadedFile:
    path = write_xlsx(tmp_path / "pendataan.xlsx", HEADER, ROWS)
    return SimpleUploadedFile("pendataan.xlsx", path.read_bytes())


def test_check_then_import_from_the_web(
    client: Client, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user(Role.COUNSELLOR, "36.04.09"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("exchange:import_start"),
            {"kind": "register", "file": upload(tmp_path), "dry_run": "on"},
        )
    job = DataJob.objects.get()
    assert response.url == job.get_absolute_url()
    assert (job.status, job.dry_run, job.rows_total) == (JobStatus.DONE, True, 14)
    assert not Family.objects.exists()  # only checked
    page = client.get(job.get_absolute_url()).content.decode()
    assert "tidak ada desa/kelurahan dengan kode 36.04.09.2999" in page  # the first errors, shown
    assert 'hx-trigger="every 1s"' not in page  # finished: the page stops polling
    rejects = client.get(reverse("exchange:job_download", kwargs={"token": job.token}))
    assert rejects.status_code == 200
    assert "ditolak" in rejects["Content-Disposition"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exchange:job_run_for_real", kwargs={"token": job.token}))
    real = DataJob.objects.exclude(pk=job.pk).get()
    assert response.url == real.get_absolute_url()
    assert real.status == JobStatus.DONE
    assert real.summary["families_created"] == 2
    assert Family.objects.count() == 2


def test_a_running_job_page_polls_for_progress(client: Client) -> None:
    user = make_user(Role.CADRE, "36.04.09.2013")
    job = DataJob.objects.create(
        direction="import",
        kind="register",
        user=user,
        rows_total=1000,
        rows_done=250,
        status=JobStatus.RUNNING,
    )
    client.force_login(user)
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert 'value="25"' in page
    partial = client.get(job.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith("<section")


def test_a_job_is_seen_only_by_its_owner(client: Client) -> None:
    owner = make_user(Role.CADRE, "36.04.09.2013")
    job = DataJob.objects.create(direction="import", kind="register", user=owner)
    client.force_login(make_user(Role.NATIONAL_ADMIN))
    assert client.get(job.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("exchange:job_download", kwargs={"token": job.token})).status_code == 404
    )


def test_a_file_that_is_not_a_spreadsheet_is_refused_with_its_name(client: Client) -> None:
    client.force_login(make_user(Role.CADRE, "36.04.09.2013"))
    response = client.post(
        reverse("exchange:import_start"),
        {"kind": "register", "file": SimpleUploadedFile("data.pdf", b"%PDF-1.4")},
    )
    assert response.status_code == 200
    assert "data.pdf" in response.content.decode()
    assert not DataJob.objects.exists()


def test_a_corrupt_xlsx_is_refused_at_the_upload_with_a_clear_message(client: Client) -> None:
    client.force_login(make_user(Role.CADRE, "36.04.09.2013"))
    response = client.post(
        reverse("exchange:import_start"),
        {"kind": "register", "file": SimpleUploadedFile("rusak.xlsx", b"PK\x03\x04 not a zip")},
    )
    assert response.status_code == 200
    assert "rusak.xlsx" in response.content.decode()
    assert not DataJob.objects.exists()
    assert not Family.objects.exists()


def test_export_of_the_scope_round_trips_through_the_import_template(
    client: Client, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from lini.exchange.registry import get_kind
    from lini.exchange.services import import_run

    import_run(
        kind=get_kind("register"), path=write_xlsx(tmp_path / "a.xlsx", HEADER, ROWS), user=None
    )
    client.force_login(make_user(Role.COUNSELLOR, "36.04.09"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("exchange:export_start"),
            {
                "kind": "register",
                "region": "36.04.09",
                "file_format": ".csv",
                "purpose": "verification of the register",
            },
        )
    job = DataJob.objects.get()
    assert job.status == JobStatus.DONE
    response = client.get(reverse("exchange:job_download", kwargs={"token": job.token}))
    out = tmp_path / "export.csv"
    out.write_bytes(b"".join(response.streaming_content))
    header, rows = read_table(out)
    assert header[:3] == ["no_kk", "kode_wilayah", "dusun"]
    assert len(rows) == 5


def test_a_cadre_may_not_export_personal_data(client: Client) -> None:
    client.force_login(make_user(Role.CADRE, "36.04.09.2013"))
    response = client.post(
        reverse("exchange:export_start"),
        {"kind": "register", "region": "36.04.09.2013", "file_format": ".csv"},
    )
    assert response.status_code == 200
    assert "tidak boleh mengekspor data ini" in response.content.decode()
    assert not DataJob.objects.exists()


def test_template_download_has_the_explanation_sheet(client: Client, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    client.force_login(make_user(Role.CADRE, "36.04.09.2013"))
    response = client.get(
        reverse("exchange:template_download", kwargs={"kind": "register", "suffix": "xlsx"})
    )
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    book = load_workbook(path)
    assert book.sheetnames == ["data", "petunjuk"]
    header = [c.value for c in book["data"][1]]
    assert header[:2] == ["no_kk", "kode_wilayah"]
    explained = {row[0].value: row[3].value for row in book["petunjuk"].iter_rows(min_row=2)}
    assert "susuk" not in explained["metode_kb"]  # values, not synonyms
    assert "implan" in explained["metode_kb"]
    assert "tial" in explained["alasan_tidak_kb"]


def test_an_export_cannot_be_taken_after_the_right_is_lost(
    client: Client, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from lini.accounts.models import User

    user = make_user(Role.COUNSELLOR, "36.04.09")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("exchange:export_start"),
            {
                "kind": "register",
                "region": "36.04.09",
                "file_format": ".csv",
                "purpose": "verification of the register",
            },
        )
    job = DataJob.objects.get()
    url = reverse("exchange:job_download", kwargs={"token": job.token})
    assert client.get(url).status_code == 200
    User.objects.filter(pk=user.pk).update(role=Role.CADRE)  # demoted: no right to see identities
    assert client.get(url).status_code == 403


def test_a_zip_bomb_is_refused_at_the_upload_before_anything_opens_it(
    client: Client, tmp_path: Path
) -> None:
    from lini.exchange.tests.hostile import declare_size, write_zip, xlsx_parts

    path = write_zip(tmp_path / "bom.xlsx", xlsx_parts())
    declare_size(path, "xl/sharedStrings.xml", 900 * 1024 * 1024)
    client.force_login(make_user(Role.CADRE, "36.04.09.2013"))
    response = client.post(
        reverse("exchange:import_start"),
        {"kind": "register", "file": SimpleUploadedFile("bom.xlsx", path.read_bytes())},
    )
    assert response.status_code == 200
    assert "bom.xlsx" in response.content.decode()
    assert not DataJob.objects.exists()
