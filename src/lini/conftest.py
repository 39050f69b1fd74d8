"""Shared pytest fixtures. Tests use a real database (SQLite, or PostgreSQL through
LINI_DATABASE_URL); the test database holds Banten's regions from the start."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from django.test import Client
from django.utils import translation

from lini.accounts.models import User
from lini.accounts.tests.factories import make_user
from lini.regions.services import bundled_wilayah_csv, read_wilayah_csv, regions_load


@pytest.fixture(autouse=True)
def _fast_test_settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Rewriting a village's indicator counts after every change costs a few milliseconds each;
    # the suite makes thousands of changes. Tests of the counts turn it on (``live_counts``).
    settings.LINI_COUNTS_LIVE = False


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """A page request activates its language on the thread (as Django's LocaleMiddleware does)
    and nothing switches it back: reset it after each test, so no test runs in the language a
    previous test's request left behind."""
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> None:  # type: ignore[no-untyped-def]
    """Load Banten (36) once into the test database; each test then rolls back its own changes."""
    with django_db_blocker.unblock():
        regions_load(rows=read_wilayah_csv(bundled_wilayah_csv(), province="36"))


@pytest.fixture
def user_factory(db) -> Callable[..., User]:  # type: ignore[no-untyped-def]
    return make_user


@pytest.fixture
def login(client: Client) -> Callable[[User], Client]:
    def _login(user: User) -> Client:
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def live_counts(settings) -> None:  # type: ignore[no-untyped-def]
    """The indicator counts follow every change, as in production."""
    settings.LINI_COUNTS_LIVE = True
