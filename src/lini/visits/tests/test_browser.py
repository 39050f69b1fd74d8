"""The due list on a phone, in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright)
with no network: a cadre of Singamerta opens the week in which a couple on 3-monthly injections
is due, taps "served" on its item, and the family leaves the list while the KB service is
recorded (issue 9: "Recording 'served' from the list creates the service and removes the family
from the list, tested in a browser on a phone-sized window").

    LINI_REQUIRE_BROWSER=1 .venv/bin/pytest -m browser src/lini/visits
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from importlib import import_module

import pytest

from django.apps import apps

from lini.accounts.roles import Role
from lini.accounts.tests.factories import TEST_PASSWORD, make_user
from lini.core import clock
from lini.kb.choices import Product, VisitType
from lini.kb.models import Service
from lini.regions.services import bundled_wilayah_csv, read_wilayah_csv, regions_load
from lini.register.choices import KBStatus, Method, NotUsingReason
from lini.register.models import Couple
from lini.register.records import StatusRecord
from lini.visits.models import Visit
from lini.visits.tests.test_views import injectable_user, make_household
from lini.web.tests.browser import MARKS, phone_page, seed_data_again
from lini.web.tests.browser import sync_api as browser_api

pytestmark = MARKS
sync_api = browser_api()

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def page(live_server, transactional_db, settings) -> Iterator[object]:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = dt.date(2019, 11, 1)  # a Friday of 2019-W44 (28 Oct - 3 Nov)
    # A live-server test runs with transactional_db, whose flush empties the seeded tables too.
    seed_data_again()
    import_module("lini.visits.migrations.0002_seed_rules").seed(apps, None)
    regions_load(rows=read_wilayah_csv(bundled_wilayah_csv(), province="36"))
    with phone_page(live_server.url) as page:
        page.set_viewport_size(PHONE)
        yield page


def _fits_the_phone(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_cadre_taps_served_and_the_family_leaves_the_list(page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    expect = sync_api.expect
    place = {"dusun": "Krajan", "rw": "002", "rt": "001"}
    siti = injectable_user(1, "Siti Aminah", "2019-08-01", **place)  # due Thu 31 Oct
    nur = injectable_user(2, "Nur Hayati", "2019-06-20", **place)  # overdue since 18 Oct
    make_user(Role.CADRE, "36.04.09.2013", username="kader.singamerta")

    page.goto("/akun/masuk/")
    page.get_by_label("Nama pengguna").fill("kader.singamerta")
    page.get_by_label("Kata sandi").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state("load")

    page.goto("/kunjungan/?minggu=2019-W44")
    page.wait_for_load_state("load")  # htmx (deferred) is ready before the first tap
    card = page.locator(f"#family-{siti.family_id}")
    expect(card).to_contain_text("Siti Aminah")
    expect(page.locator(f"#family-{nur.family_id}")).to_contain_text("Nur Hayati")
    expect(page.locator("#due-counts dd").first).to_have_text("2")
    assert _fits_the_phone(page), "the due list is wider than the phone"

    # Two taps: open the item's outcomes, then "served".
    card.locator("details.due-record summary").click()
    served = card.locator("button[name=outcome][value=served]")
    expect(served).to_be_visible()
    page.screenshot(path=str(tmp_path / "due-list.png"), full_page=True)
    assert _fits_the_phone(page), "the open outcome buttons are wider than the phone"
    served.click()

    # htmx swapped the card for a confirmation, on the same page; the counts followed.
    expect(page.locator(f"#family-{siti.family_id}.due-done")).to_be_visible()
    expect(page.get_by_text("Siti Aminah")).to_have_count(0)
    expect(page.locator("#due-counts dd").first).to_have_text("1")
    expect(page.locator(f"#family-{nur.family_id}")).to_contain_text("Nur Hayati")
    assert page.url.endswith("/kunjungan/?minggu=2019-W44")
    assert _fits_the_phone(page)
    page.screenshot(path=str(tmp_path / "due-list-served.png"), full_page=True)

    assert Service.objects.filter(couple=siti).count() == 2  # the injection of 1 Aug, and today's
    service = Service.objects.filter(couple=siti).latest("pk")
    assert (service.method, service.product, service.visit_type, service.served_on) == (
        Method.INJECTABLE, Product.INJECTABLE_3M, VisitType.REPEAT, clock.today(),
    )  # fmt: skip
    assert Visit.objects.get(family_id=siti.family_id).service == service
    assert not Service.objects.filter(couple=nur, served_on=clock.today()).exists()

    # Without a connection, a tap says that nothing was recorded (static/lini/due.js).
    page.context.set_offline(True)
    other = page.locator(f"#family-{nur.family_id}")
    other.locator("details.due-record summary").click()
    other.locator("button[name=outcome][value=not_home]").click()
    expect(other.locator(".due-failed")).to_be_visible()
    page.context.set_offline(False)
    assert not Visit.objects.filter(family_id=nur.family_id).exists()

    # Read again from the server: the family is no longer on the week's list.
    page.reload()
    page.wait_for_load_state("load")
    expect(page.locator(f"#family-{siti.family_id}")).to_have_count(0)
    expect(page.locator(f"#family-{nur.family_id}")).to_be_visible()
    assert _fits_the_phone(page)


def test_served_with_a_method_chosen_on_the_family_page(page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Unmet need: "served" opens the family page's short form (method, product, visit type,
    date); saving goes back to the list, without the family."""
    expect = sync_api.expect
    rina = Couple.objects.get(
        family=make_household(
            3, "Rina Marlina", dusun="Babakan", rw="004", rt="001",
            status=StatusRecord(
                status=KBStatus.NOT_USING, reason=NotUsingReason.WANTS_TO_DELAY,
                since=dt.date(2019, 5, 1),
            ),
        )
    )  # fmt: skip
    make_user(Role.CADRE, "36.04.09.2013", username="kader.singamerta")
    page.goto("/akun/masuk/")
    page.get_by_label("Nama pengguna").fill("kader.singamerta")
    page.get_by_label("Kata sandi").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state("load")

    page.goto("/kunjungan/?minggu=2019-W44")
    page.wait_for_load_state("load")
    card = page.locator(f"#family-{rina.family_id}")
    card.locator("details.due-record summary").click()
    card.locator("a.button.primary").click()
    page.wait_for_load_state("load")
    expect(page.locator("#serve")).to_be_visible()
    expect(page.locator("#id_visited_on")).to_have_value("2019-11-01")
    assert _fits_the_phone(page), "the family page is wider than the phone"
    page.select_option("#id_method", Method.INJECTABLE)
    page.select_option("#id_product", Product.INJECTABLE_3M)
    page.locator(f"input[name=visit_type][value={VisitType.NEW}]").check()
    page.screenshot(path=str(tmp_path / "due-family.png"), full_page=True)
    page.locator("#serve button[type=submit]").click()
    page.wait_for_load_state("load")

    assert page.url.endswith("/kunjungan/?minggu=2019-W44"), page.url
    expect(page.locator(".messages .success")).to_be_visible()
    expect(page.locator(f"#family-{rina.family_id}")).to_have_count(0)
    service = Service.objects.get(couple=rina)
    assert (service.method, service.product, service.visit_type, service.served_on) == (
        Method.INJECTABLE, Product.INJECTABLE_3M, VisitType.NEW, clock.today(),
    )  # fmt: skip
    rina.refresh_from_db()
    assert (rina.status, rina.method) == (KBStatus.USING, Method.INJECTABLE)
