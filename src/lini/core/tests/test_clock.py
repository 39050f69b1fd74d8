"""LINI_TODAY freezes what Lini calls today (for a demo or a training copy)."""

from __future__ import annotations

import datetime as dt

import pytest

from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.core import clock
from lini.regions.tests.places import CIRUAS, SINGAMERTA
from lini.register.choices import KBStatus, Method
from lini.register.records import StatusRecord
from lini.register.services import couple_status_change
from lini.register.tests.factories import make_family


def test_today_is_the_real_date_unless_frozen(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = None
    assert clock.today() == timezone.localdate()
    settings.LINI_TODAY = dt.date(2019, 11, 1)
    assert clock.today() == dt.date(2019, 11, 1)


@pytest.mark.django_db
def test_a_frozen_day_decides_what_is_in_the_future(settings, client: Client) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = dt.date(2019, 11, 1)
    family = make_family(SINGAMERTA, kk="3604091234560001", head_nik="3604090808800012",
                         wife_nik="3604094808820013")  # fmt: skip
    counsellor = make_user(Role.COUNSELLOR, CIRUAS)
    using = StatusRecord(status=KBStatus.USING, method=Method.IMPLANT)
    with pytest.raises(ValidationError) as refused:
        couple_status_change(actor=counsellor, couple=family.couples.get(), status=using,
                             effective_on=dt.date(2019, 11, 2))  # fmt: skip
    assert set(refused.value.message_dict) == {"effective_on"}
    couple_status_change(actor=counsellor, couple=family.couples.get(), status=using,
                         effective_on=dt.date(2019, 11, 1))  # fmt: skip
    client.force_login(counsellor)
    assert "1 November 2019" in client.get("/").content.decode()  # the notice on every page
