"""Writing campaigns: the plan (campaign, lokus, team, targets), and what teams record in their
lokus (KB services, the daily log, photos). Every write checks the right through
:mod:`lini.accounts.scope` (planning: ``Action.PLAN`` on the campaign's region; recording: a team
member of the lokus who may change data of its village), validates field by field, runs in one
transaction and is recorded in the audit trail."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.services import audit_change, delete_with_audit, snapshot
from lini.campaigns.choices import (
    COUNSELLING_KEY,
    FAMILIES_KEY,
    MKJP_KEY,
    POKTAN_KINDS,
    RUMAH_DATAKU_KEY,
    TARGET_KEYS,
    MemberKind,
    TeamRole,
)
from lini.campaigns.models import Campaign, CampaignService, DayLog, Lokus, Photo, TeamMember
from lini.campaigns.selectors import team_q
from lini.core import clock
from lini.kampung.classification import CHECKLIST_CODES
from lini.kampung.models import KampungKB
from lini.kb.choices import VisitType
from lini.kb.models import Facility, Service
from lini.kb.services import service_record
from lini.regions.codes import is_within
from lini.regions.models import Region, RegionLevel
from lini.register.choices import LONG_ACTING, MODERN, EventSource
from lini.register.models import Couple

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from lini.accounts.models import User
    from lini.workforce.models import Cadre, Counsellor

PLAN_LEVELS = (RegionLevel.PROVINCE, RegionLevel.REGENCY)  # offices that plan campaigns
AREA_LEVELS = (RegionLevel.REGENCY, RegionLevel.DISTRICT)  # regions a campaign says it covers
MAX_DAYS = 92  # a campaign is an operation of days or weeks, not a programme
MAX_TARGET = 100_000


def _fail(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _stale(kind: str, theirs: int, yours: int) -> ValidationError:
    return ValidationError(
        {
            NON_FIELD_ERRORS: _(
                "Someone else changed this %(kind)s while you were editing it (version "
                "%(theirs)d, your form had %(yours)d). Open it again and redo your change."
            )
            % {"kind": kind, "theirs": theirs, "yours": yours}
        }
    )


# Rights ------------------------------------------------------------------------------------------


def can_plan(user: User | None, campaign: Campaign) -> bool:
    """May ``user`` change the plan of ``campaign`` (its lokus, teams, targets)?"""
    return scope.can(user, Action.PLAN, campaign.region)


def require_plan(user: User | None, campaign: Campaign) -> None:
    if user is not None and not can_plan(user, campaign):
        raise PermissionDenied


def is_team_member(user: User | None, lokus: Lokus) -> bool:
    """Is ``user`` on the team of ``lokus`` (with their own account, or through the counsellor
    or cadre record their account is linked to)?"""
    if user is None or not user.is_authenticated:
        return False
    return TeamMember.objects.filter(team_q(user), lokus=lokus).exists()


def can_record(user: User | None, lokus: Lokus) -> bool:
    """May ``user`` record in ``lokus``: a member of its team who may change data of its
    village. Team members record only in their own lokus."""
    return is_team_member(user, lokus) and scope.can(user, Action.CHANGE, lokus.village)


def require_record(user: User | None, lokus: Lokus) -> None:
    if user is not None and not can_record(user, lokus):
        raise PermissionDenied(_("Only the team of this lokus records in it."))


# The campaign ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignValues:
    name: str
    region: Region
    starts_on: dt.date
    ends_on: dt.date
    theme: str = ""
    organisers: str = ""
    notes: str = ""
    areas: tuple[Region, ...] = ()


def campaign_problems(values: CampaignValues) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not values.name.strip():
        _fail(errors, "name", _("Give the campaign a name."))
    if values.region.level not in PLAN_LEVELS:
        _fail(errors, "region", _("A campaign is planned by a province or a regency office."))
    if values.ends_on < values.starts_on:
        _fail(errors, "ends_on", _("The last day is before the first day."))
    elif (values.ends_on - values.starts_on).days + 1 > MAX_DAYS:
        _fail(errors, "ends_on", _("A campaign lasts at most %(days)d days.") % {"days": MAX_DAYS})
    for area in values.areas:
        if area.level not in AREA_LEVELS:
            _fail(errors, "areas", _("%(name)s is not a regency or a district.") % {
                "name": area.name})  # fmt: skip
        elif not is_within(area.code, values.region.code):
            _fail(errors, "areas", _("%(name)s lies outside %(region)s.") % {
                "name": area.name, "region": values.region.name})  # fmt: skip
    return errors


def campaign_save(
    *,
    actor: User | None,
    values: CampaignValues,
    campaign: Campaign | None = None,
    version: int | None = None,
) -> Campaign:
    """Create a campaign or change it (``version``: the version the form was filled from)."""
    if actor is not None:
        scope.require(actor, Action.PLAN, values.region)
        if campaign is not None:
            require_plan(actor, campaign)
    values = CampaignValues(
        name=" ".join(values.name.split()), region=values.region, starts_on=values.starts_on,
        ends_on=values.ends_on, theme=values.theme.strip(), organisers=values.organisers.strip(),
        notes=values.notes.strip(), areas=tuple(values.areas),
    )  # fmt: skip
    errors = campaign_problems(values)
    if campaign is not None:
        outside = [
            lokus.village.name
            for lokus in campaign.lokus.select_related("village")
            if not is_within(lokus.village.code, values.region.code)
        ]
        if outside:
            _fail(errors, "region", _("These lokus lie outside it: %(names)s.") % {
                "names": ", ".join(outside)})  # fmt: skip
        if campaign.lokus.filter(
            Q(services__service__served_on__lt=values.starts_on)
            | Q(services__service__served_on__gt=values.ends_on)
            | Q(days__day__lt=values.starts_on)
            | Q(days__day__gt=values.ends_on)
            | Q(photos__day__lt=values.starts_on)
            | Q(photos__day__gt=values.ends_on)
        ).exists():
            _fail(errors, "starts_on", _(
                "Services, daily logs or photos already recorded would fall outside these dates."))  # fmt: skip
    if errors:
        raise ValidationError(errors)
    names = ("name", "region", "starts_on", "ends_on", "theme", "organisers", "notes")
    after_areas = sorted(a.pk for a in values.areas)
    with transaction.atomic():
        before = None
        if campaign is not None:
            campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
            if version is not None and campaign.version != version:
                raise _stale(_("campaign"), campaign.version, version)
            areas = sorted(campaign.areas.values_list("pk", flat=True))
            if areas == after_areas and all(
                getattr(campaign, n) == getattr(values, n) for n in names
            ):
                return campaign  # nothing changed: no new version, no entry
            before = {**snapshot(campaign), "areas": areas}
            campaign.version += 1
        else:
            campaign = Campaign(created_by=actor)
        for name in names:
            setattr(campaign, name, getattr(values, name))
        campaign.save()
        campaign.areas.set(values.areas)
        _audit(actor, campaign, before, campaign.region.code, extra={"areas": after_areas})
    return campaign


def _audit(
    actor: User | None,
    obj: Any,
    before: dict[str, Any] | None,
    region_code: str,
    extra: dict[str, Any] | None = None,
) -> None:
    from lini.audit.models import AuditAction
    from lini.audit.services import audit_record

    if not extra:
        audit_change(actor=actor, obj=obj, before=before, region_code=region_code)
        return
    after = {**snapshot(obj), **extra}
    audit_record(
        actor=actor, action=AuditAction.CREATE if before is None else AuditAction.CHANGE,
        obj=obj, region_code=region_code, before=before, after=after,
    )  # fmt: skip


def campaign_delete(*, actor: User | None, campaign: Campaign) -> None:
    """Delete a campaign with nothing recorded in it yet (services, daily logs, photos)."""
    require_plan(actor, campaign)
    with transaction.atomic():
        # Locked, then checked: work recorded meanwhile waits, and is then seen here.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        lokus = list(
            Lokus.objects.select_for_update().filter(campaign=campaign).select_related("village")
        )
        if (
            CampaignService.objects.filter(lokus__campaign=campaign).exists()
            or DayLog.objects.filter(lokus__campaign=campaign).exists()
            or Photo.objects.filter(lokus__campaign=campaign).exists()
        ):
            raise ValidationError(
                _("Work has been recorded in this campaign; it is kept as the record of what was "
                  "done.")
            )  # fmt: skip
        for item in lokus:
            _lokus_delete(actor, item)
        delete_with_audit(actor=actor, obj=campaign, region_code=campaign.region.code)


def _lokus_delete(actor: User | None, lokus: Lokus) -> None:
    """A lokus and its team, each with its entry in the trail."""
    for member in lokus.team.all():
        delete_with_audit(actor=actor, obj=member, region_code=lokus.village.code)
    delete_with_audit(actor=actor, obj=lokus, region_code=lokus.village.code)


# Lokus -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """A village proposed as lokus: its gap score, the reasons in words, and how many more
    couples must use a modern method for it to reach this year's target."""

    village: Region
    score: Decimal
    reasons: list[str]
    users_needed: int | None
    unmet: int = 0  # couples with unmet need (IAT + TIAL) at the period's state month
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "region_code": self.village.code,
            "region_name": self.village.name,
            "score": str(self.score.quantize(Decimal("0.01"))),
            "reasons": list(self.reasons),
            "users_needed": self.users_needed,
        }


def lokus_suggest(
    *, user: User | None, regions: list[Region], year: int, count: int = 8
) -> list[Suggestion]:
    """The ``count`` villages furthest behind in ``regions`` (regencies or districts), by the
    ranking of the indicators (:func:`lini.indicators.ranking.rank_regions`), each with its
    reasons. Only villages ``user`` may see are proposed."""
    from lini.indicators.ranking import rank_regions

    if count < 1:
        raise ValueError(_("Ask for at least one village."))
    seen: set[str] = set()
    found: list[Suggestion] = []
    for region in regions:
        if region.level > RegionLevel.VILLAGE:
            raise ValueError(_("%(name)s is below a village.") % {"name": region.name})
        if user is not None and not scope.can_navigate(user, region):
            raise PermissionDenied
        for ranked in rank_regions(root=region, level=RegionLevel.VILLAGE, year=year, user=user):
            if ranked.region.code in seen:
                continue
            seen.add(ranked.region.code)
            found.append(
                Suggestion(
                    village=ranked.region, score=ranked.score, reasons=list(ranked.reasons),
                    users_needed=ranked.people.modern_users,
                )
            )  # fmt: skip
    found.sort(key=lambda s: (-s.score, s.village.code))
    return found[:count]


def _village_state(village: Region, today: dt.date) -> dict[str, Any]:
    """What a lokus has when it is planned: the Kampung KB checklist items done, its Rumah
    DataKu, its poktan by kind."""
    from lini.kampung.models import KampungKB
    from lini.kampung.selectors import kampung_assess
    from lini.poktan.models import Poktan

    kampung = KampungKB.objects.filter(village=village).first()
    done: list[str] = []
    missing: list[str] = []
    if kampung is not None:
        for item in kampung_assess(kampung, day=today).checklist:
            (done if item.done else missing).append(item.code)
    poktan = {
        kind: Poktan.objects.filter(village=village, kind=kind).count() for kind in POKTAN_KINDS
    }
    return {
        "kampung": kampung is not None,
        "checklist_done": done,
        "checklist_missing": missing,
        "rumah_dataku": bool(kampung is not None and kampung.has_rumah_dataku),
        "poktan": poktan,
    }


def targets_propose(
    *, village: Region, users_needed: int | None, campaign: Campaign, state: dict[str, Any]
) -> dict[str, int]:
    """Targets proposed for a lokus from its gap in people (documented in docs/campaigns.md):

    - new acceptors: the couples still needed on a modern method this year (the ranking's
      "how many more users"), spread over the modern methods as the village's modern users
      are (largest remainder; the pill when it has none);
    - ``mkjp``: the long-acting part of those;
    - a new poktan of each kind the village lacks; a Rumah DataKu when its Kampung KB has no
      active one;
    - families visited: the couples with unmet need (IAT + TIAL), at least the new acceptors;
    - one counselling session a day.
    """
    from lini.indicators.selectors import period_parse, region_counts

    period = period_parse(f"{campaign.starts_on:%Y-%m}")
    methods = sorted(m for m in MODERN)
    counts = region_counts(
        region=village, period=period,
        keys={*(f"pa_{m}" for m in methods), "nonuser_iat", "nonuser_tial"},
    )  # fmt: skip
    needed = max(0, users_needed or 0)
    targets: dict[str, int] = {}
    users = {m: counts.get(f"pa_{m}", 0) for m in methods}
    total = sum(users.values())
    if needed:
        if not total:
            targets[f"svc_pil_{VisitType.NEW}"] = needed
        else:
            shares = {m: needed * users[m] / total for m in methods}
            whole = {m: int(shares[m]) for m in methods}
            left = needed - sum(whole.values())
            for m in sorted(methods, key=lambda m: (-(shares[m] - whole[m]), m))[:left]:
                whole[m] += 1
            targets.update({f"svc_{m}_{VisitType.NEW}": n for m, n in whole.items() if n})
    mkjp = sum(
        n for key, n in targets.items() if key.startswith("svc_") and key[4:].rsplit("_", 1)[0]
        in LONG_ACTING
    )  # fmt: skip
    if mkjp:
        targets[MKJP_KEY] = mkjp
    for kind in POKTAN_KINDS:
        if not state.get("poktan", {}).get(kind):
            targets[f"poktan_{kind}"] = 1
    if state.get("kampung") and not state.get("rumah_dataku"):
        targets[RUMAH_DATAKU_KEY] = 1
    unmet = counts.get("nonuser_iat", 0) + counts.get("nonuser_tial", 0)
    targets[FAMILIES_KEY] = max(unmet, needed)
    targets[COUNSELLING_KEY] = campaign.days
    return {k: v for k, v in targets.items() if v}


def lokus_add(
    *,
    actor: User | None,
    campaign: Campaign,
    village: Region,
    suggestion: Suggestion | None = None,
) -> Lokus:
    """Add ``village`` as a lokus, with its reasons (from ``suggestion``, or ranked now), its
    state when planned and proposed targets and tidy-up items (editable afterwards)."""
    require_plan(actor, campaign)
    errors: dict[str, list[str]] = {}
    if village.level != RegionLevel.VILLAGE:
        _fail(errors, "village", _("A lokus is a village."))
    elif not is_within(village.code, campaign.region.code):
        _fail(errors, "village", _("%(name)s lies outside %(region)s.") % {
            "name": village.name, "region": campaign.region.name})  # fmt: skip
    elif campaign.lokus.filter(village=village).exists():
        _fail(errors, "village", _("%(name)s is already a lokus of this campaign.") % {
            "name": village.name})  # fmt: skip
    if errors:
        raise ValidationError(errors)
    if suggestion is None or suggestion.village.pk != village.pk:
        ranked = lokus_suggest(user=None, regions=[village], year=campaign.starts_on.year, count=1)
        suggestion = ranked[0] if ranked else None
    state = _village_state(village, clock.today())
    users_needed = suggestion.users_needed if suggestion is not None else None
    with transaction.atomic():
        # Checked again under the campaign's lock: two planners adding the same village at once.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        if campaign.lokus.filter(village=village).exists():
            raise ValidationError({"village": _("%(name)s is already a lokus of this campaign.") % {
                "name": village.name}})  # fmt: skip
        lokus = Lokus.objects.create(
            campaign=campaign, village=village,
            score=suggestion.score.quantize(Decimal("0.01")) if suggestion is not None else None,
            reasons=list(suggestion.reasons) if suggestion is not None else [],
            users_needed=users_needed, baseline=state,
            targets=targets_propose(
                village=village, users_needed=users_needed, campaign=campaign, state=state
            ),
            tidy_items=list(state["checklist_missing"]),
        )  # fmt: skip
        audit_change(actor=actor, obj=lokus, before=None, region_code=village.code)
    return lokus


def lokus_remove(*, actor: User | None, lokus: Lokus) -> None:
    require_plan(actor, lokus.campaign)
    with transaction.atomic():
        lokus = Lokus.objects.select_for_update().select_related("village").get(pk=lokus.pk)
        if lokus.services.exists() or lokus.days.exists() or lokus.photos.exists():
            raise ValidationError(
                _("Work has been recorded in %(name)s; a lokus with recorded work stays in the "
                  "campaign.") % {"name": lokus.village.name}
            )  # fmt: skip
        _lokus_delete(actor, lokus)


def lokus_plan_save(
    *,
    actor: User | None,
    lokus: Lokus,
    targets: dict[str, Any],
    tidy_items: list[str],
    version: int | None = None,
) -> Lokus:
    """Set the targets (``{key: whole number}``, 0 or empty drops a key) and the Kampung KB
    checklist items to tidy up of a lokus."""
    require_plan(actor, lokus.campaign)
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    for key, raw in targets.items():
        if key not in TARGET_KEYS:
            _fail(errors, key, _("%(key)s is not a target of a lokus.") % {"key": key})
            continue
        if raw in (None, ""):
            continue
        try:
            number = int(str(raw).strip())
        except ValueError:
            _fail(errors, key, _("Write a whole number."))
            continue
        if number < 0 or number > MAX_TARGET:
            _fail(errors, key, _("Write a number from 0 to %(max)d.") % {"max": MAX_TARGET})
        elif number:
            clean[key] = number
    unknown = [code for code in tidy_items if code not in CHECKLIST_CODES]
    done = [code for code in tidy_items if code in set(lokus.baseline.get("checklist_done", ()))]
    if unknown:
        _fail(errors, "tidy_items", _("Unknown checklist item(s): %(codes)s.") % {
            "codes": ", ".join(unknown)})  # fmt: skip
    elif done:
        _fail(errors, "tidy_items", _(
            "Already done when %(name)s was planned, so not work of the campaign: %(codes)s."
        ) % {"name": lokus.village.name, "codes": ", ".join(done)})  # fmt: skip
    elif tidy_items and not KampungKB.objects.filter(village_id=lokus.village_id).exists():
        _fail(errors, "tidy_items", _("%(name)s has no Kampung KB profile to tidy up.") % {
            "name": lokus.village.name})  # fmt: skip
    if errors:
        raise ValidationError(errors)
    items = [code for code in CHECKLIST_CODES if code in set(tidy_items)]
    with transaction.atomic():
        current = Lokus.objects.select_for_update().get(pk=lokus.pk)
        if version is not None and current.version != version:
            raise _stale(_("lokus"), current.version, version)
        if current.targets == clean and current.tidy_items == items:
            return current
        before = snapshot(current)
        current.targets, current.tidy_items = clean, items
        current.version += 1
        current.save()
        audit_change(actor=actor, obj=current, before=before, region_code=current.village.code)
    return current


# The team ----------------------------------------------------------------------------------------


def team_member_add(
    *,
    actor: User | None,
    lokus: Lokus,
    role: str,
    counsellor: Counsellor | None = None,
    cadre: Cadre | None = None,
    name: str = "",
    organisation: str = "",
    user: User | None = None,
) -> TeamMember:
    """Put a counsellor, a cadre or a partner (``name`` and ``organisation``) on a lokus team.
    A counsellor or cadre brings the account linked to their record."""
    require_plan(actor, lokus.campaign)
    errors: dict[str, list[str]] = {}
    if role not in TeamRole.values:
        _fail(errors, "role", _("Choose the role."))
    given = [x for x in (counsellor, cadre) if x is not None]
    if len(given) > 1:
        _fail(errors, NON_FIELD_ERRORS, _("Choose a counsellor or a cadre, not both."))
    if counsellor is not None:
        # Counsellors and cadres record through the account linked to their record (read when
        # they record), not a copy of it.
        kind, name, organisation = (
            MemberKind.COUNSELLOR,
            counsellor.name,
            organisation or "PKB/PLKB",
        )
        user = None
        if not counsellor.active:
            _fail(errors, "counsellor", _("%(name)s is not an active counsellor.") % {"name": name})
        elif (
            counsellor.district_id != lokus.village.parent_id
            and not counsellor.villages.filter(pk=lokus.village_id).exists()
        ):
            _fail(errors, "counsellor", _(
                "%(name)s neither works in this district nor looks after this village."
            ) % {"name": name})  # fmt: skip
    elif cadre is not None:
        kind, name, user = MemberKind.CADRE, cadre.name, None
        if cadre.village_id != lokus.village_id:
            _fail(errors, "cadre", _("%(name)s is a cadre of another village.") % {"name": name})
        elif not cadre.active:
            _fail(errors, "cadre", _("%(name)s is not an active cadre.") % {"name": name})
    else:
        kind, name = MemberKind.PARTNER, " ".join(name.split())
        if not name:
            _fail(errors, "name", _("Give the partner's name (a person or an office)."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Lokus.objects.select_for_update().filter(pk=lokus.pk).first()  # one team change at a time
        if counsellor is not None and lokus.team.filter(counsellor=counsellor).exists():
            raise ValidationError(
                {"counsellor": _("%(name)s is already on this team.") % {"name": name}}
            )
        if cadre is not None and lokus.team.filter(cadre=cadre).exists():
            raise ValidationError(
                {"cadre": _("%(name)s is already on this team.") % {"name": name}}
            )
        member = TeamMember.objects.create(
            lokus=lokus, kind=kind, counsellor=counsellor, cadre=cadre, user=user, name=name[:100],
            organisation=organisation.strip()[:120], role=role,
        )  # fmt: skip
        audit_change(actor=actor, obj=member, before=None, region_code=lokus.village.code)
    return member


def team_member_remove(*, actor: User | None, member: TeamMember) -> None:
    require_plan(actor, member.lokus.campaign)
    with transaction.atomic():
        delete_with_audit(actor=actor, obj=member, region_code=member.lokus.village.code)


# Recording ---------------------------------------------------------------------------------------


def _within_campaign(
    errors: dict[str, list[str]], name: str, day: dt.date, campaign: Campaign
) -> None:
    if not campaign.starts_on <= day <= campaign.ends_on:
        _fail(errors, name, _("%(day)s is not a day of the campaign (%(first)s to %(last)s).") % {
            "day": day.strftime("%d/%m/%Y"), "first": campaign.starts_on.strftime("%d/%m/%Y"),
            "last": campaign.ends_on.strftime("%d/%m/%Y"),
        })  # fmt: skip
    elif day > clock.today():
        _fail(errors, name, _("The day is in the future."))


def campaign_service_record(
    *,
    actor: User | None,
    lokus: Lokus,
    couple: Couple,
    served_on: dt.date,
    method: str,
    visit_type: str,
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
        _fail(errors, "couple", _("This couple's family does not live in %(name)s.") % {
            "name": lokus.village.name})  # fmt: skip
    _within_campaign(errors, "served_on", served_on, lokus.campaign)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        service = service_record(
            actor=actor, couple=couple, served_on=served_on, method=method,
            visit_type=visit_type, reason_after=reason_after, postpartum=postpartum,
            informed_consent=informed_consent, facility=facility, provider=provider, notes=notes,
            source=EventSource.CAMPAIGN,
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
    _within_campaign(errors, "day", day, lokus.campaign)
    for name, number in (
        ("families_visited", families_visited), ("counselling", counselling),
        ("attendance", attendance),
    ):  # fmt: skip
        if number < 0 or number > MAX_TARGET:
            _fail(errors, name, _("Write a number from 0 to %(max)d.") % {"max": MAX_TARGET})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Lokus.objects.select_for_update().filter(pk=lokus.pk).first()  # one writer per lokus
        log = DayLog.objects.filter(lokus=lokus, day=day).first()
        if log is not None and version is not None and log.version != version:
            raise _stale(_("daily log"), log.version, version)
        if log is None and version:
            raise _stale(_("daily log"), 0, version)
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


# Photos ------------------------------------------------------------------------------------------

# The image types accepted, by their first bytes (what the file is, not what its name says).
IMAGE_TYPES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", ".png"),
    (b"WEBP", 8, "image/webp", ".webp"),
)


def photo_dir() -> Path:
    return Path(settings.LINI_HOME) / "media" / "campaigns"


def sniff_image(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an image from its first bytes; None for anything else."""
    for magic, offset, content_type, extension in IMAGE_TYPES:
        if head[offset : offset + len(magic)] == magic and (offset == 0 or head[:4] == b"RIFF"):
            return content_type, extension
    return None


def photo_add(
    *, actor: User | None, lokus: Lokus, day: dt.date, upload: UploadedFile, caption: str = ""
) -> Photo:
    """Keep a photo of a lokus's day: a JPEG, PNG or WebP image (by its content) of at most
    LINI_PHOTO_MAX_BYTES, stored under a name Lini chooses."""
    require_record(actor, lokus)
    errors: dict[str, list[str]] = {}
    _within_campaign(errors, "day", day, lokus.campaign)
    limit = settings.LINI_PHOTO_MAX_BYTES
    size = upload.size or 0
    kind = None
    if size > limit:
        _fail(errors, "photo", _("The photo is %(size)s; at most %(limit)s is accepted.") % {
            "size": _megabytes(size), "limit": _megabytes(limit)})  # fmt: skip
    elif size == 0:
        _fail(errors, "photo", _("The file is empty."))
    else:
        upload.seek(0)
        kind = sniff_image(upload.read(16))
        if kind is None:
            _fail(errors, "photo", _("%(name)s is not a JPEG, PNG or WebP image.") % {
                "name": (upload.name or "")[:80]})  # fmt: skip
    if errors or kind is None:
        raise ValidationError(errors)
    content_type, extension = kind
    upload.seek(0)
    raw = upload.read(limit + 1)
    if len(raw) > limit:  # the declared size lied
        raise ValidationError({"photo": _("The photo is larger than it said.")})
    content = _clean_image(raw, content_type, upload.name or "")
    folder = photo_dir()
    folder.mkdir(parents=True, exist_ok=True)
    file_name = f"{secrets.token_hex(16)}{extension}"
    path = folder / file_name
    try:
        path.write_bytes(content)
        with transaction.atomic():
            photo = Photo.objects.create(
                lokus=lokus, day=day, caption=" ".join(caption.split())[:200],
                file_name=file_name, content_type=content_type, size=len(content),
                uploaded_by=actor,
            )  # fmt: skip
            audit_change(actor=actor, obj=photo, before=None, region_code=lokus.village.code)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return photo


MAX_PIXELS = 40_000_000  # a 40-megapixel photo; larger ones are refused before being decoded
_SAVE_AS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def _clean_image(raw: bytes, content_type: str, name: str) -> bytes:
    """The photo decoded and written again in its own format without its metadata (EXIF: the
    place where it was taken, the phone, the time), turned upright as its EXIF said. Refuses an
    image that cannot be decoded or is too large to decode safely."""
    import io

    from PIL import Image, ImageOps

    unreadable = ValidationError(
        {"photo": _("%(name)s cannot be read as an image.") % {"name": name[:80]}}
    )
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError({"photo": _(
                    "The photo has %(pixels)s megapixels; at most %(max)s are accepted."
                ) % {"pixels": number_format(image.width * image.height / 1_000_000, 1),
                     "max": number_format(MAX_PIXELS // 1_000_000)}})  # fmt: skip
            image.load()
            upright = ImageOps.exif_transpose(image)
            if content_type == "image/jpeg" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            options: dict[str, Any] = {"quality": 88} if content_type != "image/png" else {}
            upright.save(out, format=_SAVE_AS[content_type], **options)
    except ValidationError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise unreadable from exc
    return out.getvalue()


def photo_delete(*, actor: User | None, photo: Photo) -> None:
    lokus = photo.lokus
    if actor is not None and not (can_record(actor, lokus) or can_plan(actor, lokus.campaign)):
        raise PermissionDenied
    path = photo_dir() / photo.file_name
    with transaction.atomic():
        delete_with_audit(actor=actor, obj=photo, region_code=lokus.village.code)
        transaction.on_commit(lambda: path.unlink(missing_ok=True))


def _megabytes(size: int) -> str:
    return f"{number_format(size / 1_000_000, 1)} MB"
