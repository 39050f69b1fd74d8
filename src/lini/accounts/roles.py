"""Roles, what each may do, and at which region levels each is assigned."""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _

from lini.regions.models import RegionLevel


class Role(models.TextChoices):
    CADRE = "cadre", _("Cadre (PPKBD, Sub-PPKBD, poktan)")
    COUNSELLOR = "counsellor", _("Field counsellor (PKB/PLKB)")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    REGENCY_OFFICER = "regency_officer", _("Regency/city officer")
    PROVINCE_OFFICER = "province_officer", _("Province officer")
    NATIONAL_ADMIN = "national_admin", _("National administrator")


class Action(StrEnum):
    """What a user may want to do with data of a region."""

    VIEW = "view"  # read pages, lists and figures
    CHANGE = "change"  # create, edit and import field data
    APPROVE = "approve"  # approve or send back monthly reports, reopen locked months
    VIEW_IDENTITY = "view_identity"  # see unmasked NIK / No. KK
    MANAGE_USERS = "manage_users"  # create and edit accounts inside the scope
    PLAN = "plan"  # plan campaigns (baksos): their lokus, teams and targets


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.CADRE: frozenset({Action.VIEW, Action.CHANGE}),
    Role.COUNSELLOR: frozenset({Action.VIEW, Action.CHANGE, Action.VIEW_IDENTITY}),
    Role.DISTRICT_OFFICER: frozenset({Action.VIEW, Action.CHANGE, Action.VIEW_IDENTITY}),
    Role.REGENCY_OFFICER: frozenset(
        {
            Action.VIEW,
            Action.CHANGE,
            Action.APPROVE,
            Action.VIEW_IDENTITY,
            Action.MANAGE_USERS,
            Action.PLAN,
        }
    ),
    # Province officers watch, approve and plan campaigns; they manage no accounts, because
    # every account they could create would hold rights (change, see identity) that they do not
    # have themselves.
    Role.PROVINCE_OFFICER: frozenset({Action.VIEW, Action.APPROVE, Action.PLAN}),
    Role.NATIONAL_ADMIN: frozenset(Action),
}

# The levels a role's assigned regions may have. A national administrator has no assignment:
# the whole country is theirs.
ROLE_LEVELS: dict[str, frozenset[int]] = {
    Role.CADRE: frozenset({RegionLevel.VILLAGE, RegionLevel.DUSUN, RegionLevel.RW, RegionLevel.RT}),
    Role.COUNSELLOR: frozenset({RegionLevel.VILLAGE, RegionLevel.DISTRICT}),
    Role.DISTRICT_OFFICER: frozenset({RegionLevel.DISTRICT}),
    Role.REGENCY_OFFICER: frozenset({RegionLevel.REGENCY}),
    Role.PROVINCE_OFFICER: frozenset({RegionLevel.PROVINCE}),
    Role.NATIONAL_ADMIN: frozenset(),
}

# Rank for user management: an administrator manages only roles ranked below their own.
ROLE_RANK: dict[str, int] = {role: rank for rank, role in enumerate(Role.values, start=1)}

# The roles that must log in with a second step (a code from an authenticator app) when
# LINI_REQUIRE_2FA is on: officers and national administrators, who see identities or approve.
TWO_FACTOR_ROLES: frozenset[str] = frozenset(
    {Role.DISTRICT_OFFICER, Role.REGENCY_OFFICER, Role.PROVINCE_OFFICER, Role.NATIONAL_ADMIN}
)
