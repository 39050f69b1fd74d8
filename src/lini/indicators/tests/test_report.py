"""The monthly field-control report: built from the counts, shown on a page, downloaded and
written by ``lini report monthly`` as CSV, XLSX and PDF (each read back), audited as an export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditAction, AuditEntry
from lini.indicators.report import monthly_report, report_period
from lini.indicators.report_writers import (
    AUDIT_MODEL,
    CSV_COLUMNS,
    report_csv,
    report_export,
    report_pdf,
    report_xlsx,
)
from lini.indicators.tests.helpers import put_counts
from lini.regions.models import Region, RegionKind
from lini.regions.services import subunit_create
from lini.regions.tests.places import (
    CIRUAS,
    KAB_SERANG,
    KAB_TANGERANG,
    KUTA_JAYA,
    PULO,
    SINGAMERTA,
)

pytestmark = pytest.mark.django_db

SEP, OCT = dt.date(2019, 9, 1), dt.date(2019, 10, 1)


@pytest.fixture(autouse=True)
def _counts() -> None:
    # Two villages of Kec. Ciruas; Kuta Jaya (Kab. Tangerang) must never be counted in.
    put_counts(SINGAMERTA, SEP, pus=1000, pa=600, pa_suntik=600, pb=4, pb_suntik=4, svc=3,
               svc_baru=3, svc_m_suntik=3)  # fmt: skip
    put_counts(
        SINGAMERTA, OCT, pus=1200, pa=640, pa_iud=100, pa_implan=40, pa_suntik=500, pa_modern=640,
        pa_mkjp=140, pb=12, pb_iud=10, pb_pil=2, dropout=3, switch=2, nonuser_hamil=30,
        nonuser_iat=20, nonuser_tial=10, unmet=30, pus_unknown=500,
        inst_ppkbd_exist=1, inst_ppkbd_reported=1, inst_bkb_exist=3, inst_bkb_reported=2,
        monthly_expected=1, monthly_sent=1, monthly_approved=1,
        poktan_bkb=2, poktan_active_bkb=1, poktan_members_bkb=40, meetings_bkb=3,
        families_under5=160, families=900, poktan_families=55,
        svc=15, svc_baru=12, svc_cabut=1, svc_ulang=2, svc_m_iud=10, svc_m_pil=4,
        svc_postpartum=5, due_visits=40, due_on_time=30, due_overdue=6, due_dropout=2,
        due_visited=9,
    )  # fmt: skip
    put_counts(PULO, OCT, pus=300, pa=160, pa_pil=160, pa_modern=160, nonuser_ias=5,
               monthly_expected=1, poktan_bkb=1, poktan_members_bkb=10, families_under5=40,
               families=100, poktan_families=10, due_visits=10, due_on_time=8)  # fmt: skip
    put_counts(SINGAMERTA, SEP, due_visits=20, due_overdue=20, due_dropout=5, due_visited=1)
    put_counts(KUTA_JAYA, OCT, pus=9999, pa=9999, pa_iud=9999)


def _lines(report):  # type: ignore[no-untyped-def]
    return {
        (section.code, line.key): tuple(c.value for c in cells)
        for section in report.sections
        for line, cells in section.table()
    }


def test_the_report_sums_the_villages_counts_into_the_sections() -> None:
    report = monthly_report(region=Region.objects.get(code=CIRUAS), period="2019-10")
    assert [s.code for s in report.sections] == ["I", "II", "III", "IV", "V", "VI"]
    assert report.previous.text == "2019-09"
    lines = _lines(report)
    # I: last month, this month (both villages summed; Kuta Jaya left out).
    assert lines[("I", "pus")] == (1000, 1500)
    assert lines[("I", "pa")] == (600, 800)
    assert lines[("I", "pa_iud")] == (0, 100)
    assert lines[("I", "pa_suntik")] == (600, 500)
    assert lines[("I", "cpr")] == (Decimal("60.00"), Decimal("53.33"))  # 800 / 1500
    assert lines[("I", "mcpr")] == (Decimal("0.00"), Decimal("53.33"))  # no pa_modern in Sept.
    assert lines[("I", "mkjp_share")] == (Decimal("0.00"), Decimal("17.50"))  # 140 / 800
    assert lines[("I", "pb")] == (4, 12)
    assert lines[("I", "pb_iud")] == (0, 10)
    assert (lines[("I", "dropout")], lines[("I", "switch")]) == ((0, 3), (0, 2))
    # II: non-users by reason, their total and unmet need.
    assert lines[("II", "nonuser")] == (0, 65)
    assert lines[("II", "nonuser_ias")] == (0, 5)
    assert lines[("II", "unmet_need")] == (Decimal("0.00"), Decimal("2.00"))  # 30 / 1500
    # III: exist, reported, share; the monthly inputs due and sent.
    assert lines[("III", "institutions")] == (4, 3, Decimal("75.00"))
    assert lines[("III", "bkb")] == (3, 2, Decimal("66.67"))
    assert lines[("III", "kelompok_kb")] == (0, 0, None)
    assert lines[("III", "monthly_inputs")] == (2, 1, Decimal("50.00"))
    # IV: groups, active, member families, meetings, families served, participation.
    assert lines[("IV", "bkb")] == (3, 1, 50, 3, 200, Decimal("25.00"))
    assert lines[("IV", "pikr")] == (0, 0, 0, 0, None, None)
    assert lines[("IV", "poktan_families")] == (None, None, 65, None, 1000, Decimal("6.50"))
    # V: services by visit type and by method.
    assert lines[("V", "svc")] == (3, 15)
    assert lines[("V", "svc_baru")] == (3, 12)
    assert lines[("V", "svc_m")] == (3, 14)
    assert lines[("V", "svc_postpartum")] == (0, 5)
    # VI: the follow-through of the due visits that fell due in each month.
    assert lines[("VI", "due_visits")] == (20, 50)
    assert lines[("VI", "due_on_time")] == (0, 38)
    assert lines[("VI", "due_overdue")] == (20, 6)
    assert lines[("VI", "due_dropout")] == (5, 2)
    assert lines[("VI", "due_visited")] == (1, 9)


def test_a_village_report_has_only_its_own_counts() -> None:
    lines = _lines(monthly_report(region=Region.objects.get(code=PULO), period="2019-10"))
    assert lines[("I", "pus")] == (0, 300)
    assert lines[("I", "cpr")] == (None, Decimal("53.33"))


@translation.override("en")
def test_a_year_or_a_dusun_is_refused() -> None:
    with pytest.raises(ValueError, match="one month: write it as YYYY-MM, not 2019"):
        report_period("2019")
    with pytest.raises(ValueError, match="YYYY-MM"):
        report_period("2019-13")
    dusun = subunit_create(
        actor=None, parent=Region.objects.get(code=PULO), kind=RegionKind.DUSUN, name="Krajan"
    )
    with pytest.raises(ValueError, match="for a village or a larger region"):
        monthly_report(region=dusun, period="2019-10")


def test_csv_reads_back_one_row_per_figure() -> None:
    report = monthly_report(region=Region.objects.get(code=CIRUAS), period="2019-10")
    data = report_csv(report)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, like Lini's other CSV files
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    by = {(r["section"], r["item"], r["column"]): r for r in rows}
    cpr = by[("I", "cpr", "current")]
    assert (cpr["region_code"], cpr["period"], cpr["value"]) == (CIRUAS, "2019-10", "53.33")
    assert by[("I", "pus", "previous")]["value"] == "1000"
    assert by[("III", "bkb", "reported_pct")]["value"] == "66.67"
    assert by[("IV", "pikr", "participation")]["value"] == ""


def test_xlsx_reads_back_with_the_layout_and_numbers() -> None:
    report = monthly_report(region=Region.objects.get(code=CIRUAS), period="2019-10")
    book = load_workbook(io.BytesIO(report_xlsx(report)))
    sheet = book.active
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == report.title
    assert CIRUAS in rows[1][1]
    firsts = [r[0] for r in rows]
    for section in report.sections:
        assert f"{section.code}. {section.title}" in firsts
    by_label = {r[0]: r for r in rows if r[0]}
    pus = by_label[str(report.sections[0].lines[0].label)]
    assert pus[1:3] == (1000, 1500)
    cpr = by_label[next(line.label for line in report.sections[0].lines if line.key == "cpr")]
    assert cpr[1:3] == (60, pytest.approx(53.33))
    cell = next(c for c in sheet["C"] if c.value == pytest.approx(53.33))
    assert cell.number_format == "#,##0.00"


def test_pdf_reads_back_with_labels_and_indonesian_numbers() -> None:
    report = monthly_report(region=Region.objects.get(code=CIRUAS), period="2019-10")
    data = report_pdf(report)
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert 1 <= len(reader.pages) <= 3
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert report.title in text
    assert CIRUAS in text
    for section in report.sections:
        assert section.title in text
    assert "1.500" in text  # PUS this month, Indonesian grouping
    assert "53,33" in text  # CPR, Indonesian decimal comma
    assert f"1/{len(reader.pages)}" in text  # page numbers in the footer


def test_the_page_shows_the_report_in_indonesian_format(client: Client) -> None:
    client.force_login(make_user(Role.COUNSELLOR, CIRUAS))
    url = reverse("indicators:report_monthly")
    page = client.get(url, {"region": CIRUAS, "period": "2019-10"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "1.500" in html
    assert "53,33" in html
    assert "format=xlsx" in html
    assert "9.999" not in html  # Kab. Tangerang's village is not in Kec. Ciruas
    assert not AuditEntry.objects.filter(model=AUDIT_MODEL).exists()  # viewing is not exporting
    bad = client.get(url, {"region": CIRUAS, "period": "2019"})
    assert bad.status_code == 200
    assert 'role="alert"' in bad.content.decode()
    assert "format=xlsx" not in bad.content.decode()  # no report, nothing to download
    assert client.get(url, {"region": CIRUAS, "format": "doc"}).status_code == 404
    assert client.get(url, {"region": "36.99"}).status_code == 404


def test_the_page_refuses_out_of_scope_regions(client: Client) -> None:
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    url = reverse("indicators:report_monthly")
    for query in ({"region": KAB_TANGERANG}, {"region": KUTA_JAYA, "format": "xlsx"}):
        assert client.get(url, {**query, "period": "2019-10"}).status_code == 403
    assert not AuditEntry.objects.filter(model=AUDIT_MODEL).exists()
    client.logout()
    assert client.get(url, {"region": CIRUAS}).status_code in (302, 403)


@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "csv"])
def test_each_download_opens_and_is_audited(client: Client, fmt: str) -> None:
    user = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    client.force_login(user)
    response = client.get(
        reverse("indicators:report_monthly"), {"region": CIRUAS, "period": "2019-10", "format": fmt}
    )
    assert response.status_code == 200
    name = f"laporan-bulanan-{CIRUAS}-2019-10.{fmt}"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    data = response.content
    if fmt == "xlsx":
        rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
        assert any(r[1:3] == (1000, 1500) for r in rows)
    elif fmt == "pdf":
        assert "53,33" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    else:
        assert f"{CIRUAS},".encode() in data
    entry = AuditEntry.objects.get(model=AUDIT_MODEL)
    assert (entry.action, entry.actor, entry.region_code, entry.object_repr) == (
        AuditAction.EXPORT, user, CIRUAS, name,
    )  # fmt: skip
    assert entry.after == {"period": "2019-10", "format": fmt, "bytes": len(data),
                           "personal": False}  # fmt: skip


@translation.override("en")
def test_the_export_checks_scope_itself() -> None:
    from django.core.exceptions import PermissionDenied

    report = monthly_report(region=Region.objects.get(code=KUTA_JAYA), period="2019-10")
    with pytest.raises(PermissionDenied):
        report_export(actor=make_user(Role.COUNSELLOR, CIRUAS), report=report, fmt="csv")
    with pytest.raises(ValueError, match="csv, xlsx or pdf"):
        report_export(actor=None, report=report, fmt="doc")
    assert not AuditEntry.objects.filter(model=AUDIT_MODEL).exists()


@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "csv"])
def test_the_command_writes_each_format(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"ciruas.{fmt}"
    call_command("report", "monthly", "--region", CIRUAS, "--period", "2019-10",
                 "--format", fmt, "-o", str(out))  # fmt: skip
    data = out.read_bytes()
    if fmt == "xlsx":
        rows = list(load_workbook(out).active.iter_rows(values_only=True))
        assert any(r[1:3] == (1000, 1500) for r in rows)
    elif fmt == "pdf":
        text = PdfReader(out).pages[0].extract_text()
        assert "1.500" in text
    else:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert {r["region_code"] for r in rows} == {CIRUAS}
    entry = AuditEntry.objects.get(model=AUDIT_MODEL)
    assert (entry.action, entry.actor, entry.actor_name) == (AuditAction.EXPORT, None, "system")
    assert entry.after["format"] == fmt


def test_the_command_takes_the_format_from_the_suffix_and_a_user(tmp_path: Path) -> None:
    user = make_user(Role.COUNSELLOR, CIRUAS, username="pkb.ciruas")
    out = tmp_path / "pulo.PDF"
    call_command("report", "monthly", "--region", PULO, "--period", "2019-10", "-o", str(out),
                 "--user", "pkb.ciruas")  # fmt: skip
    assert PdfReader(out).pages
    assert AuditEntry.objects.get(model=AUDIT_MODEL).actor == user


@translation.override("en")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "36.99", "--period", "2019-10"], "no region has the code"),
        (["--region", CIRUAS, "--period", "2019"], "YYYY-MM"),
        (["--region", CIRUAS, "--period", "oktober"], "YYYY-MM"),
        (["--region", KUTA_JAYA, "--period", "2019-10", "--user", "pkb.ciruas"], "may not view"),
        (["--region", CIRUAS, "--period", "2019-10", "--user", "nobody"], "no active account"),
    ],
)
def test_the_command_refuses_bad_input(tmp_path: Path, args: list[str], message: str) -> None:
    make_user(Role.COUNSELLOR, CIRUAS, username="pkb.ciruas")
    out = tmp_path / "r.csv"
    with pytest.raises(CommandError, match=message):
        call_command("report", "monthly", *args, "-o", str(out))
    assert not out.exists()
    assert not AuditEntry.objects.filter(model=AUDIT_MODEL).exists()


@translation.override("en")
def test_the_command_refuses_an_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--format"):
        call_command("report", "monthly", "--region", CIRUAS, "--period", "2019-10",
                     "-o", str(tmp_path / "r.doc"))  # fmt: skip
