"""The permission walk's cases for the monthly input pages (see lini/web/tests/walk.py)."""

from __future__ import annotations

import datetime as dt

from lini.monthly.models import MonthlyInput, MonthlyStatus
from lini.monthly.tests.factories import GOOD, make_input
from lini.regions.tests.places import KAB_TANGERANG, KUTA_JAYA
from lini.web.tests.walk import Case, World

NOV, DEC, OCT, SEP, AUG = (dt.date(2019, m, 1) for m in (11, 12, 10, 9, 8))
FORM = {k: str(v) for k, v in GOOD.items()}


def prepare(world: World) -> None:
    world.extra["monthly_draft"] = make_input(KUTA_JAYA, NOV)
    world.extra["monthly_submitted"] = make_input(KUTA_JAYA, OCT, status="submitted")
    world.extra["monthly_submitted_2"] = make_input(KUTA_JAYA, SEP, status="submitted")
    world.extra["monthly_approved"] = make_input(KUTA_JAYA, AUG, status="approved")


def _status(world: World, key: str) -> str:
    return MonthlyInput.objects.get(pk=world.extra[key].pk).status


def snapshot() -> tuple[object, ...]:
    return (
        list(
            MonthlyInput.objects.order_by("pk").values_list(
                "village_id", "month", "status", "version", "notes", "comment", "bkb_exist"
            )
        ),
    )


CASES: dict[str, Case] = {
    "monthly:input_list": Case(query=f"?region={KAB_TANGERANG}&month=2019-11"),
    "monthly:input_create": Case(
        lambda w: {"code": KUTA_JAYA, "month": "2019-12"},
        method="post",
        data=FORM,
        effect=lambda w: MonthlyInput.objects.filter(village__code=KUTA_JAYA, month=DEC).exists(),
    ),
    "monthly:input_detail": Case(lambda w: {"pk": w.extra["monthly_draft"].pk}),
    "monthly:input_edit": Case(
        lambda w: {"pk": w.extra["monthly_draft"].pk},
        method="post",
        data={**FORM, "notes": "dikoreksi", "version": "1"},
        effect=lambda w: (
            MonthlyInput.objects.get(pk=w.extra["monthly_draft"].pk).notes == "dikoreksi"
        ),
    ),
    "monthly:input_submit": Case(
        lambda w: {"pk": w.extra["monthly_draft"].pk},
        method="post",
        data=lambda w: _seen(w, "monthly_draft"),
        effect=lambda w: _status(w, "monthly_draft") == MonthlyStatus.SUBMITTED,
    ),
    "monthly:input_approve": Case(
        lambda w: {"pk": w.extra["monthly_submitted"].pk},
        method="post",
        data=lambda w: _seen(w, "monthly_submitted"),
        effect=lambda w: _status(w, "monthly_submitted") == MonthlyStatus.APPROVED,
    ),
    "monthly:input_send_back": Case(
        lambda w: {"pk": w.extra["monthly_submitted_2"].pk},
        method="post",
        data=lambda w: {**_seen(w, "monthly_submitted_2"), "comment": "BKR lapor terlalu banyak"},
        effect=lambda w: _status(w, "monthly_submitted_2") == MonthlyStatus.SENT_BACK,
    ),
    "monthly:input_reopen": Case(
        lambda w: {"pk": w.extra["monthly_approved"].pk},
        method="post",
        data=lambda w: _seen(w, "monthly_approved"),
        effect=lambda w: _status(w, "monthly_approved") == MonthlyStatus.DRAFT,
    ),
}


def _seen(world: World, key: str) -> dict[str, str]:
    """The version the page showed: what a decision form posts back."""
    return {"version": str(MonthlyInput.objects.get(pk=world.extra[key].pk).version)}
