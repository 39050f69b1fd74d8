"""Monthly inputs for tests (and only tests), written through the service as the system."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lini.monthly import services
from lini.monthly.models import MonthlyInput
from lini.regions.models import Region

GOOD: dict[str, Any] = {
    "ppkbd_exist": 1, "ppkbd_reported": 1, "sub_ppkbd_exist": 4, "sub_ppkbd_reported": 3,
    "kelompok_kb_exist": 10, "kelompok_kb_reported": 8, "bkb_exist": 2, "bkb_reported": 2,
    "bkr_exist": 1, "bkr_reported": 0, "bkl_exist": 1, "bkl_reported": 1, "uppka_exist": 2,
    "uppka_reported": 1, "coordination_meetings": 1, "counselling_sessions": 4,
    "kie_sessions": 2, "kie_leaders_active": 5, "notes": "",
}  # fmt: skip


def make_input(
    code: str, month: dt.date = dt.date(2019, 11, 1), *, status: str = "draft", **values: Any
) -> MonthlyInput:
    """An input of the village ``code`` brought to ``status`` by the system (actor None)."""
    village = Region.objects.get(code=code)
    found = services.monthly_save(
        actor=None, village=village, month=month, values={**GOOD, **values}, version=None
    )
    if status in ("submitted", "approved", "sent_back"):
        found = services.monthly_submit(actor=None, monthly_input=found)
    if status == "approved":
        found = services.monthly_approve(actor=None, monthly_input=found)
    if status == "sent_back":
        found = services.monthly_send_back(actor=None, monthly_input=found, comment="cek BKR")
    return found
