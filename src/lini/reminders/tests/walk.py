"""The reminders' pages in the permission walk (see lini/web/tests/walk.py)."""

from __future__ import annotations

import datetime as dt

from lini.regions.models import Region
from lini.regions.tests.places import KAB_TANGERANG, KUTA_JAYA
from lini.reminders.choices import Channel, RecipientKind
from lini.reminders.models import Reminder, ReminderConsent
from lini.reminders.services import consent_record
from lini.web.tests.walk import Case, World

NEW_PHONE = "+6281299990000"


def _consent(w: World) -> ReminderConsent:
    return w.extra["reminders_consent"]


CASES: dict[str, Case] = {
    "reminders:outbox": Case(query=f"?region={KAB_TANGERANG}"),
    "reminders:family_consent": Case(
        lambda w: {"family_id": w.family.pk},
        method="post",
        data=lambda w: {
            "couple": str(w.family.couples.get().pk),
            "phone": "0812-9999-0000",
            "channel": "sms",
            "given_on": "2019-11-01",
            "confirmed": "on",
        },
        effect=lambda w: ReminderConsent.objects.filter(
            couple__family=w.family, phone=NEW_PHONE, withdrawn_on__isnull=True
        ).exists(),
    ),
    "reminders:consent_withdraw": Case(
        lambda w: {"family_id": w.family.pk, "consent_id": _consent(w).pk},
        method="post",
        effect=lambda w: ReminderConsent.objects.get(pk=_consent(w).pk).withdrawn_on is not None,
    ),
}


def prepare(world: World) -> None:
    consent = consent_record(
        actor=None, couple=world.family.couples.get(), phone="081277776666",
        channel=Channel.WHATSAPP, given_on=dt.date(2019, 10, 1),
    )  # fmt: skip
    # A message to the Tangerang cadre (its user name says "tangerang": the outbox of an
    # out-of-scope officer must not show it).
    Reminder.objects.create(
        kind=RecipientKind.WORKER, user=world.tangerang_cadre,
        region=Region.objects.get(code=KUTA_JAYA), week="2019-W45", phone="+6281277775555",
        channel=Channel.SMS, body="Lini: your visit list for week 2019-W45: 3 families (0 overdue).",
        scheduled_for=dt.date(2019, 11, 4), expires_on=dt.date(2019, 11, 10),
    )  # fmt: skip
    world.extra["reminders_consent"] = consent


def snapshot() -> tuple[object, ...]:
    return (
        sorted(
            ReminderConsent.objects.values_list("pk", "phone", "channel", "withdrawn_on"), key=str
        ),
        sorted(Reminder.objects.values_list("pk", "status", "phone", "attempts")),
    )
