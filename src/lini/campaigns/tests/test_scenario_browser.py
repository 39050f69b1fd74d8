"""The 2019 baksos replayed end to end in headless Chromium (SCENARIO-2019.md), on a synthetic
Banten with the 2019 targets in which Kab. Serang and Kab. Tangerang are behind:

1. the province officer sees the two regencies behind in the ranking;
2. creates the campaign, asks for lokus suggestions in their four districts, accepts those among
   the eight villages of 2019 and adds the others by code, and puts a PKB on Singamerta's team;
3. the PKB records a KB service in Singamerta on a phone-sized window;
4. the campaign report and Kab. Serang's November 2019 figures include it at once.

    LINI_REQUIRE_BROWSER=1 .venv/bin/pytest -m browser src/lini/campaigns/tests/test_scenario_browser.py
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import TEST_PASSWORD, make_user
from lini.campaigns.choices import target_label
from lini.campaigns.models import Campaign, CampaignService
from lini.campaigns.selectors import progress
from lini.demo.services import BAKSOS_2019_LOKUS
from lini.indicators.selectors import indicator_values
from lini.indicators.services import counts_rebuild
from lini.indicators.synthetic import targets_generate
from lini.regions.models import Region
from lini.regions.services import bundled_wilayah_csv, read_wilayah_csv, regions_load
from lini.regions.tests.places import BANTEN, CIRUAS, KAB_SERANG, KAB_TANGERANG, SINGAMERTA
from lini.register.choices import KBStatus
from lini.register.models import Couple
from lini.register.synthetic import population_generate
from lini.web.tests.browser import MARKS, phone_page, seed_data_again
from lini.web.tests.browser import sync_api as browser_api
from lini.workforce.tests.factories import make_counsellor

pytestmark = MARKS
sync_api = browser_api()

DISTRICTS = (
    "36.04.09",
    "36.04.11",
    "36.03.12",
    "36.03.18",
)  # Ciruas, Kragilan, Pasar Kemis, Cikupa


@pytest.fixture
def banten(live_server, transactional_db, settings) -> str:  # type: ignore[no-untyped-def]
    """Banten's regions, a small synthetic register as of 31 October 2019, its counts and the
    2019 targets; the demo's today (1 November 2019) moved to the campaign's fifth day."""
    settings.LINI_TODAY = dt.date(2019, 11, 5)
    settings.LINI_COUNTS_LIVE = True
    seed_data_again()
    regions_load(rows=read_wilayah_csv(bundled_wilayah_csv(), province="36"))
    population_generate(region=Region.objects.get(code=BANTEN), scale=0.004, seed=2019)
    counts_rebuild()
    targets_generate(province=Region.objects.get(code=BANTEN))
    return live_server.url


def _log_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto("/akun/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state("load")


def _fits_the_phone(page) -> bool:  # type: ignore[no-untyped-def]
    page.wait_for_load_state("load")
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_the_2019_baksos_from_the_ranking_to_the_report(banten: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    expect = sync_api.expect
    make_user(Role.PROVINCE_OFFICER, BANTEN, username="provinsi.banten")
    make_user(Role.COUNSELLOR, CIRUAS, username="pkb.ciruas")
    counsellor = make_counsellor(CIRUAS, SINGAMERTA, name="Siti Hasanah", username="pkb.ciruas")
    couple = (
        Couple.objects.filter(family__village__code=SINGAMERTA, ended_on=None)
        .exclude(status=KBStatus.USING)
        .exclude(wife__birth_date__lt=dt.date(1970, 1, 1))
        .select_related("wife")
        .order_by("pk")
        .first()
    )
    assert couple is not None, "the synthetic Singamerta has a couple not using a method"
    serang = Region.objects.get(code=KAB_SERANG)
    november_before = indicator_values(region=serang, period="2019-11")

    with phone_page(banten) as page:
        # 1. The province officer: where is Banten behind in 2019?
        _log_in(page, "provinsi.banten")
        page.goto(f"/indikator/peringkat/?region={BANTEN}&level=kabupaten&year=2019")
        first_two = page.locator("table tbody tr").evaluate_all(
            "(rows) => rows.slice(0, 2).map((r) => r.querySelector('.code').textContent)"
        )
        assert sorted(first_two) == sorted([KAB_SERANG, KAB_TANGERANG])

        # 2. The campaign, its lokus (suggested, then the rest of the eight by code), a team.
        page.goto("/baksos/baru/")
        page.fill("#id_name", "Baksos IPeKB Banten 2019")
        page.fill("#id_theme", "Komitmen IPeKB untuk kinerja KKBPK")
        page.fill("#id_organisers", "BKKBN Banten, DPD IPeKB Banten")
        page.select_option("#id_region", BANTEN)
        page.fill("#id_starts_on", "2019-11-01")
        page.fill("#id_ends_on", "2019-11-10")
        page.fill("#id_areas", f"{KAB_SERANG}, {KAB_TANGERANG}")
        page.locator("form.stack button[type=submit], form button.primary").first.click()
        page.wait_for_load_state("load")
        campaign = Campaign.objects.get(name="Baksos IPeKB Banten 2019")
        # A new campaign goes on to choosing its lokus.
        assert page.url.endswith(f"/baksos/{campaign.pk}/usul-lokus/"), page.url

        page.goto(f"/baksos/{campaign.pk}/usul-lokus/")
        page.fill("#id_regions", ", ".join(DISTRICTS))
        page.fill("#id_count", "8")
        page.fill("#id_year", "2019")
        page.get_by_role("button", name=re.compile("Usulkan|Suggest")).click()
        page.wait_for_load_state("load")
        suggested = page.locator("input[name=accept]").evaluate_all(
            "(boxes) => boxes.map((b) => b.value)"
        )
        assert len(suggested) == 8
        wanted = [code for code in suggested if code in BAKSOS_2019_LOKUS]
        # The ranking finds villages of 2019 among its suggestions (else the accept step would
        # not be tried at all).
        assert wanted, f"none of the eight villages of 2019 among the suggested {suggested}"
        for code in wanted:
            page.check(f"input[name=accept][value='{code}']")
        page.locator("form.card button.primary").click()
        page.wait_for_load_state("load")
        assert sorted(campaign.lokus.values_list("village__code", flat=True)) == sorted(wanted)
        for code in BAKSOS_2019_LOKUS:
            if code in wanted:
                continue
            page.fill("input[name=code]", code)
            page.locator("form.search button[type=submit]").click()
            page.wait_for_load_state("load")
        assert sorted(campaign.lokus.values_list("village__code", flat=True)) == sorted(
            BAKSOS_2019_LOKUS
        )
        singamerta = campaign.lokus.get(village__code=SINGAMERTA)
        assert singamerta.reasons  # why it was chosen, in words

        page.goto(f"/baksos/lokus/{singamerta.pk}/tim/")
        page.select_option("#id_counsellor", str(counsellor.pk))
        page.select_option("#id_role", "pelayanan")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state("load")
        # The PKB records through the account linked to their counsellor record.
        assert singamerta.team.filter(counsellor__user__username="pkb.ciruas").exists()

        # 3. The PKB records a service in Singamerta on the phone.
        _log_in(page, "pkb.ciruas")
        page.goto("/baksos/")
        page.locator(f"a[href='/baksos/lokus/{singamerta.pk}/layanan/']").first.click()
        page.wait_for_load_state("load")
        assert _fits_the_phone(page)
        page.fill("#couple-q", couple.wife.name)
        page.locator("form[role=search] button").click()
        page.wait_for_load_state("load")
        page.locator(f"ul.couple-pick a[href*='couple={couple.pk}']").click()
        page.wait_for_load_state("load")
        page.locator("input[name=served_on]").fill("2019-11-05")
        page.locator("select[name=method]").select_option("implan")
        page.locator("input[name=visit_type][value=baru]").check()
        page.locator("input[name=informed_consent]").check()
        page.get_by_role("button", name=re.compile("Simpan pelayanan|Save the service")).click()
        page.wait_for_load_state("load")
        assert _fits_the_phone(page)
        page.screenshot(path=str(tmp_path / "service.png"), full_page=True)
        assert CampaignService.objects.filter(lokus=singamerta).count() == 1

        # 4. At once in the campaign report and in Kab. Serang's November figures.
        page.goto(f"/baksos/{campaign.pk}/laporan/")
        expect(page.locator("main")).to_contain_text("Singamerta")
        assert _fits_the_phone(page)
        # The totals table: the implant / new acceptor line (its label in Indonesian, the
        # page's language) achieved 1. Cells: label, planned, achieved, %, progress.
        with translation.override("id"):
            implant_new = target_label("svc_implan_baru")
        totals = page.locator("section[aria-labelledby=h-total] table tbody tr")
        row = totals.filter(
            has=page.locator(
                "td:first-child", has_text=re.compile(rf"^\s*{re.escape(implant_new)}\s*✓?\s*$")
            )
        )
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(2)).to_have_text("1")

    report_implants = [
        line.achieved for line in progress(campaign).total if line.key == "svc_implan_baru"
    ]
    assert report_implants == [1]
    november = indicator_values(region=serang, period="2019-11")
    assert november["pa_implant"].value == november_before["pa_implant"].value + 1
    assert november["pb"].value == november_before["pb"].value + 1
