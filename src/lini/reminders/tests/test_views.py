"""The reminders' pages: a family's consents and the outbox, with their scope."""

from __future__ import annotations

import datetime as dt

import pytest

from django.test import Client
from django.urls import reverse

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditEntry
from lini.kb.tests.factories import make_couple
from lini.regions.models import Region
from lini.regions.tests.places import (
    BANTEN,
    CIRUAS,
    KAB_SERANG,
    KAB_TANGERANG,
    KUTA_JAYA,
    PULO,
    SINGAMERTA,
)
from lini.register.models import Couple
from lini.reminders.choices import Channel, RecipientKind, Status
from lini.reminders.models import Reminder, ReminderConsent
from lini.reminders.services import consent_record
from lini.reminders.tests.helpers import MONDAY

pytestmark = pytest.mark.django_db


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def couple(settings) -> Couple:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = MONDAY
    return make_couple(SINGAMERTA)


def _page(couple: Couple) -> str:
    return reverse("reminders:family_consent", kwargs={"family_id": couple.family_id})


def test_a_cadre_records_and_withdraws_a_consent(client: Client, couple: Couple) -> None:
    cadre = make_user(Role.CADRE, SINGAMERTA)
    english(client).force_login(cadre)
    page = client.get(_page(couple)).content.decode()
    assert "Reminders are turned off on this server" in page
    assert "No consent recorded." in page
    response = client.post(
        _page(couple),
        {
            "couple": couple.pk, "phone": "0812-3456-7890", "channel": "whatsapp",
            "given_on": "2019-10-25", "note": "asked at the posyandu", "confirmed": "on",
        },
    )  # fmt: skip
    assert response.status_code == 302
    consent = ReminderConsent.objects.get()
    assert (consent.phone, consent.channel, consent.given_on, consent.recorded_by) == (
        "+6281234567890", Channel.WHATSAPP, dt.date(2019, 10, 25), cadre,
    )  # fmt: skip
    page = client.get(_page(couple)).content.decode()
    assert "+6281234567890" in page
    assert "(current)" in page
    withdraw = reverse(
        "reminders:consent_withdraw",
        kwargs={"family_id": couple.family_id, "consent_id": consent.pk},
    )
    assert client.get(withdraw).status_code == 405
    response = client.post(withdraw, follow=True)
    assert "Consent withdrawn" in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_on == MONDAY
    response = client.post(withdraw, follow=True)
    assert "withdrawn already" in response.content.decode()


def test_the_form_needs_the_clients_agreement_and_a_mobile_number(
    client: Client, couple: Couple
) -> None:
    english(client).force_login(make_user(Role.CADRE, SINGAMERTA))
    data = {
        "couple": couple.pk,
        "phone": "021-555-1234",
        "channel": "sms",
        "given_on": "2019-10-25",
    }
    page = client.post(_page(couple), data).content.decode()
    assert "This field is required" in page  # the agreement
    page = client.post(_page(couple), {**data, "confirmed": "on"}).content.decode()
    assert "Write an Indonesian mobile number" in page
    assert not ReminderConsent.objects.exists()


def test_a_couple_of_another_family_cannot_be_chosen(client: Client, couple: Couple) -> None:
    other = make_couple(SINGAMERTA, serial=2)
    english(client).force_login(make_user(Role.CADRE, SINGAMERTA))
    data = {"couple": other.pk, "phone": "081234567890", "channel": "sms", "given_on": "2019-10-25", "confirmed": "on"}  # fmt: skip
    page = client.post(_page(couple), data).content.decode()
    assert "Select a valid choice" in page
    assert not ReminderConsent.objects.exists()


def test_the_consent_page_is_for_users_who_may_change_the_village(
    client: Client, couple: Couple
) -> None:
    consent = consent_record(actor=None, couple=couple, phone="081234567890", channel="sms")
    withdraw = reverse(
        "reminders:consent_withdraw",
        kwargs={"family_id": couple.family_id, "consent_id": consent.pk},
    )
    for user, status in (
        (make_user(Role.CADRE, PULO), 404),
        (make_user(Role.REGENCY_OFFICER, KAB_TANGERANG), 404),
        (make_user(Role.PROVINCE_OFFICER, BANTEN), 403),
    ):
        client.force_login(user)
        assert client.get(_page(couple)).status_code == status
        assert client.post(withdraw).status_code == status
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
    client.force_login(make_user(Role.COUNSELLOR, CIRUAS))
    assert client.get(_page(couple)).status_code == 200


def _reminder(region: str, **kwargs: object) -> Reminder:
    values: dict[str, object] = {
        "kind": RecipientKind.WORKER, "week": "2019-W44", "phone": "+6281234567890",
        "channel": Channel.SMS, "body": "Lini: your visit list", "scheduled_for": MONDAY,
        "expires_on": MONDAY + dt.timedelta(days=6), "region": Region.objects.get(code=region),
    }  # fmt: skip
    values.update(kwargs)
    if values["kind"] == RecipientKind.WORKER and "user" not in values:
        values["user"] = make_user(Role.CADRE, region)
    return Reminder.objects.create(**values)


def test_the_outbox_is_for_regency_officers_and_above_in_their_regions(
    client: Client, couple: Couple
) -> None:
    _reminder(SINGAMERTA, body="Serang worker", status=Status.SENT)
    _reminder(
        SINGAMERTA, kind=RecipientKind.CLIENT, couple=couple, body="Serang client",
        status=Status.FAILED, last_error="HTTP 500: provider down", attempts=3,
    )  # fmt: skip
    _reminder(KUTA_JAYA, body="Tangerang worker")
    url = reverse("reminders:outbox")
    for role, code in (
        (Role.CADRE, SINGAMERTA),
        (Role.COUNSELLOR, CIRUAS),
        (Role.DISTRICT_OFFICER, CIRUAS),
    ):
        client.force_login(make_user(role, code))
        assert client.get(url).status_code == 403
    english(client).force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    page = client.get(url).content.decode()
    assert "Serang worker" in page
    assert "Serang client" in page
    assert "HTTP 500: provider down" in page
    assert "Tangerang worker" not in page
    assert "+6281234567890" in page  # officers of the regency see numbers
    assert AuditEntry.objects.filter(
        action="view_identity", model="reminders.reminder"
    ).exists()  # and that is in the audit trail
    assert "Reminders are turned off on this server" in page
    page = client.get(url, {"status": "failed"}).content.decode()
    assert "Serang client" in page
    assert "Serang worker" not in page
    page = client.get(url, {"kind": "worker", "week": "2019-W44"}).content.decode()
    assert "Serang worker" in page
    assert "Serang client" not in page
    assert "Serang worker" not in client.get(url, {"week": "2019-W45"}).content.decode()
    assert client.get(url, {"region": PULO}).status_code == 200
    assert "Serang worker" not in client.get(url, {"region": PULO}).content.decode()
    assert client.get(url, {"region": KAB_TANGERANG}).status_code == 403
    assert client.get(url, {"region": "99.99"}).status_code == 404


def test_officers_without_the_right_to_see_identities_see_masked_numbers(
    client: Client, couple: Couple
) -> None:
    _reminder(SINGAMERTA, body="Serang worker")
    english(client).force_login(make_user(Role.PROVINCE_OFFICER, BANTEN))
    page = client.get(reverse("reminders:outbox")).content.decode()
    assert "Serang worker" in page
    assert "+6281234567890" not in page
    assert "+62812*****890" in page
    assert not AuditEntry.objects.filter(action="view_identity").exists()


def test_a_message_without_a_region_is_shown_only_to_national_administrators(
    client: Client, couple: Couple
) -> None:
    reminder = _reminder(SINGAMERTA, body="Nowhere in particular")
    Reminder.objects.filter(pk=reminder.pk).update(region=None)
    english(client).force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    assert "Nowhere in particular" not in client.get(reverse("reminders:outbox")).content.decode()
    client.force_login(make_user(Role.NATIONAL_ADMIN))
    page = client.get(reverse("reminders:outbox")).content.decode()
    assert "Nowhere in particular" in page
    assert "+6281234567890" in page
