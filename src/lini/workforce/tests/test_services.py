"""Writing counsellors and cadres: checks, scope and the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditEntry
from lini.poktan.models import Poktan, PoktanEvent
from lini.regions.models import Region, RegionKind
from lini.regions.services import subunit_create
from lini.regions.tests.places import (
    CIRUAS,
    KAB_SERANG,
    KAB_TANGERANG,
    KUTA_JAYA,
    PASAR_KEMIS,
    PULO,
    SINGAMERTA,
)
from lini.workforce.models import CadreKind, Counsellor, IPeKBLevel
from lini.workforce.services import cadre_delete, cadre_save, counsellor_delete, counsellor_save
from lini.workforce.tests.factories import NIP, make_cadre, make_counsellor, region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def entries(obj: object, pk: int | None = None) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            model=obj._meta.label_lower,  # type: ignore[attr-defined]
            object_id=str(pk or obj.pk),  # type: ignore[attr-defined]
        ).order_by("pk")
    )


def test_an_officer_adds_a_counsellor_with_villages_and_it_is_audited() -> None:
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    counsellor = counsellor_save(
        actor=officer, name="  Siti   Hasanah ", nip="19850312 201001 2 003", kind="pkb",
        district=region(CIRUAS), villages=[region(SINGAMERTA), region(PULO)],
        phone="0812-3456-7890", ipekb_member=True, ipekb_level=IPeKBLevel.REGENCY,
        ipekb_position="sekretaris",
    )  # fmt: skip
    assert counsellor.name == "Siti Hasanah"
    assert counsellor.nip == NIP
    assert sorted(counsellor.villages.values_list("code", flat=True)) == [PULO, SINGAMERTA]
    [entry] = entries(counsellor)
    assert entry.action == "create"
    assert entry.actor == officer
    assert entry.region_code == CIRUAS
    assert entry.after["villages"] == [PULO, SINGAMERTA]
    assert entry.after["ipekb_level"] == "dpc"

    counsellor_save(
        actor=officer, counsellor=counsellor, name="Siti Hasanah", nip=NIP, kind="pkb",
        district=region(CIRUAS), villages=[region(SINGAMERTA)], phone="0812-3456-7890",
        ipekb_member=True, ipekb_level=IPeKBLevel.REGENCY, ipekb_position="sekretaris",
    )  # fmt: skip
    change = entries(counsellor)[-1]
    assert change.action == "change"
    assert change.before == {"villages": [PULO, SINGAMERTA]}
    assert change.after == {"villages": [SINGAMERTA]}


def test_saving_a_counsellor_unchanged_writes_nothing() -> None:
    counsellor = make_counsellor(CIRUAS, SINGAMERTA, nip=NIP)
    stamp = Counsellor.objects.get(pk=counsellor.pk).updated_at
    counsellor_save(
        actor=None, counsellor=counsellor, name="Siti Hasanah", nip=NIP,
        district=region(CIRUAS), villages=[region(SINGAMERTA)],
    )  # fmt: skip
    assert len(entries(counsellor)) == 1
    assert Counsellor.objects.get(pk=counsellor.pk).updated_at == stamp


@pytest.mark.parametrize(
    ("district", "villages"),
    [
        (PASAR_KEMIS, [KUTA_JAYA]),  # all of Tangerang
        (CIRUAS, [KUTA_JAYA]),  # based in Serang, but a village of Tangerang
        (PASAR_KEMIS, [SINGAMERTA]),  # based in Tangerang
    ],
)
def test_an_officer_of_serang_cannot_place_a_counsellor_in_tangerang(
    district: str, villages: list[str]
) -> None:
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    with pytest.raises(PermissionDenied):
        counsellor_save(
            actor=officer, name="Budi", district=region(district),
            villages=[region(v) for v in villages],
        )  # fmt: skip
    assert not Counsellor.objects.exists()


def test_a_counsellor_of_tangerang_cannot_be_changed_or_removed_from_serang() -> None:
    counsellor = make_counsellor(PASAR_KEMIS, KUTA_JAYA)
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    with pytest.raises(PermissionDenied):
        counsellor_save(
            actor=officer, counsellor=counsellor, name="Budi", district=region(CIRUAS),
            villages=[region(SINGAMERTA)],
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        counsellor_delete(actor=officer, counsellor=counsellor)
    assert Counsellor.objects.get(pk=counsellor.pk).name == "Siti Hasanah"


def test_a_province_officer_may_not_change_counsellors() -> None:
    with pytest.raises(PermissionDenied):
        counsellor_save(
            actor=make_user(Role.PROVINCE_OFFICER, "36"), name="Budi", district=region(CIRUAS)
        )


def test_bad_counsellor_values_are_reported_on_their_fields() -> None:
    make_counsellor(CIRUAS, nip=NIP, name="Holder")
    with pytest.raises(ValidationError) as excinfo:
        counsellor_save(
            actor=None, name=" ", nip="12345", kind="xyz", district=region(SINGAMERTA),
            villages=[region(CIRUAS)], phone="call me", ipekb_member=False,
            ipekb_level=IPeKBLevel.PROVINCE,
        )  # fmt: skip
    errors = errors_of(excinfo)
    assert errors["name"] == ["Give the name."]
    assert errors["nip"] == [
        "an NIP has 18 digits (birth date, appointment month, sex, number); 5 given"
    ]
    assert errors["kind"] == ["Choose PKB or PLKB."]
    assert "is not a district" in errors["district"][0]
    assert "Only villages can be looked after" in errors["villages"][0]
    assert "is not a phone number" in errors["phone"][0]
    assert errors["ipekb_member"] == ["Only an IPeKB member sits on an IPeKB board."]

    with pytest.raises(ValidationError) as excinfo:
        make_counsellor(CIRUAS, nip=NIP, name="Second")
    # The message names nobody: an NIP must not tell who holds it elsewhere.
    assert errors_of(excinfo)["nip"] == ["This NIP is already registered for another counsellor."]
    with pytest.raises(ValidationError) as excinfo:
        make_counsellor(CIRUAS, nip="198513122010012003")
    assert "19851312 is no date" in errors_of(excinfo)["nip"][0]
    with pytest.raises(ValidationError) as excinfo:
        make_counsellor(CIRUAS, nip="198503122010013003")
    assert "digit 15" in errors_of(excinfo)["nip"][0]


def test_the_linked_account_must_be_a_counsellor_in_the_actors_scope() -> None:
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    own = make_user(Role.COUNSELLOR, CIRUAS, username="pkb.ciruas")
    make_user(Role.CADRE, SINGAMERTA, username="kader.singamerta")
    make_user(Role.COUNSELLOR, PASAR_KEMIS, username="pkb.pasarkemis")
    User.objects.create_user(username="pkb.nowhere", role=Role.COUNSELLOR)  # no region
    # No such account, another role, another regency, no region: one and the same answer, so
    # that linking tells nothing about the accounts of other regions.
    for username in ("nobody", "kader.singamerta", "pkb.pasarkemis", "pkb.nowhere"):
        with pytest.raises(ValidationError) as excinfo:
            counsellor_save(actor=officer, name="Budi", district=region(CIRUAS), username=username)
        assert errors_of(excinfo) == {
            "user": [
                f"{username} is not an account you can link here: it must be an account of a "
                "Field counsellor (PKB/PLKB) assigned only to regions inside yours."
            ]
        }
    counsellor = counsellor_save(
        actor=officer, name="Budi", district=region(CIRUAS), username="pkb.ciruas"
    )
    assert counsellor.user == own
    with pytest.raises(ValidationError) as excinfo:
        counsellor_save(actor=officer, name="Dedi", district=region(CIRUAS), username="pkb.ciruas")
    assert errors_of(excinfo) == {
        "user": ["The account pkb.ciruas is already linked to someone else."]
    }


def test_a_counsellor_with_recorded_visits_is_kept_and_one_without_is_removed() -> None:
    kept = make_counsellor(CIRUAS, SINGAMERTA)
    group = Poktan.objects.create(kind="bkb", name="Mawar", village=region(SINGAMERTA))
    PoktanEvent.objects.create(
        poktan=group, kind="pembinaan", happened_on=dt.date(2019, 10, 1), counsellor=kept
    )
    with pytest.raises(ValidationError, match="mark them inactive"):
        counsellor_delete(actor=None, counsellor=kept)
    gone = make_counsellor(CIRUAS, PULO, name="Budi")
    officer = make_user(Role.DISTRICT_OFFICER, CIRUAS)
    gone_pk = gone.pk
    counsellor_delete(actor=officer, counsellor=gone)
    assert list(Counsellor.objects.all()) == [kept]
    assert entries(gone, gone_pk)[-1].action == "delete"
    assert entries(gone, gone_pk)[-1].before["name"] == "Budi"


def test_cadres_ppkbd_sub_ppkbd_and_poktan_with_their_areas() -> None:
    village = region(SINGAMERTA)
    dusun = subunit_create(actor=None, parent=village, kind=RegionKind.DUSUN, name="Krajan")
    other = subunit_create(actor=None, parent=region(PULO), kind=RegionKind.DUSUN, name="Pasir")
    cadre_user = make_user(Role.CADRE, SINGAMERTA, username="kader.singamerta")
    counsellor = make_user(Role.COUNSELLOR, CIRUAS)
    sub = cadre_save(
        actor=counsellor, name="Imas", kind=CadreKind.SUB_PPKBD, village=village, area=dusun,
        trained=True, since=dt.date(2015, 3, 1), username="kader.singamerta",
    )  # fmt: skip
    assert (sub.area, sub.user, sub.trained) == (dusun, cadre_user, True)
    [entry] = entries(sub)
    assert (entry.action, entry.region_code, entry.after["area_id"]) == (
        "create",
        SINGAMERTA,
        dusun.pk,
    )

    with pytest.raises(ValidationError) as excinfo:
        cadre_save(actor=None, name="imas", kind=CadreKind.SUB_PPKBD, village=village, area=dusun)
    assert errors_of(excinfo) == {
        "name": ["Desa Singamerta already has a Sub-PPKBD (dusun/RW) named imas."]
    }
    with pytest.raises(ValidationError) as excinfo:
        cadre_save(actor=None, name="Lilis", kind=CadreKind.SUB_PPKBD, village=village)
    assert errors_of(excinfo) == {"area": ["A Sub-PPKBD works in a dusun or RW: choose it."]}
    with pytest.raises(ValidationError) as excinfo:
        cadre_save(actor=None, name="Lilis", kind=CadreKind.PPKBD, village=village, area=dusun)
    assert "leave the dusun/RW empty" in errors_of(excinfo)["area"][0]
    with pytest.raises(ValidationError) as excinfo:
        cadre_save(actor=None, name="Lilis", kind=CadreKind.POKTAN, village=village, area=other)
    assert errors_of(excinfo) == {
        "area": [f"{other.code} is not a dusun or RW of Desa Singamerta."]
    }
    with pytest.raises(ValidationError) as excinfo:
        cadre_save(
            actor=None, name="Lilis", kind="ketua", village=region(CIRUAS),
            since=dt.date(2999, 1, 1),
        )  # fmt: skip
    errors = errors_of(excinfo)
    assert set(errors) == {"kind", "village", "since"}
    assert errors["since"] == ["The date is in the future."]


def test_cadre_scope_and_delete() -> None:
    cadre = make_cadre(KUTA_JAYA)
    serang = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    with pytest.raises(PermissionDenied):
        cadre_save(actor=serang, cadre=cadre, name="X", kind="ppkbd", village=cadre.village)
    with pytest.raises(PermissionDenied):
        cadre_save(actor=serang, name="X", kind="ppkbd", village=cadre.village)
    with pytest.raises(PermissionDenied):
        cadre_delete(actor=serang, cadre=cadre)
    group = Poktan.objects.create(kind="bkr", name="Melati", village=cadre.village)
    group.cadres.add(cadre)
    tangerang = make_user(Role.REGENCY_OFFICER, KAB_TANGERANG)
    with pytest.raises(ValidationError, match="cadre of poktan groups"):
        cadre_delete(actor=tangerang, cadre=cadre)
    group.cadres.clear()
    cadre_pk = cadre.pk
    cadre_delete(actor=tangerang, cadre=cadre)
    assert not Region.objects.get(code=KUTA_JAYA).cadres.exists()
    assert entries(cadre, cadre_pk)[-1].action == "delete"
