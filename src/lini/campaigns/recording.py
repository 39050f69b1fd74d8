"""Recording in a lokus, by its team: the KB services given there (each a dated status change of
the couple in the register) and the daily log. Every write needs the right to record in the lokus
(:func:`lini.campaigns.services.require_record`: on its team, and allowed to change data of its
village), on a day of the campaign that has come; it runs in one transaction and is recorded in
the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lini.audit.services import audit_change, snapshot
from lini.campaigns.models import Campaign, CampaignService, DayLog, Lokus
from lini.campaigns.planning import MAX_TARGET
from lini.campaigns.services import add_error, require_record, stale_version
from lini.core import clock
from lini.kb.models import Facility, Service
from lini.kb.services import service_record
from lini.register.choices import EventSource
from lini.register.models import Couple

if TYPE_CHECKING:
    from lini.accounts.models import User


def within_campaign(
    errors: dict[str, list[str]], name: str, day: dt.date, campaign: Campaign
) -> None:
    """An error on ``name`` when ``day`` is not a day of ``campaign``, or has not come yet."""
    if not campaign.starts_on <= day <= campaign.ends_on:
        add_error(errors, name, _(
            "%(day)s is not a day of the campaign (%(first)s to %(last)s)."
        ) % {
            "day": day.strftime("%d/%m/%Y"), "first": campaign.starts_on.strftime("%d/%m/%Y"),
            "last": campaign.ends_on.strftime("%d/%m/%Y"),
        })  # fmt: skip
    elif day > clock.today():
        add_error(errors, name, _("The day is in the future."))


def campaign_service_record(
    *,
    actor: User | None,
    lokus: Lokus,
    couple: Couple,
    served_on: dt.date,
    method: str,
    visit_type: str,
    product: str = "",
    reason_after: str = "",
    postpartum: bool = False,
    informed_consent: bool = False,
    facility: Facility | None = None,
    provider: str = "",
    notes: str = "",
) -> Service:
    """A KB service given in ``lokus``: recorded through :func:`lini.kb.services.service_record`
    (the couple's dated status change in the register, source "campaign") and linked to the
    lokus, in one transaction."""
    require_record(actor, lokus)
    errors: dict[str, list[str]] = {}
    family_village = (
        Couple.objects.filter(pk=couple.pk).values_list("family__village_id", flat=True).first()
    )
    if family_village != lokus.village_id:
        add_error(errors, "couple", _("This couple's family does not live in %(name)s.") % {
            "name": lokus.village.name})  # fmt: skip
    within_campaign(errors, "served_on", served_on, lokus.campaign)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        service = service_record(
            actor=actor, couple=couple, served_on=served_on, method=method,
            visit_type=visit_type, product=product, reason_after=reason_after,
            postpartum=postpartum, informed_consent=informed_consent, facility=facility,
            provider=provider, notes=notes, source=EventSource.CAMPAIGN,
        )  # fmt: skip
        link = CampaignService.objects.create(lokus=lokus, service=service)
        audit_change(actor=actor, obj=link, before=None, region_code=lokus.village.code)
    return service


def day_log_save(
    *,
    actor: User | None,
    lokus: Lokus,
    day: dt.date,
    families_visited: int,
    counselling: int,
    attendance: int,
    notes: str = "",
    version: int | None = None,
) -> DayLog:
    """The log of a lokus for one day (created or changed; ``version`` 0: the form was for a
    new log)."""
    require_record(actor, lokus)
    errors: dict[str, list[str]] = {}
    within_campaign(errors, "day", day, lokus.campaign)
    for name, number in (
        ("families_visited", families_visited), ("counselling", counselling),
        ("attendance", attendance),
    ):  # fmt: skip
        if number < 0 or number > MAX_TARGET:
            add_error(errors, name, _("Write a number from 0 to %(max)d.") % {"max": MAX_TARGET})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Lokus.objects.select_for_update().filter(pk=lokus.pk).first()  # one writer per lokus
        log = DayLog.objects.filter(lokus=lokus, day=day).first()
        if log is not None and version is not None and log.version != version:
            raise stale_version(_("daily log"), log.version, version)
        if log is None and version:
            raise stale_version(_("daily log"), 0, version)
        before = snapshot(log) if log is not None else None
        if log is None:
            log = DayLog(lokus=lokus, day=day)
        values = {
            "families_visited": families_visited, "counselling": counselling,
            "attendance": attendance, "notes": notes.strip(),
        }  # fmt: skip
        if before is not None and all(getattr(log, k) == v for k, v in values.items()):
            return log
        for name, value in values.items():
            setattr(log, name, value)
        if before is not None:
            log.version += 1
        log.recorded_by = actor
        log.save()
        audit_change(actor=actor, obj=log, before=before, region_code=lokus.village.code)
    return log
