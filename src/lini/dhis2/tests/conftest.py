"""Kab. Serang in November 2019, counted from a register and from field counts, for the DHIS2
tests: Desa Singamerta (Kec. Ciruas) from families written through the register's write path,
Desa Cisait (Kec. Kragilan) from counts written straight in; Desa Kuta Jaya (Kab. Tangerang) has
counts that must never reach Kab. Serang's file."""

from __future__ import annotations

import datetime as dt

import pytest

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.indicators.services import counts_rebuild
from lini.indicators.tests.helpers import put_counts
from lini.regions.models import Region
from lini.regions.tests.places import CISAIT, KUTA_JAYA, SINGAMERTA
from lini.register.choices import KBStatus, Method
from lini.register.records import StatusRecord
from lini.register.tests.factories import make_family

OCT, NOV = dt.date(2019, 10, 1), dt.date(2019, 11, 1)


@pytest.fixture
def serang_november(db) -> None:  # type: ignore[no-untyped-def]
    statuses = [
        StatusRecord(status=KBStatus.USING, method=Method.IUD, since=dt.date(2019, 11, 5)),
        StatusRecord(status=KBStatus.USING, method=Method.IUD, since=dt.date(2019, 11, 12)),
        StatusRecord(status=KBStatus.USING, method=Method.INJECTABLE, since=dt.date(2019, 3, 1)),
        StatusRecord(status=KBStatus.USING, method=Method.PILL, since=dt.date(2018, 6, 1)),
        StatusRecord(status=KBStatus.NOT_USING, reason="tial", since=dt.date(2019, 7, 1)),
    ]
    for n, status in enumerate(statuses, start=1):
        make_family(
            SINGAMERTA, kk=f"36040920130000{n:02d}", head_nik=f"36040908088000{n:02d}",
            wife_nik=f"36040948088200{n:02d}", status=status,
        )  # fmt: skip
    counts_rebuild(village_ids=[Region.objects.get(code=SINGAMERTA).pk])
    put_counts(CISAIT, OCT, pus=40, pa=25, pa_suntik=25, monthly_expected=1)
    put_counts(
        CISAIT, NOV, pus=42, pa=27, pa_suntik=24, pa_implan=3, pa_modern=27, pa_mkjp=3, pb=3,
        pb_implan=3, dropout=1, nonuser_hamil=4, nonuser_iat=5, unmet=5, pus_unknown=6,
        inst_ppkbd_exist=1, inst_ppkbd_reported=1, inst_bkb_exist=2, inst_bkb_reported=1,
        monthly_expected=1, monthly_sent=1, poktan_bkb=2, poktan_active_bkb=1,
        poktan_members_bkb=18, meetings_bkb=2, families_under5=30, families=60,
        poktan_families=18, svc=7, svc_baru=3, svc_ulang=4, svc_m_implan=3, svc_m_suntik=4,
        svc_postpartum=1,
    )  # fmt: skip
    put_counts(KUTA_JAYA, NOV, pus=999, pa=999, pa_iud=999, pb=99, pb_iud=99)


@pytest.fixture
def national_admin(db) -> User:  # type: ignore[no-untyped-def]
    return make_user(Role.NATIONAL_ADMIN)
