"""Today's date as Lini sees it.

Normally the real local date. A demo or a training copy can be frozen on one day with
``LINI_TODAY`` (``lini demo`` uses 1 November 2019, the first day of the 2019 baksos, because its
synthetic register is dated 31 October 2019): then "this month", "not in the future" and "active
in the last months" all mean what they meant on that day. Timestamps (when a row was written,
the audit trail) stay real.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def today() -> dt.date:
    fixed: dt.date | None = getattr(settings, "LINI_TODAY", None)
    return fixed if fixed is not None else timezone.localdate()
