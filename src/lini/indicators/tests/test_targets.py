"""Performance-agreement targets: the services (scope, checks, audit), the ``targets`` import
and export, and the target page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditEntry
from lini.exchange.registry import get_kind
from lini.exchange.services import export_run, import_run
from lini.indicators.models import Indicator, Target
from lini.indicators.targets import target_delete, target_save
from lini.indicators.tests.helpers import put_counts
from lini.regions.models import Region
from lini.regions.tests.places import (
    BANTEN,
    CIRUAS,
    KAB_SERANG,
    KAB_TANGERANG,
    KUTA_JAYA,
    SINGAMERTA,
)  # fmt: skip
from lini.register.tests.files import read_table, write_csv

pytestmark = pytest.mark.django_db

HEADER = ["kode_wilayah", "tahun", "indikator", "target"]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def shown(response: HttpResponse, message: str, values: dict[str, Any] | None = None) -> str:
    """``message`` as the page shows it: in the response's language, HTML-escaped."""
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        text = translation.gettext(message)
    return escape(text % values if values else text)


def ind(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def reg(code: str) -> Region:
    return Region.objects.get(code=code)


# Services ------------------------------------------------------------------------------------


def test_save_creates_changes_and_audits_a_target() -> None:
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    target = target_save(actor=officer, indicator=ind("cpr"), region=reg(CIRUAS), year=2019,
                         value="61,5")  # fmt: skip
    assert target.value == Decimal("61.5")
    entry = AuditEntry.objects.filter(model="indicators.target").latest("pk")
    assert (entry.action, entry.actor_id, entry.region_code) == ("create", officer.pk, CIRUAS)
    target_save(actor=officer, indicator=ind("cpr"), region=reg(CIRUAS), year=2019, value=63)
    entry = AuditEntry.objects.filter(model="indicators.target").latest("pk")
    assert (entry.action, entry.before, entry.after) == (
        "change", {"value": "61.5000"}, {"value": "63.0000"},
    )  # fmt: skip
    count = AuditEntry.objects.count()
    target_save(actor=officer, indicator=ind("cpr"), region=reg(CIRUAS), year=2019, value="63")
    assert AuditEntry.objects.count() == count  # unchanged: nothing written
    target_delete(actor=officer, target=Target.objects.get())
    assert not Target.objects.exists()
    assert AuditEntry.objects.latest("pk").action == "delete"


def test_out_of_scope_and_view_only_roles_are_refused() -> None:
    serang = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    with pytest.raises(PermissionDenied):
        target_save(actor=serang, indicator=ind("cpr"), region=reg(KAB_TANGERANG), year=2019,
                    value=60)  # fmt: skip
    province = make_user(Role.PROVINCE_OFFICER, BANTEN)  # view and approve only
    with pytest.raises(PermissionDenied):
        target_save(actor=province, indicator=ind("cpr"), region=reg(KAB_SERANG), year=2019,
                    value=60)  # fmt: skip
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("year", "value", "field", "message"),
    [
        (2019, "abc", "value", "not a number"),
        (2019, "-1", "value", "from 0"),
        (2019, "1.23456", "value", "at most 4 decimals"),
        (1999, "5", "year", "between 2000 and 2100"),
    ],
)
def test_bad_targets_are_refused_on_their_field(
    year: int, value: str, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        target_save(actor=None, indicator=ind("cpr"), region=reg(CIRUAS), year=year, value=value)
    assert message in " ".join(caught.value.message_dict[field])


# Import and export ---------------------------------------------------------------------------


def test_import_with_bad_rows_then_again_unchanged(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", HEADER, [
        [KAB_SERANG, "2019", "cpr", "61.5"],  # 2
        ["3604", "2019", "unmet_need", "7,4"],  # 3: a code without dots, a decimal comma
        [KAB_SERANG, "2019", "nothing", "5"],  # 4: no such indicator
        ["36.99", "2019", "cpr", "5"],  # 5: no such region
        [CIRUAS, "1999", "cpr", ""],  # 6: a year out of range and no target
        [KAB_SERANG, "2019", "CPR", "62"],  # 7: the same record as row 2
        [f"{SINGAMERTA}.RW001", "2019", "cpr", "5"],  # 8: not a region of these levels
    ])  # fmt: skip
    report = import_run(kind=get_kind("targets"), path=path, user=None,
                        rejects_path=tmp_path / "rej.csv")  # fmt: skip
    assert report.counts["target_created"] == 2
    problems = {(p.line, p.column): p.message for p in report.problems}
    assert "no indicator with the code nothing" in problems[(4, "indikator")]
    assert "no region" in problems[(5, "kode_wilayah")]
    assert "between 2000 and 2100" in problems[(6, "tahun")]
    assert "required" in problems[(6, "target")]
    assert "row 2" in problems[(7, "kode_wilayah")]
    assert 8 in {line for line, _c in problems}
    assert Target.objects.get(indicator__code="unmet_need").value == Decimal("7.4")
    again = import_run(kind=get_kind("targets"), path=path, user=None)
    assert (again.counts["target_created"], again.counts["target_unchanged"]) == (0, 2)


def test_an_officer_imports_only_in_their_scope(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", HEADER, [
        [KAB_SERANG, "2019", "cpr", "61.5"], [KAB_TANGERANG, "2019", "cpr", "70"],
    ])  # fmt: skip
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    report = import_run(kind=get_kind("targets"), path=path, user=officer)
    assert report.rows_rejected == 1
    assert report.problems[0].line == 3
    assert list(Target.objects.values_list("region__code", flat=True)) == [KAB_SERANG]


def test_export_then_import_gives_the_same_targets(tmp_path: Path) -> None:
    target_save(actor=None, indicator=ind("cpr"), region=reg(KAB_SERANG), year=2019, value="61.5")
    target_save(actor=None, indicator=ind("cyp"), region=reg(CIRUAS), year=2020, value="1200")
    target_save(actor=None, indicator=ind("cpr"), region=reg(KAB_TANGERANG), year=2019, value=70)
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    out = tmp_path / "targets.csv"
    assert export_run(kind=get_kind("targets"), region=reg(BANTEN), path=out, user=None) == 3
    assert export_run(kind=get_kind("targets"), region=reg(KAB_SERANG), path=out, user=officer) == 2
    header, rows = read_table(out)
    assert header == HEADER
    assert rows == [[KAB_SERANG, "2019", "cpr", "61.5"], [CIRUAS, "2020", "cyp", "1200"]]
    before = set(Target.objects.values_list("indicator__code", "region__code", "year", "value"))
    Target.objects.all().delete()
    report = import_run(kind=get_kind("targets"), path=out, user=None)
    assert report.counts["target_created"] == 2
    after = set(Target.objects.values_list("indicator__code", "region__code", "year", "value"))
    assert after == {t for t in before if t[1] != KAB_TANGERANG}


# Pages ---------------------------------------------------------------------------------------


def test_the_indicator_page_shows_value_target_and_colour(client: Client) -> None:
    put_counts(SINGAMERTA, dt.date(2019, 10, 1), pus=10, pa=6)
    target_save(actor=None, indicator=ind("cpr"), region=reg(CIRUAS), year=2019, value="50")
    client.force_login(make_user(Role.COUNSELLOR, CIRUAS))
    response = client.get(reverse("indicators:indicator_list") + "?period=2019-10")
    assert response.status_code == 200
    assert response.context["region"].code == CIRUAS  # the user's own region by default
    row = next(r for r in response.context["rows"] if r.indicator.code == "cpr")
    assert (row.value.shown, row.target, row.achievement, row.colour) == (
        Decimal("60.00"), Decimal("50"), Decimal("120.00"), "biru",
    )  # fmt: skip
    body = response.content.decode()
    assert 'class="cards indicators"' in body
    assert "band-biru" in body
    assert "120,00%" in body
    bad = client.get(reverse("indicators:indicator_list") + f"?region={CIRUAS}&period=2019-99")
    assert shown(
        bad, "%(value)s is not a period; write a month as YYYY-MM or a year as YYYY",
        {"value": "2019-99"},
    ) in bad.content.decode()  # fmt: skip
    assert (
        client.get(reverse("indicators:indicator_list") + f"?region={KUTA_JAYA}").status_code == 403
    )
    assert client.get(reverse("indicators:indicator_list") + "?region=36.99").status_code == 404


def test_the_target_page_saves_every_indicator_at_once(client: Client) -> None:
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    target_save(actor=None, indicator=ind("mcpr"), region=reg(KAB_SERANG), year=2019, value=55)
    client.force_login(officer)
    url = reverse("indicators:target_edit") + f"?region={KAB_SERANG}&year=2019"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="target_cpr"' in page.content.decode()
    response = client.post(url, {"target_cpr": "61.5", "target_unmet_need": "7.4"})
    assert response.status_code == 302
    assert dict(Target.objects.values_list("indicator__code", "value")) == {
        "cpr": Decimal("61.5"), "unmet_need": Decimal("7.4"),
    }  # mcpr left empty: removed  # fmt: skip
    refused = client.post(url, {"target_cpr": "62", "target_pus": "-3"})
    assert refused.status_code == 200
    assert shown(refused, "A target is a number from 0 up to 9,999,999,999.") in (
        refused.content.decode()
    )
    assert Target.objects.get(indicator__code="cpr").value == Decimal("61.5")  # all or nothing
    province = make_user(Role.PROVINCE_OFFICER, BANTEN)
    client.force_login(province)
    assert client.get(url).status_code == 403  # may view, not change


def test_a_national_administrator_adds_an_indicator_from_the_counts(client: Client) -> None:
    admin = make_user(Role.NATIONAL_ADMIN)
    client.force_login(admin)
    data = {
        "code": "pa_long_modern", "name_id": "PA MKJP per PUS", "name_en": "MKJP users per PUS",
        "numerator": '{"pa_mkjp": 1}', "denominator": '{"pus": 1}', "factor": "100",
        "unit": "%", "direction": "naik", "position": "5",
    }  # fmt: skip
    bad = client.post(reverse("indicators:indicator_create"), {**data, "numerator": '{"px": 1}'})
    assert shown(bad, "Unknown count key(s): %(keys)s.", {"keys": "px"}) in bad.content.decode()
    response = client.post(reverse("indicators:indicator_create"), data)
    assert response.status_code == 302
    made = Indicator.objects.get(code="pa_long_modern")
    assert (made.numerator, made.denominator, made.builtin) == ({"pa_mkjp": 1}, {"pus": 1}, False)
    # CYP weights are editable: a 5-year implant.
    cyp = ind("cyp")
    edited = {**{k: v for k, v in data.items() if k != "code"}, "name_id": cyp.name_id,
              "numerator": '{"svc_m_implan": "3.8", "svc_m_pil": "1/15"}', "denominator": ""}  # fmt: skip
    assert (
        client.post(reverse("indicators:indicator_edit", args=["cyp"]), edited).status_code == 302
    )
    cyp.refresh_from_db()
    assert (cyp.code, cyp.numerator["svc_m_implan"]) == ("cyp", "3.8")
    assert AuditEntry.objects.filter(model="indicators.indicator").count() == 2
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    assert client.post(reverse("indicators:indicator_create"), data).status_code == 403
    assert client.get(reverse("indicators:indicator_catalog")).status_code == 200
