"""The campaign report (issue 6, item 3): target against achievement per lokus and in total, the
services by method and visit type, each lokus's team, days and photos, and the campaign's effect
on its regions' indicators (the month before against the campaign's month). One structure feeds
the page, the printable summary and the XLSX, PDF and CSV files
(:mod:`lini.campaigns.report_writers`).

It holds no personal data: counts, the team (field workers and partners, by name and role, as the
program's own reports list them), the daily notes and photos of the teams."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from lini.campaigns.models import Campaign, DayLog, Lokus, Photo, TeamMember
from lini.campaigns.selectors import (
    CampaignProgress,
    Effect,
    effect,
    effect_months,
    effect_regions,
    progress,
)


@dataclass
class CampaignReport:
    campaign: Campaign
    progress: CampaignProgress
    team: dict[int, list[TeamMember]]  # lokus id -> members
    days: dict[int, list[DayLog]]  # lokus id -> daily logs, by day
    photos: dict[int, list[Photo]]  # lokus id -> photos, by day
    effect: list[Effect]
    month_before: dt.date
    month_during: dt.date
    generated_on: dt.date

    @property
    def lokus(self) -> list[Lokus]:
        return [p.lokus for p in self.progress.lokus]


def campaign_report(
    campaign: Campaign, lokus: QuerySet[Lokus] | list[Lokus] | None = None
) -> CampaignReport:
    """The report of ``campaign`` over ``lokus`` (default: every lokus; a caller that may see
    only some passes those)."""
    from lini.core import clock

    chosen = list(lokus if lokus is not None else campaign.lokus.select_related("village"))
    chosen.sort(key=lambda item: item.village.code)
    ids = [item.pk for item in chosen]
    team: dict[int, list[TeamMember]] = {pk: [] for pk in ids}
    for member in TeamMember.objects.filter(lokus_id__in=ids).order_by("lokus", "role", "name"):
        team[member.lokus_id].append(member)
    days: dict[int, list[DayLog]] = {pk: [] for pk in ids}
    for log in DayLog.objects.filter(lokus_id__in=ids).order_by("lokus", "day"):
        days[log.lokus_id].append(log)
    photos: dict[int, list[Photo]] = {pk: [] for pk in ids}
    for photo in Photo.objects.filter(lokus_id__in=ids).order_by("lokus", "day", "pk"):
        photos[photo.lokus_id].append(photo)
    before, during = effect_months(campaign)
    return CampaignReport(
        campaign=campaign,
        progress=progress(campaign, chosen),
        team=team,
        days=days,
        photos=photos,
        effect=effect(campaign, effect_regions(campaign, chosen)),
        month_before=before,
        month_during=during,
        generated_on=clock.today(),
    )
