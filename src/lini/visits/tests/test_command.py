"""``lini due``: a user's due list for a week, written to a file (issue 9, item 6)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditAction, AuditEntry
from lini.kb.choices import Product, VisitType
from lini.kb.services import service_record
from lini.kb.tests.factories import make_couple
from lini.regions.models import Region, RegionKind
from lini.regions.services import subunit_create
from lini.regions.tests.places import CIRUAS, KAB_SERANG, KUTA_JAYA, PULO, SINGAMERTA
from lini.register.choices import KBStatus, Method
from lini.register.identity import mask
from lini.register.models import Couple
from lini.register.records import StatusRecord
from lini.visits.writers import AUDIT_MODEL

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = dt.date(2019, 11, 1)
    with translation.override("en"):
        yield


@pytest.fixture
def couple() -> Couple:
    """An injectable user of Singamerta, injected on 1 Aug 2019: due on 31 Oct (2019-W44)."""
    couple = make_couple(
        SINGAMERTA,
        status=StatusRecord(status=KBStatus.USING, method=Method.INJECTABLE,
                            since=dt.date(2018, 1, 10)),
    )  # fmt: skip
    service_record(
        actor=None, couple=couple, served_on=dt.date(2019, 8, 1), method=Method.INJECTABLE,
        visit_type=VisitType.REPEAT, product=Product.INJECTABLE_3M,
    )  # fmt: skip
    return couple


def _due(*args: str) -> str:
    err = io.StringIO()
    call_command("due", *args, stderr=err, stdout=io.StringIO())
    return err.getvalue()


def test_the_command_writes_the_user_s_list_and_records_the_export(
    couple: Couple, tmp_path: Path
) -> None:
    cadre = make_user(Role.CADRE, SINGAMERTA, username="kader.singamerta")
    out = tmp_path / "list.csv"
    said = _due("--user", "kader.singamerta", "--week", "2019-W44", "-o", str(out))
    assert "CSV due list of kader.singamerta for 2019-W44 (28/10/2019-03/11/2019)" in said
    assert "1 families, 1 items, 0 overdue" in said
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["Name"], row["Rule"], row["Due on"]) == ("Euis", "suntik-3", "31/10/2019")
    assert row["No. KK"] == mask(couple.family.kk_number)  # a cadre may not see identities
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, model=AUDIT_MODEL)
    assert (entry.actor, entry.region_code, entry.object_repr) == (
        cadre, SINGAMERTA, f"daftar-kunjungan-2019-W44-{SINGAMERTA}.csv",
    )  # fmt: skip
    assert entry.after["purpose"] == "due list 2019-W44"
    assert entry.after["personal"] is True


def test_format_region_and_counts_per_rule(couple: Couple, tmp_path: Path) -> None:
    make_user(Role.COUNSELLOR, CIRUAS, username="pkb.ciruas")
    out = tmp_path / "list.data"
    said = _due(
        "--user", "pkb.ciruas", "--week", "2019-W44", "--region", SINGAMERTA.replace(".", ""),
        "--format", "json", "-o", str(out), "--verbosity", "2",
    )  # fmt: skip
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["regions"] == [{"code": SINGAMERTA, "name": "Singamerta"}]
    (family,) = data["groups"][0]["families"]
    assert family["kk_number"] == couple.family.kk_number  # a counsellor sees it whole
    assert "suntik-3" in said.splitlines()[-1]
    for fmt in ("pdf", "xlsx"):
        target = tmp_path / f"list.{fmt}"
        _due("--user", "pkb.ciruas", "--week", "2019-W44", "-o", str(target))
        assert target.read_bytes()[:4] == (b"%PDF" if fmt == "pdf" else b"PK\x03\x04")
    assert AuditEntry.objects.filter(model=AUDIT_MODEL).count() == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody", "--week", "2019-W44"], "--user: no active account 'nobody'"),
        (["--user", "kader", "--week", "2019-44"], "--week: Write the week as YYYY-Www"),
        (["--user", "kader", "--week", "2019-W53"], "--week: 2019 has no week 53."),
        (["--user", "kader", "--week", "2019-W44", "--region", "99.99"],
         "--region: no region has the code '99.99'"),
        (["--user", "kader", "--week", "2019-W44", "--region", KUTA_JAYA],
         f"--region: kader may not view {KUTA_JAYA}"),
        (["--user", "kader", "--week", "2019-W44", "--region", PULO],
         f"--region: kader may not view {PULO}"),
        (["--user", "kab", "--week", "2019-W44"], "--region: A due list covers at most"),
        (["--user", "kab", "--week", "2019-W44", "--region", KAB_SERANG],
         "choose a district or a village"),
    ],
)  # fmt: skip
def test_errors_name_the_option(tmp_path: Path, args: list[str], message: str) -> None:
    make_user(Role.CADRE, SINGAMERTA, username="kader")
    make_user(Role.REGENCY_OFFICER, KAB_SERANG, username="kab")
    out = tmp_path / "list.csv"
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(".", r"\.")):
        _due(*args, "-o", str(out))
    assert not out.exists()
    assert not AuditEntry.objects.filter(model=AUDIT_MODEL).exists()


def test_the_file_and_its_format_must_be_clear(tmp_path: Path) -> None:
    make_user(Role.CADRE, SINGAMERTA, username="kader")
    dusun = subunit_create(
        actor=None, parent=Region.objects.get(code=SINGAMERTA), kind=RegionKind.DUSUN,
        name="Krajan",
    )  # fmt: skip
    with pytest.raises(CommandError, match="--format: give csv, json, pdf, xlsx"):
        _due("--user", "kader", "--week", "2019-W44", "-o", str(tmp_path / "list.txt"))
    with pytest.raises(CommandError, match="is not a folder"):
        _due("--user", "kader", "--week", "2019-W44", "-o", str(tmp_path / "no" / "list.csv"))
    with pytest.raises(CommandError, match="lies below a village"):
        _due("--user", "kader", "--week", "2019-W44", "--region", dusun.code,
             "-o", str(tmp_path / "list.csv"))  # fmt: skip


def test_an_inactive_account_gets_no_list(tmp_path: Path) -> None:
    user = make_user(Role.CADRE, SINGAMERTA, username="kader")
    user.is_active = False
    user.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="--user: no active account 'kader'"):
        _due("--user", "kader", "--week", "2019-W44", "-o", str(tmp_path / "list.csv"))
