"""Reads about accounts' login security: lock-outs after failed logins, two-step login."""

from __future__ import annotations

import datetime as dt
import math

from axes.models import AccessAttempt
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone

from lini.accounts.models import User


def login_locked_until(username: str) -> dt.datetime | None:
    """When logging in with ``username`` opens again, or None when it is not locked. Counts the
    failures django-axes recorded for the username within the lock-out period, as axes does."""
    cool_off: dt.timedelta = settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=timezone.now() - cool_off
    ).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    if (recent["failures"] or 0) < settings.AXES_FAILURE_LIMIT or recent["last"] is None:
        return None
    return recent["last"] + cool_off


def minutes_until(moment: dt.datetime) -> int:
    """Whole minutes from now until ``moment``, rounded up, at least one."""
    return max(1, math.ceil((moment - timezone.now()).total_seconds() / 60))


def two_factor_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator (TOTP) device, or None when two-step login is off."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
