"""Walk every URL pattern under /api/ as anonymous, as the two users out of scope for Kab.
Tangerang (a cadre of Desa Singamerta, a regency officer of Kab. Serang) and as the officer of Kab.
Tangerang, in the page walk's world (lini/web/tests/walk.py; the page walk leaves the ``api:``
names to this walk). API endpoints are called with the user's key, pages (docs, tokens)
with a login. A new URL pattern under /api/ fails this test until it is added to CASES.

- anonymous: an endpoint answers 401 (with WWW-Authenticate), a page sends to the login page;
- out of scope: 403 or 404 (``denied``), or an answer holding nothing of Kab. Tangerang; nothing
  changes;
- in scope: 200 or 201, and the request did its work (``effect``)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.api.models import ApiToken
from lini.api.tests.helpers import Api, key_for
from lini.audit.models import AuditAction, AuditEntry
from lini.exchange.models import DataJob
from lini.kb.models import Service
from lini.poktan.models import PoktanMeeting
from lini.regions.models import Region, RegionKind
from lini.regions.services import subunit_create
from lini.regions.tests.places import (
    KAB_SERANG,
    KAB_TANGERANG,
    KUTA_JAYA,
    PASAR_KEMIS,
    SINGAMERTA,
)
from lini.register.models import ContraceptiveEvent, Family, Member
from lini.register.tests.factories import make_family
from lini.web.tests.walk import World

# The apps whose walk objects (``prepare``) the API cases use.
APPS = ("poktan", "kb", "kampung", "campaigns")

pytestmark = pytest.mark.django_db


def _always(world: World) -> bool:
    return True


@dataclass(frozen=True)
class ApiCase:
    """One request to a URL name. ``page``: a server-rendered page (login, not a key);
    ``denied``: out-of-scope users get 403 or 404; ``shows``: what the in-scope answer holds
    (its text); ``effect``: what the in-scope request must have done."""

    kwargs: Callable[[World], dict[str, object]] = lambda w: {}
    method: str = "get"
    data: dict[str, Any] | Callable[[World], dict[str, Any]] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    page: bool = False
    denied: bool = True
    shows: Callable[[World], str] = lambda w: ""
    effect: Callable[[World], bool] = _always


def _family(w: World) -> dict[str, object]:
    return {"pk": w.family.pk}


def _wife(w: World) -> Member:
    return w.family.members.get(relation="pasangan")


def _couple(w: World) -> dict[str, object]:
    return {"pk": w.family.couples.get().pk}


def _meeting(w: World) -> PoktanMeeting:
    return PoktanMeeting.objects.filter(poktan=w.extra["poktan"]).order_by("pk").first()  # type: ignore[return-value]


def _revealed(model: str) -> Callable[[World], bool]:
    def check(w: World) -> bool:
        return AuditEntry.objects.filter(
            action=AuditAction.VIEW_IDENTITY, model=model, actor=w.tangerang_officer
        ).exists()

    return check


def _token(w: World) -> ApiToken:
    return ApiToken.objects.filter(user=w.tangerang_officer).order_by("pk").first()  # type: ignore[return-value]


KK = "3603121234560001"  # the world's family

CASES: dict[str, list[ApiCase]] = {
    "api:region-list": [
        ApiCase(query={"parent": KAB_TANGERANG}, shows=lambda w: PASAR_KEMIS),
        ApiCase(query={"q": "kuta jaya"}, denied=False, shows=lambda w: KUTA_JAYA),
    ],
    "api:region-detail": [ApiCase(lambda w: {"code": KUTA_JAYA}, shows=lambda w: KUTA_JAYA)],
    "api:family-list": [
        ApiCase(denied=False, shows=lambda w: KUTA_JAYA),
        ApiCase(query={"region": KAB_TANGERANG}, shows=lambda w: KUTA_JAYA),
    ],
    "api:family-detail": [
        ApiCase(_family, shows=lambda w: KUTA_JAYA),
        ApiCase(
            _family,
            method="patch",
            data=lambda w: {"version": w.family.version, "address": "Jl. 9"},
            effect=lambda w: Family.objects.get(pk=w.family.pk).address == "Jl. 9",
        ),
    ],
    "api:family-add-member": [
        ApiCase(
            _family,
            method="post",
            data={
                "nik": "3603120202150003",
                "name": "Bayu",
                "sex": "L",
                "birth_date": "2015-02-02",
                "relation": "anak",
                "marital_status": "belum_kawin",
            },
            effect=lambda w: w.family.members.filter(nik="3603120202150003").exists(),
        ),
    ],
    "api:family-reveal": [
        ApiCase(_family, method="post", shows=lambda w: KK, effect=_revealed("register.family"))
    ],
    "api:member-list": [ApiCase(denied=False, shows=lambda w: _wife(w).name)],
    "api:member-detail": [
        ApiCase(lambda w: {"pk": _wife(w).pk}, shows=lambda w: _wife(w).name),
        ApiCase(
            lambda w: {"pk": _wife(w).pk},
            method="patch",
            data={"name": "Euis Baru"},
            effect=lambda w: w.family.members.filter(name="Euis Baru").exists(),
        ),
    ],
    "api:member-reveal": [
        ApiCase(
            lambda w: {"pk": _wife(w).pk},
            method="post",
            shows=lambda w: _wife(w).nik,
            effect=_revealed("register.member"),
        ),
    ],
    "api:couple-list": [ApiCase(denied=False, shows=lambda w: KUTA_JAYA)],
    "api:couple-detail": [ApiCase(_couple, shows=lambda w: KUTA_JAYA)],
    "api:couple-record-status": [
        ApiCase(
            _couple,
            method="post",
            data={"status": "pakai", "method": "implan", "effective_on": "2019-11-05"},
            effect=lambda w: w.family.couples.get().method == "implan",
        ),
    ],
    "api:couple-record-service": [
        ApiCase(
            _couple,
            method="post",
            data={"served_on": "2019-11-05", "method": "iud", "visit_type": "ganti"},
            effect=lambda w: Service.objects.filter(method="iud").exists(),
        ),
    ],
    "api:service-list": [ApiCase(denied=False, shows=lambda w: KUTA_JAYA)],
    "api:service-detail": [
        ApiCase(lambda w: {"pk": w.extra["kb_service"].pk}, shows=lambda w: KUTA_JAYA)
    ],
    "api:poktan-list": [ApiCase(denied=False, shows=lambda w: w.extra["poktan"].name)],
    "api:poktan-detail": [
        ApiCase(lambda w: {"pk": w.extra["poktan"].pk}, shows=lambda w: w.extra["poktan"].name)
    ],
    "api:poktan-record-meeting": [
        ApiCase(
            lambda w: {"pk": w.extra["poktan"].pk},
            method="post",
            data={"held_on": "2019-11-04", "topic": "Gizi balita", "attendance": 1},
            effect=lambda w: PoktanMeeting.objects.filter(topic="Gizi balita").exists(),
        ),
    ],
    "api:meeting-list": [ApiCase(denied=False, shows=lambda w: _meeting(w).topic)],
    "api:meeting-detail": [
        ApiCase(lambda w: {"pk": _meeting(w).pk}, shows=lambda w: _meeting(w).topic)
    ],
    "api:kampung-list": [ApiCase(denied=False, shows=lambda w: KUTA_JAYA)],
    "api:kampung-detail": [
        ApiCase(lambda w: {"pk": w.extra["kampung"].pk}, shows=lambda w: KUTA_JAYA)
    ],
    "api:campaign-list": [
        ApiCase(denied=False, shows=lambda w: w.extra["campaigns_campaign"].name)
    ],
    "api:campaign-detail": [
        ApiCase(lambda w: {"pk": w.extra["campaigns_campaign"].pk}, shows=lambda w: KUTA_JAYA)
    ],
    "api:indicators": [
        ApiCase(query={"region": KAB_TANGERANG, "period": "2019-10"}, shows=lambda w: "mcpr")
    ],
    "api:report_monthly": [
        ApiCase(query={"region": KAB_TANGERANG, "period": "2019-10"}, shows=lambda w: "36.03")
    ],
    "api:schema": [ApiCase(denied=False, shows=lambda w: "/api/v1/families/")],
    "api:docs": [ApiCase(page=True, denied=False, shows=lambda w: "swagger-ui")],
    "api:token_list": [ApiCase(page=True, denied=False)],
    "api:token_revoke": [
        ApiCase(
            lambda w: {"pk": _token(w).pk},
            method="post",
            page=True,
            effect=lambda w: _token(w).revoked_at is not None,
        ),
    ],
    "api:user_tokens": [
        ApiCase(lambda w: {"pk": w.tangerang_cadre.pk}, page=True, shows=lambda w: "kader")
    ],
}

OUT_OF_SCOPE = ["cadre", "serang_officer"]


def _names(patterns: list[Any], namespace: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


API_NAMES = sorted(n for n in set(_names(get_resolver().url_patterns)) if n.startswith("api:"))
WALK = [(name, index) for name in API_NAMES for index in range(len(CASES.get(name, [])))]


def test_every_api_url_pattern_is_covered() -> None:
    assert API_NAMES, "no API URL patterns found"
    assert set(API_NAMES) == set(CASES), "add new API URL names to CASES (and remove old ones)"
    assert all(CASES[name] for name in API_NAMES), "every API URL name needs a case"


def _url(name: str, case: ApiCase, world: World) -> str:
    return reverse(name, kwargs=case.kwargs(world))


def _data(case: ApiCase, world: World) -> dict[str, Any]:
    return case.data(world) if callable(case.data) else case.data


def _call(client: Client, name: str, case: ApiCase, world: World, user: User | None) -> Any:
    url, data = _url(name, case, world), _data(case, world)
    if case.page:
        if user is not None:
            client.force_login(user)
        if case.method == "get":
            return client.get(url, case.query)
        return getattr(client, case.method)(url, data)
    api = Api(client, key_for(user, name="walk") if user is not None else None)
    if case.method == "get":
        return api.get(url, case.query)
    return getattr(api, case.method)(url, data)


def _state(world: World) -> tuple[object, ...]:
    """What an out-of-scope or anonymous request must not change."""
    return (
        list(Family.objects.order_by("pk").values_list("kk_number", "address", "version")),
        list(Member.objects.order_by("pk").values_list("nik", "name")),
        list(ContraceptiveEvent.objects.order_by("pk").values_list("pk", "method")),
        list(Service.objects.order_by("pk").values_list("pk", "method")),
        list(PoktanMeeting.objects.order_by("pk").values_list("pk", "topic")),
        AuditEntry.objects.filter(action=AuditAction.VIEW_IDENTITY).count(),
        list(ApiToken.objects.filter(revoked_at__isnull=False).values_list("pk", flat=True)),
    )


@pytest.fixture
def api_world() -> World:
    """The page walk's world: Kab. Tangerang's objects, its officer and cadre, and the two users
    out of scope; with the poktan, KB, Kampung KB and campaign objects of those apps' walks."""
    officer = make_user(Role.REGENCY_OFFICER, KAB_TANGERANG)
    world = World(
        cadre=make_user(Role.CADRE, SINGAMERTA),
        serang_officer=make_user(Role.REGENCY_OFFICER, KAB_SERANG),
        tangerang_officer=officer,
        tangerang_cadre=make_user(Role.CADRE, KUTA_JAYA, username="kader.tangerang"),
        tangerang_dusun=subunit_create(
            actor=None, parent=Region.objects.get(code=KUTA_JAYA), kind=RegionKind.DUSUN,
            name="Krajan",
        ),
        family=make_family(
            KUTA_JAYA, kk=KK, head_nik="3603120808800012", wife_nik="3603124808820013"
        ),
        job=DataJob.objects.create(direction="import", kind="register", user=officer),
    )  # fmt: skip
    for app in APPS:
        importlib.import_module(f"lini.{app}.tests.walk").prepare(world)
    key_for(world.tangerang_officer, name="officer's laptop")
    key_for(world.tangerang_cadre, name="kader tangerang")
    return world


@pytest.mark.parametrize(("name", "index"), WALK)
def test_anonymous_requests_are_refused(
    client: Client, api_world: World, name: str, index: int
) -> None:
    case = CASES[name][index]
    before = _state(api_world)
    response = _call(client, name, case, api_world, None)
    if case.page:
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    else:
        assert response.status_code == 401, response.status_code
        assert response.headers["WWW-Authenticate"].startswith("Token")
    assert _state(api_world) == before


@pytest.mark.parametrize("actor", OUT_OF_SCOPE)
@pytest.mark.parametrize(("name", "index"), WALK)
def test_out_of_scope_users_get_nothing_of_tangerang(
    client: Client, api_world: World, name: str, index: int, actor: str
) -> None:
    case = CASES[name][index]
    before = _state(api_world)
    response = _call(client, name, case, api_world, api_world.out_of_scope(actor))
    if case.denied:
        assert response.status_code in (403, 404), response.status_code
    else:
        assert response.status_code == 200, response.status_code
        body = response.content.decode().lower()
        assert "tangerang" not in body
        assert "36.03." not in body
        assert KK not in body
    assert _state(api_world) == before, "an out-of-scope request changed data"


@pytest.mark.parametrize(("name", "index"), WALK)
def test_the_same_requests_work_for_the_officer_in_scope(
    client: Client, api_world: World, name: str, index: int
) -> None:
    case = CASES[name][index]
    response = _call(client, name, case, api_world, api_world.tangerang_officer)
    if case.page and case.method == "post":
        assert response.status_code == 302
        assert not response.url.startswith(reverse("accounts:login"))
    else:
        assert response.status_code in (200, 201), (response.status_code, response.content[:300])
        assert case.shows(api_world) in response.content.decode()
    assert case.effect(api_world), "the request was accepted but did not do its work"
