"""What every browser test shares: Debian's Chromium driven by Playwright, a 360 px phone window
on the live server, and no network (any request outside the live server is aborted, and the test
fails if a page asked for one).

Run with ``./dev.sh test-browser`` (``pytest -m browser``), which sets LINI_REQUIRE_BROWSER so
that a missing browser fails instead of skipping; CI installs Chromium first.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("LINI_CHROMIUM", "/usr/bin/chromium"))
# No network: Chromium must not try to reach Google's services on this closed machine.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRED = bool(os.environ.get("LINI_REQUIRE_BROWSER"))
MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not REQUIRED, reason=f"Chromium not found at {CHROMIUM}"
    ),
]


def sync_api() -> Any:
    """Playwright's sync API (a test module without it is skipped unless a browser is required)."""
    if REQUIRED:
        from playwright import sync_api as api

        return api
    return pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@contextlib.contextmanager
def phone_page(base_url: str, **context_options: Any) -> Iterator[Any]:
    """A page of a fresh 360 x 740 Chromium window (Indonesian locale) on ``base_url``."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between browser steps are ordinary synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api().sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(
                viewport={"width": 360, "height": 740}, locale="id-ID", base_url=base_url,
                **context_options,
            )  # fmt: skip
            blocked: list[str] = []

            def only_local(route: Any) -> None:
                if route.request.url.startswith(base_url):
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort()

            context.route("**/*", only_local)
            yield context.new_page()
            context.close()
            browser.close()
            assert not blocked, f"pages asked for outside resources: {blocked}"
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def seed_data_again() -> None:
    """Put back the rows that migrations seed (the indicator catalog, the due-list rules). A
    browser test runs on a
    live server with ``transactional_db``, whose flush after each test empties every table,
    seeded ones included; a later browser test needs them again."""
    from importlib import import_module

    from django.apps import apps

    import_module("lini.indicators.migrations.0002_seed_catalog").seed(apps, None)
    import_module("lini.visits.migrations.0002_seed_rules").seed(apps, None)
