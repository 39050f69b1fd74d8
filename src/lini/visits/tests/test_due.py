"""The due list computed from the register, the services and the visits (issue 9)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.kb.choices import Product, VisitType
from lini.kb.services import service_record
from lini.kb.tests.factories import day, make_couple
from lini.regions.tests.places import CIRUAS, KAB_SERANG, SINGAMERTA
from lini.register.choices import KBStatus, Method, NotUsingReason
from lini.register.models import Couple
from lini.register.records import StatusRecord
from lini.visits.choices import Outcome
from lini.visits.due import DueItem, Week, due_items
from lini.visits.models import DueRule
from lini.visits.rules import DEFAULT_RULES
from lini.visits.selectors import TooWideError, due_list
from lini.visits.services import visit_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _injectable_user(served_on: dt.date, *, product: str = Product.INJECTABLE_3M) -> Couple:
    """A couple using 3-monthly injections since ``served_on``'s year start, last injected on
    ``served_on``."""
    start = dt.date(served_on.year - 1, 1, 10)
    couple = make_couple(
        SINGAMERTA,
        status=StatusRecord(status=KBStatus.USING, method=Method.INJECTABLE, since=start),
    )
    service_record(
        actor=None, couple=couple, served_on=served_on, method=Method.INJECTABLE,
        visit_type=VisitType.REPEAT, product=product,
    )  # fmt: skip
    return couple


def _items(couple: Couple, week: Week, code: str = "suntik-3") -> list[DueItem]:
    return [
        i
        for i in due_items(village_ids=[couple.family.village_id], week=week, today=week.start)
        if i.couple_id == couple.pk and i.rule.code == code
    ]


def _first_week_listed(couple: Couple, start: Week, code: str = "suntik-3") -> Week:
    week = start
    for _ in range(60):
        if _items(couple, week, code):
            return week
        week = week.shifted(1)
    raise AssertionError("never due")


def _first_week_overdue(couple: Couple, start: Week, code: str = "suntik-3") -> Week:
    week = start
    for _ in range(60):
        items = _items(couple, week, code)
        if items and items[0].overdue:
            return week
        week = week.shifted(1)
    raise AssertionError("never overdue")


@pytest.mark.parametrize(
    ("served", "due", "due_week", "overdue_week"),
    [
        # 91 days after 2 Oct 2019 is Wed 1 Jan 2020 (ISO week 2020-W01 starts Mon 30 Dec 2019);
        # + 28 days' grace: 29 Jan 2020, overdue from the first Monday after it, 3 Feb (W06).
        ("2019-10-02", "2020-01-01", "2020-W01", "2020-W06"),
        # Across a month end: 91 days after 1 Aug 2019 is Thu 31 Oct (W44); grace ends 28 Nov,
        # overdue from Mon 2 Dec (W49).
        ("2019-08-01", "2019-10-31", "2019-W44", "2019-W49"),
        # Across a year end in the grace: 91 days after 30 Sep 2019 is Mon 30 Dec 2019
        # (2020-W01); grace ends Mon 27 Jan 2020, overdue from Mon 3 Feb 2020 (W06).
        ("2019-09-30", "2019-12-30", "2020-W01", "2020-W06"),
        # A leap year: 91 days after 30 Nov 2019 is Sat 29 Feb 2020 (W09), grace to Sat 28 Mar,
        # overdue from Mon 30 Mar (W14).
        ("2019-11-30", "2020-02-29", "2020-W09", "2020-W14"),
    ],
)
def test_a_three_monthly_injection_is_due_in_its_week_and_overdue_after_the_grace(
    served: str, due: str, due_week: str, overdue_week: str
) -> None:
    couple = _injectable_user(day(served))
    rule = DueRule.objects.get(code="suntik-3")
    assert (rule.interval_days, rule.grace_days) == (91, 28)
    before = Week.parse(due_week).shifted(-3)
    assert _first_week_listed(couple, before) == Week.parse(due_week)
    (item,) = _items(couple, Week.parse(due_week))
    assert item.due_on == day(due)
    assert item.anchor == day(served)
    assert not item.overdue
    assert _first_week_overdue(couple, before) == Week.parse(overdue_week)
    (late,) = _items(couple, Week.parse(overdue_week))
    assert late.dropout_risk
    assert late.overdue_since == day(due) + dt.timedelta(days=29)
    # The week before it is overdue, the Sunday is still within the grace period.
    (still,) = _items(couple, Week.parse(overdue_week).shifted(-1))
    assert not still.overdue


def test_the_reference_day_inside_the_week_is_today() -> None:
    couple = _injectable_user(day("2019-08-01"))  # due 31 Oct, overdue after 28 Nov
    week = Week.parse("2019-W48")  # Mon 25 Nov - Sun 1 Dec
    on_monday = due_items(
        village_ids=[couple.family.village_id], week=week, today=day("2019-11-25")
    )
    on_friday = due_items(
        village_ids=[couple.family.village_id], week=week, today=day("2019-11-29")
    )
    assert [i.overdue for i in on_monday if i.couple_id == couple.pk] == [False]
    assert [i.overdue for i in on_friday if i.couple_id == couple.pk] == [True]


def test_a_one_monthly_injection_follows_its_own_rule() -> None:
    couple = _injectable_user(day("2019-10-02"), product=Product.INJECTABLE_1M)
    assert _items(couple, Week.parse("2019-W44")) == []
    (item,) = _items(couple, Week.parse("2019-W44"), "suntik-1")  # 2 Oct + 28 = 30 Oct
    assert item.due_on == day("2019-10-30")


def test_a_new_service_starts_a_new_cycle_and_not_home_moves_the_date(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = day("2020-01-02")
    couple = _injectable_user(day("2019-10-02"))
    cadre = make_user(Role.CADRE, SINGAMERTA)
    rule = DueRule.objects.get(code="suntik-3")
    week = Week.parse("2020-W01")
    visit_record(
        actor=cadre, family=couple.family, couple=couple, rule=rule, outcome=Outcome.NOT_HOME,
        visited_on=day("2020-01-02"), due_on=day("2020-01-01"),
    )  # fmt: skip
    (moved,) = _items(couple, week)  # due again on 5 Jan, still this week
    assert moved.next_on == day("2020-01-05")
    visit_record(
        actor=cadre, family=couple.family, couple=couple, rule=rule, outcome=Outcome.SERVED,
        visited_on=day("2020-01-02"),
    )  # fmt: skip
    assert _items(couple, week) == []
    service = couple.services.get(served_on=day("2020-01-02"))
    assert (service.method, service.product, service.visit_type) == (
        Method.INJECTABLE, Product.INJECTABLE_3M, VisitType.REPEAT,
    )  # fmt: skip
    assert service.visit.outcome == Outcome.SERVED
    assert _first_week_listed(couple, week.shifted(1)) == Week.of(day("2020-04-02"))


def test_unmet_need_is_counselled_and_comes_back_after_the_repeat_days(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = day("2019-11-04")
    couple = make_couple(
        SINGAMERTA,
        status=StatusRecord(
            status=KBStatus.NOT_USING,
            reason=NotUsingReason.NO_MORE_CHILDREN,
            since=day("2019-06-01"),
        ),
    )
    counsellor = make_user(Role.COUNSELLOR, CIRUAS)
    week = Week.parse("2019-W45")
    (item,) = _items(couple, week, "unmet-need")
    assert item.overdue  # due since 1 Jun, 30 days' grace
    visit_record(
        actor=counsellor, family=couple.family, couple=couple, rule=item.rule,
        outcome=Outcome.COUNSELLED, visited_on=day("2019-11-04"),
    )  # fmt: skip
    assert _items(couple, week, "unmet-need") == []
    back = Week.of(day("2020-02-02"))
    assert _first_week_listed(couple, week, "unmet-need") == back
    (again,) = _items(couple, back, "unmet-need")
    assert (again.due_on, again.overdue) == (day("2020-02-02"), False)  # a new cycle
    assert _first_week_overdue(couple, back, "unmet-need") == Week.of(day("2020-03-04")).shifted(1)


def test_moved_away_ends_the_couple_and_drops_the_family(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = day("2020-01-02")
    couple = _injectable_user(day("2019-10-02"))
    cadre = make_user(Role.CADRE, SINGAMERTA)
    visit_record(
        actor=cadre, family=couple.family, couple=couple, rule=DueRule.objects.get(code="suntik-3"),
        outcome=Outcome.MOVED, visited_on=day("2020-01-02"),
    )  # fmt: skip
    couple.refresh_from_db()
    assert couple.ended_on is not None
    assert couple.wife.presence == "pindah"
    assert _items(couple, Week.parse("2020-W02")) == []


def test_a_visit_outside_the_scope_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    settings.LINI_TODAY = day("2020-01-02")
    couple = _injectable_user(day("2019-10-02"))
    stranger = make_user(Role.CADRE, "36.04.09.2003")
    with pytest.raises(PermissionDenied):
        visit_record(
            actor=stranger, family=couple.family, couple=couple, outcome=Outcome.COUNSELLED
        )
    assert not couple.visits.exists()


def test_due_list_is_cut_to_the_scope_and_masks_numbers_for_cadres() -> None:
    couple = _injectable_user(day("2019-10-02"))
    week = Week.parse("2020-W01")
    cadre = make_user(Role.CADRE, SINGAMERTA)
    found = due_list(user=cadre, week=week)
    families = [f for g in found.groups for f in g.families]
    assert [f.family_id for f in families] == [couple.family_id]
    assert families[0].kk_number != couple.family.kk_number
    counsellor = make_user(Role.COUNSELLOR, CIRUAS)
    shown = due_list(user=counsellor, week=week)
    assert [f.kk_number for g in shown.groups for f in g.families] == [couple.family.kk_number]
    other = make_user(Role.CADRE, "36.04.09.2003")
    assert due_list(user=other, week=week).items == []


def test_a_province_wide_list_asks_for_a_smaller_region() -> None:
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    with pytest.raises(TooWideError):
        due_list(user=officer, week=Week.parse("2019-W44"))


def test_week_parsing() -> None:
    assert Week.parse("2020-W01").start == day("2019-12-30")
    assert str(Week.of(day("2021-01-03"))) == "2020-W53"
    for bad in ("2019-44", "2019-W54", "2021-W53x", ""):
        with pytest.raises(ValueError, match=r"W|week"):
            Week.parse(bad)


def test_the_seed_migration_matches_the_defaults() -> None:
    stored = {r.code: r for r in DueRule.objects.all()}
    assert set(stored) == {r["code"] for r in DEFAULT_RULES}
    for default in DEFAULT_RULES:
        rule = stored[default["code"]]
        for name, value in default.items():
            assert getattr(rule, name) == value, (default["code"], name)


def _family_with_child(
    *,
    serial: int,
    child_born: dt.date,
    status: StatusRecord,
    collected_on: dt.date | None = None,
) -> Couple:
    """Head, wife (born 1990) and a child in Singamerta, written through the register."""
    from lini.regions.models import Region
    from lini.register.choices import EventSource, MaritalStatus, Relation, Sex
    from lini.register.records import FamilyRecord, MemberRecord
    from lini.register.writer import register_write

    village = Region.objects.get(code=SINGAMERTA)
    kk = f"360409{serial:010d}"
    members = [
        MemberRecord(nik=f"3604090101{serial:02d}0001", name="Asep", sex=Sex.MALE,
                     birth_date=dt.date(1988, 1, 1), relation=Relation.HEAD,
                     marital_status=MaritalStatus.MARRIED),
        MemberRecord(nik=f"3604094101{serial:02d}0002", name="Imas", sex=Sex.FEMALE,
                     birth_date=dt.date(1990, 1, 1), relation=Relation.SPOUSE,
                     marital_status=MaritalStatus.MARRIED, status=status),
        MemberRecord(nik=f"3604090101{serial:02d}0003", name="Ujang", sex=Sex.MALE,
                     birth_date=child_born, relation=Relation.CHILD,
                     marital_status=MaritalStatus.SINGLE),
    ]  # fmt: skip
    register_write(
        records=[
            FamilyRecord(
                kk_number=kk, village_id=village.pk, village_code=village.code, members=members,
                collected_on=collected_on, rw="002", rt="001",
            )
        ],
        source=EventSource.COLLECTION,
    )  # fmt: skip
    return Couple.objects.select_related("family").get(family__kk_number=kk)


PREGNANT = StatusRecord(
    status=KBStatus.NOT_USING, reason=NotUsingReason.PREGNANT, since=day("2019-03-01")
)


def test_a_recent_birth_is_due_for_post_partum_kb_for_42_days() -> None:
    couple = _family_with_child(serial=11, child_born=day("2019-10-20"), status=PREGNANT)
    (item,) = _items(couple, Week.parse("2019-W44"), "pasca-salin")
    assert (item.anchor, item.couple_id) == (day("2019-10-20"), couple.pk)
    assert _items(couple, Week.parse("2019-W48"), "pasca-salin")  # Mon 25 Nov = day 36
    assert not _items(couple, Week.parse("2019-W49"), "pasca-salin")  # Mon 2 Dec = day 43


def test_a_protected_mother_is_not_due_for_post_partum_kb() -> None:
    using = StatusRecord(status=KBStatus.USING, method=Method.IMPLANT, since=day("2019-10-25"))
    couple = _family_with_child(serial=12, child_born=day("2019-10-20"), status=using)
    assert _items(couple, Week.parse("2019-W44"), "pasca-salin") == []


def test_an_implant_is_due_for_removal_when_its_life_ends() -> None:
    couple = make_couple(
        SINGAMERTA,
        status=StatusRecord(status=KBStatus.USING, method=Method.IMPLANT, since=day("2016-11-01")),
    )
    assert _first_week_listed(couple, Week.parse("2019-W40"), "implan-1-cabut") == Week.of(
        day("2019-11-01")
    )
    (item,) = _items(couple, Week.of(day("2019-11-01")), "implan-1-cabut")
    assert item.due_on == day("2019-11-01")


def test_a_family_fitting_bkb_is_invited_only_where_a_group_exists() -> None:
    from lini.poktan.services import poktan_member_add, poktan_save
    from lini.regions.models import Region

    couple = _family_with_child(
        serial=13, child_born=day("2017-05-05"),
        status=StatusRecord(status=KBStatus.USING, method=Method.PILL, since=day("2018-01-01")),
    )  # fmt: skip
    week = Week.parse("2019-W44")
    assert _family_items(couple, week, "bkb") == []  # no BKB group in the village
    village = Region.objects.get(code=SINGAMERTA)
    group = poktan_save(
        actor=None, village=village, kind="bkb", name="Mawar", formed_on=day("2018-03-01")
    )
    (item,) = _family_items(couple, week, "bkb")
    assert item.anchor == day("2018-03-01")  # the child was born before the group existed
    poktan_member_add(actor=None, poktan=group, family=couple.family, joined_on=day("2019-06-01"))
    assert _family_items(couple, week, "bkb") == []


def _family_items(couple: Couple, week: Week, code: str) -> list[DueItem]:
    return [
        i
        for i in due_items(village_ids=[couple.family.village_id], week=week, today=week.start)
        if i.family_id == couple.family_id and i.rule.code == code
    ]


def test_a_family_not_seen_for_a_year_is_due_until_visited(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = day("2019-11-01")
    couple = _family_with_child(
        serial=14, child_born=day("2005-05-05"), collected_on=day("2018-09-01"),
        status=StatusRecord(status=KBStatus.NOT_USING, reason=NotUsingReason.OTHER, since=day("2018-09-01")),
    )  # fmt: skip
    week = Week.parse("2019-W44")
    (item,) = _family_items(couple, week, "lama-tak-dikunjungi")
    assert item.due_on == day("2019-09-01")
    visit_record(
        actor=make_user(Role.CADRE, SINGAMERTA), family=couple.family, rule=item.rule,
        outcome=Outcome.COUNSELLED, visited_on=day("2019-10-30"),
    )  # fmt: skip
    assert _family_items(couple, week, "lama-tak-dikunjungi") == []


def test_a_couple_recorded_after_the_family_is_newly_married(settings) -> None:  # type: ignore[no-untyped-def]
    from lini.register.choices import EventSource
    from lini.register.writer import couple_status_record

    settings.LINI_TODAY = day("2019-11-01")
    couple = _family_with_child(
        serial=15, child_born=day("2015-05-05"), collected_on=day("2019-01-10"),
        status=StatusRecord(status=KBStatus.NOT_USING, reason=NotUsingReason.WANTS_CHILD_SOON,
                            since=day("2019-01-10")),
    )  # fmt: skip
    week = Week.parse("2019-W44")
    assert _items(couple, week, "pengantin-baru") == []  # recorded at the data collection
    couple.events.update(effective_on=day("2019-08-17"))  # as if the marriage came later
    (item,) = _items(couple, week, "pengantin-baru")
    assert item.anchor == day("2019-08-17")
    couple_status_record(
        couple=couple,
        status=StatusRecord(status=KBStatus.USING, method=Method.INJECTABLE),
        effective_on=day("2019-10-01"),
        source=EventSource.SERVICE,
        by_id=None,
    )
    assert _items(couple, week, "pengantin-baru") == []


def test_the_weekly_cap_keeps_the_oldest_per_village() -> None:
    for serial in range(1, 5):
        make_couple(
            SINGAMERTA, serial=serial,
            status=StatusRecord(status=KBStatus.NOT_USING, reason=NotUsingReason.WANTS_TO_DELAY,
                                since=day(f"2019-0{serial}-01")),
        )  # fmt: skip
    DueRule.objects.filter(code="unmet-need").update(per_week=3)
    week = Week.parse("2019-W44")
    from lini.regions.models import Region

    village = Region.objects.get(code=SINGAMERTA)
    found = [
        i.anchor
        for i in due_items(village_ids=[village.pk], week=week, today=week.start)
        if i.rule.code == "unmet-need"
    ]
    assert sorted(found) == [day("2019-01-01"), day("2019-02-01"), day("2019-03-01")]


def test_rule_change_checks_the_bounds_and_the_right() -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    from lini.visits.services import rule_change

    rule = DueRule.objects.get(code="suntik-3")
    admin = make_user(Role.NATIONAL_ADMIN)
    with pytest.raises(ValidationError) as refused:
        rule_change(actor=admin, rule=rule, version=rule.version, window_days=20)  # < grace 28
    assert "window_days" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        rule_change(actor=make_user(Role.REGENCY_OFFICER, KAB_SERANG), rule=rule,
                    version=rule.version, grace_days=14)  # fmt: skip
    changed = rule_change(actor=admin, rule=rule, version=rule.version, grace_days=14)
    assert (changed.grace_days, changed.version) == (14, rule.version + 1)
    assert DueRule.objects.get(pk=rule.pk).window_days == 180


def _people(couple: Couple) -> dict[str, tuple[str, str, str]]:
    from lini.register.models import Member

    return {
        m.name: (m.relation, m.presence, m.marital_status)
        for m in Member.objects.filter(family=couple.family)
    }


def test_the_head_dying_makes_the_widowed_wife_the_head(settings) -> None:  # type: ignore[no-untyped-def]
    from lini.register.models import Member

    settings.LINI_TODAY = day("2019-11-01")
    couple = _family_with_child(serial=21, child_born=day("2015-05-05"), status=PREGNANT)
    head = Member.objects.get(family=couple.family, name="Asep")
    visit_record(
        actor=make_user(Role.CADRE, SINGAMERTA), family=couple.family, member=head,
        outcome=Outcome.DIED, visited_on=day("2019-10-30"),
    )  # fmt: skip
    assert _people(couple) == {
        "Asep": ("kepala", "meninggal", "kawin"),
        "Imas": ("kepala", "ada", "cerai_mati"),
        "Ujang": ("anak", "ada", "belum_kawin"),
    }
    assert Couple.objects.get(pk=couple.pk).ended_on is not None


def test_a_head_dying_with_no_spouse_to_take_over_is_refused_and_nothing_changes(settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    from lini.register.models import Member

    settings.LINI_TODAY = day("2019-11-01")
    couple = _family_with_child(serial=22, child_born=day("2000-05-05"), status=PREGNANT)
    wife = Member.objects.get(family=couple.family, name="Imas")
    cadre = make_user(Role.CADRE, SINGAMERTA)
    visit_record(actor=cadre, family=couple.family, member=wife, outcome=Outcome.DIED,
                 visited_on=day("2019-10-01"))  # fmt: skip
    assert _people(couple)["Asep"] == ("kepala", "ada", "cerai_mati")
    before = _people(couple)
    with pytest.raises(ValidationError) as refused:
        visit_record(actor=cadre, family=couple.family, outcome=Outcome.DIED, visited_on=day("2019-10-30"),
                     member=Member.objects.get(family=couple.family, name="Asep"))  # fmt: skip
    assert "new head" in str(refused.value)
    assert _people(couple) == before
    assert couple.family.visits.count() == 1


def test_a_couple_moving_with_the_head_moves_the_whole_family(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = day("2019-11-01")
    couple = _family_with_child(serial=23, child_born=day("2015-05-05"), status=PREGNANT)
    visit_record(
        actor=make_user(Role.CADRE, SINGAMERTA), family=couple.family, couple=couple,
        outcome=Outcome.MOVED, visited_on=day("2019-10-30"),
    )  # fmt: skip
    assert {presence for _relation, presence, _marital in _people(couple).values()} == {"pindah"}


def test_nobody_at_home_is_no_contact_for_the_not_visited_rule(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = day("2019-11-01")
    couple = _family_with_child(
        serial=31, child_born=day("2005-05-05"), collected_on=day("2018-09-01"),
        status=StatusRecord(status=KBStatus.NOT_USING, reason=NotUsingReason.OTHER, since=day("2018-09-01")),
    )  # fmt: skip
    (item,) = _family_items(couple, Week.parse("2019-W44"), "lama-tak-dikunjungi")
    visit_record(
        actor=make_user(Role.CADRE, SINGAMERTA), family=couple.family, rule=item.rule,
        outcome=Outcome.NOT_HOME, visited_on=day("2019-10-30"),
    )  # fmt: skip
    (again,) = _family_items(couple, Week.parse("2019-W46"), "lama-tak-dikunjungi")
    assert (again.due_on, again.last_contact, again.last_outcome) == (
        day("2019-09-01"), day("2019-10-30"), Outcome.NOT_HOME,
    )  # fmt: skip


def test_a_replaced_implant_starts_a_new_life(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = day("2019-11-01")
    couple = make_couple(
        SINGAMERTA,
        status=StatusRecord(status=KBStatus.USING, method=Method.IMPLANT, since=day("2016-10-15")),
    )
    week = Week.parse("2019-W44")
    (item,) = _items(couple, week, "implan-1-cabut")
    visit_record(
        actor=make_user(Role.COUNSELLOR, CIRUAS), family=couple.family, couple=couple,
        rule=item.rule, outcome=Outcome.SERVED, visited_on=day("2019-11-01"),
    )  # fmt: skip
    service = couple.services.get()
    assert (service.visit_type, service.method) == (VisitType.NEW, Method.IMPLANT)
    for later in range(1, 10):
        assert _items(couple, week.shifted(later), "implan-1-cabut") == []
    assert _first_week_listed(couple, Week.parse("2022-W40"), "implan-1-cabut") == Week.of(
        day("2022-10-31")
    )


@pytest.mark.parametrize("text", ["9999-W52", "0001-W01", "1899-W10", "2101-W01"])
def test_weeks_outside_the_years_lini_knows_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="between 1900 and 2100"):
        Week.parse(text)
