"""``lini campaign list|suggest-lokus|report``: what each prints or writes (read back), the
audit entries of what it wrote, and the errors it reports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from django.core.management import CommandError, call_command
from django.utils import translation

from lini.audit.models import AuditAction, AuditEntry
from lini.campaigns.planning import lokus_suggest
from lini.campaigns.report_writers import AUDIT_MODEL
from lini.campaigns.tests.factories import add_lokus, make_campaign
from lini.campaigns.tests.test_report_writers import build
from lini.indicators.models import Indicator
from lini.indicators.targets import target_save
from lini.indicators.tests.helpers import put_counts
from lini.regions.models import Region, RegionKind
from lini.regions.services import subunit_create
from lini.regions.tests.places import (
    CIRUAS,
    CISAIT,
    KAB_SERANG,
    KAB_TANGERANG,
    KRAGILAN,
    KUTA_JAYA,
    PULO,
    SINGAMERTA,
)  # fmt: skip

pytestmark = pytest.mark.django_db

OCT, NOV = dt.date(2019, 10, 1), dt.date(2019, 11, 1)


@pytest.fixture(autouse=True)
def _today(settings, tmp_path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = dt.date(2019, 11, 5)
    settings.LINI_HOME = tmp_path / "home"
    with translation.override("en"):
        yield


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("campaign", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def region(code: str) -> Region:
    return Region.objects.get(code=code)


# list ------------------------------------------------------------------------------------------


@pytest.fixture
def two_campaigns() -> dict[str, Any]:
    """Banten's baksos (lokus Pulo and Singamerta, Kab. Serang) and Kab. Tangerang's own in
    December (lokus Kuta Jaya)."""
    banten = make_campaign()
    add_lokus(banten, SINGAMERTA)
    add_lokus(banten, PULO)
    tangerang = make_campaign(KAB_TANGERANG, name="=Baksos Tangerang",
                              starts_on=dt.date(2019, 12, 2), ends_on=dt.date(2019, 12, 3))  # fmt: skip
    add_lokus(tangerang, KUTA_JAYA)
    return {"banten": banten, "tangerang": tangerang}


def test_list_as_json_has_one_entry_per_campaign_with_its_lokus_codes(
    two_campaigns: dict[str, Any],
) -> None:
    banten, tangerang = two_campaigns["banten"], two_campaigns["tangerang"]
    entries = json.loads(run("list", "--format", "json"))
    assert entries == [
        {"id": banten.pk, "name": "Baksos IPeKB Banten 2019", "starts_on": "2019-11-01",
         "ends_on": "2019-11-10", "region_code": "36", "lokus": [PULO, SINGAMERTA]},
        {"id": tangerang.pk, "name": "=Baksos Tangerang", "starts_on": "2019-12-02",
         "ends_on": "2019-12-03", "region_code": KAB_TANGERANG, "lokus": [KUTA_JAYA]},
    ]  # fmt: skip
    # --region: the campaigns planned in it or with a lokus in it.
    assert [e["id"] for e in json.loads(run("list", "--region", KAB_SERANG))] == [banten.pk]
    assert [e["id"] for e in json.loads(run("list", "--region", KUTA_JAYA))] == [tangerang.pk]
    assert [e["id"] for e in json.loads(run("list", "--region", "36"))] == [
        banten.pk, tangerang.pk,
    ]  # fmt: skip
    assert json.loads(run("list", "--region", "36.01")) == []  # Kab. Pandeglang: none
    entry = AuditEntry.objects.filter(model="campaigns.campaign_list").first()
    assert entry is not None
    assert (entry.action, entry.actor, entry.object_repr) == (AuditAction.EXPORT, None, "stdout")


def test_list_as_csv_to_a_file_joins_the_lokus_codes(
    two_campaigns: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "campaigns.csv"
    assert run("list", "--format", "csv", "-o", str(target)) == ""  # nothing on stdout
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [tuple(row.values()) for row in rows] == [
        (str(two_campaigns["banten"].pk), "Baksos IPeKB Banten 2019", "2019-11-01", "2019-11-10",
         "36", f"{PULO};{SINGAMERTA}"),
        (str(two_campaigns["tangerang"].pk), "'=Baksos Tangerang", "2019-12-02", "2019-12-03",
         KAB_TANGERANG, KUTA_JAYA),
    ]  # fmt: skip
    assert list(rows[0]) == ["id", "name", "starts_on", "ends_on", "region_code", "lokus"]
    entry = AuditEntry.objects.get(model="campaigns.campaign_list")
    assert entry.object_repr == str(target)
    assert entry.after == {"format": "csv", "campaigns": [
        two_campaigns["banten"].pk, two_campaigns["tangerang"].pk]}  # fmt: skip


def test_list_refuses_an_unknown_region_and_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=re.escape("--region: no region has the code '36.99'")):
        run("list", "--region", "36.99")
    with pytest.raises(CommandError, match="does not exist"):
        run("list", "-o", str(tmp_path / "nowhere" / "x.json"))
    assert not AuditEntry.objects.filter(model="campaigns.campaign_list").exists()


# suggest-lokus ---------------------------------------------------------------------------------


@pytest.fixture
def behind() -> None:
    """As in test_services: October and November 2019 counts of Ciruas's and Kragilan's
    villages and Kab. Serang's 2019 targets: Singamerta far behind on modern contraception
    (10 of 40), Pulo close, Cisait on target."""
    for month in (OCT, NOV):
        put_counts(SINGAMERTA, month, villages=1, pus=40, pa=10, pa_modern=10, pa_suntik=6,
                   pa_implan=4, nonuser_iat=5, nonuser_tial=3)  # fmt: skip
        put_counts(PULO, month, villages=1, pus=20, pa=11, pa_modern=11, pa_pil=11)
        put_counts(CISAIT, month, villages=1, pus=10, pa=8, pa_modern=8, pa_iud=8)
    for code, value in (("mcpr", "60"), ("cpr", "65"), ("unmet_need", "10")):
        target_save(actor=None, indicator=Indicator.objects.get(code=code),
                    region=region(KAB_SERANG), year=2019, value=value)  # fmt: skip


@pytest.mark.usefixtures("behind")
def test_suggest_lokus_as_json_lists_the_villages_furthest_behind_with_reasons() -> None:
    regions = f"{CIRUAS},{KRAGILAN}"
    entries = json.loads(
        run("suggest-lokus", "--region", regions, "--count", "2", "--year", "2019",
            "--format", "json", "--language", "en")
    )  # fmt: skip
    assert [e["region_code"] for e in entries] == [SINGAMERTA, PULO]
    singamerta = entries[0]
    assert set(singamerta) == {"region_code", "region_name", "score", "reasons", "users_needed"}
    assert singamerta["region_name"] == "Singamerta"
    assert singamerta["users_needed"] == 14  # 60% of 40 = 24 on a modern method; 10 are
    assert isinstance(singamerta["reasons"], list)
    assert any("25" in reason and "60" in reason for reason in singamerta["reasons"])
    assert float(singamerta["score"]) > float(entries[1]["score"])
    expected = lokus_suggest(user=None, regions=[region(CIRUAS), region(KRAGILAN)], year=2019,
                             count=2)  # fmt: skip
    assert entries == [s.as_dict() for s in expected]  # in English, as asked


@pytest.mark.usefixtures("behind")
def test_suggest_lokus_as_csv_joins_the_reasons_in_the_default_language(tmp_path: Path) -> None:
    target = tmp_path / "lokus.csv"
    run("suggest-lokus", "--region", CIRUAS, "--count", "3", "--year", "2019",
        "--format", "csv", "-o", str(target))  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["region_code", "region_name", "score", "reasons", "users_needed"]
    assert [row["region_code"] for row in rows[:2]] == [SINGAMERTA, PULO]
    with translation.override("id"):  # LANGUAGE_CODE, the default of the command
        expected = lokus_suggest(user=None, regions=[region(CIRUAS)], year=2019, count=3)
    assert [row["reasons"] for row in rows] == [" | ".join(s.reasons) for s in expected]
    assert rows[0]["users_needed"] == "14"
    entry = AuditEntry.objects.get(model="campaigns.lokus_suggestion")
    assert (entry.action, entry.region_code) == (AuditAction.EXPORT, CIRUAS)
    assert entry.after["villages"] == [row["region_code"] for row in rows]


def test_suggest_lokus_names_an_unknown_code_or_one_below_a_village() -> None:
    with pytest.raises(CommandError, match=re.escape("no region has the code '36.04.99'")):
        run("suggest-lokus", "--region", f"{CIRUAS},36.04.99", "--year", "2019")
    dusun = subunit_create(actor=None, parent=region(PULO), kind=RegionKind.DUSUN, name="Krajan")
    with pytest.raises(CommandError, match=rf"{dusun.code} \(Krajan\) is below a village"):
        run("suggest-lokus", "--region", dusun.code, "--year", "2019")
    with pytest.raises(CommandError, match="--count: ask for at least one village"):
        run("suggest-lokus", "--region", CIRUAS, "--count", "0", "--year", "2019")
    with pytest.raises(CommandError, match="--year: 19 is not a year"):
        run("suggest-lokus", "--region", CIRUAS, "--year", "19")
    assert not AuditEntry.objects.filter(model="campaigns.lokus_suggestion").exists()


# report ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "csv"])
def test_report_writes_each_format_to_a_file_and_audits_it(fmt: str, tmp_path: Path) -> None:
    campaign = build()["campaign"]
    target = tmp_path / f"laporan.{fmt}"
    run("report", str(campaign.pk), "-o", str(target))  # the format from the suffix
    data = target.read_bytes()
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(data))
        assert book.worksheets[0]["A1"].value == "Baksos IPeKB Banten 2019"
        effect = book.worksheets[4]
        assert (effect["D1"].value, effect["E1"].value) == ("Oktober 2019", "November 2019")
    elif fmt == "pdf":
        summary = PdfReader(io.BytesIO(data)).pages[0].extract_text()
        assert "Baksos IPeKB Banten 2019" in summary
        assert "33,3" in summary  # Indonesian number format
    else:
        assert data.startswith(b"\xef\xbb\xbf")
        assert f"{SINGAMERTA},Singamerta,target,svc_implan_ganti".encode() in data
    entry = AuditEntry.objects.get(model=AUDIT_MODEL)
    assert (entry.action, entry.actor, entry.object_id, entry.region_code) == (
        AuditAction.EXPORT, None, str(campaign.pk), "36",
    )  # fmt: skip
    assert entry.object_repr.startswith(f"baksos-{campaign.pk}-")
    assert entry.object_repr.endswith(f".{fmt}")
    assert entry.after["bytes"] == len(data)


def test_report_with_format_given_and_in_english(tmp_path: Path) -> None:
    campaign = build()["campaign"]
    target = tmp_path / "laporan.bin"
    run("report", str(campaign.pk), "--format", "xlsx", "-o", str(target), "--language", "en")
    book = load_workbook(io.BytesIO(target.read_bytes()))
    assert book.sheetnames == ["Summary", "Lokus", "Services", "Days", "Effect"]
    assert book["Effect"]["D1"].value == "October 2019"


def test_report_errors_say_what_is_wrong_and_write_nothing(tmp_path: Path) -> None:
    campaign = make_campaign()
    with pytest.raises(CommandError, match="no campaign has the id 999999"):
        run("report", "999999", "-o", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="--format: give xlsx, pdf or csv"):
        run("report", str(campaign.pk), "-o", str(tmp_path / "x.doc"))
    with pytest.raises(CommandError, match="does not exist"):
        run("report", str(campaign.pk), "-o", str(tmp_path / "nowhere" / "x.pdf"))
    with pytest.raises(CommandError):  # argparse: not one of the choices
        run("report", str(campaign.pk), "--format", "doc", "-o", str(tmp_path / "x.pdf"))
    assert list(tmp_path.iterdir()) == []
    assert not AuditEntry.objects.filter(model=AUDIT_MODEL).exists()
