"""The dashboard: key indicators against targets, the 12-month trend from one query, the method
mix, the regions below and the map cut to the user's scope, the data downloads (audited), the
SVG charts and the page with its refusals."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditEntry
from lini.indicators import charts, dashboard, maps
from lini.indicators.models import Indicator
from lini.indicators.selectors import period_parse
from lini.indicators.targets import target_save
from lini.indicators.tests.helpers import put_counts
from lini.regions.models import Region, RegionLevel
from lini.regions.tests.places import (
    BANTEN,
    CIRUAS,
    KAB_SERANG,
    KAB_TANGERANG,
    KUTA_JAYA,
    PULO,
    SINGAMERTA,
)  # fmt: skip

pytestmark = pytest.mark.django_db
PAGE = "/indikator/dasbor/"


def month(m: int, year: int = 2019) -> dt.date:
    return dt.date(year, m, 1)


@pytest.fixture
def counts(settings) -> None:  # type: ignore[no-untyped-def]
    """Singamerta and Pulo (Kec. Ciruas, Kab. Serang) from December 2018 to October 2019, with
    a gap in March; Kuta Jaya (Kab. Tangerang) in October."""
    settings.LINI_TODAY = dt.date(2019, 11, 15)
    for m in [(12, 2018), *((k, 2019) for k in range(1, 11) if k != 3)]:
        day = month(m[0], m[1]) if isinstance(m, tuple) else month(m)
        put_counts(SINGAMERTA, day, villages=1, pus=10, pa=4 + day.month % 4, pa_pil=3,
                   pa_implan=1 + day.month % 4)  # fmt: skip
        put_counts(PULO, day, villages=1, pus=10, pa=6, pa_pil=2, pa_iud=4)
    put_counts(SINGAMERTA, month(10), pb=2)
    put_counts(KUTA_JAYA, month(10), villages=1, pus=100, pa=90, pa_suntik=90)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def cpr() -> Indicator:
    return Indicator.objects.get(code="cpr")


# The blocks --------------------------------------------------------------------------------


def test_trend_has_twelve_months_from_one_query(counts) -> None:  # type: ignore[no-untyped-def]
    ciruas, indicator = region(CIRUAS), cpr()
    with CaptureQueriesContext(connection) as queries:
        points = dashboard.monthly_values(region=ciruas, indicator=indicator, last=month(10))
    assert len(queries) == 1
    assert [p.month for p in points] == [month(11, 2018), month(12, 2018)] + [
        month(k) for k in range(1, 11)
    ]
    by_month = {p.month: p.value for p in points}
    # November 2018 and March 2019 have no counts: no value (PUS 0), not zero.
    assert by_month[month(11, 2018)] is None
    assert by_month[month(3)] is None
    # October: PA (4 + 10 % 4 = 6) + 6 = 12 of 20 PUS.
    assert by_month[month(10)] == Decimal("60.00")
    # December 2018: (4 + 0) + 6 = 10 of 20.
    assert by_month[month(12, 2018)] == Decimal("50.00")


def test_trend_of_a_year_ends_at_the_current_month_and_has_its_target(counts) -> None:  # type: ignore[no-untyped-def]
    target_save(actor=None, indicator=cpr(), region=region(CIRUAS), year=2019, value="65")
    data = dashboard.trend(region=region(CIRUAS), indicator=cpr(), period=period_parse("2019"))
    assert (data.first, data.last) == (month(12, 2018), month(11))
    assert data.target == Decimal(65)
    table = dashboard.trend_table(data)
    assert table.rows[-2] == [CIRUAS, "Ciruas", "cpr", "2019-10", Decimal("60.00"), Decimal(65)]


def test_method_mix_counts_and_shares(counts) -> None:  # type: ignore[no-untyped-def]
    mix = {
        i.method: i
        for i in dashboard.method_mix(region=region(CIRUAS), period=period_parse("2019-10"))
    }
    # October: Singamerta pill 3, implant 3; Pulo pill 2, IUD 4 -> 12 users.
    assert (mix["pil"].users, mix["pil"].share) == (5, Decimal("41.7"))
    assert (mix["iud"].users, mix["iud"].share) == (4, Decimal("33.3"))
    assert (mix["implan"].users, mix["implan"].share) == (3, Decimal("25.0"))
    assert (mix["suntik"].users, mix["suntik"].share) == (0, Decimal("0.0"))
    empty = dashboard.method_mix(region=region(CIRUAS), period=period_parse("2017-01"))
    assert {i.share for i in empty} == {None}


def test_key_indicators_have_target_achievement_and_colour(counts) -> None:  # type: ignore[no-untyped-def]
    target_save(actor=None, indicator=cpr(), region=region(CIRUAS), year=2019, value="65")
    rows = dashboard.key_indicators(
        region=region(CIRUAS), period=period_parse("2019-10"),
        indicators=list(Indicator.objects.all()),
    )  # fmt: skip
    assert [r.indicator.code for r in rows] == list(dashboard.KEY_INDICATORS)
    row = next(r for r in rows if r.indicator.code == "cpr")
    # 60 / 65 = 92.31 % -> green.
    assert (row.value.shown, row.target, row.achievement, row.colour) == (
        Decimal("60.00"), Decimal(65), Decimal("92.31"), "hijau",
    )  # fmt: skip


def test_regions_below_and_map_are_cut_to_the_users_scope(counts) -> None:  # type: ignore[no-untyped-def]
    serang = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    period = period_parse("2019-10")
    below = dashboard.children_rows(
        region=region(BANTEN), period=period, indicator=cpr(), user=serang
    )
    assert [r.region.code for r in below] == [KAB_SERANG]
    rows = dashboard.map_rows(
        region=region(KAB_SERANG), period=period, indicator=cpr(), level="kabupaten", user=serang
    )
    assert [r.region.code for r in rows] == [KAB_SERANG]
    drawn = dashboard.choropleth(rows=rows, level="kabupaten", by_achievement=False, unit="%")
    areas = {a.code: a for a in drawn.areas}
    assert len(areas) == 8
    assert areas[KAB_SERANG].in_scope
    assert areas[KAB_SERANG].value == Decimal("60.00")
    assert areas[KAB_SERANG].fill == maps.SCALE[-1]
    assert "60" in areas[KAB_SERANG].label
    tangerang = areas[KAB_TANGERANG]
    assert (tangerang.in_scope, tangerang.value, tangerang.fill) == (False, None, maps.OUT_OF_SCOPE)
    assert "90" not in tangerang.label
    # Below a village there is nothing to drill into.
    assert (
        dashboard.children_rows(
            region=region(SINGAMERTA), period=period, indicator=cpr(), user=serang
        )
        == []
    )


def test_map_by_achievement_uses_the_bands(counts) -> None:  # type: ignore[no-untyped-def]
    target_save(actor=None, indicator=cpr(), region=region(CIRUAS), year=2019, value="80")
    rows = dashboard.map_rows(
        region=region(BANTEN), period=period_parse("2019-10"), indicator=cpr(),
        level="kecamatan", user=None,
    )  # fmt: skip
    assert len(rows) == 155
    drawn = dashboard.choropleth(rows=rows, level="kecamatan", by_achievement=True, unit="%")
    fills = {a.code: a.fill for a in drawn.areas}
    assert fills[CIRUAS] == maps.BAND_FILLS["kuning"]  # 60 / 80 = 75 % -> yellow
    assert fills["36.03.12"] == maps.NO_VALUE  # Pasar Kemis: no counts, no target
    assert [i.fill for i in drawn.legend][:4] == list(maps.BAND_FILLS.values())


def test_shapes_match_the_regions_of_banten() -> None:
    for level, region_level, number in (
        ("kabupaten", RegionLevel.REGENCY, 8), ("kecamatan", RegionLevel.DISTRICT, 155),
    ):  # fmt: skip
        drawn = maps.shapes(level)
        codes = {s.code for s in drawn.shapes}
        assert len(codes) == number
        assert codes == set(
            Region.objects.filter(level=region_level, code__startswith="36.").values_list(
                "code", flat=True
            )
        )
        assert all(re.fullmatch(r"(M[\d. L]+Z)+", s.d) for s in drawn.shapes)
        assert drawn.width == 1000
        assert 500 < drawn.height < 1000
    assert maps.shapes("kabupaten") is maps.shapes("kabupaten")  # read once
    assert maps.has_map(CIRUAS)
    assert not maps.has_map("31.71")


def test_value_classes() -> None:
    classes = maps.value_classes([Decimal(0), Decimal(50), Decimal(100)])
    assert classes[0] == (Decimal(0), Decimal(20))
    assert classes[-1][1] == Decimal(100)
    assert maps.value_fill(Decimal(0), classes) == maps.SCALE[0]
    assert maps.value_fill(Decimal(21), classes) == maps.SCALE[1]
    assert maps.value_fill(Decimal(100), classes) == maps.SCALE[-1]
    assert maps.value_classes([Decimal(7), Decimal(7)]) == [(Decimal(7), Decimal(7))]
    assert maps.value_classes([]) == []


def test_charts_are_standalone_svg(counts) -> None:  # type: ignore[no-untyped-def]
    data = dashboard.trend(region=region(CIRUAS), indicator=cpr(), period=period_parse("2019-10"))
    svg = str(charts.trend_svg(data))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" id="chart-trend"')
    assert "<script" not in svg
    assert "style=" not in svg
    # March is missing: the line is broken in two; one dot per month with a value (10).
    assert svg.count("<polyline") == 2
    assert svg.count("<circle") == 10
    mix = str(
        charts.mix_svg(dashboard.method_mix(region=region(CIRUAS), period=period_parse("2019-10")))
    )
    assert mix.count('class="bar"') == 9
    assert charts.nice_ceiling(Decimal("61")) == Decimal(100)
    assert charts.nice_ceiling(Decimal("0.3")) == Decimal("0.5")
    assert charts.nice_ceiling(Decimal("1800")) == Decimal(2000)


def test_map_svg_links_only_regions_in_scope() -> None:
    drawn = maps.choropleth(level="kabupaten", values={KAB_SERANG: Decimal(5)})
    svg = str(charts.map_svg(drawn, href=lambda code: f"?region={code}"))
    assert svg.count("<path") == 8
    assert svg.count("<a ") == 1
    assert f'href="?region={KAB_SERANG}"' in svg
    assert maps.CREDIT in svg


def test_export_writes_csv_xlsx_and_an_audit_entry(counts) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    pkb = make_user(Role.COUNSELLOR, CIRUAS)
    period = period_parse("2019-10")
    items = dashboard.method_mix(region=region(CIRUAS), period=period)
    table = dashboard.mix_table(region(CIRUAS), period, items)
    out = dashboard.table_export(
        actor=pkb, region=region(CIRUAS), period=period, table=table, fmt="csv"
    )
    rows = list(csv.reader(io.StringIO(out.data.decode("utf-8-sig"))))
    assert rows[0] == [
        "region_code",
        "region_name",
        "period",
        "method",
        "active_users",
        "share_pct",
    ]
    assert [CIRUAS, "Ciruas", "2019-10", "pil", "5", "41.7"] in rows
    assert out.filename == f"lini-dasbor-mix-{CIRUAS}-2019-10.csv"
    entry = AuditEntry.objects.get(model=dashboard.AUDIT_MODEL)
    assert (entry.action, entry.region_code, entry.actor) == ("export", CIRUAS, pkb)
    xlsx = dashboard.table_export(
        actor=pkb, region=region(CIRUAS), period=period, table=table, fmt="xlsx"
    )
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[2]][:5] == [CIRUAS, "Ciruas", "2019-10", "iud", 4]
    refusal = gettext("%(value)s is not a format; choose csv or xlsx") % {"value": "pdf"}
    with pytest.raises(ValueError, match=re.escape(refusal)):
        dashboard.table_export(actor=pkb, region=region(CIRUAS), period=period, table=table,
                               fmt="pdf")  # fmt: skip


def test_export_refuses_a_region_out_of_scope(counts) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    pkb = make_user(Role.COUNSELLOR, CIRUAS)
    table = dashboard.Table("key", ("a",), [])
    with pytest.raises(PermissionDenied):
        dashboard.table_export(
            actor=pkb, region=region(KAB_TANGERANG), period=period_parse("2019-10"),
            table=table, fmt="csv",
        )  # fmt: skip
    assert not AuditEntry.objects.filter(model=dashboard.AUDIT_MODEL).exists()


def test_csv_cells_are_safe_for_spreadsheets() -> None:
    table = dashboard.Table("x", ("a", "b", "c"), [["=1+1", None, Decimal("2.50")]])
    text = dashboard.table_csv(table).decode("utf-8-sig")
    assert text.splitlines()[1] == "'=1+1,,2.5"


# The page ----------------------------------------------------------------------------------


def test_page_of_a_regency_officer(counts, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    response = client.get(PAGE, {"period": "2019-10", "map": "kabupaten"})
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["region"].code == KAB_SERANG  # the first assigned region
    assert html.count('<path d="M') == 8
    assert f'data-code="{KAB_SERANG}"' in html
    # Tangerang: grey, no link, no value.
    tangerang = re.search(rf'<path[^>]*data-code="{KAB_TANGERANG}"><title>([^<]*)</title>', html)
    assert tangerang is not None
    assert "90" not in tangerang.group(1)
    assert (
        f'fill="{maps.OUT_OF_SCOPE}" stroke="#ffffff" stroke-width="1.2" data-code="{KAB_TANGERANG}"'
        in html
    )
    assert f"region={KAB_TANGERANG}" not in html
    assert 'id="chart-trend"' in html
    assert 'id="chart-mix"' in html
    assert 'data-png="chart-map"' in html
    assert "<script>" not in html
    assert "charts.js" in html
    assert "Kec. Ciruas" in html  # a district below, to drill into


def test_page_districts_by_achievement(counts, client) -> None:  # type: ignore[no-untyped-def]
    target_save(actor=None, indicator=cpr(), region=region(CIRUAS), year=2019, value="50")
    client.force_login(make_user(Role.COUNSELLOR, CIRUAS))
    response = client.get(PAGE, {"period": "2019-10", "colour": "achievement"})
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["map_level"] == "kecamatan"
    assert html.count('<path d="M') == 155
    assert (
        f'fill="{maps.BAND_FILLS["biru"]}" stroke="#ffffff" stroke-width="1.2" data-code="{CIRUAS}"'
        in html
    )
    areas = html.split('class="legend"')[0]
    assert areas.count(f'fill="{maps.OUT_OF_SCOPE}"') == 154


def test_page_without_a_map_outside_banten(client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = dt.date(2019, 11, 15)
    Region.objects.create(
        code="31", name="DKI Jakarta", level=RegionLevel.PROVINCE, kind="provinsi"
    )
    client.force_login(make_user(Role.NATIONAL_ADMIN))
    response = client.get(PAGE, {"region": "31"})
    assert response.status_code == 200
    assert response.context["map_svg"] is None


def test_download_csv_of_the_trend_is_audited(counts, client) -> None:  # type: ignore[no-untyped-def]
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    client.force_login(officer)
    response = client.get(
        PAGE, {"region": CIRUAS, "period": "2019-10", "download": "csv", "chart": "trend"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"lini-dasbor-trend-{CIRUAS}-2019-10.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 13
    assert rows[-1][3:5] == ["2019-10", "60"]
    entry = AuditEntry.objects.get(model=dashboard.AUDIT_MODEL)
    assert (entry.actor, entry.region_code, entry.after["chart"]) == (officer, CIRUAS, "trend")


@pytest.mark.parametrize("chart", ["key", "mix", "children", "map"])
def test_download_xlsx_of_every_block(counts, client, chart) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    response = client.get(
        PAGE, {"region": KAB_SERANG, "period": "2019-10", "download": "xlsx", "chart": chart,
               "map": "kabupaten"},
    )  # fmt: skip
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "region_code"
    codes = {r[0] for r in rows[1:]}
    expected = {"key": {KAB_SERANG}, "mix": {KAB_SERANG}, "map": {KAB_SERANG}}.get(chart)
    if expected is None:  # children: the 29 districts of Kab. Serang
        assert len(codes) == 29
        assert all(c.startswith(KAB_SERANG + ".") for c in codes)
    else:
        assert codes == expected


def test_out_of_scope_and_bad_input_are_refused(counts, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    assert client.get(PAGE, {"region": KAB_TANGERANG}).status_code == 403
    assert (
        client.get(PAGE, {"region": KAB_TANGERANG, "download": "csv", "chart": "key"}).status_code
        == 403
    )
    assert client.get(PAGE, {"region": BANTEN}).status_code == 403
    assert not AuditEntry.objects.filter(model=dashboard.AUDIT_MODEL).exists()
    for query in (
        {"region": "99.99"}, {"indicator": "nope"}, {"map": "desa"}, {"colour": "red"},
        {"download": "pdf", "chart": "key"}, {"download": "csv"},
        {"download": "csv", "chart": "pie"},
    ):  # fmt: skip
        assert client.get(PAGE, query).status_code == 404, query
    response = client.get(PAGE, {"period": "2019-13"})
    assert response.status_code == 200
    assert re.search(r'<p class="error" role="alert">2019-13 \w+', response.content.decode())
    response = client.get(PAGE, {"period": "2019-13", "download": "csv", "chart": "key"})
    assert response.status_code == 400


def test_a_national_administrator_starts_at_banten(counts, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user(Role.NATIONAL_ADMIN))
    response = client.get(PAGE, {"period": "2019-10"})
    assert response.status_code == 200
    assert response.context["region"].code == BANTEN
    assert response.context["map_level"] == "kabupaten"
    html = response.content.decode()
    assert html.count('<path d="M') == 8
    assert f'fill="{maps.OUT_OF_SCOPE}"' not in html.split('class="legend"')[0]
    assert html.count('<a href="?region=36.') >= 8
