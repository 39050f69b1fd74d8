"""In Chromium: the pages work under the Content-Security-Policy (htmx loads and answers, the
dashboard's charts and the QR code draw, the browser reports no violation), and two-step login
works end to end: enrol from the QR page's secret, log out, log in with a code.

Run with ``pytest -m browser`` (see browser.py)."""

from __future__ import annotations

import re
import time
from base64 import b32decode
from collections.abc import Iterator
from typing import Any

import pytest

from lini.accounts import totp
from lini.accounts.roles import Role
from lini.accounts.tests.factories import TEST_PASSWORD, make_user
from lini.regions.services import bundled_wilayah_csv, read_wilayah_csv, regions_load
from lini.regions.tests.places import CIRUAS, SINGAMERTA
from lini.web.tests.browser import MARKS, phone_page, seed_data_again
from lini.web.tests.browser import sync_api as browser_api

pytestmark = MARKS
sync_api = browser_api()

VIOLATION = re.compile(r"Content Security Policy|Refused to", re.IGNORECASE)


@pytest.fixture
def page(live_server, transactional_db) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    seed_data_again()
    regions_load(rows=read_wilayah_csv(bundled_wilayah_csv(), province="36"))
    with phone_page(live_server.url) as page:
        yield page


def _watch(page: Any) -> list[str]:
    """The console messages of the page that report a CSP violation."""
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if VIOLATION.search(m.text) else None)
    return violations


def _log_in(page: Any, username: str) -> None:
    page.goto("/akun/masuk/")
    page.get_by_label("Bahasa").select_option("en")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_pages_work_under_the_csp(page: Any) -> None:
    make_user(Role.DISTRICT_OFFICER, CIRUAS, username="camat")
    expect = sync_api.expect
    violations = _watch(page)
    _log_in(page, "camat")
    expect(page.get_by_role("heading", name="Your regions")).to_be_visible()
    page.wait_for_load_state("load")
    assert page.evaluate("() => typeof window.htmx") == "object"
    assert page.evaluate("() => window.htmx.config.includeIndicatorStyles") is False
    assert page.locator("head style").count() == 0  # htmx added no inline <style>

    # htmx still answers: the region search of the district page.
    page.goto(f"/wilayah/{CIRUAS}/")
    page.wait_for_load_state("load")
    page.get_by_role("searchbox").fill("singam")
    expect(
        page.locator("#search-results").get_by_role("link", name="Desa Singamerta")
    ).to_be_visible()

    # The dashboard's inline SVG charts and map, drawn with presentation attributes.
    page.goto("/indikator/dasbor/")
    page.wait_for_load_state("load")
    assert page.locator("main svg").count() > 0

    # The API's docs page (Swagger UI from the package's own static files).
    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .info")).to_be_visible()

    # The QR code of the enrolment page.
    page.goto("/akun/dua-langkah/")
    expect(page.locator("svg.qr")).to_be_visible()
    assert page.locator("svg.qr").bounding_box()["width"] > 100
    assert not violations, violations


def test_two_step_login_end_to_end(page: Any) -> None:
    make_user(Role.CADRE, SINGAMERTA, username="kader")
    expect = sync_api.expect
    violations = _watch(page)
    _log_in(page, "kader")
    page.get_by_role("link", name="Two-step login").click()
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8)).hex()
    page.get_by_label("Code from the authenticator app").fill(totp.code_now(key))
    page.get_by_role("button", name="Turn on two-step login").click()
    expect(page.get_by_text("Two-step login is on.").first).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to Lini")).to_be_visible()
    page.get_by_label("Username").fill("kader")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Second step")).to_be_visible()
    # The code of the next 30-second step: the one used to enrol is not accepted twice.
    page.get_by_label("Code from the authenticator app").fill(
        totp.code_now(key, at=time.time() + 30)
    )
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your regions")).to_be_visible()
    assert not violations, violations
