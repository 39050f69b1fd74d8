"""Planning a campaign (rights, lokus, proposed targets), recording in a lokus (only its team,
only its village and days), and the progress computed from what was recorded."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from PIL import Image

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.campaigns.choices import TeamRole
from lini.campaigns.models import CampaignService, Photo
from lini.campaigns.photos import photo_add, photo_dir, sniff_image
from lini.campaigns.planning import (
    CampaignValues,
    campaign_delete,
    campaign_save,
    lokus_add,
    lokus_plan_save,
    lokus_remove,
    lokus_suggest,
    team_member_add,
)
from lini.campaigns.recording import campaign_service_record, day_log_save
from lini.campaigns.selectors import campaigns_visible_to, lokus_for_recording, progress
from lini.campaigns.services import can_record
from lini.campaigns.tests.factories import (
    FIRST,
    LAST,
    add_lokus,
    make_campaign,
    team_counsellor,
    tiny_jpeg,
)
from lini.indicators.models import Indicator
from lini.indicators.selectors import indicator_values, period_parse
from lini.indicators.services import counts_rebuild
from lini.indicators.targets import target_save
from lini.indicators.tests.helpers import put_counts
from lini.kampung.services import kampung_save
from lini.kampung.tests.factories import singamerta_values
from lini.kb.choices import VisitType
from lini.kb.tests.factories import make_couple
from lini.poktan.services import poktan_save
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
from lini.register.choices import EventSource, Method
from lini.register.models import ContraceptiveEvent, Couple
from lini.workforce.tests.factories import make_cadre, make_counsellor

pytestmark = pytest.mark.django_db

NOV = dt.date(2019, 11, 1)
JPEG = tiny_jpeg()


@pytest.fixture(autouse=True)
def _today(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """5 November 2019, the campaign's fifth day; messages in English (as the tests match)."""
    settings.LINI_TODAY = dt.date(2019, 11, 5)
    with translation.override("en"):
        yield


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def values(region_code: str, **changes: object) -> CampaignValues:
    base: dict[str, object] = {
        "name": "Baksos", "region": region(region_code), "starts_on": FIRST, "ends_on": LAST,
    }  # fmt: skip
    base.update(changes)
    return CampaignValues(**base)  # type: ignore[arg-type]


# Planning --------------------------------------------------------------------------------------


def test_province_officers_plan_in_their_province_and_regency_officers_in_their_regency() -> None:
    province = make_user(Role.PROVINCE_OFFICER, BANTEN)
    serang = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    counsellor = make_user(Role.COUNSELLOR, SINGAMERTA)
    made = campaign_save(actor=province, values=values(BANTEN))
    assert made.region.code == BANTEN
    assert made.created_by == province
    assert campaign_save(actor=serang, values=values(KAB_SERANG)).region.code == KAB_SERANG
    with pytest.raises(PermissionDenied):
        campaign_save(actor=serang, values=values(BANTEN))  # above their regency
    with pytest.raises(PermissionDenied):
        campaign_save(actor=serang, values=values(KAB_TANGERANG))  # another regency
    with pytest.raises(PermissionDenied):
        campaign_save(actor=counsellor, values=values(KAB_SERANG))  # counsellors do not plan
    with pytest.raises(PermissionDenied):
        lokus_add(actor=serang, campaign=made, village=region(SINGAMERTA))  # the province's plan


def test_a_campaign_refuses_bad_dates_levels_and_areas_field_by_field() -> None:
    with pytest.raises(ValidationError) as caught:
        campaign_save(
            actor=None,
            values=values(CIRUAS, name="  ", ends_on=FIRST - dt.timedelta(days=1),
                          areas=(region(KUTA_JAYA),)),
        )  # fmt: skip
    errors = caught.value.message_dict
    assert set(errors) == {"name", "region", "ends_on", "areas"}
    with pytest.raises(ValidationError) as caught:
        campaign_save(actor=None, values=values(KAB_SERANG, areas=(region(KAB_TANGERANG),)))
    assert "lies outside" in caught.value.message_dict["areas"][0]


def test_a_second_save_from_an_old_form_is_refused_and_the_first_kept() -> None:
    campaign = make_campaign()
    first = campaign_save(actor=None, campaign=campaign, version=1,
                          values=values(BANTEN, name="Baksos Banten"))  # fmt: skip
    assert first.version == 2
    with pytest.raises(ValidationError, match="Someone else changed"):
        campaign_save(actor=None, campaign=campaign, version=1, values=values(BANTEN, name="X"))
    campaign.refresh_from_db()
    assert campaign.name == "Baksos Banten"
    same = campaign_save(actor=None, campaign=campaign, version=2,
                         values=values(BANTEN, name="Baksos Banten"))  # fmt: skip
    assert same.version == 2  # nothing changed: no new version


def test_a_lokus_lies_in_the_campaign_region_once() -> None:
    campaign = make_campaign(KAB_SERANG)
    add_lokus(campaign, SINGAMERTA)
    with pytest.raises(ValidationError, match="already a lokus"):
        add_lokus(campaign, SINGAMERTA)
    with pytest.raises(ValidationError, match="lies outside"):
        add_lokus(campaign, KUTA_JAYA)
    with pytest.raises(ValidationError, match="A lokus is a village"):
        add_lokus(campaign, CIRUAS)


@pytest.fixture
def behind(settings) -> None:  # type: ignore[no-untyped-def]
    """October 2019 counts of Ciruas's and Kragilan's villages and 2019 targets of Kab. Serang:
    Singamerta far behind on modern contraception (10 of 40), Pulo close, Cisait on target."""
    settings.LINI_TODAY = dt.date(2019, 11, 5)
    for month in (dt.date(2019, 10, 1), NOV):
        put_counts(SINGAMERTA, month, villages=1, pus=40, pa=10, pa_modern=10, pa_suntik=6,
                   pa_implan=4, nonuser_iat=5, nonuser_tial=3)  # fmt: skip
        put_counts(PULO, month, villages=1, pus=20, pa=11, pa_modern=11, pa_pil=11)
        put_counts(CISAIT, month, villages=1, pus=10, pa=8, pa_modern=8, pa_iud=8)
    serang = region(KAB_SERANG)
    for code, value in (("mcpr", "60"), ("cpr", "65"), ("unmet_need", "10")):
        target_save(actor=None, indicator=Indicator.objects.get(code=code), region=serang,
                    year=2019, value=value)  # fmt: skip


def test_suggested_lokus_are_the_villages_furthest_behind_with_reasons(behind: None) -> None:
    suggestions = lokus_suggest(
        user=make_user(Role.PROVINCE_OFFICER, BANTEN),
        regions=[region(CIRUAS), region(KRAGILAN)], year=2019, count=2,
    )  # fmt: skip
    assert [s.village.code for s in suggestions] == [SINGAMERTA, PULO]
    singamerta = suggestions[0]
    # 60% of 40 couples = 24 on a modern method; 10 are: 14 more.
    assert singamerta.users_needed == 14
    assert any("25" in reason and "60" in reason for reason in singamerta.reasons)
    assert singamerta.as_dict()["reasons"] == singamerta.reasons
    assert singamerta.score > suggestions[1].score


def test_a_lokus_gets_targets_from_its_gap_in_people(behind: None) -> None:
    lokus = add_lokus(make_campaign(KAB_SERANG), SINGAMERTA)
    assert lokus.users_needed == 14
    assert lokus.reasons
    # 14 new acceptors spread as its 10 modern users are: 6 injectable, 4 implant -> 8.4 / 5.6.
    assert lokus.targets["svc_suntik_baru"] == 8
    assert lokus.targets["svc_implan_baru"] == 6
    assert lokus.targets["mkjp"] == 6
    assert lokus.targets["families_visited"] == 14  # max(8 with unmet need, 14 to reach)
    assert lokus.targets["counselling"] == 10  # a session a day
    assert {lokus.targets[f"poktan_{k}"] for k in ("bkb", "bkr", "bkl", "uppka", "pikr")} == {1}
    assert "rumah_dataku" not in lokus.targets  # no Kampung KB profile to hold one
    changed = lokus_plan_save(actor=None, lokus=lokus, targets={"svc_iud_baru": "3", "mkjp": 0},
                              tidy_items=[], version=1)  # fmt: skip
    assert changed.targets == {"svc_iud_baru": 3}
    assert changed.version == 2
    with pytest.raises(ValidationError) as caught:
        lokus_plan_save(actor=None, lokus=changed, targets={"svc_iud_baru": "tiga", "x": 1,
                        "mkjp": -1}, tidy_items=["pokja"])  # fmt: skip
    assert set(caught.value.message_dict) == {"svc_iud_baru", "x", "mkjp", "tidy_items"}


# Recording -------------------------------------------------------------------------------------


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


def test_a_team_member_records_a_service_that_lands_in_the_register_linked_to_the_lokus(
    scenario: dict,
) -> None:
    couple: Couple = scenario["couple"]
    service = campaign_service_record(
        actor=scenario["pkb"], lokus=scenario["singamerta"], couple=couple,
        served_on=dt.date(2019, 11, 2), method=Method.IMPLANT, visit_type=VisitType.SWITCH,
    )  # fmt: skip
    assert service.campaign_link.lokus == scenario["singamerta"]
    event = ContraceptiveEvent.objects.get(service=service)
    assert (event.source, event.effective_on, event.method) == (
        EventSource.CAMPAIGN, dt.date(2019, 11, 2), Method.IMPLANT,
    )  # fmt: skip
    assert Couple.objects.get(pk=couple.pk).method == Method.IMPLANT
    report = progress(scenario["campaign"])
    lines = {line.key: line for line in report.lokus[1].lines}  # Pulo < Singamerta by code
    assert report.lokus[1].lokus == scenario["singamerta"]
    assert (lines["svc_implan_ganti"].achieved, lines["mkjp"].achieved) == (1, 1)
    assert {line.key: line.achieved for line in report.total}["mkjp"] == 1
    assert report.by_method == {"implan": {"ganti": 1}}


def test_a_team_member_records_only_in_their_own_lokus_and_campaign(scenario: dict) -> None:
    pulo_couple = make_couple(PULO, serial=2)
    other_campaign = make_campaign(name="Baksos lain")
    other_singamerta = add_lokus(other_campaign, SINGAMERTA)
    service = {"served_on": dt.date(2019, 11, 2), "method": Method.PILL,
               "visit_type": VisitType.NEW}  # fmt: skip
    with pytest.raises(PermissionDenied):  # the other lokus of the same campaign
        campaign_service_record(actor=scenario["pkb"], lokus=scenario["pulo"],
                                couple=pulo_couple, **service)  # fmt: skip
    with pytest.raises(PermissionDenied):  # the same village in another campaign
        campaign_service_record(actor=scenario["pkb"], lokus=other_singamerta,
                                couple=scenario["couple"], **service)  # fmt: skip
    with pytest.raises(PermissionDenied):  # a colleague with the right to change Singamerta
        campaign_service_record(actor=make_user(Role.COUNSELLOR, SINGAMERTA),
                                lokus=scenario["singamerta"], couple=scenario["couple"], **service)  # fmt: skip
    with pytest.raises(PermissionDenied):
        day_log_save(actor=scenario["pkb"], lokus=scenario["pulo"], day=FIRST,
                     families_visited=1, counselling=1, attendance=1)  # fmt: skip
    assert not CampaignService.objects.exists()
    assert list(lokus_for_recording(scenario["pkb"])) == [scenario["singamerta"]]


def test_a_service_of_another_village_or_outside_the_days_is_refused(scenario: dict) -> None:
    pulo_couple = make_couple(PULO, serial=2)
    with pytest.raises(ValidationError) as caught:
        campaign_service_record(
            actor=scenario["pkb"], lokus=scenario["singamerta"], couple=pulo_couple,
            served_on=dt.date(2019, 10, 30), method=Method.PILL, visit_type=VisitType.NEW,
        )  # fmt: skip
    assert set(caught.value.message_dict) == {"couple", "served_on"}
    with pytest.raises(ValidationError, match="in the future"):
        campaign_service_record(
            actor=scenario["pkb"], lokus=scenario["singamerta"], couple=scenario["couple"],
            served_on=dt.date(2019, 11, 8), method=Method.PILL, visit_type=VisitType.NEW,
        )  # fmt: skip
    assert not CampaignService.objects.exists()


@pytest.mark.usefixtures("live_counts")
def test_a_campaign_service_is_in_the_regency_figures_at_once(scenario: dict) -> None:
    couple: Couple = scenario["couple"]
    counts_rebuild(village_ids=[couple.family.village_id])
    serang = region(KAB_SERANG)
    period = period_parse("2019-11")
    before = indicator_values(region=serang, period=period)
    campaign_service_record(
        actor=scenario["pkb"], lokus=scenario["singamerta"], couple=couple,
        served_on=dt.date(2019, 11, 3), method=Method.IUD, visit_type=VisitType.SWITCH,
    )  # fmt: skip
    after = indicator_values(region=serang, period=period)
    assert after["pa_iud"].value == before["pa_iud"].value + 1
    assert after["pa_pill"].value == before["pa_pill"].value - 1
    assert progress(scenario["campaign"]).total[0].achieved == 1


def test_the_daily_log_and_the_progress_it_feeds(scenario: dict) -> None:
    lokus = scenario["singamerta"]
    log = day_log_save(actor=scenario["pkb"], lokus=lokus, day=FIRST, families_visited=12,
                       counselling=2, attendance=30, notes="Penyuluhan di balai desa", version=0)  # fmt: skip
    assert log.version == 1
    day_log_save(actor=scenario["pkb"], lokus=lokus, day=FIRST, families_visited=14,
                 counselling=2, attendance=30, version=1)  # fmt: skip
    with pytest.raises(ValidationError, match="Someone else changed"):
        day_log_save(actor=scenario["pkb"], lokus=lokus, day=FIRST, families_visited=1,
                     counselling=0, attendance=0, version=1)  # fmt: skip
    day_log_save(actor=scenario["pkb"], lokus=lokus, day=dt.date(2019, 11, 2),
                 families_visited=6, counselling=1, attendance=5)  # fmt: skip
    with pytest.raises(ValidationError, match="not a day of the campaign"):
        day_log_save(actor=scenario["pkb"], lokus=lokus, day=dt.date(2019, 10, 31),
                     families_visited=1, counselling=0, attendance=0)  # fmt: skip
    mine = next(p for p in progress(scenario["campaign"]).lokus if p.lokus == lokus)
    lines = {line.key: line for line in mine.lines}
    assert (lines["families_visited"].achieved, lines["counselling"].achieved) == (20, 3)
    assert (mine.days_logged, mine.attendance) == (2, 35)


def test_poktan_formed_and_a_rumah_dataku_established_in_the_lokus_count(settings) -> None:  # type: ignore[no-untyped-def]
    village = region(SINGAMERTA)
    kampung_save(actor=None, village=village, values=singamerta_values(
        rumah_dataku="", rumah_dataku_since=None, rumah_dataku_data=[],
        rumah_dataku_updated_on=None))  # fmt: skip
    campaign = make_campaign()
    lokus = add_lokus(campaign, SINGAMERTA)
    assert lokus.targets["rumah_dataku"] == 1
    assert "rumah_dataku" in lokus.tidy_items
    poktan_save(actor=None, village=village, kind="bkr", name="BKR Mawar",
                formed_on=dt.date(2019, 11, 4))  # fmt: skip
    poktan_save(
        actor=None, village=village, kind="bkl", name="BKL lama", formed_on=dt.date(2019, 10, 4)
    )  # before the campaign: not its work
    kampung_save(actor=None, village=village, values=singamerta_values(
        rumah_dataku="aktif", rumah_dataku_since=dt.date(2019, 11, 4)))  # fmt: skip
    mine = progress(campaign).lokus[0]
    got = {line.key: line.achieved for line in mine.lines}
    assert (got["poktan_bkr"], got["poktan_bkl"], got["rumah_dataku"]) == (1, 0, 1)
    assert {item.code: item.done for item in mine.tidy}["rumah_dataku"] is True


def test_photos_are_checked_by_content_and_size_and_stored_under_a_name_lini_chose(
    scenario: dict,
    settings,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    settings.LINI_HOME = tmp_path
    settings.LINI_PHOTO_MAX_BYTES = 1000
    lokus = scenario["singamerta"]
    photo = photo_add(actor=scenario["pkb"], lokus=lokus, day=FIRST, caption="Pelayanan KB",
                      upload=SimpleUploadedFile("../../etc/passwd.jpg", JPEG))  # fmt: skip
    assert photo.content_type == "image/jpeg"
    assert photo.file_name.endswith(".jpg")
    assert "passwd" not in photo.file_name
    stored = (photo_dir() / photo.file_name).read_bytes()
    assert Image.open(io.BytesIO(stored)).size == (8, 6)
    with pytest.raises(ValidationError, match="not a JPEG, PNG or WebP"):
        photo_add(actor=scenario["pkb"], lokus=lokus, day=FIRST,
                  upload=SimpleUploadedFile("foto.jpg", b"<html><script>x</script>"))  # fmt: skip
    with pytest.raises(ValidationError, match="at most"):
        photo_add(actor=scenario["pkb"], lokus=lokus, day=FIRST,
                  upload=SimpleUploadedFile("big.jpg", JPEG + b"\x00" * 1000))  # fmt: skip
    with pytest.raises(ValidationError, match="cannot be read as an image"):
        photo_add(actor=scenario["pkb"], lokus=lokus, day=FIRST,  # a JPEG's first bytes only
                  upload=SimpleUploadedFile("x.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 50))  # fmt: skip
    with pytest.raises(PermissionDenied):
        photo_add(actor=scenario["pkb_pulo"], lokus=lokus, day=FIRST,
                  upload=SimpleUploadedFile("a.jpg", JPEG))  # fmt: skip
    assert Photo.objects.count() == 1
    assert len(list(photo_dir().iterdir())) == 1


def test_visibility_follows_the_planning_region_and_the_lokus() -> None:
    campaign = make_campaign()
    add_lokus(campaign, SINGAMERTA)
    assert list(campaigns_visible_to(make_user(Role.COUNSELLOR, SINGAMERTA))) == [campaign]
    assert list(campaigns_visible_to(make_user(Role.REGENCY_OFFICER, KAB_SERANG))) == [campaign]
    assert list(campaigns_visible_to(make_user(Role.REGENCY_OFFICER, KAB_TANGERANG))) == []
    assert list(campaigns_visible_to(make_user(Role.PROVINCE_OFFICER, BANTEN))) == [campaign]


def test_a_lokus_with_recorded_work_stays(scenario: dict) -> None:
    day_log_save(actor=scenario["pkb"], lokus=scenario["singamerta"], day=FIRST,
                 families_visited=1, counselling=0, attendance=0)  # fmt: skip
    with pytest.raises(ValidationError, match="recorded work stays"):
        lokus_remove(actor=None, lokus=scenario["singamerta"])
    lokus_remove(actor=None, lokus=scenario["pulo"])
    assert [lokus.village.code for lokus in scenario["campaign"].lokus.all()] == [SINGAMERTA]


def test_a_cadre_of_another_village_is_refused_and_partners_need_a_name(scenario: dict) -> None:
    with pytest.raises(ValidationError, match="another village"):
        team_member_add(actor=None, lokus=scenario["singamerta"], role=TeamRole.SUPPORT,
                        cadre=make_cadre(PULO))  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        team_member_add(actor=None, lokus=scenario["singamerta"], role="boss", name=" ")
    assert set(caught.value.message_dict) == {"role", "name"}
    partner = team_member_add(actor=None, lokus=scenario["singamerta"], role=TeamRole.SERVICE,
                              name="Bidan Puskesmas Ciruas", organisation="Dinkes Kab. Serang")  # fmt: skip
    assert partner.kind == "mitra"
    assert partner.user is None


def test_images_are_known_by_their_first_bytes_not_their_name() -> None:
    assert sniff_image(JPEG[:16]) == ("image/jpeg", ".jpg")
    assert sniff_image(b"\x89PNG\r\n\x1a\n\x00\x00") == ("image/png", ".png")
    assert sniff_image(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == ("image/webp", ".webp")
    assert sniff_image(b"XXXX\x00\x00\x00\x00WEBPVP8 ") is None
    assert sniff_image(b"GIF89a") is None


def test_a_photo_is_kept_without_its_metadata_such_as_where_it_was_taken(
    scenario: dict,
    settings,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    settings.LINI_HOME = tmp_path
    with_gps = tiny_jpeg(with_gps=True)
    assert Image.open(io.BytesIO(with_gps)).getexif().get(0x8825)  # the upload says where
    photo = photo_add(actor=scenario["pkb"], lokus=scenario["singamerta"], day=FIRST,
                      upload=SimpleUploadedFile("rumah.jpg", with_gps))  # fmt: skip
    kept = Image.open(photo_dir() / photo.file_name)
    assert dict(kept.getexif()) == {}


def test_a_relinked_or_inactive_counsellor_record_moves_or_ends_the_right_to_record(
    scenario: dict,
) -> None:
    from lini.workforce.models import Counsellor

    lokus, old_account = scenario["singamerta"], scenario["pkb"]
    counsellor = Counsellor.objects.get(user=old_account)
    new_account = make_user(Role.COUNSELLOR, SINGAMERTA)
    counsellor.user = new_account
    counsellor.save()
    assert not can_record(old_account, lokus)
    assert can_record(new_account, lokus)
    counsellor.active = False
    counsellor.save()
    assert not can_record(new_account, lokus)
    assert list(lokus_for_recording(new_account)) == []


def test_team_members_come_from_the_lokus_district_or_village_and_are_active(
    scenario: dict,
) -> None:
    tangerang = make_counsellor(PASAR_KEMIS, KUTA_JAYA, name="PKB Pasar Kemis")
    with pytest.raises(ValidationError, match="neither works in this district"):
        team_member_add(actor=None, lokus=scenario["singamerta"], role=TeamRole.SERVICE,
                        counsellor=tangerang)  # fmt: skip
    cadre = make_cadre(SINGAMERTA)
    cadre.active = False
    cadre.save()
    with pytest.raises(ValidationError, match="not an active cadre"):
        team_member_add(actor=None, lokus=scenario["singamerta"], role=TeamRole.DATA, cadre=cadre)


def test_tidy_up_items_done_before_the_campaign_are_not_its_work() -> None:
    village = region(SINGAMERTA)
    kampung_save(actor=None, village=village, values=singamerta_values())
    lokus = add_lokus(make_campaign(), SINGAMERTA)
    done = lokus.baseline["checklist_done"]
    assert done
    assert not set(done) & set(lokus.tidy_items)  # proposed: only what is missing
    with pytest.raises(ValidationError, match="Already done when"):
        lokus_plan_save(actor=None, lokus=lokus, targets={}, tidy_items=[done[0]])


def test_deleting_a_campaign_or_a_lokus_records_every_row_it_removes() -> None:
    from lini.audit.models import AuditAction, AuditEntry

    campaign = make_campaign()
    pulo = add_lokus(campaign, PULO)
    add_lokus(campaign, SINGAMERTA)
    team_member_add(actor=None, lokus=pulo, role=TeamRole.SERVICE, name="Bidan Ciruas")
    lokus_remove(actor=None, lokus=pulo)
    deleted = list(
        AuditEntry.objects.filter(action=AuditAction.DELETE)
        .order_by("pk")
        .values_list("model", flat=True)
    )
    assert deleted == ["campaigns.teammember", "campaigns.lokus"]
    campaign_delete(actor=None, campaign=campaign)
    deleted = list(
        AuditEntry.objects.filter(action=AuditAction.DELETE)
        .order_by("pk")
        .values_list("model", flat=True)
    )
    assert deleted[2:] == ["campaigns.lokus", "campaigns.campaign"]


def test_a_rumah_dataku_counts_only_when_it_started_during_the_campaign() -> None:
    village = region(SINGAMERTA)
    no_rdk = {"rumah_dataku": "", "rumah_dataku_since": None, "rumah_dataku_data": [],
              "rumah_dataku_updated_on": None}  # fmt: skip
    kampung_save(actor=None, village=village, values=singamerta_values(**no_rdk))
    campaign = make_campaign()
    add_lokus(campaign, SINGAMERTA)
    kampung_save(
        actor=None,
        village=village,
        values=singamerta_values(rumah_dataku="aktif", rumah_dataku_since=dt.date(2019, 10, 20)),
    )  # recorded now, but it started before the campaign: not its work
    got = {line.key: line.achieved for line in progress(campaign).lokus[0].lines}
    assert got.get("rumah_dataku", 0) == 0


def test_progress_reads_a_fixed_number_of_queries_whatever_the_number_of_lokus(
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    campaign = make_campaign()
    for code in (SINGAMERTA, PULO, CISAIT):
        kampung_save(actor=None, village=region(code), values=singamerta_values(name=f"KKB {code}"))
        add_lokus(campaign, code)
    lokus = list(campaign.lokus.select_related("village"))
    with django_assert_max_num_queries(20) as few:
        progress(campaign, lokus)
    for code in (KUTA_JAYA, "36.03.12.2011", "36.04.11.2005"):
        kampung_save(actor=None, village=region(code), values=singamerta_values(name=f"KKB {code}"))
        add_lokus(campaign, code)
    lokus = list(campaign.lokus.select_related("village"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        progress(campaign, lokus)
