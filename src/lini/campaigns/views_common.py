"""What the campaign pages share: finding the campaign or lokus a page is about, with the answer
the campaign helpers give (which ask :mod:`lini.accounts.scope`): one the user may not see is a
404; one the user may see but not use (planning without the right, recording outside one's own
team) is a 403. The pages themselves are in ``views_plan`` (the list and the plan),
``views_record`` (what a lokus team records) and ``views_report`` (the report and the summary)."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from lini.campaigns import selectors, services
from lini.campaigns.models import Campaign, Lokus

REPORT_FORMATS = ("xlsx", "pdf", "csv")  # the report's downloads, offered on the campaign page too


def campaign_for(request: HttpRequest, pk: int) -> Campaign:
    """A campaign the user may see (404 otherwise)."""
    return get_object_or_404(
        selectors.campaigns_visible_to(request.user).select_related("region"), pk=pk
    )


def campaign_to_plan(request: HttpRequest, pk: int) -> Campaign:
    """A campaign the user may see (else 404) and plan (else 403)."""
    campaign = campaign_for(request, pk)
    services.require_plan(request.user, campaign)  # type: ignore[arg-type]
    return campaign


def lokus_for(request: HttpRequest, pk: int) -> Lokus:
    """A lokus the user may see (404 otherwise)."""
    lokus = selectors.lokus_of(request.user, pk)
    if lokus is None:
        raise Http404
    return lokus


def lokus_to_plan(request: HttpRequest, pk: int) -> Lokus:
    lokus = lokus_for(request, pk)
    services.require_plan(request.user, lokus.campaign)  # type: ignore[arg-type]
    return lokus


def lokus_to_record(request: HttpRequest, pk: int) -> Lokus:
    """A lokus of a campaign the user sees (else 404) whose team the user records for (else
    403: a team member sees the campaign, but records only in their own lokus)."""
    lokus = get_object_or_404(
        Lokus.objects.select_related("campaign", "campaign__region", "village").filter(
            campaign__in=selectors.campaigns_visible_to(request.user)
        ),
        pk=pk,
    )
    services.require_record(request.user, lokus)  # type: ignore[arg-type]
    return lokus
