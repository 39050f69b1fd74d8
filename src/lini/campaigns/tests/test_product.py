"""A KB service recorded in a lokus records its product (1- or 3-monthly injection, implant
rods, IUD type) through the KB service, as the service form does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lini.campaigns.models import CampaignService
from lini.campaigns.recording import campaign_service_record
from lini.campaigns.tests.factories import add_lokus, make_campaign, team_counsellor
from lini.kb.choices import Product, VisitType
from lini.kb.tests.factories import make_couple
from lini.regions.tests.places import CIRUAS, SINGAMERTA
from lini.register.choices import Method

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = dt.date(2019, 11, 5)  # a day of the campaign
    with translation.override("en"):
        yield


def test_the_lokus_service_form_records_the_product(client: Client) -> None:
    campaign = make_campaign()
    lokus = add_lokus(campaign, SINGAMERTA)
    pkb = team_counsellor(lokus, CIRUAS, username="pkb.singamerta")
    couple = make_couple(SINGAMERTA)
    client.force_login(pkb)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("campaigns:service_record", kwargs={"pk": lokus.pk})
    form = client.get(url, {"couple": couple.pk})
    assert 'name="product"' in form.content.decode()
    data = {
        "couple": str(couple.pk), "served_on": "2019-11-04", "method": Method.IMPLANT,
        "visit_type": VisitType.SWITCH,
    }  # fmt: skip
    wrong = client.post(url, {**data, "product": Product.IUD_CUT380A})
    assert wrong.status_code == 200
    assert list(wrong.context["form"].errors) == ["product"]
    assert not CampaignService.objects.exists()
    saved = client.post(url, {**data, "product": Product.IMPLANT_2})
    assert saved.status_code == 302
    assert CampaignService.objects.get().service.product == Product.IMPLANT_2


def test_the_recording_service_passes_the_product_through() -> None:
    campaign = make_campaign()
    lokus = add_lokus(campaign, SINGAMERTA)
    couple = make_couple(SINGAMERTA)
    with pytest.raises(ValidationError) as refused:
        campaign_service_record(
            actor=None, lokus=lokus, couple=couple, served_on=dt.date(2019, 11, 4),
            method=Method.INJECTABLE, visit_type=VisitType.SWITCH, product=Product.IMPLANT_1,
        )  # fmt: skip
    assert set(refused.value.message_dict) == {"product"}
    service = campaign_service_record(
        actor=None, lokus=lokus, couple=couple, served_on=dt.date(2019, 11, 4),
        method=Method.INJECTABLE, visit_type=VisitType.SWITCH, product=Product.INJECTABLE_1M,
    )  # fmt: skip
    assert service.product == Product.INJECTABLE_1M
