"""Which families fit a group, when a group is active, what a user sees, UPPKA members' KB."""

from __future__ import annotations

import datetime as dt

import pytest

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.poktan import selectors, services
from lini.poktan.models import Poktan
from lini.poktan.tests.helpers import family_with, group
from lini.regions.tests.places import KUTA_JAYA, SINGAMERTA
from lini.register.choices import KBStatus, Method
from lini.register.tests.factories import make_family

pytestmark = pytest.mark.django_db

ON = dt.date(2019, 11, 15)


@pytest.mark.parametrize(
    ("kind", "born", "fits"),
    [
        ("bkb", dt.date(2014, 11, 16), True),  # 4 years 364 days
        ("bkb", dt.date(2014, 11, 15), False),  # 5 today
        ("bkb", dt.date(2019, 11, 16), False),  # not born yet
        ("bkr", dt.date(2009, 11, 15), True),  # 10 today
        ("bkr", dt.date(2009, 11, 16), False),  # 9
        ("bkr", dt.date(1994, 11, 16), True),  # 24
        ("bkr", dt.date(1994, 11, 15), False),  # 25 today
        ("bkl", dt.date(1959, 11, 15), True),  # 60 today
        ("bkl", dt.date(1959, 11, 16), False),
    ],
)
def test_family_qualifies_by_the_ages_of_its_members(kind: str, born: dt.date, fits: bool) -> None:
    family = family_with(SINGAMERTA, born)  # the head, born 1970, is 49: fits none of these
    assert selectors.family_qualifies(kind, family, ON) is fits


def test_uppka_and_pikr_have_no_rule() -> None:
    family = family_with(SINGAMERTA)
    assert selectors.family_qualifies("uppka", family, ON) is None
    assert selectors.family_qualifies("pikr", family, ON) is None


def test_a_group_is_active_when_it_met_within_the_configured_months(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_POKTAN_ACTIVE_MONTHS = 3
    poktan = group(SINGAMERTA)
    family = family_with(SINGAMERTA, dt.date(2018, 1, 1))
    services.poktan_member_add(actor=None, poktan=poktan, family=family)
    quiet = group(SINGAMERTA, name="Mawar")
    services.meeting_record(
        actor=None, poktan=poktan, held_on=dt.date(2019, 8, 15), topic="x", attendance=1
    )
    assert selectors.poktan_is_active(poktan, ON)
    assert not selectors.poktan_is_active(poktan, dt.date(2019, 11, 16))
    assert not selectors.poktan_is_active(quiet, ON)
    settings.LINI_POKTAN_ACTIVE_MONTHS = 4
    assert selectors.poktan_is_active(poktan, dt.date(2019, 11, 16))
    settings.LINI_POKTAN_ACTIVE_MONTHS = 3
    listed = {p.name: p for p in selectors.with_activity(Poktan.objects.all(), ON)}
    assert listed["Melati"].active
    assert listed["Melati"].member_count == 1
    assert listed["Melati"].last_met == dt.date(2019, 8, 15)
    assert not listed["Mawar"].active
    assert listed["Mawar"].member_count is None
    rows = selectors.with_activity(Poktan.objects.all(), ON)
    assert [p.name for p in selectors.filter_active(rows, active=False)] == ["Mawar"]
    assert [p.name for p in selectors.filter_active(rows, active=True)] == ["Melati"]


def test_a_user_sees_only_the_groups_of_their_regions() -> None:
    group(SINGAMERTA)
    group(KUTA_JAYA, name="Tangerang")
    cadre = make_user(Role.CADRE, SINGAMERTA)
    assert [p.name for p in selectors.poktan_visible_to(cadre)] == ["Melati"]
    assert not selectors.poktan_visible_to(cadre, action=selectors.Action.APPROVE).exists()


def test_uppka_members_kb_status_comes_from_the_register() -> None:
    poktan = group(SINGAMERTA, kind="uppka", name="Maju")
    using = make_family(SINGAMERTA, kk="3604091111110001", head_nik="3604090101800001",
                        wife_nik="3604094101820002")  # fmt: skip
    single = make_family(SINGAMERTA, kk="3604091111110002", head_nik="3604090101800003")
    for family in (using, single):
        services.poktan_member_add(actor=None, poktan=poktan, family=family)
    status = selectors.uppka_kb_status(poktan)
    couple = status[using.pk].couples[0]
    assert (couple.status, couple.method) == (KBStatus.USING, Method.PILL)
    assert status[using.pk].using
    assert status[single.pk].couples == []
    assert not status[single.pk].using
