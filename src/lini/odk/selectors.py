"""Reads of the ODK app: the forms a user gets on the phone and the submissions they may review."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.odk.definitions import FORM_IDS, FormDefinition, definitions
from lini.odk.models import Submission
from lini.poktan.models import Poktan

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User


def forms_for(user: User | AnonymousUser | None) -> list[FormDefinition]:
    """The forms ``user`` may fill: every form changes data of a village, so a role that may
    change data in at least one region gets them; the meeting form only with a poktan to meet."""
    if not scope.role_allows(user, Action.CHANGE):
        return []
    own = scope.user_scope(user)
    if not own.national and not own.codes:
        return []
    forms = definitions()
    found = [forms[form_id] for form_id in FORM_IDS]
    has_poktan = scope.restrict(Poktan.objects.all(), user, Action.CHANGE, field="village__code")
    if not has_poktan.exists():
        found = [form for form in found if form.form_id != "lini_pertemuan_poktan"]
    return found


def form_for(user: User | AnonymousUser | None, form_id: str) -> FormDefinition | None:
    return next((form for form in forms_for(user) if form.form_id == form_id), None)


def submissions_reviewable_by(user: User | AnonymousUser | None) -> QuerySet[Submission]:
    """Submissions of villages the user may change, and the user's own."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Submission.objects.none()
    own = Q(submitted_by=user)
    if scope.role_allows(user, Action.CHANGE):
        own |= Q(village__isnull=False) & scope.user_scope(user).q("village__code")
    return Submission.objects.filter(own)
