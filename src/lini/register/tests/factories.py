"""Families for tests, written through the register's own write path."""

from __future__ import annotations

import datetime as dt

from lini.regions.models import Region
from lini.register.choices import EventSource, KBStatus, MaritalStatus, Method, Relation, Sex
from lini.register.models import Family
from lini.register.records import FamilyRecord, MemberRecord, StatusRecord
from lini.register.writer import register_write


def make_family(
    village_code: str,
    *,
    kk: str,
    head_nik: str,
    wife_nik: str | None = None,
    status: StatusRecord | None = None,
) -> Family:
    """A head (and a wife, with ``status`` or using the pill since 2018) in a village."""
    village = Region.objects.get(code=village_code)
    members = [
        MemberRecord(nik=head_nik, name="Dadang", sex=Sex.MALE, birth_date=dt.date(1980, 8, 8),
                     relation=Relation.HEAD, marital_status=MaritalStatus.MARRIED if wife_nik else MaritalStatus.SINGLE),
    ]  # fmt: skip
    if wife_nik:
        members.append(
            MemberRecord(
                nik=wife_nik, name="Euis", sex=Sex.FEMALE, birth_date=dt.date(1982, 8, 8),
                relation=Relation.SPOUSE, marital_status=MaritalStatus.MARRIED,
                status=status or StatusRecord(status=KBStatus.USING, method=Method.PILL, since=dt.date(2018, 1, 1)),
            )
        )  # fmt: skip
    record = FamilyRecord(
        kk_number=kk, village_id=village.pk, village_code=village.code, members=members
    )
    register_write(records=[record], source=EventSource.COLLECTION)
    return Family.objects.get(kk_number=kk)
