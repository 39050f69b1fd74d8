"""The campaign (baksos) pages: planning through the forms (campaign, suggested lokus accepted,
targets, team), recording by a lokus team (service, daily log, photo) and what the lokus page, the
report, its downloads and the summary show; rights on every page (403 for a page one may see but
not use, 404 for what lies outside one's regions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditAction, AuditEntry
from lini.campaigns.choices import SERVICE_KEYS, TeamRole
from lini.campaigns.models import Campaign, CampaignService, DayLog, Lokus, Photo, TeamMember
from lini.campaigns.photos import photo_add, photo_dir
from lini.campaigns.planning import (
    CampaignValues,
    campaign_save,
    lokus_plan_save,
    lokus_suggest,
    team_member_add,
)
from lini.campaigns.recording import campaign_service_record, day_log_save
from lini.campaigns.report_writers import service_summary
from lini.campaigns.tests.factories import (
    FIRST,
    add_lokus,
    make_campaign,
    team_counsellor,
    tiny_jpeg,
)
from lini.indicators.models import Indicator
from lini.indicators.targets import target_save
from lini.indicators.tests.helpers import put_counts
from lini.kb.choices import VisitType
from lini.kb.tests.factories import make_couple
from lini.regions.models import Region
from lini.regions.tests.places import (
    BANTEN,
    CIRUAS,
    CISAIT,
    KAB_SERANG,
    KAB_TANGERANG,
    KRAGILAN,
    KUTA_JAYA,
    PASAR_KEMIS,
    PULO,
    SINGAMERTA,
)  # fmt: skip
from lini.register.choices import Method
from lini.register.identity import mask
from lini.register.models import Couple

pytestmark = pytest.mark.django_db

JPEG = tiny_jpeg()  # a real image: photos are decoded and written again without their metadata
NOV = dt.date(2019, 11, 1)


@pytest.fixture(autouse=True)
def _today(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """5 November 2019, the campaign's fifth day; messages matched in English."""
    settings.LINI_TODAY = dt.date(2019, 11, 5)
    with translation.override("en"):
        yield


def english(client: Client, user: User) -> Client:
    client.force_login(user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def url(name: str, pk: int | None = None) -> str:
    return reverse(f"campaigns:{name}", kwargs={"pk": pk} if pk is not None else None)


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


# Planning ----------------------------------------------------------------------------------------


@pytest.fixture
def behind() -> None:
    """October and November 2019 counts of Ciruas's and Kragilan's villages and 2019 targets of
    Kab. Serang: Singamerta far behind on modern contraception, Pulo close, Cisait on target."""
    for month in (dt.date(2019, 10, 1), NOV):
        put_counts(SINGAMERTA, month, villages=1, pus=40, pa=10, pa_modern=10, pa_suntik=6,
                   pa_implan=4, nonuser_iat=5, nonuser_tial=3)  # fmt: skip
        put_counts(PULO, month, villages=1, pus=20, pa=11, pa_modern=11, pa_pil=11)
        put_counts(CISAIT, month, villages=1, pus=10, pa=8, pa_modern=8, pa_iud=8)
    serang = Region.objects.get(code=KAB_SERANG)
    for code, value in (("mcpr", "60"), ("cpr", "65"), ("unmet_need", "10")):
        target_save(actor=None, indicator=Indicator.objects.get(code=code), region=serang,
                    year=2019, value=value)  # fmt: skip


def test_a_province_officer_plans_a_campaign_from_the_suggested_lokus(
    client: Client, behind: None
) -> None:
    officer = make_user(Role.PROVINCE_OFFICER, BANTEN, username="bkkbn.banten")
    english(client, officer)
    assert "New campaign" in text(client.get(url("campaign_list")))
    form = client.get(url("campaign_create"))
    assert form.status_code == 200
    assert f'value="{BANTEN}"' in text(form)  # the officer's province is the planning office

    refused = client.post(url("campaign_create"), {
        "name": "Baksos", "region": BANTEN, "starts_on": "2019-11-10", "ends_on": "2019-11-01",
        "areas": f"{CIRUAS}, 99.99",
    })  # fmt: skip
    assert refused.status_code == 200
    assert refused.context["form"].errors == {"areas": ["No region has the code 99.99."]}
    refused = client.post(url("campaign_create"), {
        "name": "Baksos", "region": BANTEN, "starts_on": "2019-11-10", "ends_on": "2019-11-01",
    })  # fmt: skip
    assert "The last day is before the first day." in refused.context["form"].errors["ends_on"]
    assert not Campaign.objects.exists()

    created = client.post(url("campaign_create"), {
        "name": "Baksos IPeKB Banten 2019", "theme": "IPeKB untuk KKBPK",
        "organisers": "BKKBN Banten, DPD IPeKB Banten", "region": BANTEN,
        "starts_on": "2019-11-01", "ends_on": "2019-11-10", "areas": f"{CIRUAS} {KRAGILAN}",
    })  # fmt: skip
    campaign = Campaign.objects.get()
    assert created.url == url("lokus_suggest", campaign.pk)
    assert (campaign.region.code, campaign.created_by) == (BANTEN, officer)
    assert sorted(campaign.areas.values_list("code", flat=True)) == [CIRUAS, KRAGILAN]

    # The suggestions, prefilled with the covered districts, the furthest behind first.
    page = client.get(url("lokus_suggest", campaign.pk))
    suggested = [row["s"].village.code for row in page.context["suggestions"]]
    assert suggested[:2] == [SINGAMERTA, PULO]
    expected = lokus_suggest(user=officer, regions=[Region.objects.get(code=SINGAMERTA)],
                             year=2019, count=1)[0]  # fmt: skip
    for reason in expected.reasons:
        assert escape(reason) in text(page)

    # Accepting two: the score and reasons are computed again, whatever the browser sent.
    accepted = client.post(url("lokus_suggest", campaign.pk), {
        "accept": [SINGAMERTA, PULO], "year": "2019", "regions": f"{CIRUAS}, {KRAGILAN}",
        "count": "8", "score": "999", "reasons": "made up",
    })  # fmt: skip
    assert accepted.status_code == 302
    singamerta = Lokus.objects.get(campaign=campaign, village__code=SINGAMERTA)
    assert singamerta.score == expected.score.quantize(Decimal("0.01"))
    assert singamerta.reasons == expected.reasons
    assert singamerta.users_needed == 14
    assert campaign.lokus.count() == 2
    again = client.get(url("lokus_suggest", campaign.pk))
    assert [row["chosen"] for row in again.context["suggestions"][:2]] == [True, True]
    assert "already a lokus" in text(again)

    detail = text(client.get(url("campaign_detail", campaign.pk)))
    assert "Singamerta" in detail
    assert "Pulo" in detail
    assert escape(expected.reasons[0]) in detail
    assert "Manage lokus" in detail


def test_accepting_villages_adds_all_or_none(client: Client) -> None:
    campaign = make_campaign(KAB_SERANG)
    add_lokus(campaign, PULO)
    english(client, make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    response = client.post(
        url("lokus_suggest", campaign.pk), {"accept": [SINGAMERTA, PULO], "year": "2019"},
        follow=True,
    )  # fmt: skip
    assert "Pulo is already a lokus of this campaign." in text(response)
    assert list(campaign.lokus.values_list("village__code", flat=True)) == [PULO]
    # A village outside the officer's regions is one more reason given, not a refused page.
    response = client.post(
        url("lokus_suggest", campaign.pk),
        {"accept": [SINGAMERTA, PULO, KUTA_JAYA], "year": "2019"}, follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    body = text(response)
    for message in ("Pulo is already a lokus of this campaign.", "Kuta Jaya lies outside",
                    "No village was added; correct the choice and try again."):  # fmt: skip
        assert message in body
    assert list(campaign.lokus.values_list("village__code", flat=True)) == [PULO]


def test_a_refused_code_is_named_by_its_field_through_a_translatable_pattern(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The "field: message" of a refused lokus code is a message of the catalog, so a language
    may word it its own way (here an English catalog entry made up for the test)."""
    from django.utils.translation import trans_real

    catalog = trans_real.translation("en")._catalog._catalogs[0]  # type: ignore[attr-defined]
    monkeypatch.setitem(catalog, "%(field)s: %(message)s", "%(field)s -> %(message)s")
    campaign = make_campaign(KAB_SERANG)
    english(client, make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    page = client.post(url("lokus_add", campaign.pk), {"code": "36.99.99.9999"}, follow=True)
    assert "village code -&gt; No region has the code 36.99.99.9999." in text(page)
    assert not campaign.lokus.exists()


def test_lokus_added_by_code_removed_and_planned(client: Client) -> None:
    campaign = make_campaign(KAB_SERANG)
    english(client, make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    outside = client.post(url("lokus_add", campaign.pk), {"code": "36.03.12.1012"}, follow=True)
    assert "Kuta Jaya lies outside" in text(outside)
    client.post(url("lokus_add", campaign.pk), {"code": SINGAMERTA})
    lokus = campaign.lokus.get()
    assert lokus.village.code == SINGAMERTA

    plan = client.get(url("lokus_plan", lokus.pk))
    assert plan.status_code == 200
    assert "injectable: new acceptor" in text(plan)  # each box is labelled
    saved = client.post(url("lokus_plan", lokus.pk), {
        "svc_iud_baru": "3", "mkjp": "3", "poktan_bkr": "1", "version": str(lokus.version),
    })  # fmt: skip
    assert saved.status_code == 302
    lokus.refresh_from_db()
    assert lokus.targets == {"svc_iud_baru": 3, "mkjp": 3, "poktan_bkr": 1}
    stale = client.post(url("lokus_plan", lokus.pk), {"svc_iud_baru": "9", "version": "1"})
    assert "Someone else changed this lokus" in text(stale)
    bad = client.post(url("lokus_plan", lokus.pk), {"mkjp": "-1", "version": str(lokus.version)})
    assert bad.context["form"].errors["mkjp"]
    lokus.refresh_from_db()
    assert lokus.targets["svc_iud_baru"] == 3

    removed = client.post(url("lokus_remove", lokus.pk))
    assert removed.url == url("lokus_suggest", campaign.pk)
    assert not campaign.lokus.exists()


def test_the_plan_ticks_tidy_up_items_of_the_kampung_kb_checklist(client: Client) -> None:
    from lini.kampung.services import kampung_save
    from lini.kampung.tests.factories import singamerta_values

    kampung_save(actor=None, village=Region.objects.get(code=SINGAMERTA),
                 values=singamerta_values())  # fmt: skip
    lokus = add_lokus(make_campaign(KAB_SERANG), SINGAMERTA)
    assert "regulation" in lokus.tidy_items  # proposed from what the profile lacks
    english(client, make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    page = text(client.get(url("lokus_plan", lokus.pk)))
    assert "Village regulation supports it" in page
    assert "Working group (pokja) formed (done)" in page
    saved = client.post(url("lokus_plan", lokus.pk), {
        "tidy_items": ["rumah_dataku", "regulation"], "svc_pil_baru": "2",
        "version": str(lokus.version),
    })  # fmt: skip
    assert saved.status_code == 302
    lokus.refresh_from_db()
    assert lokus.tidy_items == ["regulation", "rumah_dataku"]  # in the checklist's order
    assert lokus.targets == {"svc_pil_baru": 2}
    detail = client.get(url("lokus_detail", lokus.pk))
    assert [item.code for item in detail.context["progress"].tidy] == lokus.tidy_items


def test_only_planners_change_the_plan(client: Client) -> None:
    campaign = make_campaign(KAB_SERANG)
    lokus = add_lokus(campaign, SINGAMERTA)
    english(client, make_user(Role.COUNSELLOR, SINGAMERTA))
    assert "New campaign" not in text(client.get(url("campaign_list")))
    assert client.get(url("campaign_create")).status_code == 403
    for name, pk in (("campaign_edit", campaign.pk), ("lokus_suggest", campaign.pk),
                     ("lokus_plan", lokus.pk), ("team_add", lokus.pk)):  # fmt: skip
        assert client.get(url(name, pk)).status_code == 403, name
    assert client.post(url("campaign_delete", campaign.pk)).status_code == 403
    assert client.post(url("lokus_remove", lokus.pk)).status_code == 403
    assert Lokus.objects.filter(pk=lokus.pk).exists()
    # Another regency's officer does not see the campaign at all.
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_TANGERANG))
    assert client.get(url("campaign_detail", campaign.pk)).status_code == 404
    assert client.get(url("lokus_detail", lokus.pk)).status_code == 404


def test_a_stale_campaign_form_is_refused_and_a_campaign_with_work_is_kept(
    client: Client, scenario: dict
) -> None:
    campaign: Campaign = scenario["campaign"]
    english(client, make_user(Role.PROVINCE_OFFICER, BANTEN))
    edit = client.get(url("campaign_edit", campaign.pk))
    assert edit.context["form"].initial["version"] == 1
    values = {"name": "Baksos Banten", "region": BANTEN, "starts_on": "2019-11-01",
              "ends_on": "2019-11-10", "version": "1"}  # fmt: skip
    assert client.post(url("campaign_edit", campaign.pk), values).status_code == 302
    stale = client.post(url("campaign_edit", campaign.pk), {**values, "name": "Lain"})
    assert "Someone else changed this campaign" in text(stale)
    day_log_save(actor=scenario["pkb"], lokus=scenario["singamerta"], day=FIRST,
                 families_visited=1, counselling=0, attendance=0)  # fmt: skip
    kept = client.post(url("campaign_delete", campaign.pk), follow=True)
    assert "Work has been recorded in this campaign" in text(kept)
    assert Campaign.objects.get(pk=campaign.pk).name == "Baksos Banten"


def test_the_team_page_adds_members_and_warns_who_cannot_record(
    client: Client, scenario: dict
) -> None:
    from lini.workforce.tests.factories import make_counsellor

    lokus: Lokus = scenario["singamerta"]
    english(client, make_user(Role.PROVINCE_OFFICER, BANTEN))  # the planning office
    pkb = make_counsellor(CIRUAS, name="Rahmat Hidayat")
    page = client.get(url("team_add", lokus.pk))
    assert "Rahmat Hidayat" in text(page)  # a counsellor of the district
    client.post(url("team_add", lokus.pk), {"counsellor": str(pkb.pk), "role": "konseling"})
    client.post(url("team_add", lokus.pk), {"name": "Bidan Puskesmas Ciruas",
                                            "organisation": "Dinkes", "role": "pelayanan"})  # fmt: skip
    assert set(lokus.team.values_list("name", flat=True)) >= {"Rahmat Hidayat",
                                                             "Bidan Puskesmas Ciruas"}  # fmt: skip
    refused = client.post(url("team_add", lokus.pk), {"name": " ", "role": "pelayanan"})
    assert refused.context["form"].errors["name"] == [
        "Give the partner's name (a person or an office)."
    ]
    page = text(client.get(url("team_add", lokus.pk)))
    assert page.count("No account in Lini: cannot record in this lokus.") == 2
    member = lokus.team.get(name="Bidan Puskesmas Ciruas")
    assert client.post(url("team_remove", member.pk)).status_code == 302
    assert not TeamMember.objects.filter(pk=member.pk).exists()


def test_the_team_page_reads_each_account_s_regions_once(client: Client, scenario: dict) -> None:
    """The warnings of the team page: one query for each distinct account (its regions), none
    more per member, however the members reach their accounts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lokus: Lokus = scenario["singamerta"]
    english(client, make_user(Role.PROVINCE_OFFICER, BANTEN))
    page_url = url("team_add", lokus.pk)

    def queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as done:
            page = client.get(page_url)
        assert page.status_code == 200
        return len(done.captured_queries), text(page)

    queries()  # the session and the account of the officer, read once
    alone, page = queries()  # the PKB, through their counsellor record
    assert "cannot record" not in page
    outsider = make_user(Role.COUNSELLOR, KUTA_JAYA, username="mitra.tangerang")
    for name, user in (("Mitra PKB", scenario["pkb"]), ("Mitra Tangerang", outsider),
                       ("Mitra tanpa akun", None)):  # fmt: skip
        team_member_add(actor=None, lokus=lokus, role=TeamRole.SUPPORT, name=name, user=user)
    more, page = queries()
    assert (
        more == alone + 1
    )  # the PKB's account again (as a partner): no query; the outsider's: one
    assert page.count("No account in Lini: cannot record in this lokus.") == 1
    assert page.count("may not change data of") == 1
    assert "The account mitra.tangerang may not change data of" in page


# Recording ---------------------------------------------------------------------------------------


@pytest.fixture
def scenario() -> dict[str, object]:
    campaign = make_campaign()
    singamerta, pulo = add_lokus(campaign, SINGAMERTA), add_lokus(campaign, PULO)
    return {
        "campaign": campaign,
        "singamerta": singamerta,
        "pulo": pulo,
        "pkb": team_counsellor(singamerta, CIRUAS, username="pkb.singamerta"),
        "pkb_pulo": team_counsellor(pulo, CIRUAS, username="pkb.pulo"),
        "couple": make_couple(SINGAMERTA),
    }


def test_a_pkb_records_a_service_that_shows_on_the_lokus_and_the_report(
    client: Client, scenario: dict
) -> None:
    lokus: Lokus = scenario["singamerta"]
    couple: Couple = scenario["couple"]
    english(client, scenario["pkb"])
    found = client.get(url("service_record", lokus.pk), {"q": "euis"})
    assert found.status_code == 200
    assert mask(couple.family.kk_number) in text(found)
    assert couple.family.kk_number not in text(found)  # the number is shown masked
    assert client.get(url("service_record", lokus.pk), {"q": "nobody"}).context["results"] == []

    form = client.get(url("service_record", lokus.pk), {"couple": couple.pk})
    assert form.context["picked"] == couple
    assert form.context["form"].initial["served_on"] == dt.date(2019, 11, 5)
    saved = client.post(url("service_record", lokus.pk), {
        "couple": str(couple.pk), "served_on": "2019-11-04", "method": Method.IMPLANT,
        "visit_type": VisitType.SWITCH, "informed_consent": "on",
    })  # fmt: skip
    assert saved.url == url("service_record", lokus.pk)  # back to record the next one
    link = CampaignService.objects.get()
    assert (link.lokus, link.service.couple, link.service.method) == (lokus, couple, "implan")
    assert "Service recorded for Euis" in text(client.get(saved.url))

    outside = client.post(url("service_record", lokus.pk), {
        "couple": str(couple.pk), "served_on": "2019-10-30", "method": Method.PILL,
        "visit_type": VisitType.NEW,
    })  # fmt: skip
    assert "is not a day of the campaign" in text(outside)
    assert CampaignService.objects.count() == 1

    page = client.get(url("lokus_detail", lokus.pk))
    assert "Record service" in text(page)
    assert reverse("kb:service_detail", kwargs={"pk": link.service.pk}) in text(page)
    # Poktan and the Kampung KB profile are recorded on their own pages, linked from the lokus.
    assert reverse("poktan:poktan_create", kwargs={"code": lokus.village.code}) in text(page)
    assert reverse("kampung:kampung_create", kwargs={"code": lokus.village.code}) in text(page)
    assert "Euis" in text(page)
    lines = {line.key: line.achieved for line in page.context["progress"].lines}
    assert (lines["svc_implan_ganti"], lines["mkjp"]) == (1, 1)

    report = client.get(url("campaign_report", scenario["campaign"].pk))
    assert report.status_code == 200
    totals = {line.key: line for line in report.context["progress"].total}
    assert (totals["svc_implan_ganti"].achieved, totals["mkjp"].achieved) == (1, 1)
    assert report.context["methods"] == [("implant", [0, 0, 1, 0, 0], 1)]
    assert "<strong>1</strong>" in text(report)  # the method table's total
    assert report.context["effect"] == []  # Kab. Serang's figures lie outside a PKB's village


def test_a_team_member_records_only_in_their_own_lokus_and_campaign(
    client: Client, scenario: dict
) -> None:
    client.force_login(scenario["pkb_pulo"])
    singamerta: Lokus = scenario["singamerta"]
    other = make_campaign(name="Baksos lain")
    other_pulo = add_lokus(other, PULO)
    service = {"couple": str(scenario["couple"].pk), "served_on": "2019-11-04",
               "method": Method.PILL, "visit_type": VisitType.NEW}  # fmt: skip
    for lokus in (singamerta, other_pulo):
        for name in ("service_record", "day_log", "photo_add"):
            assert client.get(url(name, lokus.pk)).status_code == 403, name
        assert client.post(url("service_record", lokus.pk), service).status_code == 403
    assert client.get(url("service_record", scenario["pulo"].pk)).status_code == 200
    # A user of another regency does not even find the lokus.
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_TANGERANG))
    assert client.get(url("service_record", singamerta.pk)).status_code == 404
    assert not CampaignService.objects.exists()


def test_photos_are_served_to_the_team_only_and_checked_by_content(
    client: Client, scenario: dict, settings: Any, tmp_path: Path
) -> None:
    settings.LINI_HOME = tmp_path
    lokus: Lokus = scenario["singamerta"]
    english(client, scenario["pkb"])
    page = client.get(url("photo_add", lokus.pk))
    assert 'accept="image/*"' in text(page)
    saved = client.post(url("photo_add", lokus.pk), {
        "day": "2019-11-04", "caption": "Pelayanan KB",
        "photo": SimpleUploadedFile("foto.jpg", JPEG, content_type="image/jpeg"),
    })  # fmt: skip
    assert saved.url == url("lokus_detail", lokus.pk)
    photo = Photo.objects.get()
    served = client.get(url("photo_view", photo.pk))
    assert served.status_code == 200
    served_bytes = b"".join(served.streaming_content)
    assert served_bytes == (photo_dir() / photo.file_name).read_bytes()
    assert served_bytes.startswith(b"\xff\xd8")  # the JPEG as stored (written again)
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"] == "inline"
    assert url("photo_view", photo.pk) in text(client.get(url("lokus_detail", lokus.pk)))

    forged = client.post(url("photo_add", lokus.pk), {
        "day": "2019-11-04",
        "photo": SimpleUploadedFile("foto.jpg", b"<html><script>alert(1)</script></html>",
                                    content_type="image/jpeg"),
    })  # fmt: skip
    assert forged.status_code == 200
    assert forged.context["form"].errors["photo"] == ["foto.jpg is not a JPEG, PNG or WebP image."]
    assert Photo.objects.count() == 1

    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_TANGERANG))
    assert client.get(url("photo_view", photo.pk)).status_code == 404
    assert client.post(url("photo_delete", photo.pk)).status_code == 404
    client.force_login(scenario["pkb"])
    assert client.post(url("photo_delete", photo.pk)).status_code == 302
    assert not Photo.objects.exists()


def test_the_daily_log_round_trip_refuses_a_stale_form(client: Client, scenario: dict) -> None:
    lokus: Lokus = scenario["singamerta"]
    english(client, scenario["pkb"])
    page = client.get(url("day_log", lokus.pk), {"day": "2019-11-02"})
    assert page.context["day"] == dt.date(2019, 11, 2)
    assert page.context["form"].initial["version"] == 0
    data = {"day": "2019-11-02", "families_visited": "12", "counselling": "2",
            "attendance": "30", "notes": "Penyuluhan di balai desa", "version": "0"}  # fmt: skip
    saved = client.post(url("day_log", lokus.pk), data)
    assert saved.url == url("day_log", lokus.pk) + "?day=2019-11-02"
    again = client.get(saved.url)
    assert again.context["form"].initial["families_visited"] == 12
    assert again.context["form"].initial["version"] == 1
    assert "Daily log of 02/11/2019 saved." in text(again)

    stale = client.post(url("day_log", lokus.pk), {**data, "families_visited": "1"})
    assert stale.status_code == 200
    assert "Someone else changed this daily log" in text(stale)
    assert DayLog.objects.get(lokus=lokus).families_visited == 12
    # A day not given, or after today, falls back to today; before the campaign, to its first day.
    assert client.get(url("day_log", lokus.pk)).context["day"] == dt.date(2019, 11, 5)
    assert client.get(url("day_log", lokus.pk), {"day": "2019-11-09"}).context["day"] == dt.date(
        2019, 11, 5
    )
    assert client.get(url("day_log", lokus.pk), {"day": "2019-10-01"}).context["day"] == FIRST
    bad = client.get(url("day_log", lokus.pk), {"day": "kemarin"})
    assert "kemarin is not a date" in text(bad)


def test_the_errors_of_hidden_fields_are_shown(client: Client, scenario: dict) -> None:
    """The couple of the service form and the day of the daily log are hidden fields: their
    refusals are shown like any other."""
    lokus: Lokus = scenario["singamerta"]
    english(client, scenario["pkb"])
    service = {"served_on": "2019-11-04", "method": Method.PILL, "visit_type": VisitType.NEW,
               "informed_consent": "on"}  # fmt: skip
    missing = client.post(url("service_record", lokus.pk), service)
    assert missing.status_code == 200
    assert "Find the couple first (No. KK or a name)." in text(missing)
    other_village = make_couple(PULO, serial=2)
    foreign = client.post(
        url("service_record", lokus.pk), {**service, "couple": str(other_village.pk)}
    )
    assert foreign.status_code == 200
    assert escape("This couple is not a PUS couple of the lokus's village.") in text(foreign)
    assert not CampaignService.objects.exists()

    day = client.post(url("day_log", lokus.pk), {
        "day": "xx", "families_visited": "3", "counselling": "0", "attendance": "0",
        "version": "0",
    })  # fmt: skip
    assert day.status_code == 200
    assert "The day of the log is not a date (YYYY-MM-DD); choose a day of the campaign." in text(
        day
    )
    assert not DayLog.objects.exists()


# The report, its downloads and the summary -------------------------------------------------------


@pytest.fixture
def recorded(scenario: dict) -> dict[str, object]:
    campaign_service_record(
        actor=scenario["pkb"], lokus=scenario["singamerta"], couple=scenario["couple"],
        served_on=dt.date(2019, 11, 2), method=Method.IMPLANT, visit_type=VisitType.NEW,
    )  # fmt: skip
    day_log_save(actor=scenario["pkb"], lokus=scenario["singamerta"], day=FIRST,
                 families_visited=12, counselling=2, attendance=30)  # fmt: skip
    return scenario


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("pdf", "application/pdf"),
    ],
)
def test_downloads_have_their_type_and_are_audited(
    client: Client, recorded: dict, fmt: str, content_type: str
) -> None:
    campaign: Campaign = recorded["campaign"]
    officer = make_user(Role.PROVINCE_OFFICER, BANTEN)
    client.force_login(officer)
    response = client.get(url("campaign_report", campaign.pk), {"format": fmt})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response.content
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, model="campaigns.report")
    assert (entry.actor, entry.object_id, entry.region_code) == (officer, str(campaign.pk), "36")
    assert client.get(url("campaign_report", campaign.pk), {"format": "doc"}).status_code == 404


def test_the_report_page_shows_the_achievement_in_the_language_of_the_page(
    client: Client, recorded: dict
) -> None:
    campaign: Campaign = recorded["campaign"]
    client.force_login(make_user(Role.PROVINCE_OFFICER, BANTEN))
    page = client.get(url("campaign_report", campaign.pk))  # Indonesian by default
    sessions = next(line for line in page.context["progress"].total
                    if line.key == "counselling")  # fmt: skip
    assert (sessions.target, sessions.achieved) == (20, 2)  # a session a day in each lokus
    assert "10,0%" in text(page)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "10.0%" in text(client.get(url("campaign_report", campaign.pk)))
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_summary_is_one_printable_page(client: Client, recorded: dict) -> None:
    campaign: Campaign = recorded["campaign"]
    english(client, make_user(Role.PROVINCE_OFFICER, BANTEN))
    page = client.get(url("campaign_summary", campaign.pk))
    assert page.status_code == 200
    body = text(page)
    assert campaign.name in body
    assert 'class="menu"' not in body  # no menu on paper
    assert "campaigns.css" in body  # the A4 print rules
    assert "name and signature" in body
    totals = {line.key: (line.target, line.achieved) for line in page.context["totals"]}
    assert totals["services"][1] == 1
    assert totals["new"][1] == 1
    assert totals["mkjp"][1] == 1
    assert totals["families_visited"][1] == 12
    assert [row["p"].lokus.village.code for row in page.context["rows"]] == [PULO, SINGAMERTA]
    assert [item["region"].code for item in page.context["effect"]] == [KAB_SERANG]


def test_the_list_shows_my_lokus_to_team_members(client: Client, recorded: dict) -> None:
    english(client, recorded["pkb"])
    page = client.get(url("campaign_list"))
    assert [lokus.pk for lokus in page.context["mine"]] == [recorded["singamerta"].pk]
    assert "My lokus" in text(page)
    assert url("service_record", recorded["singamerta"].pk) in text(page)
    row = page.context["page"].object_list[0]
    assert (row.lokus_count, row.service_count) == (1, 1)  # only their own lokus: Singamerta
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    other = client.get(url("campaign_list"))
    assert other.context["mine"] == []
    assert "My lokus" not in text(other)
    assert "Baksos IPeKB Banten 2019" in text(other)


@pytest.fixture
def two_regencies(recorded: dict, settings: Any, tmp_path: Path) -> dict[str, Any]:
    """The province's campaign with a third lokus, Kuta Jaya of Kab. Tangerang, whose PKB
    recorded a service there; a photo of Singamerta."""
    settings.LINI_HOME = tmp_path
    kuta_jaya = add_lokus(recorded["campaign"], KUTA_JAYA)
    pkb = team_counsellor(kuta_jaya, PASAR_KEMIS, username="pkb.kutajaya")
    campaign_service_record(
        actor=pkb, lokus=kuta_jaya, couple=make_couple(KUTA_JAYA), served_on=dt.date(2019, 11, 3),
        method=Method.PILL, visit_type=VisitType.NEW,
    )  # fmt: skip
    photo = photo_add(actor=recorded["pkb"], lokus=recorded["singamerta"], day=FIRST,
                      caption="Pelayanan KB", upload=SimpleUploadedFile("foto.jpg", JPEG))  # fmt: skip
    return {**recorded, "kuta_jaya": kuta_jaya, "pkb_tangerang": pkb, "photo": photo}


def test_the_list_counts_only_the_lokus_each_user_may_see(
    client: Client, two_regencies: dict
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cases = [
        (make_user(Role.PROVINCE_OFFICER, BANTEN), (3, 2)),  # the planning office: all
        (make_user(Role.REGENCY_OFFICER, KAB_SERANG), (2, 1)),  # Singamerta and Pulo
        (two_regencies["pkb_tangerang"], (1, 1)),  # Kuta Jaya
        (two_regencies["pkb_pulo"], (1, 0)),  # Pulo, nothing recorded there
    ]
    for user, expected in cases:
        client.force_login(user)
        row = client.get(url("campaign_list")).context["page"].object_list[0]
        assert (row.lokus_count, row.service_count) == expected, user.username

    # One query counts every campaign of the page, however many there are.
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_TANGERANG))

    def queries() -> int:
        with CaptureQueriesContext(connection) as done:
            assert client.get(url("campaign_list")).status_code == 200
        return len(done.captured_queries)

    queries()
    one = queries()
    for name in ("Baksos Tangerang", "Baksos Serang"):
        add_lokus(make_campaign(name=name), KUTA_JAYA)
    assert queries() == one
    counts = [(c.name, c.lokus_count) for c in client.get(url("campaign_list")).context["page"]]
    assert sorted(counts) == [("Baksos IPeKB Banten 2019", 1), ("Baksos Serang", 1),
                              ("Baksos Tangerang", 1)]  # fmt: skip


def test_a_pkb_of_another_regency_gets_a_report_of_their_lokus_only(
    client: Client, two_regencies: dict
) -> None:
    """A Tangerang PKB sees the province's campaign through their lokus: the report page, its
    CSV and PDF and the summary hold Kuta Jaya only, and a photo of Singamerta is not found."""
    import io

    from pypdf import PdfReader

    campaign: Campaign = two_regencies["campaign"]
    english(client, two_regencies["pkb_tangerang"])
    page = client.get(url("campaign_report", campaign.pk))
    assert page.status_code == 200
    assert [p.lokus.village.code for p in page.context["progress"].lokus] == [KUTA_JAYA]
    assert page.context["effect"] == []  # Kab. Tangerang's figures lie outside their village
    csv_text = client.get(url("campaign_report", campaign.pk), {"format": "csv"}).content.decode(
        "utf-8-sig"
    )
    pdf = client.get(url("campaign_report", campaign.pk), {"format": "pdf"}).content
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    summary = text(client.get(url("campaign_summary", campaign.pk)))
    for shown in (text(page), csv_text, pdf_text, summary):
        assert "Kuta Jaya" in shown
        for hidden in ("Singamerta", "Pulo", SINGAMERTA, PULO):
            assert hidden not in shown
    exports = AuditEntry.objects.filter(action=AuditAction.EXPORT, model="campaigns.report")
    assert [entry.after["lokus"] for entry in exports] == [[KUTA_JAYA], [KUTA_JAYA]]
    assert client.get(url("photo_view", two_regencies["photo"].pk)).status_code == 404


def test_the_summary_counts_the_targeted_services_as_the_pdf_does(
    client: Client, recorded: dict
) -> None:
    """A repeat visit is recorded and reported, but it is not a targeted service: the summary's
    services line sums the service lines (new, switch, transfer) on both sides."""
    campaign_service_record(
        actor=recorded["pkb"], lokus=recorded["singamerta"], couple=recorded["couple"],
        served_on=dt.date(2019, 11, 4), method=Method.IMPLANT, visit_type=VisitType.REPEAT,
    )  # fmt: skip
    lokus_plan_save(actor=None, lokus=recorded["singamerta"], tidy_items=[],
                    targets={"svc_implan_baru": 3, "svc_pil_ganti": 2, "mkjp": 3})  # fmt: skip
    english(client, make_user(Role.PROVINCE_OFFICER, BANTEN))
    page = client.get(url("campaign_summary", recorded["campaign"].pk))
    progress = page.context["progress"]
    assert progress.services == 2  # both services are in the report
    targeted = sum(line.target for line in progress.total if line.key in SERVICE_KEYS)
    assert targeted == 5
    totals = {line.key: (line.target, line.achieved) for line in page.context["totals"]}
    assert totals["services"] == (targeted, 1) == service_summary(progress.total)
    for row in page.context["rows"]:
        lines = {line.key: (line.target, line.achieved) for line in row["lines"]}
        assert lines["services"] == service_summary(row["p"].lines)


def test_the_summary_compares_the_regions_the_report_compares(client: Client) -> None:
    """The campaign's covered regions (here a district), as on the report page; none for a
    user who may not see their figures."""
    serang, ciruas = Region.objects.get(code=KAB_SERANG), Region.objects.get(code=CIRUAS)
    campaign = campaign_save(actor=None, values=CampaignValues(
        name="Baksos Ciruas", region=serang, starts_on=FIRST, ends_on=dt.date(2019, 11, 10),
        areas=(ciruas,),
    ))  # fmt: skip
    add_lokus(campaign, SINGAMERTA)
    english(client, make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    report = client.get(url("campaign_report", campaign.pk))
    summary = client.get(url("campaign_summary", campaign.pk))
    assert [item["region"].code for item in report.context["effect"]] == [CIRUAS]
    assert [item["region"].code for item in summary.context["effect"]] == [CIRUAS]
    assert [row["name"] for row in summary.context["effect"][0]["rows"]]  # CPR and mCPR
    client.force_login(make_user(Role.COUNSELLOR, SINGAMERTA))  # sees the lokus, not Ciruas
    assert client.get(url("campaign_summary", campaign.pk)).context["effect"] == []
