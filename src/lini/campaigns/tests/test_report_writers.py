"""The campaign report as CSV, XLSX and PDF (each read back): target against achievement of a
campaign with two lokus, a team, a daily log, photos and a service recorded through the KB
service mechanism; no formula in any cell, no personal data of clients in any file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import pgettext

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditAction, AuditEntry
from lini.campaigns.choices import TARGET_KEYS, TeamRole
from lini.campaigns.models import Campaign, Lokus, Photo
from lini.campaigns.photos import photo_add, photo_dir
from lini.campaigns.planning import lokus_plan_save, team_member_add
from lini.campaigns.recording import campaign_service_record, day_log_save
from lini.campaigns.report import campaign_report
from lini.campaigns.report import campaign_report as build_report
from lini.campaigns.report_writers import (
    AUDIT_MODEL,
    CSV_COLUMNS,
    FORMATS,
    MAX_PHOTOS,
    render,
    report_export,
    report_for,
)
from lini.campaigns.tests.factories import FIRST, add_lokus, make_campaign, team_counsellor
from lini.indicators.tests.helpers import put_counts
from lini.kb.choices import VisitType
from lini.kb.tests.factories import make_couple
from lini.regions.tests.places import (
    CIRUAS,
    KAB_SERANG,
    KAB_TANGERANG,
    KUTA_JAYA,
    PASAR_KEMIS,
    PULO,
    SINGAMERTA,
)  # fmt: skip
from lini.register.choices import Method
from lini.register.models import Couple

pytestmark = pytest.mark.django_db

OCT, NOV = dt.date(2019, 10, 1), dt.date(2019, 11, 1)
SERVICE_KEY = f"svc_{Method.IMPLANT}_{VisitType.SWITCH}"  # svc_implan_ganti
FORMULA_STARTS = ("=", "+", "-", "@")


def png(colour: tuple[int, int, int], size: int = 4) -> bytes:
    """A small valid PNG of one colour, built by hand (8-bit RGB, no filter)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + bytes(colour) * size for _row in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _today(settings, tmp_path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """5 November 2019, photos under a temporary LINI_HOME, texts in English."""
    settings.LINI_TODAY = dt.date(2019, 11, 5)
    settings.LINI_HOME = tmp_path
    with translation.override("en"):
        yield


def build(name: str = "Baksos IPeKB Banten 2019", text: str = "") -> dict[str, Any]:
    """Kab. Serang's villages Pulo and Singamerta as lokus; in Singamerta a PKB, a partner, a
    couple served (implant, switch), a day logged and a photo; counts of October and November
    2019 for the effect. ``text`` goes into every free text field (names, notes, captions)."""
    campaign = make_campaign(name=name)
    if text:
        campaign.theme = campaign.organisers = text
        campaign.save()
    singamerta, pulo = add_lokus(campaign, SINGAMERTA), add_lokus(campaign, PULO)
    lokus_plan_save(actor=None, lokus=singamerta, targets={SERVICE_KEY: 3, "counselling": 10},
                    tidy_items=[])  # fmt: skip
    pkb = team_counsellor(singamerta, CIRUAS, username="pkb.singamerta")
    team_member_add(actor=None, lokus=singamerta, role=TeamRole.SERVICE,
                    name=text or "Bidan Puskesmas Ciruas", organisation="Dinkes Kab. Serang")  # fmt: skip
    couple = make_couple(SINGAMERTA)
    campaign_service_record(
        actor=pkb, lokus=singamerta, couple=couple, served_on=dt.date(2019, 11, 2),
        method=Method.IMPLANT, visit_type=VisitType.SWITCH,
    )  # fmt: skip
    day_log_save(actor=pkb, lokus=singamerta, day=FIRST, families_visited=12, counselling=2,
                 attendance=30, notes=text or "Penyuluhan di balai desa")  # fmt: skip
    photo = photo_add(actor=pkb, lokus=singamerta, day=FIRST, caption=text or "Pelayanan KB",
                      upload=SimpleUploadedFile("foto.png", png((200, 30, 30))))  # fmt: skip
    put_counts(SINGAMERTA, OCT, pus=40, pa=10, pa_modern=8)
    put_counts(SINGAMERTA, NOV, pus=40, pa=11, pa_modern=10)
    return {"campaign": campaign, "singamerta": singamerta, "pulo": pulo, "pkb": pkb,
            "couple": couple, "photo": photo}  # fmt: skip


def report_of(campaign: Campaign) -> Any:
    return campaign_report(Campaign.objects.get(pk=campaign.pk))


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_cells(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: [tuple(r) for r in sheet.iter_rows(values_only=True)] for sheet in book}


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


# CSV -------------------------------------------------------------------------------------------


def test_csv_has_one_row_per_figure_with_plain_numbers() -> None:
    made = build()
    data, content_type, name = render(report_of(made["campaign"]), "csv")
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    assert content_type == FORMATS["csv"]
    assert name == f"baksos-{made['campaign'].pk}-baksos-ipekb-banten-2019.csv"
    rows = csv_rows(data)
    assert tuple(rows[0]) == CSV_COLUMNS
    by = {(r["section"], r["lokus_code"], r["key"]): r for r in rows}
    line = by[("target", SINGAMERTA, SERVICE_KEY)]
    assert (line["campaign_id"], line["campaign_name"], line["lokus_name"]) == (
        str(made["campaign"].pk), "Baksos IPeKB Banten 2019", "Singamerta",
    )  # fmt: skip
    assert (line["target"], line["achieved"], line["pct"]) == ("3", "1", "33.3")
    assert by[("target", SINGAMERTA, "counselling")]["achieved"] == "2"  # from the day log
    assert by[("target", SINGAMERTA, "counselling")]["pct"] == "20"
    total = by[("target", "total", SERVICE_KEY)]
    assert (total["lokus_name"], total["target"], total["achieved"]) == ("Total", "3", "1")
    assert by[("target", "total", "mkjp")]["achieved"] == "1"  # an implant is long-acting
    # Pulo has proposed targets but nothing achieved: its pct says 0, a line without a
    # target has no pct at all.
    pulo = [r for r in rows if r["lokus_code"] == PULO and r["section"] == "target"]
    assert pulo
    assert all(r["achieved"] == "0" for r in pulo)
    assert ("target", PULO, SERVICE_KEY) not in by
    services = [r for r in rows if r["section"] == "services"]
    assert [(r["lokus_code"], r["key"], r["target"], r["achieved"]) for r in services] == [
        (SINGAMERTA, SERVICE_KEY, "", "1"), ("total", SERVICE_KEY, "", "1"),
    ]  # fmt: skip
    cpr = by[("effect", KAB_SERANG, "cpr")]  # 10 of 40 in October, 11 of 40 in November
    assert (cpr["lokus_name"], cpr["target"], cpr["achieved"], cpr["pct"]) == (
        "Kabupaten Serang", "25", "27.5", "",
    )  # fmt: skip
    assert by[("effect", KAB_SERANG, "pus")]["achieved"] == "40"


# XLSX ------------------------------------------------------------------------------------------


def test_xlsx_has_the_five_sheets_with_numbers_as_numbers() -> None:
    made = build()
    data, content_type, name = render(report_of(made["campaign"]), "xlsx")
    assert (content_type, name[-5:]) == (FORMATS["xlsx"], ".xlsx")
    sheets = xlsx_cells(data)
    assert list(sheets) == ["Summary", "Lokus", "Services", "Days", "Effect"]
    summary = sheets["Summary"]
    assert summary[0][0] == "Baksos IPeKB Banten 2019"
    facts = {row[0]: row[1] for row in summary if row and row[0]}
    assert facts["Organisers"] == "BKKBN Banten, DPD IPeKB Banten"
    assert isinstance(facts["First day"], dt.datetime)  # a date cell, not text
    assert facts["First day"].date() == dt.date(2019, 11, 1)
    assert facts["Days"] == 10
    assert (PULO, "Desa Pulo", "Kec. Ciruas", 0, 0, 0) in summary
    assert (SINGAMERTA, "Desa Singamerta", "Kec. Ciruas", 1, 1, 1) in summary
    label = "implant: switch of method"
    assert (label, 3, 1, 33.3) in [row[:4] for row in summary]  # the totals
    # Lokus: Pulo's block, then Singamerta's; the service line of Singamerta achieved 1.
    lokus = sheets["Lokus"]
    starts = [i for i, row in enumerate(lokus) if row[0] and str(row[0]).startswith("Desa ")]
    assert [lokus[i][0] for i in starts] == [
        f"Desa Pulo, Kec. Ciruas ({PULO})", f"Desa Singamerta, Kec. Ciruas ({SINGAMERTA})",
    ]  # fmt: skip
    singamerta = lokus[starts[1] :]
    service = next(row for row in singamerta if row[0] == label)
    assert service[1:4] == (3, 1, 33.3)
    assert isinstance(service[2], int)
    assert any(row[0] == "PKB pkb.singamerta" for row in singamerta)  # the team
    assert any(row[:2] == ("Bidan Puskesmas Ciruas", "Dinkes Kab. Serang") for row in singamerta)
    reasons = Lokus.objects.get(pk=made["singamerta"].pk).reasons
    assert set(reasons) <= {row[0] for row in singamerta}  # why it was chosen
    services = sheets["Services"]
    visits = [str(label) for _v, label in VisitType.choices]
    assert services[0][3 : 3 + len(visits)] == tuple(visits)
    switch = 3 + VisitType.values.index(VisitType.SWITCH)
    rows = {row[0]: row for row in services[1:]}
    assert rows[SINGAMERTA][2] == "implant"
    assert (rows[SINGAMERTA][switch], rows[SINGAMERTA][-1]) == (1, 1)
    assert (rows["total"][1], rows["total"][switch]) == ("Total", 1)
    days = sheets["Days"]
    assert days[1][:2] == (SINGAMERTA, "Desa Singamerta")
    assert days[1][2].date() == dt.date(2019, 11, 1)
    assert days[1][3:7] == (12, 2, 30, 1)  # families, sessions, attendance, photos
    assert days[1][7] == "Penyuluhan di balai desa"
    effect = {(row[0], row[2]): row for row in sheets["Effect"][1:]}
    assert sheets["Effect"][0][3:5] == ("October 2019", "November 2019")
    cpr = effect[(KAB_SERANG, "Contraceptive prevalence rate (CPR)")]
    assert cpr[3:] == (25, 27.5, 2.5)


def test_xlsx_sheet_names_follow_the_language() -> None:
    made = build()
    with translation.override("id"):
        data, _type, _name = render(report_of(made["campaign"]), "xlsx")
    book = load_workbook(io.BytesIO(data))
    with translation.override("id"):
        names = [
            pgettext("campaign report sheet", name)
            for name in ("Summary", "Lokus", "Services", "Days", "Effect")
        ]
    assert book.sheetnames == names  # Ringkasan, Lokus, Layanan ... once translated
    assert (book.worksheets[4]["D1"].value, book.worksheets[4]["E1"].value) == (
        "Oktober 2019", "November 2019",
    )  # fmt: skip


# PDF -------------------------------------------------------------------------------------------


def test_pdf_has_the_one_page_summary_then_a_page_per_lokus_with_its_photo() -> None:
    made = build()
    data, content_type, name = render(report_of(made["campaign"]), "pdf")
    assert data.startswith(b"%PDF")
    assert (content_type, name[-4:]) == (FORMATS["pdf"], ".pdf")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 3  # the summary, Pulo, Singamerta
    summary = reader.pages[0].extract_text()
    for text in ("Baksos IPeKB Banten 2019", "Desa Pulo", "Desa Singamerta", "BKKBN Banten",
                 "1 November 2019 - 10 November 2019", "Head of office", "mCPR"):  # fmt: skip
        assert text in summary
    assert "33.3" in summary  # the service line's achievement, English format
    assert "+2.50" in summary  # CPR 25.00 -> 27.50 in Kab. Serang
    pulo, singamerta = reader.pages[1], reader.pages[2]
    assert "Desa Pulo" in pulo.extract_text()
    assert len(pulo.images) == 0
    text = singamerta.extract_text()
    for part in ("Desa Singamerta", "PKB pkb.singamerta", "Bidan Puskesmas Ciruas",
                 "01/11/2019", "Penyuluhan di balai desa", "Pelayanan KB"):  # fmt: skip
        assert part in text
    assert len(singamerta.images) == 1  # the photo, embedded
    assert singamerta.images[0].image.size == (4, 4)


def test_the_summary_keeps_to_one_page_with_eight_lokus_and_every_target() -> None:
    campaign = make_campaign()
    villages = (PULO, SINGAMERTA, "36.04.11.2013", "36.04.11.2005", "36.03.12.1012",
                "36.03.12.2011", "36.03.18.2013", "36.03.18.2010")  # the eight of 2019  # fmt: skip
    for code in villages:
        lokus_plan_save(actor=None, lokus=add_lokus(campaign, code),
                        targets=dict.fromkeys(TARGET_KEYS, 2), tidy_items=[])  # fmt: skip
    pages = pdf_pages(render(report_of(campaign), "pdf")[0])
    assert len(pages) == 1 + len(villages)
    assert "Head of office" in pages[0]  # the signature, on the summary page
    assert pages[1].startswith(f"Kel. Kuta Jaya, Kec. Pasar Kemis ({villages[4]})")


def test_pdf_says_day_or_days_by_the_number_of_days() -> None:
    one_day = make_campaign(name="Baksos sehari", starts_on=FIRST, ends_on=FIRST)
    assert "1 November 2019 (1 day)" in pdf_pages(render(report_of(one_day), "pdf")[0])[0]
    ten_days = make_campaign(name="Baksos sepuluh hari")
    assert "(10 days)" in pdf_pages(render(report_of(ten_days), "pdf")[0])[0]


def test_pdf_numbers_and_dates_follow_the_language() -> None:
    made = build()
    with translation.override("id"):
        data, _type, _name = render(report_of(made["campaign"]), "pdf")
    summary = pdf_pages(data)[0]
    assert "33,3" in summary
    assert "+2,50" in summary


def test_pdf_prints_at_most_four_photos_and_lists_the_others(settings) -> None:  # type: ignore[no-untyped-def]
    made = build()
    for index in range(MAX_PHOTOS):
        photo_add(actor=made["pkb"], lokus=made["singamerta"], day=dt.date(2019, 11, 2),
                  caption=f"Foto {index}", upload=SimpleUploadedFile(
                      "f.png", png((10 * index, 100, 50))))  # fmt: skip
    gone = photo_add(actor=made["pkb"], lokus=made["singamerta"], day=FIRST,
                     caption="Foto hilang", upload=SimpleUploadedFile("g.png", png((1, 2, 3))))  # fmt: skip
    (photo_dir() / gone.file_name).unlink()  # a file lost on the server: listed, not printed
    assert Photo.objects.filter(lokus=made["singamerta"]).count() == MAX_PHOTOS + 2
    data, _type, _name = render(report_of(made["campaign"]), "pdf")
    reader = PdfReader(io.BytesIO(data))
    lokus_pages = reader.pages[2:]
    assert sum(len(page.images) for page in lokus_pages) == MAX_PHOTOS
    text = "\n".join(page.extract_text() for page in lokus_pages)
    assert "Other photos" in text
    assert "Foto hilang" in text
    assert "Foto 3" in text  # the fifth photo by day, listed by its caption


# Safety ----------------------------------------------------------------------------------------


def test_no_cell_starts_a_formula_even_with_a_formula_for_a_name() -> None:
    formula = '=HYPERLINK("http://evil.example","klik")'
    made = build(name=formula, text="+cmd|' /C calc'!A0")
    team_member_add(actor=None, lokus=made["pulo"], role=TeamRole.SUPPORT, name="-1+2",
                    organisation="@SUM(A1:A2)")  # fmt: skip
    report = report_of(made["campaign"])
    rows = list(csv.reader(io.StringIO(render(report, "csv")[0].decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert f"'{formula}" in cells
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    book = load_workbook(io.BytesIO(render(report, "xlsx")[0]))
    texts = []
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert f"'{formula}" in texts
    assert "'+cmd|' /C calc'!A0" in texts  # theme, team member, notes ...
    assert {"'-1+2", "'@SUM(A1:A2)"} <= set(texts)
    assert not [text for text in texts if text.startswith(FORMULA_STARTS)]
    assert render(report, "xlsx")[2].startswith(f"baksos-{made['campaign'].pk}-hyperlink")


def test_no_file_holds_personal_data_of_the_couple_served() -> None:
    made = build()
    couple: Couple = made["couple"]
    family = couple.family
    members = list(family.members.all())
    secrets = {member.name for member in members} | {family.kk_number}
    secrets |= {member.nik for member in members}
    assert {"Dadang", "Euis"} <= secrets
    report = report_of(made["campaign"])
    csv_text = render(report, "csv")[0].decode("utf-8-sig")
    xlsx_text = "\n".join(
        str(cell) for rows in xlsx_cells(render(report, "xlsx")[0]).values() for row in rows
        for cell in row if cell is not None
    )  # fmt: skip
    pdf_text = "\n".join(pdf_pages(render(report, "pdf")[0]))
    for secret in secrets:
        for text in (csv_text, xlsx_text, pdf_text):
            assert secret not in text


def test_a_campaign_without_lokus_yet_still_has_its_three_files() -> None:
    campaign = make_campaign(name="Baksos kosong")
    report = report_of(campaign)
    assert [r["section"] for r in csv_rows(render(report, "csv")[0])] == []
    assert xlsx_cells(render(report, "xlsx")[0])["Summary"][0][0] == "Baksos kosong"
    pages = pdf_pages(render(report, "pdf")[0])
    assert len(pages) == 1
    assert "Baksos kosong" in pages[0]


def test_an_unknown_format_is_refused_with_a_message() -> None:
    made = build()
    with pytest.raises(ValueError, match="doc is not a report format; choose xlsx, pdf or csv"):
        render(report_of(made["campaign"]), "doc")


# The export ------------------------------------------------------------------------------------


def test_an_export_is_audited_and_checks_who_may_see_the_campaign() -> None:
    made = build()
    report = report_of(made["campaign"])
    officer: User = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    data, _type, name = report_export(actor=officer, report=report, fmt="pdf")
    entry = AuditEntry.objects.get(model=AUDIT_MODEL)
    assert (entry.action, entry.actor, entry.object_id, entry.object_repr, entry.region_code) == (
        AuditAction.EXPORT, officer, str(made["campaign"].pk), name, "36",
    )  # fmt: skip
    assert entry.after == {"format": "pdf", "bytes": len(data), "personal": False,
                           "lokus": [PULO, SINGAMERTA]}  # fmt: skip
    with pytest.raises(PermissionDenied):
        report_export(actor=make_user(Role.REGENCY_OFFICER, KAB_TANGERANG), report=report,
                      fmt="csv")  # fmt: skip
    assert AuditEntry.objects.filter(model=AUDIT_MODEL).count() == 1


def test_an_export_holds_only_the_lokus_and_regions_the_actor_may_see() -> None:
    """A Tangerang PKB on the province's campaign with lokus in Kab. Serang and Kab. Tangerang:
    a report of every lokus is refused; the report built for them holds their lokus only."""
    made = build()
    campaign: Campaign = made["campaign"]
    kuta_jaya = add_lokus(campaign, KUTA_JAYA)
    pkb = team_counsellor(kuta_jaya, PASAR_KEMIS, username="pkb.kutajaya")
    with pytest.raises(PermissionDenied):
        report_export(actor=pkb, report=report_of(campaign), fmt="csv")
    assert not AuditEntry.objects.filter(model=AUDIT_MODEL).exists()

    report = report_for(pkb, Campaign.objects.get(pk=campaign.pk))
    assert [item.village.code for item in report.lokus] == [KUTA_JAYA]
    assert report.effect == []  # Kab. Tangerang's figures lie outside their village
    for fmt in ("csv", "pdf"):
        data, _type, _name = report_export(actor=pkb, report=report, fmt=fmt)
        shown = data.decode("utf-8-sig") if fmt == "csv" else "\n".join(pdf_pages(data))
        assert "Kuta Jaya" in shown
        for hidden in ("Singamerta", "Pulo", SINGAMERTA, PULO, "Kabupaten Serang"):
            assert hidden not in shown, (fmt, hidden)
    assert [entry.after["lokus"] for entry in AuditEntry.objects.filter(model=AUDIT_MODEL)] == [
        [KUTA_JAYA], [KUTA_JAYA],
    ]  # fmt: skip

    # Singamerta's PKB sees their lokus, but not Kab. Serang's figures: an effect table of
    # Kab. Serang is refused too.
    singamerta_pkb: User = made["pkb"]
    over_mine = build_report(campaign, [made["singamerta"]])
    assert [item.region.code for item in over_mine.effect] == [KAB_SERANG]
    with pytest.raises(PermissionDenied):
        report_export(actor=singamerta_pkb, report=over_mine, fmt="csv")
    mine = report_for(singamerta_pkb, campaign)
    assert ([item.village.code for item in mine.lokus], mine.effect) == ([SINGAMERTA], [])
    report_export(actor=singamerta_pkb, report=mine, fmt="csv")
    # The system (the lini campaign command) exports everything.
    assert len(report_for(None, campaign).lokus) == 3
