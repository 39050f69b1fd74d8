"""The dashboard in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) with no
network: the map of Banten's regencies is drawn from the vendored boundaries, and a chart's PNG
is made in the browser.

    LINI_REQUIRE_BROWSER=1 .venv/bin/pytest -m browser src/lini/indicators/tests/test_dashboard_browser.py
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from lini.accounts.roles import Role
from lini.accounts.tests.factories import TEST_PASSWORD, make_user
from lini.indicators import maps
from lini.indicators.tests.helpers import put_counts
from lini.regions.services import bundled_wilayah_csv, read_wilayah_csv, regions_load
from lini.regions.tests.places import BANTEN, KUTA_JAYA, PULO, SINGAMERTA
from lini.web.tests.browser import MARKS, phone_page, seed_data_again
from lini.web.tests.browser import sync_api as browser_api

pytestmark = MARKS
sync_api = browser_api()

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def page(live_server, transactional_db) -> Iterator[object]:  # type: ignore[no-untyped-def]
    seed_data_again()
    regions_load(rows=read_wilayah_csv(bundled_wilayah_csv(), province="36"))
    with phone_page(live_server.url, accept_downloads=True) as page:
        yield page


def test_the_map_of_banten_and_a_png_on_a_phone(page, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = dt.date(2019, 11, 15)
    october = dt.date(2019, 10, 1)
    put_counts(SINGAMERTA, october, villages=1, pus=10, pa=6, pa_pil=4, pa_iud=2)
    put_counts(PULO, october, villages=1, pus=10, pa=2, pa_pil=2)
    put_counts(KUTA_JAYA, october, villages=1, pus=10, pa=9, pa_suntik=9)
    make_user(Role.PROVINCE_OFFICER, BANTEN, username="provinsi")
    expect = sync_api.expect

    page.goto("/akun/masuk/")
    page.get_by_label("Nama pengguna").fill("provinsi")
    page.get_by_label("Kata sandi").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", name="Wilayah Anda")).to_be_visible()

    page.goto(f"/indikator/dasbor/?region={BANTEN}&period=2019-10&map=kabupaten")
    page.wait_for_load_state("load")
    paths = page.locator("#chart-map g.areas path")
    expect(paths).to_have_count(8)
    fills = paths.evaluate_all("(ps) => ps.map((p) => getComputedStyle(p).fill)")
    assert len(fills) == 8
    assert all(re.fullmatch(r"rgb\(\d+, \d+, \d+\)", f) for f in fills)
    serang = page.locator("#chart-map path[data-code='36.04']").get_attribute("fill")
    tangerang = page.locator("#chart-map path[data-code='36.03']").get_attribute("fill")
    pandeglang = page.locator("#chart-map path[data-code='36.01']").get_attribute("fill")
    # Serang 40 %, Tangerang 90 %: two different classes; Pandeglang has no data.
    assert serang in maps.SCALE
    assert tangerang == maps.SCALE[-1]
    assert serang != tangerang
    assert pandeglang == maps.NO_VALUE
    box = page.locator("#chart-map").bounding_box()
    assert box is not None
    assert 300 < box["width"] <= 360
    assert box["height"] > 250
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    for chart in ("map", "trend"):
        button = page.locator(f"button[data-png='chart-{chart}']")
        expect(button).to_be_visible()
        with page.expect_download() as info:
            button.click()
        download = info.value
        assert download.suggested_filename == f"lini-dasbor-{chart}-{BANTEN}-2019-10.png"
        data = Path(download.path()).read_bytes()
        assert data.startswith(PNG_SIGNATURE)
        assert len(data) > 5000

    # Drill down from the map: a regency in scope is a link to its own dashboard.
    page.locator("#chart-map a:has(path[data-code='36.04'])").click()
    expect(page).to_have_url(re.compile(r"region=36\.04&"))
    expect(page.locator("#chart-map g.areas path")).to_have_count(155)
