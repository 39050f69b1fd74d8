"""Planning a campaign: the campaign itself (saved, deleted), its lokus (villages suggested from
the ranking, added one by one or accepted all at once, removed), the targets proposed and set for
each lokus with its Kampung KB tidy-up items, and the lokus teams. Every write needs
``Action.PLAN`` on the campaign's region (:func:`lini.campaigns.services.require_plan`), validates
field by field, runs in one transaction and is recorded in the audit trail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
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
from lini.campaigns.services import add_error, require_plan, stale_version
from lini.core import clock
from lini.kampung.classification import CHECKLIST_CODES
from lini.kampung.models import KampungKB
from lini.kb.choices import VisitType
from lini.regions.codes import is_within
from lini.regions.models import Region, RegionLevel
from lini.register.choices import LONG_ACTING, MODERN

if TYPE_CHECKING:
    from lini.accounts.models import User
    from lini.workforce.models import Cadre, Counsellor

PLAN_LEVELS = (RegionLevel.PROVINCE, RegionLevel.REGENCY)  # offices that plan campaigns
AREA_LEVELS = (RegionLevel.REGENCY, RegionLevel.DISTRICT)  # regions a campaign says it covers
MAX_DAYS = 92  # a campaign is an operation of days or weeks, not a programme
MAX_TARGET = 100_000
MIN_YEAR, MAX_YEAR = 2000, 2100  # as the suggestion form's year


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
        add_error(errors, "name", _("Give the campaign a name."))
    if values.region.level not in PLAN_LEVELS:
        add_error(errors, "region", _("A campaign is planned by a province or a regency office."))
    if values.ends_on < values.starts_on:
        add_error(errors, "ends_on", _("The last day is before the first day."))
    elif (values.ends_on - values.starts_on).days + 1 > MAX_DAYS:
        add_error(
            errors, "ends_on", _("A campaign lasts at most %(days)d days.") % {"days": MAX_DAYS}
        )
    for area in values.areas:
        if area.level not in AREA_LEVELS:
            add_error(errors, "areas", _("%(name)s is not a regency or a district.") % {
                "name": area.name})  # fmt: skip
        elif not is_within(area.code, values.region.code):
            add_error(errors, "areas", _("%(name)s lies outside %(region)s.") % {
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
            add_error(errors, "region", _("These lokus lie outside it: %(names)s.") % {
                "names": ", ".join(outside)})  # fmt: skip
        if campaign.lokus.filter(
            Q(services__service__served_on__lt=values.starts_on)
            | Q(services__service__served_on__gt=values.ends_on)
            | Q(days__day__lt=values.starts_on)
            | Q(days__day__gt=values.ends_on)
            | Q(photos__day__lt=values.starts_on)
            | Q(photos__day__gt=values.ends_on)
        ).exists():
            add_error(errors, "starts_on", _(
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
                raise stale_version(_("campaign"), campaign.version, version)
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
        add_error(errors, "village", _("A lokus is a village."))
    elif not is_within(village.code, campaign.region.code):
        add_error(errors, "village", _("%(name)s lies outside %(region)s.") % {
            "name": village.name, "region": campaign.region.name})  # fmt: skip
    elif campaign.lokus.filter(village=village).exists():
        add_error(errors, "village", _("%(name)s is already a lokus of this campaign.") % {
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


class _RefusedError(Exception):
    """Raised to roll back the lokus added before one was refused."""


def lokus_accept(
    *, actor: User | None, campaign: Campaign, codes: list[str], year: int
) -> list[Lokus]:
    """Add the villages of ``codes`` as lokus of ``campaign``, each with its suggestion (score,
    reasons, users needed) ranked again here on the targets of ``year``, never taken from what a
    browser posted. All of them or none: a ValidationError lists every reason a village was
    refused, and then no lokus is added. PermissionDenied when ``actor`` may not plan the
    campaign."""
    require_plan(actor, campaign)
    wanted = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(_("The year of the targets must be a year such as 2019."))
    if not wanted:
        raise ValidationError(_("Tick at least one village to accept."))
    villages = {
        r.code: r for r in Region.objects.filter(code__in=wanted, level=RegionLevel.VILLAGE)
    }
    unknown = [code for code in wanted if code not in villages]
    if unknown:
        raise ValidationError(
            _("No village has the code %(codes)s.")
            % {"codes": ", ".join(c[:20] for c in unknown[:5])}
        )
    errors: list[str] = []
    added: list[Lokus] = []
    try:
        with transaction.atomic():
            for code in wanted:
                village = villages[code]
                try:
                    found = lokus_suggest(user=actor, regions=[village], year=year, count=1)
                except PermissionDenied:
                    found = []  # outside what the actor sees: lokus_add says why it is refused
                try:
                    added.append(
                        lokus_add(
                            actor=actor, campaign=campaign, village=village,
                            suggestion=found[0] if found else None,
                        )
                    )  # fmt: skip
                except ValidationError as error:
                    errors.extend(error.messages)
            if errors:
                raise _RefusedError
    except _RefusedError:
        raise ValidationError(errors) from None
    return added


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
            add_error(errors, key, _("%(key)s is not a target of a lokus.") % {"key": key})
            continue
        if raw in (None, ""):
            continue
        try:
            number = int(str(raw).strip())
        except ValueError:
            add_error(errors, key, _("Write a whole number."))
            continue
        if number < 0 or number > MAX_TARGET:
            add_error(errors, key, _("Write a number from 0 to %(max)d.") % {"max": MAX_TARGET})
        elif number:
            clean[key] = number
    unknown = [code for code in tidy_items if code not in CHECKLIST_CODES]
    done = [code for code in tidy_items if code in set(lokus.baseline.get("checklist_done", ()))]
    if unknown:
        add_error(errors, "tidy_items", _("Unknown checklist item(s): %(codes)s.") % {
            "codes": ", ".join(unknown)})  # fmt: skip
    elif done:
        add_error(errors, "tidy_items", _(
            "Already done when %(name)s was planned, so not work of the campaign: %(codes)s."
        ) % {"name": lokus.village.name, "codes": ", ".join(done)})  # fmt: skip
    elif tidy_items and not KampungKB.objects.filter(village_id=lokus.village_id).exists():
        add_error(errors, "tidy_items", _("%(name)s has no Kampung KB profile to tidy up.") % {
            "name": lokus.village.name})  # fmt: skip
    if errors:
        raise ValidationError(errors)
    items = [code for code in CHECKLIST_CODES if code in set(tidy_items)]
    with transaction.atomic():
        current = Lokus.objects.select_for_update().get(pk=lokus.pk)
        if version is not None and current.version != version:
            raise stale_version(_("lokus"), current.version, version)
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
        add_error(errors, "role", _("Choose the role."))
    given = [x for x in (counsellor, cadre) if x is not None]
    if len(given) > 1:
        add_error(errors, NON_FIELD_ERRORS, _("Choose a counsellor or a cadre, not both."))
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
            add_error(
                errors, "counsellor", _("%(name)s is not an active counsellor.") % {"name": name}
            )
        elif (
            counsellor.district_id != lokus.village.parent_id
            and not counsellor.villages.filter(pk=lokus.village_id).exists()
        ):
            add_error(errors, "counsellor", _(
                "%(name)s neither works in this district nor looks after this village."
            ) % {"name": name})  # fmt: skip
    elif cadre is not None:
        kind, name, user = MemberKind.CADRE, cadre.name, None
        if cadre.village_id != lokus.village_id:
            add_error(
                errors, "cadre", _("%(name)s is a cadre of another village.") % {"name": name}
            )
        elif not cadre.active:
            add_error(errors, "cadre", _("%(name)s is not an active cadre.") % {"name": name})
    else:
        kind, name = MemberKind.PARTNER, " ".join(name.split())
        if not name:
            add_error(errors, "name", _("Give the partner's name (a person or an office)."))
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
