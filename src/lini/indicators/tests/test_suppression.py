"""Small counts of a village are hidden (``<5``; what would reveal them: ``x``) in every file and
on the pages of users who may not see identities there; district and larger totals never are."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.core.privacy import Hidden
from lini.indicators import suppression
from lini.indicators.counts import village_counts
from lini.indicators.report import monthly_report
from lini.indicators.report_writers import report_export
from lini.indicators.selectors import indicator_rows, period_parse
from lini.indicators.tests.helpers import put_counts
from lini.kb.tests.factories import make_couple
from lini.regions.models import Region
from lini.regions.tests.places import CIRUAS, PULO, SINGAMERTA
from lini.register.choices import KBStatus, Method, NotUsingReason
from lini.register.records import StatusRecord

pytestmark = pytest.mark.django_db

OCT = dt.date(2019, 10, 1)
LEGEND = "<5: fewer than 5, hidden to protect families' privacy"


@pytest.fixture(autouse=True)
def _counts(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = dt.date(2019, 11, 15)
    # Singamerta: 3 IUD users among 60 (the sums hold: 120 PUS = 60 + 50 + 10).
    put_counts(
        SINGAMERTA, OCT, villages=1, pus=120, pa=60, pa_iud=3, pa_pil=17, pa_suntik=40,
        pa_modern=60, pa_mkjp=3, nonuser_hamil=20, nonuser_iat=15, nonuser_tial=15, unmet=30,
        pus_unknown=10, families=100, poktan_members_bkb=2, families_under5=30,
    )  # fmt: skip
    put_counts(PULO, OCT, villages=1, pus=300, pa=160, pa_pil=160, pa_modern=160,
               nonuser_hamil=140, families=200)  # fmt: skip


def english(client: Client) -> Client:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _csv(data: bytes) -> dict[tuple[str, str, str], str]:
    rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    return {(r["section"], r["item"], r["column"]): r["value"] for r in rows}


def test_the_village_report_file_hides_a_count_of_three_and_what_reveals_it() -> None:
    singamerta = Region.objects.get(code=SINGAMERTA)
    exported = report_export(actor=None, report=monthly_report(region=singamerta,
                                                                period="2019-10"), fmt="csv")  # fmt: skip
    values = _csv(exported.data)
    assert values[("I", "pa_iud", "current")] == "<5"
    # The smallest other method goes too: 60 - 40 = IUD + pill would give 3 back otherwise.
    assert values[("I", "pa_pil", "current")] == "x"
    assert values[("I", "pa_suntik", "current")] == "40"
    assert values[("I", "mkjp_share", "current")] == "x"  # 3 long-acting users / 60
    assert values[("I", "pa", "current")] == "60"
    assert values[("I", "cpr", "current")] == "50.00"
    assert values[("IV", "bkb", "members")] == "<5"  # 2 member families
    assert values[("IV", "bkb", "participation")] == "x"
    assert values[("IV", "bkb", "groups")] == "0"  # groups are no people: never hidden
    assert values[("I", "pa_iud", "previous")] == "0"  # zero stays zero
    assert ("", "privacy", "") in values  # the last row says what the marks mean


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_the_xlsx_and_pdf_of_a_village_say_why(fmt: str) -> None:
    report = monthly_report(region=Region.objects.get(code=SINGAMERTA), period="2019-10")
    data = report_export(actor=None, report=report, fmt=fmt).data
    if fmt == "xlsx":
        rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
        iud = next(r for r in rows if r[0] and str(r[0]).startswith("IUD"))
        assert iud[1:3] == (0, "<5")
        text = "\n".join(str(c) for r in rows for c in r if c is not None)
    else:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "<5" in text
    assert "hidden to protect" in text or "disembunyikan" in text


def test_the_district_total_is_shown_in_full() -> None:
    ciruas = Region.objects.get(code=CIRUAS)
    values = _csv(
        report_export(actor=None, report=monthly_report(region=ciruas, period="2019-10"),
                      fmt="csv").data
    )  # fmt: skip
    assert values[("I", "pa_iud", "current")] == "3"
    assert values[("I", "mkjp_share", "current")] == "1.36"  # 3 / 220
    assert values[("IV", "bkb", "members")] == "2"


def test_a_province_officer_sees_less_than_five_on_the_village_page(client: Client) -> None:
    english(client).force_login(make_user(Role.PROVINCE_OFFICER, "36"))
    page = client.get(
        reverse("indicators:report_monthly"), {"region": SINGAMERTA, "period": "2019-10"}
    ).content.decode()
    assert 'class="suppressed"' in page
    assert "&lt;5</abbr>" in page
    assert LEGEND.replace("<", "&lt;").replace("'", "&#x27;") in page
    district = client.get(
        reverse("indicators:report_monthly"), {"region": CIRUAS, "period": "2019-10"}
    ).content.decode()
    assert 'class="suppressed"' not in district


def test_a_counsellor_of_the_village_sees_the_real_number(client: Client) -> None:
    english(client).force_login(make_user(Role.COUNSELLOR, SINGAMERTA))
    url = reverse("indicators:report_monthly")
    page = client.get(url, {"region": SINGAMERTA, "period": "2019-10"}).content.decode()
    assert 'class="suppressed"' not in page
    assert LEGEND.replace("<", "&lt;").replace("'", "&#x27;") not in page
    report = suppression.report_for_page(
        monthly_report(region=Region.objects.get(code=SINGAMERTA), period="2019-10"),
        make_user(Role.COUNSELLOR, SINGAMERTA),
    )
    lines = {line.key: line.values for line in report.sections[0].lines}
    assert lines["pa_iud"] == (0, 3)
    # ... but the file they download leaves the system: hidden all the same.
    data = client.get(url, {"region": SINGAMERTA, "period": "2019-10", "format": "csv"}).content
    assert _csv(data)[("I", "pa_iud", "current")] == "<5"


def test_a_threshold_of_zero_turns_the_rule_off(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_SMALL_CELL_THRESHOLD = 0
    report = monthly_report(region=Region.objects.get(code=SINGAMERTA), period="2019-10")
    values = _csv(report_export(actor=None, report=report, fmt="csv").data)
    assert values[("I", "pa_iud", "current")] == "3"
    assert values[("I", "mkjp_share", "current")] == "5.00"
    client.force_login(make_user(Role.PROVINCE_OFFICER, "36"))
    page = client.get(
        reverse("indicators:report_monthly"), {"region": SINGAMERTA, "period": "2019-10"}
    ).content.decode()
    assert 'class="suppressed"' not in page


def test_another_threshold_is_used_as_set(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_SMALL_CELL_THRESHOLD = 20
    report = monthly_report(region=Region.objects.get(code=SINGAMERTA), period="2019-10")
    values = _csv(report_export(actor=None, report=report, fmt="csv").data)
    assert values[("I", "pa_pil", "current")] == "<20"  # 17
    assert values[("I", "pa_iud", "current")] == "<20"


def test_the_indicator_table_of_a_village(client: Client) -> None:
    period = period_parse("2019-10")
    singamerta = Region.objects.get(code=SINGAMERTA)
    rows = list(indicator_rows(root=singamerta, level=singamerta.level, period=period))
    officer = make_user(Role.PROVINCE_OFFICER, "36")
    shown = {r.indicator.code: r for r in suppression.rows_for_page(rows, period, officer)}
    assert shown["pa_iud"].hidden == Hidden("<5", small=True)
    assert shown["pa_pill"].hidden == Hidden("x")
    assert shown["mix_iud"].hidden == Hidden("x")
    assert shown["mkjp_share"].hidden == Hidden("x")
    assert (shown["pa_iud"].achievement, shown["pa_iud"].colour) == (None, "")
    assert shown["pus"].hidden is None
    assert shown["cpr"].hidden is None
    assert shown["villages"].hidden is None
    english(client).force_login(officer)
    page = client.get(
        reverse("indicators:indicator_list"), {"region": SINGAMERTA, "period": "2019-10"}
    ).content.decode()
    assert "&lt;5</abbr>" in page
    english(client).force_login(make_user(Role.COUNSELLOR, SINGAMERTA))
    page = client.get(
        reverse("indicators:indicator_list"), {"region": SINGAMERTA, "period": "2019-10"}
    ).content.decode()
    assert 'class="suppressed"' not in page


def test_the_dashboard_hides_villages_below_a_district_for_the_province(client: Client) -> None:
    english(client).force_login(make_user(Role.PROVINCE_OFFICER, "36"))
    query = {"region": CIRUAS, "period": "2019-10", "indicator": "pa_iud"}
    page = client.get(reverse("indicators:dashboard"), query).content.decode()
    assert "&lt;5</abbr>" in page  # Singamerta among the regions below
    data = client.get(
        reverse("indicators:dashboard"), {**query, "download": "csv", "chart": "children"}
    ).content.decode("utf-8-sig")
    rows = {r["region_code"]: r for r in csv.DictReader(io.StringIO(data))}
    assert (rows[SINGAMERTA]["value"], rows[SINGAMERTA]["achievement_pct"]) == ("<5", "")
    assert rows[PULO]["value"] == "0"
    key = client.get(
        reverse("indicators:dashboard"), {**query, "download": "csv", "chart": "key"}
    ).content.decode("utf-8-sig")
    assert "<5" not in key
    assert "x" not in {r["value"] for r in csv.DictReader(io.StringIO(key))}


def test_the_dashboard_of_a_village_hides_mix_and_trend(client: Client) -> None:
    english(client).force_login(make_user(Role.PROVINCE_OFFICER, "36"))
    query = {"region": SINGAMERTA, "period": "2019-10", "indicator": "mix_iud"}
    page = client.get(reverse("indicators:dashboard"), query).content.decode()
    assert "&lt;5" in page
    mix = client.get(
        reverse("indicators:dashboard"), {**query, "download": "csv", "chart": "mix"}
    ).content.decode("utf-8-sig")
    by_method = {r["method"]: r for r in csv.DictReader(io.StringIO(mix))}
    assert (by_method["iud"]["active_users"], by_method["iud"]["share_pct"]) == ("<5", "x")
    assert (by_method["pil"]["active_users"], by_method["pil"]["share_pct"]) == ("x", "x")
    assert (by_method["suntik"]["active_users"], by_method["suntik"]["share_pct"]) == (
        "40", "66.7",
    )  # fmt: skip
    trend = client.get(
        reverse("indicators:dashboard"), {**query, "download": "csv", "chart": "trend"}
    ).content.decode("utf-8-sig")
    by_month = {r["month"]: r["value"] for r in csv.DictReader(io.StringIO(trend))}
    assert by_month["2019-10"] == "x"  # 3 of 60
    assert by_month["2019-09"] == ""  # no users: no value, nothing hidden


def test_the_commands_hide_villages_in_their_output(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("indicators", "--region", CIRUAS, "--level", "desa", "--period", "2019-10",
                 stdout=out)  # fmt: skip
    rows = {(r["region_code"], r["indicator"]): r["value"]
            for r in csv.DictReader(io.StringIO(out.getvalue()))}  # fmt: skip
    assert rows[(SINGAMERTA, "pa_iud")] == "<5"
    assert rows[(PULO, "pa_pill")] == "160"
    out = io.StringIO()
    call_command("indicators", "--region", CIRUAS, "--level", "kecamatan", "--period",
                 "2019-10", stdout=out)  # fmt: skip
    assert "<5" not in out.getvalue()
    path = tmp_path / "singamerta.csv"
    call_command("report", "monthly", "--region", SINGAMERTA, "--period", "2019-10",
                 "-o", str(path))  # fmt: skip
    assert _csv(path.read_bytes())[("I", "pa_iud", "current")] == "<5"


def test_the_ranking_hides_the_figures_of_small_counts(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    from lini.indicators.models import Indicator
    from lini.indicators.targets import target_save

    settings.LINI_TODAY = dt.date(2019, 10, 15)  # the year's states: October's
    settings.LINI_RANK_WEIGHTS = {"mkjp_share": 1}
    target_save(actor=None, indicator=Indicator.objects.get(code="mkjp_share"),
                region=Region.objects.get(code=CIRUAS), year=2019, value="25")  # fmt: skip
    out = io.StringIO()
    call_command("rank", "--region", CIRUAS, "--level", "desa", "--year", "2019",
                 "--format", "json", "--language", "en", stdout=out)  # fmt: skip
    ranked = {r["region_code"]: r for r in json.loads(out.getvalue())}
    singamerta = ranked[SINGAMERTA]
    gap = next(g for g in singamerta["gaps"] if g["code"] == "mkjp_share")
    assert (gap["value"], gap["points"], singamerta["score"]) == ("x", "x", "x")
    assert any(reason.startswith("Long-acting methods share (MKJP) x vs target 25")
               for reason in singamerta["reasons"])  # fmt: skip
    pulo = ranked[PULO]
    assert pulo["score"] != "x"  # no small count in Pulo
    english(client).force_login(make_user(Role.PROVINCE_OFFICER, "36"))
    page = client.get(
        reverse("indicators:rank_list"), {"region": CIRUAS, "level": "desa", "year": "2019"}
    ).content.decode()
    assert "MKJP) x vs target 25" in page
    english(client).force_login(make_user(Role.COUNSELLOR, CIRUAS))
    page = client.get(
        reverse("indicators:rank_list"), {"region": CIRUAS, "level": "desa", "year": "2019"}
    ).content.decode()
    assert "MKJP) 5% vs target 25" in page


def test_the_report_percentages_are_known_to_the_rule() -> None:
    report = monthly_report(region=Region.objects.get(code=CIRUAS), period="2019-10")
    rates = {line.bases for s in report.sections for line in s.lines if line.percent}
    for section in report.sections:
        for column in section.columns:
            if column.percent and column.people:
                rates |= {
                    tuple(line.keys[[c.key for c in section.columns].index(b)]
                          for b in column.bases)
                    for line in section.lines
                    if line.keys and all(line.keys)
                }  # fmt: skip
    rates = {r for r in rates if all(r)}
    assert rates <= set(suppression.REPORT_RATES)


def test_the_sums_hold_for_counted_couples(live_counts) -> None:  # type: ignore[no-untyped-def]
    statuses = [
        StatusRecord(status=KBStatus.USING, method=Method.IUD, since=dt.date(2018, 3, 1)),
        StatusRecord(status=KBStatus.USING, method=Method.PILL, since=dt.date(2018, 3, 1)),
        StatusRecord(status=KBStatus.USING, method=Method.TRADITIONAL, since=dt.date(2018, 3, 1)),
        StatusRecord(status=KBStatus.NOT_USING, reason=NotUsingReason.WANTS_TO_DELAY,
                     since=dt.date(2018, 3, 1)),
        StatusRecord(status=KBStatus.NOT_USING, reason=NotUsingReason.NO_MORE_CHILDREN,
                     since=dt.date(2018, 3, 1)),
        None,
    ]  # fmt: skip
    for serial, status in enumerate(statuses, start=1):
        couple = make_couple(PULO, serial=serial, status=status)
        if status is None:  # no status recorded at all
            couple.events.all().delete()
    pulo = Region.objects.get(code=PULO)
    counts = village_counts([pulo.pk])[pulo.pk]
    oct_counts = {key: value for (month, key), value in counts.items() if month == OCT}
    for total in ("nonuser", "svc_m"):  # no count of their own: the sums define them
        oct_counts[total] = sum(oct_counts.get(p, 0) for p in suppression.SUMS[total])
    for total, parts in suppression.SUMS.items():
        assert oct_counts.get(total, 0) == sum(oct_counts.get(p, 0) for p in parts), total
    assert (oct_counts["pus"], oct_counts["pa"], oct_counts["unmet"]) == (6, 3, 2)
