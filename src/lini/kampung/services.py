"""Writes of the Kampung KB profiles: one function for pages, imports and the command line."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.services import audit_change, snapshot
from lini.core import clock
from lini.kampung.choices import Criterion, DataUse, FundingSource, Operation, RumahDataKuStatus
from lini.kampung.models import KampungKB
from lini.regions.models import Region, RegionLevel

if TYPE_CHECKING:
    from lini.accounts.models import User

MAX_PARTNER_LENGTH = 120


@dataclasses.dataclass
class KampungValues:
    """Everything a user sets on a profile (field names as on :class:`KampungKB`)."""

    name: str = ""
    launched_on: dt.date | None = None
    criteria: list[str] = dataclasses.field(default_factory=list)
    pokja_exists: bool = False
    pokja_decree: str = ""
    pokja_decree_on: dt.date | None = None
    pokja_members: int = 0
    pokja_trained: int = 0
    regulation: bool = False
    work_plan: bool = False
    partners: list[str] = dataclasses.field(default_factory=list)
    funding_sources: list[str] = dataclasses.field(default_factory=list)
    operations: list[str] = dataclasses.field(default_factory=list)
    data_uses: list[str] = dataclasses.field(default_factory=list)
    secretariat: bool = False
    rumah_dataku: str = RumahDataKuStatus.NONE
    rumah_dataku_since: dt.date | None = None
    rumah_dataku_data: list[str] = dataclasses.field(default_factory=list)
    rumah_dataku_updated_on: dt.date | None = None


FIELDS = tuple(f.name for f in dataclasses.fields(KampungValues))

CODE_LISTS: dict[str, type[models.TextChoices]] = {
    "criteria": Criterion,
    "funding_sources": FundingSource,
    "operations": Operation,
    "data_uses": DataUse,
    "rumah_dataku_data": DataUse,
}
DATE_FIELDS = ("launched_on", "pokja_decree_on", "rumah_dataku_since", "rumah_dataku_updated_on")


def kampung_values(kampung: KampungKB) -> KampungValues:
    """The stored profile as values, ready to be changed and saved again."""
    return KampungValues(**{name: getattr(kampung, name) for name in FIELDS})


def default_name(village: Region) -> str:
    return f"Kampung KB {village.name}"


def _normalised(values: KampungValues, village: Region) -> KampungValues:
    """Values in the one form they are stored in (sorted code lists, tidy partner names), so
    that saving the same profile twice changes nothing."""
    partners: list[str] = []
    for name in values.partners:
        tidy = " ".join(str(name).split())
        if tidy and tidy.lower() not in {p.lower() for p in partners}:
            partners.append(tidy)
    return dataclasses.replace(
        values,
        name=" ".join(values.name.split()) or default_name(village),
        pokja_decree=" ".join(values.pokja_decree.split()),
        partners=partners,
        **{name: sorted(set(getattr(values, name))) for name in CODE_LISTS},
    )


def kampung_problems(values: KampungValues, *, today: dt.date) -> dict[str, list[str]]:
    """What is wrong with ``values``, by field."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if len(values.name) > KampungKB._meta.get_field("name").max_length:  # type: ignore[operator]
        add("name", _("The name is longer than 120 characters."))
    if len(values.pokja_decree) > 80:
        add("pokja_decree", _("The decree number is longer than 80 characters."))
    for name, choices in CODE_LISTS.items():
        unknown = [code for code in getattr(values, name) if code not in choices.values]
        if unknown:
            add(
                name,
                _("Unknown code(s) %(codes)s; allowed: %(allowed)s")
                % {"codes": ", ".join(map(str, unknown)), "allowed": ", ".join(choices.values)},
            )
    if values.rumah_dataku not in RumahDataKuStatus.values:
        add(
            "rumah_dataku",
            _("Unknown Rumah DataKu status %(value)s; allowed: %(allowed)s")
            % {
                "value": values.rumah_dataku,
                "allowed": ", ".join(v for v in RumahDataKuStatus.values if v),
            },
        )
    for partner in values.partners:
        if len(partner) > MAX_PARTNER_LENGTH:
            add("partners", _("A partner's name is longer than 120 characters."))
    for count in ("pokja_members", "pokja_trained"):
        number = getattr(values, count)
        if not isinstance(number, int) or number < 0 or number > 32767:
            add(count, _("Give a whole number between 0 and 32767."))
    trained, members = values.pokja_trained, values.pokja_members
    if isinstance(trained, int) and isinstance(members, int) and trained > members:
        add(
            "pokja_trained",
            _("More members trained (%(trained)d) than the pokja has (%(members)d).")
            % {"trained": trained, "members": members},
        )
    if not values.pokja_exists and (
        values.pokja_decree or values.pokja_decree_on or values.pokja_members
    ):
        add("pokja_exists", _("The pokja's decree or members are given, but no pokja exists."))
    if values.rumah_dataku == RumahDataKuStatus.NONE and (
        values.rumah_dataku_since or values.rumah_dataku_data or values.rumah_dataku_updated_on
    ):
        add("rumah_dataku", _("Rumah DataKu details are given, but its status is none."))
    for name in DATE_FIELDS:
        day = getattr(values, name)
        if day is not None and day > today:
            add(name, _("The date is in the future."))
    return problems


def kampung_unchanged(kampung: KampungKB | None, values: KampungValues) -> bool:
    """Whether saving ``values`` would leave the stored profile as it is."""
    if kampung is None:
        return False
    return kampung_values(kampung) == _normalised(values, kampung.village)


def kampung_save(
    *,
    actor: User | None,
    village: Region,
    values: KampungValues,
    version: int | None = None,
) -> KampungKB:
    """Create the Kampung KB of ``village`` or change it. ``version`` is the version the user's
    form was filled from: a profile changed since then is refused (0: the form was for a new
    profile, refused if one exists by now; None: no check, as in an import). Saving the same values again changes nothing (no new version, no audit entry)."""
    if village.level != RegionLevel.VILLAGE:
        raise ValidationError({"village": _("A Kampung KB belongs to a village.")})
    if actor is not None:
        scope.require(actor, Action.CHANGE, village)
    values = _normalised(values, village)
    problems = kampung_problems(values, today=clock.today())
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        kampung = KampungKB.objects.select_for_update().filter(village=village).first()
        if kampung is not None and version is not None and kampung.version != version:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: _(
                        "Someone else changed this Kampung KB while you were editing it "
                        "(version %(theirs)d, your form had %(yours)d). Open it again and redo "
                        "your change."
                    )
                    % {"theirs": kampung.version, "yours": version}
                }
            )
        if kampung is not None and kampung_values(kampung) == values:
            return kampung
        before = snapshot(kampung) if kampung is not None else None
        if kampung is None:
            kampung = KampungKB(village=village)
        else:
            kampung.version += 1
        for name in FIELDS:
            setattr(kampung, name, getattr(values, name))
        kampung.save()
        audit_change(actor=actor, obj=kampung, before=before, region_code=village.code)
    return kampung
