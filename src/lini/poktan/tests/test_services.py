"""Writing poktan: groups, members, meetings and guidance visits, with scope, checks and audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditEntry
from lini.poktan import services
from lini.poktan.models import PoktanEvent, PoktanEventKind, PoktanMember
from lini.poktan.tests.helpers import family_with, group
from lini.regions.models import Region, RegionKind
from lini.regions.services import subunit_create
from lini.regions.tests.places import (
    BANTEN,
    CIRUAS,
    KAB_SERANG,
    KAB_TANGERANG,
    KUTA_JAYA,
    PASAR_KEMIS,
    PULO,
    SINGAMERTA,
)
from lini.workforce.models import Cadre, CadreKind, Counsellor

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def village(code: str) -> Region:
    return Region.objects.get(code=code)


def errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_forming_a_group_records_the_formed_event_and_the_audit_entry() -> None:
    officer = make_user(Role.COUNSELLOR, CIRUAS)
    cadre = Cadre.objects.create(name="Bu Ani", kind=CadreKind.POKTAN, village=village(SINGAMERTA))
    rw = subunit_create(actor=None, parent=village(SINGAMERTA), kind=RegionKind.RW, number=3)
    poktan = services.poktan_save(
        actor=officer, village=village(SINGAMERTA), kind="bkb", name="  Melati  ", area=rw,
        formed_on=dt.date(2018, 5, 2), decree="12/SK/2018", chair="Ibu Euis", cadres=[cadre],
    )  # fmt: skip
    assert poktan.name == "Melati"
    assert list(poktan.cadres.all()) == [cadre]
    formed = PoktanEvent.objects.get(poktan=poktan)
    assert (formed.kind, formed.happened_on) == (PoktanEventKind.FORMED, dt.date(2018, 5, 2))
    entry = AuditEntry.objects.filter(model="poktan.poktan", object_id=str(poktan.pk)).get()
    assert entry.action == "create"
    assert entry.actor == officer
    assert entry.region_code == SINGAMERTA
    assert entry.after["cadres"] == [cadre.pk]


def test_an_unchanged_save_writes_nothing_and_a_change_moves_the_formed_event() -> None:
    poktan = group(SINGAMERTA, formed_on=dt.date(2018, 5, 2))
    entries = AuditEntry.objects.count()
    same = services.poktan_save(
        actor=None, village=poktan.village, poktan=poktan, kind="bkb", name="Melati",
        formed_on=dt.date(2018, 5, 2),
    )  # fmt: skip
    assert same.version == 1
    assert AuditEntry.objects.count() == entries
    changed = services.poktan_save(
        actor=None, village=poktan.village, poktan=poktan, kind="bkb", name="Melati",
        formed_on=dt.date(2018, 6, 1), chair="Ibu Siti",
    )  # fmt: skip
    assert changed.version == 2
    assert PoktanEvent.objects.get(poktan=poktan).happened_on == dt.date(2018, 6, 1)
    entry = AuditEntry.objects.latest("pk")
    assert entry.action == "change"
    assert entry.before == {"chair": "", "formed_on": "2018-05-02"}
    assert entry.after == {"chair": "Ibu Siti", "formed_on": "2018-06-01"}


def test_bad_groups_are_refused_with_a_message_on_each_field() -> None:
    group(SINGAMERTA, name="Melati")
    other_rw = subunit_create(actor=None, parent=village(PULO), kind=RegionKind.RW, number=1)
    stranger = Cadre.objects.create(name="Bu Pulo", kind=CadreKind.POKTAN, village=village(PULO))
    with pytest.raises(ValidationError) as exc:
        services.poktan_save(
            actor=None, village=village(SINGAMERTA), kind="bkb", name="melati", area=other_rw,
            cadres=[stranger], capital_source="Dana desa",
            formed_on=TODAY + dt.timedelta(days=1),
        )  # fmt: skip
    found = errors(exc)
    assert found["name"] == ["This village already has a group of this kind with this name."]
    assert "is not a dusun or RW of Desa Singamerta" in found["area"][0]
    assert found["cadres"] == ["Not cadres of Desa Singamerta: Bu Pulo"]
    assert found["capital_source"] == ["Only UPPKA groups have a capital source."]
    assert "in the future" in found["formed_on"][0]
    with pytest.raises(ValidationError) as exc:
        services.poktan_save(actor=None, village=village(CIRUAS), kind="xyz", name="")
    assert set(errors(exc)) == {"village", "kind", "name"}


def test_users_cannot_write_outside_their_scope_or_without_the_right_to_change() -> None:
    serang = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    with pytest.raises(PermissionDenied):
        services.poktan_save(actor=serang, village=village(KUTA_JAYA), kind="bkb", name="X")
    province = make_user(Role.PROVINCE_OFFICER, BANTEN)
    with pytest.raises(PermissionDenied):
        services.poktan_save(actor=province, village=village(SINGAMERTA), kind="bkb", name="X")
    poktan = group(KUTA_JAYA)
    family = family_with(KUTA_JAYA, dt.date(2018, 1, 1))
    with pytest.raises(PermissionDenied):
        services.poktan_member_add(actor=serang, poktan=poktan, family=family)
    with pytest.raises(PermissionDenied):
        services.meeting_record(actor=serang, poktan=poktan, held_on=TODAY, topic="x")
    counsellor = Counsellor.objects.create(name="Pak A", district=village(PASAR_KEMIS))
    with pytest.raises(PermissionDenied):
        services.guidance_record(
            actor=serang, poktan=poktan, counsellor=counsellor, happened_on=TODAY
        )
    assert not PoktanMember.objects.exists()
    tangerang = make_user(Role.REGENCY_OFFICER, KAB_TANGERANG)
    services.poktan_member_add(actor=tangerang, poktan=poktan, family=family)


def test_members_come_from_the_village_and_a_family_that_does_not_fit_is_a_warning() -> None:
    poktan = group(SINGAMERTA, kind="bkb")
    toddler = family_with(SINGAMERTA, TODAY - dt.timedelta(days=700))
    teenager = family_with(SINGAMERTA, dt.date(TODAY.year - 15, 1, 1))
    elsewhere = family_with(PULO, TODAY - dt.timedelta(days=300))
    _member, warnings = services.poktan_member_add(actor=None, poktan=poktan, family=toddler)
    assert warnings == []
    _member, warnings = services.poktan_member_add(actor=None, poktan=poktan, family=teenager)
    assert warnings == ["The family has no child under 5 (BKB is for families with under-fives)."]
    with pytest.raises(ValidationError) as exc:
        services.poktan_member_add(actor=None, poktan=poktan, family=elsewhere)
    assert errors(exc)["kk_number"] == ["This family is not registered in Desa Singamerta."]
    with pytest.raises(ValidationError) as exc:
        services.poktan_member_add(actor=None, poktan=poktan, family=toddler)
    assert errors(exc)["kk_number"] == ["This family is already a member of the group."]
    assert AuditEntry.objects.filter(model="poktan.poktanmember").count() == 2


def test_a_family_leaves_and_comes_back() -> None:
    poktan = group(SINGAMERTA)
    family = family_with(SINGAMERTA, TODAY - dt.timedelta(days=100))
    member, _ = services.poktan_member_add(
        actor=None, poktan=poktan, family=family, joined_on=dt.date(2019, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        services.poktan_member_remove(actor=None, member=member, left_on=dt.date(2018, 1, 1))
    assert "cannot leave before it joined" in errors(exc)["left_on"][0]
    services.poktan_member_remove(actor=None, member=member)
    member.refresh_from_db()
    assert member.left_on == TODAY
    with pytest.raises(ValidationError):
        services.poktan_member_remove(actor=None, member=member)
    again, _ = services.poktan_member_add(actor=None, poktan=poktan, family=family)
    assert again.pk == member.pk
    assert again.left_on is None


def test_a_meeting_counts_at_most_the_member_families_and_ticks_only_members() -> None:
    poktan = group(SINGAMERTA)
    a = family_with(SINGAMERTA, TODAY - dt.timedelta(days=400))
    b = family_with(SINGAMERTA, TODAY - dt.timedelta(days=500))
    outsider = family_with(SINGAMERTA, TODAY - dt.timedelta(days=600))
    for family in (a, b):
        services.poktan_member_add(actor=None, poktan=poktan, family=family)
    with pytest.raises(ValidationError) as exc:
        services.meeting_record(
            actor=None, poktan=poktan, held_on=TODAY, topic="Gizi", attendance=3
        )
    assert errors(exc)["attendance"] == [
        f"3 families present, but the group had only 2 member families on {TODAY}. "
        "Add the families to the group first."
    ]
    with pytest.raises(ValidationError) as exc:
        services.meeting_record(
            actor=None, poktan=poktan, held_on=TODAY + dt.timedelta(days=1), topic="",
            attendees=[outsider],
        )  # fmt: skip
    assert set(errors(exc)) == {"held_on", "topic", "attendees"}
    assert errors(exc)["attendees"] == ["1 of the families ticked are not members of the group."]
    meeting = services.meeting_record(
        actor=None, poktan=poktan, held_on=TODAY, topic=" Gizi  balita ", attendees=[a, b]
    )
    assert (meeting.topic, meeting.attendance) == ("Gizi balita", 2)
    assert set(meeting.attendees.all()) == {a, b}
    with pytest.raises(ValidationError) as exc:
        services.meeting_record(actor=None, poktan=poktan, held_on=TODAY, topic="gizi balita")
    assert "already recorded" in errors(exc)["topic"][0]
    entry = AuditEntry.objects.filter(model="poktan.poktanmeeting").get()
    assert entry.after["attendance"] == 2


def test_members_who_joined_later_do_not_count_for_an_earlier_meeting() -> None:
    poktan = group(SINGAMERTA)
    family = family_with(SINGAMERTA, TODAY - dt.timedelta(days=400))
    services.poktan_member_add(
        actor=None, poktan=poktan, family=family, joined_on=TODAY - dt.timedelta(days=10)
    )
    with pytest.raises(ValidationError):
        services.meeting_record(
            actor=None, poktan=poktan, held_on=TODAY - dt.timedelta(days=30), topic="x",
            attendance=1,
        )  # fmt: skip


def test_guidance_by_a_counsellor_of_the_village_or_of_its_district_only() -> None:
    poktan = group(SINGAMERTA)
    of_district = Counsellor.objects.create(name="Pak Ciruas", district=village(CIRUAS))
    looking_after = Counsellor.objects.create(name="Bu Lain", district=village("36.04.11"))
    looking_after.villages.add(village(SINGAMERTA))
    stranger = Counsellor.objects.create(name="Pak Jauh", district=village(PASAR_KEMIS))
    for counsellor in (of_district, looking_after):
        event = services.guidance_record(
            actor=None, poktan=poktan, counsellor=counsellor, happened_on=dt.date(2019, 9, 1)
        )
        assert event.kind == PoktanEventKind.GUIDANCE
    with pytest.raises(ValidationError) as exc:
        services.guidance_record(
            actor=None, poktan=poktan, counsellor=stranger, happened_on=dt.date(2019, 9, 1)
        )
    assert errors(exc)["counsellor"] == [
        "Pak Jauh neither looks after Desa Singamerta nor is based in its district."
    ]
    assert AuditEntry.objects.filter(model="poktan.poktanevent").count() == 2
