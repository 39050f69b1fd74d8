"""Walk every URL pattern as anonymous, as two users out of scope for Kab. Tangerang (a cadre of
Desa Singamerta, and a regency officer of Kab. Serang who may manage accounts) and as an officer of
Kab. Tangerang (in scope). A new URL pattern fails this test until it is added to CASES."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.exchange.jobs import jobs_dir
from lini.exchange.models import DataJob
from lini.odk.tests.helpers import basic
from lini.regions.models import Region, RegionKind
from lini.regions.services import subunit_create
from lini.regions.tests.places import KAB_SERANG, KAB_TANGERANG, KUTA_JAYA, SINGAMERTA
from lini.register.models import ContraceptiveEvent, Family, Member
from lini.register.tests.factories import make_family
from lini.web.tests.walk import Case, World, app_walks

pytestmark = pytest.mark.django_db

PUBLIC = {"accounts:login", "accounts:login_code", "set_language", "web:privacy"}
# OpenRosa endpoints (lini.odk) take HTTP Basic credentials on each request, never the session:
# anonymous gets 401 with the challenge; the walk's users send their password. A submission naming
# a village outside the sender's regions is kept for review and answered 202, never applied.
OPENROSA = {
    "odk:form_list", "odk:form_download", "odk:form_manifest", "odk:media_download",
    "odk:submission",
}  # fmt: skip


CASES: dict[str, Case] = {
    "web:home": Case(denied=False),
    "web:privacy": Case(denied=False),
    "regions:region_index": Case(denied=False),
    "regions:region_search": Case(denied=False, query="?q=36.03"),  # Kab. Tangerang
    "regions:region_detail": Case(lambda w: {"code": KAB_TANGERANG}),
    "regions:subunit_create": Case(
        lambda w: {"code": KUTA_JAYA},
        method="post",
        data={"kind": "rw", "number": "7"},
        effect=lambda w: Region.objects.filter(code=f"{KUTA_JAYA}.RW007").exists(),
    ),
    "regions:subunit_edit": Case(
        lambda w: {"code": w.tangerang_dusun.code},
        method="post",
        data={"name": "Krajan Baru"},
        effect=lambda w: Region.objects.get(pk=w.tangerang_dusun.pk).name == "Krajan Baru",
    ),
    "regions:subunit_delete": Case(
        lambda w: {"code": w.tangerang_dusun.code},
        method="post",
        effect=lambda w: not Region.objects.filter(pk=w.tangerang_dusun.pk).exists(),
    ),
    "accounts:login": Case(denied=False),
    "accounts:logout": Case(denied=False, method="post"),
    "accounts:password_change": Case(denied=False),
    "accounts:user_list": Case(denied=False),
    "accounts:user_create": Case(denied=False),
    "accounts:user_edit": Case(lambda w: {"pk": w.tangerang_cadre.pk}),
    "accounts:user_password": Case(
        lambda w: {"pk": w.tangerang_cadre.pk},
        method="post",
        data={"password": "a-new-pass-1234"},
        effect=lambda w: User.objects.get(pk=w.tangerang_cadre.pk).check_password(
            "a-new-pass-1234"
        ),
    ),
    "audit:entry_list": Case(denied=False),
    "set_language": Case(denied=False, method="post", data={"language": "en", "next": "/"}),
    "exchange:import_start": Case(denied=False),
    "exchange:export_start": Case(denied=False),
    "exchange:template_download": Case(
        lambda w: {"kind": "register", "suffix": "csv"}, denied=False
    ),
    "exchange:job_detail": Case(lambda w: {"token": w.job.token}),
    "exchange:job_download": Case(lambda w: {"token": w.job.token}),
    "exchange:job_run_for_real": Case(
        lambda w: {"token": w.job.token},
        method="post",
        effect=lambda w: DataJob.objects.filter(dry_run=False, user=w.tangerang_officer).exists(),
    ),
    "register:family_list": Case(lambda w: {"code": KUTA_JAYA}),
    "register:family_create": Case(
        lambda w: {"code": KUTA_JAYA},
        method="post",
        data={
            "kk_number": "3603121111110001",
            "head-nik": "3603120101800001",
            "head-name": "Asep",
            "head-sex": "L",
            "head-birth_date": "1980-01-01",
            "head-relation": "kepala",
            "head-marital_status": "belum_kawin",
            "head-presence": "ada",
        },
        effect=lambda w: Family.objects.filter(kk_number="3603121111110001").exists(),
    ),
    "register:family_detail": Case(lambda w: {"pk": w.family.pk}),
    "register:family_edit": Case(
        lambda w: {"pk": w.family.pk},
        method="post",
        data={"address": "Jl. Baru 9"},
        effect=lambda w: Family.objects.get(pk=w.family.pk).address == "Jl. Baru 9",
    ),
    "register:member_create": Case(
        lambda w: {"pk": w.family.pk},
        method="post",
        data={
            "nik": "3603120202150003",
            "name": "Bayu",
            "sex": "L",
            "birth_date": "2015-02-02",
            "relation": "anak",
            "marital_status": "belum_kawin",
            "presence": "ada",
        },
        effect=lambda w: w.family.members.filter(nik="3603120202150003").exists(),
    ),
    "register:member_edit": Case(
        lambda w: {"pk": w.family.pk, "member_pk": w.family.members.get(relation="kepala").pk},
        method="post",
        data={
            "name": "Dadang Baru",
            "sex": "L",
            "birth_date": "1980-08-08",
            "relation": "kepala",
            "marital_status": "kawin",
            "presence": "ada",
        },
        effect=lambda w: w.family.members.filter(name="Dadang Baru").exists(),
    ),
    "register:couple_status": Case(
        lambda w: {"pk": w.family.pk, "couple_pk": w.family.couples.get().pk},
        method="post",
        data={"status": "pakai", "method": "implan", "effective_on": "2019-11-05"},
        effect=lambda w: w.family.couples.get().method == "implan",
    ),
}


APP_WALKS = app_walks()
for _walk in APP_WALKS:
    assert not set(_walk.CASES) & set(CASES), f"{_walk.__name__} repeats URL names"
    CASES.update(_walk.CASES)


def _names(patterns: list, namespace: str = "") -> Iterator[str]:  # type: ignore[type-arg]
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


# The API's URL names (api:...) are walked, and required to be covered, by
# lini/api/tests/test_api_walk.py (with keys, 401 for anonymous requests).
ALL_NAMES = sorted(n for n in set(_names(get_resolver().url_patterns)) if not n.startswith("api:"))
OUT_OF_SCOPE = ["cadre", "serang_officer"]


def test_every_url_pattern_is_covered() -> None:
    assert set(ALL_NAMES) == set(CASES), "add new URL names to CASES (and remove old ones)"


@pytest.fixture
def world() -> World:
    dusun = subunit_create(
        actor=None, parent=Region.objects.get(code=KUTA_JAYA), kind=RegionKind.DUSUN, name="Krajan"
    )
    family = make_family(
        KUTA_JAYA, kk="3603121234560001", head_nik="3603120808800012", wife_nik="3603124808820013"
    )
    officer = make_user(Role.REGENCY_OFFICER, KAB_TANGERANG)
    home = jobs_dir()
    job = DataJob.objects.create(
        direction="import", kind="register", user=officer, dry_run=True, status="done",
        original_name="tangerang.csv",
    )  # fmt: skip
    job.input_path = str(home / f"{job.token}-input.csv")
    job.output_path = str(home / f"{job.token}-rejects.csv")
    for path in (job.input_path, job.output_path):
        Path(path).write_text("no_kk,nik\n", encoding="utf-8")
    job.save()
    world = World(
        job=job,
        family=family,
        cadre=make_user(Role.CADRE, SINGAMERTA),
        serang_officer=make_user(Role.REGENCY_OFFICER, KAB_SERANG),
        tangerang_officer=officer,
        tangerang_cadre=make_user(Role.CADRE, KUTA_JAYA, username="kader.tangerang"),
        tangerang_dusun=dusun,
    )
    for walk in APP_WALKS:
        walk.prepare(world)
    return world


def _call(client: Client, name: str, case: Case, world: World, user: User | None = None):  # type: ignore[no-untyped-def]
    url = reverse(name, kwargs=case.kwargs(world)) + case.query
    data = case.data(world) if callable(case.data) else case.data
    headers = basic(user) if name in OPENROSA and user is not None else {}
    return getattr(client, case.method)(url, data, **headers)


def _snapshot(world: World) -> tuple[object, ...]:
    dusun = (
        Region.objects.filter(pk=world.tangerang_dusun.pk).values_list("name", flat=True).first()
    )
    target = User.objects.get(pk=world.tangerang_cadre.pk)
    register = (
        list(Family.objects.values_list("kk_number", "address", "version")),
        list(Member.objects.values_list("nik", "name")),
        ContraceptiveEvent.objects.count(),
    )
    apps = tuple(walk.snapshot() for walk in APP_WALKS)
    return (
        dusun, Region.objects.count(), target.password, target.role, User.objects.count(), register,
        apps,
    )  # fmt: skip


@pytest.mark.parametrize("name", ALL_NAMES)
def test_anonymous_is_sent_to_login(client: Client, world: World, name: str) -> None:
    response = _call(client, name, CASES[name], world)
    if name in PUBLIC:
        assert response.status_code in (200, 302)
    elif name in OPENROSA:
        assert response.status_code == 401
        assert response["X-OpenRosa-Version"] == "1.0"
    else:
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("actor", OUT_OF_SCOPE)
@pytest.mark.parametrize("name", ALL_NAMES)
def test_out_of_scope_users_get_nothing_of_tangerang(
    client: Client, world: World, name: str, actor: str
) -> None:
    case = CASES[name]
    client.force_login(world.out_of_scope(actor))
    before = _snapshot(world)
    response = _call(client, name, case, world, world.out_of_scope(actor))
    if case.denied:
        assert response.status_code in (403, 404), response.status_code
    else:
        assert response.status_code in (
            (200, 202, 302, 403) if name in OPENROSA else (200, 302, 403)
        )
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"tangerang" not in body.lower()
    assert _snapshot(world) == before, "an out-of-scope request changed data"


@pytest.mark.parametrize("name", [n for n in ALL_NAMES if CASES[n].denied])
def test_the_same_requests_work_for_an_officer_in_scope(
    client: Client, world: World, name: str
) -> None:
    client.force_login(world.tangerang_officer)
    response = _call(client, name, CASES[name], world, world.tangerang_officer)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert not response.url.startswith(reverse("accounts:login"))
    assert CASES[name].effect(world), "the request was accepted but did not do its work"
