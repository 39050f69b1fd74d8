"""What the campaign services share: the rights they check through :mod:`lini.accounts.scope`
(planning: ``Action.PLAN`` on the campaign's region; recording: a team member of the lokus who
may change data of its village) and how they report a problem (an error on a field, a form filled
from an older version). The writes themselves live in :mod:`lini.campaigns.planning` (campaign,
lokus, targets, team), :mod:`lini.campaigns.recording` (KB services, the daily log) and
:mod:`lini.campaigns.photos`; each validates field by field, runs in one transaction and is
recorded in the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.campaigns.models import TeamMember
from lini.campaigns.selectors import team_q

if TYPE_CHECKING:
    from lini.accounts.models import User
    from lini.campaigns.models import Campaign, Lokus


# Problems ----------------------------------------------------------------------------------------


def add_error(errors: dict[str, list[str]], name: str, message: str) -> None:
    """Add ``message`` to the errors of field ``name`` (all problems are reported at once)."""
    errors.setdefault(name, []).append(message)


def stale_version(kind: str, theirs: int, yours: int) -> ValidationError:
    """The refusal of a change made on a form filled from version ``yours`` of a ``kind`` that
    is now at version ``theirs``."""
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
