"""The bounds that keep a due-list rule sensible, named by field with the reason: checked by
:func:`lini.visits.services.rule_change` (so a page, a command and a test get the same answer)
and shown by the rules page's form."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from lini.visits.choices import RuleKind

YEAR = 365
# The longest interval: a 10-year IUD plus a year's leeway.
MAX_INTERVAL = 10 * YEAR + YEAR
MAX_GRACE = YEAR
MAX_REPEAT = 2 * YEAR
MAX_WINDOW = 10 * YEAR
MAX_PER_WEEK = 500
# Kinds whose due date counts from a KB service: an interval of 0 would put every user of the
# method on every week's list.
SERVICE_KINDS = frozenset({RuleKind.RESUPPLY, RuleKind.DEVICE_CHECK, RuleKind.DEVICE_END})
NUMBERS = ("interval_days", "grace_days", "repeat_days", "window_days", "per_week")


def rule_problems(*, kind: str, values: dict[str, Any]) -> dict[str, list[str]]:
    """What makes these values of a rule of ``kind`` unusable (field -> reasons)."""
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    def days(value: int) -> str:
        return _("%(days)d days (%(years).1f years)") % {"days": value, "years": value / YEAR}

    interval = values.get("interval_days")
    grace = values.get("grace_days")
    repeat = values.get("repeat_days")
    window = values.get("window_days")
    per_week = values.get("per_week")
    if interval is not None:
        if interval > MAX_INTERVAL:
            fail("interval_days", _(
                "At most %(max)s: the longest-lived device (a CuT 380A IUD, 10 years) with a "
                "year to spare."
            ) % {"max": days(MAX_INTERVAL)})  # fmt: skip
        elif interval < 1 and kind in SERVICE_KINDS:
            fail("interval_days", _(
                "At least 1 day: the due date counts from the last service, and 0 would put "
                "every user of the method on every week's list."
            ))  # fmt: skip
    if grace is not None and grace > MAX_GRACE:
        fail("grace_days", _(
            "At most %(max)d days: an item still not overdue a year after its due date is no "
            "longer followed up."
        ) % {"max": MAX_GRACE})  # fmt: skip
    if repeat is not None:
        if repeat < 1:
            fail("repeat_days", _(
                "At least 1 day: with 0 a family counselled today would be due again today."
            ))  # fmt: skip
        elif repeat > MAX_REPEAT:
            fail("repeat_days", _(
                "At most %(max)d days (two years) before the family is visited again."
            ) % {"max": MAX_REPEAT})  # fmt: skip
    if window is not None:
        if window > MAX_WINDOW:
            fail("window_days", _(
                "At most %(max)s; write 0 for an item that never leaves the list."
            ) % {"max": days(MAX_WINDOW)})  # fmt: skip
        elif window and grace is not None and "grace_days" not in errors and window <= grace:
            fail("window_days", _(
                "The item would leave the list before it is overdue (the grace period is "
                "%(grace)d days): give more days than that, or 0 for never."
            ) % {"grace": grace})  # fmt: skip
    if per_week is not None and per_week > MAX_PER_WEEK:
        fail("per_week", _(
            "At most %(max)d items a week in a village; write 0 for no limit."
        ) % {"max": MAX_PER_WEEK})  # fmt: skip
    return errors
