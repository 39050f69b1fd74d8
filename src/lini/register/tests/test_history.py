"""What the dated history tells for any month: the status at its end, new acceptors, dropouts,
switches; and which couples are PUS."""

from __future__ import annotations

import datetime as dt

import pytest

from lini.register.choices import EventSource, KBStatus, Method, NotUsingReason
from lini.register.models import Couple
from lini.register.records import StatusRecord
from lini.register.selectors import couples_with_status_on, is_pus, month_flows
from lini.register.tests.factories import make_family
from lini.register.writer import couple_status_record

pytestmark = pytest.mark.django_db

NOV = dt.date(2019, 11, 1)


def couple(n: int, status: StatusRecord) -> Couple:
    family = make_family(
        "36.04.09.2013", kk=f"36040912345600{n:02d}", head_nik=f"36040908088000{n:02d}",
        wife_nik=f"36040948088200{n:02d}", status=status,
    )  # fmt: skip
    return family.couples.get()


def change(c: Couple, day: dt.date, status: str, method: str = "", reason: str = "") -> None:
    couple_status_record(
        couple=c, status=StatusRecord(status=status, method=method, reason=reason),
        effective_on=day, source=EventSource.SERVICE, by_id=None,
    )  # fmt: skip


def test_month_flows_count_new_acceptors_dropouts_and_switches() -> None:
    using = StatusRecord(status=KBStatus.USING, method=Method.PILL, since=dt.date(2018, 5, 1))
    not_using = StatusRecord(
        status=KBStatus.NOT_USING, reason=NotUsingReason.WANTS_TO_DELAY, since=dt.date(2019, 1, 1)
    )
    starts = couple(1, not_using)  # starts an implant in November: a new acceptor
    change(starts, dt.date(2019, 11, 5), KBStatus.USING, Method.IMPLANT)
    stops = couple(2, using)  # stops the pill: a dropout
    change(stops, dt.date(2019, 11, 20), KBStatus.NOT_USING, reason=NotUsingReason.PREGNANT)
    switches = couple(3, using)  # pill to IUD: a switch, not a new acceptor
    change(switches, dt.date(2019, 11, 30), KBStatus.USING, Method.IUD)
    couple(4, using)  # no change
    late = couple(5, not_using)  # starts in December: nothing in November
    change(late, dt.date(2019, 12, 1), KBStatus.USING, Method.INJECTABLE)
    both = couple(6, not_using)  # starts and stops within the month
    change(both, dt.date(2019, 11, 2), KBStatus.USING, Method.CONDOM)
    change(both, dt.date(2019, 11, 25), KBStatus.NOT_USING, reason=NotUsingReason.OTHER)

    flows = month_flows(couples=Couple.objects.all(), month=NOV)
    assert (flows.new_acceptors, flows.dropouts, flows.switches) == (2, 2, 1)
    assert (flows.users_at_end, flows.non_users_at_end) == (3, 3)
    october = month_flows(couples=Couple.objects.all(), month=dt.date(2019, 10, 1))
    assert (october.new_acceptors, october.dropouts, october.switches) == (0, 0, 0)
    assert october.users_at_end == 3


def test_status_on_a_day_follows_the_history() -> None:
    c = couple(
        1, StatusRecord(status=KBStatus.USING, method=Method.PILL, since=dt.date(2018, 5, 1))
    )
    change(c, dt.date(2019, 11, 5), KBStatus.USING, Method.IMPLANT)
    on = {day: couples_with_status_on(couples=Couple.objects.all(), day=day).get() for day in
          (dt.date(2018, 4, 30), dt.date(2019, 11, 4), dt.date(2019, 11, 5))}  # fmt: skip
    assert on[dt.date(2018, 4, 30)].status_then is None
    assert on[dt.date(2019, 11, 4)].method_then == Method.PILL
    assert on[dt.date(2019, 11, 5)].method_then == Method.IMPLANT


@pytest.mark.parametrize(
    ("born", "on", "expected"),
    [
        (dt.date(1970, 11, 1), dt.date(2019, 10, 31), True),  # 48
        (dt.date(1970, 11, 1), dt.date(2020, 11, 1), False),  # 50 that day
        (dt.date(2004, 11, 2), dt.date(2019, 11, 1), False),  # 14
        (dt.date(2004, 11, 1), dt.date(2019, 11, 1), True),  # 15 that day
    ],
)
def test_pus_age_limits(born: dt.date, on: dt.date, expected: bool, settings) -> None:  # type: ignore[no-untyped-def]
    assert is_pus(born, on=on) is expected


def test_pus_age_limits_are_configurable(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_PUS_MIN_AGE = 10
    assert is_pus(dt.date(2007, 1, 1), on=dt.date(2019, 11, 1))  # 12: PK21 asks from 10
