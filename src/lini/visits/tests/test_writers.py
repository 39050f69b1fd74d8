"""The due list as CSV, JSON, XLSX and PDF, and its download page (issue 9, item 2)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator

import pytest

from django.test import Client
from django.urls import reverse
from django.utils import translation

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditAction, AuditEntry
from lini.kb.choices import Product, VisitType
from lini.kb.services import service_record
from lini.regions.models import Region
from lini.regions.tests.places import CIRUAS, KAB_SERANG, KUTA_JAYA, PULO, SINGAMERTA
from lini.register.choices import (
    EventSource,
    KBStatus,
    MaritalStatus,
    Method,
    NotUsingReason,
    Relation,
    Sex,
)
from lini.register.identity import mask
from lini.register.models import Couple
from lini.register.records import FamilyRecord, MemberRecord, StatusRecord
from lini.register.writer import register_write
from lini.visits.due import Week
from lini.visits.selectors import DueList, due_list
from lini.visits.writers import (
    AUDIT_MODEL,
    COLUMNS,
    PDF_OUTCOMES,
    common_code,
    due_csv,
    due_json,
    due_list_export,
    due_pdf,
    due_xlsx,
    outcome_label,
)

pytestmark = pytest.mark.django_db

WEEK = Week.parse("2019-W44")  # Mon 28 Oct - Sun 3 Nov 2019
TODAY = dt.date(2019, 11, 1)
KK = {"siti": "3604091200000001", "nur": "3604091200000002", "rina": "3604091200000003"}


@pytest.fixture(autouse=True)
def _today(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = TODAY
    with translation.override("en"):
        yield


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def _family(
    serial: int, kk: str, wife: str, status: StatusRecord, *, rw: str, rt: str, address: str
) -> Couple:
    village = Region.objects.get(code=SINGAMERTA)
    members = [
        MemberRecord(nik=f"3604090101{serial:02d}0001", name=f"Asep {serial}", sex=Sex.MALE,
                     birth_date=dt.date(1984, 1, 1), relation=Relation.HEAD,
                     marital_status=MaritalStatus.MARRIED),
        MemberRecord(nik=f"3604094101{serial:02d}0002", name=wife, sex=Sex.FEMALE,
                     birth_date=dt.date(1986, 1, 1), relation=Relation.SPOUSE,
                     marital_status=MaritalStatus.MARRIED, status=status),
    ]  # fmt: skip
    register_write(
        records=[FamilyRecord(kk_number=kk, village_id=village.pk, village_code=village.code,
                              rw=rw, rt=rt, address=address, members=members,
                              collected_on=dt.date(2019, 6, 1))],
        source=EventSource.COLLECTION,
    )  # fmt: skip
    return Couple.objects.select_related("family").get(family__kk_number=kk)


def _injected(couple: Couple, served_on: str) -> None:
    service_record(
        actor=None, couple=couple, served_on=dt.date.fromisoformat(served_on),
        method=Method.INJECTABLE, visit_type=VisitType.REPEAT, product=Product.INJECTABLE_3M,
    )  # fmt: skip


@pytest.fixture
def couples() -> dict[str, Couple]:
    """Three families of Singamerta due in 2019-W44: an injection due this week (RW 001), one
    long overdue (RW 001, the next RT), and a couple with unmet need (RW 002)."""
    injectable = StatusRecord(
        status=KBStatus.USING, method=Method.INJECTABLE, since=dt.date(2018, 1, 10)
    )
    siti = _family(1, KK["siti"], "Siti Aminah", injectable, rw="001", rt="001",
                   address="Kp. Sukamaju \u2014 dekat masjid")  # fmt: skip
    _injected(siti, "2019-08-01")  # due Thu 31 Oct
    nur = _family(2, KK["nur"], "Nur Hayati", injectable, rw="001", rt="002",
                  address="=HYPERLINK(\"http://x\")")  # fmt: skip
    _injected(nur, "2019-06-01")  # due 31 Aug: past the grace, at risk of dropping out
    unmet = StatusRecord(
        status=KBStatus.NOT_USING, reason=NotUsingReason.NO_MORE_CHILDREN,
        since=dt.date(2019, 6, 1),
    )  # fmt: skip
    rina = _family(3, KK["rina"], "Rina Marlina", unmet, rw="002", rt="001", address="Kp. Baru")
    return {"siti": siti, "nur": nur, "rina": rina}


def _list(user: User) -> DueList:
    return due_list(user=user, week=WEEK)


def test_the_list_of_the_fixture(couples: dict[str, Couple]) -> None:
    due = _list(make_user(Role.CADRE, SINGAMERTA))
    found = [(i.person, i.rule.code, i.overdue, i.dropout_risk) for i in due.items]
    assert found == [
        ("Siti Aminah", "suntik-3", False, False),
        ("Nur Hayati", "suntik-3", True, True),
        ("Rina Marlina", "unmet-need", True, False),
    ]
    assert [g.label for g in due.groups] == [
        "Singamerta · RW 001 · RT 001", "Singamerta · RW 001 · RT 002",
        "Singamerta · RW 002 · RT 001",
    ]  # fmt: skip


def test_csv_has_a_row_per_item_with_the_columns_of_every_format(
    couples: dict[str, Couple],
) -> None:
    due = _list(make_user(Role.CADRE, SINGAMERTA))
    data = due_csv(due)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [str(title) for _key, title in COLUMNS]
    assert rows[0][:6] == ["Village", "Dusun", "RW", "RT", "No. KK", "Name"]
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert len(body) == len(due.items) == 3
    siti, nur, rina = body
    assert siti["Name"] == "Siti Aminah"
    assert siti["No. KK"] == mask(KK["siti"]) == "3604********0001"  # a cadre's list
    assert (siti["Rule"], siti["Why"]) == ("suntik-3", "3-monthly injection due")
    assert (siti["Due on"], siti["Overdue"], siti["At risk of dropping out"]) == (
        "31/10/2019", "no", "no",
    )  # fmt: skip
    assert (siti["Last contact"], siti["Outcome of the last contact"]) == (
        "01/08/2019", "visited and served",
    )  # fmt: skip
    assert siti["Method"] == "3-monthly injection"
    assert siti["What to bring"].startswith("KB participant card")
    assert siti["Form"] == "K/IV/KB"
    assert (nur["Due on"], nur["Overdue"], nur["At risk of dropping out"]) == (
        "31/08/2019", "yes", "yes",
    )  # fmt: skip
    assert nur["Address"] == '\'=HYPERLINK("http://x")'  # never run as a formula
    assert (rina["Rule"], rina["RW"], rina["Last contact"], rina["Method"]) == (
        "unmet-need", "002", "", "",
    )  # fmt: skip


def test_a_counsellor_s_files_show_the_whole_number(couples: dict[str, Couple]) -> None:
    due = _list(make_user(Role.COUNSELLOR, CIRUAS))
    rows = list(csv.reader(io.StringIO(due_csv(due).decode("utf-8-sig"))))
    assert [row[4] for row in rows[1:]] == [KK["siti"], KK["nur"], KK["rina"]]


def test_json_is_the_documented_structure(couples: dict[str, Couple]) -> None:
    due = _list(make_user(Role.CADRE, SINGAMERTA))
    data = json.loads(due_json(due, prepared_for="kader.singamerta"))
    assert {k: data[k] for k in ("week", "starts_on", "ends_on", "reference_day")} == {
        "week": "2019-W44", "starts_on": "2019-10-28", "ends_on": "2019-11-03",
        "reference_day": "2019-11-01",
    }  # fmt: skip
    assert data["prepared_for"] == "kader.singamerta"
    assert data["regions"] == [{"code": SINGAMERTA, "name": "Singamerta"}]
    assert data["totals"] == {"families": 3, "items": 3, "overdue": 2, "dropout_risk": 1}
    assert [g["label"] for g in data["groups"]] == [g.label for g in due.groups]
    first = data["groups"][0]
    assert (first["village"], first["rw"], first["rt"]) == ("Singamerta", "001", "001")
    (family,) = first["families"]
    assert family == {
        "family_id": couples["siti"].family_id, "kk_number": mask(KK["siti"]),
        "name": "Siti Aminah", "address": "Kp. Sukamaju \u2014 dekat masjid", "overdue": False,
        "items": [{
            "rule": "suntik-3", "title": "3-monthly injection due", "person": "Siti Aminah",
            "due_on": "2019-10-31", "overdue": False, "overdue_since": "2019-11-29",
            "dropout_risk": False, "last_contact": "2019-08-01", "last_outcome": "served",
            "method": "suntik", "product": "suntik_3",
            "bring": "KB participant card; the supply, or a referral to the midwife",
            "form": "K/IV/KB",
        }],
    }  # fmt: skip
    nur = data["groups"][1]["families"][0]["items"][0]
    assert (nur["overdue"], nur["dropout_risk"], nur["due_on"]) == (True, True, "2019-08-31")
    rina = data["groups"][2]["families"][0]["items"][0]
    assert (rina["rule"], rina["last_contact"], rina["last_outcome"]) == ("unmet-need", None, "")


def test_xlsx_holds_the_same_table_with_dates_as_dates(couples: dict[str, Couple]) -> None:
    from openpyxl import load_workbook

    due = _list(make_user(Role.CADRE, SINGAMERTA))
    sheet = load_workbook(io.BytesIO(due_xlsx(due, prepared_for="Kader (kader.1)"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Due list"
    assert rows[1][:2] == ("Week", "week 2019-W44, 28/10/2019 - 03/11/2019")
    assert rows[3][:2] == ("Prepared for", "Kader (kader.1)")
    header = rows.index(tuple(str(title) for _key, title in COLUMNS))
    table = [dict(zip(rows[header], row, strict=True)) for row in rows[header + 1 :]]
    assert [r["Name"] for r in table] == ["Siti Aminah", "Nur Hayati", "Rina Marlina"]
    assert table[0]["Due on"] == dt.datetime(2019, 10, 31)  # noqa: DTZ001 - a spreadsheet's date
    assert table[0]["Last contact"] == dt.datetime(2019, 8, 1)  # noqa: DTZ001
    assert table[1]["Overdue"] == "yes"
    assert table[1]["Address"] == '\'=HYPERLINK("http://x")'
    assert table[2]["Last contact"] is None
    due_cell = sheet.cell(row=header + 2, column=[k for k, _t in COLUMNS].index("due_on") + 1)
    assert due_cell.number_format == "DD/MM/YYYY"


def _pdf_text(data: bytes) -> tuple[str, int]:
    """The text of a PDF and the number of rectangles drawn on its pages."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    boxes = 0
    for page in reader.pages:
        content = page.get_contents()
        assert content is not None
        boxes += len(re.findall(rb"\bre\b", content.get_data()))
    return text, boxes


def test_pdf_prints_each_family_with_boxes_to_tick(couples: dict[str, Couple]) -> None:
    due = _list(make_user(Role.CADRE, SINGAMERTA))
    data = due_pdf(due, prepared_for="Kader Singamerta (kader.singamerta)")
    assert data.startswith(b"%PDF")
    text, boxes = _pdf_text(data)
    flat = " ".join(text.split())
    assert "Due list, week 2019-W44, 28/10/2019 - 03/11/2019" in flat
    assert "Kader Singamerta (kader.singamerta)" in flat
    for name in ("Siti Aminah", "Nur Hayati", "Rina Marlina"):
        assert name in flat
    assert mask(KK["siti"]) in flat
    assert KK["siti"] not in flat
    assert "Kp. Sukamaju - dekat masjid" in flat  # a dash Latin-1 lacks, printed
    for label in ("served", "counselled", "not at home", "refused", "moved away", "died"):
        assert label in flat
    assert outcome_label(PDF_OUTCOMES[0]) == "visited and served"
    assert "due 31/10/2019" in flat
    assert "at risk of dropping out" in flat
    assert "overdue since 02/07/2019" in flat  # unmet need since 1 Jun, 30 days of grace
    assert flat.count("Notes:") == 3  # a line for notes per family
    assert boxes >= len(PDF_OUTCOMES) * len(due.items)
    for group in due.groups:
        assert group.label in flat


def test_a_long_list_goes_on_over_pages_and_repeats_the_heading() -> None:
    condom = StatusRecord(status=KBStatus.USING, method=Method.CONDOM, since=dt.date(2019, 9, 20))
    for n in range(10, 22):
        _family(n, f"36040912000001{n:02d}", f"Ibu {n}", condom, rw="003", rt="004",
                address=f"Gang {n}")  # fmt: skip
    due = _list(make_user(Role.CADRE, SINGAMERTA))
    assert [i.rule.code for i in due.items] == ["kondom"] * 12  # resupply due since 20 Oct
    (group,) = due.groups
    group.families = group.families * 4  # 48 families in one RT: several pages
    text, boxes = _pdf_text(due_pdf(due, prepared_for="x"))
    flat = " ".join(text.split())
    assert flat.count("(continued)") >= 2
    assert flat.count("Notes:") == 48
    assert boxes >= 48 * len(PDF_OUTCOMES)


def test_an_empty_list_says_so() -> None:
    due = _list(make_user(Role.CADRE, SINGAMERTA))
    assert due.items == []
    text, _boxes = _pdf_text(due_pdf(due, prepared_for="x"))
    assert "Nobody is due for a visit this week." in " ".join(text.split())
    rows = list(csv.reader(io.StringIO(due_csv(due).decode("utf-8-sig"))))
    assert len(rows) == 1
    assert json.loads(due_json(due))["groups"] == []


def test_the_export_is_audited_with_its_purpose(couples: dict[str, Couple]) -> None:
    cadre = make_user(Role.CADRE, SINGAMERTA)
    exported = due_list_export(actor=cadre, week=WEEK, fmt="json")
    assert exported.filename == f"daftar-kunjungan-2019-W44-{SINGAMERTA}.json"
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, model=AUDIT_MODEL)
    assert (entry.actor, entry.region_code, entry.object_repr) == (
        cadre, SINGAMERTA, exported.filename,
    )  # fmt: skip
    assert entry.after == {
        "week": "2019-W44", "format": "json", "bytes": len(exported.data), "personal": True,
        "purpose_kind": "follow_up", "purpose": "due list 2019-W44", "regions": [SINGAMERTA],
        "families": 3, "items": 3,
    }  # fmt: skip
    with pytest.raises(ValueError, match="not a format"):
        due_list_export(actor=cadre, week=WEEK, fmt="docx")
    assert AuditEntry.objects.filter(model=AUDIT_MODEL).count() == 1


def test_common_code() -> None:
    assert common_code([SINGAMERTA, PULO]) == CIRUAS
    assert common_code([SINGAMERTA]) == SINGAMERTA
    assert common_code([SINGAMERTA, KUTA_JAYA]) == "36"
    assert common_code([]) == ""


# The download page ---------------------------------------------------------------------------


def _url(**params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{reverse('visits:due_export')}?{query}"


@pytest.mark.parametrize("fmt", ["pdf", "csv", "xlsx", "json"])
def test_a_cadre_downloads_the_list(client: Client, couples: dict[str, Couple], fmt: str) -> None:
    cadre = make_user(Role.CADRE, SINGAMERTA)
    client.force_login(cadre)
    response = english(client).get(_url(minggu="2019-W44", wilayah=SINGAMERTA, format=fmt))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="daftar-kunjungan-2019-W44-{SINGAMERTA}.{fmt}"'
    )
    assert response["Cache-Control"] == "no-store"
    if fmt == "json":
        data = json.loads(response.content)
        names = [f["name"] for g in data["groups"] for f in g["families"]]
        assert names == ["Siti Aminah", "Nur Hayati", "Rina Marlina"]
        assert data["groups"][0]["families"][0]["kk_number"] == mask(KK["siti"])
        assert data["prepared_for"] == cadre.username
    entry = AuditEntry.objects.get(model=AUDIT_MODEL)
    assert (entry.actor, entry.action, entry.after["format"]) == (cadre, "export", fmt)


def test_without_a_region_the_list_covers_the_user_s_scope(
    client: Client, couples: dict[str, Couple]
) -> None:
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    response = english(client).get(_url(minggu="2019-W44", format="json"))
    assert response.status_code == 200
    assert json.loads(response.content)["totals"]["families"] == 3


def test_outside_the_scope_nothing_is_given_nor_recorded(
    client: Client, couples: dict[str, Couple]
) -> None:
    client.force_login(make_user(Role.CADRE, PULO))
    response = client.get(_url(minggu="2019-W44", wilayah=SINGAMERTA, format="csv"))
    assert response.status_code == 403
    assert b"Siti" not in response.content
    # Their own list holds nobody of Singamerta.
    response = client.get(_url(minggu="2019-W44", format="json"))
    assert json.loads(response.content)["groups"] == []
    assert AuditEntry.objects.filter(model=AUDIT_MODEL).count() == 1  # the empty list only


def test_bad_requests_say_what_is_wrong(client: Client, couples: dict[str, Couple]) -> None:
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    english(client)
    response = client.get(_url(minggu="2019-W44", format="docx"))
    assert response.status_code == 400
    assert b"Choose the format of the file: PDF, CSV, XLSX, JSON." in response.content
    response = client.get(_url(minggu="2019-44", format="pdf"))
    assert response.status_code == 400
    assert b"Write the week as YYYY-Www, for example 2019-W44." in response.content
    response = client.get(_url(minggu="2019-W54", format="pdf"))
    assert response.status_code == 400
    assert b"2019 has no week 54." in response.content
    assert client.get(_url(minggu="2019-W44", wilayah="99.99", format="pdf")).status_code == 404
    assert AuditEntry.objects.filter(model=AUDIT_MODEL).count() == 0


def test_a_region_too_wide_for_one_list_is_refused_with_the_reason(client: Client) -> None:
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    response = english(client).get(_url(minggu="2019-W44", wilayah=KAB_SERANG, format="pdf"))
    assert response.status_code == 400
    assert b"choose a district or a village" in response.content
    assert AuditEntry.objects.filter(model=AUDIT_MODEL).count() == 0


def test_the_week_defaults_to_this_week(client: Client, couples: dict[str, Couple]) -> None:
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    response = client.get(_url(format="json"))
    assert json.loads(response.content)["week"] == "2019-W44"


def test_anonymous_users_are_sent_to_login(client: Client) -> None:
    response = client.get(_url(minggu="2019-W44", format="pdf"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_download_links_for_the_due_list_page() -> None:
    from django.template.loader import render_to_string

    html = render_to_string(
        "visits/includes/due_export_links.html",
        {"week": WEEK, "region": Region.objects.get(code=SINGAMERTA)},
    )
    base = reverse("visits:due_export")
    for fmt in ("pdf", "xlsx", "csv", "json"):
        assert f'href="{base}?minggu=2019-W44&amp;wilayah={SINGAMERTA}&amp;format={fmt}"' in html
    assert "Print (PDF)" in html
    whole_scope = render_to_string(
        "visits/includes/due_export_links.html", {"week": "2019-W45", "region": None}
    )
    assert f'href="{base}?minggu=2019-W45&amp;format=pdf"' in whole_scope
