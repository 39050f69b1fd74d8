"""Families with members of chosen ages, and groups, for the poktan tests."""

from __future__ import annotations

import datetime as dt
import itertools

from lini.poktan.models import Poktan
from lini.poktan.services import poktan_save
from lini.regions.models import Region
from lini.register.choices import EventSource, MaritalStatus, Relation, Sex
from lini.register.models import Family
from lini.register.records import FamilyRecord, MemberRecord
from lini.register.writer import register_write

_serial = itertools.count(1)


def family_with(village_code: str, *births: dt.date, kk: str | None = None) -> Family:
    """A family of a head born 1970 and children born on ``births``."""
    village = Region.objects.get(code=village_code)
    digits = village_code.replace(".", "")[:6]
    n = next(_serial)
    kk = kk or f"{digits}{n:010d}"
    members = [
        MemberRecord(
            nik=f"{digits}0101700{n:03d}", name=f"Kepala {n}", sex=Sex.MALE,
            birth_date=dt.date(1970, 1, 1), relation=Relation.HEAD,
            marital_status=MaritalStatus.SINGLE,
        )
    ]  # fmt: skip
    for i, born in enumerate(births, start=1):
        members.append(
            MemberRecord(
                nik=f"{digits}{born:%d%m%y}{n % 100:02d}{i:02d}", name=f"Anak {n}-{i}",
                sex=Sex.MALE, birth_date=born, relation=Relation.CHILD,
                marital_status=MaritalStatus.SINGLE,
            )
        )  # fmt: skip
    record = FamilyRecord(
        kk_number=kk, village_id=village.pk, village_code=village.code, members=members
    )
    result = register_write(records=[record], source=EventSource.COLLECTION)
    assert not result.rejected, result.rejected
    return Family.objects.get(kk_number=kk)


def group(village_code: str, kind: str = "bkb", name: str = "Melati", **kwargs: object) -> Poktan:
    return poktan_save(
        actor=None, village=Region.objects.get(code=village_code), kind=kind, name=name, **kwargs
    )  # type: ignore[arg-type]
