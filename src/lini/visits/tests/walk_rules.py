"""The due-list rules pages in the permission walk (see lini/web/tests/walk.py).

The rules are national and hold nothing of a region: every logged-in user reads them, and only
national administrators change them, so the out-of-scope users and the Tangerang officer alike
get 403 on the edit page (``denied=False``: the walk's officer is no national administrator)
and nothing is written."""

from __future__ import annotations

from lini.visits.models import DueRule
from lini.web.tests.walk import Case, World


def _rule(w: World) -> dict[str, object]:
    return {"pk": w.extra["visits_rule"].pk}


CASES: dict[str, Case] = {
    "visits:rule_list": Case(denied=False),
    "visits:rule_edit": Case(
        _rule,
        denied=False,
        method="post",
        data={
            "active": "on",
            "interval_days": "84",
            "grace_days": "28",
            "repeat_days": "7",
            "window_days": "180",
            "per_week": "0",
            "bring": "",
            "form": "K/IV/KB",
            "version": "1",
        },
    ),
}


def prepare(world: World) -> None:
    world.extra["visits_rule"] = DueRule.objects.get(code="suntik-3")


def snapshot() -> object:
    return sorted(
        DueRule.objects.values_list(
            "code", "active", "interval_days", "grace_days", "repeat_days", "window_days",
            "per_week", "bring", "form", "version",
        )
    )  # fmt: skip
