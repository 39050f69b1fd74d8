"""End-to-end in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Run with ``./dev.sh test-browser`` (``pytest -m browser``); CI installs Chromium first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from lini.accounts.roles import Role
from lini.accounts.tests.factories import TEST_PASSWORD, make_user
from lini.regions.services import bundled_wilayah_csv, read_wilayah_csv, regions_load
from lini.regions.tests.places import BANTEN, CIRUAS, KAB_SERANG, KAB_TANGERANG, SINGAMERTA
from lini.web.tests.browser import MARKS, phone_page, seed_data_again
from lini.web.tests.browser import sync_api as browser_api

pytestmark = MARKS
sync_api = browser_api()


@pytest.fixture
def page(live_server, transactional_db) -> Iterator[object]:  # type: ignore[no-untyped-def]
    seed_data_again()
    regions_load(rows=read_wilayah_csv(bundled_wilayah_csv(), province="36"))
    with phone_page(live_server.url) as page:
        yield page


def _fits_the_phone(page) -> bool:  # type: ignore[no-untyped-def]
    """Nothing wider than the 360 px viewport, measured once the page and its stylesheet have
    loaded (a click only waits for the next page to start)."""
    page.wait_for_load_state("load")
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_pkb_of_ciruas_drills_down_to_singamerta_and_is_refused_tangerang(page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    make_user(Role.COUNSELLOR, CIRUAS, username="pkb.ciruas")
    expect = sync_api.expect

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/akun/masuk/"))
    page.get_by_label("Nama pengguna").fill("pkb.ciruas")
    page.get_by_label("Kata sandi").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", name="Wilayah Anda")).to_be_visible()
    expect(page.get_by_role("link", name="Kec. Ciruas")).to_be_visible()

    page.get_by_role("link", name="Wilayah").first.click()
    page.get_by_role("link", name="Banten", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/wilayah/{BANTEN}/$"))
    expect(page.get_by_role("link", name="Kabupaten Tangerang")).to_have_count(0)
    page.get_by_role("link", name="Kabupaten Serang").click()
    expect(page).to_have_url(re.compile(rf"/wilayah/{KAB_SERANG}/$"))
    page.get_by_role("link", name="Kec. Ciruas").click()
    page.get_by_role("link", name="Desa Singamerta").click()
    expect(page).to_have_url(re.compile(rf"/wilayah/{SINGAMERTA}/$"))
    breadcrumbs = page.get_by_role("navigation", name="Jejak navigasi")
    for name in ("Indonesia", "Banten", "Kabupaten Serang", "Kec. Ciruas"):
        expect(breadcrumbs.get_by_role("link", name=name, exact=True)).to_be_visible()
    page.screenshot(path=str(tmp_path / "singamerta.png"), full_page=True)

    # The page fits a 360 px phone screen: nothing wider than the viewport.
    assert _fits_the_phone(page)

    # Search answers as the user types (htmx), inside the scope only.
    page.get_by_role("link", name="Kec. Ciruas").first.click()
    expect(page).to_have_url(re.compile(rf"/wilayah/{CIRUAS}/$"))
    page.wait_for_load_state("load")  # htmx is loaded (deferred) before we type
    page.get_by_role("searchbox").fill("singam")
    expect(
        page.locator("#search-results").get_by_role("link", name="Desa Singamerta")
    ).to_be_visible()
    page.get_by_role("searchbox").fill("kuta jaya")
    expect(page.locator("#search-results")).to_contain_text("Tidak ditemukan")

    for code in (KAB_TANGERANG, "36.03.12", "36.03.12.1012"):
        response = page.goto(f"/wilayah/{code}/")
        assert response is not None
        assert response.status == 403, code
        expect(page.get_by_role("heading", name="Tidak diizinkan")).to_be_visible()


def test_language_switch_to_english(page) -> None:  # type: ignore[no-untyped-def]
    make_user(Role.CADRE, SINGAMERTA, username="kader")
    page.goto("/akun/masuk/")
    page.get_by_label("Bahasa").select_option("en")
    expect = sync_api.expect
    expect(page.get_by_role("heading", name="Log in to Lini")).to_be_visible()
    page.get_by_label("Username").fill("kader")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your regions")).to_be_visible()


def test_a_cadre_records_a_change_of_kb_status_on_a_phone(page) -> None:  # type: ignore[no-untyped-def]
    from lini.register.models import Couple
    from lini.register.tests.factories import make_family

    make_user(Role.CADRE, SINGAMERTA, username="kader")
    family = make_family(
        SINGAMERTA, kk="3604091234560001", head_nik="3604090808800012", wife_nik="3604094808820013"
    )
    expect = sync_api.expect
    page.goto("/akun/masuk/")
    page.get_by_label("Nama pengguna").fill("kader")
    page.get_by_label("Kata sandi").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.goto(f"/keluarga/wilayah/{SINGAMERTA}/")
    page.get_by_role("searchbox").fill("Euis")
    page.get_by_role("button", name="Cari").click()
    page.get_by_role("link", name="Dadang").click()
    expect(page.get_by_text("3604********0001")).to_be_visible()  # a cadre sees masked numbers
    page.get_by_text("Catat perubahan status KB").click()
    page.get_by_role("radio", name="tidak ber-KB").check()
    page.get_by_label("Alasan tidak ber-KB").select_option("hamil")
    page.get_by_label("Sejak").fill("2019-11-03")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Status KB tercatat.")).to_be_visible()
    expect(page.locator("ol.history li")).to_have_count(2)
    assert _fits_the_phone(page)
    couple = Couple.objects.get(family=family)
    assert (couple.status, couple.reason) == ("tidak_pakai", "hamil")


def test_a_pkb_records_a_poktan_meeting_and_a_kb_service_on_a_phone(page) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from lini.kb.models import Service
    from lini.poktan.models import PoktanMeeting
    from lini.poktan.services import poktan_member_add, poktan_save
    from lini.regions.models import Region
    from lini.register.models import Couple
    from lini.register.tests.factories import make_family

    make_user(Role.COUNSELLOR, CIRUAS, username="pkb.ciruas")
    family = make_family(
        SINGAMERTA, kk="3604091234560001", head_nik="3604090808800012", wife_nik="3604094808820013"
    )  # the wife uses the pill since 2018
    group = poktan_save(
        actor=None, village=Region.objects.get(code=SINGAMERTA), kind="bkb", name="Melati",
        formed_on=dt.date(2019, 1, 10),
    )  # fmt: skip
    poktan_member_add(actor=None, poktan=group, family=family)
    expect = sync_api.expect

    page.goto("/akun/masuk/")
    page.get_by_label("Nama pengguna").fill("pkb.ciruas")
    page.get_by_label("Kata sandi").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Masuk").click()

    # A poktan meeting: from the list of groups to the group, then its meeting form.
    page.goto("/poktan/")
    page.locator(f"main a[href='{group.get_absolute_url()}']").first.click()
    expect(page).to_have_url(re.compile(rf"{group.get_absolute_url()}$"))
    page.locator("main a[href$='/pertemuan/baru/']").first.click()
    page.locator("input[name=held_on]").fill("2019-11-05")
    page.locator("input[name=topic]").fill("Stimulasi tumbuh kembang balita")
    page.locator("input[name=attendees]").first.check()
    assert _fits_the_phone(page)
    page.locator("main form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(rf"{group.get_absolute_url()}$"))
    expect(page.get_by_text("Stimulasi tumbuh kembang balita")).to_be_visible()
    meeting = PoktanMeeting.objects.get(poktan=group)
    assert (meeting.held_on, meeting.attendance) == (dt.date(2019, 11, 5), 1)
    assert list(meeting.attendees.all()) == [family]

    # A KB service: from the family page, the couple switches from the pill to an implant.
    page.goto(family.get_absolute_url())
    page.locator("main a[href*='/pelayanan/pasangan/']").first.click()
    page.locator("input[name=served_on]").fill("2019-11-06")
    page.locator("select[name=method]").select_option("implan")
    page.locator("input[name=visit_type][value=ganti]").check()
    page.locator("input[name=informed_consent]").check()
    assert _fits_the_phone(page)
    page.locator("main form button[type=submit]").last.click()
    couple = Couple.objects.get(family=family)
    assert (couple.status, couple.method, couple.status_since) == (
        "pakai", "implan", dt.date(2019, 11, 6),
    )  # fmt: skip
    service = Service.objects.get(couple=couple)
    assert service.event is not None
    assert (service.visit_type, service.informed_consent) == ("ganti", True)
    page.goto(family.get_absolute_url())
    expect(page.locator("ol.history li")).to_have_count(2)  # the pill, then the implant
    assert _fits_the_phone(page)
