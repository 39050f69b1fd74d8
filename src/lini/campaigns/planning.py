"""Planning steps of a campaign that combine several services: the suggested villages accepted
as lokus, all of them or none (the suggestion page's form)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lini.campaigns import services
from lini.regions.models import Region, RegionLevel

if TYPE_CHECKING:
    from lini.accounts.models import User
    from lini.campaigns.models import Campaign, Lokus

MIN_YEAR, MAX_YEAR = 2000, 2100  # as the suggestion form's year


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
    services.require_plan(actor, campaign)
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
                    found = services.lokus_suggest(
                        user=actor, regions=[village], year=year, count=1
                    )
                except PermissionDenied:
                    found = []  # outside what the actor sees: lokus_add says why it is refused
                try:
                    added.append(
                        services.lokus_add(
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
