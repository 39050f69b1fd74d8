"""A worked example for tests: Desa Singamerta's register, poktan and counsellor, written so that
every score of its Kampung KB can be computed by hand (see test_example.py)."""

from __future__ import annotations

import datetime as dt
import itertools

from lini.kampung.choices import DataUse, FundingSource, Operation, RumahDataKuStatus
from lini.kampung.services import KampungValues
from lini.poktan.models import Poktan, PoktanMember
from lini.regions.models import Region
from lini.register.choices import (
    EventSource,
    KBStatus,
    MaritalStatus,
    Method,
    NotUsingReason,
    Relation,
    Sex,
)
from lini.register.models import Couple, Family
from lini.register.records import FamilyRecord, MemberRecord, StatusRecord
from lini.register.writer import register_write
from lini.workforce.models import Counsellor

_serial = itertools.count(1)


def family_with_couple(
    village: Region, *, wife_born: dt.date | None, status: StatusRecord | None = None
) -> Family:
    """A family of ``village``: a head and, unless ``wife_born`` is None, his wife with
    ``status``."""
    n = next(_serial)
    prefix = village.code.replace(".", "")[:6]
    kk = f"{prefix}77{n:08d}"
    members = [
        MemberRecord(
            nik=f"{prefix}0101{n:06d}", name=f"Kepala {n}", sex=Sex.MALE,
            birth_date=dt.date(1975, 1, 1), relation=Relation.HEAD,
            marital_status=MaritalStatus.MARRIED if wife_born else MaritalStatus.SINGLE,
        )
    ]  # fmt: skip
    if wife_born is not None:
        members.append(
            MemberRecord(
                nik=f"{prefix}4101{n:06d}", name=f"Istri {n}", sex=Sex.FEMALE,
                birth_date=wife_born, relation=Relation.SPOUSE,
                marital_status=MaritalStatus.MARRIED, status=status,
            )
        )  # fmt: skip
    record = FamilyRecord(
        kk_number=kk, village_id=village.pk, village_code=village.code, members=members
    )
    result = register_write(records=[record], source=EventSource.COLLECTION)
    assert not result.rejected, result.rejected
    return Family.objects.get(kk_number=kk)


def using(method: str) -> StatusRecord:
    return StatusRecord(status=KBStatus.USING, method=method, since=dt.date(2018, 1, 1))


def not_using(reason: str) -> StatusRecord:
    return StatusRecord(status=KBStatus.NOT_USING, reason=reason, since=dt.date(2018, 1, 1))


def singamerta_world(village: Region) -> dict[str, object]:
    """The register, poktan and counsellor of the worked example (numbers in test_example.py)."""
    young = dt.date(1990, 5, 5)  # 36 on the example's day: PUS
    users = [
        using(Method.INJECTABLE), using(Method.INJECTABLE), using(Method.INJECTABLE),
        using(Method.PILL), using(Method.CONDOM), using(Method.IMPLANT), using(Method.IUD),
    ]  # fmt: skip
    non_users = [
        not_using(NotUsingReason.PREGNANT), not_using(NotUsingReason.PREGNANT),
        not_using(NotUsingReason.WANTS_CHILD_SOON), not_using(NotUsingReason.WANTS_CHILD_SOON),
        not_using(NotUsingReason.WANTS_TO_DELAY),
    ]  # fmt: skip
    pus_families = [family_with_couple(village, wife_born=young, status=s) for s in users]
    pus_families += [family_with_couple(village, wife_born=young, status=s) for s in non_users]
    # Not PUS: a wife of 56 (using an IUD) and a couple that ended (she moved away).
    old = family_with_couple(village, wife_born=dt.date(1970, 3, 3), status=using(Method.IUD))
    ended = family_with_couple(village, wife_born=young, status=using(Method.MOW))
    Couple.objects.filter(family=ended).update(ended_on=dt.date(2020, 1, 1))
    singles = [family_with_couple(village, wife_born=None) for _ in range(2)]
    families = [*pus_families, old, ended, *singles]  # 16 families
    bkb1 = Poktan.objects.create(kind="bkb", name="Melati", village=village)
    bkb2 = Poktan.objects.create(kind="bkb", name="Mawar", village=village)
    bkr = Poktan.objects.create(kind="bkr", name="Kenanga", village=village)
    uppka = Poktan.objects.create(kind="uppka", name="Sejahtera", village=village)
    PoktanMember.objects.create(poktan=bkb1, family=families[0])
    PoktanMember.objects.create(poktan=bkr, family=families[0])  # the same family, twice
    PoktanMember.objects.create(poktan=bkb2, family=families[1])
    PoktanMember.objects.create(poktan=bkr, family=families[2])
    PoktanMember.objects.create(poktan=uppka, family=families[3])
    PoktanMember.objects.create(poktan=uppka, family=families[12])
    PoktanMember.objects.create(  # left: not counted
        poktan=bkb1, family=families[4], left_on=dt.date(2020, 6, 1)
    )
    district = village.parent
    counsellor = Counsellor.objects.create(name="Ibu Sri", district=district)
    counsellor.villages.add(village)
    retired = Counsellor.objects.create(name="Pak Karta", district=district, active=False)
    retired.villages.add(village)
    return {"families": families, "counsellor": counsellor}


def singamerta_values(**changes: object) -> KampungValues:
    """The example's profile (scores in test_example.py)."""
    values = KampungValues(
        name="Kampung KB Singamerta Sejahtera",
        launched_on=dt.date(2017, 3, 14),
        criteria=["kumuh", "utama_kb"],
        pokja_exists=True,
        pokja_decree="SK/12/2017",
        pokja_decree_on=dt.date(2017, 4, 1),
        pokja_members=9,
        pokja_trained=0,
        regulation=False,
        work_plan=True,
        partners=["Puskesmas Ciruas", "KUA Ciruas", "Dinas Sosial", "PKK Desa"],
        funding_sources=[FundingSource.APBD, FundingSource.VILLAGE_FUND],
        operations=[Operation.PLANNING, Operation.COORDINATION, Operation.SOCIALISATION],
        data_uses=[DataUse.FAMILY_DATA, DataUse.ROUTINE],
        secretariat=True,
        rumah_dataku=RumahDataKuStatus.PLANNED,
        rumah_dataku_since=dt.date(2019, 2, 1),
        rumah_dataku_data=[DataUse.FAMILY_DATA],
        rumah_dataku_updated_on=dt.date(2019, 10, 1),
    )
    for name, value in changes.items():
        setattr(values, name, value)
    return values
