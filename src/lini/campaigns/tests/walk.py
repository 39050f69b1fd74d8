"""The campaign (baksos) pages in the permission walk (see lini/web/tests/walk.py).

Kab. Tangerang's office plans a campaign around today (the walk runs on the real date) with a
lokus in Kuta Jaya; the Tangerang officer is on its team, so that the in-scope requests both plan
and record. A second, empty campaign and lokus are there to be deleted."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from lini.audit.models import AuditAction, AuditEntry
from lini.campaigns.choices import TeamRole
from lini.campaigns.models import Campaign, CampaignService, DayLog, Lokus, Photo, TeamMember
from lini.campaigns.photos import photo_add
from lini.campaigns.planning import CampaignValues, campaign_save, lokus_add, team_member_add
from lini.campaigns.recording import campaign_service_record
from lini.campaigns.tests.factories import tiny_jpeg
from lini.core import clock
from lini.kb.choices import VisitType
from lini.regions.models import Region
from lini.regions.tests.places import KAB_TANGERANG, KUTA_JAYA, PASAR_KEMIS
from lini.register.choices import Method
from lini.web.tests.walk import Case, World

JPEG = tiny_jpeg()
PANGADEGAN = "36.03.12.2011"  # Desa Pangadegan, Kec. Pasar Kemis
BUDI_MULYA = "36.03.18.2013"  # Desa Budi Mulya, Kec. Cikupa


def _campaign(w: World) -> Campaign:
    return w.extra["campaigns_campaign"]


def _lokus(w: World) -> Lokus:
    return w.extra["campaigns_lokus"]


def _today() -> str:
    return clock.today().isoformat()


def prepare(world: World) -> None:
    today = clock.today()
    region = Region.objects.get(code=KAB_TANGERANG)
    campaign = campaign_save(
        actor=None,
        values=CampaignValues(
            name="Baksos Kabupaten", region=region, starts_on=today - dt.timedelta(days=2),
            ends_on=today + dt.timedelta(days=2), areas=(Region.objects.get(code=PASAR_KEMIS),),
        ),
    )  # fmt: skip
    lokus = lokus_add(actor=None, campaign=campaign, village=Region.objects.get(code=KUTA_JAYA))
    team_member_add(actor=None, lokus=lokus, role=TeamRole.COORDINATOR, name="Officer",
                    user=world.tangerang_officer)  # fmt: skip
    partner = team_member_add(actor=None, lokus=lokus, role=TeamRole.SERVICE, name="Bidan Desa")
    couple = world.family.couples.get()
    campaign_service_record(  # something recorded for the pages to show
        actor=world.tangerang_officer, lokus=lokus, couple=couple,
        served_on=today - dt.timedelta(days=1), method=Method.PILL, visit_type=VisitType.REPEAT,
    )  # fmt: skip
    photo = photo_add(actor=world.tangerang_officer, lokus=lokus, day=today,
                      upload=SimpleUploadedFile("a.jpg", JPEG), caption="Pelayanan")  # fmt: skip
    empty = campaign_save(
        actor=None,
        values=CampaignValues(name="Baksos kosong", region=region, starts_on=today,
                              ends_on=today),
    )  # fmt: skip
    world.extra.update(  # keys of their own: the other apps' walks share this dict
        campaigns_campaign=campaign, campaigns_lokus=lokus, campaigns_member=partner,
        campaigns_couple=couple, campaigns_photo=photo,
        campaigns_campaign_empty=empty,
        campaigns_lokus_empty=lokus_add(actor=None, campaign=campaign,
                                        village=Region.objects.get(code=PANGADEGAN)),
    )  # fmt: skip


def snapshot() -> tuple[object, ...]:
    return (
        list(Campaign.objects.order_by("pk").values_list("pk", "name", "version")),
        list(Lokus.objects.order_by("pk").values_list("pk", "village_id", "targets", "version")),
        list(TeamMember.objects.order_by("pk").values_list("pk", "name", "role")),
        list(DayLog.objects.order_by("pk").values_list("pk", "families_visited", "version")),
        list(Photo.objects.order_by("pk").values_list("pk", "file_name")),
        list(CampaignService.objects.order_by("pk").values_list("pk", "service_id")),
    )


def _exported(w: World) -> bool:
    return AuditEntry.objects.filter(
        action=AuditAction.EXPORT, model="campaigns.report", object_id=str(_campaign(w).pk)
    ).exists()


CASES: dict[str, Case] = {
    "campaigns:campaign_list": Case(denied=False),
    "campaigns:campaign_create": Case(
        denied=False,  # a page of one's own planning offices; Tangerang is not among them
        method="post",
        data=lambda w: {
            "name": "Baksos Pasar Kemis",
            "region": KAB_TANGERANG,
            "starts_on": _today(),
            "ends_on": _today(),
        },
    ),
    "campaigns:campaign_detail": Case(lambda w: {"pk": _campaign(w).pk}),
    "campaigns:campaign_edit": Case(
        lambda w: {"pk": _campaign(w).pk},
        method="post",
        data=lambda w: {
            "name": "Baksos Kabupaten 2",
            "region": KAB_TANGERANG,
            "starts_on": _campaign(w).starts_on.isoformat(),
            "ends_on": _campaign(w).ends_on.isoformat(),
            "areas": PASAR_KEMIS,
            "version": "1",
        },
        effect=lambda w: Campaign.objects.get(pk=_campaign(w).pk).name == "Baksos Kabupaten 2",
    ),
    "campaigns:campaign_delete": Case(
        lambda w: {"pk": w.extra["campaigns_campaign_empty"].pk},
        method="post",
        effect=lambda w: (
            not Campaign.objects.filter(pk=w.extra["campaigns_campaign_empty"].pk).exists()
        ),
    ),
    "campaigns:lokus_suggest": Case(
        lambda w: {"pk": _campaign(w).pk},
        method="post",
        data=lambda w: {"accept": BUDI_MULYA, "year": str(clock.today().year)},
        effect=lambda w: _campaign(w).lokus.filter(village__code=BUDI_MULYA).exists(),
    ),
    "campaigns:lokus_add": Case(
        lambda w: {"pk": _campaign(w).pk},
        method="post",
        data={"code": BUDI_MULYA},
        effect=lambda w: _campaign(w).lokus.filter(village__code=BUDI_MULYA).exists(),
    ),
    "campaigns:lokus_remove": Case(
        lambda w: {"pk": w.extra["campaigns_lokus_empty"].pk},
        method="post",
        effect=lambda w: not Lokus.objects.filter(pk=w.extra["campaigns_lokus_empty"].pk).exists(),
    ),
    "campaigns:campaign_report": Case(
        lambda w: {"pk": _campaign(w).pk}, query="?format=csv", effect=_exported
    ),
    "campaigns:campaign_summary": Case(lambda w: {"pk": _campaign(w).pk}),
    "campaigns:lokus_detail": Case(lambda w: {"pk": _lokus(w).pk}),
    "campaigns:lokus_plan": Case(
        lambda w: {"pk": _lokus(w).pk},
        method="post",
        data={"svc_pil_baru": "5", "version": "1"},
        effect=lambda w: Lokus.objects.get(pk=_lokus(w).pk).targets == {"svc_pil_baru": 5},
    ),
    "campaigns:team_add": Case(
        lambda w: {"pk": _lokus(w).pk},
        method="post",
        data={"name": "TMKK Kodim", "role": TeamRole.SUPPORT},
        effect=lambda w: TeamMember.objects.filter(name="TMKK Kodim").exists(),
    ),
    "campaigns:team_remove": Case(
        lambda w: {"pk": w.extra["campaigns_member"].pk},
        method="post",
        effect=lambda w: not TeamMember.objects.filter(pk=w.extra["campaigns_member"].pk).exists(),
    ),
    "campaigns:service_record": Case(
        lambda w: {"pk": _lokus(w).pk},
        method="post",
        data=lambda w: {
            "couple": str(w.extra["campaigns_couple"].pk),
            "served_on": _today(),
            "method": "implan",
            "visit_type": "ganti",
        },
        effect=lambda w: CampaignService.objects.filter(service__method="implan").exists(),
    ),
    "campaigns:day_log": Case(
        lambda w: {"pk": _lokus(w).pk},
        method="post",
        data=lambda w: {
            "day": _today(),
            "families_visited": "7",
            "counselling": "1",
            "attendance": "9",
            "version": "0",
        },
        effect=lambda w: DayLog.objects.filter(lokus=_lokus(w), families_visited=7).exists(),
    ),
    "campaigns:photo_add": Case(
        lambda w: {"pk": _lokus(w).pk},
        method="post",
        data=lambda w: {  # type: ignore[dict-item]
            "day": _today(),
            "caption": "Penyuluhan",
            "photo": SimpleUploadedFile("b.jpg", JPEG, content_type="image/jpeg"),
        },
        effect=lambda w: Photo.objects.filter(caption="Penyuluhan").exists(),
    ),
    "campaigns:photo_view": Case(lambda w: {"pk": w.extra["campaigns_photo"].pk}),
    "campaigns:photo_delete": Case(
        lambda w: {"pk": w.extra["campaigns_photo"].pk},
        method="post",
        effect=lambda w: not Photo.objects.filter(pk=w.extra["campaigns_photo"].pk).exists(),
    ),
}
