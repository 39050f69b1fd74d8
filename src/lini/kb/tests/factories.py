"""Facilities and couples for the KB tests."""

from __future__ import annotations

import datetime as dt

from lini.kb.choices import FacilityKind, FacilityLevel, Ownership
from lini.kb.models import Facility
from lini.kb.services import facility_save
from lini.regions.models import Region
from lini.register.models import Couple
from lini.register.records import StatusRecord
from lini.register.tests.factories import make_family


def make_facility(
    region_code: str,
    *,
    code: str,
    name: str = "Puskesmas Ciruas",
    kind: str = FacilityKind.MAIN,
    level: str = FacilityLevel.PUSKESMAS,
    ownership: str = Ownership.REGENCY,
    parent: Facility | None = None,
    bpjs: bool = False,
) -> Facility:
    return facility_save(
        actor=None, code=code, name=name, kind=kind, level=level, ownership=ownership,
        region=Region.objects.get(code=region_code), parent=parent, bpjs=bpjs,
    )  # fmt: skip


def make_couple(
    village_code: str,
    *,
    serial: int = 1,
    status: StatusRecord | None = None,
) -> Couple:
    """A couple (the wife born 8 Aug 1982), using the pill since 1 Jan 2018 unless ``status``."""
    digits = village_code.replace(".", "")[:6]
    family = make_family(
        village_code,
        kk=f"{digits}12345{serial:05d}",
        head_nik=f"{digits}080880{serial:04d}",
        wife_nik=f"{digits}480882{serial:04d}",
        status=status,
    )
    return Couple.objects.select_related("family__village", "wife").get(family=family)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
