"""Suggested villages accepted as lokus (:func:`lini.campaigns.planning.lokus_accept`): each
with its suggestion ranked again on the server, all of them or none, every refusal given."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditEntry
from lini.campaigns.models import Lokus
from lini.campaigns.planning import lokus_accept, lokus_suggest
from lini.campaigns.tests.factories import add_lokus, make_campaign
from lini.indicators.models import Indicator
from lini.indicators.targets import target_save
from lini.indicators.tests.helpers import put_counts
from lini.regions.models import Region
from lini.regions.tests.places import KAB_SERANG, KAB_TANGERANG, KUTA_JAYA, PULO, SINGAMERTA

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = dt.date(2019, 11, 5)
    with translation.override("en"):
        yield


def test_the_villages_accepted_get_their_suggestion_ranked_again() -> None:
    for month in (dt.date(2019, 10, 1), dt.date(2019, 11, 1)):
        put_counts(SINGAMERTA, month, villages=1, pus=40, pa=10, pa_modern=10, pa_suntik=6,
                   pa_implan=4, nonuser_iat=5, nonuser_tial=3)  # fmt: skip
        put_counts(PULO, month, villages=1, pus=20, pa=11, pa_modern=11, pa_pil=11)
    target_save(actor=None, indicator=Indicator.objects.get(code="mcpr"),
                region=Region.objects.get(code=KAB_SERANG), year=2019, value="60")  # fmt: skip
    campaign = make_campaign(KAB_SERANG)
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    added = lokus_accept(
        actor=officer, campaign=campaign, codes=[SINGAMERTA, f" {PULO} ", SINGAMERTA, ""],
        year=2019,
    )  # fmt: skip
    assert [item.village.code for item in added] == [SINGAMERTA, PULO]  # once each, in order
    expected = lokus_suggest(
        user=officer, regions=[Region.objects.get(code=SINGAMERTA)], year=2019, count=1
    )[0]
    singamerta = Lokus.objects.get(campaign=campaign, village__code=SINGAMERTA)
    assert singamerta.reasons == expected.reasons
    assert singamerta.reasons  # why it was chosen, in words
    assert singamerta.users_needed == expected.users_needed
    assert AuditEntry.objects.filter(model="campaigns.lokus").count() == 2


def test_one_refused_village_adds_none_and_every_reason_is_given() -> None:
    campaign = make_campaign(KAB_SERANG)
    add_lokus(campaign, PULO)
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        lokus_accept(
            actor=officer, campaign=campaign, codes=[SINGAMERTA, PULO, KUTA_JAYA], year=2019
        )
    messages = refused.value.messages
    assert len(messages) == 2
    assert messages[0] == "Pulo is already a lokus of this campaign."
    assert messages[1].startswith("Kuta Jaya lies outside")  # outside the officer's regions too
    assert list(campaign.lokus.values_list("village__code", flat=True)) == [PULO]
    assert AuditEntry.objects.count() == entries  # Singamerta's lokus rolled back with its entry


@pytest.mark.parametrize(
    ("codes", "year", "message"),
    [
        ([SINGAMERTA], 1999, "The year of the targets must be a year such as 2019."),
        ([" ", ""], 2019, "Tick at least one village to accept."),
        ([SINGAMERTA, "36.04.09", "99.99"], 2019, "No village has the code 36.04.09, 99.99."),
    ],
)
def test_a_choice_that_cannot_be_read_is_refused_with_its_reason(
    codes: list[str], year: int, message: str
) -> None:
    campaign = make_campaign(KAB_SERANG)
    with pytest.raises(ValidationError) as refused:
        lokus_accept(
            actor=make_user(Role.REGENCY_OFFICER, KAB_SERANG), campaign=campaign, codes=codes,
            year=year,
        )  # fmt: skip
    assert refused.value.messages == [message]
    assert not campaign.lokus.exists()


def test_only_a_planner_of_the_campaign_accepts() -> None:
    campaign = make_campaign(KAB_SERANG)
    for user in (
        make_user(Role.REGENCY_OFFICER, KAB_TANGERANG, username="tangerang"),
        make_user(Role.COUNSELLOR, SINGAMERTA, username="pkb"),
    ):
        with pytest.raises(PermissionDenied):
            lokus_accept(actor=user, campaign=campaign, codes=[SINGAMERTA], year=2019)
    assert not campaign.lokus.exists()
