"""Schemathesis against the API's own OpenAPI schema, through the WSGI application: for every
operation, a few generated requests (valid ones and invalid ones) with the key of an officer in
scope; no answer may be a server error, every answer must match the schema (its status codes,
content type and body), and requests the schema calls invalid must be refused. Path ids are those of real records in scope, so the writes reach the
services' checks. Runs in the normal suite, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.api.tests.conftest import Places
from lini.api.tests.helpers import key_for
from lini.regions.tests.places import KAB_TANGERANG

pytestmark = pytest.mark.django_db

EXAMPLES = 6  # per operation: the suite stays fast; CI runs it on every push


@pytest.fixture
def _one_connection() -> Iterator[None]:
    """Requests run inside the test's transaction: the WSGI handler must not close the
    connection between requests (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth(places: Places) -> dict[str, str]:
    officer = make_user(Role.REGENCY_OFFICER, KAB_TANGERANG)
    return {"Authorization": f"Token {key_for(officer)}"}


def _schema() -> schemathesis.BaseSchema:
    """The schema the API serves at /api/v1/schema/ (generated the same way, here at collection
    time: pytest makes one test of each operation), bound to the WSGI application."""
    raw = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(raw)))
    loaded.app = get_wsgi_application()
    return loaded


schema = _schema()


def _ids(places: Places) -> dict[str, object]:
    """The first path segment after /api/v1/ -> the id (or code) of a Kuta Jaya record."""
    here = places.tangerang
    return {
        "families": here.family.pk, "members": here.wife.pk, "couples": here.couple.pk,
        "services": here.service.pk, "poktan": here.poktan.pk,
        "poktan-meetings": here.meeting.pk, "kampung": here.kampung.pk,
        "campaigns": here.campaign.pk, "regions": here.village.code,
    }  # fmt: skip


def _valid(case: schemathesis.Case, location: ParameterLocation) -> bool:
    """Whether the case's ``location`` holds valid data (not a negative test of it)."""
    info = case.meta.components.get(location) if case.meta is not None else None
    return info is None or info.mode == GenerationMode.POSITIVE


@pytest.mark.usefixtures("_one_connection")
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_as_its_schema_says(
    case: schemathesis.Case, auth: dict[str, str], places: Places
) -> None:
    # The key, and the ids of real records, replace what was generated, unless the case tests
    # an invalid value there (a missing key must get 401, an id that is no number 404).
    headers = auth if _valid(case, ParameterLocation.HEADER) else None
    if case.path_parameters and _valid(case, ParameterLocation.PATH):
        segment = case.operation.path.removeprefix("/api/v1/").split("/")[0]
        for name in case.path_parameters:
            case.path_parameters[name] = _ids(places)[segment]
    # Valid by the schema is not valid by the services: a couple using KB without a method, a
    # meeting of more families than the group has... are refused with 400 (documented), so
    # the check that schema-valid data is accepted does not apply.
    case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
