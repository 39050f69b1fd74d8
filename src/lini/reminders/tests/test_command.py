"""``lini reminders queue / send / status``."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest

from django.core.management import CommandError, call_command

from lini.regions.tests.places import SINGAMERTA
from lini.reminders.choices import Status
from lini.reminders.models import Reminder
from lini.reminders.tests.conftest import Webhook
from lini.reminders.tests.helpers import MONDAY, cadre_worker, injectable_user

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("reminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def worker(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = MONDAY
    injectable_user(SINGAMERTA, dt.date(2019, 8, 1))
    cadre_worker(SINGAMERTA, "081234567890")


@pytest.mark.usefixtures("worker")
def test_queue_and_send_refuse_while_reminders_are_off() -> None:
    for args in (("queue", "--week", "2019-W44"), ("send",), ("send", "--dry-run")):
        with pytest.raises(CommandError, match="LINI_REMINDERS=1"):
            _run(*args)
    out, _err = _run("status")
    assert "Reminders are off (LINI_REMINDERS=0)" in out
    assert not Reminder.objects.exists()


@pytest.mark.usefixtures("worker", "reminders_on")
def test_queue_send_and_status(webhook: Webhook) -> None:
    out, _err = _run("queue", "--week", "2019-W44", "--dry-run")
    assert "would queue 1 message(s) to field workers and 0 to clients" in out
    assert not Reminder.objects.exists()
    out, _err = _run("queue")  # this week (the one of LINI_TODAY)
    assert "Week 2019-W44: queued 1 message(s) to field workers" in out
    out, _err = _run("queue", "--week", "2019-W44")
    assert "queued 0 message(s) to field workers and 0 to clients; 1 queued before" in out
    out, _err = _run("status")
    assert "worker: 1 pending, 0 sent" in out
    assert "oldest pending message: to send from 2019-10-28" in out
    out, _err = _run("send", "--dry-run")
    assert "1 message(s) would be tried" in out
    assert webhook.requests == []
    out, _err = _run("send")
    assert "Sent 1; failed 0" in out
    assert webhook.requests[0].json()["text"] == (
        "Lini: your visit list for week 2019-W44: 1 family (0 overdue)."
    )
    assert Reminder.objects.get().status == Status.SENT


@pytest.mark.usefixtures("worker", "reminders_on")
def test_send_reports_each_failure(webhook: Webhook) -> None:
    _run("queue", "--week", "2019-W44")
    webhook.answer(500, "provider down")
    out, err = _run("send")
    assert "Sent 0; failed 0 (after 3 attempts), 1 to try again" in out
    assert "HTTP 500: provider down" in err


@pytest.mark.usefixtures("worker", "reminders_on")
def test_bad_arguments_are_refused(settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="--week: Write the week as YYYY-Www"):
        _run("queue", "--week", "44")
    with pytest.raises(CommandError, match="--week: Week 2019-W43 is over"):
        _run("queue", "--week", "2019-W43")
    with pytest.raises(CommandError, match="--limit"):
        _run("send", "--limit", "0")
    settings.LINI_REMINDER_GATEWAY = "lini.nowhere.Gateway"
    with pytest.raises(CommandError, match="configuration: LINI_REMINDER_GATEWAY"):
        _run("send")
