"""Where is it behind: the composite gap, its reasons, the people gaps, the target fallback,
the user's scope, the page and ``lini rank`` (CSV and JSON).

The scenario (year 2019, today 15 Nov 2019, so the year's states are read at November):

- targets 2019: Kab. Serang mcpr 60, cpr 70, unmet need 7.4; Banten mkjp_share 25; Singamerta
  has its own mcpr target 50.
- Singamerta: PUS 100, PA 65, modern 55, MKJP 20, unmet 8 IAT + 6 TIAL = 14 %, a counsellor,
  40 families with members aged 10-24 and no active BKR, a Kampung KB without Rumah DataKu, the
  monthly input sent for 8 of 11 due months.
- Pulo: PUS 200, PA 150, modern 100, MKJP 40, unmet 10 = 5 %, a counsellor, every month sent.
- The other villages of Ciruas have no counts: only "no counsellor".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.indicators.models import Indicator
from lini.indicators.ranking import WEIGHTS, RankedRegion, rank_regions, weights
from lini.indicators.targets import target_save
from lini.indicators.tests.helpers import put_counts
from lini.regions.models import Region, RegionLevel
from lini.regions.tests.places import (
    BANTEN,
    CIRUAS,
    KAB_SERANG,
    KAB_TANGERANG,
    KRAGILAN,
    KUTA_JAYA,
    PULO,
    SINGAMERTA,
)  # fmt: skip

pytestmark = pytest.mark.django_db

# The page is not in lini/urls.py yet: the tests mount it here (see the report for the line).
URL = reverse("indicators:rank_list")
NOV = dt.date(2019, 11, 1)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def target(code: str, place: str, value: str, year: int = 2019) -> None:
    target_save(
        actor=None, indicator=Indicator.objects.get(code=code), region=region(place), year=year,
        value=value,
    )  # fmt: skip


@pytest.fixture(autouse=True)
def scenario(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = dt.date(2019, 11, 15)
    settings.LINI_RANK_WEIGHTS = {}
    target("mcpr", KAB_SERANG, "60")
    target("cpr", KAB_SERANG, "70")
    target("unmet_need", KAB_SERANG, "7.4")
    target("mkjp_share", BANTEN, "25")
    target("mcpr", SINGAMERTA, "50")
    target("mcpr", SINGAMERTA, "10", year=2018)  # another year: never used
    put_counts(SINGAMERTA, NOV, villages=1, pus=100, pa=65, pa_modern=55, pa_mkjp=20,
               nonuser_iat=8, nonuser_tial=6, unmet=14, counsellor_assigned=1,
               families=60, families_10_24=40, kampung=1)  # fmt: skip
    put_counts(PULO, NOV, villages=1, pus=200, pa=150, pa_modern=100, pa_mkjp=40,
               nonuser_iat=10, unmet=10, counsellor_assigned=1, families_10_24=30,
               poktan_active_bkr=1)  # fmt: skip
    for month in range(1, 12):
        first = dt.date(2019, month, 1)
        put_counts(PULO, first, monthly_expected=1, monthly_sent=1)
        if month <= 8:
            put_counts(SINGAMERTA, first, monthly_expected=1, monthly_sent=1)
        else:
            put_counts(SINGAMERTA, first, monthly_expected=1)


def ciruas_villages() -> list[str]:
    return list(
        Region.objects.filter(code__startswith=CIRUAS + ".", level=RegionLevel.VILLAGE)
        .order_by("code")
        .values_list("code", flat=True)
    )


def by_code(ranked: list[RankedRegion]) -> dict[str, RankedRegion]:
    return {r.region.code: r for r in ranked}


def test_villages_are_ranked_by_the_documented_score() -> None:
    with translation.override("en"):
        ranked = rank_regions(root=region(CIRUAS), level=RegionLevel.VILLAGE, year=2019)
    villages = ciruas_villages()
    assert [r.region.code for r in ranked] == [
        SINGAMERTA, PULO, *[c for c in villages if c not in (SINGAMERTA, PULO)]
    ]  # fmt: skip
    assert [r.rank for r in ranked] == list(range(1, len(villages) + 1))
    singamerta, pulo, other = ranked[0], ranked[1], ranked[2]
    # cpr 65 vs 70 (x 0.5) + unmet 14 vs 7.4 (x 1) + no BKR 2 + no Rumah DataKu 2
    # + 3 of 11 months unsent x 5; mcpr 55 meets its own target 50, mkjp 30.77 meets 25.
    assert singamerta.score == Decimal("2.5") + Decimal("6.6") + 2 + 2 + Decimal(15) / 11
    # mcpr 50 vs 60 (x 1); cpr 75, unmet 5 and mkjp 26.67 meet their targets.
    assert pulo.score == 10
    assert other.score == 5  # no counsellor, nothing else (no PUS: no indicator value)
    assert other.reasons == ["no assigned counsellor (PKB/PLKB)"]
    assert singamerta.reasons == [
        "Unmet need 14% vs target 7.4%",
        "Contraceptive prevalence rate (CPR) 65% vs target 70%",
        "no active BKR",
        "no Rumah DataKu in the Kampung KB",
        "monthly report not sent for 3 of 11 months",
    ]
    assert pulo.reasons == ["Modern contraceptive prevalence rate (mCPR) 50% vs target 60%"]


def test_people_gaps_are_counted_in_couples() -> None:
    ranked = by_code(rank_regions(root=region(CIRUAS), level=RegionLevel.VILLAGE, year=2019))
    singamerta, pulo = ranked[SINGAMERTA].people, ranked[PULO].people
    # mcpr: ceil(50% x 100) - 55 < 0 -> 0; cpr: ceil(70% x 100) - 65 = 5;
    # unmet: 14 - floor(7.4% x 100) = 14 - 7 = 7.
    assert (singamerta.modern_users, singamerta.users, singamerta.unmet_fewer) == (0, 5, 7)
    # mcpr: ceil(60% x 200) - 100 = 20; cpr: 140 - 150 < 0 -> 0; unmet: 10 - floor(14.8) -> 0.
    assert (pulo.modern_users, pulo.users, pulo.unmet_fewer) == (20, 0, 0)
    empty = ranked[ciruas_villages()[0]].people
    assert (empty.modern_users, empty.users, empty.unmet_fewer) == (None, None, None)


def test_people_gaps_round_towards_the_target() -> None:
    target("mcpr", PULO, "60.25")  # 60.25% of 200 = 120.5 -> 121 modern users
    target("unmet_need", PULO, "4.9")  # 4.9% of 200 = 9.8 -> at most 9: one fewer
    pulo = by_code(rank_regions(root=region(PULO), level=RegionLevel.VILLAGE, year=2019))[PULO]
    assert (pulo.people.modern_users, pulo.people.unmet_fewer) == (21, 1)
    unmet = next(g for g in pulo.gaps if g.code == "unmet_need")
    assert unmet.points == Decimal("0.1")  # 5.00 - 4.9, lower is better


def test_a_region_without_its_own_target_takes_the_nearest_ancestors() -> None:
    ranked = by_code(rank_regions(root=region(CIRUAS), level=RegionLevel.VILLAGE, year=2019))
    singamerta = {g.code: g for g in ranked[SINGAMERTA].gaps}
    assert (singamerta["cpr"].target, singamerta["cpr"].target_region) == (70, KAB_SERANG)
    pulo = {g.code: g for g in ranked[PULO].gaps}
    assert (pulo["mcpr"].target, pulo["mcpr"].target_region) == (60, KAB_SERANG)
    # Singamerta's own mcpr target (50) wins over Kab. Serang's (60): no mcpr gap.
    assert "mcpr" not in singamerta
    # mkjp_share only has Banten's target: a village of 25% MKJP falls short of it.
    put_counts(KUTA_JAYA, NOV, pus=10, pa=8, pa_modern=8, pa_mkjp=1, counsellor_assigned=1)
    kuta = rank_regions(root=region(KUTA_JAYA), level=RegionLevel.VILLAGE, year=2019)[0]
    gap = next(g for g in kuta.gaps if g.code == "mkjp_share")
    assert (gap.value, gap.target, gap.target_region) == (Decimal("12.50"), 25, BANTEN)
    assert gap.points == Decimal("12.50")
    assert gap.weight == Decimal("0.5")
    # Kab. Tangerang has no mcpr target of its own or above it: no mcpr gap, no people gap.
    assert "mcpr" not in {g.code for g in kuta.gaps}
    assert kuta.people.modern_users is None


def test_a_district_sums_its_villages_and_shares_the_penalties() -> None:
    with translation.override("en"):
        ranked = by_code(rank_regions(root=region(KAB_SERANG), level=RegionLevel.DISTRICT,
                                      year=2019))  # fmt: skip
    ciruas = ranked[CIRUAS]
    n = len(ciruas_villages())
    gaps = {g.code: g for g in ciruas.gaps}
    # PUS 300, modern 155 -> 51.67 vs 60; PA 215 -> 71.67 meets 70; unmet 24 -> 8 vs 7.4.
    assert gaps["mcpr"].points == Decimal("8.33")
    assert gaps["mcpr"].target_region == KAB_SERANG
    assert gaps["unmet_need"].points == Decimal("0.60")
    assert "cpr" not in gaps
    assert (gaps["no_counsellor"].count, gaps["no_counsellor"].total) == (n - 2, n)
    assert (gaps["no_bkr"].count, gaps["no_rdk"].count) == (1, 1)
    assert (gaps["monthly_unsent"].count, gaps["monthly_unsent"].total) == (3, 22)
    expected = (
        Decimal("8.33") + Decimal("0.60") + 5 * Decimal(n - 2) / n + 2 * Decimal(1) / n
        + 2 * Decimal(1) / n + 5 * Decimal(3) / 22
    )  # fmt: skip
    assert ciruas.score == expected
    assert f"no assigned counsellor (PKB/PLKB) in {n - 2} of {n} villages" in ciruas.reasons
    assert f"no active BKR in 1 of {n} villages" in ciruas.reasons
    assert "monthly reports not sent for 3 of 22 village-months" in ciruas.reasons
    # People: ceil(60% x 300) - 155 = 25 modern users; 24 - floor(22.2) = 2 fewer unmet.
    assert (ciruas.people.modern_users, ciruas.people.users, ciruas.people.unmet_fewer) == (
        25, 0, 2,
    )  # fmt: skip
    # Kragilan has no counts at all: only its villages without counsellor.
    assert [g.code for g in ranked[KRAGILAN].gaps] == ["no_counsellor"]
    assert ranked[KRAGILAN].score == 5


def test_reasons_use_the_indonesian_number_format() -> None:
    with translation.override("id"):
        ranked = by_code(rank_regions(root=region(CIRUAS), level=RegionLevel.VILLAGE, year=2019))
    assert "14% " in ranked[SINGAMERTA].reasons[0]
    assert ranked[SINGAMERTA].reasons[0].endswith(" 7,4%")
    assert ranked[SINGAMERTA].reasons[0].startswith("Unmet need")  # the Indonesian name


def test_weights_come_from_the_setting(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_RANK_WEIGHTS = '{"mcpr": 3, "no_counsellor": 0, "dropout_rate": 1}'
    w = weights()
    assert (w["mcpr"], w["no_counsellor"]) == (3, 0)
    assert w["cpr"] == Decimal(str(WEIGHTS["cpr"]))
    ranked = by_code(rank_regions(root=region(CIRUAS), level=RegionLevel.VILLAGE, year=2019))
    assert ranked[PULO].score == 30  # mcpr 10 points x 3
    assert ranked[ciruas_villages()[0]].score == 0  # the counsellor penalty is switched off
    settings.LINI_RANK_WEIGHTS = '{"mcpr": -1}'
    with pytest.raises(Exception, match="must be 0 or more"):
        weights()
    settings.LINI_RANK_WEIGHTS = "{not json"
    with pytest.raises(Exception, match="not JSON"):
        weights()


def test_only_regions_in_the_users_scope_are_ranked() -> None:
    officer = make_user(Role.REGENCY_OFFICER, KAB_TANGERANG)
    ranked = rank_regions(root=region(BANTEN), level=RegionLevel.REGENCY, year=2019, user=officer)
    assert [r.region.code for r in ranked] == [KAB_TANGERANG]
    counsellor = make_user(Role.COUNSELLOR, SINGAMERTA)
    ranked = rank_regions(root=region(CIRUAS), level=RegionLevel.VILLAGE, year=2019,
                          user=counsellor)  # fmt: skip
    assert [r.region.code for r in ranked] == [SINGAMERTA]


# The page ----------------------------------------------------------------------------------


def test_the_page_shows_the_ranked_list(client: Client) -> None:
    client.force_login(make_user(Role.DISTRICT_OFFICER, CIRUAS))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the reasons as written in the code
    response = client.get(URL, {"region": CIRUAS, "level": "desa", "year": "2019"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.region.code for r in rows[:2]] == [SINGAMERTA, PULO]
    html = response.content.decode()
    assert "no Rumah DataKu in the Kampung KB" in html
    assert html.index("Desa Singamerta") < html.index("Desa Pulo")
    assert 'name="year" id="rank-year" value="2019"' in html  # not 2,019
    assert '<td class="num" data-label="Score">14.46</td>' in html


def test_the_page_defaults_to_the_level_below_and_reports_a_bad_level(client: Client) -> None:
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    response = client.get(URL, {"region": KAB_SERANG, "year": "2019"})
    assert response.context["level"] == "kecamatan"
    assert CIRUAS in {r.region.code for r in response.context["rows"]}
    response = client.get(URL, {"region": CIRUAS, "level": "kabupaten", "year": "2019"})
    assert response.status_code == 200
    assert response.context["level_error"]
    assert response.context["level"] == "desa"
    assert client.get(URL, {"region": CIRUAS, "year": "20x9"}).status_code == 404
    assert client.get(URL, {"region": "99.99"}).status_code == 404


def test_the_page_refuses_a_region_outside_the_scope(client: Client) -> None:
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    assert client.get(URL, {"region": KAB_TANGERANG, "year": "2019"}).status_code == 403
    assert client.get(URL, {"region": BANTEN, "year": "2019"}).status_code == 403
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    assert client.get(URL, {"region": CIRUAS, "year": "2019"}).status_code == 403


def test_anonymous_is_sent_to_login(client: Client) -> None:
    assert client.get(URL, {"region": CIRUAS}).status_code == 302


# The command -------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("rank", *args, stdout=out)
    return out.getvalue()


def test_the_command_writes_csv() -> None:
    text = run("--region", CIRUAS, "--level", "desa", "--year", "2019", "--language", "en")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "rank", "region_code", "region_name", "score", "modern_users_needed", "users_needed",
        "unmet_fewer_needed", "reasons",
    ]  # fmt: skip
    assert [r["region_code"] for r in rows[:2]] == [SINGAMERTA, PULO]
    pulo = rows[1]
    assert (pulo["rank"], pulo["score"], pulo["modern_users_needed"], pulo["users_needed"]) == (
        "2", "10", "20", "0",
    )  # fmt: skip
    assert rows[0]["reasons"].startswith("Unmet need 14% vs target 7.4%; ")
    assert rows[0]["score"] == "14.46"  # 14.4636... rounded
    assert rows[2]["modern_users_needed"] == ""


def test_the_command_writes_json_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "rank.json"
    call_command("rank", "--region", CIRUAS, "--level", "desa", "--year", "2019",
                 "--format", "json", "-o", str(out), "--language", "en",
                 stderr=io.StringIO())  # fmt: skip
    data = json.loads(out.read_text(encoding="utf-8"))
    first = data[0]
    assert (first["rank"], first["region_code"], first["score"]) == (1, SINGAMERTA, "14.46")
    assert first["people"] == {"modern_users": 0, "users": 5, "unmet_fewer": 7}
    cpr = next(g for g in first["gaps"] if g["code"] == "cpr")
    assert (cpr["value"], cpr["target"], cpr["target_region"], cpr["points"]) == (
        "65", "70", KAB_SERANG, "5",
    )  # fmt: skip
    assert cpr["contribution"] == "2.5"
    assert first["reasons"][0] == "Unmet need 14% vs target 7.4%"


def test_the_command_refuses_bad_input() -> None:
    with pytest.raises(CommandError, match="no region"):
        run("--region", "99.99", "--level", "desa", "--year", "2019")
    with pytest.raises(CommandError, match="--level"):
        run("--region", CIRUAS, "--level", "kabupaten", "--year", "2019")
    with pytest.raises(CommandError, match="--year"):
        run("--region", CIRUAS, "--level", "desa", "--year", "19")
    make_user(Role.REGENCY_OFFICER, KAB_SERANG, username="serang")
    with pytest.raises(CommandError, match="may not view"):
        run("--region", KAB_TANGERANG, "--level", "desa", "--year", "2019", "--user", "serang")


def test_the_command_as_a_user_lists_only_their_regions() -> None:
    make_user(Role.REGENCY_OFFICER, KAB_TANGERANG, username="tangerang")
    make_user(Role.PROVINCE_OFFICER, BANTEN, username="banten")
    text = run("--region", BANTEN, "--level", "kabupaten", "--year", "2019", "--user", "banten")
    assert (
        len(list(csv.DictReader(io.StringIO(text))))
        == Region.objects.filter(level=RegionLevel.REGENCY, code__startswith=BANTEN + ".").count()
    )
    with pytest.raises(CommandError, match="may not view"):
        run("--region", BANTEN, "--level", "kabupaten", "--year", "2019", "--user", "tangerang")


def test_a_fixed_number_of_queries_for_every_village_of_banten(
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    with django_assert_max_num_queries(8):
        ranked = rank_regions(root=region(BANTEN), level=RegionLevel.VILLAGE, year=2019)
    assert len(ranked) == Region.objects.filter(level=RegionLevel.VILLAGE).count()
    assert ranked[0].region.code == SINGAMERTA
