"""The due-list rules page: read by every user, changed by national administrators only (through
``visits.services.rule_change``: optimistic version, audited), with bounds that say which field
and why, the defaults shown and restorable, and a changed rule changing the due list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from django.test import Client
from django.urls import reverse

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditEntry
from lini.kb.choices import Product, VisitType
from lini.kb.services import service_record
from lini.kb.tests.factories import day, make_couple
from lini.regions.tests.places import KAB_SERANG, SINGAMERTA
from lini.register.choices import KBStatus, Method
from lini.register.models import Couple
from lini.register.records import StatusRecord
from lini.visits.due import Week, due_items
from lini.visits.forms_rules import rule_defaults
from lini.visits.models import DueRule
from lini.visits.rule_checks import MAX_INTERVAL
from lini.visits.rules import DEFAULT_RULES

pytestmark = pytest.mark.django_db

RULE_LIST = reverse("visits:rule_list")


def english(client: Client, user: User) -> Client:
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def _edit_url(rule: DueRule) -> str:
    return reverse("visits:rule_edit", kwargs={"pk": rule.pk})


def _values(rule: DueRule, **changes: Any) -> dict[str, Any]:
    """The form as the page shows it for ``rule``, with ``changes``."""
    values: dict[str, Any] = {
        "interval_days": rule.interval_days, "grace_days": rule.grace_days,
        "repeat_days": rule.repeat_days, "window_days": rule.window_days,
        "per_week": rule.per_week, "bring": rule.bring, "form": rule.form,
        "version": rule.version,
    }  # fmt: skip
    if rule.active:
        values["active"] = "on"
    values.update(changes)
    return {name: value for name, value in values.items() if value is not None}


def _numbers(rule: DueRule) -> tuple[object, ...]:
    rule = DueRule.objects.get(pk=rule.pk)
    return (
        rule.active, rule.interval_days, rule.grace_days, rule.repeat_days, rule.window_days,
        rule.per_week, rule.bring, rule.form, rule.version,
    )  # fmt: skip


def _audited(rule: DueRule) -> int:
    return AuditEntry.objects.filter(model="visits.duerule", object_id=str(rule.pk)).count()


@pytest.fixture
def admin() -> User:
    return make_user(Role.NATIONAL_ADMIN)


@pytest.fixture
def injection() -> DueRule:
    return DueRule.objects.get(code="suntik-3")


def test_every_user_reads_the_rules_and_only_national_admins_see_the_edit_links(
    client: Client, admin: User, injection: DueRule
) -> None:
    english(client, make_user(Role.CADRE, SINGAMERTA))
    page = client.get(RULE_LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert len(page.context["rows"]) == len(DEFAULT_RULES)
    assert "3-monthly injection due" in html
    assert "injectable · 3-monthly injection · also when the product is not recorded" in html
    assert "WHO/JHU, Family Planning" in html  # the source of the default
    assert "assumption" in html  # the pill's resupply interval is one
    assert "KB participant card; the supply, or a referral to the midwife" in html  # to bring
    assert "K/IV/KB" in html
    assert _edit_url(injection) not in html
    assert "/kunjungan/aturan/" + str(injection.pk) not in html
    english(client, admin)
    assert _edit_url(injection) in client.get(RULE_LIST).content.decode()


def test_a_national_admin_changes_a_rule_through_the_service(
    client: Client, admin: User, injection: DueRule
) -> None:
    english(client, admin)
    form = client.get(_edit_url(injection))
    assert form.status_code == 200
    html = form.content.decode()
    assert "Default: 91." in html  # next to each field
    assert "Default: 28." in html
    assert "Leave empty for the standard text: KB participant card" in html
    response = client.post(
        _edit_url(injection),
        _values(injection, interval_days=84, grace_days=21, bring="Kartu KB dan obat suntik"),
    )
    assert response.status_code == 302
    assert response.url == f"{RULE_LIST}#rule-{injection.pk}"
    rule = DueRule.objects.get(pk=injection.pk)
    assert (rule.interval_days, rule.grace_days, rule.bring) == (84, 21, "Kartu KB dan obat suntik")
    assert (rule.version, rule.updated_by) == (2, admin)
    entry = AuditEntry.objects.get(model="visits.duerule", object_id=str(rule.pk))
    assert entry.actor == admin
    assert (entry.before["interval_days"], entry.after["interval_days"]) == (91, 84)
    listed = client.get(RULE_LIST).content.decode()
    assert "Kartu KB dan obat suntik" in listed
    assert "default 91" in listed  # a changed number shows its default
    assert f"by {admin.username}" in listed


def test_switching_a_rule_off_takes_it_off_the_lists(
    client: Client, admin: User, injection: DueRule
) -> None:
    english(client, admin)
    response = client.post(_edit_url(injection), _values(injection, active=None))
    assert response.status_code == 302
    assert not DueRule.objects.get(pk=injection.pk).active
    assert "switched off" in client.get(RULE_LIST).content.decode()


@pytest.mark.parametrize(
    "role_and_region",
    [(Role.REGENCY_OFFICER, KAB_SERANG), (Role.PROVINCE_OFFICER, "36"), (Role.CADRE, SINGAMERTA)],
)
def test_anyone_but_a_national_admin_is_refused_and_nothing_is_written(
    client: Client, injection: DueRule, role_and_region: tuple[str, str]
) -> None:
    english(client, make_user(*role_and_region))
    before = _numbers(injection)
    assert client.get(_edit_url(injection)).status_code == 403
    assert (
        client.post(_edit_url(injection), _values(injection, interval_days=84)).status_code == 403
    )
    assert client.post(_edit_url(injection), {"restore": "1", "version": 1}).status_code == 403
    assert _numbers(injection) == before
    assert _audited(injection) == 0


def test_an_unknown_rule_is_not_found(client: Client, admin: User) -> None:
    english(client, admin)
    assert client.get(reverse("visits:rule_edit", kwargs={"pk": 999999})).status_code == 404


def test_a_form_read_before_someone_elses_save_is_refused(
    client: Client, admin: User, injection: DueRule
) -> None:
    other = make_user(Role.NATIONAL_ADMIN)
    english(client, admin)
    read = _values(injection, interval_days=84)  # version 1, as the page was read
    second = Client()
    english(second, other)
    assert second.post(_edit_url(injection), _values(injection, grace_days=21)).status_code == 302
    saved = _numbers(injection)
    response = client.post(_edit_url(injection), read)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else changed this rule since you read it. Read it again." in html
    assert "Your changes were not saved." in html
    assert response.context["stale"]
    assert _numbers(injection) == saved  # the other administrator's save stands
    assert DueRule.objects.get(pk=injection.pk).interval_days == 91
    assert _audited(injection) == 1
    stale_restore = client.post(_edit_url(injection), {"restore": "1", "version": 1})
    assert "Someone else changed this rule" in stale_restore.content.decode()
    assert _numbers(injection) == saved


@pytest.mark.parametrize(
    ("changes", "field", "why"),
    [
        ({"interval_days": MAX_INTERVAL + 1}, "interval_days", "At most 4015 days"),
        ({"interval_days": 0}, "interval_days", "At least 1 day"),
        ({"grace_days": 366}, "grace_days", "At most 365 days"),
        ({"repeat_days": 0}, "repeat_days", "At least 1 day"),
        ({"repeat_days": 731}, "repeat_days", "At most 730 days"),
        ({"window_days": 28}, "window_days", "leave the list before it is overdue"),
        ({"window_days": 3651}, "window_days", "At most 3650 days"),
        ({"per_week": 501}, "per_week", "At most 500 items a week in a village"),
        ({"grace_days": -1}, "grace_days", "greater than or equal to 0"),
        ({"interval_days": "abc"}, "interval_days", "Enter a whole number"),
        ({"form": "x" * 41}, "form", "at most 40 characters"),
    ],
)
def test_values_out_of_bounds_are_refused_on_their_field(
    client: Client,
    admin: User,
    injection: DueRule,
    changes: dict[str, Any],
    field: str,
    why: str,
) -> None:
    english(client, admin)
    before = _numbers(injection)
    response = client.post(_edit_url(injection), _values(injection, **changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert why in errors[field][0]
    assert _numbers(injection) == before
    assert _audited(injection) == 0


def test_an_interval_of_zero_is_fine_for_a_rule_due_at_once(client: Client, admin: User) -> None:
    unmet = DueRule.objects.get(code="unmet-need")
    english(client, admin)
    response = client.post(_edit_url(unmet), _values(unmet, interval_days=0, repeat_days=60))
    assert response.status_code == 302
    assert DueRule.objects.get(pk=unmet.pk).repeat_days == 60


def test_restoring_the_defaults_goes_through_the_service(
    client: Client, admin: User, injection: DueRule
) -> None:
    english(client, admin)
    assert "This rule has its default values." in client.get(_edit_url(injection)).content.decode()
    client.post(
        _edit_url(injection),
        _values(injection, interval_days=84, grace_days=21, form="F/X", bring="Obat", active=None),
    )
    changed = DueRule.objects.get(pk=injection.pk)
    assert (changed.interval_days, changed.version, changed.active) == (84, 2, False)
    page = client.get(_edit_url(injection)).content.decode()
    assert 'name="restore"' in page
    response = client.post(_edit_url(injection), {"restore": "1", "version": 2})
    assert response.status_code == 302
    rule = DueRule.objects.get(pk=injection.pk)
    assert {n: getattr(rule, n) for n in rule_defaults(rule)} == rule_defaults(rule)  # type: ignore[union-attr]
    assert (rule.interval_days, rule.grace_days, rule.bring, rule.form) == (91, 28, "", "K/IV/KB")
    assert not rule.active  # switching a rule off or on is not a default to restore
    assert rule.version == 3
    assert _audited(injection) == 2


def test_the_shipped_defaults_pass_the_bounds() -> None:
    from lini.visits.rule_checks import rule_problems

    for default in DEFAULT_RULES:
        assert rule_problems(kind=default["kind"], values=default) == {}, default["code"]


def _injectable_user(served_on: dt.date) -> Couple:
    couple = make_couple(
        SINGAMERTA,
        status=StatusRecord(
            status=KBStatus.USING, method=Method.INJECTABLE, since=day("2018-01-10")
        ),
    )
    service_record(
        actor=None, couple=couple, served_on=served_on, method=Method.INJECTABLE,
        visit_type=VisitType.REPEAT, product=Product.INJECTABLE_3M,
    )  # fmt: skip
    return couple


def _due_weeks(couple: Couple, first: Week, weeks: int = 8) -> list[tuple[str, dt.date]]:
    found: list[tuple[str, dt.date]] = []
    week = first
    for _ in range(weeks):
        items = due_items(village_ids=[couple.family.village_id], week=week, today=week.start)
        found.extend(
            (str(week), i.due_on)
            for i in items
            if i.couple_id == couple.pk and i.rule.code == "suntik-3"
        )
        week = week.shifted(1)
    return found


def test_an_edited_interval_moves_the_due_week(
    client: Client, admin: User, injection: DueRule
) -> None:
    couple = _injectable_user(day("2019-10-02"))
    start = Week.parse("2019-W50")
    # 91 days after Wed 2 Oct 2019: Wed 1 Jan 2020, in ISO week 2020-W01.
    assert _due_weeks(couple, start)[0] == ("2020-W01", day("2020-01-01"))
    english(client, admin)
    assert (
        client.post(_edit_url(injection), _values(injection, interval_days=84)).status_code == 302
    )
    # 84 days: Wed 25 Dec 2019, in 2019-W52; listed from that week on.
    assert _due_weeks(couple, start)[0] == ("2019-W52", day("2019-12-25"))
    assert _due_weeks(couple, Week.parse("2019-W50"), weeks=2) == []
