"""Fixtures of the reminders' tests: injectable users due on known days, field workers with a
phone, written through the apps' own services."""

from __future__ import annotations

import datetime as dt

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.kb.choices import Product, VisitType
from lini.kb.services import service_record
from lini.kb.tests.factories import make_couple
from lini.regions.models import Region
from lini.register.choices import KBStatus, Method
from lini.register.models import Couple
from lini.register.records import StatusRecord
from lini.workforce.models import Cadre, CadreKind, Counsellor

# Monday of 2019-W44; the demo's week.
MONDAY = dt.date(2019, 10, 28)
NAMES = ("Dadang", "Euis")  # the head and the wife of every fixture family


def injectable_user(village: str, last_served: dt.date, *, serial: int = 1) -> Couple:
    """A couple on 3-monthly injections since January of the year before, last injected on
    ``last_served``: due 91 days later, overdue after 28 more."""
    couple = make_couple(
        village,
        serial=serial,
        status=StatusRecord(
            status=KBStatus.USING,
            method=Method.INJECTABLE,
            since=dt.date(last_served.year - 1, 1, 10),
        ),
    )
    service_record(
        actor=None, couple=couple, served_on=last_served, method=Method.INJECTABLE,
        visit_type=VisitType.REPEAT, product=Product.INJECTABLE_3M,
    )  # fmt: skip
    return couple


def cadre_worker(village: str, phone: str, *, username: str | None = None) -> User:
    """A cadre's account of ``village`` linked to its cadre record with ``phone``."""
    user = make_user(Role.CADRE, village, username=username)
    Cadre.objects.create(
        name=f"Kader {user.username}", kind=CadreKind.PPKBD,
        village=Region.objects.get(code=village), phone=phone, user=user,
    )  # fmt: skip
    return user


def counsellor_worker(district: str, phone: str, *, username: str | None = None) -> User:
    user = make_user(Role.COUNSELLOR, district, username=username)
    Counsellor.objects.create(
        name=f"Penyuluh {user.username}", district=Region.objects.get(code=district),
        phone=phone, user=user,
    )  # fmt: skip
    return user
